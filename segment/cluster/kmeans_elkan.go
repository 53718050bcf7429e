package cluster

import (
	"math"

	"github.com/strataseg/strata/segment/internal/kernel"
)

// elkan runs Lloyd's iteration with Elkan's bounds (Elkan 2003, "Using the
// triangle inequality to accelerate k-means", ICML): an upper bound per row
// and a lower bound per row and centre, with the distances between centres,
// skip most distance computations. It gives the labels and centres of
// lloyd, and needs n·k bounds of memory: float32, rounded down (see
// lowerBound), so half that of float64 bounds; a bound that is a little
// looser only costs a distance computation now and then, never a different
// label.
func (f *fitter) elkan(centers []float64, maxIter int) (*run, error) {
	f.norms()
	n, d, k := f.n, f.d, f.k
	labels := make([]int32, n)
	upper := make([]float64, n)
	lower := make([]float32, n*k)
	dist := make([]float64, n)
	d2 := make([]float64, n)
	cnorm := make([]float64, k)
	half := make([]float64, k)
	cc := make([]float64, k*k)
	m := f.newMstep()
	newCenters := make([]float64, k*d)
	slack := f.gemmSlack()
	r := &run{labels: labels}
	pc := new(kernel.Centres)
	for it := 1; it <= maxIter; it++ {
		kernel.SqNorms(cnorm, centers, d)
		pc.Pack(centers, cnorm, d)
		cmax := 0.0
		for _, v := range cnorm {
			cmax = max(cmax, v)
		}
		for j := range k {
			half[j] = math.Inf(1)
			cc[j*k+j] = 0
		}
		for j := range k {
			for q := j + 1; q < k; q++ {
				v := math.Sqrt(kernel.SqDist(centers[j*d:(j+1)*d], centers[q*d:(q+1)*d]))
				cc[j*k+q], cc[q*k+j] = v, v
				half[j] = min(half[j], v/2)
				half[q] = min(half[q], v/2)
			}
		}
		first := it == 1
		if err := f.parallel(func(c, lo, hi int) {
			ch := 0
			if first {
				// The second-nearest distance bounds every other centre.
				pc.Nearest2(labels[lo:hi], dist[lo:hi], d2[lo:hi], f.x[lo*d:hi*d], f.xnorm[lo:hi])
				for i := lo; i < hi; i++ {
					e := slack * (f.xnorm[i] + cmax)
					a := int(labels[i])
					li := lower[i*k : (i+1)*k]
					l2 := math.Sqrt(max(d2[i]-e, 0))
					for j := range li {
						li[j] = lowerBound(l2)
					}
					u := math.Sqrt(kernel.SqDist(f.x[i*d:(i+1)*d], centers[a*d:(a+1)*d]))
					li[a] = lowerBound(u)
					upper[i] = u
				}
				ch = hi - lo
			} else {
				for i := lo; i < hi; i++ {
					a := int(labels[i])
					li := lower[i*k : (i+1)*k]
					for j, p := range m.moves {
						li[j] = lowerBound(float64(li[j]) - p*up)
					}
					u := upper[i] + m.moves[a]*up
					upper[i] = u
					e := slack * (f.xnorm[i] + cmax)
					if safe(u, 2*half[a]-u, e) {
						continue
					}
					row := f.x[i*d : (i+1)*d]
					tight := false
					ta := 0.0
					a0 := a
					for j := range k {
						if j == a {
							continue
						}
						if safe(u, max(float64(li[j]), cc[a*k+j]-u), e) {
							continue
						}
						if !tight {
							u = math.Sqrt(kernel.SqDist(row, centers[a*d:(a+1)*d]))
							ta = score(row, centers[a*d:(a+1)*d], cnorm[a])
							li[a] = lowerBound(math.Sqrt(max(f.xnorm[i]+ta-e, 0)))
							tight = true
							if safe(u, max(float64(li[j]), cc[a*k+j]-u), e) {
								continue
							}
						}
						tj := score(row, centers[j*d:(j+1)*d], cnorm[j])
						li[j] = lowerBound(math.Sqrt(max(f.xnorm[i]+tj-e, 0)))
						if tj < ta || (tj == ta && j < a) {
							a, ta = j, tj
							u = math.Sqrt(kernel.SqDist(row, centers[j*d:(j+1)*d]))
						}
					}
					upper[i] = u
					if a != a0 {
						labels[i] = int32(a)
						ch++
					}
				}
			}
			m.changed[c] = ch
			f.accumulate(m, c, lo, hi, labels)
		}); err != nil {
			return nil, err
		}
		nch := sumInts(m.changed)
		shift, moved, err := f.update(m, newCenters, centers, labels, func() ([]float64, error) {
			return f.lloydDist(dist, centers, cnorm)
		})
		if err != nil {
			return nil, err
		}
		for _, i := range moved {
			upper[i] = 0
			clear(lower[i*k : (i+1)*k])
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

// lowerBound returns a float32 no larger than the lower bound v (0 for
// v ≤ 0 and tiny v, math.MaxFloat32 beyond its range), so that a stored
// bound stays a bound: v is shrunk by 2⁻²² before the conversion, more than
// float32's rounding can add back.
func lowerBound(v float64) float32 {
	switch {
	case v < 0x1p-100:
		return 0
	case v >= math.MaxFloat32:
		return math.MaxFloat32
	}
	return float32(v * (1 - 0x1p-22))
}
