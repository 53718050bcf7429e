package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/classify"
)

// Config configures a [Report]. The zero value works.
type Config struct {
	// Title heads the report; "" means "Segmentation report".
	Title string `json:"title,omitempty"`
	// MaxPoints is the most accounts drawn in a projection or a score map;
	// above it a uniform sample of MaxPoints accounts is drawn, and the
	// report states the sample size. 0 means 3,000: each scatter chart takes
	// about 105 bytes of HTML per point.
	MaxPoints int `json:"max_points,omitempty"`
	// Seed seeds the sample.
	Seed uint64 `json:"seed"`
	// Bins is the number of bins of equal size in the gains and lift
	// chart; 0 means 10 (deciles).
	Bins int `json:"bins,omitempty"`
	// Profile configures the profiles of the segments (see
	// [segment.Profile]).
	Profile segment.ProfileConfig `json:"profile"`
}

// Validate reports every field holding a value New refuses, each wrapping
// [segment.ErrInvalidConfig].
func (c Config) Validate() error {
	var errs []error
	if c.MaxPoints < 0 {
		errs = append(errs, fmt.Errorf("report: config: MaxPoints is %d, want ≥ 0: %w", c.MaxPoints, segment.ErrInvalidConfig))
	}
	if c.Bins < 0 || c.Bins > 100 {
		errs = append(errs, fmt.Errorf("report: config: Bins is %d, want 0 to 100: %w", c.Bins, segment.ErrInvalidConfig))
	}
	if err := c.Profile.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("report: config: %w", err))
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.Title == "" {
		c.Title = "Segmentation report"
	}
	if c.MaxPoints == 0 {
		c.MaxPoints = 3000
	}
	if c.Bins == 0 {
		c.Bins = 10
	}
	return c
}

// Report gathers segmentations and comparisons and writes them out with
// [Report.WriteHTML], [Report.WriteMarkdown] and [Report.WriteCSV]. Build
// it with [New]. Its methods must not be called concurrently.
type Report struct {
	c           Config
	runs        []*run
	comparisons []*comparison
}

// New returns an empty Report, or an error wrapping
// [segment.ErrInvalidConfig] for an invalid c.
func New(c Config) (*Report, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Report{c: c.withDefaults()}, nil
}

// run is one segmentation added with Add.
type run struct {
	name     string
	anchor   string
	accounts int
	// sample holds the indexes of the accounts drawn, ascending.
	sample []int
	proj   *projection
	layers []*layer
}

// layer is the composite or one part of a run.
type layer struct {
	name      string
	anchor    string
	method    string
	composite bool
	profile   *segment.ProfileReport
	// index maps a segment ID to its place in profile.Segments.
	index map[string]int
	// seg holds the segment index of each sampled account.
	seg    []int
	pareto *pareto
	gains  []classify.GainsRow
	// churn, expansion are the scores of the sampled accounts that have
	// both (with their segment index in mapSeg).
	churn, expansion []float64
	mapSeg           []int
}

// pareto is the curve of the cumulative share of value.
type pareto struct {
	n        int     // accounts with a value
	negative int     // of which below zero, counted as zero
	total    float64 // sum of the values counted
	x, y     []float64
	top20    float64 // share of value held by the top 20% of accounts
}

// comparison is one comparison added with AddComparison.
type comparison struct {
	name   string
	anchor string
	c      *segment.Comparison
}

// Add adds a segmentation of accts to the report under name, computing now
// everything the report shows of it. assigns[i] must be the assignment of
// accts[i], as [segment.AssignAll] returns them. When the assignments have
// Parts (a layered model), the report shows the composite and each layer,
// named by its method. An account whose assignment has no part for a layer
// (one that a precedence rule such as [segment.First] claimed, or a
// combination merged into another segment) is shown in that layer in its
// own segment.
//
// It returns an error wrapping [segment.ErrInvalidConfig] for an empty
// name or one already added, [segment.ErrEmptyInput] for no accounts,
// [segment.ErrUnmatched] when the assignments do not match the accounts one
// for one, and the error of [segment.Profile] (which looks at ctx) for
// accounts it refuses. Add never changes its inputs.
func (r *Report) Add(ctx context.Context, name string, accts []segment.Account, assigns []segment.Assignment) error {
	if ctx == nil {
		return fmt.Errorf("report: add: context is nil: %w", segment.ErrInvalidConfig)
	}
	if name == "" {
		return fmt.Errorf("report: add: name is empty: %w", segment.ErrInvalidConfig)
	}
	for _, ru := range r.runs {
		if ru.name == name {
			return fmt.Errorf("report: add %q: name already added: %w", name, segment.ErrInvalidConfig)
		}
	}
	if len(accts) == 0 {
		return fmt.Errorf("report: add %q: no accounts: %w", name, segment.ErrEmptyInput)
	}
	if len(assigns) != len(accts) {
		return fmt.Errorf("report: add %q: %d assignments for %d accounts: %w", name, len(assigns), len(accts), segment.ErrUnmatched)
	}
	parts := 0
	for i := range assigns {
		if assigns[i].AccountID != accts[i].ID {
			return fmt.Errorf("report: add %q: assignment %d is of account %q, not %q: %w", name, i+1, assigns[i].AccountID, accts[i].ID, segment.ErrUnmatched)
		}
		parts = max(parts, len(assigns[i].Parts))
	}
	ru := &run{name: name, anchor: fmt.Sprintf("run-%d", len(r.runs)+1), accounts: len(accts)}
	ru.sample = sampleIndexes(len(accts), r.c.MaxPoints, r.c.Seed)
	ru.proj = project(accts, ru.sample)

	views := [][]segment.Assignment{assigns}
	methods := []string{assigns[0].Segment.Method}
	for j := range parts {
		v := make([]segment.Assignment, len(assigns))
		method := ""
		for i := range assigns {
			if j < len(assigns[i].Parts) {
				v[i] = assigns[i].Parts[j]
				method = cmp.Or(method, v[i].Segment.Method)
			} else {
				// An account without this layer (a key account that a
				// rule took first, a merged "Other") keeps its segment.
				v[i] = assigns[i]
				v[i].Parts = nil
			}
		}
		views = append(views, v)
		methods = append(methods, method)
	}
	// The profiles of the layers are independent: one goroutine each, at
	// most GOMAXPROCS at once, with the reference date found once (rather
	// than by each Profile, which would hold a copy of the accounts).
	pc := r.c.Profile
	if pc.Reference.IsZero() {
		for i := range accts {
			pc.Reference = latestTime(&accts[i], pc.Reference)
		}
	}
	reps := make([]*segment.ProfileReport, len(views))
	errs := make([]error, len(views))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for j, v := range views {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			reps[j], errs[j] = segment.Profile(ctx, slices.Values(accts), v, pc)
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for j, v := range views {
		l := &layer{method: methods[j], composite: j == 0 && parts > 0}
		switch {
		case l.composite:
			l.name = "composite"
		default:
			l.name = cmp.Or(l.method, "segments")
		}
		if seen[l.name]++; seen[l.name] > 1 {
			l.name = fmt.Sprintf("%s (%d)", l.name, seen[l.name])
		}
		l.anchor = fmt.Sprintf("%s-layer-%d", ru.anchor, j)
		if errs[j] != nil {
			return fmt.Errorf("report: add %q: layer %s: %w", name, l.name, errs[j])
		}
		l.profile = reps[j]
		l.index = make(map[string]int, len(l.profile.Segments))
		for k, sp := range l.profile.Segments {
			l.index[sp.Segment.ID] = k
		}
		l.seg = make([]int, len(ru.sample))
		for k, i := range ru.sample {
			l.seg[k] = l.index[v[i].Segment.ID]
		}
		if !l.composite {
			if err := l.scores(accts, v, ru.sample, r.c.Bins); err != nil {
				return fmt.Errorf("report: add %q: layer %s: %w", name, l.name, err)
			}
		}
		ru.layers = append(ru.layers, l)
	}
	r.runs = append(r.runs, ru)
	return nil
}

// scores computes the score charts' data of a layer from the scores its
// assignments carry.
func (l *layer) scores(accts []segment.Account, v []segment.Assignment, sample []int, bins int) error {
	var values []float64
	var y []int
	var p []float64
	for i := range v {
		s := v[i].Scores
		if x, ok := s["value"]; ok {
			if !finite(x) {
				return fieldError(v[i].AccountID, "scores[value]")
			}
			values = append(values, x)
		}
		if x, ok := s["p_convert"]; ok && accts[i].Converted.Known() {
			if !finite(x) || x < 0 || x > 1 {
				return fieldError(v[i].AccountID, "scores[p_convert]")
			}
			p = append(p, x)
			y = append(y, b2i(accts[i].Converted == segment.Yes))
		}
	}
	if len(values) > 0 {
		l.pareto = newPareto(values)
	}
	if len(p) > 0 && slices.Contains(y, 0) && slices.Contains(y, 1) {
		g, err := classify.Gains(y, p, nil, min(bins, len(p)))
		if err != nil {
			return err
		}
		l.gains = g
	}
	for k, i := range sample {
		c, okc := v[i].Scores["churn_risk"]
		e, oke := v[i].Scores["expansion"]
		if !okc || !oke {
			continue
		}
		if !finite(c) {
			return fieldError(v[i].AccountID, "scores[churn_risk]")
		}
		if !finite(e) {
			return fieldError(v[i].AccountID, "scores[expansion]")
		}
		l.churn = append(l.churn, c)
		l.expansion = append(l.expansion, e)
		l.mapSeg = append(l.mapSeg, l.seg[k])
	}
	return nil
}

func fieldError(id, field string) error {
	return &segment.FieldError{AccountID: id, Field: field, Err: fmt.Errorf("not a finite score in range: %w", segment.ErrInvalidAccount)}
}

// AddComparison adds the comparison of two runs (see [segment.Compare]),
// drawn as a heat map of its migration matrix. It returns an error wrapping
// [segment.ErrInvalidConfig] for an empty name or a nil or empty c.
func (r *Report) AddComparison(name string, c *segment.Comparison) error {
	switch {
	case name == "":
		return fmt.Errorf("report: add comparison: name is empty: %w", segment.ErrInvalidConfig)
	case c == nil:
		return fmt.Errorf("report: add comparison %q: comparison is nil: %w", name, segment.ErrInvalidConfig)
	case len(c.Before) == 0 || len(c.After) == 0 || len(c.Migration) != len(c.Before):
		return fmt.Errorf("report: add comparison %q: no migration matrix: %w", name, segment.ErrInvalidConfig)
	}
	for _, row := range c.Migration {
		if len(row) != len(c.After) {
			return fmt.Errorf("report: add comparison %q: migration row of %d, want %d: %w", name, len(row), len(c.After), segment.ErrInvalidConfig)
		}
	}
	r.comparisons = append(r.comparisons, &comparison{name: name, anchor: fmt.Sprintf("comparison-%d", len(r.comparisons)+1), c: c})
	return nil
}

// sampleIndexes returns min(n, k) distinct indexes below n drawn uniformly
// with seed, ascending (all of them when n ≤ k).
func sampleIndexes(n, k int, seed uint64) []int {
	if n <= k {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	// Floyd's algorithm (Bentley and Floyd 1987, "Programming pearls: a
	// sample of brilliance", CACM 30(9)).
	rng := rand.New(rand.NewPCG(seed, 0x7265706f7274))
	chosen := make(map[int]struct{}, k)
	out := make([]int, 0, k)
	for j := n - k; j < n; j++ {
		t := rng.IntN(j + 1)
		if _, ok := chosen[t]; ok {
			t = j
		}
		chosen[t] = struct{}{}
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// latestTime returns the later of t and the latest date in a's orders,
// subscription starts, usage and events: the date [segment.Profile] counts
// back from when its Reference is zero.
func latestTime(a *segment.Account, t time.Time) time.Time {
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

// newPareto returns the Pareto curve of values, at most 200 points plus
// the origin.
func newPareto(values []float64) *pareto {
	v := slices.Clone(values)
	pa := &pareto{n: len(v)}
	for i, x := range v {
		if x < 0 {
			v[i] = 0
			pa.negative++
		}
	}
	slices.SortFunc(v, func(a, b float64) int { return cmp.Compare(b, a) })
	for _, x := range v {
		pa.total += x
	}
	const points = 200
	pa.x, pa.y = []float64{0}, []float64{0}
	var cum float64
	next := 1
	top := int(math.Ceil(0.2 * float64(len(v))))
	for i, x := range v {
		cum += x
		if i+1 == top && pa.total > 0 {
			pa.top20 = cum / pa.total
		}
		if (i+1)*points >= next*len(v) || i == len(v)-1 {
			share := 0.0
			if pa.total > 0 {
				share = cum / pa.total
			}
			pa.x = append(pa.x, float64(i+1)/float64(len(v)))
			pa.y = append(pa.y, share)
			for (i+1)*points >= next*len(v) {
				next++
			}
		}
	}
	return pa
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
