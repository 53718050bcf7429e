package needs_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/needs"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/cluster"
)

// TestLongBattery clusters a 24-item importance battery (one need per
// item) answered by 600 respondents of three latent segments, each rating
// its own block of 8 items higher, with scale bias and noise: the profiles
// are first projected on their principal components, and the learned
// segments recover the latent ones.
func TestLongBattery(t *testing.T) {
	const items, perBlock, n = 24, 8, 600
	tax := make([]needs.Need, items)
	for i := range tax {
		id := fmt.Sprintf("item%02d", i+1)
		tax[i] = needs.Need{ID: id, Questions: []needs.Question{{Key: "q_" + id}}}
	}
	r := rand.New(rand.NewPCG(5, 6))
	accts := make([]segment.Account, n)
	truth := make([]int, n)
	for i := range accts {
		s := r.IntN(3)
		truth[i] = s
		bias := 0.7 * r.NormFloat64()
		a := segment.Account{ID: fmt.Sprint("R", i), Survey: map[string]float64{}}
		for q := range items {
			if r.Float64() < 0.1 {
				continue // skipped
			}
			v := 2.6 + bias + 0.7*r.NormFloat64()
			if q/perBlock == s {
				v += 1.6
			}
			a.Survey[tax[q].Questions[0].Key] = math.Round(math.Max(1, math.Min(5, v)))
		}
		accts[i] = a
	}
	m := fit(t, needs.Config{Needs: tax, Mode: needs.Learned, Seed: 2}, accts...)
	require.NotNil(t, m.Projection, "24 items are projected")
	comps := len(m.Projection.Vectors[0])
	var labels, want []int
	segIdx := map[string]int{}
	for i, s := range m.Segments() {
		segIdx[s.ID] = i
	}
	for i := range accts {
		as, err := m.Assign(&accts[i])
		require.NoError(t, err)
		if as.Segment.ID == "needs/no-evidence" {
			continue
		}
		labels = append(labels, segIdx[as.Segment.ID])
		want = append(want, truth[i])
	}
	ari, err := cluster.AdjustedRand(labels, want)
	require.NoError(t, err)
	t.Logf("24 items → %d components (%.1f%% of the variance), k = %d, ARI %.3f on %d respondents with evidence",
		comps, 100*m.Projection.Explained, len(m.Segments())-1, ari, len(labels))
	assert.Equal(t, 2, comps, "three latent segments span two dimensions")
	assert.Len(t, m.Segments(), 4, "three learned segments and no evidence")
	assert.Greater(t, ari, 0.9)
}
