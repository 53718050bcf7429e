package propensity

import (
	"maps"
	"math"
	"slices"
	"time"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/cluster"
)

// The kinds of field a model reads from an account.
const (
	kEmployees   = "employees"
	kRevenue     = "revenue"
	kGrowth      = "growth"
	kFounded     = "founded"
	kNumber      = "number"
	kTechnology  = "technology"
	kEvents      = "events"
	kRecency     = "recency"
	kBought      = "bought"
	kOrders      = "orders"
	kAmount      = "amount"
	kTenure      = "tenure"
	kIndustry    = "industry"
	kNAICSSector = "naics_sector"
	kCountry     = "country"
	kType        = "type"
	kChannel     = "channel"
	kLeadGrade   = "lead_grade"
	kText        = "text"
)

// unknownLevel is the level of a categorical field whose value is unknown:
// a level of its own, so that the model learns what a blank says.
const unknownLevel = "unknown"

// Field is one account attribute a model reads, a numeric column or a
// categorical one.
type Field struct {
	// Kind names the attribute ("employees", "technology", "events",
	// "text"…).
	Kind string `json:"kind"`
	// Key is the custom key, technology, event kind or product line, for
	// the kinds that have one.
	Key string `json:"key,omitempty"`
	// Log, for a custom number, takes sign(x)·ln(1+|x|) before scaling.
	Log bool `json:"log,omitempty"`
}

// Name returns the field's name, as Reason.Field and Config.Exclude use it:
// "employees", "text[Lead Origin]", "technologies[Excel]", "events[trial]".
func (f Field) Name() string { return f.name() }

func (f Field) numeric() bool {
	switch f.Kind {
	case kIndustry, kNAICSSector, kCountry, kType, kChannel, kLeadGrade, kText:
		return false
	}
	return true
}

// name is the field's name in Reason.Field and Config.Exclude.
func (f Field) name() string {
	switch f.Kind {
	case kNumber:
		return "numbers[" + f.Key + "]"
	case kText:
		return "text[" + f.Key + "]"
	case kTechnology:
		return "technologies[" + f.Key + "]"
	case kEvents:
		return "events[" + f.Key + "]"
	case kRecency:
		return "events.days_since_last"
	case kBought:
		return "orders.bought[" + f.Key + "]"
	case kOrders:
		return "orders.count"
	case kAmount:
		return "orders.amount"
	case kTenure:
		return "orders.months_since_first"
	}
	return f.Kind
}

// label is how a reason names the field.
func (f Field) label() string {
	switch f.Kind {
	case kNumber, kText:
		return f.Key
	case kNAICSSector:
		return "NAICS sector"
	case kType:
		return "customer type"
	case kLeadGrade:
		return "lead grade"
	case kRecency:
		return "days since last interaction"
	case kOrders:
		return "orders of other lines"
	case kAmount:
		return "amount bought of other lines"
	case kTenure:
		return "months since first order"
	}
	return f.Kind
}

// spec is how the clustering core's preprocessing treats a numeric field.
func (f Field) spec() cluster.ColumnSpec {
	s := cluster.ColumnSpec{Name: f.name(), Impute: cluster.ImputeMedian, Indicator: true, Scale: cluster.ScaleStandard}
	switch f.Kind {
	case kEmployees, kRevenue, kRecency:
		s.Log = cluster.LogLog1p
	case kNumber:
		if f.Log {
			s.Log = cluster.LogSignedLog1p
		}
	case kTechnology, kBought:
		return cluster.ColumnSpec{Name: f.name()}
	case kEvents, kOrders, kAmount:
		s.Impute, s.Indicator, s.Log = cluster.ImputeNone, false, cluster.LogLog1p
	}
	return s
}

// summary is what the fields read from an account's records, computed once
// per account.
type summary struct {
	events   map[string]float64 // events by kind in the window
	last     time.Time          // the latest event before the cut-off
	lastDays float64            // days from last to the cut-off
	window   int                // the window's length in days
	lines    map[string]lineSum // orders by product line
}

type lineSum struct {
	count, amount float64
	first         time.Time
}

// cutoff returns the end of an account's engagement window: its first
// purchase (earliest order or subscription start) before asOf, so that what
// a customer does after buying does not explain its conversion; for an
// account that has not bought, just after its last interaction before
// asOf (a lost lead's history stops when it was lost, an open lead is
// scored on what it has done so far); asOf when it has neither.
func cutoff(a *segment.Account, asOf time.Time) time.Time {
	c := asOf
	for i := range a.Orders {
		if t := a.Orders[i].Time; t.Before(c) {
			c = t
		}
	}
	for i := range a.Subscriptions {
		if t := a.Subscriptions[i].Start; t.Before(c) {
			c = t
		}
	}
	if c.Before(asOf) {
		return c
	}
	var last time.Time
	for i := range a.Events {
		if t := a.Events[i].Time; t.Before(asOf) && t.After(last) {
			last = t
		}
	}
	if last.IsZero() {
		return asOf
	}
	return last.Add(time.Nanosecond)
}

func summarize(a *segment.Account, asOf time.Time, windowDays int, orders bool) summary {
	var s summary
	s.window = windowDays
	end := cutoff(a, asOf)
	start := end.AddDate(0, 0, -windowDays)
	for i := range a.Events {
		e := &a.Events[i]
		if !e.Time.Before(end) {
			continue
		}
		if e.Time.After(s.last) {
			s.last = e.Time
		}
		if e.Time.Before(start) {
			continue
		}
		if s.events == nil {
			s.events = make(map[string]float64)
		}
		s.events[e.Kind]++
	}
	if orders {
		for i := range a.Orders {
			o := &a.Orders[i]
			if o.Return || o.ProductLine == "" {
				continue
			}
			if s.lines == nil {
				s.lines = make(map[string]lineSum)
			}
			l := s.lines[o.ProductLine]
			l.count++
			l.amount += o.Amount
			if l.first.IsZero() || o.Time.Before(l.first) {
				l.first = o.Time
			}
			s.lines[o.ProductLine] = l
		}
	}
	if !s.last.IsZero() {
		s.lastDays = end.Sub(s.last).Hours() / 24
	}
	return s
}

// value returns a numeric field's raw value (NaN when unknown), for a model
// of product line target ("" outside cross-sell).
func (f Field) value(a *segment.Account, s *summary, asOf time.Time, target string) float64 {
	nan := math.NaN()
	num := func(n segment.Num) float64 {
		if v, ok := n.Get(); ok {
			return v
		}
		return nan
	}
	switch f.Kind {
	case kEmployees:
		return num(a.Employees)
	case kRevenue:
		return num(a.Revenue)
	case kGrowth:
		return num(a.Growth)
	case kFounded:
		if a.Founded == 0 {
			return nan
		}
		return float64(a.Founded)
	case kNumber:
		if v, ok := a.Numbers[f.Key]; ok {
			return v
		}
		return nan
	case kTechnology:
		if slices.Contains(a.Technologies, f.Key) {
			return 1
		}
		return 0
	case kEvents:
		return s.events[f.Key]
	case kRecency:
		if s.last.IsZero() {
			return nan
		}
		return s.lastDays
	case kBought:
		if s.lines[f.Key].count > 0 {
			return 1
		}
		return 0
	case kOrders, kAmount, kTenure:
		var count, amount float64
		var first time.Time
		for _, line := range slices.Sorted(maps.Keys(s.lines)) {
			l := s.lines[line]
			if line == target {
				continue
			}
			count += l.count
			amount += l.amount
			if first.IsZero() || l.first.Before(first) {
				first = l.first
			}
		}
		switch f.Kind {
		case kOrders:
			return count
		case kAmount:
			return amount
		}
		if first.IsZero() || !first.Before(asOf) {
			return nan
		}
		return asOf.Sub(first).Hours() / 24 / 30.436875
	}
	return nan
}

// level returns a categorical field's level, unknownLevel when unknown.
func (f Field) level(a *segment.Account) string {
	var v string
	switch f.Kind {
	case kIndustry:
		v = a.Industry
	case kNAICSSector:
		if len(a.NAICS) >= 2 {
			v = a.NAICS[:2]
		}
	case kCountry:
		v = a.Country
	case kType:
		if a.Type != segment.TypeUnknown {
			v = a.Type.String()
		}
	case kChannel:
		v = a.Channel
	case kLeadGrade:
		v = a.LeadGrade
	case kText:
		v = a.Text[f.Key]
	}
	if v == "" {
		return unknownLevel
	}
	return v
}
