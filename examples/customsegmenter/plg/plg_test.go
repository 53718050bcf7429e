package plg_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/examples/customsegmenter/plg"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func TestConformance(t *testing.T) {
	segmenttest.Run(t, segmenttest.Config{
		New: func(int) segment.Segmenter {
			s, err := plg.New(plg.Config{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	})
}

func fit(t *testing.T, c plg.Config, accts []segment.Account) *plg.Model {
	t.Helper()
	s, err := plg.New(c)
	require.NoError(t, err)
	m, err := s.Fit(t.Context(), slices.Values(accts))
	require.NoError(t, err)
	return m.(*plg.Model)
}

// Fit learns: doubling every account's logins doubles the engaged threshold,
// and the stages assigned stay the same.
func TestFitLearnsThresholds(t *testing.T) {
	accts := segmenttest.Accounts(600, 3)
	m := fit(t, plg.Config{}, accts)
	require.Positive(t, m.Active)
	require.Positive(t, m.EngagedAt)

	doubled := make([]segment.Account, len(accts))
	for i := range accts {
		doubled[i] = accts[i].Clone()
		for j := range doubled[i].Usage {
			if doubled[i].Usage[j].Metric == segment.MetricLogins {
				doubled[i].Usage[j].Value *= 2
			}
		}
	}
	m2 := fit(t, plg.Config{}, doubled)
	assert.InDelta(t, 2*m.EngagedAt, m2.EngagedAt, 1e-9, "engaged threshold")
	for i := range accts {
		a1, err := m.Assign(&accts[i])
		require.NoError(t, err)
		a2, err := m2.Assign(&doubled[i])
		require.NoError(t, err)
		assert.Equal(t, a1.Segment.ID, a2.Segment.ID, "account %s", accts[i].ID)
	}

	// A higher quantile makes fewer accounts Engaged.
	strict := fit(t, plg.Config{EngagedQuantile: 0.9}, accts)
	count := func(m *plg.Model) int {
		n := 0
		for i := range accts {
			as, err := m.Assign(&accts[i])
			require.NoError(t, err)
			if as.Segment.ID == plg.Engaged {
				n++
			}
		}
		return n
	}
	assert.Less(t, count(strict), count(m), "engaged accounts at the 90th percentile")
	assert.Greater(t, strict.EngagedAt, m.EngagedAt)
}

func TestStages(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	acct := func(id string, lastLogin int, logins, users, used, bought float64) segment.Account {
		return segment.Account{ID: id, Usage: []segment.Usage{
			{Time: day(lastLogin), Metric: segment.MetricLogins, Value: logins},
			{Time: day(lastLogin), Metric: segment.MetricActiveUsers, Value: users},
			{Time: day(lastLogin), Metric: segment.MetricSeatsUsed, Value: used},
			{Time: day(lastLogin), Metric: segment.MetricSeatsPurchased, Value: bought},
		}}
	}
	accts := []segment.Account{
		{ID: "new"},
		acct("asleep", -200, 50, 5, 5, 10),
		acct("light", 0, 10, 5, 2, 10),
		acct("heavy", 0, 300, 5, 5, 10),
		acct("full", 0, 100, 10, 10, 10),
	}
	m := fit(t, plg.Config{AsOf: day(29)}, accts)
	want := map[string]string{"new": plg.SignedUp, "asleep": plg.Dormant, "light": plg.Activated, "heavy": plg.Engaged, "full": plg.Expanding}
	for i := range accts {
		as, err := m.Assign(&accts[i])
		require.NoError(t, err)
		assert.Equal(t, want[accts[i].ID], as.Segment.ID, "account %s: %v", accts[i].ID, as.Reasons)
		assert.NotEmpty(t, as.Reasons, "account %s", accts[i].ID)
	}
}

func TestErrors(t *testing.T) {
	_, err := plg.New(plg.Config{EngagedQuantile: 1.5})
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)

	s, err := plg.New(plg.Config{})
	require.NoError(t, err)
	_, err = s.Fit(context.Background(), slices.Values([]segment.Account{{ID: "a"}, {ID: "b"}}))
	assert.ErrorIs(t, err, segment.ErrEmptyInput, "no usage at all")

	m := fit(t, plg.Config{}, segmenttest.Accounts(200, 1))
	data, err := json.Marshal(m)
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(data, &raw))
	raw["deciles"] = []float64{3, 2, 1}
	bad, err := json.Marshal(raw)
	require.NoError(t, err)
	_, err = s.DecodeModel(bad)
	assert.ErrorIs(t, err, segment.ErrInvalidConfig, "unsorted deciles")
}
