// Package kernel holds the distance kernels behind strata's clustering core:
// squared row norms and the nearest-centre search used by k-means
// assignment steps (Lloyd, Hamerly, Elkan), and the sums of the update step.
//
// Matrices are row-major []float64 with d columns: row i of x is
// x[i*d : i*d+d]. The number of rows is taken from the destination slices and
// the number of centres from len(cnorm); calls allocate nothing beyond
// reusable buffers (Centres, pooled scratch).
//
// Distances use the GEMM form of the squared Euclidean distance,
//
//	‖x−c‖² = ‖x‖² − 2·x·c + ‖c‖²,
//
// which turns the assignment step into a matrix product (the approach of
// scikit-learn's Lloyd implementation and of BLAS-based k-means generally;
// see also Goto and van de Geijn, "Anatomy of high-performance matrix
// multiplication", ACM TOMS 34(3), 2008, for the register-blocked
// micro-kernel). The form loses relative precision when ‖x−c‖² is much smaller
// than ‖x‖²+‖c‖²: the absolute error is of order ε·(‖x‖²+‖c‖²), so callers that
// need exact distances (inertia, bounds) recompute them with [SqDist] for the
// chosen centre. Returned squared distances are clamped at zero.
//
// Every dot product is accumulated with fused multiply-adds in column order,
// one accumulator per (row, centre) pair, on every code path: the pure-Go
// fallback (other architectures and the purego build tag), and on amd64 the
// AVX2+FMA and AVX-512 micro-kernels chosen at run time with
// golang.org/x/sys/cpu. All paths therefore return bit-identical labels and
// distances, whatever the blocking, the CPU or the way a caller splits the rows
// into chunks. Ties go to the lowest centre index.
//
// The functions panic on inconsistent lengths: they are internal kernels and a
// bad length is a bug in the caller, never bad data.
package kernel

import (
	"fmt"
	"math"
	"sync"
)

// Dot returns the dot product of a and b, accumulated with fused
// multiply-adds in index order. It panics if the lengths differ.
func Dot(a, b []float64) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("kernel: Dot length mismatch %d != %d", len(a), len(b)))
	}
	var s float64
	for i, v := range a {
		s = math.FMA(v, b[i], s)
	}
	return s
}

// SqDist returns the squared Euclidean distance Σ(a[i]−b[i])², computed from
// the differences (not the GEMM form), so it is exact to rounding. It panics
// if the lengths differ.
func SqDist(a, b []float64) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("kernel: SqDist length mismatch %d != %d", len(a), len(b)))
	}
	var s float64
	for i, v := range a {
		t := v - b[i]
		s = math.FMA(t, t, s)
	}
	return s
}

// SqNorms writes ‖row i‖² of the row-major matrix x with d columns into
// dst[i], for i < len(dst). It panics if d < 1 or x has fewer than len(dst)·d
// elements.
func SqNorms(dst []float64, x []float64, d int) {
	n := len(dst)
	checkMatrix("x", x, n, d)
	for i := range dst {
		row := x[i*d : i*d+d]
		var s float64
		for _, v := range row {
			s = math.FMA(v, v, s)
		}
		dst[i] = s
	}
}

// Nearest finds, for each row i < len(labels) of x (row-major, d columns), the
// nearest of the k = len(cnorm) centres in c (k×d row-major), where cnorm[j]
// is ‖c_j‖² (as written by [SqNorms]). It writes the centre's index to
// labels[i] and, if dist is not nil, the squared distance
// max(‖x_i‖² − 2·x_i·c_j + ‖c_j‖², 0) to dist[i]. xnorm holds ‖x_i‖²; it may be
// nil, in which case the norms are computed on the fly when dist is wanted.
// The comparison is made on ‖c_j‖² − 2·x_i·c_j, which does not depend on
// xnorm; ties go to the lowest index.
//
// It panics if k == 0, d < 1, or a slice is too short.
//
// Nearest packs the centres on every call (below a few rows it uses the
// pure-Go loop instead); a caller that assigns many chunks or single rows
// against the same centres should pack them once with [Centres.Pack]: for a
// single row that is about ten times faster.
func Nearest(labels []int32, dist []float64, x, xnorm, c, cnorm []float64, d int) {
	n := len(labels)
	checkArgs(n, d, x, xnorm, c, cnorm)
	if dist != nil && len(dist) < n {
		panic(fmt.Sprintf("kernel: dist has %d elements, want %d", len(dist), n))
	}
	if n < fewRows {
		nearestGo(labels, dist, nil, x, xnorm, c, cnorm, d)
		return
	}
	p := pool.Get().(*Centres)
	p.Pack(c, cnorm, d)
	p.nearest(labels, dist, nil, x, xnorm)
	p.release()
}

// Nearest2 is [Nearest] that also writes the second-smallest squared distance
// of row i to d2[i] (the smallest over the centres other than labels[i]; equal
// to d1[i] on a tie and +Inf when there is a single centre), as Hamerly's and
// Elkan's bounds need. d1 and d2 must not be nil.
func Nearest2(labels []int32, d1, d2 []float64, x, xnorm, c, cnorm []float64, d int) {
	n := len(labels)
	checkArgs(n, d, x, xnorm, c, cnorm)
	if len(d1) < n || len(d2) < n {
		panic(fmt.Sprintf("kernel: d1, d2 have %d, %d elements, want %d", len(d1), len(d2), n))
	}
	if n < fewRows {
		nearestGo(labels, d1, d2, x, xnorm, c, cnorm, d)
		return
	}
	p := pool.Get().(*Centres)
	p.Pack(c, cnorm, d)
	p.nearest(labels, d1, d2, x, xnorm)
	p.release()
}

// fewRows is the number of rows below which the package-level functions
// skip packing the centres: for a row or two, packing costs more than the
// pure-Go loop (which gives the same bits). Packing once with [Centres] is
// faster still.
const fewRows = 4

var pool = sync.Pool{New: func() any { return new(Centres) }}

// Centres is a set of centres packed for the assignment kernels. Pack it
// once per set of centres (once per k-means iteration), then call its
// methods from any number of goroutines: they only read it. The zero value
// is ready for Pack; Pack reuses the memory of earlier calls.
type Centres struct {
	c, cnorm []float64 // the caller's centres and norms, not copied
	d        int
	ct, meta []float64 // the packed layout of the micro-kernels, if any
}

// Pack prepares the k = len(cnorm) centres c (k×d row-major, cnorm[j] =
// ‖c_j‖²). p keeps references to c and cnorm, which must not change while p
// is in use. It panics if k == 0, d < 1 or c is too short.
func (p *Centres) Pack(c, cnorm []float64, d int) {
	checkArgs(0, d, nil, nil, c, cnorm)
	p.c, p.cnorm, p.d = c, cnorm, d
	p.pack()
}

// K returns the number of centres.
func (p *Centres) K() int { return len(p.cnorm) }

// Nearest is the package-level [Nearest] against the packed centres.
func (p *Centres) Nearest(labels []int32, dist []float64, x, xnorm []float64) {
	n := len(labels)
	checkArgs(n, p.d, x, xnorm, p.c, p.cnorm)
	if dist != nil && len(dist) < n {
		panic(fmt.Sprintf("kernel: dist has %d elements, want %d", len(dist), n))
	}
	p.nearest(labels, dist, nil, x, xnorm)
}

// Nearest2 is the package-level [Nearest2] against the packed centres.
func (p *Centres) Nearest2(labels []int32, d1, d2 []float64, x, xnorm []float64) {
	n := len(labels)
	checkArgs(n, p.d, x, xnorm, p.c, p.cnorm)
	if len(d1) < n || len(d2) < n {
		panic(fmt.Sprintf("kernel: d1, d2 have %d, %d elements, want %d", len(d1), len(d2), n))
	}
	p.nearest(labels, d1, d2, x, xnorm)
}

// release drops the references to the caller's slices and returns p to
// the pool.
func (p *Centres) release() {
	p.c, p.cnorm = nil, nil
	pool.Put(p)
}

// Distances writes the n×k matrix of squared distances
// max(‖x_i‖² − 2·x_i·c_j + ‖c_j‖², 0) into dst (row-major, row i at
// dst[i*k:]), with n = len(dst)/k and k = len(cnorm). xnorm may be nil.
// It panics if len(dst) is not a multiple of k or a slice is too short.
func Distances(dst []float64, x, xnorm, c, cnorm []float64, d int) {
	k := len(cnorm)
	if k == 0 || len(dst)%k != 0 {
		panic(fmt.Sprintf("kernel: Distances dst has %d elements, not a multiple of k=%d", len(dst), k))
	}
	n := len(dst) / k
	checkArgs(n, d, x, xnorm, c, cnorm)
	for i := range n {
		row := x[i*d : i*d+d]
		xn := rowNorm(row, xnorm, i)
		out := dst[i*k : i*k+k]
		for j := range k {
			out[j] = max(xn+(cnorm[j]-2*dot(row, c[j*d:j*d+d])), 0)
		}
	}
}

func checkMatrix(name string, x []float64, n, d int) {
	if d < 1 {
		panic(fmt.Sprintf("kernel: d = %d, want ≥ 1", d))
	}
	if len(x) < n*d {
		panic(fmt.Sprintf("kernel: %s has %d elements, want %d×%d", name, len(x), n, d))
	}
}

func checkArgs(n, d int, x, xnorm, c, cnorm []float64) {
	k := len(cnorm)
	if k == 0 {
		panic("kernel: no centres")
	}
	checkMatrix("x", x, n, d)
	checkMatrix("c", c, k, d)
	if xnorm != nil && len(xnorm) < n {
		panic(fmt.Sprintf("kernel: xnorm has %d elements, want %d", len(xnorm), n))
	}
}

// dot is Dot without the length check; b is at least as long as a.
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s float64
	for i, v := range a {
		s = math.FMA(v, b[i], s)
	}
	return s
}

func rowNorm(row, xnorm []float64, i int) float64 {
	if xnorm != nil {
		return xnorm[i]
	}
	return dot(row, row)
}

// Impl names the implementation the assignment kernels use on this machine
// and build: "avx512", "avx2" or "go".
func Impl() string { return impl() }

// AddRows adds row i of x (row-major, d columns) to row labels[i] of sums
// (k×d row-major, k = len(counts)) and 1 to counts[labels[i]], for each
// i < len(labels) in order; with weights w (not nil), it adds w[i]·x_i and
// w[i] instead. This is the accumulation of a k-means update step. The
// additions happen in row order on every code path, so the sums are
// bit-identical whatever the CPU. It panics if a label is out of [0, k) or a
// slice is too short.
func AddRows(sums, counts []float64, x, w []float64, labels []int32, d int) {
	n, k := len(labels), len(counts)
	checkMatrix("x", x, n, d)
	checkMatrix("sums", sums, k, d)
	if w != nil && len(w) < n {
		panic(fmt.Sprintf("kernel: w has %d elements, want %d", len(w), n))
	}
	for i, l := range labels {
		if l < 0 || int(l) >= k {
			panic(fmt.Sprintf("kernel: label %d of row %d out of [0, %d)", l, i, k))
		}
	}
	if n == 0 {
		return
	}
	if w == nil && addRows(sums, counts, x, labels, d) {
		return
	}
	for i, l := range labels {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		counts[l] += wi
		s := sums[int(l)*d : int(l)*d+d]
		row := x[i*d : i*d+d]
		if w == nil {
			for j, v := range row {
				s[j] += v
			}
			continue
		}
		for j, v := range row {
			s[j] += wi * v
		}
	}
}

// addBlock is the number of rows NearestAdd assigns before adding them to
// the sums: small enough for the rows to be still in cache for the second
// pass.
const addBlock = 512

// NearestAdd is [Centres.Nearest] followed by [AddRows] on the labels it
// found — the assignment and accumulation of one Lloyd iteration — done
// block by block so that each block of rows is read from memory once. It
// writes labels and, if dist is not nil, the squared distances, and adds
// the rows to sums and counts (weighted by w if not nil) in row order, with
// the same results as the two calls in sequence.
func (p *Centres) NearestAdd(labels []int32, dist, sums, counts []float64, x, xnorm, w []float64) {
	n, d := len(labels), p.d
	checkArgs(n, d, x, xnorm, p.c, p.cnorm)
	if dist != nil && len(dist) < n {
		panic(fmt.Sprintf("kernel: dist has %d elements, want %d", len(dist), n))
	}
	if len(counts) != len(p.cnorm) {
		panic(fmt.Sprintf("kernel: counts has %d elements, want k=%d", len(counts), len(p.cnorm)))
	}
	checkMatrix("sums", sums, len(counts), d)
	if w != nil && len(w) < n {
		panic(fmt.Sprintf("kernel: w has %d elements, want %d", len(w), n))
	}
	for lo := 0; lo < n; lo += addBlock {
		hi := min(lo+addBlock, n)
		var xn, ds, ws []float64
		if xnorm != nil {
			xn = xnorm[lo:hi]
		}
		if dist != nil {
			ds = dist[lo:hi]
		}
		if w != nil {
			ws = w[lo:hi]
		}
		p.nearest(labels[lo:hi], ds, nil, x[lo*d:hi*d], xn)
		AddRows(sums, counts, x[lo*d:hi*d], ws, labels[lo:hi], d)
	}
}

// gatherRows is the number of scattered rows Nearest2Rows copies together
// into one contiguous block.
const gatherRows = 64

var gatherPool = sync.Pool{New: func() any { return new([]float64) }}

// Nearest2Rows is [Centres.Nearest2] for the rows of x listed in idx: for
// each t, row i = idx[t] gets labels[i], d1[i] and d2[i] (the other rows are
// left alone). It copies the listed rows together in blocks so that
// scattered rows — those whose bounds fail in Hamerly's or Elkan's
// iteration — still go through the multi-row micro-kernel; the results are
// the same as one call per row. xnorm may be nil.
func (p *Centres) Nearest2Rows(idx []int32, labels []int32, d1, d2 []float64, x, xnorm []float64) {
	d := p.d
	n := len(labels)
	checkArgs(n, d, x, xnorm, p.c, p.cnorm)
	if len(d1) < n || len(d2) < n {
		panic(fmt.Sprintf("kernel: d1, d2 have %d, %d elements, want %d", len(d1), len(d2), n))
	}
	for _, i := range idx {
		if i < 0 || int(i) >= n {
			panic(fmt.Sprintf("kernel: row index %d out of [0, %d)", i, n))
		}
	}
	if len(idx) == 0 {
		return
	}
	bp := gatherPool.Get().(*[]float64)
	need := gatherRows * (d + 4)
	if cap(*bp) < need {
		*bp = make([]float64, need)
	}
	buf := (*bp)[:need]
	rows, xn := buf[:gatherRows*d], buf[gatherRows*d:gatherRows*(d+1)]
	o1, o2 := buf[gatherRows*(d+1):gatherRows*(d+2)], buf[gatherRows*(d+2):gatherRows*(d+3)]
	var lab [gatherRows]int32
	for lo := 0; lo < len(idx); lo += gatherRows {
		blk := idx[lo:min(lo+gatherRows, len(idx))]
		m := len(blk)
		for t, i := range blk {
			copy(rows[t*d:(t+1)*d], x[int(i)*d:int(i)*d+d])
			if xnorm != nil {
				xn[t] = xnorm[i]
			}
		}
		if xnorm == nil {
			SqNorms(xn[:m], rows[:m*d], d)
		}
		p.nearest(lab[:m], o1[:m], o2[:m], rows[:m*d], xn[:m])
		for t, i := range blk {
			labels[i], d1[i], d2[i] = lab[t], o1[t], o2[t]
		}
	}
	gatherPool.Put(bp)
}
