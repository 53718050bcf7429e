package cluster

import (
	"math"
	"math/rand/v2"

	"github.com/strataseg/strata/segment/internal/kernel"
)

// Mini-batch defaults: passes over the data, and steps without improvement
// of the smoothed batch inertia after which a run stops (scikit-learn's
// max_no_improvement).
const (
	defaultMiniBatchPasses = 100
	miniBatchPatience      = 10
)

// miniBatch runs mini-batch k-means (Sculley 2010, "Web-scale k-means
// clustering", WWW): each step draws BatchSize rows at random (with
// replacement), assigns them to the nearest centre, and moves each centre
// towards the mean of its rows with a learning rate of the row weight over
// the weight the centre has seen. It seeds with greedy k-means++ on a
// random sample of the rows. Steps stop after MaxIter passes' worth of
// batches, when the exponentially smoothed batch inertia has not improved
// for 10 steps, or (Tol > 0) when the centres' squared shift in a step is
// below the tolerance.
func (f *fitter) miniBatch(rng *rand.Rand) (*run, error) {
	f.norms()
	n, d, k := f.n, f.d, f.k
	batch := f.cfg.BatchSize
	if batch == 0 {
		batch = defaultBatchSize
	}
	batch = min(batch, n)
	passes := f.cfg.MaxIter
	if passes == 0 {
		passes = defaultMiniBatchPasses
	}
	steps := max(1, int(math.Ceil(float64(passes)*float64(n)/float64(batch))))

	var centers []float64
	if f.cfg.Init != nil {
		for _, c := range f.cfg.Init {
			centers = append(centers, c...)
		}
	} else {
		var err error
		if centers, err = f.sampleSeed(rng, max(3*batch, 10*k)); err != nil {
			return nil, err
		}
	}

	idx := make([]int, batch)
	bx := make([]float64, batch*d)
	bn := make([]float64, batch)
	bl := make([]int32, batch)
	bd := make([]float64, batch)
	cnorm := make([]float64, k)
	seen := make([]float64, k) // weight each centre has absorbed
	sums := make([]float64, k*d)
	wsum := make([]float64, k)
	var pc kernel.Centres
	ewa, bestEwa := math.NaN(), math.Inf(1)
	noImprove := 0
	r := &run{}
	alpha := 2 * float64(batch) / float64(n+1)
	sinceReassign := 0
	for step := 1; step <= steps; step++ {
		if step%8 == 1 {
			f.progress("iteration", step, steps)
			if err := f.ctx.Err(); err != nil {
				return nil, wrapCtx(err)
			}
		}
		for b := range idx {
			i := rng.IntN(n)
			idx[b] = i
			copy(bx[b*d:(b+1)*d], f.x[i*d:(i+1)*d])
			bn[b] = f.xnorm[i]
		}
		kernel.SqNorms(cnorm, centers, d)
		pc.Pack(centers, cnorm, d)
		pc.Nearest(bl, bd, bx, bn)
		clear(sums)
		clear(wsum)
		var bInertia, bWeight float64
		for b, i := range idx {
			wi := f.weight(i)
			if wi == 0 {
				continue
			}
			l := int(bl[b])
			wsum[l] += wi
			bInertia += wi * bd[b]
			bWeight += wi
			sl := sums[l*d : (l+1)*d]
			for j, v := range bx[b*d : (b+1)*d] {
				sl[j] += wi * v
			}
		}
		var shift float64
		for j := range k {
			if wsum[j] == 0 {
				continue
			}
			seen[j] += wsum[j]
			cj := centers[j*d : (j+1)*d]
			sj := sums[j*d : (j+1)*d]
			for t := range cj {
				nv := cj[t] + (sj[t]-wsum[j]*cj[t])/seen[j]
				dv := nv - cj[t]
				shift += dv * dv
				cj[t] = nv
			}
		}
		r.iterations = step
		sinceReassign += batch
		if sinceReassign >= 10*k {
			sinceReassign = 0
			f.reassign(rng, centers, seen, idx)
		}
		if bWeight > 0 {
			bi := bInertia / bWeight
			if math.IsNaN(ewa) {
				ewa = bi
			} else {
				ewa = ewa*(1-alpha) + bi*alpha
			}
			if ewa < bestEwa {
				bestEwa, noImprove = ewa, 0
			} else {
				noImprove++
			}
		}
		if f.tolAbs > 0 && shift <= f.tolAbs {
			r.converged = true
			break
		}
		if noImprove >= miniBatchPatience {
			r.converged = true
			break
		}
	}
	r.centers = centers
	r.labels = make([]int32, n)
	if err := f.finish(r, true); err != nil {
		return nil, err
	}
	return r, nil
}

// reassign moves the centres that have absorbed less than 1 % of the
// weight of the busiest one onto random rows of the last batch, as
// scikit-learn's MiniBatchKMeans does, so that centres seeded in sparse
// regions are not wasted. A moved centre starts with the smallest weight
// of the others.
func (f *fitter) reassign(rng *rand.Rand, centers, seen []float64, batch []int) {
	d := f.d
	busiest, least := 0.0, math.Inf(1)
	for _, v := range seen {
		busiest = max(busiest, v)
	}
	var low []int
	for j, v := range seen {
		if v < 0.01*busiest {
			low = append(low, j)
		} else {
			least = min(least, v)
		}
	}
	if len(low) == 0 || math.IsInf(least, 1) {
		return
	}
	low = low[:min(len(low), max(1, len(batch)/2))]
	for _, j := range low {
		i := batch[rng.IntN(len(batch))]
		if f.weight(i) == 0 {
			continue
		}
		copy(centers[j*d:(j+1)*d], f.x[i*d:(i+1)*d])
		seen[j] = least
	}
}

// sampleSeed seeds with greedy k-means++ on size rows drawn at random (by
// weight) without replacement, or on all rows when size ≥ n.
func (f *fitter) sampleSeed(rng *rand.Rand, size int) ([]float64, error) {
	if size >= f.n {
		return f.seed(rng)
	}
	d := f.d
	perm := rng.Perm(f.n)
	var sx, sw []float64
	distinct := 0
	for _, i := range perm {
		if f.weight(i) == 0 {
			continue
		}
		sx = append(sx, f.x[i*d:(i+1)*d]...)
		if f.w != nil {
			sw = append(sw, f.w[i])
		}
		distinct++
		if distinct >= size && countDistinct(sx, distinct, d, sw, f.k) >= f.k {
			break
		}
	}
	sub := newFitter(f.ctx, sx, len(sx)/d, d, sw, f.cfg)
	return sub.seed(rng)
}
