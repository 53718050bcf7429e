package segment

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
)

// AssignFunc is segmentation logic written as a rule, with nothing to learn
// from data, as [NewRules] takes it: it places one valid account in one of
// the rule's segments, naming it by Segment.ID (the other Segment fields may
// be left empty), with a Score in [0, 1] and Reasons. A rule used as the
// precedence rule of [First] declines an account by returning an error that
// wraps [ErrNoMatch]. It must be safe for concurrent use and must not modify
// the account.
type AssignFunc func(a *Account) (Assignment, error)

// Rules is a [Segmenter] whose logic is an [AssignFunc]; it is to a
// Segmenter what http.HandlerFunc is to an http.Handler. Its Fit learns
// nothing: it validates the accounts (every Fit does), honours the context
// and refuses empty input, and returns a Model whose Assign calls the func.
// The Model's JSON holds the method and the segments; the Rules that made
// it decodes it, binding the func again.
type Rules struct {
	method   string
	segments []Segment
	index    map[string]int
	f        AssignFunc
}

// NewRules returns a Segmenter that assigns accounts with f to one of
// segments, under the method name method (the Models' JSON header and the
// Method of every segment that leaves it empty; a segment with an empty
// Name is named by its ID). It returns an error wrapping [ErrInvalidConfig]
// for an empty method, no segments, a segment without ID, two segments with
// the same ID, or a nil f. It copies segments.
func NewRules(method string, segments []Segment, f AssignFunc) (*Rules, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("segment: rules %q: %s: %w", method, fmt.Sprintf(format, args...), ErrInvalidConfig))
	}
	if method == "" {
		bad("method is empty")
	}
	if len(segments) == 0 {
		bad("no segments")
	}
	if f == nil {
		bad("func is nil")
	}
	r := &Rules{method: method, segments: slices.Clone(segments), index: make(map[string]int, len(segments)), f: f}
	for i := range r.segments {
		s := &r.segments[i]
		if s.ID == "" {
			bad("segment %d has no ID", i+1)
			continue
		}
		if _, dup := r.index[s.ID]; dup {
			bad("segment ID %q is listed twice", s.ID)
			continue
		}
		r.index[s.ID] = i
		if s.Name == "" {
			s.Name = s.ID
		}
		if s.Method == "" {
			s.Method = method
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return r, nil
}

func (r *Rules) check() error {
	if r == nil || r.f == nil {
		return fmt.Errorf("segment: rules: not made by NewRules: %w", ErrInvalidConfig)
	}
	return nil
}

// Fit validates every account and returns the rule's Model. It returns an
// error wrapping [ErrEmptyInput] when accts yields no account.
func (r *Rules) Fit(ctx context.Context, accts iter.Seq[Account]) (Model, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if _, _, err := walk(ctx, r.method, accts, false); err != nil {
		return nil, err
	}
	return r.model(), nil
}

func (r *Rules) fitValid(ctx context.Context, all []Account) (Model, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if err := startValid(ctx, r.method, all); err != nil {
		return nil, err
	}
	return r.model(), nil
}

func (r *Rules) model() *rulesModel {
	return &rulesModel{Header: Header{Method: r.method, Version: 1}, List: r.segments, r: r}
}

// DecodeModel reads back a Model of these Rules. It returns an error
// wrapping [ErrModelVersion] for the encoding of another method or version,
// or of rules with other segments.
func (r *Rules) DecodeModel(data []byte) (Model, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	m, err := DecodeJSON[rulesModel](data, r.method, 1)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(m.List, r.segments) {
		return nil, fmt.Errorf("%s: decoding model: its segments are not the rules' segments: %w", r.method, ErrModelVersion)
	}
	return r.model(), nil
}

// rulesModel is the Model of [Rules]: {"method", "version", "segments"}.
type rulesModel struct {
	Header
	List []Segment `json:"segments"`
	r    *Rules
}

func (m *rulesModel) Segments() []Segment { return m.List }

func (m *rulesModel) Assign(a *Account) (Assignment, error) {
	if err := checkAccount(m.Method, a); err != nil {
		return Assignment{}, err
	}
	return m.AssignValid(a)
}

func (m *rulesModel) AssignValid(a *Account) (Assignment, error) {
	as, err := m.r.f(a)
	if err != nil {
		if _, ok := errors.AsType[*FieldError](err); ok {
			return Assignment{}, fmt.Errorf("%s: %w", m.Method, err)
		}
		return Assignment{}, fmt.Errorf("%s: account %q: %w", m.Method, a.ID, err)
	}
	i, ok := m.r.index[as.Segment.ID]
	if !ok {
		return Assignment{}, fmt.Errorf("%s: account %q: the rule gave segment %q, which the rules do not list: %w", m.Method, a.ID, as.Segment.ID, ErrInvalidConfig)
	}
	if math.IsNaN(as.Score) || as.Score < 0 || as.Score > 1 {
		return Assignment{}, fmt.Errorf("%s: account %q: the rule gave score %v, outside [0, 1]: %w", m.Method, a.ID, as.Score, ErrInvalidConfig)
	}
	as.AccountID = a.ID
	as.Segment = m.List[i]
	return as, nil
}

// KeyAccountRule is the precedence rule [KeyAccounts] returns: plain data,
// a segment and the IDs of the accounts it claims.
type KeyAccountRule struct {
	seg Segment
	ids []string
}

// KeyAccounts returns a precedence rule for [First]: its Model places the
// accounts whose ID is one of ids in seg, with score 1 and the reason "named
// key account", and declines every other account with an error wrapping
// [ErrNoMatch]. An empty seg.Name is seg.ID and an empty seg.Method is
// "key-accounts". Problems (seg without ID, no ids, an empty id) are
// reported by [KeyAccountRule.Validate], Fit and DecodeModel, wrapping
// [ErrInvalidConfig]. It copies ids; repeated IDs count once.
func KeyAccounts(seg Segment, ids ...string) *KeyAccountRule {
	if seg.Name == "" {
		seg.Name = seg.ID
	}
	if seg.Method == "" {
		seg.Method = MethodKeyAccounts
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return &KeyAccountRule{seg: seg, ids: slices.Compact(ids)}
}

// Validate reports every problem of the rule, wrapping [ErrInvalidConfig].
func (k *KeyAccountRule) Validate() error {
	if k == nil {
		return fmt.Errorf("%s: rule is nil: %w", MethodKeyAccounts, ErrInvalidConfig)
	}
	return validateKeys(k.seg, k.ids)
}

func validateKeys(seg Segment, ids []string) error {
	var errs []error
	if seg.ID == "" {
		errs = append(errs, fmt.Errorf("%s: segment has no ID: %w", MethodKeyAccounts, ErrInvalidConfig))
	}
	if len(ids) == 0 {
		errs = append(errs, fmt.Errorf("%s: no account IDs: %w", MethodKeyAccounts, ErrInvalidConfig))
	}
	if slices.Contains(ids, "") {
		errs = append(errs, fmt.Errorf("%s: an account ID is empty: %w", MethodKeyAccounts, ErrInvalidConfig))
	}
	return joinErrors(errs)
}

// Fit validates every account and returns the rule's Model; the rule
// learns nothing. It returns an error wrapping [ErrEmptyInput] when accts
// yields no account.
func (k *KeyAccountRule) Fit(ctx context.Context, accts iter.Seq[Account]) (Model, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	if _, _, err := walk(ctx, MethodKeyAccounts, accts, false); err != nil {
		return nil, err
	}
	return newKeysModel(k.seg, k.ids), nil
}

func (k *KeyAccountRule) fitValid(ctx context.Context, all []Account) (Model, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	if err := startValid(ctx, MethodKeyAccounts, all); err != nil {
		return nil, err
	}
	return newKeysModel(k.seg, k.ids), nil
}

// DecodeModel reads back a Model of a key-account rule. The encoding holds
// the segment and the IDs, so any KeyAccountRule decodes it.
func (k *KeyAccountRule) DecodeModel(data []byte) (Model, error) {
	if k == nil {
		return nil, k.Validate()
	}
	m, err := DecodeJSON[keysModel](data, MethodKeyAccounts, 1)
	if err != nil {
		return nil, err
	}
	if err := validateKeys(m.Segment, m.IDs); err != nil {
		return nil, fmt.Errorf("%s: decoding model: %w", MethodKeyAccounts, err)
	}
	if !slices.IsSorted(m.IDs) {
		return nil, fmt.Errorf("%s: decoding model: account IDs are not sorted: %w", MethodKeyAccounts, ErrInvalidConfig)
	}
	return newKeysModel(m.Segment, m.IDs), nil
}

// keysModel is the Model of [KeyAccounts]: {"method", "version", "segment",
// "ids"}, with the IDs sorted.
type keysModel struct {
	Header
	Segment Segment  `json:"segment"`
	IDs     []string `json:"ids"`
	set     map[string]struct{}
}

func newKeysModel(seg Segment, ids []string) *keysModel {
	m := &keysModel{Header: Header{Method: MethodKeyAccounts, Version: 1}, Segment: seg, IDs: ids, set: make(map[string]struct{}, len(ids))}
	for _, id := range ids {
		m.set[id] = struct{}{}
	}
	return m
}

func (m *keysModel) Segments() []Segment { return []Segment{m.Segment} }

func (m *keysModel) Assign(a *Account) (Assignment, error) {
	if err := checkAccount(MethodKeyAccounts, a); err != nil {
		return Assignment{}, err
	}
	return m.AssignValid(a)
}

func (m *keysModel) AssignValid(a *Account) (Assignment, error) {
	if _, ok := m.set[a.ID]; !ok {
		return Assignment{}, &notKeyError{id: a.ID}
	}
	return Assignment{
		AccountID: a.ID,
		Segment:   m.Segment,
		Score:     1,
		Reasons:   []Reason{{Text: "named key account → " + m.Segment.Name, Field: "id"}},
	}, nil
}

// notKeyError is how a key-accounts Model declines an account: it wraps
// [ErrNoMatch] and formats its message only when asked, since [First] asks
// the rule about every account and reads no message but the key
// accounts'.
type notKeyError struct{ id string }

func (e *notKeyError) Error() string {
	return fmt.Sprintf("%s: account %q is not a named key account: %v", MethodKeyAccounts, e.id, ErrNoMatch)
}

func (e *notKeyError) Unwrap() error { return ErrNoMatch }

var (
	_ Segmenter = (*Rules)(nil)
	_ Segmenter = (*KeyAccountRule)(nil)
)
