package tier

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/strataseg/strata/segment"
)

// Model is a fitted tiering: the fitted value model, the tier bounds in
// value units and the distribution of the fitted values. It is plain data;
// json.Marshal encodes it and [Segmenter.DecodeModel] reads it back.
// Its fields must not be changed once it has assigned an account: it keeps
// the texts of its reasons, built on first use.
type Model struct {
	segment.Header
	// Config is the Config the Model was fitted with.
	Config Config `json:"config"`
	// AsOf is the reference date: Config.AsOf, or the latest order (or
	// subscription start) in the fit data.
	AsOf time.Time `json:"as_of"`
	// BGNBD and GammaGamma are the fitted models of the [MeasureCLV]
	// measure, in weeks; nil for the other measures.
	BGNBD      *BGNBD      `json:"bgnbd,omitempty"`
	GammaGamma *GammaGamma `json:"gamma_gamma,omitempty"`
	// Retention is the monthly retention rate of the [MeasureContract]
	// measure.
	Retention float64 `json:"retention,omitempty"`
	// MarginRate is the margin rate over the fitted orders with a known
	// margin, for the [MeasureMargin] measure.
	MarginRate float64 `json:"margin_rate,omitempty"`
	// Bounds are the lowest values of each tier but the last, top tier
	// first: an account is in the first tier whose bound its value reaches.
	// math.MaxFloat64 marks a tier no value reaches.
	Bounds []float64 `json:"bounds"`
	// Percentiles are the 0th to 100th percentiles of the fitted accounts'
	// values (with a known value); nil when none is known.
	Percentiles []float64 `json:"percentiles,omitempty"`
	// N is the number of accounts fitted.
	N int `json:"n"`
	// Counts and Values are the number of fitted accounts and their total
	// value in each segment, in the order of Tiers.
	Counts []int     `json:"counts"`
	Values []float64 `json:"values"`
	// Tiers are the segments: the tiers, top first, and, for the
	// [MeasureCustom] measure, the "tier/unknown" segment of accounts
	// without the value.
	Tiers []segment.Segment `json:"segments"`

	// text holds the parts of the reason texts that depend on the Model
	// alone, built on first use: a Model must not be changed once it has
	// assigned an account.
	text atomic.Pointer[modelText]
}

// modelText is what [Model.reasons] would otherwise format for every
// account: the label and field of the value, the tier names, each tier's
// " → name (rule)" and each bound as money without a currency.
type modelText struct {
	label, field string
	asOf         string
	names        []string
	arrow        []string
	bounds       []string
}

// texts returns m's modelText, building it on first use. Two goroutines
// may both build it; they build the same.
func (m *Model) texts() *modelText {
	if t := m.text.Load(); t != nil {
		return t
	}
	t := &modelText{label: m.label(), field: m.field(), asOf: m.AsOf.Format(time.DateOnly), names: m.Config.names()}
	t.arrow = make([]string, len(m.Bounds)+1) // the tiers, without the unknown-value segment
	for k := range t.arrow {
		t.arrow[k] = " → " + m.Tiers[k].Name
		if r := m.rule(k); r != "" {
			t.arrow[k] += " (" + r + ")"
		}
	}
	t.bounds = make([]string, len(m.Bounds))
	for i, b := range m.Bounds {
		t.bounds[i] = money(b, "")
	}
	m.text.Store(t)
	return t
}

// withCurrency puts currency in front of an amount money formatted
// without one, as money does.
func withCurrency(dst []byte, amount, currency string) []byte {
	if currency != "" {
		dst = append(dst, currency...)
		dst = append(dst, ' ')
	}
	return append(dst, amount...)
}

var _ segment.Model = (*Model)(nil)

// Segments lists the tiers, top first, then the unknown-value segment for
// the [MeasureCustom] measure. The caller must not modify the slice.
func (m *Model) Segments() []segment.Segment { return m.Tiers }

// Assign places an account in its tier. It is a pure function, safe for
// concurrent use: it values the account as of the Model's AsOf (orders and
// subscriptions after it are left out) with the fitted parameters and
// compares the value with the fitted Bounds.
//
// The Assignment's Score is the value's percentile among the fitted
// accounts, in [0, 1], interpolated from Percentiles (0 for an unknown
// value). Scores holds "value" (after the channel and grade adjustments)
// and, by measure, "revenue", "margin", or "clv" with "p_alive",
// "expected_purchases" and "expected_spend" (CLV), or "clv" with "mrr"
// (contract). Reasons give the tier's rule first (or "key account"), then
// the facts behind the value and the adjustments.
//
// It returns an error wrapping [segment.ErrInvalidAccount] for an account
// that [segment.Account.Validate] refuses.
func (m *Model) Assign(a *segment.Account) (segment.Assignment, error) {
	if a == nil {
		return segment.Assignment{}, fmt.Errorf("tier: nil account: %w", segment.ErrInvalidAccount)
	}
	if err := a.Validate(); err != nil {
		return segment.Assignment{}, fmt.Errorf("tier: %w", err)
	}
	return m.AssignValid(a)
}

// AssignValid is Assign for an account whose Validate the caller has
// checked (see [segment.ValidAssigner]); the combinators call it.
func (m *Model) AssignValid(a *segment.Account) (segment.Assignment, error) {
	f := m.Config.gather(a, m.AsOf, true)
	v := m.value(&f)
	key := slices.Contains(m.Config.KeyAccounts, a.ID)
	k := m.tierOf(&v, key)
	out := segment.Assignment{AccountID: a.ID, Segment: m.Tiers[k], Scores: v.scores}
	if v.known {
		out.Score = m.percentile(v.value)
	}
	out.Reasons = m.reasons(&v, &f, k, key, out.Score)
	return out, nil
}

// percentile returns the percentile rank of v among the fitted values,
// interpolated on the percentile grid: the mean of the fraction below v and
// the fraction at or below it, so that tied values (the many accounts with
// no orders) share the middle of their range.
func (m *Model) percentile(v float64) float64 {
	q := m.Percentiles
	if len(q) == 0 {
		return 0
	}
	return (fractionBelow(q, v, false) + fractionBelow(q, v, true)) / 2
}

// fractionBelow returns the fraction of the distribution on the grid q that
// lies below v (or at or below v, with orEqual), linear between grid points.
func fractionBelow(q []float64, v float64, orEqual bool) float64 {
	last := len(q) - 1
	// i is the number of grid points below v (or at or below it).
	i := sortSearch(q, v, orEqual)
	switch {
	case i == 0:
		return 0
	case i > last:
		return 1
	}
	lo, hi := q[i-1], q[i]
	frac := 0.0
	if hi > lo {
		frac = (v - lo) / (hi - lo)
	}
	return (float64(i-1) + frac) / float64(last)
}

// sortSearch returns the number of entries of the sorted q that are < v
// (≤ v with orEqual).
func sortSearch(q []float64, v float64, orEqual bool) int {
	lo, hi := 0, len(q)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if q[h] < v || (orEqual && q[h] == v) {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}

// reasons explains an assignment to tier k.
func (m *Model) reasons(v *valuation, f *facts, k int, key bool, score float64) []segment.Reason {
	c := &m.Config
	n := len(m.Bounds) + 1
	tx := m.texts()
	label, field := tx.label, tx.field
	rs := make([]segment.Reason, 0, 1+len(v.details)+len(v.adjust))
	if key {
		rs = append(rs, segment.Reason{Field: "id", Text: fmt.Sprintf("key account → %s, always", m.Tiers[0].Name)})
	}
	switch {
	case !v.known:
		rs = append(rs, segment.Reason{Field: field, Text: fmt.Sprintf("%s is unknown → %s", label, m.Tiers[n].Name)})
	case v.none:
		what := "no orders"
		if c.Measure == MeasureContract {
			what = "no subscription running"
		}
		t := what + " by " + m.texts().asOf + ": " + label + " " + money(v.value, f.currency)
		if !key {
			t += " → " + m.Tiers[n-1].Name
		}
		rs = append(rs, segment.Reason{Field: field, Text: t})
	default:
		tx := m.texts()
		t := make([]byte, 0, 160)
		t = append(t, "top "...)
		t = append(t, topPercent(score)...)
		t = append(t, " of accounts by "...)
		t = append(t, tx.label...)
		t = append(t, ": "...)
		t = append(t, money(v.value, f.currency)...)
		byValue := m.tierOf(v, false)
		switch {
		case byValue < n-1:
			t = withCurrency(append(t, " ≥ "...), tx.bounds[byValue], f.currency)
		case n > 1 && m.Bounds[n-2] == math.MaxFloat64:
			t = append(t, " (no fitted account has a positive value)"...)
		case n > 1:
			t = withCurrency(append(t, " < "...), tx.bounds[n-2], f.currency)
		}
		if key {
			t = append(t, " ("...)
			t = append(t, tx.names[byValue]...)
			t = append(t, " by value)"...)
		} else {
			t = append(t, tx.arrow[k]...)
		}
		rs = append(rs, segment.Reason{Field: tx.field, Text: string(t)})
	}
	rs = append(rs, v.details...)
	rs = append(rs, v.adjust...)
	return rs
}

// rule describes the share tier k stands for, as the scheme cut it.
func (m *Model) rule(k int) string {
	c := &m.Config
	switch c.Scheme {
	case Pareto:
		sh := c.shares()
		cum := 0.0
		for _, s := range sh[:k] {
			cum += s
		}
		switch k {
		case 0:
			return fmt.Sprintf("the accounts making the first %s of value", percent(sh[0]))
		case len(sh) - 1:
			return fmt.Sprintf("the last %s of value", percent(sh[k]))
		}
		return fmt.Sprintf("the next %s of value, to %s", percent(sh[k]), percent(cum+sh[k]))
	case Quantile:
		q := c.quantiles()
		switch k {
		case 0:
			return fmt.Sprintf("the top %s of accounts", percent(q[0]))
		case len(q) - 1:
			return fmt.Sprintf("the bottom %s of accounts", percent(q[k]))
		}
		cum := 0.0
		for _, s := range q[:k] {
			cum += s
		}
		return fmt.Sprintf("the next %s of accounts, to %s", percent(q[k]), percent(cum+q[k]))
	}
	return ""
}

// label names the value measured.
func (m *Model) label() string {
	c := &m.Config
	switch c.Measure {
	case MeasureMargin:
		return "margin to date"
	case MeasureCLV:
		return "predicted " + horizonText(c.horizon()) + " value"
	case MeasureContract:
		return horizonText(c.horizon()) + " contract value"
	case MeasureCustom:
		return "numbers[" + c.Key + "]"
	}
	return "revenue to date"
}

// field names the account field the value comes from.
func (m *Model) field() string {
	switch m.Config.Measure {
	case MeasureContract:
		return "subscriptions"
	case MeasureCustom:
		return "numbers[" + m.Config.Key + "]"
	}
	return "orders"
}

// segments builds the Model's segments.
func (m *Model) segments() []segment.Segment {
	c := &m.Config
	names := c.names()
	n := len(names)
	out := make([]segment.Segment, 0, n+1)
	for k, name := range names {
		display := name
		if c.Names == nil {
			display = "Tier " + name
		}
		var d string
		switch {
		case k < n-1 && m.Bounds[k] == math.MaxFloat64:
			d = "No fitted account reached this tier."
		case k < n-1:
			d = fmt.Sprintf("Accounts with %s of at least %s", m.label(), money(m.Bounds[k], ""))
		case n > 1 && m.Bounds[n-2] < math.MaxFloat64:
			d = fmt.Sprintf("Accounts with %s below %s", m.label(), money(m.Bounds[n-2], ""))
		default:
			d = "Every account"
		}
		if r := m.rule(k); r != "" && !strings.HasPrefix(d, "No") {
			d += ": " + r
		}
		if k == 0 && len(c.KeyAccounts) > 0 {
			d += "; and the named key accounts"
		}
		if !strings.HasSuffix(d, ".") {
			d += "."
		}
		out = append(out, segment.Segment{ID: method + "/" + name, Name: display, Description: d, Method: method})
	}
	if c.Measure == MeasureCustom {
		out = append(out, segment.Segment{ID: method + "/unknown", Name: "Unknown value", Description: "Accounts without " + m.label() + ".", Method: method})
	}
	return out
}

// money formats an amount compactly: 1.2M, 45.3k, 812, 12.50, with the
// currency code in front when there is one.
func money(v float64, currency string) string {
	a := math.Abs(v)
	var s string
	switch {
	case a >= 1e15:
		s = strconv.FormatFloat(a, 'g', 3, 64)
	case a >= 1e9:
		s = trimFloat(math.Round(a/1e8)/10) + "B"
	case a >= 1e6:
		s = trimFloat(math.Round(a/1e5)/10) + "M"
	case a >= 1e4:
		s = trimFloat(math.Round(a/1e2)/10) + "k"
	case a >= 100:
		s = strconv.FormatFloat(math.Round(a), 'f', 0, 64)
	case a == 0:
		s = "0"
	default:
		s = strconv.FormatFloat(a, 'f', 2, 64)
	}
	if v < 0 && s != "0.00" {
		s = "-" + s
	}
	if currency != "" {
		s = currency + " " + s
	}
	return s
}

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// percent formats a fraction as a percentage with up to one decimal.
func percent(f float64) string {
	return trimFloat(math.Round(f*1000)/10) + "%"
}

// topPercent formats 1 − score as "top x%", at least 1%.
func topPercent(score float64) string {
	return strconv.Itoa(max(int(math.Ceil((1-score)*100-1e-9)), 1)) + "%"
}

// horizonText says "3-year" for 36 months, "18-month" otherwise.
func horizonText(months int) string {
	if months%12 == 0 {
		return strconv.Itoa(months/12) + "-year"
	}
	return strconv.Itoa(months) + "-month"
}

// horizonSpan says "3 years" for 36 months, "18 months" otherwise.
func horizonSpan(months int) string {
	switch {
	case months == 12:
		return "a year"
	case months%12 == 0:
		return strconv.Itoa(months/12) + " years"
	case months == 1:
		return "a month"
	}
	return strconv.Itoa(months) + " months"
}

// boughtText says how often and how recently a customer bought.
func boughtText(s Summary) string {
	if s.Frequency == 0 {
		return fmt.Sprintf("1 purchase, %s ago", weeksText(s.T))
	}
	return fmt.Sprintf("%d purchases, the last %s ago", s.Frequency+1, weeksText(s.T-s.Recency))
}

// weeksText says how long w weeks is, in days, weeks or months.
func weeksText(w float64) string {
	switch d := w * 7; {
	case d < 14:
		return fmt.Sprintf("%.0f days", d)
	case w < 9:
		return fmt.Sprintf("%.0f weeks", w)
	default:
		return fmt.Sprintf("%.0f months", w/weeksPerMonth)
	}
}
