package segment_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// The rule segmenters the combinator tests are built from.

func sizeRules(t testing.TB) *segment.Rules {
	t.Helper()
	r, err := segment.NewRules("size", []segment.Segment{
		{ID: "size/enterprise", Name: "Enterprise"},
		{ID: "size/mid", Name: "Mid-market"},
		{ID: "size/smb", Name: "SMB"},
		{ID: "size/unknown", Name: "Size unknown"},
	}, func(a *segment.Account) (segment.Assignment, error) {
		e, ok := a.Employees.Get()
		switch {
		case !ok:
			return segment.Assignment{Segment: segment.Segment{ID: "size/unknown"}, Score: 0.5,
				Reasons: []segment.Reason{{Text: "employees unknown", Field: "employees"}}}, nil
		case e >= 1000:
			return segment.Assignment{Segment: segment.Segment{ID: "size/enterprise"}, Score: 1,
				Reasons: []segment.Reason{{Text: fmt.Sprintf("employees %g ≥ 1000 → Enterprise", e), Field: "employees"}}}, nil
		case e >= 100:
			return segment.Assignment{Segment: segment.Segment{ID: "size/mid"}, Score: 0.9,
				Reasons: []segment.Reason{{Text: fmt.Sprintf("employees %g ≥ 100 → Mid-market", e), Field: "employees"}}}, nil
		}
		return segment.Assignment{Segment: segment.Segment{ID: "size/smb"}, Score: 0.8,
			Reasons: []segment.Reason{{Text: fmt.Sprintf("employees %g < 100 → SMB", e), Field: "employees"}}}, nil
	})
	require.NoError(t, err)
	return r
}

func tierRules(t testing.TB) *segment.Rules {
	t.Helper()
	r, err := segment.NewRules("tier", []segment.Segment{
		{ID: "tier/A", Name: "Tier A"},
		{ID: "tier/B", Name: "Tier B"},
		{ID: "tier/C", Name: "Tier C"},
	}, func(a *segment.Account) (segment.Assignment, error) {
		v := a.Revenue.Or(0)
		switch {
		case v >= 50e6:
			return segment.Assignment{Segment: segment.Segment{ID: "tier/A"}, Score: 0.7, Scores: map[string]float64{"value": 1}}, nil
		case v >= 5e6:
			return segment.Assignment{Segment: segment.Segment{ID: "tier/B"}, Score: 0.6, Scores: map[string]float64{"value": 0.5}}, nil
		}
		return segment.Assignment{Segment: segment.Segment{ID: "tier/C"}, Score: 0.4, Scores: map[string]float64{"value": 0}}, nil
	})
	require.NoError(t, err)
	return r
}

func riskRules(t testing.TB) *segment.Rules {
	t.Helper()
	r, err := segment.NewRules("risk", []segment.Segment{
		{ID: "risk/at-risk", Name: "At risk"},
		{ID: "risk/healthy", Name: "Healthy"},
	}, func(a *segment.Account) (segment.Assignment, error) {
		if a.Churned == segment.Yes || a.Growth.Or(0) < 0 {
			return segment.Assignment{Segment: segment.Segment{ID: "risk/at-risk"}, Score: 1,
				Scores: map[string]float64{"value": 0.25}}, nil
		}
		return segment.Assignment{Segment: segment.Segment{ID: "risk/healthy"}, Score: 1}, nil
	})
	require.NoError(t, err)
	return r
}

// medianSplit is a learning segmenter for the tests: it learns the median
// of the known employee counts and splits at it. It refuses to fit on fewer
// than min accounts with known employees, as a clustering method refuses
// too few points.
type medianSplit struct{ min int }

type medianModel struct {
	segment.Header
	Median float64 `json:"median"`
}

func (s medianSplit) Fit(ctx context.Context, accts iter.Seq[segment.Account]) (segment.Model, error) {
	var known []float64
	n := 0
	for a := range accts {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("median: %w", err)
		}
		if err := a.Validate(); err != nil {
			return nil, fmt.Errorf("median: %w", err)
		}
		n++
		if e, ok := a.Employees.Get(); ok {
			known = append(known, e)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("median: %w", err)
	}
	if n == 0 {
		return nil, fmt.Errorf("median: no accounts: %w", segment.ErrEmptyInput)
	}
	if len(known) < s.min {
		return nil, fmt.Errorf("median: %d accounts with known employees, need %d: %w", len(known), s.min, segment.ErrInvalidConfig)
	}
	med := 0.0
	if len(known) > 0 {
		sort.Float64s(known)
		med = known[len(known)/2]
	}
	return &medianModel{Header: segment.Header{Method: "median", Version: 1}, Median: med}, nil
}

func (s medianSplit) DecodeModel(data []byte) (segment.Model, error) {
	m, err := segment.DecodeJSON[medianModel](data, "median", 1)
	if err != nil {
		return nil, err
	}
	return m, nil
}

var medianSegments = []segment.Segment{
	{ID: "median/lower", Name: "Smaller half", Method: "median"},
	{ID: "median/upper", Name: "Larger half", Method: "median"},
	{ID: "median/unknown", Name: "Unknown size", Method: "median"},
}

func (m *medianModel) Segments() []segment.Segment { return medianSegments }

func (m *medianModel) Assign(a *segment.Account) (segment.Assignment, error) {
	if a == nil {
		return segment.Assignment{}, fmt.Errorf("median: nil account: %w", segment.ErrInvalidAccount)
	}
	if err := a.Validate(); err != nil {
		return segment.Assignment{}, fmt.Errorf("median: %w", err)
	}
	e, ok := a.Employees.Get()
	as := segment.Assignment{AccountID: a.ID, Score: 1}
	switch {
	case !ok:
		as.Segment, as.Score = medianSegments[2], 0.5
	case e >= m.Median:
		as.Segment = medianSegments[1]
		as.Reasons = []segment.Reason{{Text: fmt.Sprintf("employees %g ≥ median %g", e, m.Median), Field: "employees"}}
	default:
		as.Segment = medianSegments[0]
		as.Reasons = []segment.Reason{{Text: fmt.Sprintf("employees %g < median %g", e, m.Median), Field: "employees"}}
	}
	return as, nil
}

// recorder wraps a Segmenter and records the IDs of the accounts its Fit
// sees.
type recorder struct {
	segment.Segmenter
	mu   sync.Mutex
	seen [][]string
}

func (r *recorder) Fit(ctx context.Context, accts iter.Seq[segment.Account]) (segment.Model, error) {
	var ids []string
	for a := range accts {
		ids = append(ids, a.ID)
	}
	r.mu.Lock()
	r.seen = append(r.seen, ids)
	r.mu.Unlock()
	return r.Segmenter.Fit(ctx, slicesOf(accts))
}

func slicesOf(accts iter.Seq[segment.Account]) iter.Seq[segment.Account] {
	var all []segment.Account
	for a := range accts {
		all = append(all, a)
	}
	return slices.Values(all)
}

// acct makes an account for the table tests.
func acct(id string, employees, revenue float64) segment.Account {
	a := segment.Account{ID: id}
	if !math.IsNaN(employees) {
		a.Employees = segment.N(employees)
	}
	if !math.IsNaN(revenue) {
		a.Revenue = segment.N(revenue)
	}
	return a
}

var unknown = math.NaN()

func mustFit(t *testing.T, s segment.Segmenter, accts []segment.Account) segment.Model {
	t.Helper()
	m, err := s.Fit(context.Background(), slices.Values(accts))
	require.NoError(t, err)
	require.NotNil(t, m)
	return m
}

func mustAssign(t *testing.T, m segment.Model, a segment.Account) segment.Assignment {
	t.Helper()
	as, err := m.Assign(&a)
	require.NoError(t, err, "account %q", a.ID)
	return as
}

func segmentIDs(segs []segment.Segment) []string {
	ids := make([]string, len(segs))
	for i, s := range segs {
		ids[i] = s.ID
	}
	return ids
}

func TestRulesConformance(t *testing.T) {
	segmenttest.Run(t, segmenttest.Config{New: func(int) segment.Segmenter { return sizeRules(t) }})
}

func TestKeyAccountsConformance(t *testing.T) {
	accts := segmenttest.Accounts(200, 1)
	segmenttest.Run(t, segmenttest.Config{
		New: func(int) segment.Segmenter {
			return segment.KeyAccounts(segment.Segment{ID: "key", Name: "Key accounts"}, accts[3].ID, accts[50].ID, accts[150].ID)
		},
		Accounts: accts,
		Declines: true,
	})
}

func TestMedianSplitConformance(t *testing.T) {
	segmenttest.Run(t, segmenttest.Config{New: func(int) segment.Segmenter { return medianSplit{min: 1} }})
}

func TestNewRulesErrors(t *testing.T) {
	ok := func(*segment.Account) (segment.Assignment, error) { return segment.Assignment{}, nil }
	segs := []segment.Segment{{ID: "a"}}
	for _, c := range []struct {
		name     string
		method   string
		segments []segment.Segment
		f        segment.AssignFunc
		want     string
	}{
		{"no method", "", segs, ok, "method is empty"},
		{"no segments", "m", nil, ok, "no segments"},
		{"nil func", "m", segs, nil, "func is nil"},
		{"segment without ID", "m", []segment.Segment{{Name: "x"}}, ok, "segment 1 has no ID"},
		{"duplicate ID", "m", []segment.Segment{{ID: "a"}, {ID: "a"}}, ok, `segment ID "a" is listed twice`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := segment.NewRules(c.method, c.segments, c.f)
			assert.Nil(t, r)
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
			assert.ErrorContains(t, err, c.want)
		})
	}
}

func TestRulesFillsSegmentsAndChecksTheRule(t *testing.T) {
	segs := []segment.Segment{{ID: "a"}, {ID: "b", Name: "Bee", Method: "other"}}
	r, err := segment.NewRules("m", segs, func(a *segment.Account) (segment.Assignment, error) {
		switch a.ID {
		case "stray":
			return segment.Assignment{Segment: segment.Segment{ID: "zzz"}}, nil
		case "high":
			return segment.Assignment{Segment: segment.Segment{ID: "a"}, Score: 1.5}, nil
		case "nan":
			return segment.Assignment{Segment: segment.Segment{ID: "a"}, Score: math.NaN()}, nil
		case "boom":
			return segment.Assignment{}, errors.New("boom")
		}
		return segment.Assignment{Segment: segment.Segment{ID: "b"}, Score: 0.5}, nil
	})
	require.NoError(t, err)
	segs[0].ID = "changed"
	m := mustFit(t, r, []segment.Account{{ID: "x"}})
	assert.Equal(t, []segment.Segment{{ID: "a", Name: "a", Method: "m"}, {ID: "b", Name: "Bee", Method: "other"}}, m.Segments())

	as := mustAssign(t, m, segment.Account{ID: "x"})
	assert.Equal(t, segment.Assignment{AccountID: "x", Segment: segment.Segment{ID: "b", Name: "Bee", Method: "other"}, Score: 0.5}, as)

	for id, want := range map[string]string{
		"stray": `m: account "stray": the rule gave segment "zzz", which the rules do not list`,
		"high":  `m: account "high": the rule gave score 1.5, outside [0, 1]`,
		"nan":   `m: account "nan": the rule gave score NaN, outside [0, 1]`,
	} {
		_, err := m.Assign(&segment.Account{ID: id})
		assert.ErrorIs(t, err, segment.ErrInvalidConfig, id)
		assert.ErrorContains(t, err, want, id)
	}
	_, err = m.Assign(&segment.Account{ID: "boom"})
	assert.EqualError(t, err, `m: account "boom": boom`)
}

func TestRulesDecodeModel(t *testing.T) {
	size := sizeRules(t)
	m := mustFit(t, size, []segment.Account{{ID: "x"}})
	data, err := json.Marshal(m)
	require.NoError(t, err)
	assert.JSONEq(t, `{"method":"size","version":1,"segments":[
		{"id":"size/enterprise","name":"Enterprise","method":"size"},
		{"id":"size/mid","name":"Mid-market","method":"size"},
		{"id":"size/smb","name":"SMB","method":"size"},
		{"id":"size/unknown","name":"Size unknown","method":"size"}]}`, string(data))

	_, err = tierRules(t).DecodeModel(data)
	assert.ErrorIs(t, err, segment.ErrModelVersion, "another method")

	other, err := segment.NewRules("size", []segment.Segment{{ID: "size/smb"}}, func(*segment.Account) (segment.Assignment, error) {
		return segment.Assignment{Segment: segment.Segment{ID: "size/smb"}}, nil
	})
	require.NoError(t, err)
	_, err = other.DecodeModel(data)
	assert.ErrorIs(t, err, segment.ErrModelVersion, "other segments")

	var zero segment.Rules
	_, err = zero.DecodeModel(data)
	assert.ErrorIs(t, err, segment.ErrInvalidConfig, "zero Rules")
	_, err = zero.Fit(context.Background(), slices.Values([]segment.Account{{ID: "x"}}))
	assert.ErrorIs(t, err, segment.ErrInvalidConfig, "zero Rules")
	_, err = (*segment.Rules)(nil).Fit(context.Background(), slices.Values([]segment.Account{{ID: "x"}}))
	assert.ErrorIs(t, err, segment.ErrInvalidConfig, "nil Rules")
}

func TestKeyAccounts(t *testing.T) {
	k := segment.KeyAccounts(segment.Segment{ID: "key"}, "B", "A", "B")
	m := mustFit(t, k, []segment.Account{{ID: "A"}, {ID: "C"}})
	want := segment.Segment{ID: "key", Name: "key", Method: "key-accounts"}
	assert.Equal(t, []segment.Segment{want}, m.Segments())

	as := mustAssign(t, m, segment.Account{ID: "B"})
	assert.Equal(t, segment.Assignment{AccountID: "B", Segment: want, Score: 1,
		Reasons: []segment.Reason{{Text: "named key account → key", Field: "id"}}}, as)
	_, err := m.Assign(&segment.Account{ID: "C"})
	assert.ErrorIs(t, err, segment.ErrNoMatch)
	assert.EqualError(t, err, `key-accounts: account "C" is not a named key account: no matching segment`)

	data, err := json.Marshal(m)
	require.NoError(t, err)
	assert.JSONEq(t, `{"method":"key-accounts","version":1,"segment":{"id":"key","name":"key","method":"key-accounts"},"ids":["A","B"]}`, string(data))

	for _, bad := range []string{
		`{"method":"key-accounts","version":1,"segment":{"id":""},"ids":["A"]}`,
		`{"method":"key-accounts","version":1,"segment":{"id":"k"},"ids":[]}`,
		`{"method":"key-accounts","version":1,"segment":{"id":"k"},"ids":["B","A"]}`,
	} {
		_, err := k.DecodeModel([]byte(bad))
		assert.ErrorIs(t, err, segment.ErrInvalidConfig, bad)
	}
	_, err = k.DecodeModel([]byte(`{"method":"key-accounts","version":2}`))
	assert.ErrorIs(t, err, segment.ErrModelVersion)
}

func TestKeyAccountsErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		k    *segment.KeyAccountRule
		want string
	}{
		{"no segment ID", segment.KeyAccounts(segment.Segment{}, "A"), "segment has no ID"},
		{"no ids", segment.KeyAccounts(segment.Segment{ID: "k"}), "no account IDs"},
		{"empty id", segment.KeyAccounts(segment.Segment{ID: "k"}, "A", ""), "an account ID is empty"},
		{"nil", nil, "rule is nil"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.k.Validate()
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
			assert.ErrorContains(t, err, c.want)
			_, err = c.k.Fit(context.Background(), slices.Values([]segment.Account{{ID: "A"}}))
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
			_, err = c.k.DecodeModel([]byte(`{"method":"key-accounts","version":1,"segment":{"id":"k"},"ids":["A"]}`))
			if c.k == nil {
				assert.ErrorIs(t, err, segment.ErrInvalidConfig)
			} else {
				assert.NoError(t, err, "the encoding holds the IDs")
			}
		})
	}
}
