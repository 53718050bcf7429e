package tier

import (
	"math"
	"time"

	"github.com/strataseg/strata/segment"
)

// month is the average calendar month, the unit of the contractual model and
// of the CLV horizon.
const month = time.Duration(365.25 / 12 * 24 * float64(time.Hour))

// MRR returns the monthly recurring revenue of the subscriptions running at
// asOf: those started on or before asOf and not ended by then.
func MRR(subs []segment.Subscription, asOf time.Time) float64 {
	var m float64
	for _, s := range subs {
		if running(s, asOf) {
			m += s.Monthly
		}
	}
	return m
}

func running(s segment.Subscription, asOf time.Time) bool {
	return !s.Start.After(asOf) && (s.End.IsZero() || s.End.After(asOf))
}

// ContractCLV returns the discounted value of a subscription customer over
// the next months months under a constant monthly retention rate (Gupta &
// Lehmann 2003, "Customers as Assets", Journal of Interactive Marketing
// 17(1):9–24): the sum over months i = 1…months of mrr · retention^i /
// (1 + monthlyDiscount)^i. With retention < 1 the customer's expected
// remaining lifetime is 1/(1 − retention) months.
func ContractCLV(mrr, retention float64, months int, monthlyDiscount float64) float64 {
	var v float64
	k := retention / (1 + monthlyDiscount)
	f := 1.0
	for range months {
		f *= k
		v += mrr * f
	}
	return v
}

// ExpectedLifetime returns the expected remaining lifetime in months of a
// subscription customer under a constant monthly retention rate:
// 1/(1 − retention), and +Inf for retention 1.
func ExpectedLifetime(retention float64) float64 {
	if retention >= 1 {
		return math.Inf(1)
	}
	return 1 / (1 - retention)
}

// retentionCount accumulates, over accounts, the exposure (in months) and
// the churn events that estimate a constant monthly churn rate: the maximum
// likelihood estimate with censoring of an exponential lifetime's hazard,
// events / exposure.
type retentionCount struct {
	exposure float64 // months as a subscriber
	churns   int
}

// add counts one account's subscriptions as of asOf: it is a subscriber from
// its first start; it has churned if every subscription started by asOf had
// ended by then, at the last end.
func (c *retentionCount) add(subs []segment.Subscription, asOf time.Time) {
	var first, lastEnd time.Time
	active := false
	for _, s := range subs {
		if s.Start.After(asOf) {
			continue
		}
		if first.IsZero() || s.Start.Before(first) {
			first = s.Start
		}
		if running(s, asOf) {
			active = true
		} else if s.End.After(lastEnd) {
			lastEnd = s.End
		}
	}
	if first.IsZero() {
		return
	}
	end := asOf
	if !active {
		end = lastEnd
		c.churns++
	}
	c.exposure += float64(end.Sub(first)) / float64(month)
}

// rate returns the monthly retention rate, the probability of staying a
// month, exp(−churns/exposure), and false when there is no exposure.
func (c *retentionCount) rate() (float64, bool) {
	if c.exposure <= 0 {
		return 0, false
	}
	return math.Exp(-float64(c.churns) / c.exposure), true
}
