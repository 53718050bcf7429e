package segment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"sync"
)

// Nested is the Segmenter [Within] returns.
type Nested struct {
	outer, inner Segmenter
}

// Within returns a Segmenter that fits inner separately inside each segment
// of outer: the needs of enterprise accounts are learned from enterprise
// accounts only. Each account's assignment is a composite of its outer and
// inner assignments, made as [Layer] makes one (Method "within", Parts the
// outer and then the inner assignment, Score the lower of the two).
//
// Fit fits outer on all the accounts, then inner on all of them (the
// fallback), then inner on the accounts of each outer segment, several
// segments at once; the result does not depend on how many run at once.
//
// The fallback: where inner cannot be fitted on the accounts of an outer
// segment (its Fit returns an error, typically because the segment has
// too few accounts), and for a new account whose outer segment no fitted
// account was in, the inner segmentation fitted on all the accounts is
// used, and the assignment says so in a Reason. The Model's JSON records
// for each outer segment why it uses the fallback. Fit fails only when
// inner cannot be fitted on all the accounts either, or ctx is done.
//
// The Model's Segments are the composites the fitted accounts fall in,
// ordered by outer segment and then by inner segment. Declines
// ([ErrNoMatch]) by outer or inner pass through as in [Layer].
//
// With a nil outer or inner, Validate, Fit and DecodeModel return an error
// wrapping [ErrInvalidConfig].
func Within(outer, inner Segmenter) *Nested {
	return &Nested{outer: outer, inner: inner}
}

// Validate reports every problem of the combination, wrapping
// [ErrInvalidConfig].
func (n *Nested) Validate() error {
	if n == nil {
		return fmt.Errorf("%s: segmenter is nil: %w", MethodWithin, ErrInvalidConfig)
	}
	return errors.Join(checkSegmenter(MethodWithin, "outer segmenter", n.outer), checkSegmenter(MethodWithin, "inner segmenter", n.inner))
}

// Fit fits outer on all the accounts (walking accts once and holding the
// accounts in memory), the fallback inner on all of them, and inner on the
// accounts of each outer segment.
func (n *Nested) Fit(ctx context.Context, accts iter.Seq[Account]) (Model, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	all, err := collect(ctx, MethodWithin, accts)
	if err != nil {
		return nil, err
	}
	return n.fitValid(ctx, all)
}

func (n *Nested) fitValid(ctx context.Context, all []Account) (Model, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if err := startValid(ctx, MethodWithin, all); err != nil {
		return nil, err
	}
	om, err := fitChild(ctx, n.outer, all)
	if err != nil {
		return nil, fmt.Errorf("%s: outer: %w", MethodWithin, err)
	}
	if om == nil {
		return nil, fmt.Errorf("%s: outer: Fit returned no model: %w", MethodWithin, ErrInvalidConfig)
	}
	m := &nestedModel{Header: Header{Method: MethodWithin, Version: 1}, outer: om, groups: map[string]int{}}
	if m.Outer, _, err = encodeModel(om); err != nil {
		return nil, fmt.Errorf("%s: outer: encoding its model: %w", MethodWithin, err)
	}

	// Place every account in its outer segment ("" where outer declines).
	outerIDs := make([]string, len(all))
	err = forEach(ctx, MethodWithin, len(all), 0, func(i int) error {
		as, err := assignChild(om, &all[i])
		if errors.Is(err, ErrNoMatch) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: outer: %w", MethodWithin, err)
		}
		if as.Segment.ID == "" {
			return fmt.Errorf("%s: outer placed account %q in a segment without ID: %w", MethodWithin, all[i].ID, ErrInvalidConfig)
		}
		outerIDs[i] = as.Segment.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	outerIndex := segmentIndex(om)
	sizes := map[string]int{}
	nKept := 0
	for i, id := range outerIDs {
		if id == "" {
			continue
		}
		if _, ok := outerIndex[id]; !ok {
			return nil, fmt.Errorf("%s: outer placed account %q in segment %q, which its Segments do not list: %w", MethodWithin, all[i].ID, id, ErrInvalidConfig)
		}
		sizes[id]++
		nKept++
	}
	if nKept == 0 {
		return nil, fmt.Errorf("%s: outer declined every account: %w", MethodWithin, ErrEmptyInput)
	}
	members := make(map[string][]Account, len(sizes))
	for id, n := range sizes {
		members[id] = make([]Account, 0, n)
	}
	kept := all
	if nKept < len(all) {
		kept = make([]Account, 0, nKept)
	}
	for i, id := range outerIDs {
		if id == "" {
			continue
		}
		members[id] = append(members[id], all[i])
		if nKept < len(all) {
			kept = append(kept, all[i])
		}
	}

	// The fallback: inner on all the accounts that outer places.
	fm, err := fitChild(ctx, n.inner, kept)
	if err != nil {
		return nil, fmt.Errorf("%s: inner on all accounts: %w", MethodWithin, err)
	}
	if fm == nil {
		return nil, fmt.Errorf("%s: inner: Fit returned no model: %w", MethodWithin, ErrInvalidConfig)
	}
	if m.Fallback, _, err = encodeModel(fm); err != nil {
		return nil, fmt.Errorf("%s: inner on all accounts: encoding its model: %w", MethodWithin, err)
	}
	m.fallback = fm

	// Inner within each outer segment, in the outer's segment order.
	for _, s := range om.Segments() {
		accts, ok := members[s.ID]
		if _, seen := m.groups[s.ID]; !ok || seen {
			continue
		}
		m.groups[s.ID] = len(m.Groups)
		m.Groups = append(m.Groups, nestedGroup{Outer: s.ID, Accounts: len(accts)})
	}
	m.inner = make([]Model, len(m.Groups))
	if err := n.fitGroups(ctx, m, members); err != nil {
		return nil, err
	}

	// The composites the fitted accounts fall in.
	innerIndex := make([]map[string]int, len(m.Groups))
	for g := range m.Groups {
		innerIndex[g] = segmentIndex(m.innerModel(g))
	}
	got := make([]observation, len(all))
	err = forEach(ctx, MethodWithin, len(all), 0, func(i int) error {
		if outerIDs[i] == "" {
			return nil
		}
		as, err := m.AssignValid(&all[i])
		if errors.Is(err, ErrNoMatch) {
			return nil
		}
		if err != nil {
			return err
		}
		g := m.groups[as.Parts[0].Segment.ID]
		k, ok := innerIndex[g][as.Parts[1].Segment.ID]
		if !ok {
			return fmt.Errorf("%s: inner placed account %q in segment %q, which its Segments do not list: %w", MethodWithin, all[i].ID, as.Parts[1].Segment.ID, ErrInvalidConfig)
		}
		got[i] = observation{seg: as.Segment, key: []int{outerIndex[as.Parts[0].Segment.ID], k}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	obs := newObserved()
	for _, o := range got {
		if o.key != nil {
			obs.add(o.seg, o.key)
		}
	}
	m.List = obs.list()
	return m, nil
}

// fitGroups fits inner on the members of each group, on up to GOMAXPROCS
// goroutines; a group whose fit fails uses the fallback.
func (n *Nested) fitGroups(ctx context.Context, m *nestedModel, members map[string][]Account) error {
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	errs := make([]error, len(m.Groups))
	var wg sync.WaitGroup
	for g := range m.Groups {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			grp := &m.Groups[g]
			if err := ctx.Err(); err != nil {
				errs[g] = fmt.Errorf("%s: %w", MethodWithin, err)
				return
			}
			im, err := fitChild(ctx, n.inner, members[grp.Outer])
			if err == nil && im == nil {
				err = fmt.Errorf("Fit returned no model: %w", ErrInvalidConfig)
			}
			if err == nil {
				grp.Inner, _, err = encodeModel(im)
				if err != nil {
					errs[g] = fmt.Errorf("%s: inner within %q: encoding its model: %w", MethodWithin, grp.Outer, err)
					return
				}
				m.inner[g] = im
				return
			}
			if isCtxErr(err) && ctx.Err() != nil {
				errs[g] = fmt.Errorf("%s: %w", MethodWithin, ctx.Err())
				return
			}
			grp.Fallback = err.Error()
		})
	}
	wg.Wait()
	return firstError(errs)
}

// firstError returns the first non-nil error of errs.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// DecodeModel reads back a Model of this combination, decoding the outer
// part with outer and the inner parts with inner. It returns an error
// wrapping [ErrModelVersion] for the encoding of another method or
// version.
func (n *Nested) DecodeModel(data []byte) (Model, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	m, err := DecodeJSON[nestedModel](data, MethodWithin, 1)
	if err != nil {
		return nil, err
	}
	if m.outer, err = n.outer.DecodeModel(m.Outer); err != nil {
		return nil, fmt.Errorf("%s: decoding outer: %w", MethodWithin, err)
	}
	if m.fallback, err = n.inner.DecodeModel(m.Fallback); err != nil {
		return nil, fmt.Errorf("%s: decoding inner on all accounts: %w", MethodWithin, err)
	}
	m.groups = make(map[string]int, len(m.Groups))
	m.inner = make([]Model, len(m.Groups))
	for g, grp := range m.Groups {
		if _, dup := m.groups[grp.Outer]; dup {
			return nil, fmt.Errorf("%s: decoding model: outer segment %q has two groups: %w", MethodWithin, grp.Outer, ErrModelVersion)
		}
		m.groups[grp.Outer] = g
		if len(grp.Inner) == 0 {
			if grp.Fallback == "" {
				return nil, fmt.Errorf("%s: decoding model: outer segment %q has neither an inner model nor a fallback: %w", MethodWithin, grp.Outer, ErrModelVersion)
			}
			continue
		}
		if m.inner[g], err = n.inner.DecodeModel(grp.Inner); err != nil {
			return nil, fmt.Errorf("%s: decoding inner within %q: %w", MethodWithin, grp.Outer, err)
		}
	}
	return m, nil
}

// nestedModel is the Model of [Within]: {"method", "version", "outer",
// "fallback": inner fitted on all accounts, "groups": per outer segment its
// number of fitted accounts and its inner model or why it uses the
// fallback, "segments"}.
type nestedModel struct {
	Header
	Outer    json.RawMessage `json:"outer"`
	Fallback json.RawMessage `json:"fallback"`
	Groups   []nestedGroup   `json:"groups"`
	List     []Segment       `json:"segments"`

	outer, fallback Model
	inner           []Model        // per group; nil where the fallback is used
	groups          map[string]int // outer segment ID → group
}

// nestedGroup is one outer segment of a [Within] Model.
type nestedGroup struct {
	Outer    string          `json:"outer"`
	Accounts int             `json:"accounts"`
	Inner    json.RawMessage `json:"inner,omitempty"`
	Fallback string          `json:"fallback,omitempty"`
}

func (m *nestedModel) innerModel(g int) Model {
	if m.inner[g] != nil {
		return m.inner[g]
	}
	return m.fallback
}

func (m *nestedModel) Segments() []Segment { return m.List }

func (m *nestedModel) Assign(a *Account) (Assignment, error) {
	if err := checkAccount(MethodWithin, a); err != nil {
		return Assignment{}, err
	}
	return m.AssignValid(a)
}

func (m *nestedModel) AssignValid(a *Account) (Assignment, error) {
	op, err := assignChild(m.outer, a)
	if err != nil {
		return Assignment{}, fmt.Errorf("%s: outer: %w", MethodWithin, err)
	}
	var (
		im     Model
		reason string
	)
	if g, ok := m.groups[op.Segment.ID]; !ok {
		im = m.fallback
		reason = fmt.Sprintf("no fitted account was in %s, so its inner segments are those of all accounts", op.Segment.Name)
	} else if im = m.inner[g]; im == nil {
		im = m.fallback
		reason = fmt.Sprintf("the inner segments of %s are those of all accounts, as its %d accounts could not be segmented on their own: %s", op.Segment.Name, m.Groups[g].Accounts, m.Groups[g].Fallback)
	}
	ip, err := assignChild(im, a)
	if err != nil {
		return Assignment{}, fmt.Errorf("%s: inner within %q: %w", MethodWithin, op.Segment.ID, err)
	}
	as := composite(a.ID, MethodWithin, []Assignment{op, ip})
	if reason != "" {
		as.Reasons = append(as.Reasons, Reason{Text: reason})
	}
	return as, nil
}

var _ Segmenter = (*Nested)(nil)
