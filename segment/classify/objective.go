package classify

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
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
	// z caches the margins b + xᵢ·w at zAt, the last point evaluated.
	z      []float64
	zAt    []float64
	zValid bool
}

func newObjective(dz *design, l1, l2 float64, run runner) *objective {
	nc := (dz.n + chunkRows - 1) / chunkRows
	return &objective{dz: dz, l1: l1, l2: l2, run: run, partF: make([]float64, nc), partG: make([]float64, nc*(dz.d+1)),
		z: make([]float64, dz.n), zAt: make([]float64, dz.d+1)}
}

// lossGrad returns F(theta) and, when grad is not nil, writes its gradient
// into grad.
func (o *objective) lossGrad(theta, grad []float64) (float64, error) {
	dz := o.dz
	d1 := dz.d + 1
	nc := len(o.partF)
	cached := o.zValid && slices.Equal(theta, o.zAt)
	o.zValid = false
	err := o.run.do(nc, func(c int) {
		lo, hi := c*chunkRows, min((c+1)*chunkRows, dz.n)
		var f float64
		var g []float64
		if grad != nil {
			g = o.partG[c*d1 : (c+1)*d1]
			clear(g)
		}
		for k := lo; k < hi; k++ {
			sw := dz.sw[k]
			if sw == 0 {
				continue
			}
			z := o.z[k]
			if !cached {
				z = dz.margin(k, theta)
				o.z[k] = z
			}
			f += sw * logLoss1p(z, dz.y[k])
			if g != nil {
				dz.addRow(g, k, sw*(sigmoid(z)-dz.y[k]))
			}
		}
		o.partF[c] = f
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
// triangle of its Hessian (from the margins lossGrad caches), (d+1)×(d+1) row-major with the intercept last,
// into h.
func (o *objective) hessian(theta, grad, h []float64) (float64, error) {
	f, err := o.lossGrad(theta, grad)
	if err != nil {
		return 0, err
	}
	dz := o.dz
	d1 := dz.d + 1
	nc := min(hessChunks, (dz.n+chunkRows-1)/chunkRows)
	per := (dz.n + nc - 1) / nc
	parts := make([][]float64, nc)
	err = o.run.do(nc, func(c int) {
		lo, hi := c*per, min((c+1)*per, dz.n)
		hc := make([]float64, d1*d1)
		parts[c] = hc
		if dz.dense != nil {
			o.denseHessian(hc, theta, lo, hi)
			return
		}
		for k := lo; k < hi; k++ {
			sw := dz.sw[k]
			if sw == 0 {
				continue
			}
			p := sigmoid(o.z[k])
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
// upper triangle of hc, a block of rows at a time: each row scaled by
// √(sᵢ·pᵢ·(1−pᵢ)) with a column of ones for the intercept, then AᵀA.
func (o *objective) denseHessian(hc, theta []float64, lo, hi int) {
	dz := o.dz
	d1 := dz.d + 1
	buf := make([]float64, hessBlock*d1)
	cm := blas64.Symmetric{Uplo: blas.Upper, N: d1, Stride: d1, Data: hc}
	for b := lo; b < hi; b += hessBlock {
		e := min(b+hessBlock, hi)
		rows := 0
		for k := b; k < e; k++ {
			sw := dz.sw[k]
			if sw == 0 {
				continue
			}
			p := sigmoid(o.z[k])
			s := math.Sqrt(sw * p * (1 - p))
			dst := buf[rows*d1 : (rows+1)*d1]
			for j, v := range dz.dense[k*dz.d : (k+1)*dz.d] {
				dst[j] = s * v
			}
			dst[dz.d] = s
			rows++
		}
		if rows == 0 {
			continue
		}
		a := blas64.General{Rows: rows, Cols: d1, Stride: d1, Data: buf[:rows*d1]}
		blas64.Syrk(blas.Trans, 1, a, 1, cm)
	}
}

// infNorm returns max |v|.
func infNorm(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}
