package cluster

import (
	"math"
	"sync"

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

// hamerlyBlock is the number of rows Hamerly's iteration searches in one
// kernel call.
const hamerlyBlock = 64

// hamerlyScratch is the per-goroutine scratch of Hamerly's iteration: the
// rows whose bounds fail, gathered, and the kernel's outputs for them.
type hamerlyScratch struct {
	x      []float64 // hamerlyBlock×d
	xnorm  [hamerlyBlock]float64
	d1, d2 [hamerlyBlock]float64
	labels [hamerlyBlock]int32
}

// up inflates moves added to or taken from bounds, so that rounding keeps
// them bounds.
const up = 1 + 0x1p-50

// lloydDist writes into dist the squared distances Lloyd's iteration
// would have computed, for the choice of rows to move to empty clusters.
func (f *fitter) lloydDist(dist, centers, cnorm []float64) ([]float64, error) {
	d := f.d
	f.norms()
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
// and centres of lloyd. When adaptive (Auto), it hands over to lloyd, from
// the third iteration on, when Auto's cost model (autoCost.keepHamerly)
// projects that the bounds will cost more than they save over the
// iterations to come, as on heavily overlapping clusters.
func (f *fitter) hamerly(centers []float64, maxIter int, adaptive bool) (*run, error) {
	n, d, k := f.n, f.d, f.k
	labels := make([]int32, n)
	// The bounds are float32, rounded outwards (upperBound, lowerBound):
	// 8 bytes per row instead of 16, for the same labels. With the labels,
	// 12 bytes per row: the margin of the bounds needs no stored norms.
	upper := make([]float32, n)
	lower := make([]float32, n)
	var dist []float64 // Lloyd's distances, computed only to fill an empty cluster
	scratch := sync.Pool{New: func() any {
		return &hamerlyScratch{x: make([]float64, hamerlyBlock*d)}
	}}
	cnorm := make([]float64, k)
	cn := make([]float64, k) // ‖c_j‖
	half := make([]float64, k)
	m := f.newMstep()
	newCenters := make([]float64, k*d)
	slack := f.gemmSlack()
	searched := make([]int, f.nChunks)
	tightened := make([]int, f.nChunks)
	cost := newAutoCost(d, k)
	prevS := 1.0
	r := &run{labels: labels}
	pc := new(kernel.Centres)
	for it := 1; it <= maxIter; it++ {
		kernel.SqNorms(cnorm, centers, d)
		pc.Pack(centers, cnorm, d)
		cmax := 0.0
		for j, v := range cnorm {
			cmax = max(cmax, v)
			cn[j] = math.Sqrt(v)
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
			searched[c], tightened[c] = 0, 0
			sc := scratch.Get().(*hamerlyScratch)
			defer scratch.Put(sc)
			g1, g2, gl := sc.d1[:], sc.d2[:], sc.labels[:]
			if first {
				for b := lo; b < hi; b += hamerlyBlock {
					end := min(b+hamerlyBlock, hi)
					gn := sc.xnorm[:end-b]
					kernel.SqNorms(gn, f.x[b*d:end*d], d)
					pc.Nearest2(labels[b:end], g1[:end-b], g2[:end-b], f.x[b*d:end*d], gn)
					for i := b; i < end; i++ {
						l := int(labels[i])
						e := slack * (gn[i-b] + cmax)
						upper[i] = upperBound(math.Sqrt(kernel.SqDist(f.x[i*d:(i+1)*d], centers[l*d:(l+1)*d])))
						lower[i] = lowerBound(math.Sqrt(max(g2[i-b]-e, 0)))
					}
				}
				ch = hi - lo
			} else {
				// Rows whose bounds fail are searched a block at a time,
				// copied together for the kernel's multi-row blocks.
				var pend [hamerlyBlock]int32
				np := 0
				flush := func() {
					if np == 0 {
						return
					}
					gx, gn := sc.x, sc.xnorm[:]
					searched[c] += np
					for q, i32 := range pend[:np] {
						i := int(i32)
						copy(gx[q*d:(q+1)*d], f.x[i*d:(i+1)*d])
					}
					kernel.SqNorms(gn[:np], gx[:np*d], d)
					pc.Nearest2(gl[:np], g1[:np], g2[:np], gx[:np*d], gn[:np])
					for q, i32 := range pend[:np] {
						i := int(i32)
						e := slack * (gn[q] + cmax)
						if l := gl[q]; l != labels[i] {
							ch++
							labels[i] = l
							upper[i] = upperBound(math.Sqrt(kernel.SqDist(f.x[i*d:(i+1)*d], centers[int(l)*d:(int(l)+1)*d])))
						}
						lower[i] = lowerBound(math.Sqrt(max(g2[q]-e, 0)))
					}
					np = 0
				}
				for i := lo; i < hi; i++ {
					a := int(labels[i])
					u := float64(upper[i]) + m.moves[a]*up
					l := float64(lower[i])
					if a == far {
						l -= second * up
					} else {
						l -= farMove * up
					}
					upper[i], lower[i] = upperBound(u), lowerBound(l)
					// ‖x‖ ≤ ‖c_a‖ + u bounds the norm the margin needs:
					// no per-row norms are kept.
					xb := cn[a] + u
					e := slack * (xb*xb + cmax)
					lb := max(l, 2*half[a]-u)
					if safe(u, lb, e) {
						continue
					}
					tightened[c]++
					row := f.x[i*d : (i+1)*d]
					u = math.Sqrt(kernel.SqDist(row, centers[a*d:(a+1)*d]))
					upper[i] = upperBound(u)
					lb = max(l, 2*half[a]-u)
					if safe(u, lb, e) {
						continue
					}
					pend[np] = int32(i)
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
			if dist == nil {
				dist = make([]float64, n)
			}
			return f.lloydDist(dist, centers, cnorm)
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
		if adaptive && it >= 2 {
			s := float64(sumInts(searched)) / float64(n)
			t := float64(sumInts(tightened)) / float64(n)
			if it >= 3 && !cost.keepHamerly(prevS, s, t, maxIter-it) {
				return f.lloyd(centers, labels, it+1, maxIter)
			}
			prevS = s
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

// upperBound returns a float32 no smaller than the upper bound v ≥ 0
// (+Inf beyond float32's range): v is grown by 2⁻²² before the conversion,
// more than float32's rounding can take away.
func upperBound(v float64) float32 {
	switch {
	case v < 0x1p-100:
		return 0x1p-100
	case v >= math.MaxFloat32/2:
		return float32(math.Inf(1))
	}
	return float32(v * (1 + 0x1p-22))
}
