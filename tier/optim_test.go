package tier

import (
	"context"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noDropout simulates n customers who buy at Poisson rates λ ~ Gamma(r, α)
// (α in weeks) for 52 weeks and never drop out: the NBD limit of the BG/NBD
// model, where the likelihood keeps rising as a → 0 or b → ∞.
func noDropout(n int, r, alpha float64, seed uint64) []Summary {
	rng := rand.New(rand.NewPCG(seed, seed))
	s := make([]Summary, 0, n)
	for range n {
		lambda := gammaDraw(rng, r) / alpha
		var x int
		var t, tx float64
		for {
			t += rng.ExpFloat64() / lambda
			if t > 52 {
				break
			}
			x, tx = x+1, t
		}
		s = append(s, Summary{Frequency: x, Recency: tx, T: 52})
	}
	return s
}

// gammaDraw draws from Gamma(k, 1) (Marsaglia & Tsang 2000, with the boost
// for k < 1).
func gammaDraw(rng *rand.Rand, k float64) float64 {
	if k < 1 {
		return gammaDraw(rng, k+1) * math.Pow(rng.Float64(), 1/k)
	}
	d := k - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		if math.Log(rng.Float64()) < x*x/2+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}

// inRange reports whether v is a parameter the search may return: its
// logarithm within ±maxLogParam.
func inRange(v float64) bool {
	return v > 0 && math.Abs(math.Log(v)) <= maxLogParam
}

// TestFitBGNBDNoDropout fits data without drop-out, the edge of the BG/NBD
// parameter range: the fit stays finite, finds the NBD rates, and puts the
// mean drop-out probability a/(a+b) near 0.
func TestFitBGNBDNoDropout(t *testing.T) {
	s := noDropout(2000, 2, 10, 3)
	m, err := FitBGNBD(s)
	require.NoError(t, err)
	for _, v := range []float64{m.R, m.Alpha, m.A, m.B} {
		assert.True(t, inRange(v), "parameter %v out of range", v)
	}
	assert.True(t, finite(m.LogLikelihood))
	assert.InDelta(t, 2, m.R, 0.2, "r")
	assert.InDelta(t, 10, m.Alpha, 1, "alpha")
	assert.Less(t, m.A/(m.A+m.B), 1e-4, "mean drop-out probability")
	// In the NBD limit a customer's expected purchases in the next t weeks
	// are t (r+x)/(α+T).
	assert.InDelta(t, 52*(m.R+5)/(m.Alpha+52), m.ExpectedPurchases(52, 5, 50, 52), 0.01)
}

// TestFitGammaGammaNoHeterogeneity fits spends drawn with the same spend
// scale for every customer (Gamma(3, 1/20) per purchase, mean 60): q and v
// grow large and the population mean spend is found.
func TestFitGammaGammaNoHeterogeneity(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	var s []Summary
	for range 500 {
		x := 1 + rng.IntN(5)
		var sum float64
		for range x {
			sum += gammaDraw(rng, 3) * 20
		}
		s = append(s, Summary{Frequency: x, Recency: 10, T: 20, Monetary: sum / float64(x)})
	}
	g, err := FitGammaGamma(s)
	require.NoError(t, err)
	for _, v := range []float64{g.P, g.Q, g.V} {
		assert.True(t, inRange(v), "parameter %v out of range", v)
	}
	assert.Greater(t, g.Q, 20.0, "q")
	assert.InDelta(t, 60, g.ExpectedSpend(0, 0), 2, "population mean spend")
}

// TestMaximizeBounds maximizes a function that rises without end in its
// first coordinate: the search stops at a finite point within the bounds,
// without an error, and says it did not converge.
func TestMaximizeBounds(t *testing.T) {
	x, converged, err := maximize(context.Background(), []float64{0, 0}, func(x, g []float64) float64 {
		g[0], g[1] = 1, -2*(x[1]-1)
		return 2 + x[0] - (x[1]-1)*(x[1]-1)
	})
	require.NoError(t, err)
	assert.False(t, converged)
	assert.LessOrEqual(t, x[0], float64(maxLogParam))
	assert.Greater(t, x[0], maxLogParam/2.0)

	_, _, err = maximize(context.Background(), []float64{0}, func(x, g []float64) float64 {
		g[0] = math.NaN()
		return math.NaN()
	})
	assert.Error(t, err, "not finite at the start")
}

// countingCtx is a context that is done from the (after+1)-th call of Err
// on, to cancel a fit in the middle of its search.
type countingCtx struct {
	context.Context
	calls, after atomic.Int64
}

func newCountingCtx(after int64) *countingCtx {
	c := &countingCtx{Context: context.Background()}
	c.after.Store(after)
	return c
}

func (c *countingCtx) Err() error {
	if c.calls.Add(1) > c.after.Load() {
		return context.Canceled
	}
	return nil
}

func TestFitContext(t *testing.T) {
	s := noDropout(500, 2, 10, 4)
	for i := range s {
		s[i].Monetary = 10 + float64(i%7)
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for name, ctx := range map[string]context.Context{
		"done before": done,
		"done during": newCountingCtx(5),
	} {
		_, err := fitBGNBD(ctx, s)
		assert.ErrorIs(t, err, context.Canceled, "%s: bg/nbd", name)
		assert.ErrorContains(t, err, "tier: bg/nbd: ", name)
		_, err = fitGammaGamma(ctx, s)
		assert.ErrorIs(t, err, context.Canceled, "%s: gamma-gamma", name)
		assert.ErrorContains(t, err, "tier: gamma-gamma: ", name)
	}
	// The same fits run to the end when the context is not done.
	ctx := newCountingCtx(math.MaxInt64)
	_, err := fitBGNBD(ctx, s)
	assert.NoError(t, err)
	_, err = fitGammaGamma(ctx, s)
	assert.NoError(t, err)
	assert.Greater(t, ctx.calls.Load(), int64(10), "the context is checked during the search")
}
