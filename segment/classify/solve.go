package classify

import (
	"context"
	"errors"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// solveStats reports how a solver finished.
type solveStats struct {
	iterations int
	converged  bool
}

// armijo is the sufficient-decrease constant of the line searches.
const armijo = 1e-4

// roundoff is the relative rounding error of an objective value, below
// which a predicted decrease is noise.
const roundoff = 1e-14

// solveNewton minimizes a smooth objective (no L1 part) from theta, in
// place, by Newton's method: the exact Hessian, a Cholesky solve, and a
// backtracking (Armijo) line search. A factorized Hessian is reused for
// the next steps while each full step at least quarters the gradient (the
// chord or Shamanskii variant of Newton's method, Kelley 2003, "Solving
// nonlinear equations with Newton's method", ch. 2.3): a step then costs a
// gradient instead of a Hessian.
func solveNewton(o *objective, theta []float64, tol float64, maxIter int) (solveStats, error) {
	d1 := len(theta)
	g := make([]float64, d1)
	h := make([]float64, d1*d1)
	step := make([]float64, d1)
	trial := make([]float64, d1)
	nb := newNewtonBuffers(d1)
	var st solveStats
	refresh, reused := true, 0
	prevNorm := math.Inf(1)
	for ; st.iterations < maxIter; st.iterations++ {
		var f float64
		var err error
		if refresh {
			f, err = o.hessian(theta, g, h)
		} else {
			f, err = o.lossGrad(theta, g)
		}
		if err != nil {
			return st, err
		}
		gn := infNorm(g)
		if gn <= tol {
			st.converged = true
			return st, nil
		}
		if !refresh && (gn > 0.25*prevNorm || reused >= 4) {
			// The old Hessian no longer pulls its weight: refresh it.
			if f, err = o.hessian(theta, g, h); err != nil {
				return st, err
			}
			refresh = true
		}
		if refresh {
			nb.factor(h)
			reused = 0
		} else {
			reused++
		}
		nb.solve(step, g)
		slope := dot(g, step)
		if slope >= 0 && !refresh {
			// Not a descent direction: retry with a fresh Hessian.
			if f, err = o.hessian(theta, g, h); err != nil {
				return st, err
			}
			nb.factor(h)
			reused = 0
			nb.solve(step, g)
			slope = dot(g, step)
		}
		if -slope <= roundoff*math.Abs(f) {
			// The Newton decrement is below the objective's rounding
			// error: no step can do better.
			st.converged = true
			return st, nil
		}
		t, err := lineSearch(o, theta, trial, step, f, slope, 0)
		if err != nil {
			return st, err
		}
		if t == 0 {
			if refresh {
				return st, nil
			}
			refresh = true
			continue
		}
		refresh = t < 1
		prevNorm = gn
	}
	_, err := o.lossGrad(theta, g)
	st.converged = err == nil && infNorm(g) <= tol
	return st, err
}

// newtonBuffers holds the work space of Newton steps.
type newtonBuffers struct {
	hh  []float64
	sym *mat.SymDense
	ch  mat.Cholesky
	ok  bool
	dst *mat.VecDense
	rhs []float64
}

func newNewtonBuffers(d1 int) *newtonBuffers {
	nb := &newtonBuffers{hh: make([]float64, d1*d1), rhs: make([]float64, d1)}
	nb.sym = mat.NewSymDense(d1, nb.hh)
	nb.dst = mat.NewVecDense(d1, nil)
	return nb
}

// factor factorizes the symmetric H whose upper triangle is in h, adding a
// growing ridge while H is not positive definite.
func (nb *newtonBuffers) factor(h []float64) {
	d1 := len(nb.rhs)
	var diagMax float64
	for j := range d1 {
		diagMax = max(diagMax, h[j*d1+j])
	}
	copy(nb.hh, h)
	jitter := 0.0
	for range 20 {
		if nb.ok = nb.ch.Factorize(nb.sym); nb.ok {
			return
		}
		if jitter == 0 {
			jitter = 1e-12 * max(diagMax, 1)
		} else {
			jitter *= 100
		}
		copy(nb.hh, h)
		for j := range d1 {
			nb.hh[j*d1+j] += jitter
		}
	}
}

// solve writes −H⁻¹·g into step, or −g if H could not be factorized.
func (nb *newtonBuffers) solve(step, g []float64) {
	if nb.ok {
		for j, v := range g {
			nb.rhs[j] = -v
		}
		if err := nb.ch.SolveVecTo(nb.dst, mat.NewVecDense(len(g), nb.rhs)); err == nil || isCondition(err) {
			copy(step, nb.dst.RawVector().Data)
			return
		}
	}
	for j := range step {
		step[j] = -g[j]
	}
}

func isCondition(err error) bool {
	var c mat.Condition
	return errors.As(err, &c)
}

// lineSearch backtracks from theta along step until the objective (plus
// l1·‖w‖₁) decreases enough, slope being its directional derivative, moves
// theta there and returns the step length; 0 when no step decreases it.
func lineSearch(o *objective, theta, trial, step []float64, f, slope, l1 float64) (float64, error) {
	d := len(theta) - 1
	for t := 1.0; t > 1e-12; t /= 2 {
		for j := range theta {
			trial[j] = theta[j] + t*step[j]
		}
		ft, err := o.lossGrad(trial, nil)
		if err != nil {
			return 0, err
		}
		if l1 != 0 {
			ft += l1 * norm1(trial[:d])
		}
		// Near the optimum the decrease falls below rounding: accept a
		// full step that does not increase the objective beyond it.
		if ft <= f+armijo*t*slope || (t == 1 && ft-f <= 1e-15*math.Abs(f)) {
			copy(theta, trial)
			return t, nil
		}
	}
	return 0, nil
}

// solveLBFGS minimizes a smooth objective from theta, in place, with
// gonum's L-BFGS.
func solveLBFGS(ctx context.Context, o *objective, theta []float64, tol float64, maxIter int) (solveStats, error) {
	d1 := len(theta)
	lastX := make([]float64, d1)
	lastG := make([]float64, d1)
	var lastF float64
	has := false
	var evalErr error
	eval := func(x []float64) float64 {
		if has && slices.Equal(x, lastX) {
			return lastF
		}
		f, err := o.lossGrad(x, lastG)
		if err != nil {
			evalErr = err
			has = false
			return math.Inf(1)
		}
		copy(lastX, x)
		lastF, has = f, true
		return f
	}
	p := optimize.Problem{
		Func: eval,
		Grad: func(grad, x []float64) {
			eval(x)
			copy(grad, lastG)
		},
		Status: func() (optimize.Status, error) {
			if evalErr != nil {
				return optimize.Failure, evalErr
			}
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	settings := &optimize.Settings{
		GradientThreshold: tol,
		MajorIterations:   maxIter,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-16, Relative: 1e-15, Iterations: 25},
	}
	res, err := optimize.Minimize(p, slices.Clone(theta), settings, &optimize.LBFGS{})
	if evalErr != nil {
		return solveStats{}, evalErr
	}
	if cerr := ctx.Err(); cerr != nil {
		return solveStats{}, cerr
	}
	if res == nil {
		return solveStats{}, err
	}
	copy(theta, res.X)
	st := solveStats{iterations: res.MajorIterations}
	g := make([]float64, d1)
	if _, gerr := o.lossGrad(theta, g); gerr != nil {
		return st, gerr
	}
	st.converged = infNorm(g) <= tol || res.Status == optimize.FunctionConvergence
	return st, nil
}

// solveCD minimizes the smooth objective plus l1·‖w‖₁ from theta, in
// place, by proximal Newton steps: each minimizes the second-order model of
// the smooth part plus the L1 term by cyclic coordinate descent with
// soft-thresholding, then a backtracking line search on the full objective
// ensures descent.
func solveCD(o *objective, theta []float64, tol float64, maxIter int) (solveStats, error) {
	d1 := len(theta)
	d := d1 - 1
	l1 := o.l1
	g := make([]float64, d1)
	h := make([]float64, d1*d1)
	delta := make([]float64, d1)
	q := make([]float64, d1)
	trial := make([]float64, d1)
	var st solveStats
	for ; st.iterations < maxIter; st.iterations++ {
		f, err := o.hessian(theta, g, h)
		if err != nil {
			return st, err
		}
		sub := subgradNorm(g, theta, l1)
		if sub <= tol {
			st.converged = true
			return st, nil
		}
		for i := range d1 {
			for j := i + 1; j < d1; j++ {
				h[j*d1+i] = h[i*d1+j]
			}
		}
		if sub*sub <= roundoff*math.Abs(f) {
			// The step would change the objective by less than its
			// rounding error.
			st.converged = true
			return st, nil
		}
		clear(delta)
		clear(q)
		for range 200 {
			if err := o.run.ctx.Err(); err != nil {
				return st, err
			}
			var moved float64
			for j := range d1 {
				a := h[j*d1+j]
				z0 := theta[j] + delta[j]
				var z float64
				switch {
				case a <= 0:
					if j == d {
						continue
					}
					z = 0
				case j == d:
					z = z0 - (g[j]+q[j])/a
				default:
					z = softThreshold(z0-(g[j]+q[j])/a, l1/a)
				}
				dd := z - z0
				if dd == 0 {
					continue
				}
				delta[j] += dd
				row := h[j*d1 : (j+1)*d1]
				for k, v := range row {
					q[k] += dd * v
				}
				moved = max(moved, math.Abs(dd)*max(a, 1e-300))
			}
			if moved <= max(0.01*sub, 0.1*tol) {
				break
			}
		}
		wNorm := norm1(theta[:d])
		var slope float64
		for j := range d1 {
			slope += g[j] * delta[j]
			trial[j] = theta[j] + delta[j]
		}
		slope += l1 * (norm1(trial[:d]) - wNorm)
		t, err := lineSearch(o, theta, trial, delta, f+l1*wNorm, slope, l1)
		if err != nil {
			return st, err
		}
		if t == 0 {
			break
		}
	}
	if _, err := o.lossGrad(theta, g); err != nil {
		return st, err
	}
	st.converged = subgradNorm(g, theta, l1) <= tol
	return st, nil
}

// subgradNorm returns the largest absolute component of the minimum-norm
// subgradient of the smooth part (gradient g) plus l1·‖w‖₁ at theta.
func subgradNorm(g, theta []float64, l1 float64) float64 {
	d := len(theta) - 1
	m := math.Abs(g[d])
	for j := range d {
		var v float64
		switch {
		case theta[j] > 0:
			v = math.Abs(g[j] + l1)
		case theta[j] < 0:
			v = math.Abs(g[j] - l1)
		default:
			v = max(math.Abs(g[j])-l1, 0)
		}
		m = max(m, v)
	}
	return m
}

func softThreshold(v, t float64) float64 {
	switch {
	case v > t:
		return v - t
	case v < -t:
		return v + t
	}
	return 0
}

func norm1(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += math.Abs(x)
	}
	return s
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}
