package cluster

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// After their setup, the iterations of the exact algorithms allocate no
// per-row state: the heap does not grow with the iterations, and the
// garbage collector has nothing to let pile up.
func TestKMeansIterationsAllocateNoRowState(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops sync.Pool entries at random: the scratch is reallocated")
	}
	n, d, k := 20000, 8, 24
	rng := rand.New(rand.NewPCG(5, 5))
	cs := make([]float64, k*d)
	for i := range cs {
		cs[i] = rng.NormFloat64() * 3
	}
	x := mat.NewDense(n, d, nil)
	for i := range n {
		j := rng.IntN(k)
		for c := range d {
			x.Set(i, c, cs[j*d+c]+rng.NormFloat64())
		}
	}
	init := make([][]float64, k)
	for j := range init {
		init[j] = x.RawRowView(j)
	}
	allocated := func(alg Algorithm, iters int) uint64 {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		m, err := KMeans(context.Background(), x, nil, KMeansConfig{
			K: k, Algorithm: alg, Init: init, MaxIter: iters, Workers: 2,
			Refine: Refinement{Method: RefineNone},
		})
		runtime.ReadMemStats(&m1)
		require.NoError(t, err)
		require.Equal(t, iters, m.Iterations, "%v: the data must not converge this early", alg)
		return m1.TotalAlloc - m0.TotalAlloc
	}
	for _, alg := range []Algorithm{Lloyd, Hamerly, Elkan, Auto} {
		allocated(alg, 3) // fills the scratch pools
		short, long := allocated(alg, 3), allocated(alg, 23)
		perIter := (float64(long) - float64(short)) / 20
		t.Logf("%v: %d bytes for 3 iterations, %d for 23: %.0f per iteration", alg, short, long, perIter)
		// A few goroutines and closures per iteration (and a scratch pool
		// refilled after a collection); the smallest per-row state, an
		// int32 for each of the 20 000 rows, would be 80 000.
		assert.Less(t, perIter, 8000.0, "%v", alg)
	}
}
