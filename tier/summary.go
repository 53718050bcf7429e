package tier

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/strataseg/strata/segment"
)

// Summary is one customer's purchase history reduced to what the BG/NBD and
// Gamma-Gamma models need (Fader, Hardie & Lee 2005), in the form the
// `lifetimes` Python package calls a frequency/recency/T/monetary summary.
//
// Times are in a unit the caller chooses (the unit given to [Summarize]);
// every Summary fitted together must use the same unit, and the fitted
// parameters are in that unit (α is a time scale).
type Summary struct {
	// ID names the customer in errors; it may be empty.
	ID string `json:"id,omitempty"`
	// Frequency is x, the number of repeat purchases: the number of distinct
	// days with a purchase, less one for the first.
	Frequency int `json:"frequency"`
	// Recency is t_x, the time from the first purchase to the last one; it is
	// 0 when Frequency is 0.
	Recency float64 `json:"recency"`
	// T is the customer's age: the time from the first purchase to the end of
	// the observation period (the "as of" date). T ≥ Recency.
	T float64 `json:"t"`
	// Monetary is the mean value of the repeat purchases (a day's orders
	// summed), leaving out the first purchase; 0 when Frequency is 0.
	Monetary float64 `json:"monetary"`
}

// validate checks one summary as a model fit or prediction needs it.
func (s *Summary) validate() error {
	bad := func(field, format string, args ...any) error {
		return &segment.FieldError{AccountID: s.ID, Field: field, Err: fmt.Errorf(format, args...)}
	}
	switch {
	case s.Frequency < 0:
		return bad("frequency", "is negative (%d)", s.Frequency)
	case !finite(s.Recency) || s.Recency < 0:
		return bad("recency", "is %v, not a finite time ≥ 0", s.Recency)
	case !finite(s.T) || s.T < s.Recency:
		return bad("t", "is %v, not a finite time ≥ recency (%v)", s.T, s.Recency)
	case s.Frequency == 0 && s.Recency != 0:
		return bad("recency", "is %v with no repeat purchase", s.Recency)
	case !finite(s.Monetary) || s.Monetary < 0:
		return bad("monetary", "is %v, not a finite amount ≥ 0", s.Monetary)
	}
	return nil
}

// Summarize reduces orders to a [Summary] as of the date asOf, with times in
// unit (24*7*time.Hour for weeks, as the published CDNOW figures use).
//
// Orders placed after asOf and returns are left out. Orders on the same
// calendar day (UTC) are one purchase, their amounts summed, as Fader, Hardie
// & Lee and `lifetimes` count them. Recency and T run from the first purchase
// day to the last purchase day and to asOf's day, in whole days divided by
// the unit.
//
// It returns an error wrapping [segment.ErrInvalidAccount] for an order
// without a time or with an amount that is not finite and ≥ 0, and one
// wrapping [segment.ErrEmptyInput] when no purchase was made on or before
// asOf (such a customer has no BG/NBD summary).
func Summarize(orders []segment.Order, asOf time.Time, unit time.Duration) (Summary, error) {
	if unit <= 0 {
		return Summary{}, fmt.Errorf("tier: summarize: unit %v is not positive: %w", unit, segment.ErrInvalidConfig)
	}
	for i, o := range orders {
		if o.Time.IsZero() {
			return Summary{}, fmt.Errorf("tier: summarize: %w", &segment.FieldError{Field: fmt.Sprintf("orders[%d].time", i), Err: fmt.Errorf("is not set")})
		}
		if !finite(o.Amount) || o.Amount < 0 {
			return Summary{}, fmt.Errorf("tier: summarize: %w", &segment.FieldError{Field: fmt.Sprintf("orders[%d].amount", i), Err: fmt.Errorf("is %v, not a finite amount ≥ 0", o.Amount)})
		}
	}
	var p purchases
	p.add(orders, asOf, true)
	if p.days == 0 {
		return Summary{}, fmt.Errorf("tier: summarize: no purchase on or before %s: %w", asOf.Format(time.DateOnly), segment.ErrEmptyInput)
	}
	return p.summary(dayNumber(asOf), float64(unit)/float64(24*time.Hour)), nil
}

// purchases is an account's buying history folded by day, what a Summary is
// made from once the as-of day is known.
type purchases struct {
	days        int     // distinct purchase days
	first, last int64   // first and last purchase day
	firstSpend  float64 // amount bought on the first day
	total       float64 // amount bought on all days
}

// add folds the purchases (not returns) in orders placed on or before asOf
// (all of them when filter is false).
func (p *purchases) add(orders []segment.Order, asOf time.Time, filter bool) {
	type day struct {
		n      int64
		amount float64
	}
	ds := make([]day, 0, len(orders))
	for _, o := range orders {
		if o.Return || (filter && o.Time.After(asOf)) {
			continue
		}
		ds = append(ds, day{dayNumber(o.Time), o.Amount})
	}
	if len(ds) == 0 {
		return
	}
	slices.SortStableFunc(ds, func(a, b day) int {
		switch {
		case a.n < b.n:
			return -1
		case a.n > b.n:
			return 1
		}
		return 0
	})
	p.first, p.last = ds[0].n, ds[len(ds)-1].n
	for i, d := range ds {
		if i == 0 || d.n != ds[i-1].n {
			p.days++
		}
		if d.n == p.first {
			p.firstSpend += d.amount
		}
		p.total += d.amount
	}
}

// summary returns the Summary as of day asOf, with times in units of
// unitDays days.
func (p *purchases) summary(asOf int64, unitDays float64) Summary {
	s := Summary{Frequency: p.days - 1}
	if s.Frequency > 0 {
		s.Recency = float64(p.last-p.first) / unitDays
		s.Monetary = (p.total - p.firstSpend) / float64(s.Frequency)
	}
	s.T = max(float64(asOf-p.first)/unitDays, s.Recency)
	return s
}

// dayNumber is the number of the UTC calendar day holding t, counted from
// the Unix epoch.
func dayNumber(t time.Time) int64 {
	return int64(math.Floor(float64(t.Unix()) / 86400))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
