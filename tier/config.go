package tier

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/strataseg/strata/segment"
)

// Measure is the value by which accounts are ranked. The zero value is
// [MeasureRevenue]. It marshals as its name ("revenue", "margin", "clv",
// "contract", "custom").
type Measure uint8

// The measures.
const (
	// MeasureRevenue is the net revenue to date: purchases less returns, over the
	// whole relationship up to the as-of date.
	MeasureRevenue Measure = iota
	// MeasureMargin is the gross margin to date. Orders without a known margin
	// count at the account's own margin rate on the orders where it is
	// known, or, for an account with none, at the rate over all fitted
	// orders with a known margin.
	MeasureMargin
	// MeasureCLV is the predicted value of future purchases over the horizon,
	// discounted: BG/NBD purchases times Gamma-Gamma spend (see [CLV]), for
	// non-contractual buying.
	MeasureCLV
	// MeasureContract is the discounted recurring revenue over the horizon under
	// the monthly retention rate (see [ContractCLV]), for subscriptions.
	MeasureContract
	// MeasureCustom is the account's Numbers[Config.Key], computed by the caller.
	MeasureCustom
)

var measureNames = [...]string{"revenue", "margin", "clv", "contract", "custom"}

func (m Measure) valid() bool { return int(m) < len(measureNames) }

// String returns the measure's name.
func (m Measure) String() string {
	if !m.valid() {
		return fmt.Sprintf("Measure(%d)", int(m))
	}
	return measureNames[m]
}

// MarshalText encodes the measure's name.
func (m Measure) MarshalText() ([]byte, error) {
	if !m.valid() {
		return nil, fmt.Errorf("tier: invalid measure %d", int(m))
	}
	return []byte(measureNames[m]), nil
}

// UnmarshalText decodes a measure's name, any case; "" is [MeasureRevenue].
func (m *Measure) UnmarshalText(b []byte) error {
	s := strings.ToLower(strings.TrimSpace(string(b)))
	if s == "" {
		*m = MeasureRevenue
		return nil
	}
	i := slices.Index(measureNames[:], s)
	if i < 0 {
		return fmt.Errorf("tier: %q is not a measure (%s): %w", b, strings.Join(measureNames[:], ", "), segment.ErrInvalidConfig)
	}
	*m = Measure(i)
	return nil
}

// Scheme is the way the ranked accounts are cut into tiers. The zero value
// is [Pareto]. It marshals as its name ("pareto", "quantile", "threshold").
type Scheme uint8

// The schemes.
const (
	// Pareto (ABC analysis) cuts by cumulative share of value: with the
	// default shares, tier A holds the accounts that make the first 80% of
	// the total value, B the next 15%, C the last 5%.
	Pareto Scheme = iota
	// Quantile cuts by share of accounts: with the default fractions, tier
	// A is the top 20% of accounts by value, B the next 30%, C the rest.
	Quantile
	// Threshold cuts at fixed values given in Config.Thresholds.
	Threshold
)

var schemeNames = [...]string{"pareto", "quantile", "threshold"}

func (s Scheme) valid() bool { return int(s) < len(schemeNames) }

// String returns the scheme's name.
func (s Scheme) String() string {
	if !s.valid() {
		return fmt.Sprintf("Scheme(%d)", int(s))
	}
	return schemeNames[s]
}

// MarshalText encodes the scheme's name.
func (s Scheme) MarshalText() ([]byte, error) {
	if !s.valid() {
		return nil, fmt.Errorf("tier: invalid scheme %d", int(s))
	}
	return []byte(schemeNames[s]), nil
}

// UnmarshalText decodes a scheme's name, any case; "" is [Pareto].
func (s *Scheme) UnmarshalText(b []byte) error {
	v := strings.ToLower(strings.TrimSpace(string(b)))
	if v == "" {
		*s = Pareto
		return nil
	}
	i := slices.Index(schemeNames[:], v)
	if i < 0 {
		return fmt.Errorf("tier: %q is not a scheme (%s): %w", b, strings.Join(schemeNames[:], ", "), segment.ErrInvalidConfig)
	}
	*s = Scheme(i)
	return nil
}

// Defaults used when the corresponding Config field is zero.
var (
	// DefaultShares are the Pareto (ABC) shares of value, top tier first.
	DefaultShares = []float64{0.80, 0.15, 0.05}
	// DefaultQuantiles are the quantile tiers' shares of accounts, top tier
	// first.
	DefaultQuantiles = []float64{0.20, 0.30, 0.50}
)

// DefaultHorizonMonths is the CLV and contract-value horizon when
// Config.HorizonMonths is 0: three years.
const DefaultHorizonMonths = 36

// Config configures tiering. It is plain data; the zero value works: tiers
// A, B, C by net revenue to date, cut 80/15/5 by cumulative share of value,
// as of the latest order date in the fit data.
type Config struct {
	// Measure is the value ranked; zero: [MeasureRevenue].
	Measure Measure `json:"measure"`
	// Key is the Numbers key holding the value when Measure is [MeasureCustom]; it
	// must be empty otherwise.
	Key string `json:"key,omitempty"`

	// Scheme is how the ranking is cut into tiers; zero: [Pareto].
	Scheme Scheme `json:"scheme"`
	// Shares are the Pareto tiers' shares of the total value, top tier
	// first, each in (0, 1), summing to 1; nil: [DefaultShares]. Only for
	// [Pareto].
	Shares []float64 `json:"shares,omitempty"`
	// Quantiles are the quantile tiers' shares of the accounts, top tier
	// first, each in (0, 1), summing to 1; nil: [DefaultQuantiles]. Only for
	// [Quantile].
	Quantiles []float64 `json:"quantiles,omitempty"`
	// Thresholds are the lowest values of each tier but the last, top tier
	// first, strictly decreasing, in the Measure's unit after the channel
	// and grade adjustments: {100000, 10000} makes A ≥ 100,000 > B ≥ 10,000
	// > C. Required for [Threshold], and only for it.
	Thresholds []float64 `json:"thresholds,omitempty"`
	// Names name the tiers, top first; nil: "A", "B", "C"… Their number must
	// match the scheme's number of tiers. A segment's ID is "tier/" + name.
	Names []string `json:"names,omitempty"`

	// KeyAccounts are the IDs of named key accounts (account-based
	// marketing's short list): always in the top tier, with the reason "key
	// account", whatever their value.
	KeyAccounts []string `json:"key_accounts,omitempty"`
	// ChannelCosts maps an acquisition channel (Account.Channel) to its
	// acquisition cost, subtracted from the value of the accounts won
	// through it (so value can become negative). A channel not in the map,
	// or an empty one, is not adjusted. Costs are finite and ≥ 0, in the
	// Measure's unit.
	ChannelCosts map[string]float64 `json:"channel_costs,omitempty"`
	// GradeWeights maps a lead grade (Account.LeadGrade, as written) to a
	// multiplier of value (1.2 for "A", 0.8 for "C"), applied before the
	// channel cost is subtracted. A grade not in the map, or an empty one,
	// weighs 1. Weights are finite and ≥ 0.
	GradeWeights map[string]float64 `json:"grade_weights,omitempty"`

	// AsOf is the reference date: orders and subscriptions after it are left
	// out, and recency, age (T) and running subscriptions are measured at
	// it. Zero: the latest order time (or subscription start) seen in the
	// fit data, stored in the Model; the clock is never read.
	AsOf time.Time `json:"as_of,omitzero"`
	// HorizonMonths is the horizon of the [MeasureCLV] and [MeasureContract] measures, in
	// months; zero: [DefaultHorizonMonths].
	HorizonMonths int `json:"horizon_months,omitempty"`
	// Discount is the monthly discount rate of the [MeasureCLV] and [MeasureContract]
	// measures (0.01 is 1% a month); zero: no discounting.
	Discount float64 `json:"discount,omitempty"`
	// Retention is the monthly retention rate of the [MeasureContract] measure, in
	// (0, 1]; zero: estimated from the fit data as exp(−churns/exposure),
	// an account churning when all its subscriptions have ended.
	Retention float64 `json:"retention,omitempty"`

	// Seed is kept for the shape every strata method shares; tiering draws
	// no random numbers, so it has no effect.
	Seed uint64 `json:"seed"`
	// Workers bounds the goroutines that compute values in Fit; zero:
	// GOMAXPROCS. The Model does not depend on it.
	Workers int `json:"workers,omitempty"`
	// Progress, if not nil, is called as Fit goes, by one goroutine at a
	// time.
	Progress func(segment.Progress) `json:"-"`
}

// Validate reports every problem in the Config, each naming the field and
// wrapping [segment.ErrInvalidConfig], joined with errors.Join; nil if it is
// valid.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("tier: config: %s: %s: %w", field, fmt.Sprintf(format, args...), segment.ErrInvalidConfig))
	}
	if !c.Measure.valid() {
		bad("measure", "%d is not a measure", int(c.Measure))
	}
	switch {
	case c.Measure == MeasureCustom && c.Key == "":
		bad("key", "is empty, and measure custom needs the Numbers key holding the value")
	case c.Measure != MeasureCustom && c.Key != "":
		bad("key", "is %q, but measure is %s, not custom", c.Key, c.Measure)
	}
	if !c.Scheme.valid() {
		bad("scheme", "%d is not a scheme", int(c.Scheme))
	}
	checkShares := func(field string, v []float64, scheme Scheme) {
		if v == nil {
			return
		}
		if c.Scheme != scheme {
			bad(field, "is set, but scheme is %s, not %s", c.Scheme, scheme)
			return
		}
		if len(v) < 2 {
			bad(field, "has %d entries; at least 2 tiers are needed", len(v))
			return
		}
		var sum float64
		for i, s := range v {
			if !finite(s) || s <= 0 || s >= 1 {
				bad(field, "entry %d is %v, not in (0, 1)", i, s)
				return
			}
			sum += s
		}
		if math.Abs(sum-1) > 1e-9 {
			bad(field, "sum to %v, not 1", sum)
		}
	}
	checkShares("shares", c.Shares, Pareto)
	checkShares("quantiles", c.Quantiles, Quantile)
	switch {
	case c.Scheme == Threshold && len(c.Thresholds) == 0:
		bad("thresholds", "is empty, and scheme threshold needs at least one")
	case c.Scheme != Threshold && c.Thresholds != nil:
		bad("thresholds", "is set, but scheme is %s, not threshold", c.Scheme)
	}
	for i, t := range c.Thresholds {
		if !finite(t) {
			bad("thresholds", "entry %d is %v", i, t)
		} else if i > 0 && t >= c.Thresholds[i-1] {
			bad("thresholds", "entry %d (%v) is not below entry %d (%v)", i, t, i-1, c.Thresholds[i-1])
		}
	}
	if c.Names != nil && c.Scheme.valid() {
		if n := c.tiers(); len(c.Names) != n {
			bad("names", "has %d names for %d tiers", len(c.Names), n)
		}
		seen := map[string]bool{}
		for i, n := range c.Names {
			switch {
			case strings.TrimSpace(n) == "":
				bad("names", "entry %d is empty", i)
			case seen[n]:
				bad("names", "%q appears twice", n)
			case n == "unknown" && c.Measure == MeasureCustom:
				bad("names", "%q is the segment of unknown values", n)
			}
			seen[n] = true
		}
	}
	for i, id := range c.KeyAccounts {
		if id == "" {
			bad("key_accounts", "entry %d is empty", i)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.ChannelCosts)) {
		if v := c.ChannelCosts[k]; !finite(v) || v < 0 {
			bad("channel_costs", "%q costs %v, not a finite amount ≥ 0", k, v)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.GradeWeights)) {
		if v := c.GradeWeights[k]; !finite(v) || v < 0 {
			bad("grade_weights", "%q weighs %v, not a finite number ≥ 0", k, v)
		}
	}
	if c.HorizonMonths < 0 || c.HorizonMonths > 1200 {
		bad("horizon_months", "is %d, not in 0…1200", c.HorizonMonths)
	}
	if !finite(c.Discount) || c.Discount < 0 || c.Discount >= 1 {
		bad("discount", "is %v, not a monthly rate in [0, 1)", c.Discount)
	}
	if !finite(c.Retention) || c.Retention < 0 || c.Retention > 1 {
		bad("retention", "is %v, not a monthly rate in [0, 1]", c.Retention)
	}
	if c.Workers < 0 {
		bad("workers", "is negative (%d)", c.Workers)
	}
	return errors.Join(errs...)
}

// tiers returns the number of tiers of a valid scheme.
func (c *Config) tiers() int {
	switch c.Scheme {
	case Quantile:
		return len(c.quantiles())
	case Threshold:
		return len(c.Thresholds) + 1
	}
	return len(c.shares())
}

func (c *Config) shares() []float64 {
	if c.Shares == nil {
		return DefaultShares
	}
	return c.Shares
}

func (c *Config) quantiles() []float64 {
	if c.Quantiles == nil {
		return DefaultQuantiles
	}
	return c.Quantiles
}

func (c *Config) names() []string {
	if c.Names != nil {
		return c.Names
	}
	n := c.tiers()
	out := make([]string, n)
	for i := range n {
		if i < 26 {
			out[i] = string(rune('A' + i))
		} else {
			out[i] = fmt.Sprintf("T%d", i+1)
		}
	}
	return out
}

func (c *Config) horizon() int {
	if c.HorizonMonths == 0 {
		return DefaultHorizonMonths
	}
	return c.HorizonMonths
}

// clone copies the slices and maps of c.
func (c Config) clone() Config {
	c.Shares = slices.Clone(c.Shares)
	c.Quantiles = slices.Clone(c.Quantiles)
	c.Thresholds = slices.Clone(c.Thresholds)
	c.Names = slices.Clone(c.Names)
	c.KeyAccounts = slices.Clone(c.KeyAccounts)
	c.ChannelCosts = maps.Clone(c.ChannelCosts)
	c.GradeWeights = maps.Clone(c.GradeWeights)
	return c
}
