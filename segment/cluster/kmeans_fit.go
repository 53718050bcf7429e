package cluster

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/strataseg/strata/segment/internal/kernel"
)

// Defaults of KMeansConfig's zero fields.
const (
	defaultMaxIter   = 300
	defaultBatchSize = 1024
	defaultRestarts  = 10
	maxChunks        = 64
	minChunkRows     = 1024
)

// fitter holds one KMeans call's data and settings.
type fitter struct {
	ctx     context.Context
	x       []float64 // n×d row-major, never modified
	n, d, k int
	w       []float64 // nil: every row weighs 1
	cfg     KMeansConfig
	workers int

	chunkRows, nChunks int
	tolAbs             float64   // absolute centre-shift tolerance; 0: exact only
	xnorm              []float64 // ‖x_i‖², as the kernels compute it; nil until norms
}

func newFitter(ctx context.Context, x []float64, n, d int, w []float64, cfg KMeansConfig) *fitter {
	f := &fitter{ctx: ctx, x: x, n: n, d: d, k: cfg.K, w: w, cfg: cfg}
	f.workers = cfg.Workers
	if f.workers == 0 {
		f.workers = runtime.GOMAXPROCS(0)
	}
	f.chunkRows = max(minChunkRows, (n+maxChunks-1)/maxChunks)
	f.nChunks = (n + f.chunkRows - 1) / f.chunkRows
	if cfg.Tol > 0 {
		f.tolAbs = cfg.Tol * f.meanVariance()
	}
	return f
}

// norms computes f.xnorm if it is not there yet. Lloyd's and Hamerly's
// iterations do without it (8 bytes per row); Elkan's bounds, the swaps,
// the mini-batches and the refill of an empty cluster need it. It must be
// called outside parallel sections.
func (f *fitter) norms() {
	if f.xnorm != nil {
		return
	}
	f.xnorm = make([]float64, f.n)
	kernel.SqNorms(f.xnorm, f.x, f.d)
}

func (f *fitter) weight(i int) float64 {
	if f.w == nil {
		return 1
	}
	return f.w[i]
}

// meanVariance is the mean over columns of the (unweighted) variance.
func (f *fitter) meanVariance() float64 {
	mean := make([]float64, f.d)
	for i := range f.n {
		for j, v := range f.x[i*f.d : (i+1)*f.d] {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(f.n)
	}
	var s float64
	for i := range f.n {
		for j, v := range f.x[i*f.d : (i+1)*f.d] {
			dv := v - mean[j]
			s += dv * dv
		}
	}
	return s / float64(f.n*f.d)
}

// parallel calls fn for every chunk of rows, over f.workers goroutines,
// checking the context before each chunk. fn must only write to state of
// its own chunk. It returns an error wrapping the context's error when the
// context is done.
func (f *fitter) parallel(fn func(c, lo, hi int)) error {
	if err := f.ctx.Err(); err != nil {
		return wrapCtx(err)
	}
	nw := min(f.workers, f.nChunks)
	if nw <= 1 {
		for c := range f.nChunks {
			if err := f.ctx.Err(); err != nil {
				return wrapCtx(err)
			}
			lo := c * f.chunkRows
			fn(c, lo, min(lo+f.chunkRows, f.n))
		}
		return nil
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range nw {
		wg.Go(func() {
			for {
				c := int(next.Add(1) - 1)
				if c >= f.nChunks || f.ctx.Err() != nil {
					return
				}
				lo := c * f.chunkRows
				fn(c, lo, min(lo+f.chunkRows, f.n))
			}
		})
	}
	wg.Wait()
	if err := f.ctx.Err(); err != nil {
		return wrapCtx(err)
	}
	return nil
}

// parallelBlocks calls fn for blocks 0..nb-1 over f.workers goroutines,
// checking the context before each block.
func (f *fitter) parallelBlocks(nb int, fn func(b int)) error {
	if err := f.ctx.Err(); err != nil {
		return wrapCtx(err)
	}
	nw := min(f.workers, nb)
	if nw <= 1 {
		for b := range nb {
			if err := f.ctx.Err(); err != nil {
				return wrapCtx(err)
			}
			fn(b)
		}
		return nil
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range nw {
		wg.Go(func() {
			for {
				b := int(next.Add(1) - 1)
				if b >= nb || f.ctx.Err() != nil {
					return
				}
				fn(b)
			}
		})
	}
	wg.Wait()
	if err := f.ctx.Err(); err != nil {
		return wrapCtx(err)
	}
	return nil
}

// wrapCtx wraps a context's error.
func wrapCtx(err error) error { return fmt.Errorf("cluster: k-means: %w", err) }

func (f *fitter) progress(stage string, done, total int) {
	if f.cfg.Progress != nil {
		f.cfg.Progress(Progress{Method: "kmeans", Stage: stage, Done: done, Total: total})
	}
}

// sqDist is the squared Euclidean distance between a and b.
func sqDist(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		dv := v - b[i]
		s += dv * dv
	}
	return s
}

// run is the outcome of one k-means run.
type run struct {
	centers    []float64 // k×d
	labels     []int32
	inertia    float64
	iterations int
	converged  bool
}

func (f *fitter) fit() (*KMeansModel, error) {
	refine := f.refines()
	restarts := f.cfg.Restarts
	if restarts == 0 {
		switch {
		case f.cfg.Init != nil:
			restarts = 1
		case f.cfg.Algorithm == MiniBatch:
			restarts = 1
		case refine:
			// Swaps find what restarts miss when k is large; when k is
			// small, restarts are cheap and explore other basins.
			restarts = min(defaultRestarts, max(1, (100+f.k-1)/f.k))
		default:
			restarts = defaultRestarts
		}
	}
	var best *run
	for r := range restarts {
		rng := rand.New(rand.NewPCG(f.cfg.Seed, uint64(r)))
		var centers []float64
		switch {
		case f.cfg.Algorithm == MiniBatch:
			// miniBatch seeds on a sample.
		case f.cfg.Init != nil:
			centers = make([]float64, 0, f.k*f.d)
			for _, c := range f.cfg.Init {
				centers = append(centers, c...)
			}
		default:
			var err error
			if centers, err = f.seed(rng); err != nil {
				return nil, err
			}
		}
		var res *run
		var err error
		if f.cfg.Algorithm == MiniBatch {
			res, err = f.miniBatch(rng)
		} else {
			res, err = f.iterate(centers, f.algorithm(), f.maxIter())
		}
		if err != nil {
			return nil, err
		}
		if best == nil || res.inertia < best.inertia {
			best = res
		}
		f.progress("restart", r+1, restarts)
	}
	if refine {
		trials, patience, rsTrials := f.swapTrials()
		refined, err := f.refine(best, trials, patience, rsTrials)
		if err != nil {
			return nil, err
		}
		best = refined
	}
	return f.model(best), nil
}

// refines reports whether the fit refines its result with swaps.
func (f *fitter) refines() bool {
	switch f.cfg.Refine.Method {
	case RefineSwap:
		return true
	case RefineNone:
		return false
	}
	return f.cfg.Init == nil && f.cfg.Algorithm != MiniBatch && f.k > 1
}

// model turns a run into a model.
func (f *fitter) model(r *run) *KMeansModel {
	m := &KMeansModel{
		Version:    KMeansModelVersion,
		Centers:    make([][]float64, f.k),
		Sizes:      make([]float64, f.k),
		Inertia:    r.inertia,
		Iterations: r.iterations,
		Converged:  r.converged,
		Config:     f.cfg,
	}
	for j := range f.k {
		m.Centers[j] = append([]float64(nil), r.centers[j*f.d:(j+1)*f.d]...)
	}
	for i, l := range r.labels {
		m.Sizes[l] += f.weight(i)
	}
	return m
}

// seed picks k initial centres by greedy k-means++ (Arthur and
// Vassilvitskii 2007; greedy variant with 2+⌊ln k⌋ candidates per centre as
// scikit-learn does): each new centre is the candidate, drawn with
// probability proportional to weight times squared distance to the nearest
// centre chosen so far, that lowers the potential most.
func (f *fitter) seed(rng *rand.Rand) ([]float64, error) {
	n, d, k := f.n, f.d, f.k
	centers := make([]float64, 0, k*d)
	closest := make([]float64, n)
	chunkPot := make([]float64, f.nChunks)

	// First centre: a row drawn with probability proportional to weight.
	first := f.sample(rng, nil, chunkPot, true)
	centers = append(centers, f.x[first*d:(first+1)*d]...)
	c0 := f.x[first*d : (first+1)*d]
	if err := f.parallel(func(c, lo, hi int) {
		var s float64
		for i := lo; i < hi; i++ {
			closest[i] = sqDist(f.x[i*d:(i+1)*d], c0)
			s += f.weight(i) * closest[i]
		}
		chunkPot[c] = s
	}); err != nil {
		return nil, err
	}
	trials := 2 + int(math.Log(float64(k)))
	cand := make([]int, trials)
	candPot := make([][]float64, f.nChunks) // per chunk, per candidate
	for c := range candPot {
		candPot[c] = make([]float64, trials)
	}
	for j := 1; j < k; j++ {
		for t := range cand {
			cand[t] = f.sample(rng, closest, chunkPot, false)
		}
		if err := f.parallel(func(c, lo, hi int) {
			p := candPot[c]
			clear(p)
			for i := lo; i < hi; i++ {
				row := f.x[i*d : (i+1)*d]
				wi := f.weight(i)
				for t, ci := range cand {
					p[t] += wi * min(closest[i], sqDist(row, f.x[ci*d:(ci+1)*d]))
				}
			}
		}); err != nil {
			return nil, err
		}
		bestT, bestPot := 0, math.Inf(1)
		for t := range cand {
			var s float64
			for c := range candPot {
				s += candPot[c][t]
			}
			if s < bestPot {
				bestT, bestPot = t, s
			}
		}
		bi := cand[bestT]
		cb := f.x[bi*d : (bi+1)*d]
		centers = append(centers, cb...)
		if err := f.parallel(func(c, lo, hi int) {
			var s float64
			for i := lo; i < hi; i++ {
				closest[i] = min(closest[i], sqDist(f.x[i*d:(i+1)*d], cb))
				s += f.weight(i) * closest[i]
			}
			chunkPot[c] = s
		}); err != nil {
			return nil, err
		}
		f.progress("seeding", j+1, k)
	}
	return centers, nil
}

// sample draws a row with probability proportional to weight × mass[i]
// (weight alone when mass is nil). chunkPot holds each chunk's total mass;
// it is filled here when fill is set. Only rows of positive mass are drawn;
// -1 means there is none.
func (f *fitter) sample(rng *rand.Rand, mass, chunkPot []float64, fill bool) int {
	m := func(i int) float64 {
		if mass == nil {
			return f.weight(i)
		}
		return f.weight(i) * mass[i]
	}
	if fill {
		for c := range chunkPot {
			lo := c * f.chunkRows
			var s float64
			for i := lo; i < min(lo+f.chunkRows, f.n); i++ {
				s += m(i)
			}
			chunkPot[c] = s
		}
	}
	var total float64
	for _, s := range chunkPot {
		total += s
	}
	u := rng.Float64() * total
	for c, s := range chunkPot {
		if s <= 0 {
			continue
		}
		if u >= s {
			u -= s
			continue
		}
		lo := c * f.chunkRows
		for i := lo; i < min(lo+f.chunkRows, f.n); i++ {
			mi := m(i)
			if mi <= 0 {
				continue
			}
			if u < mi {
				return i
			}
			u -= mi
		}
		break // rounding: fall back to the last drawable row
	}
	for i := f.n - 1; i >= 0; i-- {
		if m(i) > 0 {
			return i
		}
	}
	return -1
}
