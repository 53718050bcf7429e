package cluster

import (
	"math"
	"math/rand/v2"

	"github.com/strataseg/strata/segment/internal/kernel"
)

// swapStream is the PCG stream of the refinement's random numbers; the
// restarts use streams 0, 1, 2…
const swapStream = 1 << 40

// swapState is the refinement's view of the current solution: each row's
// nearest and second-nearest squared distances (GEMM form), enough to
// price any single swap of a centre exactly with the centres held fixed.
type swapState struct {
	cur      *run
	d1, d2   []float64
	chunkPot []float64 // Σ w·d1 per chunk
	base     float64   // Σ w·d1
	perm     []int32   // rows grouped by cluster
	start    []int     // cluster j's rows are perm[start[j]:start[j+1]]
	removal  []float64 // Σ w·(d2−d1) over cluster j: the cost of removing centre j
	reach    []float64 // max √d1+√d2 over cluster j: rows beyond it cannot gain
}

func (f *fitter) swapRefresh(s *swapState) error {
	f.norms()
	d, k := f.d, f.k
	cnorm := make([]float64, k)
	kernel.SqNorms(cnorm, s.cur.centers, d)
	var pc kernel.Centres
	pc.Pack(s.cur.centers, cnorm, d)
	labels := make([]int32, f.n)
	if err := f.parallel(func(c, lo, hi int) {
		pc.Nearest2(labels[lo:hi], s.d1[lo:hi], s.d2[lo:hi], f.x[lo*d:hi*d], f.xnorm[lo:hi])
		var p float64
		for i := lo; i < hi; i++ {
			p += f.weight(i) * s.d1[i]
		}
		s.chunkPot[c] = p
	}); err != nil {
		return err
	}
	s.base = 0
	for _, p := range s.chunkPot {
		s.base += p
	}
	// The run's labels come from the same kernel, so they agree with d1.
	clear(s.start)
	clear(s.removal)
	clear(s.reach)
	for i, l := range s.cur.labels {
		s.start[l+1]++
		if wi := f.weight(i); wi > 0 {
			s.removal[l] += wi * (s.d2[i] - s.d1[i])
			s.reach[l] = max(s.reach[l], math.Sqrt(s.d1[i])+math.Sqrt(s.d2[i]))
		}
	}
	for j := range k {
		s.start[j+1] += s.start[j]
	}
	next := append([]int(nil), s.start[:k]...)
	for i, l := range s.cur.labels {
		s.perm[next[l]] = int32(i)
		next[l]++
	}
	return nil
}

// refine improves a converged run by swaps (Fränti 2018, "Efficiency of
// random swap clustering", Journal of Big Data 5:13): a centre is moved to
// a row, k-means is run from there, and the result is kept when its inertia
// is lower.
//
// Most trials are cheap: the new location is drawn with probability
// proportional to weight times squared distance to the nearest centre, the
// centre it replaces is the one whose removal, priced exactly with the
// other centres fixed, costs least (the local-search step of Lattanzi and
// Sohler 2019, "A better k-means++ algorithm via local search", ICML), and
// k-means only runs when that fixed-centre price is a gain; only the
// clusters near the new location are visited. After patience unfruitful
// trials in a row (or trials in all), up to rsTrials trials of Fränti's
// original kind follow, where two k-means iterations decide; a success
// there resumes the cheap trials. The whole refinement stops once its work
// reaches that of swapBudget Lloyd iterations over all rows.
func (f *fitter) refine(best *run, trials, patience, rsTrials int) (*run, error) {
	f.norms()
	n, d, k := f.n, f.d, f.k
	if k < 2 || (trials == 0 && rsTrials == 0) {
		return best, nil
	}
	rng := rand.New(rand.NewPCG(f.cfg.Seed, swapStream))
	s := &swapState{
		cur:      best,
		d1:       make([]float64, n),
		d2:       make([]float64, n),
		chunkPot: make([]float64, f.nChunks),
		perm:     make([]int32, n),
		start:    make([]int, k+1),
		removal:  make([]float64, k),
		reach:    make([]float64, k),
	}
	if err := f.swapRefresh(s); err != nil {
		return nil, err
	}
	ev := newSwapEval(f, s)
	alg := f.algorithm()
	if alg == MiniBatch {
		alg = Hamerly
	}
	y := make([]float64, d)
	idle, t := 0, 0
	// The refinement's work, in row–centre distance computations, is capped
	// at budget iterations of Lloyd over all rows.
	work, limit := 0.0, f.swapBudget()*float64(n)*float64(k)
	for {
		if work > limit {
			break
		}
		rs := idle >= patience || t >= trials
		if rs {
			if rsTrials == 0 {
				break
			}
			rsTrials--
		} else {
			t++
		}
		f.progress("swap", t, trials)
		yi := f.sample(rng, s.d1, s.chunkPot, false)
		if yi < 0 {
			break // every row sits on a centre
		}
		copy(y, f.x[yi*d:(yi+1)*d])
		jBest, gain, err := ev.price(y)
		if err != nil {
			return nil, err
		}
		work += float64(len(ev.visit) + k)
		if !rs && !(gain < -1e-12*s.base) {
			idle++
			continue
		}
		if rs && rng.IntN(2) == 0 {
			jBest = rng.IntN(k) // Fränti's uniform choice, half the time
		}
		centers := append([]float64(nil), s.cur.centers...)
		copy(centers[jBest*d:(jBest+1)*d], y)
		if rs {
			res, err := f.iterate(centers, alg, 2)
			if err != nil {
				return nil, err
			}
			work += float64(res.iterations+1) * float64(n) * float64(k)
			if !(res.inertia < s.cur.inertia) {
				continue
			}
			centers = res.centers
		}
		res, err := f.iterate(centers, alg, f.maxIter())
		if err != nil {
			return nil, err
		}
		// Counted as Lloyd iterations, though the bounds skip most of it.
		work += float64(res.iterations+1) * float64(n) * float64(k)
		if !(res.inertia < s.cur.inertia) {
			if !rs {
				idle++
			}
			continue
		}
		idle = 0
		s.cur = res
		if err := f.swapRefresh(s); err != nil {
			return nil, err
		}
	}
	return s.cur, nil
}

// swapBudget is the refinement's cap, in Lloyd iterations' worth of work:
// about what ten restarts of 10 iterations cost. On the benchmark sets the
// refinement used 65 to 85.
func (f *fitter) swapBudget() float64 { return 100 }

// swapEval prices swaps: for a new location y, the change of the
// fixed-centre cost when y replaces centre j, for every j at once.
type swapEval struct {
	f       *fitter
	s       *swapState
	visit   []int32 // rows to visit, grouped by cluster
	blockSz int
	gainA   []float64   // per block: Σ w·(dy−d1) over rows with dy < d1
	corr    [][]float64 // per block and cluster: the removal cost's correction
}

func newSwapEval(f *fitter, s *swapState) *swapEval {
	e := &swapEval{f: f, s: s, visit: make([]int32, 0, f.n), blockSz: f.chunkRows}
	e.gainA = make([]float64, f.nChunks)
	e.corr = make([][]float64, f.nChunks)
	for b := range e.corr {
		e.corr[b] = make([]float64, f.k)
	}
	return e
}

// price returns the centre whose replacement by y lowers the fixed-centre
// cost most (ties to the lower index) and that change of cost.
func (e *swapEval) price(y []float64) (int, float64, error) {
	f, s := e.f, e.s
	d, k := f.d, f.k
	// Rows of cluster j are at least ‖c_j−y‖ − √d1 from y; when that is
	// beyond √d2 for all of them, the cluster keeps its removal cost and
	// adds nothing.
	e.visit = e.visit[:0]
	for j := range k {
		dc := math.Sqrt(kernel.SqDist(s.cur.centers[j*d:(j+1)*d], y))
		if dc < s.reach[j]*(1+1e-9) {
			e.visit = append(e.visit, s.perm[s.start[j]:s.start[j+1]]...)
		}
	}
	m := len(e.visit)
	nb := (m + e.blockSz - 1) / e.blockSz
	labels := s.cur.labels
	do := func(b int) {
		lo, hi := b*e.blockSz, min((b+1)*e.blockSz, m)
		var ga float64
		cr := e.corr[b]
		clear(cr)
		for _, i32 := range e.visit[lo:hi] {
			i := int(i32)
			wi := f.weight(i)
			if wi == 0 {
				continue
			}
			d1, d2 := s.d1[i], s.d2[i]
			dy := sqDist(f.x[i*d:(i+1)*d], y)
			if dy >= d2 {
				continue
			}
			if dy < d1 {
				ga += wi * (dy - d1)
				// Removing the row's centre costs nothing more: y serves it.
				cr[labels[i]] -= wi * (d2 - d1)
			} else {
				cr[labels[i]] += wi * (dy - d2)
			}
		}
		e.gainA[b] = ga
	}
	if err := f.parallelBlocks(nb, do); err != nil {
		return 0, 0, err
	}
	var ga float64
	for b := range nb {
		ga += e.gainA[b]
	}
	jBest, best := 0, math.Inf(1)
	for j := range k {
		c := s.removal[j]
		for b := range nb {
			c += e.corr[b][j]
		}
		if c < best {
			jBest, best = j, c
		}
	}
	return jBest, ga + best, nil
}

// swapTrials is the automatic number of cheap swap trials, the number of
// unfruitful ones in a row after which they stop, and the number of
// Fränti trials that follow.
func (f *fitter) swapTrials() (trials, patience, rsTrials int) {
	trials = f.cfg.Refine.Trials
	if trials == 0 {
		trials = max(100, 20*f.k)
	}
	patience = max(50, int(4*float64(f.k)*math.Log(float64(f.k)+1)))
	// Fränti trials cost two k-means iterations each: up to 20 of them,
	// fewer when n·k passes 5·10⁶.
	rsTrials = min(20, max(1, int(1e8/(float64(f.n)*float64(f.k)))))
	return trials, patience, rsTrials
}
