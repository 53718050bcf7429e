package propensity

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"

	"github.com/strataseg/strata/segment"
)

// DefaultMinGroup is the least number of accounts with a known outcome a
// group needs to be listed by [RateByGroup], when GroupOptions.MinSize is 0.
const DefaultMinGroup = 30

// GroupOptions configures [RateByGroup] and [RateByAssignment].
type GroupOptions struct {
	// MinSize is the least number of accounts with a known outcome a group
	// needs to be listed; smaller groups are counted in Overall and in
	// GroupRates.Small only. 0 means DefaultMinGroup.
	MinSize int `json:"min_size,omitempty"`
	// Confidence is the level of the Wilson intervals, in (0, 1); 0 means
	// 0.95.
	Confidence float64 `json:"confidence,omitempty"`
}

// GroupRate is the conversion rate of one group of accounts.
type GroupRate struct {
	// Segment is the group's segment in the other layer.
	Segment segment.Segment `json:"segment"`
	// Accounts counts the group's accounts, Known those with a known
	// outcome, Converted those that converted.
	Accounts  int `json:"accounts"`
	Known     int `json:"known"`
	Converted int `json:"converted"`
	// Rate is Converted / Known, and Low and High its Wilson score
	// interval (Wilson 1927, "Probable inference, the law of succession,
	// and statistical inference"), which stays inside [0, 1] and is
	// sound for small groups and rates near 0 or 1.
	Rate float64 `json:"rate"`
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Lift is Rate divided by the overall rate, and LiftLow and LiftHigh
	// the interval's bounds divided by it.
	Lift     float64 `json:"lift"`
	LiftLow  float64 `json:"lift_low"`
	LiftHigh float64 `json:"lift_high"`
}

// GroupRates is the conversion rate and lift of each group of another
// layer, so that a team sees which groups to target.
type GroupRates struct {
	// Overall is the rate over every account.
	Overall GroupRate `json:"overall"`
	// Groups lists the groups with at least MinSize accounts with a known
	// outcome, by lift from the highest (ties by size, then ID).
	Groups []GroupRate `json:"groups"`
	// Small counts the groups left out for being smaller.
	Small int `json:"small"`
}

// RateByGroup assigns each account of accts with by (a Model of another
// layer: firmographic, tier…) and returns the conversion rate and lift of
// each of its segments among the accounts whose Converted is known. An
// account that by declines (segment.ErrNoMatch) is counted in Overall
// only. It walks accts once and looks at ctx every 1,024 accounts.
func RateByGroup(ctx context.Context, accts iter.Seq[segment.Account], by segment.Model, opt GroupOptions) (GroupRates, error) {
	if by == nil {
		return GroupRates{}, fmt.Errorf("propensity: rate by group: model is nil: %w", segment.ErrInvalidConfig)
	}
	g, err := newGrouper(opt)
	if err != nil {
		return GroupRates{}, err
	}
	i := 0
	for a := range accts {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return GroupRates{}, fmt.Errorf("propensity: rate by group: %w", err)
			}
		}
		i++
		if err := a.Validate(); err != nil {
			return GroupRates{}, err
		}
		as, err := by.Assign(&a)
		switch {
		case errors.Is(err, segment.ErrNoMatch):
			g.add(nil, a.Converted)
			continue
		case err != nil:
			return GroupRates{}, fmt.Errorf("propensity: rate by group: %w", err)
		}
		g.add(&as.Segment, a.Converted)
	}
	return g.result()
}

// RateByAssignment is [RateByGroup] for accounts already assigned: each
// account is matched to its assignment by ID; an account without one is
// counted in Overall only.
func RateByAssignment(ctx context.Context, accts iter.Seq[segment.Account], assignments []segment.Assignment, opt GroupOptions) (GroupRates, error) {
	g, err := newGrouper(opt)
	if err != nil {
		return GroupRates{}, err
	}
	byID := make(map[string]*segment.Segment, len(assignments))
	for i := range assignments {
		byID[assignments[i].AccountID] = &assignments[i].Segment
	}
	i := 0
	for a := range accts {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return GroupRates{}, fmt.Errorf("propensity: rate by assignment: %w", err)
			}
		}
		i++
		if a.ID == "" {
			return GroupRates{}, &segment.FieldError{Field: "id", Err: errors.New("is empty")}
		}
		g.add(byID[a.ID], a.Converted)
	}
	return g.result()
}

type grouper struct {
	minSize int
	z       float64
	overall GroupRate
	groups  map[string]*GroupRate
	order   []string
}

func newGrouper(opt GroupOptions) (*grouper, error) {
	if opt.MinSize < 0 {
		return nil, fmt.Errorf("propensity: group options: min_size is %d, negative: %w", opt.MinSize, segment.ErrInvalidConfig)
	}
	if !(opt.Confidence >= 0 && opt.Confidence < 1) {
		return nil, fmt.Errorf("propensity: group options: confidence is %v, not in (0, 1): %w", opt.Confidence, segment.ErrInvalidConfig)
	}
	conf := orFloat(opt.Confidence, 0.95)
	// The two-sided normal quantile: z = √2·erfinv(conf).
	z := math.Sqrt2 * math.Erfinv(conf)
	return &grouper{minSize: orInt(opt.MinSize, DefaultMinGroup), z: z, groups: map[string]*GroupRate{}}, nil
}

func (g *grouper) add(s *segment.Segment, o segment.Outcome) {
	count := func(r *GroupRate) {
		r.Accounts++
		if o.Known() {
			r.Known++
			if o == segment.Yes {
				r.Converted++
			}
		}
	}
	count(&g.overall)
	if s == nil {
		return
	}
	r, ok := g.groups[s.ID]
	if !ok {
		r = &GroupRate{Segment: *s}
		g.groups[s.ID] = r
		g.order = append(g.order, s.ID)
	}
	count(r)
}

func (g *grouper) result() (GroupRates, error) {
	if g.overall.Accounts == 0 {
		return GroupRates{}, fmt.Errorf("propensity: rate by group: no accounts: %w", segment.ErrEmptyInput)
	}
	if g.overall.Known == 0 {
		return GroupRates{}, fmt.Errorf("propensity: rate by group: no account with a known outcome among %d: %w", g.overall.Accounts, segment.ErrEmptyInput)
	}
	g.overall.Segment = segment.Segment{ID: Method + "/all", Name: "All accounts", Method: Method}
	g.wilson(&g.overall, 0)
	base := g.overall.Rate
	g.wilson(&g.overall, base)
	out := GroupRates{Overall: g.overall, Groups: []GroupRate{}}
	for _, id := range g.order {
		r := g.groups[id]
		if r.Known < g.minSize {
			out.Small++
			continue
		}
		g.wilson(r, base)
		out.Groups = append(out.Groups, *r)
	}
	slices.SortStableFunc(out.Groups, func(a, b GroupRate) int {
		return cmp.Or(cmp.Compare(b.Lift, a.Lift), cmp.Compare(b.Known, a.Known), cmp.Compare(a.Segment.ID, b.Segment.ID))
	})
	return out, nil
}

// wilson fills the rate, its Wilson interval and the lifts over base.
func (g *grouper) wilson(r *GroupRate, base float64) {
	n := float64(r.Known)
	p := float64(r.Converted) / n
	z2 := g.z * g.z
	centre := (p + z2/(2*n)) / (1 + z2/n)
	half := g.z / (1 + z2/n) * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	r.Rate, r.Low, r.High = p, math.Max(0, centre-half), math.Min(1, centre+half)
	if base > 0 {
		r.Lift, r.LiftLow, r.LiftHigh = p/base, r.Low/base, r.High/base
	}
}
