package classify

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// TestSparseDenseAgree evaluates the objective, gradient and Hessian of
// one data set stored dense and stored sparse.
func TestSparseDenseAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	n, d := 5000, 9
	x := mat.NewDense(n, d, nil)
	y := make([]int, n)
	w := make([]float64, n)
	for i := range n {
		for j := range d {
			if r.Float64() < 0.2 {
				x.Set(i, j, r.NormFloat64())
			}
		}
		y[i] = r.IntN(2)
		w[i] = r.Float64() * 2
	}
	src, err := checkSource("test", x, y, w)
	require.NoError(t, err)
	sparse, err := src.build("test", nil, [2]float64{1, 3})
	require.NoError(t, err)
	require.Nil(t, sparse.dense, "20% non-zero is stored sparse")
	dense := *sparse
	dense.rowPtr, dense.cols, dense.vals = nil, nil, nil
	dense.dense = make([]float64, n*d)
	copy(dense.dense, x.RawMatrix().Data)
	theta := make([]float64, d+1)
	for j := range theta {
		theta[j] = r.NormFloat64() * 0.3
	}
	run := newRunner(context.Background(), 2)
	var f [2]float64
	var g, h [2][]float64
	for k, dz := range []*design{sparse, &dense} {
		o := newObjective(dz, 0, 0.01, run)
		g[k] = make([]float64, d+1)
		h[k] = make([]float64, (d+1)*(d+1))
		f[k], err = o.hessian(theta, g[k], h[k])
		require.NoError(t, err)
	}
	assert.InDelta(t, f[0], f[1], 1e-12, "objective")
	assert.InDeltaSlice(t, g[0], g[1], 1e-12, "gradient")
	for i := range d + 1 {
		for j := i; j < d+1; j++ {
			assert.InDelta(t, h[0][i*(d+1)+j], h[1][i*(d+1)+j], 1e-12, "Hessian (%d, %d)", i, j)
		}
	}
}
