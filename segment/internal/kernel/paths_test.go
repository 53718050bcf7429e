package kernel

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type result struct {
	labels   []int32
	d1, d2   []float64
	dist     []float64
	labelsNo []int32
}

func run(sh shape, x, xn, c, cn []float64) result {
	r := result{
		labels: make([]int32, sh.n), d1: make([]float64, sh.n), d2: make([]float64, sh.n),
		dist: make([]float64, sh.n), labelsNo: make([]int32, sh.n),
	}
	Nearest2(r.labels, r.d1, r.d2, x, xn, c, cn, sh.d)
	Nearest(r.labelsNo, nil, x, xn, c, cn, sh.d)
	// Without precomputed norms, the distances must not change.
	lab := make([]int32, sh.n)
	Nearest(lab, r.dist, x, nil, c, cn, sh.d)
	// Packed centres, one row at a time, give the same answers.
	var p Centres
	p.Pack(c, cn, sh.d)
	for i := range sh.n {
		l := make([]int32, 1)
		a, b := make([]float64, 1), make([]float64, 1)
		p.Nearest2(l, a, b, x[i*sh.d:], xn[i:])
		if l[0] != r.labels[i] || a[0] != r.d1[i] || b[0] != r.d2[i] {
			r.labelsNo[i] = -9 // flagged; compared below
		}
	}
	return r
}

// TestPathsAgree runs every implementation the machine supports (the
// assembly micro-kernels and the pure-Go fallback) on the same inputs and
// requires bit-identical labels and distances.
func TestPathsAgree(t *testing.T) {
	p := paths()
	if runtime.GOARCH == "amd64" {
		t.Logf("implementations: %d (default %s)", len(p), Impl())
	}
	rng := rand.New(rand.NewPCG(3, 4))
	shapes := append(testShapes(rng), shape{1100, 5, 11}, shape{1030, 16, 20}, shape{513, 1, 3})
	for _, scale := range []float64{1, 1e4, 1e100} {
		for _, sh := range shapes {
			x, c := randData(rng, sh, scale)
			// Duplicate centres and points on centres make exact ties.
			if sh.k > 2 {
				copy(c[2*sh.d:3*sh.d], c[:sh.d])
			}
			if sh.n > 1 && sh.k > 1 {
				copy(x[sh.d:2*sh.d], c[sh.d:2*sh.d])
			}
			xn, cn := norms(x, sh.d), norms(c, sh.d)
			restore := p["go"]()
			want := run(sh, x, xn, c, cn)
			restore()
			for name, sel := range p {
				if name == "go" {
					continue
				}
				t.Run(fmt.Sprintf("%s/n=%d/d=%d/k=%d/scale=%g", name, sh.n, sh.d, sh.k, scale), func(t *testing.T) {
					restore := sel()
					defer restore()
					got := run(sh, x, xn, c, cn)
					require.Equal(t, want.labels, got.labels)
					assert.Equal(t, want.labels, got.labelsNo)
					assert.Equal(t, want.d1, got.d1)
					assert.Equal(t, want.d2, got.d2)
					assert.Equal(t, want.d1, got.dist)
				})
			}
			assert.Equal(t, want.labels, want.labelsNo)
			assert.Equal(t, want.d1, want.dist)
		}
	}
}
