package segment_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func TestWithinConformance(t *testing.T) {
	segmenttest.Run(t, segmenttest.Config{New: func(int) segment.Segmenter {
		return segment.Within(tierRules(t), medianSplit{min: 20})
	}})
}

func TestWithinFitsInnerPerSegment(t *testing.T) {
	// Tier A: employees 100, 200, 300 (median 200); tier C: 1, 2, 3, 4, 5
	// (median 3); all together the median is 4.
	fitted := []segment.Account{
		acct("a1", 100, 60e6), acct("a2", 200, 60e6), acct("a3", 300, 60e6),
		acct("c1", 1, 1), acct("c2", 2, 1), acct("c3", 3, 1), acct("c4", 4, 1), acct("c5", 5, 1),
	}
	rec := &recorder{Segmenter: medianSplit{min: 3}}
	m := mustFit(t, segment.Within(tierRules(t), rec), fitted)
	var sets []string
	for _, ids := range rec.seen {
		sets = append(sets, ids[0]+"…"+ids[len(ids)-1])
	}
	slices.Sort(sets)
	assert.Equal(t, []string{"a1…a3", "a1…c5", "c1…c5"}, sets, "inner on all accounts, then within tier A and tier C")

	as := mustAssign(t, m, acct("a1", 100, 60e6))
	assert.Equal(t, segment.Segment{ID: "tier/A+median/lower", Name: "Tier A › Smaller half", Method: "within"}, as.Segment)
	assert.Equal(t, "employees 100 < median 200", as.Reasons[0].Text)
	require.Len(t, as.Parts, 2)
	assert.InDelta(t, 0.7, as.Score, 1e-12, "the lower of 0.7 and 1")

	as = mustAssign(t, m, acct("c3", 3, 1))
	assert.Equal(t, "tier/C+median/upper", as.Segment.ID)
	assert.Equal(t, "employees 3 ≥ median 3", as.Reasons[0].Text)

	assert.Equal(t, []string{"tier/A+median/lower", "tier/A+median/upper", "tier/C+median/lower", "tier/C+median/upper"}, segmentIDs(m.Segments()))
}

func TestWithinFallback(t *testing.T) {
	// Tier A has 2 accounts, too few for the inner segmenter (min 3): it
	// uses the inner fitted on all 7 accounts (median 4).
	fitted := []segment.Account{
		acct("a1", 100, 60e6), acct("a2", 200, 60e6),
		acct("c1", 1, 1), acct("c2", 2, 1), acct("c3", 3, 1), acct("c4", 4, 1), acct("c5", 5, 1),
	}
	m := mustFit(t, segment.Within(tierRules(t), medianSplit{min: 3}), fitted)
	as := mustAssign(t, m, acct("a1", 100, 60e6))
	assert.Equal(t, "tier/A+median/upper", as.Segment.ID)
	require.Len(t, as.Reasons, 2)
	assert.Equal(t, "employees 100 ≥ median 4", as.Reasons[0].Text)
	assert.Equal(t, "the inner segments of Tier A are those of all accounts, as its 2 accounts could not be segmented on their own: median: 2 accounts with known employees, need 3: invalid config", as.Reasons[1].Text)

	// A new account in tier B, where no fitted account was, uses the
	// fallback too.
	as = mustAssign(t, m, acct("b", 3, 6e6))
	assert.Equal(t, "tier/B+median/lower", as.Segment.ID)
	assert.Equal(t, "no fitted account was in Tier B, so its inner segments are those of all accounts", as.Reasons[len(as.Reasons)-1].Text)
	assert.NotContains(t, segmentIDs(m.Segments()), as.Segment.ID)

	// The JSON records why tier A uses the fallback.
	data, err := json.Marshal(m)
	require.NoError(t, err)
	var enc struct {
		Groups []struct {
			Outer    string          `json:"outer"`
			Accounts int             `json:"accounts"`
			Inner    json.RawMessage `json:"inner"`
			Fallback string          `json:"fallback"`
		} `json:"groups"`
	}
	require.NoError(t, json.Unmarshal(data, &enc))
	require.Len(t, enc.Groups, 2)
	assert.Equal(t, "tier/A", enc.Groups[0].Outer)
	assert.Equal(t, 2, enc.Groups[0].Accounts)
	assert.Nil(t, enc.Groups[0].Inner)
	assert.Equal(t, "median: 2 accounts with known employees, need 3: invalid config", enc.Groups[0].Fallback)
	assert.Equal(t, "tier/C", enc.Groups[1].Outer)
	assert.NotNil(t, enc.Groups[1].Inner)

	// The decoded Model gives the same.
	d, err := segment.Within(tierRules(t), medianSplit{min: 3}).DecodeModel(data)
	require.NoError(t, err)
	for _, a := range append(fitted, acct("b", 3, 6e6)) {
		assert.Equal(t, mustAssign(t, m, a), mustAssign(t, d, a), a.ID)
	}
}

func TestWithinErrors(t *testing.T) {
	fitted := []segment.Account{acct("1", 10, 1)}
	for _, c := range []struct {
		name string
		n    *segment.Nested
		want string
	}{
		{"nil outer", segment.Within(nil, sizeRules(t)), "within: outer segmenter is nil"},
		{"nil inner", segment.Within(sizeRules(t), nil), "within: inner segmenter is nil"},
		{"nil typed inner", segment.Within(sizeRules(t), (*segment.Merged)(nil)), "within: inner segmenter is nil"},
		{"nil Nested", nil, "within: segmenter is nil"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.n.Validate()
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
			assert.ErrorContains(t, err, c.want)
			_, err = c.n.Fit(context.Background(), slices.Values(fitted))
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
			_, err = c.n.DecodeModel([]byte(`{"method":"within","version":1}`))
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
		})
	}

	// The inner segmenter cannot be fitted even on all accounts.
	_, err := segment.Within(sizeRules(t), medianSplit{min: 5}).Fit(context.Background(), slices.Values(fitted))
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	assert.EqualError(t, err, "within: inner on all accounts: median: 1 accounts with known employees, need 5: invalid config")

	// The outer declines every account.
	_, err = segment.Within(segment.KeyAccounts(segment.Segment{ID: "k"}, "zz"), sizeRules(t)).Fit(context.Background(), slices.Values(fitted))
	assert.ErrorIs(t, err, segment.ErrEmptyInput)

	w := segment.Within(tierRules(t), medianSplit{})
	m := mustFit(t, w, fitted)
	data, err := json.Marshal(m)
	require.NoError(t, err)
	for _, c := range []struct {
		name string
		s    segment.Segmenter
		data string
		want error
	}{
		{"other method", w, `{"method":"layers","version":1}`, segment.ErrModelVersion},
		{"version 2", w, `{"method":"within","version":2}`, segment.ErrModelVersion},
		{"outer of another method", segment.Within(sizeRules(t), medianSplit{}), string(data), segment.ErrModelVersion},
		{"group without model", w, `{"method":"within","version":1,"outer":` + string(mustMarshal(t, mustFit(t, tierRules(t), fitted))) +
			`,"fallback":{"method":"median","version":1,"median":1},"groups":[{"outer":"tier/C","accounts":1}]}`, segment.ErrModelVersion},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.s.DecodeModel([]byte(c.data))
			assert.ErrorIs(t, err, c.want)
		})
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return data
}
