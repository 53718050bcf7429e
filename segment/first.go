package segment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
)

// Precedence is the Segmenter [First] returns.
type Precedence struct {
	rule, rest Segmenter
}

// First returns a Segmenter that gives rule precedence: the accounts rule's
// Model claims (named key accounts, strategic accounts, partners, an
// account owner's book) take its segment before the rest are segmented, as
// B2B practice does first. Accounts it declines (an error wrapping
// [ErrNoMatch]) are the only ones rest is fitted on and assigns.
//
// Fit fits rule on all the accounts, assigns each with it, and fits rest on
// those it declines. An error of rule other than a decline is returned. If
// rule claims every account, nothing is left to fit rest on and Fit returns
// an error wrapping [ErrEmptyInput].
//
// An assignment is the claiming Model's own, unchanged (its Segment.Method
// says which one it came from); a decline by rest is returned as a decline,
// so First(a, First(b, rest)) chains rules. The Model's Segments are rule's
// followed by rest's; a segment ID in both is an error wrapping
// [ErrInvalidConfig].
//
// With a nil rule or rest, Validate, Fit and DecodeModel return an error
// wrapping [ErrInvalidConfig].
func First(rule, rest Segmenter) *Precedence {
	return &Precedence{rule: rule, rest: rest}
}

// Validate reports every problem of the combination, wrapping
// [ErrInvalidConfig].
func (p *Precedence) Validate() error {
	if p == nil {
		return fmt.Errorf("%s: segmenter is nil: %w", MethodFirst, ErrInvalidConfig)
	}
	return errors.Join(checkSegmenter(MethodFirst, "rule", p.rule), checkSegmenter(MethodFirst, "rest", p.rest))
}

// Fit fits rule on all the accounts (walking accts once and holding the
// accounts in memory) and rest on those rule declines.
func (p *Precedence) Fit(ctx context.Context, accts iter.Seq[Account]) (Model, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	all, err := collect(ctx, MethodFirst, accts)
	if err != nil {
		return nil, err
	}
	return p.fitValid(ctx, all)
}

func (p *Precedence) fitValid(ctx context.Context, all []Account) (Model, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := startValid(ctx, MethodFirst, all); err != nil {
		return nil, err
	}
	rm, err := fitChild(ctx, p.rule, all)
	if err != nil {
		return nil, fmt.Errorf("%s: rule: %w", MethodFirst, err)
	}
	if rm == nil {
		return nil, fmt.Errorf("%s: rule: Fit returned no model: %w", MethodFirst, ErrInvalidConfig)
	}
	declined := make([]bool, len(all))
	err = forEach(ctx, MethodFirst, len(all), 0, func(i int) error {
		_, err := assignChild(rm, &all[i])
		if errors.Is(err, ErrNoMatch) {
			declined[i] = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: rule: %w", MethodFirst, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var rest []Account
	for i, d := range declined {
		if d {
			rest = append(rest, all[i])
		}
	}
	if len(rest) == 0 {
		return nil, fmt.Errorf("%s: the rule claimed all %d accounts, leaving none to fit the rest on: %w", MethodFirst, len(all), ErrEmptyInput)
	}
	sm, err := fitChild(ctx, p.rest, rest)
	if err != nil {
		return nil, fmt.Errorf("%s: rest: %w", MethodFirst, err)
	}
	if sm == nil {
		return nil, fmt.Errorf("%s: rest: Fit returned no model: %w", MethodFirst, ErrInvalidConfig)
	}
	m := &precedenceModel{Header: Header{Method: MethodFirst, Version: 1}, Accounts: len(all) - len(rest), rule: rm, rest: sm}
	if m.Rule, _, err = encodeModel(rm); err != nil {
		return nil, fmt.Errorf("%s: rule: encoding its model: %w", MethodFirst, err)
	}
	if m.Rest, _, err = encodeModel(sm); err != nil {
		return nil, fmt.Errorf("%s: rest: encoding its model: %w", MethodFirst, err)
	}
	if err := m.list(); err != nil {
		return nil, err
	}
	return m, nil
}

// DecodeModel reads back a Model of this combination, decoding its parts
// with rule and rest. It returns an error wrapping [ErrModelVersion] for
// the encoding of another method or version.
func (p *Precedence) DecodeModel(data []byte) (Model, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	m, err := DecodeJSON[precedenceModel](data, MethodFirst, 1)
	if err != nil {
		return nil, err
	}
	if m.rule, err = p.rule.DecodeModel(m.Rule); err != nil {
		return nil, fmt.Errorf("%s: decoding rule: %w", MethodFirst, err)
	}
	if m.rest, err = p.rest.DecodeModel(m.Rest); err != nil {
		return nil, fmt.Errorf("%s: decoding rest: %w", MethodFirst, err)
	}
	if err := m.list(); err != nil {
		return nil, err
	}
	return m, nil
}

// precedenceModel is the Model of [First]: {"method", "version", "rule",
// "rest", "claimed": how many fitted accounts the rule claimed}.
type precedenceModel struct {
	Header
	Rule     json.RawMessage `json:"rule"`
	Rest     json.RawMessage `json:"rest"`
	Accounts int             `json:"claimed"`

	rule, rest Model
	segments   []Segment
}

// list sets the segments: rule's then rest's, which must not share an ID.
func (m *precedenceModel) list() error {
	rs := m.rule.Segments()
	m.segments = append(slices.Clip(slices.Clone(rs)), m.rest.Segments()...)
	seen := make(map[string]bool, len(m.segments))
	for _, s := range m.segments {
		if seen[s.ID] {
			return fmt.Errorf("%s: segment ID %q is both the rule's and the rest's: %w", MethodFirst, s.ID, ErrInvalidConfig)
		}
		seen[s.ID] = true
	}
	return nil
}

func (m *precedenceModel) Segments() []Segment { return m.segments }

func (m *precedenceModel) Assign(a *Account) (Assignment, error) {
	if err := checkAccount(MethodFirst, a); err != nil {
		return Assignment{}, err
	}
	return m.AssignValid(a)
}

func (m *precedenceModel) AssignValid(a *Account) (Assignment, error) {
	as, err := assignChild(m.rule, a)
	if err == nil {
		return as, nil
	}
	if !errors.Is(err, ErrNoMatch) {
		return Assignment{}, fmt.Errorf("%s: rule: %w", MethodFirst, err)
	}
	as, err = assignChild(m.rest, a)
	if err != nil {
		return Assignment{}, fmt.Errorf("%s: rest: %w", MethodFirst, err)
	}
	return as, nil
}

var _ Segmenter = (*Precedence)(nil)
