package tier

import (
	"context"
	"errors"
	"math"
)

// maxLogParam bounds the logarithms of the parameters during the search, so
// that no evaluation overflows.
const maxLogParam = 30

// maximize maximizes f from x0 by BFGS (Nocedal & Wright 2006, "Numerical
// Optimization", algorithm 6.1) with a backtracking line search under the
// Armijo condition. f returns the objective at x and, when grad is not nil,
// stores its gradient there. The objective is scaled by 1/|f(x0)| so that
// the stopping thresholds are relative. Parameters stay within
// ±maxLogParam. It reports whether the search converged: the largest
// component of the scaled gradient at the point returned is below 1e-6.
//
// gonum's optimize package would serve, but it imports gonum's stat/distmv
// and with it golang.org/x/tools, a module strata does not otherwise need;
// the problems here have 3 or 4 parameters, for which this is enough.
func maximize(ctx context.Context, x0 []float64, f func(x, grad []float64) float64) (x []float64, converged bool, err error) {
	n := len(x0)
	scale := math.Abs(f(x0, nil))
	if !finite(scale) || scale == 0 {
		return nil, false, errors.New("the likelihood is not finite at the start")
	}
	inside := func(x []float64) bool {
		for _, v := range x {
			if !(math.Abs(v) <= maxLogParam) {
				return false
			}
		}
		return true
	}
	// obj is the scaled objective to minimize.
	obj := func(x, grad []float64) float64 {
		if !inside(x) {
			return math.Inf(1)
		}
		v := -f(x, grad) / scale
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		for i := range grad {
			grad[i] /= -scale
		}
		return v
	}
	x = append([]float64(nil), x0...)
	g := make([]float64, n)
	fx := obj(x, g)
	if !finite(fx) {
		return nil, false, errors.New("the likelihood is not finite at the start")
	}
	h := make([]float64, n*n) // inverse Hessian approximation
	resetH := func() {
		clear(h)
		for i := range n {
			h[i*n+i] = 1
		}
	}
	resetH()
	d, xn, gn, s, y, hy := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	const (
		gradTol = 1e-10
		funcTol = 1e-15
		maxIter = 2000
	)
	stalls := 0
	for iter := 0; iter < maxIter; iter++ {
		if iter%16 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, false, err
			}
		}
		if normInf(g) < gradTol {
			return x, normInf(g) < 1e-6, nil
		}
		// d = −H g
		slope := 0.0
		for i := range n {
			var v float64
			for j := range n {
				v -= h[i*n+j] * g[j]
			}
			d[i] = v
			slope += v * g[i]
		}
		if slope >= 0 { // not a descent direction: restart from steepest descent
			resetH()
			for i := range n {
				d[i] = -g[i]
			}
			slope = -dot(g, g)
		}
		step := 1.0
		if iter == 0 {
			step = math.Min(1, 1/normInf(g))
		}
		var fn float64
		ok := false
		for range 60 {
			for i := range n {
				xn[i] = x[i] + step*d[i]
			}
			fn = obj(xn, gn)
			if finite(fn) && fn <= fx+1e-4*step*slope {
				ok = true
				break
			}
			step /= 2
		}
		if !ok {
			// No decrease along d: at the precision of the objective, x is
			// the minimum.
			return x, normInf(g) < 1e-6, nil
		}
		for i := range n {
			s[i] = xn[i] - x[i]
			y[i] = gn[i] - g[i]
		}
		if math.Abs(fx-fn) <= funcTol*math.Max(1, math.Abs(fx)) {
			stalls++
		} else {
			stalls = 0
		}
		copy(x, xn)
		copy(g, gn)
		fx = fn
		if stalls >= 5 {
			return x, normInf(g) < 1e-6, nil
		}
		sy := dot(s, y)
		if sy <= 1e-12*math.Sqrt(dot(s, s)*dot(y, y)) {
			continue // curvature condition fails: keep H
		}
		if iter == 0 {
			// Scale the first update (Nocedal & Wright, equation 6.20).
			resetH()
			c := sy / dot(y, y)
			for i := range n {
				h[i*n+i] = c
			}
		}
		// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
		rho := 1 / sy
		for i := range n {
			var v float64
			for j := range n {
				v += h[i*n+j] * y[j]
			}
			hy[i] = v
		}
		yhy := dot(y, hy)
		for i := range n {
			for j := range n {
				h[i*n+j] += -rho*(hy[i]*s[j]+s[i]*hy[j]) + (rho*rho*yhy+rho)*s[i]*s[j]
			}
		}
	}
	return x, normInf(g) < 1e-6, nil
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func normInf(a []float64) float64 {
	var m float64
	for _, v := range a {
		m = math.Max(m, math.Abs(v))
	}
	return m
}
