package cluster

import (
	"context"
	"fmt"
	"github.com/strataseg/strata/segment/internal/kernel"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// Hamerly's and Elkan's bounds only skip work: from the same start they
// must give Lloyd's labels, centres and inertia.
func TestKMeansAcceleratedEqualsLloyd(t *testing.T) {
	sets := []string{"s2", "a1", "unbalance", "r15"}
	if raceEnabled || testing.Short() {
		sets = []string{"a1"}
	}
	for _, name := range sets {
		s := loadSet(t, name)
		for seed := range uint64(2) {
			fit := func(alg Algorithm) *KMeansModel {
				m, err := KMeans(context.Background(), s.x, nil, KMeansConfig{
					K: s.k, Algorithm: alg, Restarts: 1, Seed: seed,
					Refine: Refinement{Method: RefineNone},
				})
				require.NoError(t, err, "%s seed %d %v", name, seed, alg)
				return m
			}
			lloyd := fit(Lloyd)
			for _, alg := range []Algorithm{Hamerly, Elkan, Auto} {
				t.Run(fmt.Sprintf("%s/seed=%d/%v", name, seed, alg), func(t *testing.T) {
					m := fit(alg)
					assert.Equal(t, lloyd.Iterations, m.Iterations)
					assert.Equal(t, lloyd.Centers, m.Centers)
					assert.Equal(t, lloyd.Sizes, m.Sizes)
					assert.InDelta(t, lloyd.Inertia, m.Inertia, 1e-9*lloyd.Inertia)
					want := make([]int, s.x.RawMatrix().Rows)
					got := make([]int, len(want))
					require.NoError(t, lloyd.PredictTo(want, s.x))
					require.NoError(t, m.PredictTo(got, s.x))
					assert.Equal(t, want, got)
				})
			}
		}
	}
}

// The same holds on data in 32 to 512 dimensions.
func TestKMeansAcceleratedEqualsLloydHighDim(t *testing.T) {
	sets := []string{"dim032", "dim256"}
	if raceEnabled || testing.Short() {
		sets = []string{"dim032"}
	}
	for _, name := range sets {
		x := readMatrix(t, dataDir+"/franti/"+name+".txt")
		var ref *KMeansModel
		for _, alg := range []Algorithm{Lloyd, Hamerly, Elkan, Auto} {
			m, err := KMeans(context.Background(), x, nil, KMeansConfig{
				K: 16, Algorithm: alg, Restarts: 1, Seed: 3, Refine: Refinement{Method: RefineNone},
			})
			require.NoError(t, err, name)
			if ref == nil {
				ref = m
				continue
			}
			assert.Equal(t, ref.Centers, m.Centers, "%s %v", name, alg)
			assert.Equal(t, ref.Iterations, m.Iterations, "%s %v", name, alg)
		}
	}
}

// On heavily overlapping clusters in many dimensions Auto hands Hamerly's
// iteration over to Lloyd's midway; the result is still Lloyd's.
func TestKMeansAutoSwitchEqualsLloyd(t *testing.T) {
	n, d, k := 3000, 48, 24
	rng := rand.New(rand.NewPCG(1, 0))
	cs := make([]float64, 2*k*d)
	for i := range cs {
		cs[i] = rng.NormFloat64() * 0.4
	}
	x := mat.NewDense(n, d, nil)
	for i := range n {
		j := rng.IntN(2 * k)
		for c := range d {
			x.Set(i, c, cs[j*d+c]+rng.NormFloat64())
		}
	}
	init := make([][]float64, k)
	for j := range init {
		init[j] = x.RawRowView(j * 7)
	}
	var ref *KMeansModel
	for _, alg := range []Algorithm{Lloyd, Auto, Hamerly} {
		m, err := KMeans(context.Background(), x, nil, KMeansConfig{K: k, Init: init, Algorithm: alg, MaxIter: 30})
		require.NoError(t, err)
		if ref == nil {
			ref = m
			continue
		}
		assert.Equal(t, ref.Centers, m.Centers, "%v", alg)
		assert.Equal(t, ref.Iterations, m.Iterations, "%v", alg)
		assert.Equal(t, ref.Inertia, m.Inertia, "%v", alg)
	}
}

// Hamerly's and Elkan's float32 bounds must never be tighter than the
// float64 bounds they stand for, or rows would skip a centre that is
// nearer.
func TestFloat32BoundsStayBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vals := []float64{-1, 0, 0x1p-149, 0x1p-100, 0x1p-99, 1, 1 + 0x1p-52, math.MaxFloat32, math.Nextafter(math.MaxFloat32, 0), 1e300, math.Inf(1)}
	for range 100000 {
		vals = append(vals, math.Exp(rng.NormFloat64()*20), float64(float32(rng.Float64()*100)))
	}
	bad := 0
	for _, v := range vals {
		lb := float64(lowerBound(v))
		if lb > max(v, 0) || lb < 0 || (v > 1e-20 && v < 1e30 && v-lb > v*1e-6) {
			bad++
			t.Logf("v=%g: lower bound %g", v, lb)
		}
		if v < 0 {
			continue
		}
		ub := float64(upperBound(v))
		if ub < v || (v > 1e-20 && v < 1e30 && ub-v > v*1e-6) {
			bad++
			t.Logf("v=%g: upper bound %g", v, ub)
		}
	}
	assert.Equal(t, 0, bad)
	assert.Equal(t, float32(0), lowerBound(-1))
	assert.Equal(t, float32(math.MaxFloat32), lowerBound(math.Inf(1)))
	assert.True(t, math.IsInf(float64(upperBound(math.MaxFloat32)), 1))
}

// Auto's cost model: Lloyd from the start where d·k is small, Hamerly where
// it is large; Hamerly kept while the searched fraction falls fast, handed
// over to Lloyd when it stays high.
func TestAutoCostDecisions(t *testing.T) {
	for _, d := range []int{16, 64} {
		c := newAutoCost(d, 64)
		assert.True(t, c.keepHamerly(0.02, 0.01, 0.02, 100), "d=%d: few rows searched", d)
		assert.False(t, c.keepHamerly(1, 1, 1, 100), "d=%d: every row searched, no fall", d)
		assert.True(t, c.keepHamerly(1, 1, 1, 0), "d=%d: no iteration left", d)
	}
	if kernel.Impl() != "avx512" {
		t.Skipf("the benchmark shapes' decisions are those of the avx512 kernels; this machine runs %s", kernel.Impl())
	}
	assert.False(t, newAutoCost(8, 8).hamerlyPays())
	assert.False(t, newAutoCost(16, 16).hamerlyPays())
	assert.True(t, newAutoCost(64, 64).hamerlyPays())
	assert.True(t, newAutoCost(16, 256).hamerlyPays())
	// birch1 (d = 2, k = 100, well separated): Hamerly is faster; a3
	// (d = 2, k = 50): Lloyd is.
	assert.True(t, newAutoCost(2, 100).hamerlyPays())
	assert.False(t, newAutoCost(2, 50).hamerlyPays())
	// 1M×64×64: 96 % then 77 % of the rows searched in iterations 2 and 3,
	// falling to 2 % later; Hamerly is 1.7× faster than Lloyd overall.
	assert.True(t, newAutoCost(64, 64).keepHamerly(0.96, 0.77, 0.97, 47))
	// 200k×16×256: 60–100 % searched throughout; Lloyd is faster.
	assert.False(t, newAutoCost(16, 256).keepHamerly(0.99, 0.99, 1, 47))
}
