package classify

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// chunkRows is the number of rows of a chunk of the loss and gradient
// kernels. Chunk boundaries depend on the number of rows only, and partial
// sums are combined in chunk order, so results do not depend on Workers.
const chunkRows = 4096

// hessChunks is the largest number of chunks the Hessian is split into.
const hessChunks = 8

// sparseDensity is the share of non-zero values under which a design is
// stored row-compressed: one-hot encoded data is mostly zeros.
const sparseDensity = 0.35

// design is a validated training set: the rows of x (dense row-major, or
// compressed sparse rows), 0/1 labels, and the effective weight of each row
// (sample weight × class weight), normalized to sum to 1.
type design struct {
	n, d int
	// dense holds the rows with stride d; nil when the design is sparse.
	dense []float64
	// rowPtr, cols and vals hold the rows in CSR form when dense is nil:
	// row i's non-zero values are vals[rowPtr[i]:rowPtr[i+1]], in columns
	// cols[…] ascending.
	rowPtr []int
	cols   []int32
	vals   []float64
	y      []float64
	sw     []float64
	// total is the sum of the effective weights before normalization.
	total float64
	// posShare is the weighted share of positive rows.
	posShare float64
}

// rowMajor returns x's values row-major with their stride: a *mat.Dense's
// own storage (not copied) or a copy of any other matrix.
func rowMajor(x mat.Matrix) ([]float64, int) {
	if d, ok := x.(*mat.Dense); ok && !d.IsEmpty() {
		raw := d.RawMatrix()
		return raw.Data, raw.Stride
	}
	r, c := x.Dims()
	out := make([]float64, r*c)
	for i := range r {
		for j := range c {
			out[i*c+j] = x.At(i, j)
		}
	}
	return out, c
}

func nilMatrix(x mat.Matrix) bool {
	if x == nil {
		return true
	}
	d, ok := x.(*mat.Dense)
	return ok && (d == nil || d.IsEmpty())
}

// source is a checked input: the matrix's values, labels and weights.
type source struct {
	data   []float64
	stride int
	n, d   int
	y      []int
	w      []float64
}

// checkSource checks x, y and w: finite values, labels 0 or 1, weights
// finite and non-negative, matching lengths.
func checkSource(what string, x mat.Matrix, y []int, w []float64) (*source, error) {
	if nilMatrix(x) {
		return nil, fmt.Errorf("classify: %s: no data: %w", what, ErrInvalidInput)
	}
	n, d := x.Dims()
	if n == 0 || d == 0 {
		return nil, fmt.Errorf("classify: %s: data is %d×%d: %w", what, n, d, ErrInvalidInput)
	}
	if len(y) != n {
		return nil, fmt.Errorf("classify: %s: %d labels for %d rows: %w", what, len(y), n, ErrInvalidInput)
	}
	if w != nil && len(w) != n {
		return nil, fmt.Errorf("classify: %s: %d weights for %d rows: %w", what, len(w), n, ErrInvalidInput)
	}
	data, stride := rowMajor(x)
	for i := range n {
		row := data[i*stride : i*stride+d]
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("classify: %s: row %d, column %d: value %v is not finite: %w", what, i, j, v, ErrInvalidInput)
			}
		}
		if y[i] != 0 && y[i] != 1 {
			return nil, fmt.Errorf("classify: %s: row %d: label %d is neither 0 nor 1: %w", what, i, y[i], ErrInvalidInput)
		}
		if w != nil && !(w[i] >= 0 && !math.IsInf(w[i], 0)) {
			return nil, fmt.Errorf("classify: %s: row %d: weight %v is negative or not finite: %w", what, i, w[i], ErrInvalidInput)
		}
	}
	return &source{data: data, stride: stride, n: n, d: d, y: y, w: w}, nil
}

// build makes the design of the given rows of s (nil: every row) with
// class weights cw (cw[0] for label 0, cw[1] for label 1). It checks that
// both classes have positive weight.
func (s *source) build(what string, rows []int, cw [2]float64) (*design, error) {
	n := s.n
	if rows != nil {
		n = len(rows)
	}
	row := func(k int) int {
		if rows == nil {
			return k
		}
		return rows[k]
	}
	dz := &design{n: n, d: s.d, y: make([]float64, n), sw: make([]float64, n)}
	var wsum, wpos float64
	nnz := 0
	for k := range n {
		i := row(k)
		wi := 1.0
		if s.w != nil {
			wi = s.w[i]
		}
		wi *= cw[s.y[i]]
		dz.y[k] = float64(s.y[i])
		dz.sw[k] = wi
		wsum += wi
		if s.y[i] == 1 {
			wpos += wi
		}
		for _, v := range s.data[i*s.stride : i*s.stride+s.d] {
			if v != 0 {
				nnz++
			}
		}
	}
	if !(wsum > 0) || math.IsInf(wsum, 0) {
		return nil, fmt.Errorf("classify: %s: weights sum to %v: %w", what, wsum, ErrInvalidInput)
	}
	if !(wpos > 0) || !(wpos < wsum) {
		cls := 0
		if wpos > 0 {
			cls = 1
		}
		return nil, fmt.Errorf("classify: %s: every row with a positive weight has label %d; both classes are needed: %w", what, cls, ErrInvalidInput)
	}
	for k := range dz.sw {
		dz.sw[k] /= wsum
	}
	dz.total, dz.posShare = wsum, wpos/wsum
	if float64(nnz) < sparseDensity*float64(n)*float64(s.d) {
		dz.rowPtr = make([]int, n+1)
		dz.cols = make([]int32, 0, nnz)
		dz.vals = make([]float64, 0, nnz)
		for k := range n {
			i := row(k)
			for j, v := range s.data[i*s.stride : i*s.stride+s.d] {
				if v != 0 {
					dz.cols = append(dz.cols, int32(j))
					dz.vals = append(dz.vals, v)
				}
			}
			dz.rowPtr[k+1] = len(dz.vals)
		}
		return dz, nil
	}
	if rows == nil && s.stride == s.d {
		// The caller's matrix, read in place: the fit never writes to it.
		dz.dense = s.data[:n*s.d]
		return dz, nil
	}
	dz.dense = make([]float64, n*s.d)
	for k := range n {
		i := row(k)
		copy(dz.dense[k*s.d:(k+1)*s.d], s.data[i*s.stride:i*s.stride+s.d])
	}
	return dz, nil
}

// margin returns b + x_k·w for row k, where theta = (w, b).
func (dz *design) margin(k int, theta []float64) float64 {
	z := theta[dz.d]
	if dz.dense != nil {
		row := dz.dense[k*dz.d : (k+1)*dz.d]
		w := theta[:len(row)]
		for j, v := range row {
			z += v * w[j]
		}
		return z
	}
	lo, hi := dz.rowPtr[k], dz.rowPtr[k+1]
	cols, vals := dz.cols[lo:hi], dz.vals[lo:hi]
	for t, j := range cols {
		z += vals[t] * theta[j]
	}
	return z
}

// addRow adds a·x_k to g[:d] and a to g[d].
func (dz *design) addRow(g []float64, k int, a float64) {
	g[dz.d] += a
	if dz.dense != nil {
		row := dz.dense[k*dz.d : (k+1)*dz.d]
		gg := g[:len(row)]
		for j, v := range row {
			gg[j] += a * v
		}
		return
	}
	lo, hi := dz.rowPtr[k], dz.rowPtr[k+1]
	cols, vals := dz.cols[lo:hi], dz.vals[lo:hi]
	for t, j := range cols {
		g[j] += a * vals[t]
	}
}

// logLoss1p returns log(1+e^z) − y·z, computed without overflow.
func logLoss1p(z, y float64) float64 {
	if z > 0 {
		return z + math.Log1p(math.Exp(-z)) - y*z
	}
	return math.Log1p(math.Exp(z)) - y*z
}

// sigmoid returns 1/(1+e^−z) without overflow.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// runner runs chunks of work over a number of goroutines, checking the
// context between chunks.
type runner struct {
	ctx     context.Context
	workers int
}

func newRunner(ctx context.Context, workers int) runner {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return runner{ctx: ctx, workers: workers}
}

// do calls fn(c) for every chunk c in [0, chunks), over up to r.workers
// goroutines; it returns the context's error if it is done.
func (r runner) do(chunks int, fn func(c int)) error {
	w := min(r.workers, chunks)
	if w <= 1 {
		for c := range chunks {
			if err := r.ctx.Err(); err != nil {
				return err
			}
			fn(c)
		}
		return r.ctx.Err()
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range w {
		wg.Go(func() {
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks || r.ctx.Err() != nil {
					return
				}
				fn(c)
			}
		})
	}
	wg.Wait()
	return r.ctx.Err()
}
