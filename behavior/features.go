package behavior

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/strataseg/strata/segment"
)

// Feature names one behavioral feature of an account; [Features] computes
// them all. Its String is the feature's documented name, used in Config
// weights, in Reasons' Field and in the Model.
type Feature int

// The features, computed from an account's records up to an as-of date
// (records after it are ignored). "The window" is the last
// Options.WindowDays days; "the trend period" the last Options.TrendDays
// days. A feature marked "always known" is 0 when there is nothing to
// count; the others are unknown where said.
const (
	// RecencyDays: days since the last purchase (not a return); unknown
	// without purchases.
	RecencyDays Feature = iota
	// InactiveDays: days since the last sign of activity — a purchase, a
	// usage record with a positive value, or an event of any kind; unknown
	// when the account has none of these.
	InactiveDays
	// TenureDays: days since the first record of any kind (order,
	// subscription start, usage, event); unknown without records.
	TenureDays
	// Frequency: purchases in the window. Always known.
	Frequency
	// Monetary: net spend in the window, purchases less returns, floored
	// at 0. Always known.
	Monetary
	// SpendTrend: the symmetric change of gross spend in the trend period
	// against the one before it, (recent − prior) / (recent + prior), in
	// [−1, 1]; unknown when both are 0.
	SpendTrend
	// UsageTrend: the same symmetric change of product activity (active
	// users where the account reports them, as the steadiest measure of
	// adoption; else logins; else feature uses); unknown when both periods
	// have none.
	UsageTrend
	// UsageSlope: the least-squares slope of ln(1 + monthly activity)
	// against time, per month, over the last Options.SlopeMonths months of
	// 30.44 days, from the account's first usage record on; unknown with
	// fewer than three such months.
	UsageSlope
	// SeatUtilization: seats used over seats purchased: the latest
	// seats_used (or, without it, active_users) usage value in the window
	// over the latest seats_purchased value, or over the seats of the
	// subscriptions running at the as-of date; capped at 3. Unknown when
	// either side is missing — never 0 for "no data".
	SeatUtilization
	// FeatureBreadth: the share of the product's features (Options.
	// KnownFeatures) with a positive "feature:" usage value in the window,
	// in [0, 1]; unknown without usage records in the window or without
	// a known number of features.
	FeatureBreadth
	// Engagement: interactions other than support tickets in the window,
	// per 30 days. Always known.
	Engagement
	// ContentEngagement: content read, webinars and e-mails opened in the
	// window, per 30 days. Always known.
	ContentEngagement
	// Channels: distinct channels of the interactions (not tickets) in the
	// window. Always known.
	Channels
	// TicketRate: support tickets per 30 days over the window, or over the
	// account's tenure when it is shorter (at least 30 days). Always known.
	TicketRate
	// ReturnShare: returned (or cancelled) amount over gross purchases in
	// the window, capped at 1; unknown without purchases in the window.
	ReturnShare
	// DiscountShare: discounts granted over list value (amount plus
	// discount) of the purchases in the window; unknown without purchases
	// in the window.
	DiscountShare
	// PremiumShare: the share of gross spend in the window on premium
	// purchases: on Options.PremiumLines when set, otherwise on orders
	// whose unit price ((amount + discount) / quantity) is above the
	// median unit price of their product line in the fitted data
	// (Options.LinePrices); unknown without such purchases to judge.
	PremiumShare
	// MRR: the monthly recurring revenue of the subscriptions running at
	// the as-of date; unknown for an account without subscriptions.
	MRR
	// MRRTrend: the symmetric change of MRR at the as-of date against MRR
	// one trend period earlier; unknown without subscriptions or when both
	// are 0.
	MRRTrend

	// NumFeatures is the number of features.
	NumFeatures int = iota
)

var featureNames = [NumFeatures]string{
	"recency_days", "inactive_days", "tenure_days", "frequency", "monetary",
	"spend_trend", "usage_trend", "usage_slope", "seat_utilization",
	"feature_breadth", "engagement", "content_engagement", "channels",
	"ticket_rate", "return_share", "discount_share", "premium_share",
	"mrr", "mrr_trend",
}

// heavy marks the features a scale sees through ln(1+x): counts, days and
// money, whose distributions are heavy-tailed.
var heavy = [NumFeatures]bool{
	RecencyDays: true, InactiveDays: true, TenureDays: true, Frequency: true,
	Monetary: true, Engagement: true, ContentEngagement: true, Channels: true,
	TicketRate: true, MRR: true,
}

// String returns the feature's name ("seat_utilization").
func (f Feature) String() string {
	if f < 0 || int(f) >= NumFeatures {
		return fmt.Sprintf("Feature(%d)", int(f))
	}
	return featureNames[f]
}

// FeatureNames returns the names of the features, in order.
func FeatureNames() []string { return slices.Clone(featureNames[:]) }

// ParseFeature returns the feature of a name, as String writes it.
func ParseFeature(name string) (Feature, bool) {
	f, ok := featureIndex[name]
	if !ok {
		return -1, false
	}
	return f, true
}

var featureIndex = func() map[string]Feature {
	m := make(map[string]Feature, NumFeatures)
	for i, n := range featureNames {
		m[n] = Feature(i)
	}
	return m
}()

// Vector holds the features of one account, indexed by [Feature]; an
// unknown feature is an unknown [segment.Num].
type Vector [NumFeatures]segment.Num

// Get returns feature f and whether it is known.
func (v *Vector) Get(f Feature) (float64, bool) { return v[f].Get() }

// Options says how [Features] reads an account's records.
type Options struct {
	// AsOf is the date the windows end at; records after it are ignored.
	// Zero means the account's own latest record.
	AsOf time.Time `json:"as_of,omitzero"`
	// WindowDays is the length of the window, in days; 0 means 365.
	WindowDays int `json:"window_days,omitempty"`
	// TrendDays is the length of each of the two trend periods, in days;
	// 0 means 90.
	TrendDays int `json:"trend_days,omitempty"`
	// SlopeMonths is the number of months UsageSlope looks back; 0 means 12.
	SlopeMonths int `json:"slope_months,omitempty"`
	// KnownFeatures is the number of product features FeatureBreadth
	// divides by; 0 leaves FeatureBreadth unknown.
	KnownFeatures int `json:"known_features,omitempty"`
	// PremiumLines names the product lines that count as premium; nil
	// judges each order by LinePrices.
	PremiumLines []string `json:"premium_lines,omitempty"`
	// LinePrices maps a product line to the unit price above which an
	// order of it is premium (the Model fits the medians); an order of a
	// line absent from it is not judged.
	LinePrices map[string]float64 `json:"line_prices,omitempty"`
}

const (
	day   = 24 * time.Hour
	month = 30.436875 // days
)

func (o *Options) windowDays() int  { return defInt(o.WindowDays, 365) }
func (o *Options) trendDays() int   { return defInt(o.TrendDays, 90) }
func (o *Options) slopeMonths() int { return defInt(o.SlopeMonths, 12) }

func defInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// Features computes the behavioral features of an account from its
// records, as the Model does before it scores (see the [Feature]
// constants for each definition). It does not validate the account (call
// a.Validate first for untrusted input), never changes it and never reads
// the clock.
func Features(a *segment.Account, o Options) Vector {
	var v Vector
	asOf := o.AsOf
	if asOf.IsZero() {
		asOf = latestRecord(a)
	}
	features(a, asOf, &o, &v, nil, nil)
	return v
}

// latestRecord returns the time of the account's latest record.
func latestRecord(a *segment.Account) time.Time {
	var t time.Time
	up := func(x time.Time) {
		if x.After(t) {
			t = x
		}
	}
	for i := range a.Orders {
		up(a.Orders[i].Time)
	}
	for i := range a.Subscriptions {
		up(a.Subscriptions[i].Start)
	}
	for i := range a.Usage {
		up(a.Usage[i].Time)
	}
	for i := range a.Events {
		up(a.Events[i].Time)
	}
	return t
}

func days(d time.Duration) float64 { return d.Hours() / 24 }

// symChange is (r − p) / (r + p), known when r + p > 0.
func symChange(r, p float64) segment.Num {
	if r+p <= 0 {
		return segment.Num{}
	}
	return segment.N((r - p) / (r + p))
}

// activity accumulates one usage series.
type activity struct {
	any           bool
	recent, prior float64
	first         float64 // days before asOf of the first record
	months        [maxSlopeMonths]float64
	firstD        time.Duration // first as a duration (fastFeatures)
}

const maxSlopeMonths = 36

func (s *activity) add(ago float64, trend float64, v float64, slopeMonths int) {
	if !s.any || ago > s.first {
		s.first = ago
	}
	s.any = true
	switch {
	case ago < trend:
		s.recent += v
	case ago < 2*trend:
		s.prior += v
	}
	if b := int(ago / month); b < slopeMonths {
		s.months[b] += v
	}
}

// slope fits ln(1+x) on −b for the months from the first record on.
func (s *activity) slope(slopeMonths int) segment.Num {
	if !s.any {
		return segment.Num{}
	}
	last := min(slopeMonths-1, int(s.first/month))
	n := last + 1
	if n < 3 {
		return segment.Num{}
	}
	var sx, sy, sxx, sxy float64
	for b := 0; b <= last; b++ {
		x := -float64(b)
		y := math.Log1p(math.Max(0, s.months[b]))
		sx += x
		sy += y
		sxx += x * x
		sxy += x * y
	}
	fn := float64(n)
	den := fn*sxx - sx*sx
	if den == 0 {
		return segment.Num{}
	}
	return segment.N((fn*sxy - sx*sy) / den)
}

// addD is add for fastFeatures: d is the record's asOf.Sub(t), compared
// with the cutoffs of days(d) instead of days(d) itself. s.firstD starts
// at −1; the caller sets s.any (firstD ≥ 0) and s.first from it.
func (s *activity) addD(d time.Duration, v float64, k *cutoffs) {
	s.firstD = max(s.firstD, d)
	switch {
	case d < k.trend:
		s.recent += v
	case d < k.trend2:
		s.prior += v
	}
	if b := k.bucket(d); b < k.slopeMonths {
		s.months[b] += v
	}
}

// cutoffs turn the float comparisons of featuresRef on ago = days(d) into
// comparisons of durations: days is non-decreasing in d, and so are
// int(days(d)/month), so each comparison holds from a cutoff on, found
// once per Model (or Fit) by bisection. For d ≥ 0:
//
//	days(d) < window     ⇔ d < window
//	days(d) < trend      ⇔ d < trend
//	days(d) < 2·trend    ⇔ d < trend2
//	int(days(d)/month) ≥ b ⇔ d ≥ month[b], for b in 1…slopeMonths
type cutoffs struct {
	window, trend, trend2 time.Duration
	slopeMonths           int
	month                 [maxSlopeMonths + 1]time.Duration
}

// monthNanos is the length of a month of 30.436875 days, in nanoseconds.
const monthNanos = 2_629_746 * time.Second

func newCutoffs(o *Options) *cutoffs {
	window := float64(o.windowDays())
	trend := float64(o.trendDays())
	k := &cutoffs{slopeMonths: min(o.slopeMonths(), maxSlopeMonths)}
	k.window = firstTrue(func(d time.Duration) bool { return days(d) >= window })
	k.trend = firstTrue(func(d time.Duration) bool { return days(d) >= trend })
	k.trend2 = firstTrue(func(d time.Duration) bool { return days(d) >= 2*trend })
	for b := 1; b <= k.slopeMonths; b++ {
		k.month[b] = firstTrue(func(d time.Duration) bool { return int(days(d)/month) >= b })
	}
	return k
}

// firstTrue returns the least d ≥ 0 where a non-decreasing predicate
// holds, or 2⁶² ns (146 years, beyond every clock's range) when it holds
// nowhere below that.
func firstTrue(p func(time.Duration) bool) time.Duration {
	lo, hi := time.Duration(0), time.Duration(1)<<62
	for lo < hi {
		mid := lo + (hi-lo)/2
		if p(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// bucket returns int(days(d)/month) for d ≥ 0, or slopeMonths when it is
// at least that.
func (k *cutoffs) bucket(d time.Duration) int {
	b := min(int(d/monthNanos), k.slopeMonths)
	for b > 0 && d < k.month[b] {
		b--
	}
	for b < k.slopeMonths && d >= k.month[b+1] {
		b++
	}
	return b
}

// extras receives the per-line and per-channel columns of the Clusters
// scheme.
type extras struct {
	lines    map[string]float64 // net spend in the window per product line
	channels map[string]float64 // interactions (not tickets) per 30 days per channel
}

func newExtras() *extras {
	return &extras{lines: map[string]float64{}, channels: map[string]float64{}}
}

// features fills v from a's records up to asOf, with fastFeatures when k
// is not nil and x is nil. x, when not nil, receives the net spend in the
// window per product line and the interactions per channel.
func features(a *segment.Account, asOf time.Time, o *Options, v *Vector, x *extras, k *cutoffs) {
	if k != nil && x == nil {
		var us usageScan
		if c, ok := newClock(asOf); ok && fastFeatures(a, c, k, o, v, nil, &us) {
			return
		}
	}
	featuresRef(a, asOf, o, v, x)
}

// featuresRef is the reference implementation of features: it reads every
// time through the time package. fastFeatures gives the same Vector, and
// falls back on it for times it cannot read exactly.
func featuresRef(a *segment.Account, asOf time.Time, o *Options, v *Vector, x *extras) {
	window := float64(o.windowDays())
	trend := float64(o.trendDays())
	slopeMonths := min(o.slopeMonths(), maxSlopeMonths)
	*v = Vector{}

	var first, lastAct, lastBuy time.Time
	seen := func(t time.Time) {
		if first.IsZero() || t.Before(first) {
			first = t
		}
	}
	act := func(t time.Time) {
		if t.After(lastAct) {
			lastAct = t
		}
	}

	// Orders.
	var freq, gross, returned, discount, recent, prior, premium, judged float64
	anyOrder := false
	for i := range a.Orders {
		od := &a.Orders[i]
		if od.Time.After(asOf) {
			continue
		}
		seen(od.Time)
		ago := days(asOf.Sub(od.Time))
		if od.Return {
			if ago < window {
				returned += od.Amount
				if x != nil {
					x.lines[od.ProductLine] -= od.Amount
				}
			}
			continue
		}
		anyOrder = true
		act(od.Time)
		if od.Time.After(lastBuy) {
			lastBuy = od.Time
		}
		switch {
		case ago < trend:
			recent += od.Amount
		case ago < 2*trend:
			prior += od.Amount
		}
		if ago >= window {
			continue
		}
		freq++
		gross += od.Amount
		discount += od.Discount
		if x != nil {
			x.lines[od.ProductLine] += od.Amount
		}
		if o.PremiumLines != nil {
			judged += od.Amount
			if slices.Contains(o.PremiumLines, od.ProductLine) {
				premium += od.Amount
			}
		} else if cut, ok := o.LinePrices[od.ProductLine]; ok && od.Quantity > 0 {
			judged += od.Amount
			if (od.Amount+od.Discount)/od.Quantity > cut {
				premium += od.Amount
			}
		}
	}
	if anyOrder {
		v[RecencyDays] = segment.N(days(asOf.Sub(lastBuy)))
	}
	v[Frequency] = segment.N(freq)
	v[Monetary] = segment.N(math.Max(0, gross-returned))
	v[SpendTrend] = symChange(recent, prior)
	if gross > 0 {
		v[ReturnShare] = segment.N(math.Min(1, returned/gross))
		v[DiscountShare] = segment.N(discount / (gross + discount))
	}
	if judged > 0 {
		v[PremiumShare] = segment.N(premium / judged)
	}

	// Subscriptions.
	var mrr, mrrBefore, subSeats float64
	before := asOf.Add(-time.Duration(trend * float64(day)))
	anySub := false
	for i := range a.Subscriptions {
		s := &a.Subscriptions[i]
		if s.Start.After(asOf) {
			continue
		}
		anySub = true
		seen(s.Start)
		if s.End.IsZero() || s.End.After(asOf) {
			mrr += s.Monthly
			subSeats += float64(s.Seats)
		}
		if !s.Start.After(before) && (s.End.IsZero() || s.End.After(before)) {
			mrrBefore += s.Monthly
		}
	}
	if anySub {
		v[MRR] = segment.N(mrr)
		v[MRRTrend] = symChange(mrr, mrrBefore)
	}

	// Usage.
	var logins, active, feats activity
	var usedT, purT, actT time.Time
	var used, purchased, activeLast float64
	haveUsed, havePur, haveActive, usageInWindow := false, false, false, false
	var featSeen []string
	for i := range a.Usage {
		u := &a.Usage[i]
		if u.Time.After(asOf) {
			continue
		}
		seen(u.Time)
		if u.Value > 0 {
			act(u.Time)
		}
		agoD := days(asOf.Sub(u.Time))
		inWindow := agoD < window
		usageInWindow = usageInWindow || inWindow
		switch {
		case u.Metric == segment.MetricLogins:
			logins.add(agoD, trend, u.Value, slopeMonths)
		case u.Metric == segment.MetricActiveUsers:
			active.add(agoD, trend, u.Value, slopeMonths)
			if inWindow && (!haveActive || !u.Time.Before(actT)) {
				activeLast, actT, haveActive = u.Value, u.Time, true
			}
		case u.Metric == segment.MetricSeatsUsed:
			if inWindow && (!haveUsed || !u.Time.Before(usedT)) {
				used, usedT, haveUsed = u.Value, u.Time, true
			}
		case u.Metric == segment.MetricSeatsPurchased:
			if inWindow && (!havePur || !u.Time.Before(purT)) {
				purchased, purT, havePur = u.Value, u.Time, true
			}
		case strings.HasPrefix(u.Metric, segment.MetricFeaturePrefix):
			feats.add(agoD, trend, u.Value, slopeMonths)
			if inWindow && u.Value > 0 && !slices.Contains(featSeen, u.Metric) {
				featSeen = append(featSeen, u.Metric)
			}
		}
	}
	series := &active
	if !series.any {
		series = &logins
	}
	if !series.any {
		series = &feats
	}
	if series.any {
		v[UsageTrend] = symChange(series.recent, series.prior)
		v[UsageSlope] = series.slope(slopeMonths)
	}
	if !haveUsed && haveActive {
		used, haveUsed = activeLast, true
	}
	if haveUsed {
		den := subSeats
		if havePur {
			den = purchased
		}
		if den > 0 {
			v[SeatUtilization] = segment.N(math.Min(3, math.Max(0, used)/den))
		}
	}
	if usageInWindow && o.KnownFeatures > 0 {
		v[FeatureBreadth] = segment.N(math.Min(1, float64(len(featSeen))/float64(o.KnownFeatures)))
	}

	// Events.
	var eng, content, tickets float64
	var chans []string
	for i := range a.Events {
		e := &a.Events[i]
		if e.Time.After(asOf) {
			continue
		}
		seen(e.Time)
		act(e.Time)
		if days(asOf.Sub(e.Time)) >= window {
			continue
		}
		if e.Kind == segment.EventTicket {
			tickets++
			continue
		}
		eng++
		switch e.Kind {
		case segment.EventContent, segment.EventWebinar, segment.EventEmail:
			content++
		}
		if e.Channel != "" && !slices.Contains(chans, e.Channel) {
			chans = append(chans, e.Channel)
		}
		if x != nil && e.Channel != "" {
			x.channels[e.Channel] += 30 / window
		}
	}
	per := window / 30
	v[Engagement] = segment.N(eng / per)
	v[ContentEngagement] = segment.N(content / per)
	v[Channels] = segment.N(float64(len(chans)))
	span := window
	if !first.IsZero() {
		span = math.Max(30, math.Min(window, days(asOf.Sub(first))))
	}
	v[TicketRate] = segment.N(tickets / (span / 30))

	if !first.IsZero() {
		v[TenureDays] = segment.N(days(asOf.Sub(first)))
	}
	if !lastAct.IsZero() {
		v[InactiveDays] = segment.N(days(asOf.Sub(lastAct)))
	}
}

// clock measures record times back from an as-of date: ago(t) is
// asOf.Sub(t), to the nanosecond, computed from the wall clock seconds and
// nanoseconds without Sub's overflow checks. It serves only an as-of date
// without a monotonic clock reading (as decoded or built from a date),
// whose Sub always reads the wall clock, and only times within 2³² s
// (136 years) of it, where the difference cannot overflow.
type clock struct {
	asOf      time.Time
	sec, nsec int64
}

// clockRange bounds the seconds between asOf and a time the clock reads.
const clockRange = 1 << 32

// zeroUnix is the zero Time, which featuresRef reads as "no record yet";
// newClock keeps it out of every clock's range.
var zeroUnix = time.Time{}.Unix()

func newClock(asOf time.Time) (clock, bool) {
	if asOf != asOf.Round(0) { // a monotonic reading: Sub would use it
		return clock{}, false
	}
	sec := asOf.Unix()
	if sec < zeroUnix+2*clockRange {
		return clock{}, false
	}
	return clock{asOf: asOf, sec: sec, nsec: int64(asOf.Nanosecond())}, true
}

// ago returns asOf.Sub(t), and false for a time out of the clock's range.
func (c *clock) ago(t time.Time) (time.Duration, bool) {
	s := c.sec - t.Unix()
	if s > clockRange || s < -clockRange {
		return 0, false
	}
	return time.Duration(s)*time.Second + time.Duration(c.nsec-int64(t.Nanosecond())), true
}

// slotSums receives, in the Clusters scheme's Assign, the net spend in the
// window of the product lines and the interactions in the window of the
// channels that are cluster columns.
type slotSums struct {
	lines, chans     []string // names, distinct (read-only, from the Model)
	lineSum, chanSum []float64
}

func slotOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}

// fastFeatures is featuresRef in one pass over each record list with the
// times read through c; x, when not nil, receives the line and channel
// sums. It returns false, with v and x unspecified, when a record's time is
// out of c's range; the caller then uses featuresRef.
//
// Record times are compared by their wall clock: two records that both
// carry a monotonic clock reading are compared by it in featuresRef, which
// differs only if the wall clock was stepped between them.
func fastFeatures(a *segment.Account, c clock, k *cutoffs, o *Options, v *Vector, x *slotSums, us *usageScan) bool {
	window := float64(o.windowDays())
	trend := float64(o.trendDays())
	slopeMonths := k.slopeMonths
	*v = Vector{}

	// Durations before asOf (d ≥ 0 for the records read): the first
	// record seen (the largest; −1 for none), the latest activity and the
	// latest purchase (the smallest; noSpan for none). These are the
	// reference's seen, act and lastBuy.
	firstD, actD, buyD := time.Duration(-1), noSpan, noSpan

	// Orders.
	var freq, gross, returned, discount, recent, prior, premium, judged float64
	for i := range a.Orders {
		od := &a.Orders[i]
		d, ok := c.ago(od.Time)
		if !ok {
			return false
		}
		if d < 0 {
			continue
		}
		firstD = max(firstD, d)
		if od.Return {
			if d < k.window {
				returned += od.Amount
				if x != nil {
					if k := slotOf(x.lines, od.ProductLine); k >= 0 {
						x.lineSum[k] -= od.Amount
					}
				}
			}
			continue
		}
		actD = min(actD, d)
		buyD = min(buyD, d)
		switch {
		case d < k.trend:
			recent += od.Amount
		case d < k.trend2:
			prior += od.Amount
		}
		if d >= k.window {
			continue
		}
		freq++
		gross += od.Amount
		discount += od.Discount
		if x != nil {
			if k := slotOf(x.lines, od.ProductLine); k >= 0 {
				x.lineSum[k] += od.Amount
			}
		}
		if o.PremiumLines != nil {
			judged += od.Amount
			if slices.Contains(o.PremiumLines, od.ProductLine) {
				premium += od.Amount
			}
		} else if cut, ok := o.LinePrices[od.ProductLine]; ok && od.Quantity > 0 {
			judged += od.Amount
			if (od.Amount+od.Discount)/od.Quantity > cut {
				premium += od.Amount
			}
		}
	}
	if buyD != noSpan {
		v[RecencyDays] = segment.N(days(buyD))
	}
	v[Frequency] = segment.N(freq)
	v[Monetary] = segment.N(max(0, gross-returned))
	v[SpendTrend] = symChange(recent, prior)
	if gross > 0 {
		v[ReturnShare] = segment.N(min(1, returned/gross))
		v[DiscountShare] = segment.N(discount / (gross + discount))
	}
	if judged > 0 {
		v[PremiumShare] = segment.N(premium / judged)
	}

	// Subscriptions (few: read through the time package).
	var subSeats float64
	if len(a.Subscriptions) > 0 {
		var mrr, mrrBefore float64
		asOf := c.asOf
		before := asOf.Add(-time.Duration(trend * float64(day)))
		anySub := false
		for i := range a.Subscriptions {
			s := &a.Subscriptions[i]
			d, ok := c.ago(s.Start)
			if !ok {
				return false
			}
			if d < 0 {
				continue
			}
			anySub = true
			firstD = max(firstD, d)
			if s.End.IsZero() || s.End.After(asOf) {
				mrr += s.Monthly
				subSeats += float64(s.Seats)
			}
			if !s.Start.After(before) && (s.End.IsZero() || s.End.After(before)) {
				mrrBefore += s.Monthly
			}
		}
		if anySub {
			v[MRR] = segment.N(mrr)
			v[MRRTrend] = symChange(mrr, mrrBefore)
		}
	}

	// Usage.
	*us = usageScan{firstD: firstD, actD: actD}
	us.logins.firstD, us.active.firstD, us.feats.firstD = -1, -1, -1
	if !us.scan(a.Usage, &c, k) {
		return false
	}
	for _, s := range [3]*activity{&us.logins, &us.active, &us.feats} {
		s.any = s.firstD >= 0
	}
	firstD, actD = us.firstD, us.actD
	series := &us.active
	if !series.any {
		series = &us.logins
	}
	if !series.any {
		series = &us.feats
	}
	if series.any {
		series.first = days(series.firstD)
		v[UsageTrend] = symChange(series.recent, series.prior)
		v[UsageSlope] = series.slope(slopeMonths)
	}
	used, haveUsed := us.used, us.haveUsed
	if !haveUsed && us.haveActive {
		used, haveUsed = us.activeLast, true
	}
	if haveUsed {
		den := subSeats
		if us.havePur {
			den = us.purchased
		}
		if den > 0 {
			v[SeatUtilization] = segment.N(min(3, max(0, used)/den))
		}
	}
	if us.inWindow && o.KnownFeatures > 0 {
		v[FeatureBreadth] = segment.N(min(1, float64(us.nFeat)/float64(o.KnownFeatures)))
	}

	// Events.
	var eng, content, tickets float64
	var chanBuf [8]string
	chans := chanBuf[:0]
	for i := range a.Events {
		e := &a.Events[i]
		d, ok := c.ago(e.Time)
		if !ok {
			return false
		}
		if d < 0 {
			continue
		}
		firstD = max(firstD, d)
		actD = min(actD, d)
		if d >= k.window {
			continue
		}
		if e.Kind == segment.EventTicket {
			tickets++
			continue
		}
		eng++
		switch e.Kind {
		case segment.EventContent, segment.EventWebinar, segment.EventEmail:
			content++
		}
		if e.Channel != "" && !slices.Contains(chans, e.Channel) {
			chans = append(chans, e.Channel)
		}
		if x != nil && e.Channel != "" {
			if k := slotOf(x.chans, e.Channel); k >= 0 {
				x.chanSum[k] += 30 / window
			}
		}
	}
	per := window / 30
	v[Engagement] = segment.N(eng / per)
	v[ContentEngagement] = segment.N(content / per)
	v[Channels] = segment.N(float64(len(chans)))
	span := window
	if firstD >= 0 {
		span = max(30, min(window, days(firstD)))
	}
	v[TicketRate] = segment.N(tickets / (span / 30))

	if firstD >= 0 {
		v[TenureDays] = segment.N(days(firstD))
	}
	if actD != noSpan {
		v[InactiveDays] = segment.N(days(actD))
	}
	return true
}

// noSpan marks no record in fastFeatures: above every duration a clock
// returns.
const noSpan = time.Duration(math.MaxInt64)

// usageScan is what fastFeatures reads from the usage records, in a
// function of its own so that its loop's variables stay in registers.
type usageScan struct {
	logins, active, feats       activity
	used, purchased, activeLast float64
	haveUsed, havePur           bool
	haveActive, inWindow        bool
	usedD, purD, actLastD       time.Duration // of used, purchased, activeLast
	nFeat                       int           // features adopted in the window:
	feat                        [16]string    // the first 16,
	moreFeat                    []string      // and the others
	firstD, actD                time.Duration // in and out, as in fastFeatures
}

// adopt counts a feature adopted in the window, once.
func (st *usageScan) adopt(name string) {
	// Most names differ from the others in length or in their last
	// byte: check those before comparing whole names.
	last := name[len(name)-1]
	for _, f := range st.feat[:min(st.nFeat, len(st.feat))] {
		if len(f) == len(name) && f[len(f)-1] == last && f == name {
			return
		}
	}
	if slices.Contains(st.moreFeat, name) {
		return
	}
	if st.nFeat < len(st.feat) {
		st.feat[st.nFeat] = name
	} else {
		st.moreFeat = append(st.moreFeat, name)
	}
	st.nFeat++
}

// scan reads the usage records; false when a time is out of c's range.
// It reads them in chunks, in two passes each: the first measures each
// record's time and the spans, the second goes by metric, so that each
// loop keeps its variables in registers.
func (st *usageScan) scan(us []segment.Usage, c *clock, k *cutoffs) bool {
	firstD, actD, window := st.firstD, st.actD, k.window
	var ds [128]time.Duration
	for len(us) > 0 {
		chunk := us[:min(len(us), len(ds))]
		us = us[len(chunk):]
		for i := range chunk {
			u := &chunk[i]
			d, ok := c.ago(u.Time)
			if !ok {
				return false
			}
			ds[i] = d
			if d < 0 {
				continue
			}
			firstD = max(firstD, d)
			if u.Value > 0 {
				actD = min(actD, d)
			}
			if d < window {
				st.inWindow = true
			}
		}
		st.byMetric(chunk, ds[:len(chunk)], k)
	}
	st.firstD, st.actD = firstD, actD
	return true
}

// byMetric is scan's second pass over a chunk of records and their
// durations before asOf (negative: after it, skipped).
func (st *usageScan) byMetric(us []segment.Usage, ds []time.Duration, k *cutoffs) {
	window := k.window
	for i := range us {
		d := ds[i]
		if d < 0 {
			continue
		}
		u := &us[i]
		switch u.Metric {
		case segment.MetricLogins:
			st.logins.addD(d, u.Value, k)
		case segment.MetricActiveUsers:
			st.active.addD(d, u.Value, k)
			if d < window && (!st.haveActive || d <= st.actLastD) {
				st.activeLast, st.actLastD, st.haveActive = u.Value, d, true
			}
		case segment.MetricSeatsUsed:
			if d < window && (!st.haveUsed || d <= st.usedD) {
				st.used, st.usedD, st.haveUsed = u.Value, d, true
			}
		case segment.MetricSeatsPurchased:
			if d < window && (!st.havePur || d <= st.purD) {
				st.purchased, st.purD, st.havePur = u.Value, d, true
			}
		default:
			if strings.HasPrefix(u.Metric, segment.MetricFeaturePrefix) {
				st.feats.addD(d, u.Value, k)
				if d < window && u.Value > 0 {
					st.adopt(u.Metric)
				}
			}
		}
	}
}
