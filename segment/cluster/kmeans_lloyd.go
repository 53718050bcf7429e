package cluster

import (
	"fmt"
	"math"
	"sync"

	"github.com/strataseg/strata/segment/internal/kernel"
)

// algorithm resolves Auto.
func (f *fitter) algorithm() Algorithm {
	if f.cfg.Algorithm != Auto {
		return f.cfg.Algorithm
	}
	// With the kernels' blocked distance computations, Elkan's n·k bounds
	// cost more to maintain than they save. Hamerly's single bound can pay
	// from about 16 centres on, when d·k is large enough for a search to
	// cost more than the bookkeeping of the bounds (autoCost), and as long
	// as the clusters are separated enough (see hamerly's adaptive switch
	// to Lloyd).
	if f.k < 16 || !newAutoCost(f.d, f.k).hamerlyPays() {
		return Lloyd
	}
	return Hamerly
}

func (f *fitter) maxIter() int {
	if f.cfg.MaxIter == 0 {
		return defaultMaxIter
	}
	return f.cfg.MaxIter
}

// iterate runs k-means iterations from centers (which it takes over) with
// an exact algorithm.
func (f *fitter) iterate(centers []float64, alg Algorithm, maxIter int) (*run, error) {
	switch alg {
	case Hamerly:
		return f.hamerly(centers, maxIter, f.cfg.Algorithm == Auto)
	case Elkan:
		return f.elkan(centers, maxIter)
	default:
		return f.lloyd(centers, nil, 1, maxIter)
	}
}

// mstep holds the buffers of the update step shared by the exact
// algorithms: each chunk's partial sums, added into running totals in chunk
// order (whatever order the chunks finish in) so that every algorithm
// computes bit-identical centres from identical labels, whatever the
// number of workers. A chunk's partial sums wait only until the chunks
// before it are in: a few buffers of k×d, not one per chunk.
type mstep struct {
	k, d      int
	acc, wacc []float64 // sums of chunks 0..next-1, added in chunk order
	mu        sync.Mutex
	next      int
	pending   []*partial // finished chunks waiting for the ones before
	free      []*partial
	changed   []int
	wt        []float64
	moves     []float64 // distance each centre moved in the last update
}

// partial is one chunk's sums of rows (k×d) and of weights (k).
type partial struct{ s, ws []float64 }

func (f *fitter) newMstep() *mstep {
	return &mstep{
		k:       f.k,
		d:       f.d,
		acc:     make([]float64, f.k*f.d),
		wacc:    make([]float64, f.k),
		pending: make([]*partial, f.nChunks),
		changed: make([]int, f.nChunks),
		wt:      make([]float64, f.k),
		moves:   make([]float64, f.k),
	}
}

// get returns a cleared buffer for a chunk's partial sums.
func (m *mstep) get() *partial {
	m.mu.Lock()
	var p *partial
	if n := len(m.free); n > 0 {
		p, m.free = m.free[n-1], m.free[:n-1]
	}
	m.mu.Unlock()
	if p == nil {
		return &partial{s: make([]float64, m.k*m.d), ws: make([]float64, m.k)}
	}
	clear(p.s)
	clear(p.ws)
	return p
}

// put hands over chunk c's partial sums; they are added to the totals as
// soon as every chunk before c is in.
func (m *mstep) put(c int, p *partial) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending[c] = p
	for m.next < len(m.pending) && m.pending[m.next] != nil {
		q := m.pending[m.next]
		for j, v := range q.s {
			m.acc[j] += v
		}
		for j, v := range q.ws {
			m.wacc[j] += v
		}
		m.pending[m.next] = nil
		m.free = append(m.free, q)
		m.next++
	}
}

// reset starts the totals of a new iteration.
func (m *mstep) reset() {
	clear(m.acc)
	clear(m.wacc)
	m.next = 0
	for c, p := range m.pending {
		if p != nil {
			m.free = append(m.free, p)
			m.pending[c] = nil
		}
	}
}

// accumulate sets chunk c's partial sums from rows lo..hi, adding the rows
// in order (kernel.AddRows), as assignAdd does.
func (f *fitter) accumulate(m *mstep, c, lo, hi int, labels []int32) {
	p := m.get()
	defer m.put(c, p)
	s, ws := p.s, p.ws
	var w []float64
	if f.w != nil {
		w = f.w[lo:hi]
	}
	kernel.AddRows(s, ws, f.x[lo*f.d:hi*f.d], w, labels[lo:hi], f.d)
}

// assignBlock is the number of rows assignAdd hands to the kernel at a time
// (a multiple of the kernel's own block, so that each block of rows is read
// from memory once).
const assignBlock = 1024

// assignScratch is assignAdd's per-goroutine scratch, kept in a sync.Pool
// so that an iteration allocates nothing.
type assignScratch struct {
	old  [assignBlock]int32
	dist [assignBlock]float64 // the kernel's distances, not kept
	// zero stands for ‖x‖², which only enters the distances, not the
	// labels: Lloyd's iteration keeps no norms. Never written.
	zero [assignBlock]float64
}

var assignPool = sync.Pool{New: func() any { return new(assignScratch) }}

// assignAdd is one Lloyd iteration's work on chunk c (rows lo..hi): it
// assigns each row to its nearest centre in pc, writing labels, and sets the
// chunk's partial sums, in one pass over the rows (kernel's NearestAdd). The
// sums are those of accumulate, bit for bit. It returns the number of
// labels that changed.
func (f *fitter) assignAdd(pc *kernel.Centres, m *mstep, c, lo, hi int, labels []int32) int {
	d := f.d
	p := m.get()
	defer m.put(c, p)
	s, ws := p.s, p.ws
	sc := assignPool.Get().(*assignScratch)
	defer assignPool.Put(sc)
	old, dist, zero := sc.old[:], sc.dist[:], sc.zero[:]
	ch := 0
	for b := lo; b < hi; b += assignBlock {
		e := min(b+assignBlock, hi)
		copy(old, labels[b:e])
		var w []float64
		if f.w != nil {
			w = f.w[b:e]
		}
		pc.NearestAdd(labels[b:e], dist[:e-b], s, ws, f.x[b*d:e*d], zero[:e-b], w)
		for t, l := range labels[b:e] {
			if l != old[t] {
				ch++
			}
		}
	}
	return ch
}

// update sets dst to the weighted means of the clusters, relocating empty
// clusters (dist gives each row's squared distance to its centre, computed
// only when a cluster is empty), and records each centre's move from old.
// It returns the summed squared shift and the relocated rows.
func (f *fitter) update(m *mstep, dst, old []float64, labels []int32, dist func() ([]float64, error)) (float64, []int, error) {
	d, k := f.d, f.k
	if m.next != len(m.pending) {
		return 0, nil, fmt.Errorf("cluster: k-means: internal error: %d of %d chunks summed", m.next, len(m.pending))
	}
	copy(dst, m.acc)
	copy(m.wt, m.wacc)
	m.reset()
	var empty []int
	for j := range k {
		if m.wt[j] == 0 {
			empty = append(empty, j)
		}
	}
	var moved []int
	if len(empty) > 0 {
		dd, err := dist()
		if err != nil {
			return 0, nil, err
		}
		moved = f.relocate(empty, dst, m.wt, labels, dd)
	}
	var shift float64
	for j := range k {
		cj := dst[j*d : (j+1)*d]
		for t := range cj {
			cj[t] /= m.wt[j]
		}
		s := kernel.SqDist(cj, old[j*d:(j+1)*d])
		m.moves[j] = math.Sqrt(s)
		shift += s
	}
	return shift, moved, nil
}

// relocate moves each empty cluster onto one of the rows of positive weight
// farthest from its centre (the farthest row to the first empty cluster),
// taking that row out of its cluster's sums, as scikit-learn does. It
// returns the rows moved.
func (f *fitter) relocate(empty []int, sums, wt []float64, labels []int32, dist []float64) []int {
	d := f.d
	var moved []int
	for _, e := range empty {
		far, farD := -1, -1.0
		for i := range f.n {
			if f.weight(i) > 0 && dist[i] > farD && int(labels[i]) != e && wt[labels[i]] > f.weight(i) {
				far, farD = i, dist[i]
			}
		}
		if far < 0 {
			continue // cannot happen with k distinct rows
		}
		moved = append(moved, far)
		wi := f.weight(far)
		row := f.x[far*d : (far+1)*d]
		old := int(labels[far])
		so, se := sums[old*d:(old+1)*d], sums[e*d:(e+1)*d]
		for j, v := range row {
			so[j] -= wi * v
			se[j] = wi * v
		}
		wt[old] -= wi
		wt[e] = wi
		labels[far] = int32(e)
		dist[far] = 0
	}
	return moved
}

func sumInts(v []int) int {
	s := 0
	for _, x := range v {
		s += x
	}
	return s
}

// lloyd runs Lloyd's iteration (Lloyd 1982, "Least squares quantization in
// PCM") from the given centres, which it takes over. labels, when not nil,
// are the labels of the iteration before start (which Hamerly's iteration
// hands over when its bounds stop paying); nil starts afresh at start = 1.
func (f *fitter) lloyd(centers []float64, labels []int32, start, maxIter int) (*run, error) {
	n, d, k := f.n, f.d, f.k
	if labels == nil {
		labels = make([]int32, n)
		for i := range labels {
			labels[i] = -1
		}
	}
	var dist []float64 // Lloyd's distances, computed only to fill an empty cluster
	cnorm := make([]float64, k)
	m := f.newMstep()
	newCenters := make([]float64, k*d)
	r := &run{labels: labels, iterations: start - 1}
	pc := new(kernel.Centres)
	for it := start; it <= maxIter; it++ {
		kernel.SqNorms(cnorm, centers, d)
		pc.Pack(centers, cnorm, d)
		if err := f.parallel(func(c, lo, hi int) {
			m.changed[c] = f.assignAdd(pc, m, c, lo, hi, labels)
		}); err != nil {
			return nil, err
		}
		nch := sumInts(m.changed)
		shift, moved, err := f.update(m, newCenters, centers, labels, func() ([]float64, error) {
			if dist == nil {
				dist = make([]float64, n)
			}
			return f.lloydDist(dist, centers, cnorm)
		})
		if err != nil {
			return nil, err
		}
		centers, newCenters = newCenters, centers
		r.iterations = it
		f.progress("iteration", it, maxIter)
		if nch == 0 && len(moved) == 0 {
			r.converged = true
			break
		}
		if f.tolAbs > 0 && shift <= f.tolAbs {
			r.converged = true
			break
		}
	}
	r.centers = centers
	// Labels equal the final centres' unless the run stopped on MaxIter or
	// Tol.
	if err := f.finish(r, !r.converged || f.tolAbs > 0); err != nil {
		return nil, err
	}
	return r, nil
}

// finish assigns every row to its nearest final centre when assign is set
// (the labels are otherwise those of the final centres already) and
// computes the inertia directly, as Σ w·Σ(x−c)².
func (f *fitter) finish(r *run, assign bool) error {
	d, k := f.d, f.k
	cnorm := make([]float64, k)
	kernel.SqNorms(cnorm, r.centers, d)
	var pc kernel.Centres
	pc.Pack(r.centers, cnorm, d)
	part := make([]float64, f.nChunks)
	if err := f.parallel(func(c, lo, hi int) {
		if assign {
			var xn []float64 // nil: the kernel does without
			if f.xnorm != nil {
				xn = f.xnorm[lo:hi]
			}
			pc.Nearest(r.labels[lo:hi], nil, f.x[lo*d:hi*d], xn)
		}
		var s float64
		for i := lo; i < hi; i++ {
			l := int(r.labels[i])
			s += f.weight(i) * kernel.SqDist(f.x[i*d:(i+1)*d], r.centers[l*d:(l+1)*d])
		}
		part[c] = s
	}); err != nil {
		return err
	}
	r.inertia = 0
	for _, s := range part {
		r.inertia += s
	}
	return nil
}
