package segment

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/strataseg/strata/segment/internal/enumtext"
)

// ErrUnmatched: the accounts and the assignments given to [Profile] are not
// of the same set of accounts (an account without an assignment, an
// assignment without an account, or an ID given twice).
var ErrUnmatched = errors.New("accounts and assignments do not match")

// RevenueSource says which money [Profile] counts as an account's revenue,
// for the segments' revenue and share of revenue. Its zero value is
// [RevenueBilled]. It marshals as its text.
type RevenueSource uint8

// The revenue sources.
const (
	// RevenueBilled is what the account brought in over the window: its
	// orders net of returns, plus the months of its subscriptions that fall
	// in the window times their monthly revenue. Use RevenueOrders instead
	// if your orders already include the subscription invoices.
	RevenueBilled RevenueSource = iota
	// RevenueOrders counts the orders net of returns in the window.
	RevenueOrders
	// RevenueSubscriptions counts the subscription revenue in the window.
	RevenueSubscriptions
	// RevenueAnnual is the account's own annual revenue (Account.Revenue,
	// a firmographic), unknown counted as 0; use it for prospects.
	RevenueAnnual
)

var revenueSourceNames = []string{"billed", "orders", "subscriptions", "annual"}

// String returns "billed", "orders", "subscriptions" or "annual".
func (r RevenueSource) String() string {
	return enumtext.String(revenueSourceNames, r, "RevenueSource")
}

// MarshalText encodes the source's name.
func (r RevenueSource) MarshalText() ([]byte, error) {
	s, ok := enumtext.Name(revenueSourceNames, r)
	if !ok {
		return nil, fmt.Errorf("segment: invalid revenue source %d", int(r))
	}
	return []byte(s), nil
}

// UnmarshalText decodes a source's name; "" is [RevenueBilled].
func (r *RevenueSource) UnmarshalText(b []byte) error {
	s := strings.ToLower(strings.TrimSpace(string(b)))
	if s == "" {
		*r = RevenueBilled
		return nil
	}
	v, ok := enumtext.Value[RevenueSource](revenueSourceNames, s)
	if !ok {
		return fmt.Errorf("segment: %q is not a revenue source (billed, orders, subscriptions or annual)", string(b))
	}
	*r = v
	return nil
}

// ProfileConfig configures [Profile]. The zero value works.
type ProfileConfig struct {
	// Reference is the date the window and ages are counted back from;
	// zero means the latest date in the accounts' orders, subscriptions,
	// usage and events (and when there is none, ages are left out).
	Reference time.Time `json:"reference,omitzero"`
	// Months is the window, in months before Reference, over which orders,
	// revenue and tickets are counted; 0 means 12.
	Months int `json:"months,omitempty"`
	// Revenue says what counts as revenue; the zero value is RevenueBilled.
	Revenue RevenueSource `json:"revenue,omitzero"`
	// MinSupport is the fewest accounts of a segment that must have a
	// category for it to be listed as over-represented; 0 means 5.
	MinSupport int `json:"min_support,omitempty"`
	// MinShare is the smallest share of a segment's accounts (among those
	// where the field is known) that must have a category for it to be
	// listed; 0 means 0.1.
	MinShare float64 `json:"min_share,omitempty"`
	// MinLift is the smallest lift (share in the segment over share in
	// all) for a category to be listed; 0 means 1.5. It must be ≥ 1.
	MinLift float64 `json:"min_lift,omitempty"`
	// MinEffect is the smallest |d| for a numeric field to enter the
	// description (known for at least MinSupport of the segment's
	// accounts); 0 means 0.3.
	MinEffect float64 `json:"min_effect,omitempty"`
	// Top is how many numeric fields and how many categories at most enter
	// each description; 0 means 3.
	Top int `json:"top,omitempty"`
}

// Validate reports every field holding a value Profile refuses, each
// wrapping [ErrInvalidConfig].
func (c ProfileConfig) Validate() error {
	var errs []error
	bad := func(field string, v any, want string) {
		errs = append(errs, fmt.Errorf("segment: profile config: %s is %v, want %s: %w", field, v, want, ErrInvalidConfig))
	}
	if c.Months < 0 {
		bad("Months", c.Months, "≥ 0")
	}
	if int(c.Revenue) >= len(revenueSourceNames) {
		bad("Revenue", int(c.Revenue), "a RevenueSource")
	}
	if c.MinSupport < 0 {
		bad("MinSupport", c.MinSupport, "≥ 0")
	}
	if !finite(c.MinShare) || c.MinShare < 0 || c.MinShare > 1 {
		bad("MinShare", c.MinShare, "in [0, 1]")
	}
	if !finite(c.MinLift) || (c.MinLift != 0 && c.MinLift < 1) {
		bad("MinLift", c.MinLift, "0 or ≥ 1")
	}
	if !finite(c.MinEffect) || c.MinEffect < 0 {
		bad("MinEffect", c.MinEffect, "≥ 0")
	}
	if c.Top < 0 {
		bad("Top", c.Top, "≥ 0")
	}
	return joinErrors(errs)
}

func (c ProfileConfig) withDefaults() ProfileConfig {
	if c.Months == 0 {
		c.Months = 12
	}
	if c.MinSupport == 0 {
		c.MinSupport = 5
	}
	if c.MinShare == 0 {
		c.MinShare = 0.1
	}
	if c.MinLift == 0 {
		c.MinLift = 1.5
	}
	if c.MinEffect == 0 {
		c.MinEffect = 0.3
	}
	if c.Top == 0 {
		c.Top = 3
	}
	return c
}

// ProfileReport is what [Profile] returns: the whole and each segment.
type ProfileReport struct {
	// Reference is the date the window was counted back from (the
	// configured one, or the latest date in the data); zero when neither.
	Reference time.Time `json:"reference,omitzero"`
	// Months is the window in months.
	Months int `json:"months"`
	// Accounts is the number of accounts profiled.
	Accounts int `json:"accounts"`
	// Revenue is the revenue of all of them (see [RevenueSource]).
	Revenue float64 `json:"revenue"`
	// Segments has one profile per segment, the largest first (ties by
	// segment ID).
	Segments []SegmentProfile `json:"segments"`
}

// SegmentProfile describes one segment against all the accounts profiled.
type SegmentProfile struct {
	// Segment is the segment, as the first of its assignments has it.
	Segment Segment `json:"segment"`
	// Accounts is the number of accounts in it, and Share their share of
	// all accounts.
	Accounts int     `json:"accounts"`
	Share    float64 `json:"share"`
	// Revenue is the segment's revenue, and RevenueShare its share of all
	// revenue (0 when there is no revenue at all).
	Revenue      float64 `json:"revenue"`
	RevenueShare float64 `json:"revenue_share"`
	// Numeric compares every numeric field known for some account, the most
	// distinctive (largest |D|) first, ties by field.
	Numeric []NumericTrait `json:"numeric"`
	// Categories lists the over-represented categories, highest lift first
	// (ties: more accounts first, then field and value).
	Categories []CategoryTrait `json:"categories"`
	// Description sums the profile up in a line: "412 accounts (18%, 41%
	// of revenue): larger (employees d=+1.3); more often industry Machinery
	// (3.1×), country DE (2.4×)".
	Description string `json:"description"`
	// Traits is the part of Description after the sizes: what
	// distinguishes the segment, or "close to the whole".
	Traits string `json:"traits"`
}

// NumericTrait compares one numeric field of a segment with all accounts.
// Unknown values are left out of every statistic and counted in Unknown.
type NumericTrait struct {
	// Field names the field: "employees", "revenue", "growth", "age",
	// "orders", "order_value", "discount_rate", "mrr", "seats",
	// "seats_used_share", "logins_90d", "events_90d", "tickets",
	// "survey[<question>]", "numbers[<key>]".
	Field string `json:"field"`
	// Known and Unknown count the segment's accounts with and without a
	// value.
	Known   int `json:"known"`
	Unknown int `json:"unknown"`
	// Mean and Median are the segment's, over known values; OverallMean
	// and OverallMedian are those of all accounts. Medians are exact up to
	// 16,384 known values and beyond that estimated from a uniform sample
	// of that many (drawn with a fixed seed, so still deterministic).
	Mean          float64 `json:"mean"`
	Median        float64 `json:"median"`
	OverallMean   float64 `json:"overall_mean"`
	OverallMedian float64 `json:"overall_median"`
	// D is the standardized mean difference of the segment from the whole:
	// (segment mean − overall mean) / overall standard deviation (Glass's
	// Δ with all accounts as the reference group; Glass 1976, "Primary,
	// secondary, and meta-analysis of research", Educational Researcher
	// 5(10)). For heavy-tailed fields (Log) the means and deviation are
	// taken of sign(x)·log(1+|x|). It is 0 when the segment has no known
	// value or the field does not vary.
	D float64 `json:"d"`
	// Log tells whether D is computed on the log scale.
	Log bool `json:"log,omitempty"`
}

// CategoryTrait is one category over-represented in a segment.
type CategoryTrait struct {
	// Field names the field: "industry", "naics_sector" (the NAICS sector
	// name and 2-digit code, "Manufacturing (31-33)"), "country", "type",
	// "stage", "channel", "lead_grade", "technologies", "converted",
	// "churned", "text[<key>]".
	Field string `json:"field"`
	// Value is the category.
	Value string `json:"value"`
	// Count is the number of the segment's accounts with the value, and
	// Known the number with the field known (accounts with it unknown are
	// Accounts − Known, never counted as another category).
	Count int `json:"count"`
	Known int `json:"known"`
	// Share is Count / Known, OverallShare the same share among all
	// accounts, and Lift is Share / OverallShare.
	Share        float64 `json:"share"`
	OverallShare float64 `json:"overall_share"`
	Lift         float64 `json:"lift"`
}

// Profile describes each segment of a segmentation: its size, share of
// accounts and of revenue, and what most distinguishes it from all the
// accounts, the numeric fields by standardized mean difference and the
// categories by over-representation, with a one-line description.
//
// accts are walked once; assigns are matched to them by account ID. Every
// account must have exactly one assignment and every assignment one
// account, or the error wraps [ErrUnmatched] and names (some of) the IDs at
// fault. No accounts gives an error wrapping [ErrEmptyInput]; a non-finite
// or negative amount, or a non-finite number, a [*FieldError]. With a zero
// c.Reference the accounts are held in memory to find the latest date.
//
// The fields are taken from the Account as they are: employees, revenue,
// growth, age (Reference year − Founded), and over the window: orders
// (count, not returns), order_value (net of returns), discount_rate
// (discount over gross order value, unknown without orders), tickets; at
// Reference: mrr and seats of the running subscriptions, seats_used_share
// (the latest seats used over seats purchased), logins_90d and events_90d
// over the last 90 days; every survey answer and custom number. Counts of
// orders, tickets and events are 0, not unknown, for an account without
// any; logins_90d is unknown for an account without any login record.
// Categories: industry, NAICS sector, country, customer type, stage,
// channel, lead grade, each technology, converted, churned and custom text.
//
// Profile keeps per field and segment a few running sums and at most
// 16,384 values (for the median), so its memory does not grow with the
// number of accounts, unless c.Reference is zero.
//
// Profile is deterministic, safe for concurrent use and never changes its
// inputs. It looks at ctx every 1,024 accounts and returns an error for
// which errors.Is(err, ctx.Err()) holds once ctx is done; a nil ctx is an
// error wrapping [ErrInvalidConfig].
func Profile(ctx context.Context, accts iter.Seq[Account], assigns []Assignment, c ProfileConfig) (*ProfileReport, error) {
	if ctx == nil {
		return nil, fmt.Errorf("segment: profile: context is nil: %w", ErrInvalidConfig)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	if accts == nil {
		return nil, fmt.Errorf("segment: profile: accounts are nil: %w", ErrEmptyInput)
	}
	p := newProfiler(assigns, c)
	if err := p.indexAssignments(); err != nil {
		return nil, err
	}
	done := func(n int) error {
		if n%1024 != 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("segment: profile: %w", err)
		}
		return nil
	}
	ref := c.Reference
	if ref.IsZero() {
		var all []Account
		for a := range accts {
			if err := done(len(all)); err != nil {
				return nil, err
			}
			all = append(all, a)
			ref = profLatestTime(&all[len(all)-1], ref)
		}
		accts = slices.Values(all)
	}
	p.ref = ref
	p.from = ref.AddDate(0, -c.Months, 0)
	for a := range accts {
		if err := done(p.n); err != nil {
			return nil, err
		}
		if err := p.add(&a); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("segment: profile: %w", err)
	}
	if p.n == 0 {
		return nil, fmt.Errorf("segment: profile: no accounts: %w", ErrEmptyInput)
	}
	if err := p.checkAllSeen(); err != nil {
		return nil, err
	}
	return p.report(), nil
}

// profMedianCap is how many values a numeric column keeps per segment (and
// for the whole) to find medians: exact up to it, estimated from a uniform
// sample of that many beyond.
const profMedianCap = 1 << 14

// profStat accumulates one numeric field over a group of accounts in one
// pass: the raw sum, Welford's running mean and sum of squared deviations
// of the (possibly log-) transformed values (Welford 1962, "Note on a
// method for calculating corrected sums of squares and products",
// Technometrics 4(3)), and a reservoir of raw values
// for the median (Vitter 1985, "Random sampling with a reservoir", ACM TOMS
// 11(1), algorithm R).
type profStat struct {
	n        int
	sum      float64
	mean, m2 float64
	sample   []float64
}

func (st *profStat) add(v, tv float64, rng *rand.Rand) {
	st.n++
	st.sum += v
	d := tv - st.mean
	st.mean += d / float64(st.n)
	st.m2 += d * (tv - st.mean)
	if len(st.sample) < profMedianCap {
		st.sample = append(st.sample, v)
	} else if j := rng.IntN(st.n); j < profMedianCap {
		st.sample[j] = v
	}
}

// profNum is a numeric field: its statistics per segment and overall.
type profNum struct {
	log bool
	seg []profStat
	all profStat
	rng *rand.Rand
}

type profCat struct {
	known  []int            // per segment: accounts with the field known
	counts map[string][]int // per value, per segment
}

type profiler struct {
	c         ProfileConfig
	assigns   []Assignment
	index     map[string]int32 // account ID → segment
	seen      map[string]bool
	segs      []Segment
	size      []int
	revenue   []float64
	ref, from time.Time
	n         int
	nums      map[string]*profNum
	cats      map[string]*profCat
	techSeen  map[string]bool
	keys      map[[2]string]string // (map, key) → "map[key]"
}

func newProfiler(assigns []Assignment, c ProfileConfig) *profiler {
	return &profiler{
		c:        c,
		assigns:  assigns,
		index:    make(map[string]int32, len(assigns)),
		seen:     make(map[string]bool, len(assigns)),
		nums:     map[string]*profNum{},
		cats:     map[string]*profCat{},
		techSeen: map[string]bool{},
		keys:     map[[2]string]string{},
	}
}

// key returns the field name of a map entry, "survey[q]", built once.
func (p *profiler) key(m, k string) string {
	f, ok := p.keys[[2]string{m, k}]
	if !ok {
		f = m + "[" + k + "]"
		p.keys[[2]string{m, k}] = f
	}
	return f
}

// profListIDs formats up to 5 IDs and how many more there are.
func profListIDs(ids []string) string {
	var b strings.Builder
	for i, id := range ids {
		if i == 5 {
			fmt.Fprintf(&b, " and %d more", len(ids)-5)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(id))
	}
	return b.String()
}

func (p *profiler) indexAssignments() error {
	segIndex := map[string]int32{}
	var dups, empty []string
	for i := range p.assigns {
		as := &p.assigns[i]
		if as.AccountID == "" {
			empty = append(empty, "#"+strconv.Itoa(i+1))
			continue
		}
		if _, dup := p.index[as.AccountID]; dup {
			dups = append(dups, as.AccountID)
			continue
		}
		s, ok := segIndex[as.Segment.ID]
		if !ok {
			s = int32(len(p.segs))
			segIndex[as.Segment.ID] = s
			p.segs = append(p.segs, as.Segment)
		}
		p.index[as.AccountID] = s
	}
	if len(empty) > 0 {
		return fmt.Errorf("segment: profile: assignments %s have no account ID: %w", strings.Join(empty[:min(5, len(empty))], ", "), ErrUnmatched)
	}
	if len(dups) > 0 {
		return fmt.Errorf("segment: profile: accounts %s are assigned more than once: %w", profListIDs(dups), ErrUnmatched)
	}
	p.size = make([]int, len(p.segs))
	p.revenue = make([]float64, len(p.segs))
	return nil
}

func (p *profiler) checkAllSeen() error {
	if len(p.seen) == len(p.index) {
		return nil
	}
	var missing []string
	for _, as := range p.assigns {
		if !p.seen[as.AccountID] {
			missing = append(missing, as.AccountID)
		}
	}
	return fmt.Errorf("segment: profile: assignments of %s name no account given: %w", profListIDs(missing), ErrUnmatched)
}

// profLatestTime returns the later of t and the latest date in a's records.
func profLatestTime(a *Account, t time.Time) time.Time {
	later := func(u time.Time) {
		if u.After(t) {
			t = u
		}
	}
	for i := range a.Orders {
		later(a.Orders[i].Time)
	}
	for i := range a.Subscriptions {
		later(a.Subscriptions[i].Start)
	}
	for i := range a.Usage {
		later(a.Usage[i].Time)
	}
	for i := range a.Events {
		later(a.Events[i].Time)
	}
	return t
}

func (p *profiler) num(s int32, field string, v float64, log bool) {
	col := p.nums[field]
	if col == nil {
		col = &profNum{log: log, seg: make([]profStat, len(p.segs)), rng: rand.New(rand.NewPCG(1, 2))}
		p.nums[field] = col
	}
	tv := v
	if log {
		tv = profSignedLog(v)
	}
	col.seg[s].add(v, tv, col.rng)
	col.all.add(v, tv, col.rng)
}

func (p *profiler) cat(s int32, field, value string) {
	col := p.cats[field]
	if col == nil {
		col = &profCat{known: make([]int, len(p.segs)), counts: map[string][]int{}}
		p.cats[field] = col
	}
	if value == "" { // known field, the account is counted but has no value
		col.known[s]++
		return
	}
	cnt := col.counts[value]
	if cnt == nil {
		cnt = make([]int, len(p.segs))
		col.counts[value] = cnt
	}
	cnt[s]++
}

func (p *profiler) known(s int32, field string) {
	p.cat(s, field, "")
}

func (p *profiler) add(a *Account) error {
	s, ok := p.index[a.ID]
	if !ok {
		if a.ID == "" {
			return fmt.Errorf("segment: profile: account #%d has no ID: %w", p.n+1, ErrUnmatched)
		}
		return fmt.Errorf("segment: profile: account %q has no assignment: %w", a.ID, ErrUnmatched)
	}
	if p.seen[a.ID] {
		return fmt.Errorf("segment: profile: account %q is given twice: %w", a.ID, ErrUnmatched)
	}
	p.seen[a.ID] = true
	p.n++
	p.size[s]++

	bad := func(field string, v float64) error {
		return fmt.Errorf("segment: profile: %w", &FieldError{AccountID: a.ID, Field: field, Err: fmt.Errorf("is %v", v)})
	}
	for _, f := range []struct {
		name string
		n    Num
		log  bool
	}{{"employees", a.Employees, true}, {"revenue", a.Revenue, true}, {"growth", a.Growth, false}} {
		if v, ok := f.n.Get(); ok {
			if !finite(v) {
				return bad(f.name, v)
			}
			p.num(s, f.name, v, f.log)
		}
	}
	if a.Founded > 0 && !p.ref.IsZero() {
		p.num(s, "age", float64(p.ref.Year()-a.Founded), false)
	}

	// Orders over the window.
	var count int
	var net, gross, disc float64
	for i := range a.Orders {
		o := &a.Orders[i]
		if !finite(o.Amount) || o.Amount < 0 {
			return bad("orders["+strconv.Itoa(i)+"].amount", o.Amount)
		}
		if !finite(o.Discount) || o.Discount < 0 {
			return bad("orders["+strconv.Itoa(i)+"].discount", o.Discount)
		}
		if o.Time.After(p.ref) || !o.Time.After(p.from) {
			continue
		}
		if o.Return {
			net -= o.Amount
			continue
		}
		count++
		net += o.Amount
		gross += o.Amount + o.Discount
		disc += o.Discount
	}
	p.num(s, "orders", float64(count), true)
	p.num(s, "order_value", net, true)
	if gross > 0 {
		p.num(s, "discount_rate", disc/gross, false)
	}

	// Subscriptions: revenue in the window, and what runs at Reference.
	var subRev, mrr float64
	seats, seatsKnown := 0, false
	for i := range a.Subscriptions {
		sb := &a.Subscriptions[i]
		if !finite(sb.Monthly) || sb.Monthly < 0 {
			return bad("subscriptions["+strconv.Itoa(i)+"].monthly", sb.Monthly)
		}
		start, end := sb.Start, sb.End
		if end.IsZero() || end.After(p.ref) {
			end = p.ref
		}
		if start.Before(p.from) {
			start = p.from
		}
		if end.After(start) {
			subRev += sb.Monthly * float64(end.Sub(start)) / float64(profAvgMonth)
		}
		if !sb.Start.After(p.ref) && (sb.End.IsZero() || sb.End.After(p.ref)) {
			mrr += sb.Monthly
			if sb.Seats > 0 {
				seats += sb.Seats
				seatsKnown = true
			}
		}
	}
	p.num(s, "mrr", mrr, true)
	if seatsKnown {
		p.num(s, "seats", float64(seats), true)
	}

	// Usage: the latest seat counts, logins over 90 days.
	var lastP, lastU time.Time
	var purchased, used, logins float64
	hasLogins := false
	since90 := p.ref.AddDate(0, 0, -90)
	for i := range a.Usage {
		u := &a.Usage[i]
		if !finite(u.Value) {
			return bad("usage["+strconv.Itoa(i)+"].value", u.Value)
		}
		if u.Time.After(p.ref) {
			continue
		}
		switch u.Metric {
		case MetricSeatsPurchased:
			if !u.Time.Before(lastP) {
				lastP, purchased = u.Time, u.Value
			}
		case MetricSeatsUsed:
			if !u.Time.Before(lastU) {
				lastU, used = u.Time, u.Value
			}
		case MetricLogins:
			hasLogins = true
			if u.Time.After(since90) {
				logins += u.Value
			}
		}
	}
	if lastP.IsZero() && seatsKnown {
		purchased = float64(seats)
	}
	if !lastU.IsZero() && purchased > 0 {
		p.num(s, "seats_used_share", used/purchased, false)
	}
	if hasLogins {
		p.num(s, "logins_90d", logins, true)
	}

	// Events.
	var events90, tickets int
	for i := range a.Events {
		e := &a.Events[i]
		if e.Time.After(p.ref) {
			continue
		}
		if e.Time.After(since90) {
			events90++
		}
		if e.Kind == EventTicket && e.Time.After(p.from) {
			tickets++
		}
	}
	p.num(s, "events_90d", float64(events90), true)
	p.num(s, "tickets", float64(tickets), true)

	for _, m := range [...]struct {
		name string
		vals map[string]float64
	}{{"survey", a.Survey}, {"numbers", a.Numbers}} {
		if k, ok := profFirstNonFinite(m.vals); ok {
			return bad(m.name+"["+k+"]", m.vals[k])
		}
		for k, v := range m.vals {
			p.num(s, p.key(m.name, k), v, false)
		}
	}

	// Revenue.
	var rev float64
	switch p.c.Revenue {
	case RevenueBilled:
		rev = net + subRev
	case RevenueOrders:
		rev = net
	case RevenueSubscriptions:
		rev = subRev
	case RevenueAnnual:
		rev = a.Revenue.Or(0)
	}
	p.revenue[s] += rev

	// Categories.
	p.catText(s, "industry", a.Industry)
	if a.NAICS != "" {
		p.catText(s, "naics_sector", naicsSector(a.NAICS))
	}
	p.catText(s, "country", a.Country)
	if a.Type != TypeUnknown {
		p.catText(s, "type", a.Type.String())
	}
	if a.Stage != StageUnknown {
		p.catText(s, "stage", a.Stage.String())
	}
	p.catText(s, "channel", a.Channel)
	p.catText(s, "lead_grade", a.LeadGrade)
	if a.Technologies != nil {
		p.known(s, "technologies")
		clear(p.techSeen)
		for _, t := range a.Technologies {
			t = strings.TrimSpace(t)
			if t != "" && !p.techSeen[t] {
				p.techSeen[t] = true
				p.cat(s, "technologies", t)
			}
		}
	}
	if a.Converted.Known() {
		p.catText(s, "converted", a.Converted.String())
	}
	if a.Churned.Known() {
		p.catText(s, "churned", a.Churned.String())
	}
	for k, v := range a.Text {
		p.catText(s, p.key("text", k), v)
	}
	return nil
}

// profFirstNonFinite returns the least key of m whose value is NaN or ±Inf.
func profFirstNonFinite(m map[string]float64) (string, bool) {
	key, found := "", false
	for k, v := range m {
		if !finite(v) && (!found || k < key) {
			key, found = k, true
		}
	}
	return key, found
}

// catText counts a single-valued text field; empty is unknown.
func (p *profiler) catText(s int32, field, v string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	p.known(s, field)
	p.cat(s, field, v)
}

// profAvgMonth is the mean length of a Gregorian month.
const profAvgMonth = time.Duration(30.436875 * 24 * float64(time.Hour))

func profSignedLog(v float64) float64 {
	if v < 0 {
		return -math.Log1p(-v)
	}
	return math.Log1p(v)
}

func profMedian(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	m := len(v) / 2
	if len(v)%2 == 1 {
		return v[m]
	}
	return (v[m-1] + v[m]) / 2
}

func (p *profiler) report() *ProfileReport {
	k := len(p.segs)
	r := &ProfileReport{Reference: p.ref, Months: p.c.Months, Accounts: p.n}
	for _, v := range p.revenue {
		r.Revenue += v
	}
	profs := make([]SegmentProfile, k)
	for s := range profs {
		sp := &profs[s]
		sp.Segment = p.segs[s]
		sp.Accounts = p.size[s]
		sp.Share = float64(p.size[s]) / float64(p.n)
		sp.Revenue = p.revenue[s]
		if r.Revenue > 0 {
			sp.RevenueShare = p.revenue[s] / r.Revenue
		}
	}

	// Numeric fields.
	for _, field := range profSortedKeys(p.nums) {
		col := p.nums[field]
		all := &col.all
		n := float64(all.n)
		mean := all.sum / n
		// The overall transformed mean and deviation, combined from the
		// segments' (Chan, Golub and LeVeque 1983, "Algorithms for
		// computing the sample variance", The American Statistician 37(3)).
		var tmean, m2 float64
		for s := range col.seg {
			tmean += float64(col.seg[s].n) * col.seg[s].mean
		}
		tmean /= n
		for s := range col.seg {
			st := &col.seg[s]
			d := st.mean - tmean
			m2 += st.m2 + float64(st.n)*d*d
		}
		sd := 0.0
		if all.n > 1 {
			sd = math.Sqrt(m2 / (n - 1))
		}
		overallMedian := profMedian(all.sample)
		for s := range profs {
			st := &col.seg[s]
			t := NumericTrait{Field: field, Known: st.n, Unknown: p.size[s] - st.n,
				OverallMean: mean, OverallMedian: overallMedian, Log: col.log}
			if st.n > 0 {
				t.Mean = st.sum / float64(st.n)
				if sd > 1e-12*math.Max(1, math.Abs(tmean)) {
					t.D = (st.mean - tmean) / sd
				}
				t.Median = profMedian(st.sample)
			}
			profs[s].Numeric = append(profs[s].Numeric, t)
		}
	}
	for s := range profs {
		slices.SortStableFunc(profs[s].Numeric, func(a, b NumericTrait) int {
			if c := cmp.Compare(profRound(math.Abs(b.D)), profRound(math.Abs(a.D))); c != 0 {
				return c
			}
			return strings.Compare(a.Field, b.Field)
		})
	}

	// Categories.
	for _, field := range profSortedKeys(p.cats) {
		col := p.cats[field]
		total := 0
		for _, v := range col.known {
			total += v
		}
		for _, value := range profSortedKeys(col.counts) {
			cnt := col.counts[value]
			all := 0
			for _, v := range cnt {
				all += v
			}
			overall := float64(all) / float64(total)
			for s := range profs {
				if cnt[s] < p.c.MinSupport || col.known[s] == 0 {
					continue
				}
				share := float64(cnt[s]) / float64(col.known[s])
				lift := share / overall
				if share < p.c.MinShare || lift < p.c.MinLift {
					continue
				}
				profs[s].Categories = append(profs[s].Categories, CategoryTrait{
					Field: field, Value: value, Count: cnt[s], Known: col.known[s],
					Share: share, OverallShare: overall, Lift: lift,
				})
			}
		}
	}
	for s := range profs {
		slices.SortStableFunc(profs[s].Categories, func(a, b CategoryTrait) int {
			if c := cmp.Compare(profRound(b.Lift), profRound(a.Lift)); c != 0 {
				return c
			}
			if c := cmp.Compare(b.Count, a.Count); c != 0 {
				return c
			}
			if c := strings.Compare(a.Field, b.Field); c != 0 {
				return c
			}
			return strings.Compare(a.Value, b.Value)
		})
		profs[s].Description = p.describe(&profs[s], r.Revenue > 0)
	}
	slices.SortStableFunc(profs, func(a, b SegmentProfile) int {
		if c := cmp.Compare(b.Accounts, a.Accounts); c != 0 {
			return c
		}
		return strings.Compare(a.Segment.ID, b.Segment.ID)
	})
	r.Segments = profs
	return r
}

// profRound rounds x to 9 significant digits, so that values equal but for
// rounding (3/5 over 3/8, 2/5 over 2/8) sort as ties.
func profRound(x float64) float64 {
	if x == 0 || !finite(x) {
		return x
	}
	e := math.Pow(10, 8-math.Floor(math.Log10(math.Abs(x))))
	return math.Round(x*e) / e
}

func profSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// numericWords are the words a description uses for a field above and
// below the whole.
var numericWords = map[string][2]string{
	"employees":        {"larger", "smaller"},
	"revenue":          {"higher annual revenue", "lower annual revenue"},
	"growth":           {"faster-growing", "slower-growing"},
	"age":              {"older", "younger"},
	"orders":           {"more orders", "fewer orders"},
	"order_value":      {"more spend", "less spend"},
	"discount_rate":    {"more discounted", "less discounted"},
	"mrr":              {"higher MRR", "lower MRR"},
	"seats":            {"more seats", "fewer seats"},
	"seats_used_share": {"more seats used", "fewer seats used"},
	"logins_90d":       {"more logins", "fewer logins"},
	"events_90d":       {"more engaged", "less engaged"},
	"tickets":          {"more tickets", "fewer tickets"},
}

func (p *profiler) describe(sp *SegmentProfile, withRevenue bool) string {
	var b strings.Builder
	noun := "accounts"
	if sp.Accounts == 1 {
		noun = "account"
	}
	fmt.Fprintf(&b, "%s %s (%s", profGroupInt(sp.Accounts), noun, profPercent(sp.Share))
	if withRevenue {
		fmt.Fprintf(&b, ", %s of revenue", profPercent(sp.RevenueShare))
	}
	b.WriteString(")")
	var parts []string
	for _, t := range sp.Numeric {
		if len(parts) == p.c.Top || math.Abs(t.D) < p.c.MinEffect {
			break
		}
		if t.Known < p.c.MinSupport {
			continue // too few values to say
		}
		d := fmt.Sprintf("d=%+.1f", t.D)
		if w, ok := numericWords[t.Field]; ok {
			word := w[1]
			if t.D > 0 {
				word = w[0]
			}
			parts = append(parts, word+" ("+t.Field+" "+d+")")
		} else if t.D > 0 {
			parts = append(parts, "higher "+t.Field+" ("+d+")")
		} else {
			parts = append(parts, "lower "+t.Field+" ("+d+")")
		}
	}
	var cats []string
	var fields []string
	byField := map[string][]string{}
	for i, t := range sp.Categories {
		if i == p.c.Top {
			break
		}
		if _, ok := byField[t.Field]; !ok {
			fields = append(fields, t.Field)
		}
		byField[t.Field] = append(byField[t.Field], t.Value+" ("+strconv.FormatFloat(t.Lift, 'f', 1, 64)+"×)")
	}
	for _, f := range fields {
		cats = append(cats, f+" "+strings.Join(byField[f], ", "))
	}
	var traits strings.Builder
	if len(parts) > 0 {
		traits.WriteString(strings.Join(parts, ", "))
	}
	if len(cats) > 0 {
		if len(parts) > 0 {
			traits.WriteString("; ")
		}
		traits.WriteString("more often " + strings.Join(cats, ", "))
	}
	if traits.Len() == 0 {
		traits.WriteString("close to the whole")
	}
	sp.Traits = traits.String()
	b.WriteString(": " + sp.Traits)
	return b.String()
}

// profPercent formats a share as a whole percentage, or with one decimal below
// 10% ("0.4%", "18%").
func profPercent(x float64) string {
	p := 100 * x
	if p > 0 && p < 9.95 {
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(p, 'f', 0, 64) + "%"
}

// profGroupInt writes n with thousands separators: 12,345.
func profGroupInt(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 || (n < 0 && len(s) <= 4) {
		return s
	}
	var b strings.Builder
	start := 0
	if n < 0 {
		b.WriteByte('-')
		start = 1
	}
	digits := s[start:]
	head := len(digits) % 3
	if head > 0 {
		b.WriteString(digits[:head])
	}
	for i := head; i < len(digits); i += 3 {
		if b.Len() > start {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// naicsSectors names the NAICS 2022 sectors by their 2-digit codes.
var naicsSectors = map[string]string{
	"11": "Agriculture, Forestry, Fishing and Hunting (11)",
	"21": "Mining, Quarrying, and Oil and Gas Extraction (21)",
	"22": "Utilities (22)",
	"23": "Construction (23)",
	"31": "Manufacturing (31-33)", "32": "Manufacturing (31-33)", "33": "Manufacturing (31-33)",
	"42": "Wholesale Trade (42)",
	"44": "Retail Trade (44-45)", "45": "Retail Trade (44-45)",
	"48": "Transportation and Warehousing (48-49)", "49": "Transportation and Warehousing (48-49)",
	"51": "Information (51)",
	"52": "Finance and Insurance (52)",
	"53": "Real Estate and Rental and Leasing (53)",
	"54": "Professional, Scientific, and Technical Services (54)",
	"55": "Management of Companies and Enterprises (55)",
	"56": "Administrative and Support and Waste Management and Remediation Services (56)",
	"61": "Educational Services (61)",
	"62": "Health Care and Social Assistance (62)",
	"71": "Arts, Entertainment, and Recreation (71)",
	"72": "Accommodation and Food Services (72)",
	"81": "Other Services (except Public Administration) (81)",
	"92": "Public Administration (92)",
}

// naicsSector returns the sector of a NAICS code: its name and 2-digit
// code, or the 2 digits alone for a code outside the 2022 sectors.
func naicsSector(code string) string {
	code = strings.TrimSpace(code)
	if len(code) < 2 {
		return code
	}
	if s, ok := naicsSectors[code[:2]]; ok {
		return s
	}
	return code[:2]
}

// WriteText writes the report as a plain-text table: one row per segment
// with its name (or ID), accounts, share of accounts, share of revenue and
// traits.
func (r *ProfileReport) WriteText(w io.Writer) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "segment\taccounts\tshare\trevenue\twhat sets it apart\n")
	for i := range r.Segments {
		sp := &r.Segments[i]
		name := sp.Segment.Name
		if name == "" {
			name = sp.Segment.ID
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, profGroupInt(sp.Accounts), profPercent(sp.Share), profPercent(sp.RevenueShare), sp.Traits)
	}
	fmt.Fprintf(tw, "all\t%s\t100%%\t100%%\n", profGroupInt(r.Accounts))
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}
