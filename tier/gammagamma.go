package tier

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"

	"github.com/strataseg/strata/segment"
)

// GammaGamma is a fitted Gamma-Gamma model of spend per purchase (Colombo &
// Jiang 1999; Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves
// for Customer Base Analysis", Journal of Marketing Research 42(4):415–430).
//
// Each purchase of a customer is worth Gamma(P, ν) with ν, the customer's
// spend scale, Gamma(Q, V) across customers; spend is taken independent of
// the buying process.
type GammaGamma struct {
	P float64 `json:"p"`
	Q float64 `json:"q"`
	V float64 `json:"v"`
	// LogLikelihood is the log-likelihood of the fitted summaries.
	LogLikelihood float64 `json:"log_likelihood,omitempty"`
	// N is the number of summaries fitted (those with repeat purchases).
	N int `json:"n,omitempty"`
	// MeanSpend is the mean of the fitted customers' Monetary values; it
	// stands for the population mean spend when Q ≤ 1, where the model's
	// mean is infinite.
	MeanSpend float64 `json:"mean_spend,omitempty"`
}

// FitGammaGamma fits the Gamma-Gamma model by maximum likelihood to the
// summaries with a repeat purchase and a positive Monetary value (the others
// carry no information about spend per repeat purchase and are left out),
// by L-BFGS (gonum's optimize) on the logarithms of the parameters with the
// analytic gradient, kept within ±30 as in [FitBGNBD].
//
// It returns an error wrapping [segment.ErrEmptyInput] when no summary has a
// repeat purchase with a positive value, and one wrapping
// [segment.ErrInvalidAccount] for an invalid summary.
func FitGammaGamma(s []Summary) (GammaGamma, error) {
	return fitGammaGamma(context.Background(), s)
}

func fitGammaGamma(ctx context.Context, s []Summary) (GammaGamma, error) {
	var xs, ms []float64
	var sum float64
	for i := range s {
		if err := s[i].validate(); err != nil {
			return GammaGamma{}, fmt.Errorf("tier: gamma-gamma: %w", err)
		}
		if s[i].Frequency > 0 && s[i].Monetary > 0 {
			xs = append(xs, float64(s[i].Frequency))
			ms = append(ms, s[i].Monetary)
			sum += s[i].Monetary
		}
	}
	if len(xs) == 0 {
		return GammaGamma{}, fmt.Errorf("tier: gamma-gamma: no summary has a repeat purchase of positive value: %w", segment.ErrEmptyInput)
	}
	// Terms that do not depend on the parameters.
	lxm := make([]float64, len(xs)) // ln x + ln m
	for i := range xs {
		lxm[i] = math.Log(xs[i]) + math.Log(ms[i])
	}
	ll := func(th, grad []float64) float64 {
		p, q, v := math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2])
		lgq, _ := math.Lgamma(q)
		lv := math.Log(v)
		var psq float64
		if grad != nil {
			psq = mathext.Digamma(q)
		}
		var l, gp, gq, gv float64
		for i, x := range xs {
			px := p * x
			l1, _ := math.Lgamma(px + q)
			l2, _ := math.Lgamma(px)
			lvm := math.Log(v + ms[i]*x)
			l += l1 - l2 - lgq + q*lv + px*lxm[i] - math.Log(ms[i]) - (px+q)*lvm
			if grad != nil {
				d1 := mathext.Digamma(px + q)
				gp += x * (d1 - mathext.Digamma(px) + lxm[i] - lvm)
				gq += d1 - psq + lv - lvm
				gv += q/v - (px+q)/(v+ms[i]*x)
			}
		}
		if grad != nil {
			grad[0], grad[1], grad[2] = gp*p, gq*q, gv*v
		}
		return l
	}
	mean := sum / float64(len(xs))
	starts := [][]float64{{0, 0, 0}, {math.Log(2), math.Log(2), math.Log(max(mean, 1e-3))}}
	best := GammaGamma{LogLikelihood: math.Inf(-1)}
	var lastErr error
	for _, x0 := range starts {
		x, converged, err := maximize(ctx, x0, ll)
		if err != nil {
			if ctx.Err() != nil {
				return GammaGamma{}, fmt.Errorf("tier: gamma-gamma: %w", err)
			}
			lastErr = err
			continue
		}
		if l := ll(x, nil); finite(l) && l > best.LogLikelihood {
			best = GammaGamma{P: math.Exp(x[0]), Q: math.Exp(x[1]), V: math.Exp(x[2]), LogLikelihood: l, N: len(xs), MeanSpend: mean}
		}
		if converged {
			break // the second start is a fallback
		}
	}
	if math.IsInf(best.LogLikelihood, -1) {
		return GammaGamma{}, fmt.Errorf("tier: gamma-gamma: no maximum of the likelihood found: %w", lastErr)
	}
	return best, nil
}

// ExpectedSpend returns the expected value of a purchase by a customer whose
// x repeat purchases averaged m (Fader, Hardie & Lee 2005, "RFM and CLV",
// equation 5): a weighted mean of the population mean and the customer's own
// mean, p(V + m·x) / (p·x + Q − 1). For x = 0 it is the population mean
// p·V/(Q−1), or MeanSpend when Q ≤ 1.
func (g GammaGamma) ExpectedSpend(x, m float64) float64 {
	if x <= 0 || m <= 0 {
		if g.Q <= 1 {
			return g.MeanSpend
		}
		return g.P * g.V / (g.Q - 1)
	}
	den := g.P*x + g.Q - 1
	if den <= 0 {
		return m
	}
	return g.P * (g.V + m*x) / den
}

// CLV returns a customer's discounted lifetime value over the next months
// months (Fader, Hardie & Lee 2005, "RFM and CLV"; the month-by-month sum the
// `lifetimes` package computes): the purchases the BG/NBD model expects in
// each month, times the spend the Gamma-Gamma model expects per purchase,
// discounted at monthlyDiscount per month (0.01 is 1% a month; 0: none).
// unitsPerMonth is the length of a month in the unit of the summary and the
// BG/NBD model (365.25/12/7 for weeks).
func CLV(bg BGNBD, gg GammaGamma, s Summary, months int, monthlyDiscount, unitsPerMonth float64) float64 {
	spend := gg.ExpectedSpend(float64(s.Frequency), s.Monetary)
	x := float64(s.Frequency)
	if monthlyDiscount == 0 {
		// Undiscounted, the monthly sum telescopes.
		return spend * bg.ExpectedPurchases(float64(months)*unitsPerMonth, x, s.Recency, s.T)
	}
	var clv, prev float64
	for i := 1; i <= months; i++ {
		e := bg.ExpectedPurchases(float64(i)*unitsPerMonth, x, s.Recency, s.T)
		clv += spend * (e - prev) / math.Pow(1+monthlyDiscount, float64(i))
		prev = e
	}
	return clv
}
