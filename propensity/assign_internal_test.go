package propensity

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment/segmenttest"
)

// pick chooses the reasons a stable sort of every contribution chooses,
// in its order, ties included.
func TestPickMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	levels := []float64{0, 0.001, -0.004, 0.005, -0.005, 0.01, -0.01, 0.2, -0.2, 0.2, 1.5, -1.5, math.Inf(1), math.Inf(-1)}
	for range 5000 {
		contrib := make([]float64, rng.IntN(12))
		for i := range contrib {
			if rng.IntN(2) == 0 {
				contrib[i] = levels[rng.IntN(len(levels))]
			} else {
				contrib[i] = rng.NormFloat64() / 3
			}
		}
		for _, top := range []int{0, 1, 3} {
			want := pickSorted(nil, contrib, top)
			got := pick(nil, contrib, top)
			if len(want) == 0 {
				assert.Empty(t, got, "%v top %d", contrib, top)
				continue
			}
			assert.Equal(t, want, got, "%v top %d", contrib, top)
		}
	}
	nan := []float64{0.3, math.NaN(), -0.2}
	assert.Equal(t, pickSorted(nil, nan, 3), pick(nil, nan, 3), "NaN")
}

// formatNumber is how reasons wrote numbers before appendNumber.
func formatNumber(v float64) string {
	neg := v < 0
	v = math.Abs(v)
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// appendNumber writes what formatNumber wrote, and appendPlusFloat what
// fmt's %+.2f writes.
func TestAppendNumber(t *testing.T) {
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 0.125, 0.375, 2.675, 10, 100, 999.995, 1000, 1200, -1200.5,
		12345.678, 1e6, 123456789.01, 1e21, 1e300, -0.004, 0.005, -0.005, 0.015, math.Inf(1), math.Inf(-1), math.NaN(),
		math.SmallestNonzeroFloat64, math.MaxFloat64}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		values = append(values, rng.NormFloat64()*math.Pow(10, float64(rng.IntN(9))))
	}
	for _, v := range values {
		assert.Equal(t, formatNumber(v), string(appendNumber([]byte("x"), v))[1:], "%v", v)
		assert.Equal(t, fmt.Sprintf("%+.2f", v), string(appendPlusFloat(nil, v, 2)), "%v", v)
	}
}

// The sparse path of score gives the dense path's probability and
// contributions, bit for bit, on full and lean accounts.
func TestScoreSparseMatchesDense(t *testing.T) {
	accts := segmenttest.Accounts(400, 5)
	for i := range 200 {
		a := accts[i]
		a.Orders, a.Subscriptions, a.Usage, a.Events, a.Survey = nil, nil, nil, nil, nil
		a.ID += "-lean"
		accts = append(accts, a)
	}
	for _, c := range []Config{{C: 1, Numbers: []string{"intent_score"}, Text: []string{"territory"}, Recency: true}, {C: 1, Calibration: Isotonic}} {
		s, err := New(c)
		require.NoError(t, err)
		sm, err := s.Fit(context.Background(), slices.Values(accts[:400]))
		require.NoError(t, err)
		m := sm.(*Model)
		pr := m.prepared()
		ps := pr.scorers[0]
		require.True(t, ps.sparse)
		dense := ps
		dense.sparse = false
		for i := range accts {
			sc := getScratch(pr)
			pr.look(&sc.view, &accts[i], m.AsOf, m.Config.windowDays(), false)
			p1, c1, err := m.Scorer.score(&ps, &sc.view, sc, sc.contrib)
			require.NoError(t, err)
			p2, c2, err := m.Scorer.score(&dense, &sc.view, sc, sc.best)
			require.NoError(t, err)
			assert.Equal(t, math.Float64bits(p2), math.Float64bits(p1), accts[i].ID)
			for g := range c1 {
				assert.Equal(t, math.Float64bits(c2[g]), math.Float64bits(c1[g]), "%s field %d", accts[i].ID, g)
			}
			putScratch(sc)
		}
	}
}

// appendFixed writes what strconv writes, ties (which round half to even)
// and subnormals included.
func TestAppendFixed(t *testing.T) {
	values := []float64{0, math.Copysign(0, -1), 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 0.005, 0.015, 0.025, 1.005, 2.675,
		99.5, 100.5, 1e15 - 1, 1e15, 4503599627370495.5, 1e16, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
		2.2250738585072014e-308, math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64}
	for k := range 4000 {
		values = append(values, float64(k)/8, -float64(k)/64, float64(k)/200, float64(k)*0.01)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		values = append(values, rng.NormFloat64()*math.Pow(10, float64(rng.IntN(30)-12)))
	}
	for _, v := range values {
		for prec := range 3 {
			assert.Equal(t, strconv.FormatFloat(v, 'f', prec, 64), string(appendFixed([]byte("x"), v, prec))[1:], "%v prec %d", v, prec)
		}
	}
}
