package cluster

import "github.com/strataseg/strata/segment/internal/kernel"

// autoCost is the cost model behind Auto: the time per row of one Lloyd
// iteration, and of one Hamerly iteration as a function of the fraction s of
// rows searched (bounds failed) and the fraction t of rows whose upper bound
// was recomputed, at the fit's d and k. Its coefficients (nanoseconds per
// row on one core) were fitted (non-negative least squares) to the
// per-iteration CPU times of both algorithms, one worker, on the four
// shapes of BENCHMARKS.md and on birch1 (100 000 rows, d = 2, k = 100),
// with the AVX-512 kernels:
//
//	Lloyd:   1.37·d + 0.174·k + 0.0184·d·k
//	Hamerly: 17.6 + 0.886·d + t·(6.04 + 1.89·d) + s·(0.075·k + 0.0312·d·k)
//
// The terms in k and d·k are the assignment kernel's (per centre, and per
// multiply-add); they are scaled by the kernel's measured slowness relative
// to AVX-512 on the other paths. Only
// the speed depends on the model: Lloyd and Hamerly give the same labels,
// centres and iterations, so Auto's result is the same whichever it runs.
type autoCost struct {
	lloyd      float64 // per row per Lloyd iteration
	h0, ht, hs float64 // Hamerly: h0 + ht·t + hs·s
}

func newAutoCost(d, k int) autoCost {
	fd, fk := float64(d), float64(k)
	slow := 1.0 // the kernel's time relative to AVX-512
	switch kernel.Impl() {
	case "avx512":
	case "avx2":
		slow = 2.2
	default:
		slow = 30
	}
	return autoCost{
		lloyd: 1.37*fd + slow*(0.174*fk+0.0184*fd*fk),
		h0:    17.6 + 0.886*fd,
		ht:    6.04 + 1.89*fd,
		hs:    slow * (0.075*fk + 0.0312*fd*fk),
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
