package tier

import (
	"context"
	"fmt"
	"iter"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/strataseg/strata/segment"
)

// method is the name under which tier models are encoded.
const method = "tier"

// version is the version of the Model encoding this build writes.
const version = 1

// Segmenter tiers accounts by value. Make one with [New]; it is safe for
// concurrent use and never changes.
type Segmenter struct {
	cfg Config
}

var _ segment.Segmenter = (*Segmenter)(nil)

// New returns a Segmenter for the Config, after [Config.Validate]; it copies
// the Config's slices and maps, so later changes to them have no effect.
func New(c Config) (*Segmenter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Segmenter{cfg: c.clone()}, nil
}

// facts is what the value of an account is made from: its orders folded,
// its subscriptions, its adjustments. It depends on the as-of date only
// through the orders left out after it.
type facts struct {
	id       string
	hist     History
	buys     purchases
	subs     []segment.Subscription // read only
	custom   float64
	customOK bool
	channel  string
	grade    string
	currency string
}

// gather reads the facts of a valid account, leaving out orders after asOf
// when filter is set.
func (c *Config) gather(a *segment.Account, asOf time.Time, filter bool) facts {
	f := facts{id: a.ID, channel: a.Channel, grade: a.LeadGrade, currency: a.Currency}
	histAsOf := time.Time{}
	if filter {
		histAsOf = asOf
	}
	switch c.Measure {
	case MeasureRevenue, MeasureMargin:
		f.hist = Historical(a.Orders, histAsOf)
	case MeasureCLV:
		f.buys.add(a.Orders, asOf, filter)
	case MeasureContract:
		f.subs = a.Subscriptions
	case MeasureCustom:
		f.custom, f.customOK = a.Numbers[c.Key]
	}
	return f
}

// Fit walks accts once, fits the value model the Measure needs (BG/NBD and
// Gamma-Gamma for [MeasureCLV], the retention rate for [MeasureContract],
// the overall margin rate for [MeasureMargin]), values every account and
// sets the tier boundaries in value units. It returns a *[Model].
//
// Every account is checked with [segment.Account.Validate]; the first
// invalid one ends the fit with its error. Fit returns an error wrapping
// [segment.ErrEmptyInput] when accts is empty, when the CLV measure finds no
// repeat purchase to fit on, when the margin measure finds no order with a
// known margin, or when the contract measure (without Config.Retention)
// finds no subscription; and ctx.Err() once ctx is done.
func (s *Segmenter) Fit(ctx context.Context, accts iter.Seq[segment.Account]) (segment.Model, error) {
	c := s.cfg.clone()
	progress := func(stage string, done, total int) {
		if c.Progress != nil {
			c.Progress(segment.Progress{Method: method, Stage: stage, Done: done, Total: total})
		}
	}
	var (
		fs     []facts
		latest time.Time
		keys   []bool
	)
	filter := !c.AsOf.IsZero()
	isKey := make(map[string]bool, len(c.KeyAccounts))
	for _, id := range c.KeyAccounts {
		isKey[id] = true
	}
	for a := range accts {
		if len(fs)%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if len(fs)%65536 == 0 && len(fs) > 0 {
				progress("reading", len(fs), 0)
			}
		}
		if err := a.Validate(); err != nil {
			return nil, fmt.Errorf("tier: %w", err)
		}
		if !filter {
			for _, o := range a.Orders {
				if o.Time.After(latest) {
					latest = o.Time
				}
			}
			for _, sub := range a.Subscriptions {
				if sub.Start.After(latest) {
					latest = sub.Start
				}
			}
		}
		fs = append(fs, c.gather(&a, c.AsOf, filter))
		keys = append(keys, isKey[a.ID])
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, fmt.Errorf("tier: no accounts to fit: %w", segment.ErrEmptyInput)
	}
	progress("reading", len(fs), len(fs))
	// The Model keeps the Config as data: what Workers and Progress were has
	// no effect on it.
	mc := c.clone()
	mc.Workers, mc.Progress = 0, nil
	m := &Model{Header: segment.Header{Method: method, Version: version}, Config: mc, AsOf: c.AsOf, N: len(fs)}
	if m.AsOf.IsZero() {
		m.AsOf = latest
	}
	if m.AsOf.IsZero() && c.Measure != MeasureCustom {
		return nil, fmt.Errorf("tier: no order or subscription to date the fit by, and no as-of date: %w", segment.ErrEmptyInput)
	}
	if err := m.fitMeasure(ctx, fs); err != nil {
		return nil, err
	}
	progress("fitting", 1, 1)

	// Value every account, in parallel; each value depends only on its
	// account and the fitted parameters, so the result does not depend on
	// the number of workers.
	vals := make([]valuation, len(fs))
	workers := c.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	const chunk = 512
	var next, done int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(workers, (len(fs)+chunk-1)/chunk) {
		wg.Go(func() {
			for {
				mu.Lock()
				lo := next
				next += chunk
				mu.Unlock()
				if lo >= len(fs) || ctx.Err() != nil {
					return
				}
				hi := min(lo+chunk, len(fs))
				for i := lo; i < hi; i++ {
					vals[i] = m.value(&fs[i])
				}
				// Progress is called by one goroutine at a time.
				mu.Lock()
				done += hi - lo
				progress("valuing", done, len(fs))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.setTiers(vals, keys)
	return m, nil
}

// fitMeasure fits what the Measure needs from the fit data.
func (m *Model) fitMeasure(ctx context.Context, fs []facts) error {
	c := &m.Config
	switch c.Measure {
	case MeasureMargin:
		var margin, base float64
		for i := range fs {
			if v, ok := fs[i].hist.Margin.Get(); ok {
				margin += v
				base += fs[i].hist.MarginBase
			}
		}
		if base <= 0 {
			return fmt.Errorf("tier: measure margin: no order in the fit data has a known margin on a positive amount: %w", segment.ErrEmptyInput)
		}
		m.MarginRate = margin / base
	case MeasureCLV:
		asOf := dayNumber(m.AsOf)
		var ss []Summary
		for i := range fs {
			if fs[i].buys.days > 0 {
				sm := fs[i].buys.summary(asOf, 7)
				sm.ID = fs[i].id
				ss = append(ss, sm)
			}
		}
		bg, err := fitBGNBD(ctx, ss)
		if err != nil {
			return err
		}
		gg, err := fitGammaGamma(ctx, ss)
		if err != nil {
			return err
		}
		m.BGNBD, m.GammaGamma = &bg, &gg
	case MeasureContract:
		m.Retention = c.Retention
		if m.Retention == 0 {
			var rc retentionCount
			for i := range fs {
				rc.add(fs[i].subs, m.AsOf)
			}
			r, ok := rc.rate()
			if !ok {
				return fmt.Errorf("tier: measure contract: no subscription in the fit data to estimate retention from: %w", segment.ErrEmptyInput)
			}
			m.Retention = r
		}
	}
	return nil
}

// DecodeModel reads back a Model from its JSON encoding. It returns an
// error wrapping [segment.ErrModelVersion] for an encoding of another
// method or version, and one wrapping [segment.ErrInvalidConfig] for an
// encoding whose content is inconsistent.
func (s *Segmenter) DecodeModel(data []byte) (segment.Model, error) {
	m, err := segment.DecodeJSON[Model](data, method, version)
	if err != nil {
		return nil, err
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("tier: decoding model: %w", err)
	}
	return m, nil
}

// check verifies that a decoded Model is one Fit could have made.
func (m *Model) check() error {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), segment.ErrInvalidConfig)
	}
	n := m.Config.tiers()
	if len(m.Bounds) != n-1 {
		return bad("%d bounds for %d tiers", len(m.Bounds), n)
	}
	if len(m.Percentiles) != 0 && len(m.Percentiles) != percentiles {
		return bad("%d percentiles, not %d", len(m.Percentiles), percentiles)
	}
	for _, v := range append(slices.Clone(m.Bounds), m.Percentiles...) {
		if !finite(v) {
			return bad("bound or percentile %v", v)
		}
	}
	if !slices.IsSorted(m.Percentiles) {
		return bad("percentiles not in order")
	}
	if len(m.Tiers) != n+btoi(m.Config.Measure == MeasureCustom) {
		return bad("%d segments for %d tiers", len(m.Tiers), n)
	}
	switch m.Config.Measure {
	case MeasureCLV:
		if m.BGNBD == nil || m.GammaGamma == nil {
			return bad("measure clv without fitted bg/nbd and gamma-gamma parameters")
		}
		if err := m.BGNBD.validate(); err != nil {
			return err
		}
		g := m.GammaGamma
		if !(g.P > 0 && g.Q > 0 && g.V > 0) || !finite(g.P+g.Q+g.V+g.MeanSpend) {
			return bad("gamma-gamma parameters p=%v q=%v v=%v", g.P, g.Q, g.V)
		}
	case MeasureContract:
		if !(m.Retention > 0 && m.Retention <= 1) {
			return bad("retention %v", m.Retention)
		}
	case MeasureMargin:
		if !finite(m.MarginRate) {
			return bad("margin rate %v", m.MarginRate)
		}
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// valuation is an account's value and how it was reached.
type valuation struct {
	value   float64 // after adjustments
	base    float64 // before adjustments
	known   bool    // false: the custom value is unknown
	none    bool    // no orders (or no running subscription) as of the date: bottom tier
	scores  map[string]float64
	details []segment.Reason // facts behind the value
	adjust  []segment.Reason // channel and grade adjustments
}

// value computes the value of an account from its facts under the fitted
// Model.
func (m *Model) value(f *facts) valuation {
	c := &m.Config
	var v valuation
	v.known = true
	switch c.Measure {
	case MeasureRevenue:
		v.none = f.hist.Orders == 0
		v.base = f.hist.Revenue
		v.scores = map[string]float64{"revenue": v.base}
	case MeasureMargin:
		v.none = f.hist.Orders == 0
		rate := m.MarginRate
		margin, known := f.hist.Margin.Get()
		if known && f.hist.MarginBase > 0 {
			rate = margin / f.hist.MarginBase
		}
		v.base = margin + rate*f.hist.Unmargined
		if f.hist.Unmargined != 0 {
			v.details = append(v.details, segment.Reason{
				Field: "orders",
				Text:  fmt.Sprintf("margin of %s of orders without a known margin estimated at %s", money(f.hist.Unmargined, f.currency), percent(rate)),
			})
		}
		v.scores = map[string]float64{"margin": v.base}
	case MeasureCLV:
		v.none = f.buys.days == 0
		if !v.none {
			s := f.buys.summary(dayNumber(m.AsOf), 7)
			x := float64(s.Frequency)
			h := c.horizon()
			weeks := float64(h) * weeksPerMonth
			v.base = CLV(*m.BGNBD, *m.GammaGamma, s, h, c.Discount, weeksPerMonth)
			alive := m.BGNBD.PAlive(x, s.Recency, s.T)
			n := m.BGNBD.ExpectedPurchases(weeks, x, s.Recency, s.T)
			spend := m.GammaGamma.ExpectedSpend(x, s.Monetary)
			v.scores = map[string]float64{"clv": v.base, "p_alive": alive, "expected_purchases": n, "expected_spend": spend}
			v.details = append(v.details, segment.Reason{
				Field: "orders",
				Text: fmt.Sprintf("%s: P(alive) %s; %.1f purchases expected in %s at %s each",
					boughtText(s), percent(alive), n, horizonSpan(h), money(spend, f.currency)),
			})
		}
	case MeasureContract:
		mrr := MRR(f.subs, m.AsOf)
		v.none = mrr == 0
		v.base = ContractCLV(mrr, m.Retention, c.horizon(), c.Discount)
		v.scores = map[string]float64{"clv": v.base, "mrr": mrr}
		if !v.none {
			life := "no churn observed"
			if m.Retention < 1 {
				life = fmt.Sprintf("expected lifetime %.0f months", ExpectedLifetime(m.Retention))
			}
			v.details = append(v.details, segment.Reason{
				Field: "subscriptions",
				Text:  fmt.Sprintf("recurring revenue %s a month at %s monthly retention (%s)", money(mrr, f.currency), percent(m.Retention), life),
			})
		}
	case MeasureCustom:
		v.known = f.customOK
		v.base = f.custom
	}
	v.value = v.base
	if w, ok := c.GradeWeights[f.grade]; ok && f.grade != "" && v.known {
		before := v.value
		v.value *= w
		v.adjust = append(v.adjust, segment.Reason{
			Field:  "lead_grade",
			Text:   fmt.Sprintf("lead grade %s: value ×%s", f.grade, trimFloat(w)),
			Effect: v.value - before,
		})
	}
	if cost, ok := c.ChannelCosts[f.channel]; ok && f.channel != "" && v.known {
		v.value -= cost
		v.adjust = append(v.adjust, segment.Reason{
			Field:  "channel",
			Text:   fmt.Sprintf("channel %s: acquisition cost %s subtracted", f.channel, money(cost, f.currency)),
			Effect: -cost,
		})
	}
	if v.known {
		if v.scores == nil {
			v.scores = map[string]float64{}
		}
		v.scores["value"] = v.value
	}
	return v
}

// weeksPerMonth is the length of the average month in weeks, the unit of
// the Segmenter's BG/NBD fit.
const weeksPerMonth = 365.25 / 12 / 7

// percentiles is the number of points of the stored value distribution.
const percentiles = 101

// setTiers sets the tier bounds from the fitted values, the percentile
// grid, and the segments with their descriptions and fit statistics.
func (m *Model) setTiers(vals []valuation, keys []bool) {
	c := &m.Config
	n := c.tiers()
	var known []float64
	for _, v := range vals {
		if v.known {
			known = append(known, v.value)
		}
	}
	slices.Sort(known)
	desc := slices.Clone(known)
	slices.Reverse(desc)
	m.Bounds = make([]float64, n-1)
	switch c.Scheme {
	case Threshold:
		copy(m.Bounds, c.Thresholds)
	case Quantile:
		cum := 0.0
		for k, q := range c.quantiles()[:n-1] {
			cum += q
			if len(desc) == 0 {
				m.Bounds[k] = math.MaxFloat64
				continue
			}
			i := min(max(int(math.Ceil(cum*float64(len(desc))-1e-9))-1, 0), len(desc)-1)
			m.Bounds[k] = desc[i]
		}
	default:
		var total float64
		for _, v := range desc {
			total += max(v, 0)
		}
		cum, run, i := 0.0, 0.0, 0
		for k, s := range c.shares()[:n-1] {
			cum += s
			if total <= 0 {
				m.Bounds[k] = math.MaxFloat64
				continue
			}
			for i < len(desc) && desc[i] > 0 && run+desc[i] < cum*total*(1-1e-12) {
				run += desc[i]
				i++
			}
			if i < len(desc) && desc[i] > 0 {
				m.Bounds[k] = desc[i]
			} else {
				m.Bounds[k] = math.SmallestNonzeroFloat64
			}
		}
	}
	m.Percentiles = nil
	if len(known) > 0 {
		m.Percentiles = make([]float64, percentiles)
		for p := range percentiles {
			pos := float64(p) / float64(percentiles-1) * float64(len(known)-1)
			lo := int(pos)
			hi := min(lo+1, len(known)-1)
			m.Percentiles[p] = known[lo] + (pos-float64(lo))*(known[hi]-known[lo])
		}
	}
	// Segments and what each holds of the fit data.
	m.Counts = make([]int, n+btoi(c.Measure == MeasureCustom))
	m.Values = make([]float64, len(m.Counts))
	for i, v := range vals {
		k := m.tierOf(&v, keys[i])
		m.Counts[k]++
		if v.known {
			m.Values[k] += v.value
		}
	}
	m.Tiers = m.segments()
}

// tierOf returns the index of the tier (n for the unknown segment) of a
// valuation.
func (m *Model) tierOf(v *valuation, key bool) int {
	n := len(m.Bounds) + 1
	switch {
	case key:
		return 0
	case !v.known:
		return n
	case v.none:
		return n - 1
	}
	for k, b := range m.Bounds {
		if v.value >= b {
			return k
		}
	}
	return n - 1
}
