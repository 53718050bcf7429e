package tier

import (
	"context"
	"errors"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
)

// maxLogParam bounds the logarithms of the parameters during the search, so
// that no evaluation overflows and a likelihood that keeps rising towards a
// parameter of 0 or ∞ (a BG/NBD fit on data without drop-out) stops at a
// finite point.
const maxLogParam = 30

// Stopping thresholds, on the objective scaled by 1/|f(x0)|.
const (
	gradTol      = 1e-10 // stop when the largest gradient component is below
	convergedTol = 1e-6  // report convergence when it is below this at the end
)

// maximize maximizes f from x0 with gonum's L-BFGS (Nocedal & Wright 2006,
// "Numerical Optimization", algorithm 7.5) and its bisection line search
// under the strong Wolfe conditions. f returns the objective at x and stores
// its gradient in grad. The objective is scaled by 1/|f(x0)| so that the
// stopping thresholds are relative. Outside ±maxLogParam, and where f or its
// gradient is not finite, the objective to minimize is +Inf, from which the
// line search backs off.
//
// It returns the best point found and whether the search converged (the
// largest component of the scaled gradient there is below 1e-6). A line
// search that can make no further progress ends the search at the last
// point it accepted, which is not an error. It returns ctx.Err() once ctx
// is done, checked after each evaluation.
func maximize(ctx context.Context, x0 []float64, f func(x, grad []float64) float64) (x []float64, converged bool, err error) {
	n := len(x0)
	grad := make([]float64, n)
	scale := math.Abs(f(x0, grad))
	if !finite(scale) || scale == 0 {
		return nil, false, errors.New("the likelihood is not finite at the start")
	}
	// The line search asks for the value and then, at the same point, the
	// gradient; both come from one evaluation of f, kept for the last point.
	var (
		lastX = make([]float64, n)
		lastG = make([]float64, n)
		lastF float64
		have  bool
	)
	eval := func(x []float64) {
		if have && slices.Equal(x, lastX) {
			return
		}
		copy(lastX, x)
		have = true
		lastF = math.Inf(1)
		for i := range lastG {
			lastG[i] = math.NaN()
		}
		for _, v := range x {
			if !(math.Abs(v) <= maxLogParam) {
				return
			}
		}
		v := -f(x, lastG) / scale
		for _, g := range lastG {
			if !finite(g) {
				return
			}
		}
		if !finite(v) {
			return
		}
		lastF = v
		floats.Scale(-1/scale, lastG)
	}
	p := optimize.Problem{
		Func: func(x []float64) float64 {
			eval(x)
			return lastF
		},
		Grad: func(g, x []float64) {
			eval(x)
			copy(g, lastG)
		},
		Status: func() (optimize.Status, error) {
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	settings := &optimize.Settings{
		Converger: &optimize.FunctionConverge{
			Relative:   1e-15,
			Iterations: 5,
		},
		MajorIterations: 2000,
	}
	res, err := optimize.Minimize(p, x0, settings, &optimize.LBFGS{GradStopThreshold: gradTol})
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, false, ctxErr
	}
	if res == nil || !finite(res.F) {
		if err == nil {
			err = errors.New("the search found no point of finite likelihood")
		}
		return nil, false, err
	}
	// An error here is the line search's: no further decrease along the
	// search direction at the precision of the objective. The point
	// returned is the last it accepted.
	return res.X, floats.Norm(res.Gradient, math.Inf(1)) < convergedTol, nil
}
