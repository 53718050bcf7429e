package tier

import (
	"iter"
	"time"

	"github.com/strataseg/strata/segment"
)

// History is an account's value to date, from its orders.
type History struct {
	// Orders counts the purchases (orders that are not returns).
	Orders int `json:"orders"`
	// Purchases is the amount bought, before returns.
	Purchases float64 `json:"purchases"`
	// Returns is the amount returned, credited or cancelled.
	Returns float64 `json:"returns"`
	// Revenue is Purchases less Returns: the net revenue to date.
	Revenue float64 `json:"revenue"`
	// AverageOrder is Purchases / Orders, 0 without orders.
	AverageOrder float64 `json:"average_order"`
	// First and Last are the times of the first and the last purchase.
	First time.Time `json:"first,omitzero"`
	Last  time.Time `json:"last,omitzero"`
	// Tenure is the time from the first purchase to the as-of date.
	Tenure time.Duration `json:"tenure"`
	// Margin is the sum of the orders' known margins (returns subtract
	// theirs); unknown when no order has a known margin.
	Margin segment.Num `json:"margin,omitzero"`
	// MarginBase is the net amount of the orders whose margin is known, so
	// that Margin / MarginBase is the account's margin rate.
	MarginBase float64 `json:"margin_base,omitempty"`
	// Unmargined is the net amount of the orders whose margin is unknown.
	Unmargined float64 `json:"unmargined,omitempty"`
}

// Historical sums an account's orders placed on or before asOf (all of them
// when asOf is zero) into its [History]. Amounts are taken as they are: the
// caller checks them (as [segment.Account.Validate] does).
func Historical(orders []segment.Order, asOf time.Time) History {
	var h History
	var margin float64
	known := false
	for _, o := range orders {
		if !asOf.IsZero() && o.Time.After(asOf) {
			continue
		}
		sign := 1.0
		if o.Return {
			sign = -1
			h.Returns += o.Amount
		} else {
			h.Orders++
			h.Purchases += o.Amount
			if h.First.IsZero() || o.Time.Before(h.First) {
				h.First = o.Time
			}
			if o.Time.After(h.Last) {
				h.Last = o.Time
			}
		}
		if m, ok := o.Margin.Get(); ok {
			margin += sign * m
			h.MarginBase += sign * o.Amount
			known = true
		} else {
			h.Unmargined += sign * o.Amount
		}
	}
	h.Revenue = h.Purchases - h.Returns
	if h.Orders > 0 {
		h.AverageOrder = h.Purchases / float64(h.Orders)
		end := asOf
		if end.IsZero() {
			end = h.Last
		}
		h.Tenure = max(end.Sub(h.First), 0)
	}
	if known {
		h.Margin = segment.N(margin)
	}
	return h
}

// RevenueByPeriod returns the net revenue (purchases less returns) of the
// orders in each period [bounds[i], bounds[i+1]); it has len(bounds)−1
// entries, and orders outside all periods are left out. bounds must be
// increasing.
func RevenueByPeriod(orders []segment.Order, bounds []time.Time) []float64 {
	if len(bounds) < 2 {
		return nil
	}
	out := make([]float64, len(bounds)-1)
	for _, o := range orders {
		if o.Time.Before(bounds[0]) || !o.Time.Before(bounds[len(bounds)-1]) {
			continue
		}
		i := 0
		for !o.Time.Before(bounds[i+1]) {
			i++
		}
		if o.Return {
			out[i] -= o.Amount
		} else {
			out[i] += o.Amount
		}
	}
	return out
}

// Retention is the net revenue retention of a set of accounts between a
// base period and a later one: what the accounts that bought in the base
// period bought in the later one, with the expansion, contraction and churn
// that make up the change. New accounts (no revenue in the base period) are
// left out, as the usual SaaS definition of NRR does.
type Retention struct {
	// Accounts counts the accounts with positive revenue in the base period.
	Accounts int `json:"accounts"`
	// Base is their revenue in the base period.
	Base float64 `json:"base"`
	// Current is their revenue in the later period.
	Current float64 `json:"current"`
	// Expansion sums the increases of the accounts that bought more.
	Expansion float64 `json:"expansion"`
	// Contraction sums the decreases of the accounts that bought less but
	// still bought.
	Contraction float64 `json:"contraction"`
	// Churn sums the base revenue of the accounts that bought nothing (or a
	// net of nothing or less) in the later period.
	Churn float64 `json:"churn"`
	// Churned counts those accounts.
	Churned int `json:"churned"`
	// NRR is Current / Base: net revenue retention (1.1 is 110%). It is 0
	// when Base is 0.
	NRR float64 `json:"nrr"`
	// GRR is (Base − Contraction − Churn) / Base: gross revenue retention,
	// which leaves expansion out. It is 0 when Base is 0.
	GRR float64 `json:"grr"`
}

// NetRetention computes the [Retention] of accts between the base period
// [baseFrom, baseTo) and the later period [from, to). It walks accts once.
func NetRetention(accts iter.Seq[segment.Account], baseFrom, baseTo, from, to time.Time) Retention {
	var r Retention
	bounds := []time.Time{baseFrom, baseTo}
	later := []time.Time{from, to}
	for a := range accts {
		base := RevenueByPeriod(a.Orders, bounds)[0]
		if base <= 0 {
			continue
		}
		cur := max(RevenueByPeriod(a.Orders, later)[0], 0)
		r.Accounts++
		r.Base += base
		r.Current += cur
		switch {
		case cur == 0:
			r.Churn += base
			r.Churned++
		case cur > base:
			r.Expansion += cur - base
		default:
			r.Contraction += base - cur
		}
	}
	if r.Base > 0 {
		r.NRR = r.Current / r.Base
		r.GRR = (r.Base - r.Contraction - r.Churn) / r.Base
	}
	return r
}
