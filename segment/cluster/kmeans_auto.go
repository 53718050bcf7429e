package cluster

import "github.com/strataseg/strata/segment/internal/kernel"

// autoCost is the cost model behind Auto: the time per row of one Lloyd
// iteration, and of one Hamerly iteration as a function of the fraction s of
// rows searched (bounds failed) and the fraction t of rows whose upper bound
// was recomputed, at the fit's d and k. Its coefficients (nanoseconds per
// row on one core) were fitted to per-iteration CPU times of both
// algorithms on the four shapes of BENCHMARKS.md with the AVX-512 kernels:
//
//	Lloyd:   5.5 + 0.73·d + 0.030·d·k
//	Hamerly: 17.2 + 0.90·d + t·(9.7 + 1.6·d) + s·0.036·d·k
//
// The d·k terms are the assignment kernel's; they are scaled by the
// kernel's measured slowness relative to AVX-512 on the other paths. Only
// the speed depends on the model: Lloyd and Hamerly give the same labels,
// centres and iterations, so Auto's result is the same whichever it runs.
type autoCost struct {
	lloyd      float64 // per row per Lloyd iteration
	h0, ht, hs float64 // Hamerly: h0 + ht·t + hs·s
}

func newAutoCost(d, k int) autoCost {
	fd := float64(d)
	dk := fd * float64(k)
	switch kernel.Impl() {
	case "avx512":
	case "avx2":
		dk *= 2.2
	default:
		dk *= 30
	}
	return autoCost{
		lloyd: 5.5 + 0.73*fd + 0.030*dk,
		h0:    17.2 + 0.90*fd,
		ht:    9.7 + 1.6*fd,
		hs:    0.036 * dk,
	}
}

// hamerly is the modelled cost per row of a Hamerly iteration that searches
// the fraction s of the rows and recomputes the upper bound of t of them.
func (c autoCost) hamerly(s, t float64) float64 {
	return c.h0 + c.ht*t + c.hs*s
}

// autoFloor is the fraction of rows a Hamerly iteration is assumed to
// search at best when Auto chooses between Lloyd and Hamerly before the
// first iteration.
const autoFloor = 0.05

// hamerlyPays reports whether Hamerly's bounds can pay at all at this d and
// k: when an iteration that searches almost no row already costs as much as
// a Lloyd iteration (small d·k, where the blocked kernel is cheap next to
// the bookkeeping of the bounds), Auto runs Lloyd from the start.
func (c autoCost) hamerlyPays() bool {
	return c.hamerly(autoFloor, autoFloor) < c.lloyd
}

// autoHorizon caps the number of iterations ahead that keepHamerly weighs.
const autoHorizon = 20

// keepHamerly decides, after a Hamerly iteration that searched the fraction
// s of the rows (prevS in the iteration before) and recomputed the upper
// bound of t, whether to go on with Hamerly or to hand over to Lloyd for the
// remaining iterations (left of them). It projects the searched fraction
// forward at the rate it just fell (no fall: it stays), and keeps Hamerly
// while the projected cost of the next min(left, autoHorizon) iterations is
// below Lloyd's. A single iteration that searches most rows does not end
// Hamerly when the fraction is falling fast, as it does in the first
// iterations on well-separated clusters; a fraction that stays high does.
func (c autoCost) keepHamerly(prevS, s, t float64, left int) bool {
	h := min(left, autoHorizon)
	if h <= 0 {
		return true
	}
	if s == 0 {
		return c.hamerly(0, t) < c.lloyd
	}
	rho := 1.0
	if prevS > 0 && s < prevS {
		rho = s / prevS
	}
	tr := t / s // upper-bound recomputations per searched row
	var costH float64
	sj := s
	for range h {
		sj *= rho
		costH += c.hamerly(sj, min(1, sj*tr))
	}
	return costH < float64(h)*c.lloyd
}
