package segment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"strings"
)

// MinSizeConfig says which segments [MinSize] merges into "Other". A
// segment is too small when fewer fitted accounts fall in it than Count,
// or than Share of all the fitted accounts; at least one of the two must
// be set.
type MinSizeConfig struct {
	// Count is the least number of fitted accounts a segment keeps; 0 means
	// no count threshold.
	Count int `json:"count,omitempty"`
	// Share is the least share of the fitted accounts a segment keeps, in
	// [0, 1): 0.05 merges segments with under 5% of the accounts; 0 means no
	// share threshold.
	Share float64 `json:"share,omitempty"`
	// OtherID is the ID of the merged segment; "" means "<method>/other",
	// where method is the method of the wrapped Segmenter's Model (as its
	// JSON header names it).
	OtherID string `json:"other_id,omitempty"`
	// OtherName is the name of the merged segment; "" means "Other".
	OtherName string `json:"other_name,omitempty"`
}

// Validate reports every problem of the config, each naming the field and
// wrapping [ErrInvalidConfig].
func (c MinSizeConfig) Validate() error {
	var errs []error
	if c.Count < 0 {
		errs = append(errs, fmt.Errorf("%s: Count is %d, negative: %w", MethodMinSize, c.Count, ErrInvalidConfig))
	}
	if math.IsNaN(c.Share) || c.Share < 0 || c.Share >= 1 {
		errs = append(errs, fmt.Errorf("%s: Share is %v, outside [0, 1): %w", MethodMinSize, c.Share, ErrInvalidConfig))
	}
	if c.Count == 0 && c.Share == 0 {
		errs = append(errs, fmt.Errorf("%s: Count and Share are both 0, so no segment would be merged: %w", MethodMinSize, ErrInvalidConfig))
	}
	return joinErrors(errs)
}

// Merged is the Segmenter [MinSize] returns.
type Merged struct {
	base Segmenter
	cfg  MinSizeConfig
}

// MinSize returns a Segmenter that merges the segments of s that are too
// small, as cfg says, into one "Other" segment. Fit fits s, assigns every
// fitted account with it and counts the accounts of each segment; a
// segment of s that no fitted account fell in counts 0 and is merged too.
//
// An account of a kept segment gets s's assignment unchanged. An account
// whose segment was merged gets s's assignment with the Other segment in
// place of its own and a first Reason that keeps the original: `merged
// into Other: segment "Tier C › SMB" had 7 accounts, fewer than 25`.
// That holds for a new account in a segment no fitted account was in (a
// combination of layers first seen after fitting): it counted 0.
//
// The Model's Segments are the kept segments of s in s's order, then Other
// if anything was merged (even when every segment was). Declines
// ([ErrNoMatch]) by s pass through.
//
// With a nil s or an invalid cfg, Validate, Fit and DecodeModel return an
// error wrapping [ErrInvalidConfig]; so does Fit when the Other ID is one
// of the kept segments' IDs.
func MinSize(s Segmenter, cfg MinSizeConfig) *Merged {
	return &Merged{base: s, cfg: cfg}
}

// Validate reports every problem of the combination, wrapping
// [ErrInvalidConfig].
func (g *Merged) Validate() error {
	if g == nil {
		return fmt.Errorf("%s: segmenter is nil: %w", MethodMinSize, ErrInvalidConfig)
	}
	return errors.Join(checkSegmenter(MethodMinSize, "wrapped segmenter", g.base), g.cfg.Validate())
}

// Fit fits the wrapped Segmenter (walking accts once and holding the
// accounts in memory), counts its segments and merges the small ones.
func (g *Merged) Fit(ctx context.Context, accts iter.Seq[Account]) (Model, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	all, err := collect(ctx, MethodMinSize, accts)
	if err != nil {
		return nil, err
	}
	return g.fitValid(ctx, all)
}

func (g *Merged) fitValid(ctx context.Context, all []Account) (Model, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if err := startValid(ctx, MethodMinSize, all); err != nil {
		return nil, err
	}
	bm, err := fitChild(ctx, g.base, all)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", MethodMinSize, err)
	}
	if bm == nil {
		return nil, fmt.Errorf("%s: Fit returned no model: %w", MethodMinSize, ErrInvalidConfig)
	}
	raw, method, err := encodeModel(bm)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding the wrapped model: %w", MethodMinSize, err)
	}
	ids := make([]string, len(all))
	err = forEach(ctx, MethodMinSize, len(all), 0, func(i int) error {
		as, err := assignChild(bm, &all[i])
		if errors.Is(err, ErrNoMatch) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", MethodMinSize, err)
		}
		ids[i] = as.Segment.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	fitted := 0
	for _, id := range ids {
		if id != "" {
			counts[id]++
			fitted++
		}
	}
	segs := bm.Segments()
	listed := make(map[string]bool, len(segs))
	for _, s := range segs {
		listed[s.ID] = true
	}
	for id := range counts {
		if !listed[id] {
			return nil, fmt.Errorf("%s: the wrapped model placed an account in segment %q, which its Segments do not list: %w", MethodMinSize, id, ErrInvalidConfig)
		}
	}
	m := &mergedModel{
		Header: Header{Method: MethodMinSize, Version: 1},
		Config: g.cfg,
		Base:   raw,
		Fitted: fitted,
		base:   bm,
	}
	m.Other = Segment{ID: g.cfg.OtherID, Name: g.cfg.OtherName, Method: method}
	if m.Other.ID == "" {
		m.Other.ID = "other"
		if method != "" {
			m.Other.ID = method + "/other"
		}
	}
	if m.Other.Name == "" {
		m.Other.Name = "Other"
	}
	var names []string
	for _, s := range segs {
		n := counts[s.ID]
		if m.small(n) {
			m.Merged = append(m.Merged, mergedSegment{ID: s.ID, Name: s.Name, Accounts: n})
			names = append(names, s.Name)
		}
	}
	if len(names) > 0 {
		m.Other.Description = "Accounts of segments too small to stand alone: " + strings.Join(names, ", ") + "."
	}
	if err := m.index(); err != nil {
		return nil, err
	}
	return m, nil
}

// DecodeModel reads back a Model of this Merged, decoding the wrapped
// Model with the wrapped Segmenter. It returns an error wrapping
// [ErrModelVersion] for the encoding of another method or version.
func (g *Merged) DecodeModel(data []byte) (Model, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	m, err := DecodeJSON[mergedModel](data, MethodMinSize, 1)
	if err != nil {
		return nil, err
	}
	if err := m.Config.Validate(); err != nil {
		return nil, fmt.Errorf("%s: decoding model: %w", MethodMinSize, err)
	}
	if m.base, err = g.base.DecodeModel(m.Base); err != nil {
		return nil, fmt.Errorf("%s: decoding the wrapped model: %w", MethodMinSize, err)
	}
	if err := m.index(); err != nil {
		return nil, err
	}
	return m, nil
}

// mergedModel is the Model of [MinSize]: {"method", "version", "config",
// "base": the wrapped model, "fitted": how many fitted accounts it placed,
// "merged": the merged segments with their counts, "other"}.
type mergedModel struct {
	Header
	Config MinSizeConfig   `json:"config"`
	Base   json.RawMessage `json:"base"`
	Fitted int             `json:"fitted"`
	Merged []mergedSegment `json:"merged,omitempty"`
	Other  Segment         `json:"other"`

	base     Model
	merged   map[string]int  // merged segment ID → index in Merged
	kept     map[string]bool // kept segment IDs
	segments []Segment
}

// mergedSegment is one segment that [MinSize] merged.
type mergedSegment struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Accounts int    `json:"accounts"`
}

// small reports whether a segment of n fitted accounts is merged.
func (m *mergedModel) small(n int) bool {
	return n < m.Config.Count || float64(n) < m.Config.Share*float64(m.Fitted)
}

// index sets the merged set and the segment list.
func (m *mergedModel) index() error {
	m.merged = make(map[string]int, len(m.Merged))
	for i, s := range m.Merged {
		m.merged[s.ID] = i
	}
	m.segments = nil
	m.kept = map[string]bool{}
	for _, s := range m.base.Segments() {
		if _, ok := m.merged[s.ID]; ok {
			continue
		}
		if s.ID == m.Other.ID {
			return fmt.Errorf("%s: the Other segment's ID %q is the ID of a kept segment: %w", MethodMinSize, s.ID, ErrInvalidConfig)
		}
		m.segments = append(m.segments, s)
		m.kept[s.ID] = true
	}
	if len(m.Merged) > 0 {
		m.segments = append(m.segments, m.Other)
	}
	return nil
}

func (m *mergedModel) Segments() []Segment { return m.segments }

func (m *mergedModel) Assign(a *Account) (Assignment, error) {
	if err := checkAccount(MethodMinSize, a); err != nil {
		return Assignment{}, err
	}
	return m.AssignValid(a)
}

// threshold says what a segment of n accounts fell short of.
func (m *mergedModel) threshold(n int) string {
	if n < m.Config.Count {
		return fmt.Sprintf("fewer than %d", m.Config.Count)
	}
	return fmt.Sprintf("under %g%% of the %d fitted", 100*m.Config.Share, m.Fitted)
}

func (m *mergedModel) AssignValid(a *Account) (Assignment, error) {
	as, err := assignChild(m.base, a)
	if err != nil {
		return Assignment{}, fmt.Errorf("%s: %w", MethodMinSize, err)
	}
	var text string
	if i, ok := m.merged[as.Segment.ID]; ok {
		n := m.Merged[i].Accounts
		text = fmt.Sprintf("merged into %s: segment %q had %d %s, %s", m.Other.Name, as.Segment.Name, n, plural(n, "account", "accounts"), m.threshold(n))
	} else if m.kept[as.Segment.ID] {
		return as, nil
	} else {
		text = fmt.Sprintf("merged into %s: segment %q had no account at fit", m.Other.Name, as.Segment.Name)
	}
	as.Reasons = append([]Reason{{Text: text, Field: "segment"}}, as.Reasons...)
	as.Segment = m.Other
	return as, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

var _ Segmenter = (*Merged)(nil)
