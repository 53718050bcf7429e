package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type shape struct{ n, d, k int }

// testShapes covers d and k below, at and above the block sizes, d=1, k=1
// and n=0.
func testShapes(rng *rand.Rand) []shape {
	s := []shape{
		{0, 3, 2}, {1, 1, 1}, {5, 1, 1}, {7, 1, 9}, {3, 5, 1}, {9, 2, 3},
		{16, 8, 8}, {17, 16, 16}, {13, 64, 64}, {11, 16, 256}, {33, 7, 17},
		{6, 3, 24}, {5, 9, 33}, {4, 31, 40}, {1, 4, 300}, {9, 5, 30}, {6, 3, 56}, {7, 2, 72},
		{5, 300, 7}, {9, 3, 1000}, {4, 129, 65},
	}
	for range 20 {
		s = append(s, shape{rng.IntN(40), 1 + rng.IntN(70), 1 + rng.IntN(70)})
	}
	return s
}

// randData returns an n×d matrix and k×d centres drawn around a common
// offset of the given scale (large scales stress the GEMM form).
func randData(rng *rand.Rand, sh shape, scale float64) (x, c []float64) {
	x = make([]float64, sh.n*sh.d)
	c = make([]float64, sh.k*sh.d)
	off := scale * rng.NormFloat64()
	for i := range x {
		x[i] = off + rng.NormFloat64()*max(1, scale/1e3)
	}
	for i := range c {
		c[i] = off + rng.NormFloat64()*max(1, scale/1e3)
	}
	return x, c
}

func norms(x []float64, d int) []float64 {
	out := make([]float64, len(x)/d)
	SqNorms(out, x, d)
	return out
}

func TestDotSqDist(t *testing.T) {
	a := []float64{1, 2, 3}
	b := []float64{4, -5, 6}
	assert.InDelta(t, 12.0, Dot(a, b), 0)
	assert.InDelta(t, 9.0+49+9, SqDist(a, b), 0)
	assert.Panics(t, func() { Dot(a, b[:2]) })
	assert.Panics(t, func() { SqDist(a[:1], b) })
}

func TestSqNorms(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6}
	dst := make([]float64, 2)
	SqNorms(dst, x, 3)
	assert.Equal(t, []float64{14, 77}, dst)
	assert.Panics(t, func() { SqNorms(make([]float64, 3), x, 3) })
	assert.Panics(t, func() { SqNorms(dst, x, 0) })
}

func TestNearestSmall(t *testing.T) {
	// Two centres on a line; the middle point ties and goes to centre 0.
	c := []float64{0, 0, 4, 0}
	x := []float64{1, 0, 2, 0, 3.5, 0, -1, 0}
	labels := make([]int32, 4)
	d1 := make([]float64, 4)
	d2 := make([]float64, 4)
	Nearest2(labels, d1, d2, x, nil, c, norms(c, 2), 2)
	assert.Equal(t, []int32{0, 0, 1, 0}, labels)
	assert.Equal(t, []float64{1, 4, 0.25, 1}, d1)
	assert.Equal(t, []float64{9, 4, 12.25, 25}, d2)

	dist := make([]float64, 4)
	Nearest(labels, dist, x, norms(x, 2), c, norms(c, 2), 2)
	assert.Equal(t, []int32{0, 0, 1, 0}, labels)
	assert.Equal(t, d1, dist)

	one := make([]float64, 1)
	Nearest2(labels[:1], d1[:1], one, x, nil, c[:2], norms(c[:2], 2), 2)
	assert.True(t, math.IsInf(one[0], 1), "second distance with one centre")

	all := make([]float64, 8)
	Distances(all, x, nil, c, norms(c, 2), 2)
	assert.Equal(t, []float64{1, 9, 4, 4, 12.25, 0.25, 1, 25}, all)
}

func TestPanics(t *testing.T) {
	c := []float64{0, 0}
	x := []float64{1, 2}
	l := make([]int32, 1)
	assert.Panics(t, func() { Nearest(l, nil, x, nil, c, nil, 2) }, "no centres")
	assert.Panics(t, func() { Nearest(l, nil, x, nil, c, []float64{0, 0}, 2) }, "c too short")
	assert.Panics(t, func() { Nearest(make([]int32, 2), nil, x, nil, c, []float64{0}, 2) }, "x too short")
	assert.Panics(t, func() { Nearest(l, []float64{}, x, nil, c, []float64{0}, 2) }, "dist too short")
	assert.Panics(t, func() { Nearest2(l, nil, nil, x, nil, c, []float64{0}, 2) }, "d1 nil")
	assert.Panics(t, func() { Distances(make([]float64, 3), x, nil, c, []float64{0, 0}, 1) }, "ragged dst")
}

// TestNearestReference checks the kernels in use against distances computed
// from differences: the chosen centre is the nearest up to the GEMM form's
// rounding, and the distances agree to that rounding.
func TestNearestReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, scale := range []float64{1, 1e3, 1e6} {
		for _, sh := range testShapes(rng) {
			t.Run(fmt.Sprintf("n=%d/d=%d/k=%d/scale=%g", sh.n, sh.d, sh.k, scale), func(t *testing.T) {
				x, c := randData(rng, sh, scale)
				xn, cn := norms(x, sh.d), norms(c, sh.d)
				labels := make([]int32, sh.n)
				d1 := make([]float64, sh.n)
				d2 := make([]float64, sh.n)
				all := make([]float64, sh.n*sh.k)
				Nearest2(labels, d1, d2, x, xn, c, cn, sh.d)
				Distances(all, x, xn, c, cn, sh.d)
				for i := range sh.n {
					row := x[i*sh.d : (i+1)*sh.d]
					exact := make([]float64, sh.k)
					for j := range exact {
						exact[j] = SqDist(row, c[j*sh.d:(j+1)*sh.d])
					}
					// Rounding of the GEMM form: a few ulps of ‖x‖²+‖c‖².
					tol := 1e-13 * float64(sh.d) * (xn[i] + maxOf(cn))
					lo := minOf(exact)
					require.GreaterOrEqual(t, int(labels[i]), 0)
					require.Less(t, int(labels[i]), sh.k)
					assert.InDelta(t, lo, exact[labels[i]], 2*tol, "row %d label %d", i, labels[i])
					assert.InDelta(t, lo, d1[i], tol, "row %d d1", i)
					if sh.k == 1 {
						assert.True(t, math.IsInf(d2[i], 1))
					} else {
						second := math.Inf(1)
						for j, e := range exact {
							if j != int(labels[i]) {
								second = min(second, e)
							}
						}
						assert.InDelta(t, second, d2[i], 2*tol, "row %d d2", i)
					}
					for j := range sh.k {
						assert.InDelta(t, exact[j], all[i*sh.k+j], tol, "row %d centre %d", i, j)
					}
				}
			})
		}
	}
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}
