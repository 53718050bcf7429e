package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAddRowsSmall(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6}
	labels := []int32{1, 0, 1}
	sums := make([]float64, 4)
	counts := make([]float64, 2)
	AddRows(sums, counts, x, nil, labels, 2)
	assert.Equal(t, []float64{3, 4, 6, 8}, sums)
	assert.Equal(t, []float64{1, 2}, counts)

	AddRows(sums, counts, x, []float64{2, 0, 0.5}, labels, 2)
	assert.Equal(t, []float64{3, 4, 6 + 2 + 2.5, 8 + 4 + 3}, sums)
	assert.Equal(t, []float64{1, 4.5}, counts)

	assert.Panics(t, func() { AddRows(sums, counts, x, nil, []int32{0, 2, 0}, 2) }, "label out of range")
	assert.Panics(t, func() { AddRows(sums, counts, x, nil, []int32{0, -1, 0}, 2) }, "negative label")
	assert.Panics(t, func() { AddRows(sums, counts, x[:5], nil, labels, 2) }, "x too short")
	assert.Panics(t, func() { AddRows(sums[:3], counts, x, nil, labels, 2) }, "sums too short")
	assert.Panics(t, func() { AddRows(sums, counts, x, []float64{1}, labels, 2) }, "w too short")
}

// TestAddRowsPathsAgree requires bit-identical sums from every path.
func TestAddRowsPathsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sh := range testShapes(rng) {
		x, _ := randData(rng, sh, 1e3)
		labels := make([]int32, sh.n)
		for i := range labels {
			labels[i] = int32(rng.IntN(sh.k))
		}
		w := make([]float64, sh.n)
		for i := range w {
			w[i] = rng.Float64()
		}
		type res struct{ sums, counts, wsums, wcounts []float64 }
		runAdd := func() res {
			r := res{make([]float64, sh.k*sh.d), make([]float64, sh.k), make([]float64, sh.k*sh.d), make([]float64, sh.k)}
			AddRows(r.sums, r.counts, x, nil, labels, sh.d)
			AddRows(r.wsums, r.wcounts, x, w, labels, sh.d)
			return r
		}
		p := paths()
		restore := p["go"]()
		want := runAdd()
		restore()
		// Against a plain loop.
		ref := make([]float64, sh.k*sh.d)
		for i, l := range labels {
			for j := range sh.d {
				ref[int(l)*sh.d+j] += x[i*sh.d+j]
			}
		}
		require.Equal(t, ref, want.sums)
		for name, sel := range p {
			t.Run(fmt.Sprintf("%s/n=%d/d=%d/k=%d", name, sh.n, sh.d, sh.k), func(t *testing.T) {
				defer sel()()
				got := runAdd()
				assert.Equal(t, want, got)
			})
		}
	}
}

func TestNearestAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, sh := range []shape{{0, 3, 2}, {1, 1, 1}, {1500, 5, 11}, {700, 16, 3}} {
		x, c := randData(rng, sh, 10)
		xn, cn := norms(x, sh.d), norms(c, sh.d)
		w := make([]float64, sh.n)
		for i := range w {
			w[i] = rng.Float64()
		}
		for _, weights := range [][]float64{nil, w} {
			var p Centres
			p.Pack(c, cn, sh.d)
			wantL := make([]int32, sh.n)
			wantD := make([]float64, sh.n)
			wantS := make([]float64, sh.k*sh.d)
			wantC := make([]float64, sh.k)
			p.Nearest(wantL, wantD, x, xn)
			AddRows(wantS, wantC, x, weights, wantL, sh.d)

			gotL := make([]int32, sh.n)
			gotD := make([]float64, sh.n)
			gotS := make([]float64, sh.k*sh.d)
			gotC := make([]float64, sh.k)
			p.NearestAdd(gotL, gotD, gotS, gotC, x, xn, weights)
			assert.Equal(t, wantL, gotL)
			assert.Equal(t, wantD, gotD)
			assert.Equal(t, wantS, gotS)
			assert.Equal(t, wantC, gotC)

			// Without norms or distances.
			clear(gotS)
			clear(gotC)
			p.NearestAdd(gotL, nil, gotS, gotC, x, nil, weights)
			assert.Equal(t, wantL, gotL)
			assert.Equal(t, wantS, gotS)
		}
	}
	var p Centres
	p.Pack([]float64{0, 0}, []float64{0}, 2)
	assert.Panics(t, func() {
		p.NearestAdd(make([]int32, 1), nil, make([]float64, 2), make([]float64, 2), []float64{1, 1}, nil, nil)
	}, "counts of the wrong length")
}

func TestNearest2Rows(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, sh := range []shape{{1, 1, 1}, {300, 7, 20}, {200, 16, 256}} {
		x, c := randData(rng, sh, 10)
		xn, cn := norms(x, sh.d), norms(c, sh.d)
		var p Centres
		p.Pack(c, cn, sh.d)
		var idx []int32
		for i := range sh.n {
			if rng.IntN(3) > 0 {
				idx = append(idx, int32(i))
			}
		}
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for _, norms := range [][]float64{xn, nil} {
			labels := make([]int32, sh.n)
			d1 := make([]float64, sh.n)
			d2 := make([]float64, sh.n)
			for i := range labels {
				labels[i], d1[i], d2[i] = -7, -7, -7
			}
			p.Nearest2Rows(idx, labels, d1, d2, x, norms)
			picked := make([]bool, sh.n)
			for _, i := range idx {
				picked[i] = true
			}
			for i := range sh.n {
				if !picked[i] {
					assert.Equal(t, int32(-7), labels[i], "row %d not listed", i)
					continue
				}
				l, a, b := make([]int32, 1), make([]float64, 1), make([]float64, 1)
				p.Nearest2(l, a, b, x[i*sh.d:(i+1)*sh.d], xn[i:i+1])
				assert.Equal(t, l[0], labels[i], "row %d", i)
				assert.Equal(t, a[0], d1[i], "row %d", i)
				assert.Equal(t, b[0], d2[i], "row %d", i)
			}
		}
	}
	var p Centres
	p.Pack([]float64{0}, []float64{0}, 1)
	assert.Panics(t, func() {
		p.Nearest2Rows([]int32{1}, make([]int32, 1), make([]float64, 1), make([]float64, 1), []float64{1}, nil)
	}, "index out of range")
}
