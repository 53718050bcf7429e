package classify

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// hessBlock is the number of rows a dense Hessian chunk scales and adds at
// once.
const hessBlock = 512

// objective evaluates the smooth part of the fitted objective,
//
//	F(w, b) = Σ sᵢ·ℓ(yᵢ, b + xᵢ·w) + l2/2·‖w‖²
//
// with weights sᵢ that sum to 1, and its gradient and Hessian, over
// chunks of rows in parallel. The L1 part, l1·‖w‖₁, is the solver's.
type objective struct {
	dz     *design
	l1, l2 float64
	run    runner
	partF  []float64
	partG  []float64
	// parts holds each Hessian chunk's partial sum.
	parts [][]float64
	// z caches the margins b + xᵢ·w at zAt, the last point evaluated.
	z []float64
	// r holds each row's gradient weight sᵢ·(pᵢ − yᵢ), p its probability
	// pᵢ, at the last point evaluated.
	r, p   []float64
	zAt    []float64
	zValid bool
}

func newObjective(dz *design, l1, l2 float64, run runner) *objective {
	nc := (dz.n + chunkRows - 1) / chunkRows
	return &objective{dz: dz, l1: l1, l2: l2, run: run, partF: make([]float64, nc), partG: make([]float64, nc*(dz.d+1)),
		z: make([]float64, dz.n), r: make([]float64, dz.n), p: make([]float64, dz.n), zAt: make([]float64, dz.d+1)}
}

// lossGrad returns F(theta) and, when grad is not nil, writes its gradient
// into grad.
func (o *objective) lossGrad(theta, grad []float64) (float64, error) {
	dz := o.dz
	d1 := dz.d + 1
	nc := len(o.partF)
	cached := o.zValid && slices.Equal(theta, o.zAt)
	o.zValid = false
	d := dz.d
	err := o.run.do(nc, func(c int) {
		lo, hi := c*chunkRows, min((c+1)*chunkRows, dz.n)
		z := o.z[lo:hi]
		var a blas64.General
		if dz.dense != nil {
			a = blas64.General{Rows: hi - lo, Cols: d, Stride: d, Data: dz.dense[lo*d : hi*d]}
		}
		if !cached {
			if dz.dense != nil {
				for k := range z {
					z[k] = theta[d]
				}
				blas64.Gemv(blas.NoTrans, 1, a, blas64.Vector{N: d, Inc: 1, Data: theta[:d]}, 1, blas64.Vector{N: hi - lo, Inc: 1, Data: z})
			} else {
				for k := lo; k < hi; k++ {
					z[k-lo] = dz.margin(k, theta)
				}
			}
		}
		r := o.r[lo:hi]
		var f float64
		for k := lo; k < hi; k++ {
			sw := dz.sw[k]
			if sw == 0 {
				r[k-lo] = 0
				continue
			}
			zk, y := z[k-lo], dz.y[k]
			// One exponential serves the loss and the probability.
			e := math.Exp(-math.Abs(zk))
			f += sw * (log1pUnit(e) + max(zk, 0) - y*zk)
			p := 1 / (1 + e)
			if zk < 0 {
				p = e / (1 + e)
			}
			r[k-lo] = sw * (p - y)
			o.p[k] = p
		}
		o.partF[c] = f
		if grad == nil {
			return
		}
		g := o.partG[c*d1 : (c+1)*d1]
		if dz.dense != nil {
			blas64.Gemv(blas.Trans, 1, a, blas64.Vector{N: hi - lo, Inc: 1, Data: r}, 0, blas64.Vector{N: d, Inc: 1, Data: g[:d]})
			var s float64
			for _, v := range r {
				s += v
			}
			g[d] = s
			return
		}
		clear(g)
		for k := lo; k < hi; k++ {
			if r[k-lo] != 0 {
				dz.addRow(g, k, r[k-lo])
			}
		}
	})
	if err != nil {
		return 0, err
	}
	copy(o.zAt, theta)
	o.zValid = true
	var f float64
	for _, v := range o.partF {
		f += v
	}
	w := theta[:dz.d]
	var ww float64
	for _, v := range w {
		ww += v * v
	}
	f += 0.5 * o.l2 * ww
	if grad != nil {
		clear(grad)
		for c := range nc {
			g := o.partG[c*d1 : (c+1)*d1]
			for j, v := range g {
				grad[j] += v
			}
		}
		for j, v := range w {
			grad[j] += o.l2 * v
		}
	}
	return f, nil
}

// hessian returns F(theta), writes its gradient into grad and the upper
// triangle of its Hessian, (d+1)×(d+1) row-major with the intercept last,
// into h (from the margins lossGrad caches).
func (o *objective) hessian(theta, grad, h []float64) (float64, error) {
	f, err := o.lossGrad(theta, grad)
	if err != nil {
		return 0, err
	}
	dz := o.dz
	d1 := dz.d + 1
	nc := min(hessChunks, (dz.n+chunkRows-1)/chunkRows)
	per := (dz.n + nc - 1) / nc
	if len(o.parts) != nc {
		o.parts = make([][]float64, nc)
		for c := range o.parts {
			o.parts[c] = make([]float64, d1*d1)
		}
	}
	parts := o.parts
	err = o.run.do(nc, func(c int) {
		lo, hi := c*per, min((c+1)*per, dz.n)
		hc := parts[c]
		clear(hc)
		if dz.dense != nil {
			o.denseHessian(hc, lo, hi)
			return
		}
		for k := lo; k < hi; k++ {
			sw := dz.sw[k]
			if sw == 0 {
				continue
			}
			p := o.p[k]
			dk := sw * p * (1 - p)
			if dk == 0 {
				continue
			}
			a, b := dz.rowPtr[k], dz.rowPtr[k+1]
			cols, vals := dz.cols[a:b], dz.vals[a:b]
			for t, j := range cols {
				tv := dk * vals[t]
				r := hc[int(j)*d1 : (int(j)+1)*d1]
				for u := t; u < len(cols); u++ {
					r[cols[u]] += tv * vals[u]
				}
				r[dz.d] += tv
			}
			hc[dz.d*d1+dz.d] += dk
		}
	})
	if err != nil {
		return 0, err
	}
	clear(h)
	for _, hc := range parts {
		for i, v := range hc {
			h[i] += v
		}
	}
	for j := range dz.d {
		h[j*d1+j] += o.l2
	}
	return f, nil
}

// denseHessian adds the Hessian of rows [lo, hi) of a dense design to the
// upper triangle of hc, a block of rows at a time: the block's columns,
// each row scaled by √(sᵢ·pᵢ·(1−pᵢ)), with a column of ones for the
// intercept, are laid out contiguously, and each entry of the Hessian is
// the dot product of two of them.
func (o *objective) denseHessian(hc []float64, lo, hi int) {
	dz := o.dz
	d1 := dz.d + 1
	cols := make([]float64, d1*hessBlock)
	for b := lo; b < hi; b += hessBlock {
		e := min(b+hessBlock, hi)
		m := e - b
		for k := b; k < e; k++ {
			r := k - b
			s := 0.0
			if sw := dz.sw[k]; sw != 0 {
				p := o.p[k]
				s = math.Sqrt(sw * p * (1 - p))
			}
			for j, v := range dz.dense[k*dz.d : (k+1)*dz.d] {
				cols[j*hessBlock+r] = s * v
			}
			cols[dz.d*hessBlock+r] = s
		}
		for a := range d1 {
			ca := cols[a*hessBlock : a*hessBlock+m]
			row := hc[a*d1 : (a+1)*d1]
			for c := a; c < d1; c++ {
				row[c] += floats.Dot(ca, cols[c*hessBlock:c*hessBlock+m])
			}
		}
	}
}

// log1pUnit returns log(1+e) for e in [0, 1] to within 1e-16: by the
// (assembly) logarithm of 1+e, whose rounding costs at most 1.2e-16, and
// by three terms of the series below 1e-4, where that rounding would be
// large relative to e. math.Log1p is exact but several times slower, and
// the loss sums this over every row at every evaluation.
func log1pUnit(e float64) float64 {
	if e < 1e-4 {
		return e * (1 - e*(0.5-e/3))
	}
	return math.Log(1 + e)
}

// infNorm returns max |v|.
func infNorm(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}
