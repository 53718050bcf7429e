package segment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Composite segments (see [Layer] and [Within]) join the IDs of their parts
// with IDSep and their names with NameSep. The separators are fixed, so a
// composite ID splits back into its parts the same way whatever combinator
// made it.
const (
	IDSep   = "+"   // joins the IDs of a composite segment's parts
	NameSep = " › " // joins the names of a composite segment's parts
)

// The methods of the combinators, as their Models' JSON [Header] and their
// composite segments' Method name them.
const (
	MethodLayers      = "layers"       // [Layer]
	MethodWithin      = "within"       // [Within]
	MethodFirst       = "first"        // [First]
	MethodMinSize     = "min-size"     // [MinSize]
	MethodKeyAccounts = "key-accounts" // [KeyAccounts]
)

// assignChild assigns a, which the caller has validated, with m.
func assignChild(m Model, a *Account) (Assignment, error) {
	if v, ok := m.(ValidAssigner); ok {
		return v.AssignValid(a)
	}
	return m.Assign(a)
}

// validFitter is implemented by the Segmenters of this package: fitValid
// fits on accounts that the caller has walked and validated, so that nested
// combinators share one copy of the accounts and validate them once. It
// must not modify all, nor keep it past the call.
type validFitter interface {
	fitValid(ctx context.Context, all []Account) (Model, error)
}

// fitChild fits s on all, which the caller has validated.
func fitChild(ctx context.Context, s Segmenter, all []Account) (Model, error) {
	if v, ok := s.(validFitter); ok {
		return v.fitValid(ctx, all)
	}
	return s.Fit(ctx, slices.Values(all))
}

// startValid is the first step of every fitValid: ctx and the number of
// accounts.
func startValid(ctx context.Context, method string, all []Account) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if len(all) == 0 {
		return fmt.Errorf("%s: no accounts: %w", method, ErrEmptyInput)
	}
	return nil
}

// checkAccount is the first step of every Assign of this package.
func checkAccount(method string, a *Account) error {
	if a == nil {
		return fmt.Errorf("%s: account is nil: %w", method, ErrInvalidAccount)
	}
	if err := a.Validate(); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return nil
}

// ctxStride is how many accounts Fit walks between two looks at the context.
const ctxStride = 64

// collect walks accts once, validating each account and looking at ctx every
// ctxStride accounts, and returns them. It is the first step of every Fit of
// this package: a combinator needs its accounts more than once (to fit each
// child and to count the segments), so it holds them in memory.
func collect(ctx context.Context, method string, accts iter.Seq[Account]) ([]Account, error) {
	all, _, err := walk(ctx, method, accts, true)
	return all, err
}

// walk is collect, keeping the accounts only when keep is set; it returns
// how many accounts it walked.
func walk(ctx context.Context, method string, accts iter.Seq[Account], keep bool) ([]Account, int, error) {
	if ctx == nil {
		return nil, 0, fmt.Errorf("%s: context is nil: %w", method, ErrInvalidConfig)
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", method, err)
	}
	if accts == nil {
		return nil, 0, fmt.Errorf("%s: accounts are nil: %w", method, ErrEmptyInput)
	}
	var (
		all []Account
		n   int
		err error
	)
	done := ctx.Done()
	for a := range accts {
		if n%ctxStride == ctxStride-1 {
			select {
			case <-done:
				err = fmt.Errorf("%s: %w", method, ctx.Err())
			default:
			}
			if err != nil {
				break
			}
		}
		if verr := a.Validate(); verr != nil {
			err = fmt.Errorf("%s: %w", method, verr)
			break
		}
		if keep {
			all = append(all, a)
		}
		n++
	}
	if err != nil {
		return nil, 0, err
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", method, err)
	}
	if n == 0 {
		return nil, 0, fmt.Errorf("%s: no accounts: %w", method, ErrEmptyInput)
	}
	return all, n, nil
}

// forEach calls f(i) for every i in [0, n) on up to workers goroutines (0:
// GOMAXPROCS), in chunks taken in increasing order, looking at ctx between
// chunks. It returns the error of the lowest i that failed, so the answer
// does not depend on the number of workers, or ctx's error prefixed with
// method. Every goroutine has exited when it returns.
func forEach(ctx context.Context, method string, n, workers int, f func(i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	const chunk = 256
	chunks := (n + chunk - 1) / chunk
	workers = min(workers, chunks)
	if workers <= 1 {
		for c := range chunks {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("%s: %w", method, err)
			}
			for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
				if err := f(i); err != nil {
					return err
				}
			}
		}
		return nil
	}
	var (
		next    atomic.Int64
		stop    atomic.Bool
		mu      sync.Mutex
		firstAt = n
		first   error
		wg      sync.WaitGroup
	)
	fail := func(i int, err error) {
		stop.Store(true)
		mu.Lock()
		if i < firstAt {
			firstAt, first = i, err
		}
		mu.Unlock()
	}
	for range workers {
		wg.Go(func() {
			for !stop.Load() {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(c*chunk, fmt.Errorf("%s: %w", method, err))
					return
				}
				for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
					if err := f(i); err != nil {
						fail(i, err)
						break
					}
				}
			}
		})
	}
	wg.Wait()
	return first
}

// observation is one fitted account's composite segment and the positions
// of its parts in their Models' segment lists; key is nil for an account
// that was declined.
type observation struct {
	seg Segment
	key []int
}

// observed gathers the composite segments that the fitted accounts fall in,
// ordered by the positions of their parts in their Models' segment lists.
type observed struct {
	keys map[string][]int
	segs map[string]Segment
}

func newObserved() *observed {
	return &observed{keys: map[string][]int{}, segs: map[string]Segment{}}
}

func (o *observed) add(s Segment, key []int) {
	if _, ok := o.segs[s.ID]; ok {
		return
	}
	o.keys[s.ID] = key
	o.segs[s.ID] = s
}

// list returns the segments in the lexicographic order of their keys.
func (o *observed) list() []Segment {
	ids := make([]string, 0, len(o.segs))
	for id := range o.segs {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if c := slices.Compare(o.keys[a], o.keys[b]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	out := make([]Segment, len(ids))
	for i, id := range ids {
		out[i] = o.segs[id]
	}
	return out
}

// segmentIndex maps each segment ID of m to its position in m.Segments().
func segmentIndex(m Model) map[string]int {
	segs := m.Segments()
	idx := make(map[string]int, len(segs))
	for i, s := range segs {
		if _, ok := idx[s.ID]; !ok {
			idx[s.ID] = i
		}
	}
	return idx
}

// composite joins the assignments of the parts of a combined Model into
// one: see [Layer] for the rules. The joined ID, name and description are
// cut from one string, so an account's composite costs one allocation for
// its texts however many parts it has.
func composite(accountID, method string, parts []Assignment) Assignment {
	var (
		textLen, nReasons, nScores int
		score                      = 1.0
	)
	for _, p := range parts {
		textLen += len(p.Segment.ID) + len(IDSep) + len(p.Segment.Name) + len(NameSep) + len(p.Segment.Description) + 1
		nReasons += len(p.Reasons)
		nScores += len(p.Scores)
		score = min(score, p.Score)
	}
	if len(parts) == 0 {
		score = 0
	}
	var b strings.Builder // one allocation, which String does not copy
	b.Grow(textLen)
	for i, p := range parts {
		if i > 0 {
			b.WriteString(IDSep)
		}
		b.WriteString(p.Segment.ID)
	}
	idEnd := b.Len()
	for i, p := range parts {
		if i > 0 {
			b.WriteString(NameSep)
		}
		b.WriteString(p.Segment.Name)
	}
	nameEnd := b.Len()
	for _, p := range parts {
		if p.Segment.Description != "" {
			if b.Len() > nameEnd {
				b.WriteByte(' ')
			}
			b.WriteString(p.Segment.Description)
		}
	}
	text := b.String()
	var scores map[string]float64
	if nScores > 0 {
		scores = make(map[string]float64, nScores)
	}
	var reasons []Reason
	if nReasons > 0 {
		reasons = make([]Reason, 0, nReasons)
	}
	// The first part with a score of a name gives it: walking the parts
	// from the last, an earlier part overwrites a later one.
	for i := len(parts) - 1; i >= 0; i-- {
		for k, v := range parts[i].Scores {
			scores[k] = v
		}
	}
	for _, p := range parts {
		reasons = append(reasons, p.Reasons...)
	}
	return Assignment{
		AccountID: accountID,
		Segment: Segment{
			ID:          text[:idEnd],
			Name:        text[idEnd:nameEnd],
			Description: text[nameEnd:],
			Method:      method,
		},
		Score:   score,
		Scores:  scores,
		Reasons: reasons,
		Parts:   parts,
	}
}

// encodeModel marshals a child Model for embedding in a combinator's JSON,
// and reads the method its header names.
func encodeModel(m Model) (json.RawMessage, string, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return nil, "", err
	}
	var h Header
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, "", err
	}
	return data, h.Method, nil
}

// isCtxErr reports whether err comes from a done context.
func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// checkSegmenter reports a nil s as an ErrInvalidConfig naming it with
// label.
func checkSegmenter(method, label string, s Segmenter) error {
	if s == nil || isNilPointer(s) {
		return fmt.Errorf("%s: %s is nil: %w", method, label, ErrInvalidConfig)
	}
	return nil
}

// isNilPointer reports whether s is a nil pointer of one of this package's
// Segmenter types, whose methods would otherwise dereference it.
func isNilPointer(s Segmenter) bool {
	switch v := s.(type) {
	case *Rules:
		return v == nil
	case *KeyAccountRule:
		return v == nil
	case *Layered:
		return v == nil
	case *Nested:
		return v == nil
	case *Precedence:
		return v == nil
	case *Merged:
		return v == nil
	}
	return false
}
