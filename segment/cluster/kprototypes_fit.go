package cluster

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// kpData is validated k-prototypes input: numeric values row-major with a
// stride (read in place from a *mat.Dense), codes row-major (copied),
// weights (nil: all 1) and, per categorical column, one more than its
// largest code.
type kpData struct {
	n, p, m int
	num     []float64
	stride  int
	cat     []int32
	w       []float64
	levels  []int
}

func (d *kpData) numRow(i int) []float64 { return d.num[i*d.stride : i*d.stride+d.p] }
func (d *kpData) catRow(i int) []int32   { return d.cat[i*d.m : (i+1)*d.m] }

func (d *kpData) weight(i int) float64 {
	if d.w == nil {
		return 1
	}
	return d.w[i]
}

// kpReadData validates and reads the inputs of KPrototypes and PredictTo.
func kpReadData(num mat.Matrix, cat [][]int32, w []float64) (*kpData, error) {
	d := &kpData{}
	hasNum := !ppNilMatrix(num)
	if hasNum {
		if r, c := num.Dims(); r == 0 && c == 0 {
			hasNum = false
		}
	}
	if !hasNum && cat == nil {
		return nil, fmt.Errorf("no numeric and no categorical data: %w", ErrInvalidInput)
	}
	if hasNum {
		d.n, d.p = num.Dims()
		d.num, d.stride = ppRowMajor(num)
		for i := range d.n {
			for j, v := range d.numRow(i) {
				if !ppFinite(v) {
					return nil, fmt.Errorf("row %d, numeric column %d is %v: %w", i, j, v, ErrInvalidInput)
				}
			}
		}
	}
	if cat != nil {
		if hasNum && len(cat) != d.n {
			return nil, fmt.Errorf("numeric data has %d rows, categorical %d: %w", d.n, len(cat), ErrInvalidInput)
		}
		d.n = len(cat)
		if d.n == 0 {
			return nil, fmt.Errorf("no rows: %w", ErrInvalidInput)
		}
		d.m = len(cat[0])
		if d.m == 0 {
			return nil, fmt.Errorf("categorical rows have no column: %w", ErrInvalidInput)
		}
		d.cat = make([]int32, d.n*d.m)
		d.levels = make([]int, d.m)
		for i, row := range cat {
			if len(row) != d.m {
				return nil, fmt.Errorf("row %d has %d categorical values, row 0 has %d: %w", i, len(row), d.m, ErrInvalidInput)
			}
			for j, v := range row {
				if v < -1 {
					return nil, fmt.Errorf("row %d, categorical column %d has code %d (codes are ≥ 0, −1 for missing): %w", i, j, v, ErrInvalidInput)
				}
				d.levels[j] = max(d.levels[j], int(v)+1)
			}
			copy(d.cat[i*d.m:], row)
		}
	}
	if d.n == 0 {
		return nil, fmt.Errorf("no rows: %w", ErrInvalidInput)
	}
	if w != nil {
		if len(w) != d.n {
			return nil, fmt.Errorf("%d weights for %d rows: %w", len(w), d.n, ErrInvalidInput)
		}
		var sum float64
		for i, v := range w {
			if !(v >= 0) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("row %d has weight %v (weights are finite and not negative): %w", i, v, ErrInvalidInput)
			}
			sum += v
		}
		if !(sum > 0) || math.IsInf(sum, 0) {
			return nil, fmt.Errorf("weights sum to %v: %w", sum, ErrInvalidInput)
		}
		d.w = w
	}
	return d, nil
}

// countDistinct counts the distinct rows of positive weight, stopping at
// limit.
func (d *kpData) countDistinct(limit int) int {
	seen := make(map[string]struct{}, min(limit, d.n))
	key := make([]byte, 0, 8*d.p+4*d.m)
	for i := range d.n {
		if d.weight(i) <= 0 {
			continue
		}
		key = key[:0]
		for _, v := range d.numRow(i) {
			if v == 0 {
				v = 0 // −0 and +0 are the same value
			}
			key = binary.LittleEndian.AppendUint64(key, math.Float64bits(v))
		}
		for _, v := range d.catRow(i) {
			key = binary.LittleEndian.AppendUint32(key, uint32(v))
		}
		seen[string(key)] = struct{}{}
		if len(seen) >= limit {
			break
		}
	}
	return len(seen)
}

func (d *kpData) sameRow(a, b int) bool {
	return slices.Equal(d.numRow(a), d.numRow(b)) && slices.Equal(d.catRow(a), d.catRow(b))
}

// kpCost is the k-prototypes cost of a row to a prototype.
func kpCost(xn []float64, xc []int32, cn []float64, cm []int32, gamma float64) float64 {
	var s float64
	cn = cn[:len(xn)]
	for j, v := range xn {
		t := v - cn[j]
		s += t * t
	}
	// Count the mismatches without branches, which random codes would
	// mispredict: x^c is non-zero exactly when the codes differ, and the
	// sign bit of ^v is set exactly when v ≥ 0 (not missing).
	var mis uint32
	cm = cm[:len(xc)]
	for j, v := range xc {
		diff := uint32(v ^ cm[j])
		mis += ((diff | -diff) >> 31) & (uint32(^v) >> 31)
	}
	return s + gamma*float64(mis)
}

// kpCostBelow is kpCost when that is below bound, and bound otherwise: it
// skips the categorical part once the numeric part alone reaches bound
// (adding a non-negative number never lowers a float sum, so the choice of
// the cheapest prototype is unchanged).
func kpCostBelow(xn []float64, xc []int32, cn []float64, cm []int32, gamma, bound float64) float64 {
	var s float64
	cn = cn[:len(xn)]
	for j, v := range xn {
		t := v - cn[j]
		s += t * t
	}
	if s >= bound {
		return bound
	}
	var mis uint32
	cm = cm[:len(xc)]
	for j, v := range xc {
		diff := uint32(v ^ cm[j])
		mis += ((diff | -diff) >> 31) & (uint32(^v) >> 31)
	}
	return min(s+gamma*float64(mis), bound)
}

// kpChunkRows is the number of rows per chunk of parallel work; results
// are combined in chunk order, so they do not depend on Workers.
const kpChunkRows = 2048

type kpFitter struct {
	ctx      context.Context
	d        *kpData
	cfg      KPrototypesConfig
	k        int
	gamma    float64
	workers  int
	nChunks  int
	restarts int
	maxIter  int
}

func newKPFitter(ctx context.Context, d *kpData, cfg KPrototypesConfig) *kpFitter {
	f := &kpFitter{ctx: ctx, d: d, cfg: cfg, k: cfg.K, workers: cfg.Workers, restarts: cfg.Restarts, maxIter: cfg.MaxIter}
	if f.workers == 0 {
		f.workers = runtime.GOMAXPROCS(0)
	}
	if f.restarts == 0 {
		f.restarts = 4
		if cfg.Init == InitCao {
			f.restarts = 1
		}
	}
	if f.maxIter == 0 {
		f.maxIter = 100
	}
	f.nChunks = (d.n + kpChunkRows - 1) / kpChunkRows
	f.gamma = cfg.Gamma
	if f.gamma == 0 {
		f.gamma = kpAutoGamma(d, cfg.GammaScale)
	}
	return f
}

// kpAutoGamma is scale (0: 0.5) times the mean weighted standard deviation
// of the numeric columns, or 1 when that is 0 or there is no numeric column.
func kpAutoGamma(d *kpData, scale float64) float64 {
	if scale == 0 {
		scale = 0.5
	}
	if d.p == 0 {
		return 1
	}
	var wsum float64
	mean := make([]float64, d.p)
	for i := range d.n {
		w := d.weight(i)
		wsum += w
		for j, v := range d.numRow(i) {
			mean[j] += w * v
		}
	}
	for j := range mean {
		mean[j] /= wsum
	}
	ss := make([]float64, d.p)
	for i := range d.n {
		w := d.weight(i)
		for j, v := range d.numRow(i) {
			ss[j] += w * (v - mean[j]) * (v - mean[j])
		}
	}
	var sd float64
	for _, s := range ss {
		sd += math.Sqrt(s / wsum)
	}
	g := scale * sd / float64(d.p)
	if !(g > 0) || math.IsInf(g, 0) {
		return 1
	}
	return g
}

// parallel calls fn(t) for every task t < tasks over f.workers goroutines,
// checking the context before each task.
func (f *kpFitter) parallel(tasks int, fn func(t int)) error {
	if err := f.ctx.Err(); err != nil {
		return fmt.Errorf("cluster: k-prototypes: %w", err)
	}
	nw := min(f.workers, tasks)
	if nw <= 1 {
		for t := range tasks {
			if err := f.ctx.Err(); err != nil {
				return fmt.Errorf("cluster: k-prototypes: %w", err)
			}
			fn(t)
		}
		return nil
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range nw {
		wg.Go(func() {
			for {
				t := int(next.Add(1) - 1)
				if t >= tasks || f.ctx.Err() != nil {
					return
				}
				fn(t)
			}
		})
	}
	wg.Wait()
	if err := f.ctx.Err(); err != nil {
		return fmt.Errorf("cluster: k-prototypes: %w", err)
	}
	return nil
}

// chunk returns the rows of chunk c.
func (f *kpFitter) chunk(c int) (lo, hi int) {
	lo = c * kpChunkRows
	return lo, min(lo+kpChunkRows, f.d.n)
}

func (f *kpFitter) progress(stage string, done, total int) {
	if f.cfg.Progress != nil {
		f.cfg.Progress(Progress{Method: "kprototypes", Stage: stage, Done: done, Total: total})
	}
}

// kpRun is the state of one run: prototypes (centres k×p, modes k×m), the
// labels and per-row costs, and the result.
type kpRun struct {
	centers    []float64
	modes      []int32
	labels     []int32
	dist       []float64
	cost       float64
	iterations int
	converged  bool
}

func (f *kpFitter) fit() (*KPrototypesModel, error) {
	var best *kpRun
	for r := range f.restarts {
		f.progress("restart", r, f.restarts)
		rng := rand.New(rand.NewPCG(f.cfg.Seed, 0x6b70726f746f0000+uint64(r)))
		var run *kpRun
		var err error
		if f.cfg.Init == InitCao {
			run, err = f.seedCao()
		} else {
			run, err = f.seed(rng)
		}
		if err != nil {
			return nil, err
		}
		if err := f.lloyd(run); err != nil {
			return nil, err
		}
		if best == nil || run.cost < best.cost {
			best = run
		}
	}
	f.progress("restart", f.restarts, f.restarts)
	if !ppFinite(best.cost) || slices.ContainsFunc(best.centers, func(v float64) bool { return !ppFinite(v) }) {
		return nil, fmt.Errorf("cluster: k-prototypes: numeric values too large: a centre or the cost overflows (scale the data first): %w", ErrInvalidInput)
	}
	return f.model(best), nil
}

func (f *kpFitter) model(r *kpRun) *KPrototypesModel {
	d, k := f.d, f.k
	m := &KPrototypesModel{
		Version:    KPrototypesModelVersion,
		Centers:    make([][]float64, k),
		Modes:      make([][]int32, k),
		Gamma:      f.gamma,
		Sizes:      make([]float64, k),
		Cost:       r.cost,
		Iterations: r.iterations,
		Converged:  r.converged,
		Config:     f.cfg,
	}
	m.Config.Progress = nil
	for c := range k {
		m.Centers[c] = slices.Clone(r.centers[c*d.p : (c+1)*d.p])
		m.Modes[c] = slices.Clone(r.modes[c*d.m : (c+1)*d.m])
		if m.Centers[c] == nil {
			m.Centers[c] = []float64{}
		}
		if m.Modes[c] == nil {
			m.Modes[c] = []int32{}
		}
	}
	for i, l := range r.labels {
		m.Sizes[l] += d.weight(i)
	}
	return m
}

// setPrototype makes row i the prototype of cluster c.
func (f *kpFitter) setPrototype(r *kpRun, c, i int) {
	d := f.d
	copy(r.centers[c*d.p:(c+1)*d.p], d.numRow(i))
	copy(r.modes[c*d.m:(c+1)*d.m], d.catRow(i))
}

// rowCost is the cost of row i to prototype c of run r.
func (f *kpFitter) rowCost(r *kpRun, i, c int) float64 {
	d := f.d
	return kpCost(d.numRow(i), d.catRow(i), r.centers[c*d.p:(c+1)*d.p], r.modes[c*d.m:(c+1)*d.m], f.gamma)
}

// seed chooses K rows as the first prototypes by greedy k-means++ on the
// mixed cost: each new prototype is the best (lowest total cost) of
// 2+⌊ln K⌋ rows sampled with probability proportional to weight times cost
// to the nearest prototype so far.
func (f *kpFitter) seed(rng *rand.Rand) (*kpRun, error) {
	d, k := f.d, f.k
	r := &kpRun{
		centers: make([]float64, k*d.p),
		modes:   make([]int32, k*d.m),
		labels:  make([]int32, d.n),
		dist:    make([]float64, d.n),
	}
	chosen := make([]int, 0, k)
	// First prototype: a row drawn by weight.
	first := f.drawByWeight(rng)
	f.setPrototype(r, 0, first)
	chosen = append(chosen, first)
	if err := f.parallel(f.nChunks, func(c int) {
		lo, hi := f.chunk(c)
		for i := lo; i < hi; i++ {
			r.dist[i] = f.rowCost(r, i, 0)
		}
	}); err != nil {
		return nil, err
	}
	trials := 2 + int(math.Log(float64(k)))
	mass := make([]float64, f.nChunks)
	pot := make([]float64, f.nChunks*trials)
	cand := make([]int, trials)
	for c := 1; c < k; c++ {
		f.progress("seeding", c, k)
		if err := f.parallel(f.nChunks, func(ch int) {
			lo, hi := f.chunk(ch)
			var s float64
			for i := lo; i < hi; i++ {
				s += d.weight(i) * r.dist[i]
			}
			mass[ch] = s
		}); err != nil {
			return nil, err
		}
		var total float64
		for _, s := range mass {
			total += s
		}
		if !(total > 0) {
			// Every row of positive weight costs nothing to some prototype
			// (rows differing only where codes are missing): take the first
			// row that differs from every prototype.
			i := f.firstNew(chosen)
			f.setPrototype(r, c, i)
			chosen = append(chosen, i)
			continue
		}
		for t := range cand {
			cand[t] = f.drawByMass(rng, mass, total, r.dist)
		}
		if err := f.parallel(f.nChunks, func(ch int) {
			lo, hi := f.chunk(ch)
			for t, ci := range cand {
				xn, xc := d.numRow(ci), d.catRow(ci)
				var s float64
				for i := lo; i < hi; i++ {
					v := kpCostBelow(d.numRow(i), d.catRow(i), xn, xc, f.gamma, r.dist[i])
					s += d.weight(i) * v
				}
				pot[ch*trials+t] = s
			}
		}); err != nil {
			return nil, err
		}
		bestT, bestPot := 0, math.Inf(1)
		for t := range cand {
			var s float64
			for ch := range f.nChunks {
				s += pot[ch*trials+t]
			}
			if s < bestPot {
				bestT, bestPot = t, s
			}
		}
		f.setPrototype(r, c, cand[bestT])
		chosen = append(chosen, cand[bestT])
		if err := f.parallel(f.nChunks, func(ch int) {
			lo, hi := f.chunk(ch)
			for i := lo; i < hi; i++ {
				r.dist[i] = kpCostBelow(d.numRow(i), d.catRow(i), r.centers[c*d.p:(c+1)*d.p], r.modes[c*d.m:(c+1)*d.m], f.gamma, r.dist[i])
			}
		}); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// seedCao chooses K rows as the first prototypes by Cao, Liang and Bai's
// (2009) density-based method, on the mixed cost.
func (f *kpFitter) seedCao() (*kpRun, error) {
	d, k := f.d, f.k
	r := &kpRun{
		centers: make([]float64, k*d.p),
		modes:   make([]int32, k*d.m),
		labels:  make([]int32, d.n),
		dist:    make([]float64, d.n),
	}
	// Weighted level frequencies, then each row's density: the mean, over
	// its non-missing columns, of the frequency of its level.
	freq := make([][]float64, d.m)
	var wsum float64
	for j := range freq {
		freq[j] = make([]float64, d.levels[j])
	}
	for i := range d.n {
		w := d.weight(i)
		wsum += w
		for j, v := range d.catRow(i) {
			if v >= 0 {
				freq[j][v] += w
			}
		}
	}
	dens := make([]float64, d.n)
	for i := range d.n {
		if d.weight(i) <= 0 {
			continue
		}
		var s float64
		obs := 0
		for j, v := range d.catRow(i) {
			if v >= 0 {
				s += freq[j][v]
				obs++
			}
		}
		if obs > 0 {
			dens[i] = s / (float64(obs) * wsum)
		}
	}
	chosen := make([]int, 0, k)
	first, bestD := -1, -1.0
	for i, v := range dens {
		if d.weight(i) > 0 && v > bestD {
			first, bestD = i, v
		}
	}
	f.setPrototype(r, 0, first)
	chosen = append(chosen, first)
	for i := range r.dist {
		r.dist[i] = math.Inf(1)
	}
	bestV := make([]float64, f.nChunks)
	bestI := make([]int, f.nChunks)
	for c := 1; c < k; c++ {
		f.progress("seeding", c, k)
		if err := f.parallel(f.nChunks, func(ch int) {
			lo, hi := f.chunk(ch)
			bv, bi := 0.0, -1
			for i := lo; i < hi; i++ {
				r.dist[i] = kpCostBelow(d.numRow(i), d.catRow(i), r.centers[(c-1)*d.p:c*d.p], r.modes[(c-1)*d.m:c*d.m], f.gamma, r.dist[i])
				if v := r.dist[i] * dens[i]; d.weight(i) > 0 && v > bv {
					bv, bi = v, i
				}
			}
			bestV[ch], bestI[ch] = bv, bi
		}); err != nil {
			return nil, err
		}
		next, nv := -1, 0.0
		for ch := range f.nChunks {
			if bestI[ch] >= 0 && bestV[ch] > nv {
				next, nv = bestI[ch], bestV[ch]
			}
		}
		if next < 0 {
			next = f.firstNew(chosen)
		}
		f.setPrototype(r, c, next)
		chosen = append(chosen, next)
	}
	return r, nil
}

// drawByWeight draws a row with probability proportional to its weight.
func (f *kpFitter) drawByWeight(rng *rand.Rand) int {
	d := f.d
	if d.w == nil {
		return rng.IntN(d.n)
	}
	var total float64
	for _, v := range d.w {
		total += v
	}
	u := rng.Float64() * total
	last := 0
	var acc float64
	for i, v := range d.w {
		if v <= 0 {
			continue
		}
		acc += v
		last = i
		if acc > u {
			return i
		}
	}
	return last
}

// drawByMass draws a row with probability proportional to weight times
// dist, using the per-chunk masses.
func (f *kpFitter) drawByMass(rng *rand.Rand, mass []float64, total float64, dist []float64) int {
	u := rng.Float64() * total
	var acc float64
	last := -1
	for ch, s := range mass {
		if s <= 0 {
			continue
		}
		if acc+s <= u && ch != len(mass)-1 {
			acc += s
			continue
		}
		lo, hi := f.chunk(ch)
		for i := lo; i < hi; i++ {
			v := f.d.weight(i) * dist[i]
			if v <= 0 {
				continue
			}
			acc += v
			last = i
			if acc > u {
				return i
			}
		}
	}
	if last < 0 {
		// Rounding left u beyond the last row: take the last row of
		// positive mass.
		for i := f.d.n - 1; i >= 0; i-- {
			if f.d.weight(i)*dist[i] > 0 {
				return i
			}
		}
	}
	return last
}

// firstNew returns the first row of positive weight equal to no chosen row.
func (f *kpFitter) firstNew(chosen []int) int {
	for i := range f.d.n {
		if f.d.weight(i) <= 0 {
			continue
		}
		if !slices.ContainsFunc(chosen, func(c int) bool { return f.d.sameRow(i, c) }) {
			return i
		}
	}
	return chosen[0] // unreachable: there are at least K distinct rows
}

// lloyd alternates assignment and prototype updates until no row moves.
func (f *kpFitter) lloyd(r *kpRun) error {
	d, k := f.d, f.k
	for i := range r.labels {
		r.labels[i] = -1
	}
	changed := make([]int, f.nChunks)
	costs := make([]float64, f.nChunks)
	assign := func() (int, error) {
		err := f.parallel(f.nChunks, func(ch int) {
			lo, hi := f.chunk(ch)
			moved := 0
			var s float64
			for i := lo; i < hi; i++ {
				xn, xc := d.numRow(i), d.catRow(i)
				best, bestD := 0, math.Inf(1)
				for c := range k {
					v := kpCostBelow(xn, xc, r.centers[c*d.p:(c+1)*d.p], r.modes[c*d.m:(c+1)*d.m], f.gamma, bestD)
					if v < bestD {
						best, bestD = c, v
					}
				}
				if int32(best) != r.labels[i] {
					r.labels[i] = int32(best)
					moved++
				}
				r.dist[i] = bestD
				s += d.weight(i) * bestD
			}
			changed[ch], costs[ch] = moved, s
		})
		if err != nil {
			return 0, err
		}
		moved := 0
		r.cost = 0
		for ch := range f.nChunks {
			moved += changed[ch]
			r.cost += costs[ch]
		}
		return moved, nil
	}
	wsum := make([]float64, k)
	counts := make([][]float64, d.m)
	for j := range counts {
		counts[j] = make([]float64, k*d.levels[j])
	}
	r.converged = false
	for it := 1; it <= f.maxIter+1; it++ {
		moved, err := assign()
		if err != nil {
			return err
		}
		if moved == 0 {
			r.converged = true
			break
		}
		if it > f.maxIter {
			break
		}
		f.repairEmpty(r, wsum)
		if err := f.update(r, wsum, counts); err != nil {
			return err
		}
		r.iterations = it
		f.progress("iteration", it, f.maxIter)
	}
	return nil
}

// repairEmpty computes the weight of each cluster into wsum and gives each
// cluster of zero weight the row of highest cost among the clusters of more
// than one row of positive weight.
func (f *kpFitter) repairEmpty(r *kpRun, wsum []float64) {
	d, k := f.d, f.k
	rows := make([]int, k)
	clear(wsum)
	for i, l := range r.labels {
		if w := d.weight(i); w > 0 {
			wsum[l] += w
			rows[l]++
		}
	}
	var taken []int
	for c := range k {
		if rows[c] > 0 {
			continue
		}
		best, bestD := -1, 0.0
		for i, l := range r.labels {
			if rows[l] < 2 || d.weight(i) <= 0 || r.dist[i] <= bestD {
				continue
			}
			if slices.ContainsFunc(taken, func(t int) bool { return d.sameRow(i, t) }) {
				continue
			}
			best, bestD = i, r.dist[i]
		}
		if best < 0 {
			continue // no row to spare; the cluster keeps its prototype
		}
		old := r.labels[best]
		w := d.weight(best)
		wsum[old] -= w
		rows[old]--
		r.labels[best] = int32(c)
		r.dist[best] = 0
		wsum[c] = w
		rows[c] = 1
		taken = append(taken, best)
	}
	// Recompute the sums in row order so they do not depend on repairs.
	clear(wsum)
	for i, l := range r.labels {
		wsum[l] += d.weight(i)
	}
}

// update recomputes the prototypes from the labels: one task per column,
// each summing its rows in row order, so the result does not depend on
// Workers. A cluster of zero weight keeps its prototype.
func (f *kpFitter) update(r *kpRun, wsum []float64, counts [][]float64) error {
	d, k := f.d, f.k
	return f.parallel(d.p+d.m, func(t int) {
		if t < d.p {
			sums := make([]float64, k)
			for i, l := range r.labels {
				sums[l] += d.weight(i) * d.num[i*d.stride+t]
			}
			for c := range k {
				if wsum[c] > 0 {
					r.centers[c*d.p+t] = sums[c] / wsum[c]
				}
			}
			return
		}
		j := t - d.p
		L := d.levels[j]
		cnt := counts[j]
		clear(cnt)
		for i, l := range r.labels {
			if v := d.cat[i*d.m+j]; v >= 0 {
				cnt[int(l)*L+int(v)] += d.weight(i)
			}
		}
		for c := range k {
			if !(wsum[c] > 0) {
				continue
			}
			mode, best := int32(-1), 0.0
			for v, x := range cnt[c*L : (c+1)*L] {
				if x > best {
					mode, best = int32(v), x
				}
			}
			r.modes[c*d.m+j] = mode
		}
	})
}
