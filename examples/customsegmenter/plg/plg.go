// Package plg is a segmenter written outside strata, on its public API only,
// as a researcher would write one: it places accounts on the stages of
// product-led growth from their product-usage records.
//
// The stages, in order:
//
//   - Signed up: no login recorded by the as-of date (a new sign-up, or a
//     lead that never used the product).
//   - Dormant: logins recorded, but none in the last Config.DormantDays.
//   - Activated: active lately, with fewer logins per active user than the
//     engaged threshold.
//   - Engaged: active lately, with at least the engaged threshold of logins
//     per active user.
//   - Expanding: active lately, with a seat utilization (seats used over seats
//     purchased) at or above the expanding threshold: the account is filling
//     what it bought.
//
// # What Fit learns
//
// The thresholds are not constants: Fit learns them from the accounts active
// in the window. The engaged threshold is the EngagedQuantile (by default
// the median) of their logins per active user per 30 days, and the expanding
// threshold the ExpandingQuantile (by default the 75th percentile) of their
// seat utilization; Fit also keeps the deciles of logins per active user, so
// that Assign can give each account its percentile as its score. The Model
// holds all of it as plain JSON.
//
// # Score
//
// Score is 1 for Signed up; for Dormant, the days since the last login over
// twice DormantDays, capped at 1; for Engaged, the account's percentile of
// logins per active user among the fitted active accounts (Scores
// "logins_per_user_percentile"), and for Activated one minus it; for
// Expanding, the seat utilization (Scores "seats_used_share"), capped at 1.
//
// # Unknown values and errors
//
// An account without usage records is Signed up; a seat utilization is
// unknown without a seats-purchased record, and such an account is never
// Expanding. Records after the as-of date are ignored. Fit and Assign refuse
// an account that fails segment.Account.Validate with its *segment.FieldError;
// Fit returns an error wrapping segment.ErrEmptyInput when there are no
// accounts or none active to learn the thresholds from.
package plg

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/strataseg/strata/segment"
)

// Method is the name of the method, in the Model's JSON and in every
// segment's Method.
const Method = "plg"

// version is the version of the Model's JSON encoding.
const version = 1

// The stages' segment IDs.
const (
	SignedUp  = "plg/signed-up"
	Dormant   = "plg/dormant"
	Activated = "plg/activated"
	Engaged   = "plg/engaged"
	Expanding = "plg/expanding"
)

// stages are the segments of every Model, in ladder order.
var stages = []segment.Segment{
	{ID: SignedUp, Name: "Signed up", Description: "No login recorded yet.", Method: Method},
	{ID: Dormant, Name: "Dormant", Description: "Used the product, but not lately.", Method: Method},
	{ID: Activated, Name: "Activated", Description: "Active lately, below the engaged level of logins per user.", Method: Method},
	{ID: Engaged, Name: "Engaged", Description: "Active lately, at or above the engaged level of logins per user.", Method: Method},
	{ID: Expanding, Name: "Expanding", Description: "Active lately and filling the seats bought.", Method: Method},
}

// Config configures the segmenter. The zero value works.
type Config struct {
	// AsOf is the date the windows end at; zero means the latest usage
	// record in the fitted accounts, stored in the Model.
	AsOf time.Time `json:"as_of,omitzero"`
	// WindowDays is the window, before AsOf, over which logins and active
	// users are counted; 0 means 90.
	WindowDays int `json:"window_days,omitempty"`
	// DormantDays is how long without a login makes an account Dormant;
	// 0 means 60.
	DormantDays int `json:"dormant_days,omitempty"`
	// EngagedQuantile is the quantile, in (0, 1), of the active accounts'
	// logins per active user that is the engaged threshold; 0 means 0.5.
	EngagedQuantile float64 `json:"engaged_quantile,omitempty"`
	// ExpandingQuantile is the quantile, in (0, 1), of the active accounts'
	// seat utilization that is the expanding threshold; 0 means 0.75.
	ExpandingQuantile float64 `json:"expanding_quantile,omitempty"`
}

// Validate reports every field holding a value New refuses.
func (c Config) Validate() error {
	var errs []error
	bad := func(field string, v any, want string) {
		errs = append(errs, fmt.Errorf("plg: %s is %v, %s: %w", field, v, want, segment.ErrInvalidConfig))
	}
	if c.WindowDays < 0 {
		bad("WindowDays", c.WindowDays, "want ≥ 0")
	}
	if c.DormantDays < 0 {
		bad("DormantDays", c.DormantDays, "want ≥ 0")
	}
	if !(c.EngagedQuantile >= 0 && c.EngagedQuantile < 1) {
		bad("EngagedQuantile", c.EngagedQuantile, "want a quantile in (0, 1), or 0")
	}
	if !(c.ExpandingQuantile >= 0 && c.ExpandingQuantile < 1) {
		bad("ExpandingQuantile", c.ExpandingQuantile, "want a quantile in (0, 1), or 0")
	}
	return errors.Join(errs...)
}

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	if c.WindowDays == 0 {
		c.WindowDays = 90
	}
	if c.DormantDays == 0 {
		c.DormantDays = 60
	}
	if c.EngagedQuantile == 0 {
		c.EngagedQuantile = 0.5
	}
	if c.ExpandingQuantile == 0 {
		c.ExpandingQuantile = 0.75
	}
	return c
}

// Segmenter learns the stages' thresholds. It is safe for concurrent use.
type Segmenter struct {
	c Config
}

var _ segment.Segmenter = (*Segmenter)(nil)

// New returns a Segmenter for c, or an error wrapping
// segment.ErrInvalidConfig.
func New(c Config) (*Segmenter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Segmenter{c: c}, nil
}

// Model is a fitted PLG segmentation: plain data.
type Model struct {
	segment.Header
	// Config is the configuration fitted with, its defaults filled in.
	Config Config `json:"config"`
	// AsOf is the date the windows end at.
	AsOf time.Time `json:"as_of"`
	// Active is the number of fitted accounts active in the window, which
	// the thresholds were learned from.
	Active int `json:"active"`
	// EngagedAt is the learned engaged threshold, in logins per active user
	// per 30 days.
	EngagedAt float64 `json:"engaged_at"`
	// ExpandingAt is the learned expanding threshold of seat utilization;
	// +Inf is not possible in JSON, so with no utilization known it is 0 and
	// HasExpanding is false.
	ExpandingAt  float64 `json:"expanding_at"`
	HasExpanding bool    `json:"has_expanding"`
	// Deciles are the deciles (0%, 10%, …, 100%) of the active accounts'
	// logins per active user, for the score.
	Deciles []float64 `json:"deciles"`
}

var _ segment.Model = (*Model)(nil)

// usage is what an account's records say at the as-of date.
type usage struct {
	everActive   bool
	lastActive   time.Time
	logins       float64 // in the window
	userSum      float64 // sum of the active-user records in the window
	userN        int
	seatsUsed    float64 // latest in the window
	seatsBought  float64
	seatsKnown   bool
	features     int // distinct features used in the window
	perUser      float64
	utilization  float64
	utilizationK bool
}

// measure reads a's usage at asOf.
func measure(a *segment.Account, asOf time.Time, c Config) usage {
	var u usage
	from := asOf.AddDate(0, 0, -c.WindowDays)
	var usedAt, boughtAt time.Time
	var features map[string]bool
	for _, r := range a.Usage {
		if r.Time.After(asOf) {
			continue
		}
		inWindow := r.Time.After(from)
		switch {
		case r.Metric == segment.MetricLogins:
			if r.Value > 0 {
				u.everActive = true
				if r.Time.After(u.lastActive) {
					u.lastActive = r.Time
				}
			}
			if inWindow {
				u.logins += r.Value
			}
		case r.Metric == segment.MetricActiveUsers && inWindow:
			u.userSum += r.Value
			u.userN++
		case r.Metric == segment.MetricSeatsUsed && inWindow && !r.Time.Before(usedAt):
			u.seatsUsed, usedAt = r.Value, r.Time
		case r.Metric == segment.MetricSeatsPurchased && inWindow && !r.Time.Before(boughtAt):
			u.seatsBought, boughtAt, u.seatsKnown = r.Value, r.Time, true
		case strings.HasPrefix(r.Metric, segment.MetricFeaturePrefix) && inWindow && r.Value > 0:
			if features == nil {
				features = map[string]bool{}
			}
			features[r.Metric] = true
		}
	}
	u.features = len(features)
	users := 1.0
	if u.userN > 0 && u.userSum > 0 {
		users = u.userSum / float64(u.userN)
	}
	u.perUser = u.logins / users / (float64(c.WindowDays) / 30)
	if u.seatsKnown && u.seatsBought > 0 {
		u.utilization, u.utilizationK = u.seatsUsed/u.seatsBought, true
	}
	return u
}

// active tells whether the account logged in within the dormancy window.
func (u usage) active(asOf time.Time, c Config) bool {
	return u.everActive && !u.lastActive.Before(asOf.AddDate(0, 0, -c.DormantDays))
}

// Fit learns the thresholds from the accounts active at the as-of date. It
// holds the accounts in memory when Config.AsOf is zero, to find the date.
func (s *Segmenter) Fit(ctx context.Context, accts iter.Seq[segment.Account]) (segment.Model, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := s.c.withDefaults()
	var held []*segment.Account
	var latest time.Time
	n := 0
	for a := range accts {
		n++
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if err := a.Validate(); err != nil {
			return nil, err
		}
		for _, r := range a.Usage {
			if r.Time.After(latest) {
				latest = r.Time
			}
		}
		held = append(held, &a)
	}
	if n == 0 {
		return nil, fmt.Errorf("plg: no accounts: %w", segment.ErrEmptyInput)
	}
	asOf := c.AsOf
	if asOf.IsZero() {
		asOf = latest
	}
	if asOf.IsZero() {
		return nil, fmt.Errorf("plg: no usage records to date the windows: %w", segment.ErrEmptyInput)
	}
	var perUser, util []float64
	for _, a := range held {
		u := measure(a, asOf, c)
		if !u.active(asOf, c) {
			continue
		}
		perUser = append(perUser, u.perUser)
		if u.utilizationK {
			util = append(util, u.utilization)
		}
	}
	if len(perUser) == 0 {
		return nil, fmt.Errorf("plg: none of %d accounts active in the %d days before %s: %w",
			n, c.DormantDays, asOf.Format(time.DateOnly), segment.ErrEmptyInput)
	}
	slices.Sort(perUser)
	slices.Sort(util)
	m := &Model{
		Header:    segment.Header{Method: Method, Version: version},
		Config:    c,
		AsOf:      asOf,
		Active:    len(perUser),
		EngagedAt: quantile(perUser, c.EngagedQuantile),
	}
	if len(util) > 0 {
		m.ExpandingAt, m.HasExpanding = quantile(util, c.ExpandingQuantile), true
	}
	for i := 0; i <= 10; i++ {
		m.Deciles = append(m.Deciles, quantile(perUser, float64(i)/10))
	}
	return m, nil
}

// quantile is the q-quantile of sorted xs by linear interpolation
// (Hyndman and Fan 1996, definition 7, as R and NumPy default to).
func quantile(xs []float64, q float64) float64 {
	h := q * float64(len(xs)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[lo] + (h-float64(lo))*(xs[lo+1]-xs[lo])
}

// DecodeModel reads back a Model from its JSON.
func (s *Segmenter) DecodeModel(data []byte) (segment.Model, error) {
	m, err := segment.DecodeJSON[Model](data, Method, version)
	if err != nil {
		return nil, fmt.Errorf("plg: %w", err)
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return m, nil
}

// check refuses a decoded Model that Fit could not have made.
func (m *Model) check() error {
	bad := func(what string) error {
		return fmt.Errorf("plg: model %s: %w", what, segment.ErrInvalidConfig)
	}
	switch {
	case m.AsOf.IsZero():
		return bad("has no as_of")
	case len(m.Deciles) != 11 || !slices.IsSorted(m.Deciles):
		return bad("deciles are not 11 ascending values")
	case m.Config.WindowDays <= 0 || m.Config.DormantDays <= 0:
		return bad("config has no windows")
	case m.EngagedAt < 0 || m.ExpandingAt < 0:
		return bad("has a negative threshold")
	}
	return nil
}

// Segments returns the five stages, in ladder order.
func (m *Model) Segments() []segment.Segment { return stages }

// Assign places the account on a stage. It is pure and safe for concurrent
// use.
func (m *Model) Assign(a *segment.Account) (segment.Assignment, error) {
	if a == nil {
		return segment.Assignment{}, fmt.Errorf("plg: nil account: %w", segment.ErrInvalidAccount)
	}
	if err := a.Validate(); err != nil {
		return segment.Assignment{}, err
	}
	return m.AssignValid(a)
}

// AssignValid is Assign for an account whose Validate the caller has
// checked: strata's combinators call it (segment.ValidAssigner), so that a
// layered model validates each account once.
func (m *Model) AssignValid(a *segment.Account) (segment.Assignment, error) {
	u := measure(a, m.AsOf, m.Config)
	as := segment.Assignment{AccountID: a.ID, Scores: map[string]float64{}}
	stage := func(id string) segment.Segment {
		i := slices.IndexFunc(stages, func(s segment.Segment) bool { return s.ID == id })
		return stages[i]
	}
	reason := func(field, format string, args ...any) {
		as.Reasons = append(as.Reasons, segment.Reason{Text: fmt.Sprintf(format, args...), Field: field})
	}
	switch {
	case !u.everActive:
		as.Segment, as.Score = stage(SignedUp), 1
		reason("logins", "no login recorded by %s → Signed up", m.AsOf.Format(time.DateOnly))
		return as, nil
	case !u.active(m.AsOf, m.Config):
		days := m.AsOf.Sub(u.lastActive).Hours() / 24
		as.Segment = stage(Dormant)
		as.Score = math.Min(1, days/float64(2*m.Config.DormantDays))
		reason("logins", "last login %s, %.0f days before %s (≥ %d) → Dormant",
			u.lastActive.Format(time.DateOnly), days, m.AsOf.Format(time.DateOnly), m.Config.DormantDays)
		return as, nil
	}
	pct := m.percentile(u.perUser)
	as.Scores["logins_per_user_percentile"] = pct
	as.Score = pct
	switch {
	case m.HasExpanding && u.utilizationK && u.utilization >= m.ExpandingAt:
		as.Segment = stage(Expanding)
		as.Score = math.Min(1, u.utilization)
		reason("seats_used_share", "seats used %.0f of %.0f (%.0f%%) ≥ %.0f%%, the top %.0f%% of active accounts → Expanding",
			u.seatsUsed, u.seatsBought, 100*u.utilization, 100*m.ExpandingAt, 100*(1-m.Config.ExpandingQuantile))
	case u.perUser >= m.EngagedAt:
		as.Segment = stage(Engaged)
		reason("logins_per_user", "%.1f logins per active user per 30 days ≥ %.1f (the active accounts' %s) → Engaged",
			u.perUser, m.EngagedAt, quantileName(m.Config.EngagedQuantile))
	default:
		as.Segment = stage(Activated)
		as.Score = 1 - pct
		reason("logins_per_user", "%.1f logins per active user per 30 days < %.1f (the active accounts' %s) → Activated",
			u.perUser, m.EngagedAt, quantileName(m.Config.EngagedQuantile))
	}
	if u.utilizationK {
		as.Scores["seats_used_share"] = math.Min(1, u.utilization)
	}
	if u.features > 0 {
		reason("features", "%d features used in the last %d days", u.features, m.Config.WindowDays)
	}
	return as, nil
}

// percentile is where v falls among the fitted active accounts, in [0, 1],
// interpolated between the deciles.
func (m *Model) percentile(v float64) float64 {
	d := m.Deciles
	if v <= d[0] {
		return 0
	}
	if v >= d[10] {
		return 1
	}
	i, _ := slices.BinarySearchFunc(d, v, cmp.Compare[float64])
	// d[i-1] < v ≤ d[i]
	lo, hi := d[i-1], d[i]
	frac := 0.0
	if hi > lo {
		frac = (v - lo) / (hi - lo)
	}
	return (float64(i-1) + frac) / 10
}

func quantileName(q float64) string {
	if q == 0.5 {
		return "median"
	}
	return fmt.Sprintf("%.0fth percentile", 100*q)
}
