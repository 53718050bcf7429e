package classify

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Calibrator maps a model's score (a [LogisticModel]'s log-odds, from
// DecisionRow) to a calibrated probability. It is fitted on held-out
// scores — cross-validated out-of-fold ones (see [CrossValidate]) — so
// that it corrects the model rather than memorizing its training set. It
// is plain data: it marshals to JSON and back with identical outputs, and
// Apply is pure and safe for concurrent use.
type Calibrator struct {
	// Method is the calibration; NoCalibration maps a log-odds s to
	// 1/(1+e^−s).
	Method Calibration `json:"method"`
	// A and B are Platt's sigmoid, p = 1/(1+exp(A·s+B)).
	A float64 `json:"a,omitempty"`
	B float64 `json:"b,omitempty"`
	// X and Y are the isotonic fit's knots: X ascending, Y non-decreasing;
	// Apply interpolates linearly between knots and clips outside them.
	X []float64 `json:"x,omitempty"`
	Y []float64 `json:"y,omitempty"`
}

// FitCalibrator fits a calibrator by method on scores for labels y (0 or
// 1) with optional weights w (nil: all 1). Both classes must be present.
func FitCalibrator(method Calibration, score []float64, y []int, w []float64) (*Calibrator, error) {
	if method < NoCalibration || method > Isotonic {
		return nil, fmt.Errorf("classify: calibrate: method %d is unknown: %w", int(method), ErrInvalidConfig)
	}
	if _, _, err := checkScores("calibrate", y, score, w, false, true); err != nil {
		return nil, err
	}
	switch method {
	case Platt:
		a, b := fitPlatt(score, y, w)
		return &Calibrator{Method: Platt, A: a, B: b}, nil
	case Isotonic:
		x, v := fitIsotonic(score, y, w)
		return &Calibrator{Method: Isotonic, X: x, Y: v}, nil
	}
	return &Calibrator{Method: NoCalibration}, nil
}

// Apply returns the calibrated probability of a score. A nil calibrator
// maps s to 1/(1+e^−s).
func (c *Calibrator) Apply(score float64) float64 {
	if c == nil {
		return sigmoid(score)
	}
	switch c.Method {
	case Platt:
		return sigmoid(-(c.A*score + c.B))
	case Isotonic:
		n := len(c.X)
		if n == 0 {
			return sigmoid(score)
		}
		if score <= c.X[0] {
			return c.Y[0]
		}
		if score >= c.X[n-1] {
			return c.Y[n-1]
		}
		k := sort.SearchFloat64s(c.X, score) // X[k-1] < score <= X[k]
		x0, x1 := c.X[k-1], c.X[k]
		y0, y1 := c.Y[k-1], c.Y[k]
		return y0 + (y1-y0)*(score-x0)/(x1-x0)
	}
	return sigmoid(score)
}

// Validate checks that the calibrator is usable: a known method, finite
// numbers, isotonic knots ascending with values in [0, 1].
func (c *Calibrator) Validate() error {
	if c == nil {
		return nil
	}
	switch c.Method {
	case NoCalibration:
	case Platt:
		if !finite(c.A) || !finite(c.B) {
			return fmt.Errorf("classify: calibrator: Platt A=%v B=%v not finite: %w", c.A, c.B, ErrInvalidInput)
		}
	case Isotonic:
		if len(c.X) != len(c.Y) || len(c.X) == 0 {
			return fmt.Errorf("classify: calibrator: %d isotonic knots and %d values: %w", len(c.X), len(c.Y), ErrInvalidInput)
		}
		for k := range c.X {
			if !finite(c.X[k]) || !(c.Y[k] >= 0 && c.Y[k] <= 1) || (k > 0 && (c.X[k] <= c.X[k-1] || c.Y[k] < c.Y[k-1])) {
				return fmt.Errorf("classify: calibrator: isotonic knot %d (%v, %v) out of order or range: %w", k, c.X[k], c.Y[k], ErrInvalidInput)
			}
		}
	default:
		return fmt.Errorf("classify: calibrator: method %d is unknown: %w", int(c.Method), ErrInvalidInput)
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// fitPlatt fits p = 1/(1+exp(A·s+B)) by maximum likelihood on the smoothed
// targets (N₊+1)/(N₊+2) and 1/(N₋+2), N the weight of each class, by
// Newton's method with backtracking (Lin, Lin and Weng 2007, algorithm 1).
func fitPlatt(s []float64, y []int, w []float64) (float64, float64) {
	var np, nn float64
	for i, v := range y {
		if v == 1 {
			np += weightAt(w, i)
		} else {
			nn += weightAt(w, i)
		}
	}
	hi, lo := (np+1)/(np+2), 1/(nn+2)
	t := func(i int) float64 {
		if y[i] == 1 {
			return hi
		}
		return lo
	}
	// obj returns −Σ wᵢ[tᵢ·log pᵢ + (1−tᵢ)·log(1−pᵢ)], with
	// log pᵢ = −log(1+e^fᵢ), fᵢ = A·sᵢ+B.
	obj := func(a, b float64) float64 {
		var f float64
		for i, v := range s {
			fi := a*v + b
			f += weightAt(w, i) * logLoss1p(fi, 1-t(i))
		}
		return f
	}
	a, b := 0.0, math.Log((nn+1)/(np+1))
	f := obj(a, b)
	const sigma = 1e-12
	for range 200 {
		var h11, h22, h21, g1, g2 float64
		for i, v := range s {
			wi := weightAt(w, i)
			fi := a*v + b
			p := sigmoid(-fi) // P(y=1)
			d1 := t(i) - p
			d2 := p * (1 - p)
			h11 += wi * v * v * d2
			h22 += wi * d2
			h21 += wi * v * d2
			g1 += wi * v * d1
			g2 += wi * d1
		}
		if math.Abs(g1) < 1e-12 && math.Abs(g2) < 1e-12 {
			break
		}
		h11 += sigma
		h22 += sigma
		det := h11*h22 - h21*h21
		da := -(h22*g1 - h21*g2) / det
		db := -(-h21*g1 + h11*g2) / det
		gd := g1*da + g2*db
		moved := false
		for step := 1.0; step >= 1e-10; step /= 2 {
			na, nb := a+step*da, b+step*db
			nf := obj(na, nb)
			if nf < f+1e-4*step*gd {
				a, b, f = na, nb, nf
				moved = true
				break
			}
		}
		if !moved {
			break
		}
	}
	return a, b
}

// fitIsotonic fits a non-decreasing function of s to y by pool adjacent
// violators on the distinct values of s (tied scores pooled first, with
// their weighted mean), and returns its knots: each pooled block's lowest
// and highest score with the block's value.
func fitIsotonic(s []float64, y []int, w []float64) ([]float64, []float64) {
	idx := order(s, false)
	type block struct {
		lo, hi float64 // score range
		sum    float64 // weighted positives
		wt     float64 // weight
	}
	var st []block
	for k := 0; k < len(idx); {
		v := s[idx[k]]
		b := block{lo: v, hi: v}
		for ; k < len(idx) && s[idx[k]] == v; k++ {
			i := idx[k]
			wi := weightAt(w, i)
			b.wt += wi
			b.sum += wi * float64(y[i])
		}
		if b.wt == 0 {
			continue
		}
		st = append(st, b)
		for len(st) > 1 {
			p, q := st[len(st)-2], st[len(st)-1]
			if p.sum/p.wt < q.sum/q.wt {
				break
			}
			st = st[:len(st)-2]
			st = append(st, block{lo: p.lo, hi: q.hi, sum: p.sum + q.sum, wt: p.wt + q.wt})
		}
	}
	var xs, ys []float64
	for _, b := range st {
		v := b.sum / b.wt
		xs = append(xs, b.lo)
		ys = append(ys, v)
		if b.hi > b.lo {
			xs = append(xs, b.hi)
			ys = append(ys, v)
		}
	}
	return slices.Clip(xs), slices.Clip(ys)
}
