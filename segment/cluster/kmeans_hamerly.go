package cluster

import (
	"math"

	"github.com/strataseg/strata/segment/internal/kernel"
)

// gemmSlack bounds, relative to ‖x‖²+max‖c‖², the rounding error of the
// kernels' GEMM-form scores ‖c‖²−2x·c. The accelerated algorithms skip a
// comparison only when their bounds prove the kernel would make the same
// choice with at least twice this margin, so they give Lloyd's labels.
func (f *fitter) gemmSlack() float64 {
	return 8 * float64(f.d+4) * 0x1p-52
}

// score is the kernels' comparison value ‖c‖² − 2·x·c, bit for bit.
func score(row, c []float64, cn float64) float64 {
	return cn - 2*kernel.Dot(row, c)
}

// hamerlyBlock is the number of rows whose bounds fail that Hamerly's
// iteration collects before searching them in one kernel call.
const hamerlyBlock = 256

// up inflates moves added to or taken from bounds, so that rounding keeps
// them bounds.
const up = 1 + 0x1p-50

// lloydDist writes into dist the squared distances Lloyd's iteration
// would have computed, for the choice of rows to move to empty clusters.
func (f *fitter) lloydDist(dist, centers, cnorm []float64) ([]float64, error) {
	d := f.d
	tmp := make([]int32, f.n)
	var pc kernel.Centres
	pc.Pack(centers, cnorm, d)
	err := f.parallel(func(c, lo, hi int) {
		pc.Nearest(tmp[lo:hi], dist[lo:hi], f.x[lo*d:hi*d], f.xnorm[lo:hi])
	})
	return dist, err
}

// safe reports whether a row whose distance to its centre is at most u and
// to every other centre at least lb is certainly assigned to its centre by
// the kernels, with margin e on the squared distances.
func safe(u, lb, e float64) bool {
	return lb > u && lb*lb-u*u > 2*e
}

// halfMinSep sets s[j] to half the distance from centre j to its nearest
// other centre (+Inf when k = 1).
func halfMinSep(s, centers []float64, k, d int) {
	for j := range k {
		s[j] = math.Inf(1)
	}
	for j := range k {
		cj := centers[j*d : (j+1)*d]
		for q := j + 1; q < k; q++ {
			h := math.Sqrt(kernel.SqDist(cj, centers[q*d:(q+1)*d])) / 2
			s[j] = min(s[j], h)
			s[q] = min(s[q], h)
		}
	}
}

// hamerly runs Lloyd's iteration with Hamerly's bounds (Hamerly 2010,
// "Making k-means even faster", SDM): one upper bound on the distance to
// the assigned centre and one lower bound on the distance to every other
// centre let most rows skip the distance computations. It gives the labels
// and centres of lloyd. When adaptive, it hands over to lloyd once more
// than half the rows need a full search in an iteration (from the second
// on): the bounds then cost more than they save, as on heavily overlapping
// clusters in many dimensions.
func (f *fitter) hamerly(centers []float64, maxIter int, adaptive bool) (*run, error) {
	n, d, k := f.n, f.d, f.k
	labels := make([]int32, n)
	upper := make([]float64, n)
	lower := make([]float64, n)
	d1 := make([]float64, n)
	d2 := make([]float64, n)
	cnorm := make([]float64, k)
	half := make([]float64, k)
	m := f.newMstep()
	newCenters := make([]float64, k*d)
	slack := f.gemmSlack()
	searched := make([]int, f.nChunks)
	r := &run{labels: labels}
	pc := new(kernel.Centres)
	for it := 1; it <= maxIter; it++ {
		kernel.SqNorms(cnorm, centers, d)
		pc.Pack(centers, cnorm, d)
		cmax := 0.0
		for _, v := range cnorm {
			cmax = max(cmax, v)
		}
		halfMinSep(half, centers, k, d)
		first := it == 1
		// Bounds move with the centres: u by its centre's move, l by the
		// largest move of another centre.
		far, farMove, second := -1, 0.0, 0.0
		for j, p := range m.moves {
			if p > farMove {
				far, farMove, second = j, p, farMove
			} else if p > second {
				second = p
			}
		}
		if err := f.parallel(func(c, lo, hi int) {
			ch := 0
			searched[c] = 0
			if first {
				pc.Nearest2(labels[lo:hi], d1[lo:hi], d2[lo:hi], f.x[lo*d:hi*d], f.xnorm[lo:hi])
				for i := lo; i < hi; i++ {
					l := int(labels[i])
					e := slack * (f.xnorm[i] + cmax)
					upper[i] = math.Sqrt(kernel.SqDist(f.x[i*d:(i+1)*d], centers[l*d:(l+1)*d]))
					lower[i] = math.Sqrt(max(d2[i]-e, 0))
				}
				ch = hi - lo
			} else {
				// Rows whose bounds fail are searched a block at a time,
				// gathered by the kernel (Nearest2Rows).
				var pend, prev [hamerlyBlock]int32
				np := 0
				flush := func() {
					if np == 0 {
						return
					}
					searched[c] += np
					pc.Nearest2Rows(pend[:np], labels, d1, d2, f.x, f.xnorm)
					for q, i32 := range pend[:np] {
						i := int(i32)
						e := slack * (f.xnorm[i] + cmax)
						if l := labels[i]; l != prev[q] {
							ch++
							upper[i] = math.Sqrt(kernel.SqDist(f.x[i*d:(i+1)*d], centers[int(l)*d:(int(l)+1)*d]))
						}
						lower[i] = math.Sqrt(max(d2[i]-e, 0))
					}
					np = 0
				}
				for i := lo; i < hi; i++ {
					a := int(labels[i])
					upper[i] += m.moves[a] * up
					if a == far {
						lower[i] -= second * up
					} else {
						lower[i] -= farMove * up
					}
					e := slack * (f.xnorm[i] + cmax)
					u := upper[i]
					lb := max(lower[i], 2*half[a]-u)
					if safe(u, lb, e) {
						continue
					}
					row := f.x[i*d : (i+1)*d]
					u = math.Sqrt(kernel.SqDist(row, centers[a*d:(a+1)*d]))
					upper[i] = u
					lb = max(lower[i], 2*half[a]-u)
					if safe(u, lb, e) {
						continue
					}
					pend[np], prev[np] = int32(i), labels[i]
					np++
					if np == hamerlyBlock {
						flush()
					}
				}
				flush()
			}
			m.changed[c] = ch
			f.accumulate(m, c, lo, hi, labels)
		}); err != nil {
			return nil, err
		}
		nch := sumInts(m.changed)
		shift, moved, err := f.update(m, newCenters, centers, labels, func() ([]float64, error) {
			return f.lloydDist(d1, centers, cnorm)
		})
		if err != nil {
			return nil, err
		}
		for _, i := range moved {
			upper[i], lower[i] = 0, 0
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
		if adaptive && it >= 2 && 2*sumInts(searched) > n {
			return f.lloyd(centers, labels, it+1, maxIter)
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
