package sophistication_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
	"github.com/strataseg/strata/sophistication"
)

func TestLearned(t *testing.T) {
	accts, _ := noisy(1000, 4)
	c := sophistication.Config{Competitors: segmenttest.Competitors, Clusters: 5, Seed: 2}
	m := fit(t, c, accts...)
	require.Len(t, m.Clusters, 5)
	size := 0
	for i, cl := range m.Clusters {
		require.Len(t, cl.Center, 5)
		if i > 0 {
			assert.GreaterOrEqual(t, cl.Maturity, m.Clusters[i-1].Maturity, "clusters ordered by maturity")
			assert.GreaterOrEqual(t, cl.Level, m.Clusters[i-1].Level, "stages follow the order")
		}
		assert.InDelta(t, float64(cl.Level), 1+4*cl.Maturity, 0.5, "cluster %d goes to the stage nearest its mean position", i)
		size += cl.Size
	}
	assert.Less(t, size, 1000, "accounts with too little evidence are left out")
	assert.Greater(t, size, 900)
	assert.Equal(t, 1, m.Clusters[0].Level, "the least mature cluster of a population with unaware accounts is unaware")
	assert.Equal(t, 5, m.Clusters[4].Level)

	// Assign names the cluster; a clear competitor lands on competitor.
	as := assign(t, m, segment.Account{ID: "x", Technologies: []string{"Corvana Suite"}, Employees: segment.N(800)})
	assert.Equal(t, stage(sophistication.Competitor), as.Segment.ID)
	assert.Contains(t, fields(as), "cluster")
	assert.GreaterOrEqual(t, as.Scores["cluster"], 1.0)
	// Too little evidence is still unknown.
	as = assign(t, m, segment.Account{ID: "y", Employees: segment.N(800)})
	assert.Equal(t, stage(sophistication.UnknownSlug), as.Segment.ID)

	// Same seed, any workers: same Model.
	c.Workers = 1
	m1 := fit(t, c, accts...)
	c.Workers = 3
	calls := 0
	c.Progress = func(p segment.Progress) {
		calls++
		assert.Equal(t, "sophistication", p.Method)
	}
	m3 := fit(t, c, accts...)
	assert.Positive(t, calls, "progress reported")
	j1, err := json.Marshal(m1)
	require.NoError(t, err)
	j3, err := json.Marshal(m3)
	require.NoError(t, err)
	assert.Equal(t, string(j1), string(j3))

	// A decoded Model whose clusters do not match its config is refused.
	var obj map[string]any
	require.NoError(t, json.Unmarshal(j1, &obj))
	obj["clusters"] = obj["clusters"].([]any)[:4]
	bad, err := json.Marshal(obj)
	require.NoError(t, err)
	s, err := sophistication.New(sophistication.Config{})
	require.NoError(t, err)
	_, err = s.DecodeModel(bad)
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
}

func TestLearnedTooFew(t *testing.T) {
	s, err := sophistication.New(sophistication.Config{Clusters: 3})
	require.NoError(t, err)
	// Two distinct evidence profiles for three clusters.
	accts := []segment.Account{
		{ID: "a", Technologies: []string{"Excel"}},
		{ID: "b", Technologies: []string{"Excel"}},
		{ID: "c", Technologies: []string{"HubSpot"}},
		{ID: "d"},
	}
	_, err = s.Fit(context.Background(), slices.Values(accts))
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
	assert.Contains(t, err.Error(), "2 distinct evidence profiles among 3 accounts")

	err = sophistication.Config{Clusters: 1, Workers: -1}.Validate()
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "clusters: is 1")
	assert.Contains(t, err.Error(), "workers: is negative")
}
