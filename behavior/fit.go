package behavior

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/classify"
	"github.com/strataseg/strata/segment/cluster"
)

const method = "behavior"

// Segmenter fits behavioral Models. It is safe for concurrent use.
type Segmenter struct {
	c Config
}

var _ segment.Segmenter = (*Segmenter)(nil)

// New returns a Segmenter for the config, after validating it; it copies
// the config's slices and maps.
func New(c Config) (*Segmenter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.KnownFeatures = slices.Clone(c.KnownFeatures)
	c.PremiumLines = slices.Clone(c.PremiumLines)
	c.ClusterFeatures = slices.Clone(c.ClusterFeatures)
	c.Cs = slices.Clone(c.Cs)
	c.ChurnWeights = maps.Clone(c.ChurnWeights)
	c.ExpansionWeights = maps.Clone(c.ExpansionWeights)
	return &Segmenter{c: c}, nil
}

// DecodeModel reads back a Model from its JSON encoding.
func (s *Segmenter) DecodeModel(data []byte) (segment.Model, error) {
	m, err := segment.DecodeJSON[Model](data, method, ModelVersion)
	if err != nil {
		return nil, err
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("behavior: decoding model: %w", err)
	}
	m.pre = m.prepare()
	return m, nil
}

// check verifies that a decoded Model can assign.
func (m *Model) check() error {
	bad := func(what string) error { return fmt.Errorf("%s: %w", what, segment.ErrModelVersion) }
	if m.Scale == nil || m.Scale.InputWidth() != len(m.Columns) {
		return bad("scale does not match the columns")
	}
	for _, c := range m.Columns {
		if _, ok := ParseFeature(c); !ok {
			return bad(fmt.Sprintf("unknown column %q", c))
		}
	}
	for _, sc := range []*Scorer{&m.Churn, &m.Expansion} {
		if sc.Learned {
			if sc.Model == nil || sc.Calibrator == nil || len(sc.Model.Coef) != m.Scale.OutputWidth() || len(sc.Means) != len(sc.Model.Coef) {
				return bad("learned scorer does not match the scale")
			}
		} else if len(sc.Weights) != len(m.Columns) {
			return bad("health scorer does not match the columns")
		}
	}
	if !m.Config.Scheme.valid() {
		return bad("unknown scheme")
	}
	want := map[Scheme]int{Lifecycle: len(lifecycleSegs), RFM: len(rfmSegs), Drivers: len(driverSegs)}
	switch m.Config.Scheme {
	case RFM:
		if m.RFM == nil || len(m.RFM.Recency) != 4 || len(m.RFM.Frequency) != 4 || len(m.RFM.Monetary) != 4 {
			return bad("rfm scheme without quintiles")
		}
	case Clusters:
		c := m.Clusters
		if c == nil || c.Scale == nil || c.KMeans == nil || c.Scale.InputWidth() != len(c.Columns) || c.KMeans.K() == 0 {
			return bad("clusters scheme without clusters")
		}
		for _, ctr := range c.KMeans.Centers {
			if len(ctr) != c.Scale.OutputWidth() {
				return bad("cluster centres do not match the scale")
			}
		}
		want[Clusters] = c.KMeans.K()
	}
	if len(m.Segs) != want[m.Config.Scheme] {
		return bad("segments do not match the scheme")
	}
	return nil
}

// fitter holds one Fit's state.
type fitter struct {
	c       Config
	workers int
	accts   []segment.Account
	vecs    []Vector
}

func (f *fitter) progress(stage string, done, total int) {
	if f.c.Progress != nil {
		f.c.Progress(segment.Progress{Method: method, Stage: stage, Done: done, Total: total})
	}
}

// Fit reads the accounts (walking accts once), computes their features at
// the as-of date, standardizes them, fits the churn model (learned when
// the labels allow and Config.Churn does not forbid it) and the scheme's
// segments, and returns a *Model. It never changes the Segmenter or the
// accounts.
func (s *Segmenter) Fit(ctx context.Context, accts iter.Seq[segment.Account]) (segment.Model, error) {
	f := &fitter{c: s.c, workers: s.c.Workers}
	if f.workers == 0 {
		f.workers = runtime.GOMAXPROCS(0)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("behavior: fit: %w", err)
	}
	if accts == nil {
		return nil, fmt.Errorf("behavior: fit: accounts are nil: %w", segment.ErrEmptyInput)
	}
	n := 0
	var err error
	for a := range accts {
		if n%64 == 0 {
			if err = ctx.Err(); err != nil {
				break
			}
		}
		if err = a.Validate(); err != nil {
			break
		}
		f.accts = append(f.accts, a)
		n++
	}
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, segment.ErrInvalidAccount) {
			return nil, fmt.Errorf("behavior: fit: %w", err)
		}
		return nil, err
	}
	if len(f.accts) == 0 {
		return nil, fmt.Errorf("behavior: fit: no accounts: %w", segment.ErrEmptyInput)
	}
	return f.fit(ctx)
}

func (f *fitter) fit(ctx context.Context) (*Model, error) {
	c := f.c
	m := &Model{Header: segment.Header{Method: method, Version: ModelVersion}}
	m.Config = c
	m.Config.Workers, m.Config.Progress = 0, nil

	// The as-of date, the product's features and the premium rule.
	asOf := c.AsOf
	if asOf.IsZero() {
		for i := range f.accts {
			if t := latestRecord(&f.accts[i]); t.After(asOf) {
				asOf = t
			}
		}
	}
	m.KnownFeatures = c.KnownFeatures
	if m.KnownFeatures == nil {
		m.KnownFeatures = knownFeatures(f.accts, asOf)
	}
	m.Options = Options{
		AsOf: asOf, WindowDays: c.WindowDays, TrendDays: c.TrendDays, SlopeMonths: c.SlopeMonths,
		KnownFeatures: len(m.KnownFeatures), PremiumLines: c.PremiumLines,
	}
	if c.PremiumLines == nil {
		m.Options.LinePrices = linePrices(f.accts, asOf)
	}

	// Features, in parallel.
	f.vecs = make([]Vector, len(f.accts))
	cut := newCutoffs(&m.Options)
	if err := f.each(ctx, func(i int) {
		features(&f.accts[i], asOf, &m.Options, &f.vecs[i], nil, cut)
	}); err != nil {
		return nil, err
	}
	f.progress("features", len(f.accts), len(f.accts))

	// The columns known somewhere, standardized.
	var cols []Feature
	for j := range NumFeatures {
		for i := range f.vecs {
			if f.vecs[i][j].Known() {
				cols = append(cols, Feature(j))
				break
			}
		}
	}
	if len(cols) == 0 { // unreachable: Frequency is always known
		return nil, fmt.Errorf("behavior: fit: no feature is known: %w", segment.ErrEmptyInput)
	}
	raw := mat.NewDense(len(f.accts), len(cols), nil)
	specs := make([]cluster.ColumnSpec, len(cols))
	for j, ft := range cols {
		m.Columns = append(m.Columns, ft.String())
		specs[j] = columnSpec(ft)
		for i := range f.vecs {
			raw.Set(i, j, f.vecs[i][ft].Or(math.NaN()))
		}
	}
	var err error
	if m.Scale, err = cluster.FitPipeline(specs, raw); err != nil {
		return nil, fmt.Errorf("behavior: fit: standardizing the features: %w", err)
	}
	var z mat.Dense
	if err := m.Scale.Transform(&z, raw); err != nil {
		return nil, fmt.Errorf("behavior: fit: standardizing the features: %w", err)
	}

	// Scores.
	m.Expansion = health(m.Columns, c.expansionWeights(), c.expansionBase())
	if m.Churn, err = f.churn(ctx, m, &z); err != nil {
		return nil, err
	}
	f.progress("churn", 1, 1)

	// Segments.
	switch c.Scheme {
	case Lifecycle:
		m.Segs = slices.Clone(lifecycleSegs)
	case RFM:
		m.Segs = slices.Clone(rfmSegs)
		m.RFM = f.quintiles()
	case Drivers:
		m.Segs = slices.Clone(driverSegs)
	case Clusters:
		if err := f.clusters(ctx, m); err != nil {
			return nil, err
		}
	}
	m.pre = m.prepare()
	return m, nil
}

// canBeUnknown reports the features that are unknown for lack of records.
func canBeUnknown(f Feature) bool {
	switch f {
	case Frequency, Monetary, Engagement, ContentEngagement, Channels, TicketRate:
		return false
	}
	return true
}

func columnSpec(f Feature) cluster.ColumnSpec {
	s := cluster.ColumnSpec{Name: f.String(), Impute: cluster.ImputeMedian, Indicator: canBeUnknown(f), Scale: cluster.ScaleStandard}
	if heavy[f] {
		s.Log = cluster.LogLog1p
	}
	return s
}

// health builds a health scorer from weights by feature name.
func health(cols []string, w map[string]float64, base float64) Scorer {
	sc := Scorer{Intercept: logit(base), Weights: make([]float64, len(cols))}
	for j, c := range cols {
		sc.Weights[j] = w[c]
	}
	return sc
}

// churn fits the churn scorer: learned when the labels allow.
func (f *fitter) churn(ctx context.Context, m *Model, z *mat.Dense) (Scorer, error) {
	c := f.c
	var rows []int
	var y []int
	pos := 0
	for i := range f.accts {
		switch f.accts[i].Churned {
		case segment.Yes:
			rows, y = append(rows, i), append(y, 1)
			pos++
		case segment.No:
			rows, y = append(rows, i), append(y, 0)
		}
	}
	rare := min(pos, len(rows)-pos)
	const folds = 5
	switch c.Churn {
	case ChurnHealth:
		return health(m.Columns, c.churnWeights(), c.churnBase()), nil
	case ChurnAuto:
		if len(rows) < c.minLabels() || rare < max(c.minClass(), 2*folds) {
			return health(m.Columns, c.churnWeights(), c.churnBase()), nil
		}
	case ChurnLearned:
		if rare < 2*folds {
			return Scorer{}, fmt.Errorf("behavior: fit: the learned churn model needs at least %d churned and %d retained labelled accounts, there are %d and %d: %w",
				2*folds, 2*folds, pos, len(rows)-pos, segment.ErrEmptyInput)
		}
	}
	_, w := z.Dims()
	x := mat.NewDense(len(rows), w, nil)
	for r, i := range rows {
		x.SetRow(r, z.RawRowView(i))
	}
	names := slices.Clone(m.Columns)
	for _, col := range m.Scale.Columns {
		if col.Indicator {
			names = append(names, col.Name+"_missing")
		}
	}
	res, err := classify.CrossValidate(ctx, classify.Data{X: x, Y: y}, classify.CVConfig{
		Logistic:    classify.LogisticConfig{Names: names},
		Folds:       folds,
		Seed:        c.Seed,
		Cs:          c.cs(),
		Calibration: classify.Platt,
		Workers:     f.workers,
		Progress: func(p classify.Progress) {
			f.progress("churn "+p.Stage, p.Done, p.Total)
		},
	})
	if err != nil {
		if ctx.Err() != nil {
			return Scorer{}, fmt.Errorf("behavior: fit: churn model: %w", ctx.Err())
		}
		return Scorer{}, fmt.Errorf("behavior: fit: churn model: %w: %w", segment.ErrInvalidAccount, err)
	}
	sc := Scorer{Learned: true, Model: res.Model, Calibrator: res.Calibrator, Labels: len(rows), Positives: pos, C: res.C}
	sc.Model.Config.Workers = 0
	sc.Means = make([]float64, w)
	for i := range f.accts {
		for k, v := range z.RawRowView(i) {
			sc.Means[k] += v
		}
	}
	for k := range sc.Means {
		sc.Means[k] /= float64(len(f.accts))
	}
	p := make([]float64, len(res.OutOfFold))
	for i, s := range res.OutOfFold {
		p[i] = res.Calibrator.Apply(s)
	}
	if v, err := classify.Evaluate(y, p, nil); err == nil {
		sc.Validation = &v
	}
	return sc, nil
}

// quintiles fits the RFM boundaries over the accounts with purchases.
func (f *fitter) quintiles() *Quintiles {
	var r, fr, mo []float64
	for i := range f.vecs {
		v := &f.vecs[i]
		rec, ok := v[RecencyDays].Get()
		if !ok {
			continue
		}
		r = append(r, rec)
		fr = append(fr, v[Frequency].Or(0))
		mo = append(mo, v[Monetary].Or(0))
	}
	return &Quintiles{Recency: cuts(r), Frequency: cuts(fr), Monetary: cuts(mo)}
}

// cuts returns the 20th, 40th, 60th and 80th percentiles, linearly
// interpolated (zeros without values).
func cuts(x []float64) []float64 {
	out := make([]float64, 4)
	if len(x) == 0 {
		return out
	}
	slices.Sort(x)
	for k := range out {
		out[k] = quantile(x, 0.2*float64(k+1))
	}
	return out
}

func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	lo := int(pos)
	if lo+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (pos-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// clusters fits the Clusters scheme.
func (f *fitter) clusters(ctx context.Context, m *Model) error {
	c := f.c
	cols := c.ClusterFeatures
	if cols == nil {
		cols = slices.Clone(m.Columns)
		for _, l := range topLines(f.accts, m.Options.AsOf, m.Options.windowDays(), c.maxLines()) {
			cols = append(cols, linePrefix+l)
		}
		for _, ch := range topChannels(f.accts, m.Options.AsOf, m.Options.windowDays(), c.maxLines()) {
			cols = append(cols, channelPrefix+ch)
		}
	}
	cl := &Clustering{Columns: cols}
	m.Clusters = cl
	raw := mat.NewDense(len(f.accts), len(cols), nil)
	specs := make([]cluster.ColumnSpec, len(cols))
	needLines := false
	for j, name := range cols {
		ft, ok := ParseFeature(name)
		if !ok {
			needLines = true
			specs[j] = cluster.ColumnSpec{Name: name, Log: cluster.LogLog1p, Scale: cluster.ScaleStandard}
			continue
		}
		specs[j] = cluster.ColumnSpec{Name: name, Impute: cluster.ImputeMedian, Scale: cluster.ScaleStandard}
		if heavy[ft] {
			specs[j].Log = cluster.LogLog1p
		}
		known := false
		for i := range f.vecs {
			raw.Set(i, j, f.vecs[i][ft].Or(math.NaN()))
			known = known || f.vecs[i][ft].Known()
		}
		if !known {
			return fmt.Errorf("behavior: fit: config ClusterFeatures names %q, unknown for every account: %w", name, segment.ErrInvalidConfig)
		}
	}
	if needLines {
		var mu sync.Mutex
		if err := f.each(ctx, func(i int) {
			x := newExtras()
			var v Vector
			features(&f.accts[i], m.Options.AsOf, &m.Options, &v, x, nil)
			mu.Lock()
			defer mu.Unlock()
			for j, name := range cols {
				if _, ok := ParseFeature(name); !ok {
					raw.Set(i, j, x.value(name))
				}
			}
		}); err != nil {
			return err
		}
	}
	var err error
	if cl.Scale, err = cluster.FitPipeline(specs, raw); err != nil {
		return fmt.Errorf("behavior: fit: standardizing the cluster columns: %w", err)
	}
	var x mat.Dense
	if err := cl.Scale.Transform(&x, raw); err != nil {
		return fmt.Errorf("behavior: fit: standardizing the cluster columns: %w", err)
	}
	n := len(f.accts)
	km, choice, err := f.kmeans(ctx, &x, n)
	if err != nil {
		return err
	}
	cl.Choice = choice
	// Order the clusters by size, largest first (ties by index).
	order := make([]int, km.K())
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(km.Sizes[b], km.Sizes[a]) })
	sorted := *km
	sorted.Centers = make([][]float64, km.K())
	sorted.Sizes = make([]float64, km.K())
	for k, o := range order {
		sorted.Centers[k] = km.Centers[o]
		sorted.Sizes[k] = km.Sizes[o]
	}
	sorted.Config.Workers, sorted.Config.Progress = 0, nil
	cl.KMeans = &sorted
	m.Segs = make([]segment.Segment, km.K())
	for k, ctr := range sorted.Centers {
		m.Segs[k] = segment.Segment{
			ID:          fmt.Sprintf("behavior/cluster-%d", k+1),
			Name:        fmt.Sprintf("Cluster %d", k+1),
			Description: clusterDescription(cols, ctr, sorted.Sizes[k], n),
			Method:      method,
		}
	}
	return nil
}

// kmeans fits k-means with Config.K clusters, or chooses K.
func (f *fitter) kmeans(ctx context.Context, x *mat.Dense, n int) (*cluster.KMeansModel, []string, error) {
	c := f.c
	wrap := func(err error) error {
		if ctx.Err() != nil {
			return fmt.Errorf("behavior: fit: clusters: %w", ctx.Err())
		}
		if errors.Is(err, cluster.ErrTooFewPoints) {
			return fmt.Errorf("behavior: fit: clusters: %w: %w", segment.ErrEmptyInput, err)
		}
		return fmt.Errorf("behavior: fit: clusters: %w", err)
	}
	prog := func(p cluster.Progress) { f.progress("clusters "+p.Stage, p.Done, p.Total) }
	if c.K > 0 || n < 4 {
		k := c.K
		if k == 0 {
			k = 1
		}
		km, err := cluster.KMeans(ctx, x, nil, cluster.KMeansConfig{K: k, Seed: c.Seed, Workers: f.workers, Progress: prog})
		if err != nil {
			return nil, nil, wrap(err)
		}
		return km, nil, nil
	}
	res, err := cluster.ChooseK(ctx, x, nil, cluster.ChooseKConfig{
		MinK: 2, MaxK: min(c.maxK(), n-1), GapReferences: -1,
		Seed: c.Seed, Workers: f.workers, Progress: prog,
	})
	if err != nil {
		if errors.Is(err, cluster.ErrTooFewPoints) && ctx.Err() == nil {
			km, err := cluster.KMeans(ctx, x, nil, cluster.KMeansConfig{K: 1, Seed: c.Seed, Workers: f.workers})
			if err != nil {
				return nil, nil, wrap(err)
			}
			return km, []string{"fewer than 2 distinct accounts: one cluster"}, nil
		}
		return nil, nil, wrap(err)
	}
	k := res.Recommended
	if k == 0 {
		k = res.BestSilhouette
	}
	sc := res.Score(k)
	if sc == nil || sc.Model == nil {
		return nil, nil, fmt.Errorf("behavior: fit: clusters: no k could be chosen: %w", segment.ErrEmptyInput)
	}
	return sc.Model, res.Reasons, nil
}

// clusterDescription names a cluster's most distinctive columns.
func clusterDescription(cols []string, ctr []float64, size float64, n int) string {
	idx := make([]int, len(cols))
	for j := range idx {
		idx[j] = j
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(math.Abs(ctr[b]), math.Abs(ctr[a])) })
	var parts []string
	for _, j := range idx[:min(3, len(idx))] {
		dir := "high"
		if ctr[j] < 0 {
			dir = "low"
		}
		parts = append(parts, fmt.Sprintf("%s %s (%+.1f sd)", dir, cols[j], ctr[j]))
	}
	return fmt.Sprintf("%.0f of %d fitted accounts; %s.", size, n, strings.Join(parts, ", "))
}

// each runs fn over every account index on the workers, checking ctx
// between chunks.
func (f *fitter) each(ctx context.Context, fn func(i int)) error {
	n := len(f.accts)
	const chunk = 256
	chunks := (n + chunk - 1) / chunk
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(f.workers, chunks) {
		wg.Go(func() {
			for {
				if ctx.Err() != nil {
					return
				}
				mu.Lock()
				k := next
				next++
				mu.Unlock()
				if k >= chunks {
					return
				}
				for i := k * chunk; i < min(n, (k+1)*chunk); i++ {
					fn(i)
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("behavior: fit: %w", err)
	}
	return nil
}

// knownFeatures returns the "feature:" usage metrics of the accounts up to
// asOf, sorted.
func knownFeatures(accts []segment.Account, asOf time.Time) []string {
	set := map[string]bool{}
	for i := range accts {
		for _, u := range accts[i].Usage {
			if !u.Time.After(asOf) && strings.HasPrefix(u.Metric, segment.MetricFeaturePrefix) {
				set[u.Metric] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// linePrices returns the median unit price of each product line's
// purchases up to asOf.
func linePrices(accts []segment.Account, asOf time.Time) map[string]float64 {
	prices := map[string][]float64{}
	for i := range accts {
		for _, o := range accts[i].Orders {
			if o.Return || o.Quantity <= 0 || o.Time.After(asOf) {
				continue
			}
			prices[o.ProductLine] = append(prices[o.ProductLine], (o.Amount+o.Discount)/o.Quantity)
		}
	}
	if len(prices) == 0 {
		return nil
	}
	out := make(map[string]float64, len(prices))
	for l, p := range prices {
		slices.Sort(p)
		out[l] = quantile(p, 0.5)
	}
	return out
}

// topChannels returns up to max channels of the most interactions (not
// tickets) in the window, when there are at least two.
func topChannels(accts []segment.Account, asOf time.Time, windowDays, max int) []string {
	count := map[string]float64{}
	from := asOf.Add(-time.Duration(windowDays) * day)
	for i := range accts {
		for _, e := range accts[i].Events {
			if e.Channel == "" || e.Kind == segment.EventTicket || e.Time.After(asOf) || !e.Time.After(from) {
				continue
			}
			count[e.Channel]++
		}
	}
	if len(count) < 2 {
		return nil
	}
	chans := slices.Sorted(maps.Keys(count))
	slices.SortStableFunc(chans, func(a, b string) int { return cmp.Compare(count[b], count[a]) })
	return chans[:min(max, len(chans))]
}

// topLines returns up to max product lines of highest net spend in the
// window, when there are at least two named lines.
func topLines(accts []segment.Account, asOf time.Time, windowDays, max int) []string {
	spend := map[string]float64{}
	from := asOf.Add(-time.Duration(windowDays) * day)
	for i := range accts {
		for _, o := range accts[i].Orders {
			if o.ProductLine == "" || o.Time.After(asOf) || !o.Time.After(from) {
				continue
			}
			if o.Return {
				spend[o.ProductLine] -= o.Amount
			} else {
				spend[o.ProductLine] += o.Amount
			}
		}
	}
	if len(spend) < 2 {
		return nil
	}
	lines := slices.Sorted(maps.Keys(spend))
	slices.SortStableFunc(lines, func(a, b string) int { return cmp.Compare(spend[b], spend[a]) })
	return lines[:min(max, len(lines))]
}
