package segment

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// Account is one business customer or prospect, as a B2B CRM holds it.
//
// Every field is optional except ID. Scalar fields whose zero is a real value
// (employees, revenue, growth) are [Num]s, whose zero value means unknown;
// labels are [Outcome]s, whose zero value means unknown; text fields are
// unknown when empty; Founded is unknown when 0. Maps and slices are unknown
// (or empty) when nil. A survey question that was not answered is absent from
// Survey; an answer of 0 is present with value 0.
//
// Methods never modify an Account they are given. [Account.Validate] reports
// every problem a method would refuse.
type Account struct {
	// ID identifies the account; it must be non-empty and is what every error
	// and assignment names.
	ID string `json:"id"`
	// Name is the company name.
	Name string `json:"name,omitempty"`

	// Industry is the free-text industry of the CRM record ("Software",
	// "Hospital & Health Care").
	Industry string `json:"industry,omitempty"`
	// NAICS is the North American Industry Classification System code, 2 to 6
	// digits ("541511").
	NAICS string `json:"naics,omitempty"`
	// SIC is the US Standard Industrial Classification code, 2 to 4 digits.
	SIC string `json:"sic,omitempty"`

	// Employees is the number of employees.
	Employees Num `json:"employees,omitzero"`
	// Revenue is the annual revenue in Currency.
	Revenue Num `json:"revenue,omitzero"`
	// Currency is the ISO 4217 code of Revenue and of the order and
	// subscription amounts ("USD", "EUR"); empty means the caller's single
	// currency.
	Currency string `json:"currency,omitempty"`
	// Growth is the year-over-year revenue growth as a fraction: 0.12 is +12%,
	// -0.05 is -5%, and 0 is flat.
	Growth Num `json:"growth,omitzero"`
	// Founded is the year the company was founded, from 500 to 2100; 0 is
	// unknown.
	Founded int `json:"founded,omitempty"`

	// Country is the ISO 3166-1 alpha-2 code, upper case ("US", "DE").
	Country string `json:"country,omitempty"`
	// Region is the state, province or region within the country ("CA",
	// "Bavaria").
	Region string `json:"region,omitempty"`
	// City is the city.
	City string `json:"city,omitempty"`

	// Type says whom the account itself sells to: businesses, consumers or
	// government.
	Type CustomerType `json:"type,omitzero"`
	// Stage is the account's lifecycle stage in the CRM.
	Stage Lifecycle `json:"stage,omitzero"`
	// Technologies lists the technologies the company uses, as the CRM or a
	// technographic provider names them ("Salesforce", "AWS", "Excel").
	Technologies []string `json:"technologies,omitempty"`
	// Channel is the acquisition channel ("organic search", "partner",
	// "outbound", "event").
	Channel string `json:"channel,omitempty"`
	// LeadGrade is the lead quality grade the CRM gives ("A" to "D", or
	// "hot"/"warm"/"cold").
	LeadGrade string `json:"lead_grade,omitempty"`

	// Orders are the account's purchases (and returns), in any order.
	Orders []Order `json:"orders,omitempty"`
	// Subscriptions are the account's recurring contracts.
	Subscriptions []Subscription `json:"subscriptions,omitempty"`
	// Usage holds product-usage records: logins, active users, seats,
	// feature adoption (see the Metric constants).
	Usage []Usage `json:"usage,omitempty"`
	// Events holds interactions: content read, webinars, demo requests,
	// support tickets, calls (see the Event kind constants).
	Events []Event `json:"events,omitempty"`
	// Survey maps a question ID to its numeric answer (a rating, a Likert
	// score, a MaxDiff score). An unanswered question is absent.
	Survey map[string]float64 `json:"survey,omitempty"`

	// Converted tells whether the lead became a customer, where known.
	Converted Outcome `json:"converted,omitzero"`
	// Churned tells whether the customer has left, where known.
	Churned Outcome `json:"churned,omitzero"`

	// Numbers holds custom numeric attributes; an absent key is unknown.
	Numbers map[string]float64 `json:"numbers,omitempty"`
	// Text holds custom text attributes; an absent key is unknown.
	Text map[string]string `json:"text,omitempty"`
}

// Order is one purchase, or one return or cancellation of a purchase.
type Order struct {
	// ID identifies the order or invoice; it may be empty.
	ID string `json:"id,omitempty"`
	// Time is when the order was placed; it must be set.
	Time time.Time `json:"time"`
	// Amount is the value of the order (or of what was returned), net of
	// discounts, in the account's currency; it must be finite and ≥ 0.
	Amount float64 `json:"amount"`
	// Quantity is the number of units, where known (0: unknown).
	Quantity float64 `json:"quantity,omitempty"`
	// ProductLine names the product line or category bought.
	ProductLine string `json:"product_line,omitempty"`
	// Discount is the discount granted on the order, as an amount (≥ 0).
	Discount float64 `json:"discount,omitempty"`
	// Margin is the gross margin of the order as an amount, where known.
	Margin Num `json:"margin,omitzero"`
	// Return marks a return, credit note or cancellation: Amount is then the
	// value taken back.
	Return bool `json:"return,omitempty"`
}

// Subscription is one recurring contract.
type Subscription struct {
	// ID identifies the subscription; it may be empty.
	ID string `json:"id,omitempty"`
	// Plan names the plan or product.
	Plan string `json:"plan,omitempty"`
	// Start is when the subscription began; it must be set.
	Start time.Time `json:"start"`
	// End is when it ended or will end; zero means it is running with no end
	// date.
	End time.Time `json:"end,omitzero"`
	// Monthly is the recurring revenue per month, in the account's currency
	// (≥ 0).
	Monthly float64 `json:"monthly"`
	// Seats is the number of seats bought, where known (0: unknown).
	Seats int `json:"seats,omitempty"`
}

// Usage is one product-usage measurement.
type Usage struct {
	// Time is when the measurement was taken (or the start of the period it
	// covers); it must be set.
	Time time.Time `json:"time"`
	// Metric names what was measured; see the Metric constants. Feature
	// adoption uses MetricFeaturePrefix followed by the feature's name.
	Metric string `json:"metric"`
	// Value is the measurement; it must be finite.
	Value float64 `json:"value"`
}

// Well-known usage metrics. Methods recognize these; other names are kept and
// available to custom segmenters.
const (
	MetricLogins         = "logins"          // logins in the period
	MetricActiveUsers    = "active_users"    // distinct active users in the period
	MetricSeatsPurchased = "seats_purchased" // seats under contract
	MetricSeatsUsed      = "seats_used"      // seats in use
	MetricFeaturePrefix  = "feature:"        // "feature:reports": uses of a feature
)

// Event is one interaction with the account.
type Event struct {
	// Time is when it happened; it must be set.
	Time time.Time `json:"time"`
	// Kind says what happened; see the Event kind constants.
	Kind string `json:"kind"`
	// Topic is the subject: the content's topic, the webinar's theme, the
	// ticket's category.
	Topic string `json:"topic,omitempty"`
	// Channel is where it happened ("email", "web", "phone", "event",
	// "linkedin").
	Channel string `json:"channel,omitempty"`
	// Text is free text: a form answer, call notes, a ticket's subject.
	Text string `json:"text,omitempty"`
}

// Well-known event kinds. Methods weight these; other kinds are kept.
const (
	EventPageView    = "page_view"
	EventContent     = "content" // an article, white paper or case study read or downloaded
	EventWebinar     = "webinar"
	EventEmail       = "email" // an e-mail opened or clicked
	EventDemoRequest = "demo_request"
	EventTrial       = "trial"
	EventMeeting     = "meeting"
	EventCall        = "call"
	EventForm        = "form"
	EventTicket      = "support_ticket"
)

// Validate reports every problem in the account that a method would refuse,
// as [*FieldError]s joined with errors.Join; each names the account and the
// field and matches [ErrInvalidAccount] with errors.Is. It returns nil for a
// valid account.
func (a *Account) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{AccountID: a.ID, Field: field, Err: fmt.Errorf(format, args...)})
	}
	if a.ID == "" {
		bad("id", "is empty")
	}
	checkNum := func(field string, n Num, nonNegative bool) {
		v, ok := n.Get()
		if !ok {
			return
		}
		if !finite(v) {
			bad(field, "is %v", v)
		} else if nonNegative && v < 0 {
			bad(field, "is negative (%v)", v)
		}
	}
	checkNum("employees", a.Employees, true)
	checkNum("revenue", a.Revenue, true)
	checkNum("growth", a.Growth, false)
	if g, ok := a.Growth.Get(); ok && g < -1 {
		bad("growth", "is %v, below -1 (a fall of more than 100%%)", g)
	}
	if a.Founded != 0 && (a.Founded < minFounded || a.Founded > maxFounded) {
		bad("founded", "is %d, not a year from %d to %d", a.Founded, minFounded, maxFounded)
	}
	if a.Country != "" && !isAlpha2(a.Country) {
		bad("country", "is %q, not an upper-case ISO 3166-1 alpha-2 code", a.Country)
	}
	if !a.Type.valid() {
		bad("type", "is %d, not a customer type", int(a.Type))
	}
	if !a.Stage.valid() {
		bad("stage", "is %d, not a lifecycle stage", int(a.Stage))
	}
	if !a.Converted.valid() {
		bad("converted", "is %d, not an outcome", int(a.Converted))
	}
	if !a.Churned.valid() {
		bad("churned", "is %d, not an outcome", int(a.Churned))
	}
	for i, o := range a.Orders {
		f := recordField{"orders", i}
		if o.Time.IsZero() {
			bad(f.at(".time"), "is not set")
		}
		if !finite(o.Amount) || o.Amount < 0 {
			bad(f.at(".amount"), "is %v, not a finite amount ≥ 0", o.Amount)
		}
		if !finite(o.Quantity) {
			bad(f.at(".quantity"), "is %v", o.Quantity)
		}
		if !finite(o.Discount) || o.Discount < 0 {
			bad(f.at(".discount"), "is %v, not a finite amount ≥ 0", o.Discount)
		}
		if m, ok := o.Margin.Get(); ok && !finite(m) {
			bad(f.at(".margin"), "is %v", m)
		}
	}
	for i, s := range a.Subscriptions {
		f := recordField{"subscriptions", i}
		if s.Start.IsZero() {
			bad(f.at(".start"), "is not set")
		}
		if !s.End.IsZero() && s.End.Before(s.Start) {
			bad(f.at(".end"), "is before start")
		}
		if !finite(s.Monthly) || s.Monthly < 0 {
			bad(f.at(".monthly"), "is %v, not a finite amount ≥ 0", s.Monthly)
		}
		if s.Seats < 0 {
			bad(f.at(".seats"), "is negative (%d)", s.Seats)
		}
	}
	for i, u := range a.Usage {
		f := recordField{"usage", i}
		if u.Time.IsZero() {
			bad(f.at(".time"), "is not set")
		}
		if u.Metric == "" {
			bad(f.at(".metric"), "is empty")
		}
		if !finite(u.Value) {
			bad(f.at(".value"), "is %v", u.Value)
		}
	}
	for i, e := range a.Events {
		f := recordField{"events", i}
		if e.Time.IsZero() {
			bad(f.at(".time"), "is not set")
		}
		if e.Kind == "" {
			bad(f.at(".kind"), "is empty")
		}
	}
	checkMap := func(name string, m map[string]float64) {
		clean := true
		for _, v := range m {
			clean = clean && finite(v)
		}
		if clean {
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if v := m[k]; !finite(v) {
				bad(name+"["+k+"]", "is %v", v)
			}
		}
	}
	checkMap("survey", a.Survey)
	checkMap("numbers", a.Numbers)
	return joinErrors(errs)
}

// Clone returns a deep copy of the account: changing the copy's slices, maps
// or records leaves a unchanged.
func (a *Account) Clone() Account {
	c := *a
	c.Technologies = slices.Clone(a.Technologies)
	c.Orders = slices.Clone(a.Orders)
	c.Subscriptions = slices.Clone(a.Subscriptions)
	c.Usage = slices.Clone(a.Usage)
	c.Events = slices.Clone(a.Events)
	c.Survey = maps.Clone(a.Survey)
	c.Numbers = maps.Clone(a.Numbers)
	c.Text = maps.Clone(a.Text)
	return c
}

// The range of founding years Validate accepts; 0 is unknown. The bounds
// are fixed, not read from the clock, so that Assign stays a pure function.
const (
	minFounded = 500
	maxFounded = 2100
)

// recordField names a record of an account ("orders[3]") without
// formatting it until a problem needs the name.
type recordField struct {
	list  string
	index int
}

func (f recordField) at(sub string) string { return fmt.Sprintf("%s[%d]%s", f.list, f.index, sub) }

func isAlpha2(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
