package propensity

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/classify"
	"github.com/strataseg/strata/segment/cluster"
)

// Method is the name of the method, in Models and Segments.
const Method = "propensity"

// ModelVersion is the version of the Model encoding this build writes.
const ModelVersion = 1

// ErrLeakage is returned, wrapped, by Fit with Config.Leakage LeakRefuse
// when a field alone predicts the label at or above Config.LeakageAUC.
var ErrLeakage = errors.New("field leaks the label")

// Kind says what a Model predicts.
type Kind string

// The kinds of model.
const (
	// Conversion predicts P(convert) from accounts whose Converted is known.
	Conversion Kind = "conversion"
	// Lookalike predicts how much an account looks like a set of best
	// customers, against every other account given to Fit.
	Lookalike Kind = "lookalike"
	// CrossSell predicts, per product line, P(buy the line) from the
	// accounts with order history.
	CrossSell Kind = "cross-sell"
)

// maxScreenRows bounds the accounts the leakage screen fits each field on.
const maxScreenRows = 20000

// Segmenter fits propensity models. Make one with [New], [NewLookalike]
// or [NewCrossSell]. It is safe for concurrent use.
type Segmenter struct {
	c    Config
	kind Kind
	best func(*segment.Account) bool
}

var _ segment.Segmenter = (*Segmenter)(nil)

// New returns a Segmenter that learns P(convert) from the accounts whose
// Converted is known (accounts with an unknown outcome are not used for
// fitting, but Assign scores them like any other), bands the accounts hot,
// warm and cold (or in deciles) and explains each score by the fields that
// push it up or down.
func New(c Config) (*Segmenter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Segmenter{c: c.clone(), kind: Conversion}, nil
}

// NewLookalike returns a Segmenter that scores how much an account looks
// like the best customers, the accounts for which best returns true.
//
// It fits a classifier of the best customers against every other account
// given to Fit (customers and prospects alike, the market the sweet spot is
// sought in), on the conversion model's features, with the supervised core.
// A classifier rather than a distance to the best customers' profile:
// it learns which fields set the best customers apart and how much, where a
// distance weighs alike the fields in which they are like everyone else;
// it handles categorical and missing fields the same way as the conversion
// model, and its coefficients give the reasons. The Score is the calibrated
// probability of being among the best customers; since some of the "rest"
// are best customers not yet known as such, read it as a ranking (the bands
// are cut on it) more than as a probability.
func NewLookalike(c Config, best func(*segment.Account) bool) (*Segmenter, error) {
	if best == nil {
		return nil, fmt.Errorf("propensity: lookalike: best is nil: %w", segment.ErrInvalidConfig)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Segmenter{c: c.clone(), kind: Lookalike, best: best}, nil
}

// NewCrossSell returns a Segmenter that learns, for each product line, the
// propensity to buy it, from the accounts with order history: one model per
// line with at least Config.MinBuyers buyers and as many non-buyers, over
// the conversion model's features plus order features (which other lines
// the account bought, its orders and amount of the other lines, months
// since its first order). Assign names the lines not yet bought, most
// likely first.
func NewCrossSell(c Config) (*Segmenter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Segmenter{c: c.clone(), kind: CrossSell}, nil
}

// DecodeModel reads back a Model from its JSON encoding.
func (s *Segmenter) DecodeModel(data []byte) (segment.Model, error) {
	m, err := segment.DecodeJSON[Model](data, Method, ModelVersion)
	if err != nil {
		return nil, err
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("propensity: decoding model: %w", err)
	}
	m.prep = newPrep(m)
	return m, nil
}

// Fit walks accts once and fits the model. It returns an error wrapping
// segment.ErrEmptyInput when there are no accounts or too few labelled
// ones (each class needs at least Config.Folds accounts),
// segment.ErrInvalidAccount for an invalid account, ErrLeakage with
// LeakRefuse, and ctx.Err() once ctx is done.
func (s *Segmenter) Fit(ctx context.Context, accts iter.Seq[segment.Account]) (segment.Model, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("propensity: %w", err)
	}
	var all []segment.Account
	i := 0
	for a := range accts {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("propensity: %w", err)
			}
		}
		i++
		if err := a.Validate(); err != nil {
			return nil, err
		}
		all = append(all, a)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("propensity: no accounts: %w", segment.ErrEmptyInput)
	}
	c := s.c
	m := &Model{Header: segment.Header{Method: Method, Version: ModelVersion}, Kind: s.kind, Config: c}
	m.Config.Workers, m.Config.Progress = 0, nil
	m.AsOf = c.AsOf
	if m.AsOf.IsZero() {
		m.AsOf = latest(all)
	}
	m.AsOf = m.AsOf.UTC()
	f := &fitter{c: &c, asOf: m.AsOf, accts: all, lookalike: s.kind == Lookalike}
	f.sums = make([]summary, len(all))
	for i := range all {
		f.sums[i] = summarize(&all[i], m.AsOf, c.windowDays(), s.kind == CrossSell)
	}
	switch s.kind {
	case Conversion, Lookalike:
		var rows []int
		var y []int
		for i := range all {
			a := &all[i]
			if s.kind == Lookalike {
				rows = append(rows, i)
				y = append(y, b2i(s.best(a)))
			} else if a.Converted.Known() {
				rows = append(rows, i)
				y = append(y, b2i(a.Converted == segment.Yes))
			}
		}
		sc, err := f.fit(ctx, rows, y, f.baseFields(rows), "")
		if err != nil {
			return nil, err
		}
		m.Scorer = sc
		m.Segs = sc.segments()
		m.Leakage = append(m.Leakage, sc.Leakage...)
	case CrossSell:
		if err := f.fitCrossSell(ctx, m); err != nil {
			return nil, err
		}
	}
	m.prep = newPrep(m)
	return m, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// latest returns the time of the latest dated record of the accounts.
func latest(all []segment.Account) time.Time {
	var t time.Time
	up := func(u time.Time) {
		if u.After(t) {
			t = u
		}
	}
	for i := range all {
		a := &all[i]
		for _, e := range a.Events {
			up(e.Time)
		}
		for _, o := range a.Orders {
			up(o.Time)
		}
		for _, s := range a.Subscriptions {
			up(s.Start)
			up(s.End)
		}
		for _, u := range a.Usage {
			up(u.Time)
		}
	}
	return t
}

type fitter struct {
	c         *Config
	asOf      time.Time
	accts     []segment.Account
	sums      []summary
	lookalike bool
	mu        sync.Mutex
}

// baseFields lists the fields of the conversion model, as the accounts of
// rows show them.
func (f *fitter) baseFields(rows []int) []Field {
	fs := []Field{{Kind: kEmployees}, {Kind: kRevenue}, {Kind: kGrowth}, {Kind: kFounded}}
	for _, k := range f.c.Numbers {
		fs = append(fs, Field{Kind: kNumber, Key: k, Log: slices.Contains(f.c.LogNumbers, k)})
	}
	minCount := f.c.minLevelCount()
	techs := map[string]int{}
	kinds := map[string]int{}
	for _, i := range rows {
		for _, t := range slices.Compact(slices.Sorted(slices.Values(f.accts[i].Technologies))) {
			techs[t]++
		}
		for k := range f.sums[i].events {
			kinds[k]++
		}
	}
	var tl []string
	for t, n := range techs {
		if n >= minCount && n <= len(rows)-minCount {
			tl = append(tl, t)
		}
	}
	slices.SortFunc(tl, func(a, b string) int {
		return cmp.Or(cmp.Compare(techs[b], techs[a]), strings.Compare(a, b))
	})
	tl = tl[:min(len(tl), f.c.maxTechnologies())]
	slices.Sort(tl)
	for _, t := range tl {
		fs = append(fs, Field{Kind: kTechnology, Key: t})
	}
	var kl []string
	for k, n := range kinds {
		if n >= minCount {
			kl = append(kl, k)
		}
	}
	slices.Sort(kl)
	for _, k := range kl {
		fs = append(fs, Field{Kind: kEvents, Key: k})
	}
	if f.c.Recency {
		fs = append(fs, Field{Kind: kRecency})
	}
	for _, k := range []string{kIndustry, kNAICSSector, kCountry, kType, kChannel, kLeadGrade} {
		fs = append(fs, Field{Kind: k})
	}
	for _, k := range f.c.Text {
		fs = append(fs, Field{Kind: kText, Key: k})
	}
	return fs
}

// raw extracts the fields of the accounts of rows: the numeric columns as
// a matrix (NaN unknown) and the categorical columns column by column.
func (f *fitter) raw(rows []int, num, cat []Field, target string) (*mat.Dense, [][]string) {
	var x *mat.Dense
	if len(num) > 0 {
		x = mat.NewDense(len(rows), len(num), nil)
		for r, i := range rows {
			for j, fd := range num {
				x.Set(r, j, fd.value(&f.accts[i], &f.sums[i], f.asOf, target))
			}
		}
	}
	var cc [][]string
	for _, fd := range cat {
		col := make([]string, len(rows))
		for r, i := range rows {
			col[r] = fd.level(&f.accts[i])
		}
		cc = append(cc, col)
	}
	return x, cc
}

func (f *fitter) progress(stage string, p classify.Progress) {
	if f.c.Progress == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.c.Progress(segment.Progress{Method: Method, Stage: stage, Done: p.Done, Total: p.Total})
}

// fit fits one scorer on the accounts of rows with labels y, over the
// candidate fields, for product line target ("" outside cross-sell).
func (f *fitter) fit(ctx context.Context, rows, y []int, fields []Field, target string) (*Scorer, error) {
	c := f.c
	k := c.folds()
	var pos int
	for _, v := range y {
		pos += v
	}
	what := "accounts with a known outcome"
	switch {
	case target != "":
		what = fmt.Sprintf("buyers of %q", target)
	case f.lookalike:
		what = "accounts"
	}
	if pos < k || len(y)-pos < k {
		return nil, fmt.Errorf("propensity: %d positive and %d negative %s, need at least %d of each: %w", pos, len(y)-pos, what, k, segment.ErrEmptyInput)
	}
	fields = slices.DeleteFunc(slices.Clone(fields), func(fd Field) bool { return slices.Contains(c.Exclude, fd.name()) })
	var num, cat []Field
	for _, fd := range fields {
		if fd.numeric() {
			num = append(num, fd)
		} else {
			cat = append(cat, fd)
		}
	}
	x, cc := f.raw(rows, num, cat, target)
	// Leave out the fields that cannot inform a model: a numeric field
	// known on too few accounts to impute it in every fold, a field with a
	// single value.
	keepNum := make([]bool, len(num))
	for j := range num {
		var kn int
		lo, hi := math.Inf(1), math.Inf(-1)
		for r := range rows {
			if v := x.At(r, j); !math.IsNaN(v) {
				kn++
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		keepNum[j] = kn >= max(10, 2*k) && (hi > lo || kn < len(rows))
	}
	keepCat := make([]bool, len(cat))
	for j, col := range cc {
		keepCat[j] = slices.ContainsFunc(col, func(v string) bool { return v != col[0] })
	}
	sc := &Scorer{Target: target}
	// The leakage screen.
	if c.leakage() != LeakOff {
		screen, err := f.screen(ctx, y, num, cat, x, cc, keepNum, keepCat)
		if err != nil {
			return nil, err
		}
		sc.Screen = screen
		for _, s := range screen {
			if s.AUC < c.leakageAUC() {
				continue
			}
			l := Leak{Field: s.Field, AUC: s.AUC, Known: s.Known, Line: target, Action: string(LeakWarn)}
			switch c.leakage() {
			case LeakRefuse:
				return nil, fmt.Errorf("propensity: field %q alone predicts the label with cross-validated AUC %.3f on the %d accounts where it is known (threshold %v): %w", s.Field, s.AUC, s.Known, c.leakageAUC(), ErrLeakage)
			case LeakDrop:
				l.Action = string(LeakDrop)
				for j, fd := range num {
					if fd.name() == s.Field {
						keepNum[j] = false
					}
				}
				for j, fd := range cat {
					if fd.name() == s.Field {
						keepCat[j] = false
					}
				}
			}
			sc.Leakage = append(sc.Leakage, l)
		}
	}
	// The kept columns.
	var numCols []int
	for j, ok := range keepNum {
		if ok {
			numCols = append(numCols, j)
			sc.Numeric = append(sc.Numeric, num[j])
		}
	}
	for j, ok := range keepCat {
		if ok {
			sc.Categorical = append(sc.Categorical, cat[j])
		}
	}
	if len(sc.Numeric)+len(sc.Categorical) == 0 {
		return nil, fmt.Errorf("propensity: no field varies among the %d %s: %w", len(rows), what, segment.ErrEmptyInput)
	}
	var xk *mat.Dense
	if len(numCols) > 0 {
		xk = mat.NewDense(len(rows), len(numCols), nil)
		for jj, j := range numCols {
			for r := range rows {
				xk.Set(r, jj, x.At(r, j))
			}
		}
	}
	var ck [][]string
	for j, ok := range keepCat {
		if ok {
			ck = append(ck, cc[j])
		}
	}
	spec := classify.FeatureSpec{OneHot: cluster.OneHotConfig{MinCount: c.minLevelCount()}}
	for _, fd := range sc.Numeric {
		spec.Numeric = append(spec.Numeric, fd.spec())
	}
	for _, fd := range sc.Categorical {
		spec.Categorical = append(spec.Categorical, fd.name())
	}
	stage := "fit"
	if target != "" {
		stage = "fit " + target
	}
	cv := classify.CVConfig{
		Logistic:    classify.LogisticConfig{Penalty: c.Penalty, L1Ratio: c.L1Ratio, Balanced: c.Balanced},
		Folds:       k,
		Seed:        c.Seed,
		Cs:          c.cs(),
		Calibration: c.calibration(),
		Features:    &spec,
		Workers:     c.Workers,
		Progress:    func(p classify.Progress) { f.progress(stage, p) },
	}
	data := classify.Data{Cat: ck, Y: y}
	if xk != nil {
		data.X = xk
	}
	res, err := classify.CrossValidate(ctx, data, cv)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("propensity: %w", ctx.Err())
		}
		return nil, fmt.Errorf("propensity: %w", err)
	}
	sc.Features, sc.Model, sc.Calibrator = res.Features, res.Model, res.Calibrator
	if sc.Calibrator == nil {
		sc.Calibrator = &classify.Calibrator{Method: classify.NoCalibration}
	}
	// The mean of each encoded feature: reasons measure an account's
	// contributions from the average fitted account.
	var xm mat.Matrix
	if xk != nil {
		xm = xk
	}
	enc, err := sc.Features.Transform(xm, ck)
	if err != nil {
		return nil, fmt.Errorf("propensity: %w", err)
	}
	n, d := enc.Dims()
	sc.Means = make([]float64, d)
	for j := range d {
		var s float64
		for r := range n {
			s += enc.At(r, j)
		}
		sc.Means[j] = s / float64(n)
	}
	sc.Groups = groups(sc.Features)
	// Out-of-fold validation, bands and their rates.
	p := make([]float64, len(y))
	for i, z := range res.OutOfFold {
		p[i] = sc.Calibrator.Apply(z)
	}
	v := Validation{Accounts: len(y), Positives: pos, C: res.C, Grid: res.Grid, Uncalibrated: res.Scores}
	if v.Calibrated, err = classify.Evaluate(y, p, nil); err != nil {
		return nil, fmt.Errorf("propensity: %w", err)
	}
	if v.Gains, err = classify.Gains(y, p, nil, 10); err != nil {
		return nil, fmt.Errorf("propensity: %w", err)
	}
	if v.Reliability, err = classify.Reliability(y, p, nil, 10); err != nil {
		return nil, fmt.Errorf("propensity: %w", err)
	}
	sc.Validation = v
	sc.Bands = f.bands(p, y, target)
	return sc, nil
}

// groups maps each encoded feature to the index of its field: numeric
// fields first, then categorical ones, as Scorer lists them.
func groups(ft *classify.Features) []int {
	var g []int
	nn := 0
	if ft.Numeric != nil {
		nn = len(ft.Numeric.Columns)
		for j := range ft.Numeric.Columns {
			g = append(g, j)
		}
		for j, col := range ft.Numeric.Columns {
			if col.Indicator {
				g = append(g, j)
			}
		}
	}
	if ft.Categorical != nil {
		for j, col := range ft.Categorical.Columns {
			w := len(col.Levels)
			if col.Other {
				w++
			}
			for range w {
				g = append(g, nn+j)
			}
		}
	}
	return g
}

// bands cuts the bands from the out-of-fold probabilities p of the
// fitted accounts and measures each band's rate of positives.
func (f *fitter) bands(p []float64, y []int, target string) []Band {
	c := f.c
	sorted := slices.Sorted(slices.Values(p))
	slices.Reverse(sorted)
	at := func(share float64) float64 { // the probability at the top share
		i := int(math.Ceil(share*float64(len(sorted)))) - 1
		return sorted[max(0, min(i, len(sorted)-1))]
	}
	type cut struct {
		slug, name string
		min        float64
	}
	var cuts []cut
	switch c.bands() {
	case Deciles:
		for d := 1; d <= 10; d++ {
			m := 0.0
			if d < 10 {
				m = at(float64(d) / 10)
			}
			cuts = append(cuts, cut{fmt.Sprintf("decile-%02d", d), fmt.Sprintf("Decile %d", d), m})
		}
	default:
		hot, warm := at(c.hotShare()), at(c.hotShare()+c.warmShare())
		if c.Thresholds != nil {
			warm, hot = c.Thresholds[0], c.Thresholds[1]
		}
		cuts = []cut{{"hot", "Hot", hot}, {"warm", "Warm", warm}, {"cold", "Cold", 0}}
	}
	prefix, what := "", "converted"
	switch f.kindOf(target) {
	case Lookalike:
		prefix, what = "lookalike-", "are best customers"
	}
	bands := make([]Band, len(cuts))
	for b, ct := range cuts {
		bands[b] = Band{ID: Method + "/" + prefix + ct.slug, Name: ct.name, Min: ct.min}
		if b > 0 && ct.min > bands[b-1].Min {
			bands[b].Min = bands[b-1].Min
		}
	}
	for i, v := range p {
		b := bandOf(bands, v)
		bands[b].Accounts++
		bands[b].Positives += y[i]
	}
	upper := 1.0
	for b := range bands {
		if bands[b].Accounts > 0 {
			bands[b].Rate = float64(bands[b].Positives) / float64(bands[b].Accounts)
		} else {
			bands[b].Rate = (bands[b].Min + upper) / 2
		}
		upper = bands[b].Min
		bands[b].Description = fmt.Sprintf("probability ≥ %.3f; %.0f%% of the fitted accounts in this band %s (measured out of fold)", bands[b].Min, 100*bands[b].Rate, what)
	}
	return bands
}

// kindOf tells the fitter's kind from its target and config; the fitter
// is told its kind through lookalike.
func (f *fitter) kindOf(target string) Kind {
	if target != "" {
		return CrossSell
	}
	if f.lookalike {
		return Lookalike
	}
	return Conversion
}

// bandOf returns the index of the first band whose Min p reaches.
func bandOf(bands []Band, p float64) int {
	for b := range bands {
		if p >= bands[b].Min {
			return b
		}
	}
	return len(bands) - 1
}

// screen fits each field alone, on the accounts where it is known (at most
// maxScreenRows of them, drawn with the seed), and returns the
// cross-validated ROC AUCs, highest first.
func (f *fitter) screen(ctx context.Context, y []int, num, cat []Field, x *mat.Dense, cc [][]string, keepNum, keepCat []bool) ([]FieldAUC, error) {
	k := f.c.folds()
	var out []FieldAUC
	one := func(name string, rows []int, spec classify.FeatureSpec, data classify.Data) error {
		if len(rows) > maxScreenRows {
			rng := rand.New(rand.NewPCG(f.c.Seed, 0x5c7ee))
			rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
			rows = rows[:maxScreenRows]
			slices.Sort(rows)
		}
		yy := make([]int, len(rows))
		var pos int
		for r, i := range rows {
			yy[r] = y[i]
			pos += y[i]
		}
		if pos < k || len(rows)-pos < k {
			return nil
		}
		col := make([]string, len(rows))
		for r, i := range rows {
			col[r] = data.Cat[0][i]
		}
		data.Cat = [][]string{col}
		data.Y = yy
		res, err := classify.CrossValidate(ctx, data, classify.CVConfig{Folds: k, Seed: f.c.Seed, Features: &spec, NoRefit: true, Workers: f.c.Workers})
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("propensity: %w", ctx.Err())
			}
			return fmt.Errorf("propensity: leakage screen of %q: %w", name, err)
		}
		out = append(out, FieldAUC{Field: name, AUC: res.Grid[0].Mean, Known: len(rows)})
		return nil
	}
	for j, fd := range num {
		if !keepNum[j] {
			continue
		}
		// A model of one numeric column ranks the accounts by its value,
		// one way or the other: its AUC is the value's, no fit needed.
		var yy []int
		var v []float64
		pos := 0
		for r := range y {
			if xv := x.At(r, j); !math.IsNaN(xv) {
				yy = append(yy, y[r])
				v = append(v, xv)
				pos += y[r]
			}
		}
		if pos < k || len(yy)-pos < k {
			continue
		}
		a, err := classify.ROCAUC(yy, v, nil)
		if err != nil {
			return nil, fmt.Errorf("propensity: leakage screen of %q: %w", fd.name(), err)
		}
		out = append(out, FieldAUC{Field: fd.name(), AUC: max(a, 1-a), Known: len(yy)})
	}
	for j, fd := range cat {
		if !keepCat[j] {
			continue
		}
		var rows []int
		for r, v := range cc[j] {
			if v != unknownLevel {
				rows = append(rows, r)
			}
		}
		spec := classify.FeatureSpec{Categorical: []string{fd.name()}, OneHot: cluster.OneHotConfig{MinCount: f.c.minLevelCount()}}
		if err := one(fd.name(), rows, spec, classify.Data{Cat: [][]string{cc[j]}}); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out, func(a, b FieldAUC) int { return cmp.Compare(b.AUC, a.AUC) })
	return out, nil
}
