package tier

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mathext"

	"github.com/strataseg/strata/segment"
)

// BGNBD is a fitted beta-geometric/negative binomial distribution model of
// non-contractual repeat buying (Fader, Hardie & Lee 2005, "Counting Your
// Customers the Easy Way: An Alternative to the Pareto/NBD Model", Marketing
// Science 24(2):275–284).
//
// While alive, a customer buys at a Poisson rate λ, heterogeneous across
// customers as Gamma(r, α); after each purchase the customer drops out with
// probability p, heterogeneous as Beta(a, b). Times are in the unit of the
// [Summary]s it was fitted on: α is a time scale in that unit, the other
// parameters are unitless.
type BGNBD struct {
	R     float64 `json:"r"`
	Alpha float64 `json:"alpha"`
	A     float64 `json:"a"`
	B     float64 `json:"b"`
	// LogLikelihood is the log-likelihood of the fitted summaries at the
	// parameters (0 for parameters not fitted here).
	LogLikelihood float64 `json:"log_likelihood,omitempty"`
	// N is the number of summaries fitted.
	N int `json:"n,omitempty"`
}

func (m BGNBD) validate() error {
	for _, p := range [...]struct {
		name string
		v    float64
	}{{"r", m.R}, {"alpha", m.Alpha}, {"a", m.A}, {"b", m.B}} {
		if !finite(p.v) || p.v <= 0 {
			return fmt.Errorf("tier: bg/nbd parameter %s is %v, not a finite number > 0: %w", p.name, p.v, segment.ErrInvalidConfig)
		}
	}
	return nil
}

// FitBGNBD fits the BG/NBD model to the summaries by maximum likelihood
// (equation 6 of Fader, Hardie & Lee 2005), by L-BFGS (gonum's optimize)
// on the logarithms of the parameters with the analytic gradient; from a
// second starting point if the first search does not converge, keeping the
// better. The logarithms are kept within ±30: on data without drop-out the
// likelihood rises as a → 0 or b → ∞, and the fit stops at a finite point
// on that ridge (near the NBD limit, where the predictions hardly depend on
// a and b).
//
// It returns an error wrapping [segment.ErrEmptyInput] when there are no
// summaries or none has a repeat purchase (the likelihood then has no
// maximum), and one wrapping [segment.ErrInvalidAccount] (a
// [*segment.FieldError] naming the summary's ID) for a summary with a
// negative frequency, a recency that is negative or beyond T, a non-zero
// recency without repeat purchases, or a value that is not finite.
func FitBGNBD(s []Summary) (BGNBD, error) {
	return fitBGNBD(context.Background(), s)
}

// bgnbdData holds the summaries grouped for fast likelihood evaluation: the
// terms that depend on x alone are computed once per distinct x.
type bgnbdData struct {
	xs    []float64 // distinct frequencies
	rows  []bgnbdRow
	total float64 // number of summaries
	// scratch per distinct x, refreshed at each evaluation
	lx, dr, da, db []float64
}

type bgnbdRow struct {
	xi    int     // index into xs
	tx, t float64 // recency and age
	w     float64 // number of summaries with these values
}

func newBGNBDData(s []Summary) (*bgnbdData, error) {
	if len(s) == 0 {
		return nil, fmt.Errorf("tier: bg/nbd: no summaries: %w", segment.ErrEmptyInput)
	}
	type key struct {
		x     int
		tx, t float64
	}
	count := make(map[key]float64, len(s))
	repeat := false
	for i := range s {
		if err := s[i].validate(); err != nil {
			return nil, fmt.Errorf("tier: bg/nbd: %w", err)
		}
		count[key{s[i].Frequency, s[i].Recency, s[i].T}]++
		repeat = repeat || s[i].Frequency > 0
	}
	if !repeat {
		return nil, fmt.Errorf("tier: bg/nbd: no summary has a repeat purchase: %w", segment.ErrEmptyInput)
	}
	keys := make([]key, 0, len(count))
	xset := map[int]bool{}
	for k := range count {
		keys = append(keys, k)
		xset[k.x] = true
	}
	// A fixed order makes the sums, and so the fit, reproducible.
	slices.SortFunc(keys, func(a, b key) int {
		if a.x != b.x {
			return a.x - b.x
		}
		if c := cmpFloat(a.tx, b.tx); c != 0 {
			return c
		}
		return cmpFloat(a.t, b.t)
	})
	d := &bgnbdData{total: float64(len(s))}
	xi := map[int]int{}
	for _, k := range keys {
		if _, ok := xi[k.x]; !ok {
			xi[k.x] = len(d.xs)
			d.xs = append(d.xs, float64(k.x))
		}
		d.rows = append(d.rows, bgnbdRow{xi: xi[k.x], tx: k.tx, t: k.t, w: count[k]})
	}
	n := len(d.xs)
	d.lx, d.dr, d.da, d.db = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	return d, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// logLik returns the log-likelihood at (r, α, a, b) and, if grad is not nil,
// stores in it the gradient with respect to the logarithms of the
// parameters.
//
// Per customer, with A = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) −
// ln B(a, b):
//
//	ℓ = A + ln( (α+T)^−(r+x) + [x>0] a/(b+x−1) (α+t_x)^−(r+x) )
//
// and the second term is evaluated as a log-sum-exp.
func (d *bgnbdData) logLik(r, alpha, a, b float64, grad []float64) float64 {
	lgr, _ := math.Lgamma(r)
	lgb, _ := math.Lgamma(b)
	lgab, _ := math.Lgamma(a + b)
	la := math.Log(alpha)
	withGrad := grad != nil
	var psr, psb, psab float64
	if withGrad {
		psr, psb, psab = mathext.Digamma(r), mathext.Digamma(b), mathext.Digamma(a+b)
	}
	for i, x := range d.xs {
		l1, _ := math.Lgamma(r + x)
		l2, _ := math.Lgamma(b + x)
		l3, _ := math.Lgamma(a + b + x)
		d.lx[i] = l1 - lgr + r*la + lgab + l2 - lgb - l3
		if withGrad {
			d.dr[i] = mathext.Digamma(r+x) - psr + la
			d.da[i] = psab - mathext.Digamma(a+b+x)
			d.db[i] = psab + mathext.Digamma(b+x) - psb - mathext.Digamma(a+b+x)
		}
	}
	lnA := math.Log(a)
	var ll, gr, gal, ga, gb float64
	for _, row := range d.rows {
		x := d.xs[row.xi]
		rx := r + x
		lt := math.Log(alpha + row.t)
		e3 := -rx * lt
		l := d.lx[row.xi]
		if x == 0 {
			ll += row.w * (l + e3)
			if withGrad {
				gr += row.w * (d.dr[row.xi] - lt)
				gal += row.w * (r/alpha - rx/(alpha+row.t))
				ga += row.w * d.da[row.xi]
				gb += row.w * d.db[row.xi]
			}
			continue
		}
		ltx := math.Log(alpha + row.tx)
		e4 := lnA - math.Log(b+x-1) - rx*ltx
		m := max(e3, e4)
		w3, w4 := math.Exp(e3-m), math.Exp(e4-m)
		s := w3 + w4
		ll += row.w * (l + m + math.Log(s))
		if withGrad {
			w3, w4 = w3/s, w4/s
			gr += row.w * (d.dr[row.xi] - w3*lt - w4*ltx)
			gal += row.w * (r/alpha - w3*rx/(alpha+row.t) - w4*rx/(alpha+row.tx))
			ga += row.w * (d.da[row.xi] + w4/a)
			gb += row.w * (d.db[row.xi] - w4/(b+x-1))
		}
	}
	if withGrad {
		grad[0], grad[1], grad[2], grad[3] = gr*r, gal*alpha, ga*a, gb*b
	}
	return ll
}

func fitBGNBD(ctx context.Context, s []Summary) (BGNBD, error) {
	d, err := newBGNBDData(s)
	if err != nil {
		return BGNBD{}, err
	}
	var meanT float64
	for _, row := range d.rows {
		meanT += row.w * row.t
	}
	meanT /= d.total
	starts := [][]float64{
		{0, 0, 0, 0},
		{math.Log(0.5), math.Log(max(meanT, 1e-3) / 4), math.Log(0.5), math.Log(2)},
	}
	best := BGNBD{LogLikelihood: math.Inf(-1)}
	var lastErr error
	for _, x0 := range starts {
		x, converged, err := maximize(ctx, x0, func(th, grad []float64) float64 {
			return d.logLik(math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2]), math.Exp(th[3]), grad)
		})
		if err != nil {
			if ctx.Err() != nil {
				return BGNBD{}, fmt.Errorf("tier: bg/nbd: %w", err)
			}
			lastErr = err
			continue
		}
		m := BGNBD{R: math.Exp(x[0]), Alpha: math.Exp(x[1]), A: math.Exp(x[2]), B: math.Exp(x[3]), N: len(s)}
		m.LogLikelihood = d.logLik(m.R, m.Alpha, m.A, m.B, nil)
		if finite(m.LogLikelihood) && m.LogLikelihood > best.LogLikelihood {
			best = m
		}
		if converged {
			break // the second start is a fallback
		}
	}
	if math.IsInf(best.LogLikelihood, -1) {
		return BGNBD{}, fmt.Errorf("tier: bg/nbd: no maximum of the likelihood found: %w", lastErr)
	}
	return best, nil
}

// LogLikelihoodOf returns the log-likelihood of the summaries under the
// model. It returns an error for an invalid summary or model, as
// [FitBGNBD] does.
func (m BGNBD) LogLikelihoodOf(s []Summary) (float64, error) {
	if err := m.validate(); err != nil {
		return 0, err
	}
	d, err := newBGNBDData(s)
	if err != nil {
		return 0, err
	}
	return d.logLik(m.R, m.Alpha, m.A, m.B, nil), nil
}

// PAlive returns the probability that a customer with x repeat purchases,
// the last at t_x = tx, and age T is still alive at T (Fader, Hardie & Lee
// 2005, equation 11). A customer without repeat purchases is alive with
// probability 1 under the model (the BG/NBD drops customers only right after
// a purchase).
func (m BGNBD) PAlive(x, tx, T float64) float64 {
	if x <= 0 {
		return 1
	}
	lr := math.Log(m.A/(m.B+x-1)) + (m.R+x)*(math.Log(m.Alpha+T)-math.Log(m.Alpha+tx))
	return 1 / (1 + math.Exp(lr))
}

// ExpectedPurchases returns the number of purchases expected in the next t
// time units from a customer with x repeat purchases, the last at t_x = tx,
// and age T (Fader, Hardie & Lee 2005, equation 10, with Gauss's
// hypergeometric function from gonum's mathext).
func (m BGNBD) ExpectedPurchases(t, x, tx, T float64) float64 {
	if t <= 0 {
		return 0
	}
	a := nudge(m.A)
	r, alpha, b := m.R, m.Alpha, m.B
	z := t / (alpha + T + t)
	h := mathext.Hypergeo(r+x, b+x, a+b+x-1, z)
	num := (a + b + x - 1) / (a - 1) * (1 - math.Exp((r+x)*(math.Log(alpha+T)-math.Log(alpha+T+t)))*h)
	den := 1.0
	if x > 0 {
		den += a / (b + x - 1) * math.Exp((r+x)*(math.Log(alpha+T)-math.Log(alpha+tx)))
	}
	return max(num/den, 0)
}

// PopulationPurchases returns E[X(t)], the number of purchases a new
// customer is expected to make in a period of length t from the first
// purchase (Fader, Hardie & Lee 2005, equation 9).
func (m BGNBD) PopulationPurchases(t float64) float64 {
	if t <= 0 {
		return 0
	}
	a := nudge(m.A)
	h := mathext.Hypergeo(m.R, m.B, a+m.B-1, t/(m.Alpha+t))
	return max((a+m.B-1)/(a-1)*(1-math.Pow(m.Alpha/(m.Alpha+t), m.R)*h), 0)
}

// nudge moves a away from 1, where equations 9 and 10 have a removable
// singularity.
func nudge(a float64) float64 {
	if math.Abs(a-1) < 1e-7 {
		return 1 + 1e-7
	}
	return a
}
