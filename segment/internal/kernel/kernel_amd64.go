//go:build !purego

package kernel

import (
	"math"

	"golang.org/x/sys/cpu"
)

//go:generate go run gen_asm.go -out nearest_amd64.s

// useAVX512 and useAVX2 select the micro-kernel; tests switch them off to
// exercise every path the machine supports.
var (
	useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX2 && cpu.X86.HasFMA
	useAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

func impl() string {
	switch {
	case useAVX512:
		return "avx512"
	case useAVX2:
		return "avx2"
	}
	return "go"
}

// The micro-kernels, in nearest_amd64.s. For rows [0, n) of x (n×d
// row-major) they write labels, d1 and d2 as Nearest2 does, from centres
// packed by pack into kg groups of 8. xnorm, d1 and d2 must not be nil.
//
// The nearest1 variants leave d2 alone (it may then be nil).
//
//go:noescape
func nearest2AVX512(x, xnorm, ct, meta *float64, labels *int32, d1, d2 *float64, n, d, kg int)

//go:noescape
func nearest2AVX2(x, xnorm, ct, meta *float64, labels *int32, d1, d2 *float64, n, d, kg int)

//go:noescape
func nearest1AVX512(x, xnorm, ct, meta *float64, labels *int32, d1, d2 *float64, n, d, kg int)

//go:noescape
func nearest1AVX2(x, xnorm, ct, meta *float64, labels *int32, d1, d2 *float64, n, d, kg int)

// chunkRows bounds the rows per micro-kernel call when the caller leaves
// out norms or distances, which then go to a small buffer on the stack.
const chunkRows = 64

func (p *Centres) pack() {
	if !useAVX512 && !useAVX2 {
		p.ct, p.meta = p.ct[:0], p.meta[:0]
		return
	}
	k, d := len(p.cnorm), p.d
	kg := (k + 7) / 8
	p.ct = grow(p.ct, kg*8*d)
	p.meta = grow(p.meta, kg*16)
	packCentres(p.ct, p.meta, p.c, p.cnorm, d)
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// packCentres lays the centres out for the micro-kernels: ct holds them
// transposed, k padded to kp = 8·⌈k/8⌉ (ct[l*kp + j] = c[j][l], zero for
// padding), and meta holds, per group of 8 centres, the 8 norms (+Inf for
// padding) then the 8 indices.
func packCentres(ct, meta, c, cnorm []float64, d int) {
	k := len(cnorm)
	kg := (k + 7) / 8
	kp := 8 * kg
	inf := math.Inf(1)
	for j := range kp {
		m := meta[(j/8)*16:]
		m[8+j%8] = float64(j)
		if j >= k {
			m[j%8] = inf
			for l := range d {
				ct[l*kp+j] = 0
			}
			continue
		}
		m[j%8] = cnorm[j]
		for l, v := range c[j*d : j*d+d] {
			ct[l*kp+j] = v
		}
	}
}

func (p *Centres) nearest(labels []int32, dist, d2 []float64, x, xnorm []float64) {
	n, d := len(labels), p.d
	if n == 0 {
		return
	}
	var kernel func(x, xnorm, ct, meta *float64, labels *int32, d1, d2 *float64, n, d, kg int)
	switch {
	case len(p.ct) == 0:
		// Packed for the pure-Go path (tests switch paths).
		nearestGo(labels, dist, d2, x, xnorm, p.c, p.cnorm, d)
		return
	case useAVX512 && d2 != nil:
		kernel = nearest2AVX512
	case useAVX512:
		kernel = nearest1AVX512
	case useAVX2 && d2 != nil:
		kernel = nearest2AVX2
	case useAVX2:
		kernel = nearest1AVX2
	default:
		nearestGo(labels, dist, d2, x, xnorm, p.c, p.cnorm, d)
		return
	}
	kg := len(p.meta) / 16
	if xnorm != nil && dist != nil {
		var o2 *float64
		if d2 != nil {
			o2 = &d2[0]
		}
		kernel(&x[0], &xnorm[0], &p.ct[0], &p.meta[0], &labels[0], &dist[0], o2, n, d, kg)
		return
	}
	var sx, s1, s2 [chunkRows]float64
	for lo := 0; lo < n; lo += chunkRows {
		hi := min(lo+chunkRows, n)
		m := hi - lo
		xs := x[lo*d : hi*d]
		xn, o1, o2 := sx[:m], s1[:m], s2[:m]
		if xnorm != nil {
			xn = xnorm[lo:hi]
		} else {
			SqNorms(xn, xs, d)
		}
		if dist != nil {
			o1 = dist[lo:hi]
		}
		if d2 != nil {
			o2 = d2[lo:hi] // else unused by nearest1
		}
		kernel(&xs[0], &xn[0], &p.ct[0], &p.meta[0], &labels[lo], &o1[0], &o2[0], m, d, kg)
	}
}

//go:noescape
func addRowsAVX2(sums, counts, x *float64, labels *int32, n, d int)

// addRows runs the unweighted AddRows in assembly when the CPU allows; it
// reports whether it did. Arguments are checked by the caller.
func addRows(sums, counts, x []float64, labels []int32, d int) bool {
	if !useAVX2 {
		return false
	}
	addRowsAVX2(&sums[0], &counts[0], &x[0], &labels[0], len(labels), d)
	return true
}
