package behavior

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/classify"
	"github.com/strataseg/strata/segment/cluster"
)

// ModelVersion is the version of the Model encoding this build writes.
const ModelVersion = 1

// Model is a fitted behavioral segmentation. It is plain data: it marshals
// to JSON and back (see [Segmenter.DecodeModel]) with identical
// assignments, and Assign is pure and safe for concurrent use.
type Model struct {
	segment.Header
	// Config is the config it was fitted with (Workers and Progress
	// cleared).
	Config Config `json:"config"`
	// Options are the feature options every account is read with: the
	// as-of date (Config.AsOf, or the latest record time of the fitted
	// accounts), the windows, the number of known product features and
	// the premium rule.
	Options Options `json:"options"`
	// KnownFeatures lists the product features FeatureBreadth counts.
	KnownFeatures []string `json:"known_features,omitempty"`
	// Columns names the features the scores read: those known for at
	// least one fitted account, in Feature order.
	Columns []string `json:"columns"`
	// Scale standardizes Columns: an unknown value is imputed with the
	// fitted median and flagged in a missing-indicator column, counts,
	// days and money go through ln(1+x), and every column is z-scored on
	// the fitted accounts where it is known.
	Scale *cluster.Pipeline `json:"scale"`
	// Churn scores churn risk, Expansion expansion potential.
	Churn     Scorer `json:"churn"`
	Expansion Scorer `json:"expansion"`
	// RFM holds the fitted quintile boundaries of the RFM scheme.
	RFM *Quintiles `json:"rfm,omitempty"`
	// Clusters holds the learned clusters of the Clusters scheme.
	Clusters *Clustering `json:"clusters,omitempty"`
	// Segs lists the segments, as Segments returns them.
	Segs []segment.Segment `json:"segments"`

	// pre is Assign's precomputed reading of the fields above, built by
	// Fit and DecodeModel; nil for a Model built otherwise.
	pre *prep
}

// Scorer is one score: a health model (weights on standardized features
// through a logistic link) or a learned, calibrated logistic regression.
type Scorer struct {
	// Learned reports a learned model; otherwise it is the health model.
	Learned bool `json:"learned"`
	// Intercept and Weights are the health model's log-odds at the
	// average account and weight per Column.
	Intercept float64   `json:"intercept,omitempty"`
	Weights   []float64 `json:"weights,omitempty"`
	// Model and Calibrator are the learned model over Scale's outputs
	// (values, then missing indicators) and the Platt calibration of its
	// log-odds, fitted out of fold.
	Model      *classify.LogisticModel `json:"model,omitempty"`
	Calibrator *classify.Calibrator    `json:"calibrator,omitempty"`
	// Means holds the fitted mean of each of Scale's outputs, from which
	// the learned model's drivers are measured.
	Means []float64 `json:"means,omitempty"`
	// Labels and Positives count the labelled fitted accounts and the
	// churned among them; C is the regularization chosen.
	Labels    int     `json:"labels,omitempty"`
	Positives int     `json:"positives,omitempty"`
	C         float64 `json:"c,omitempty"`
	// Validation measures the learned model's pooled out-of-fold
	// probabilities (5 stratified folds).
	Validation *classify.Scores `json:"validation,omitempty"`
}

// Quintiles are the RFM scheme's fitted boundaries: the 20th, 40th, 60th
// and 80th percentiles of recency (days), frequency and monetary value
// over the fitted accounts with purchases.
type Quintiles struct {
	Recency   []float64 `json:"recency"`
	Frequency []float64 `json:"frequency"`
	Monetary  []float64 `json:"monetary"`
}

// Clustering holds the learned clusters of the Clusters scheme.
type Clustering struct {
	// Columns names the clustered columns (features, "spend:<line>" and
	// "channel:<channel>"; see Config.ClusterFeatures).
	Columns []string `json:"columns"`
	// Scale standardizes them (median imputation, ln(1+x) for counts,
	// days and money, z-scores).
	Scale *cluster.Pipeline `json:"scale"`
	// KMeans is the fitted k-means model over Scale's outputs, its
	// clusters ordered by size, largest first.
	KMeans *cluster.KMeansModel `json:"kmeans"`
	// Choice explains how K was chosen (empty when Config.K set it).
	Choice []string `json:"choice,omitempty"`
}

// Segments lists the segments the Model assigns, in a stable order.
func (m *Model) Segments() []segment.Segment { return m.Segs }

// Features returns the features of an account as the Model reads them:
// [Features] with the Model's Options (its as-of date, windows, known
// product features and premium rule). Like Features, it does not validate
// the account.
func (m *Model) Features(a *segment.Account) Vector {
	var v Vector
	var k *cutoffs
	if m.pre != nil && m.pre.key == m.prepKey() {
		k = m.pre.cut
	}
	features(a, m.Options.AsOf, &m.Options, &v, nil, k)
	return v
}

// Segment IDs of the Lifecycle scheme.
const (
	IDExpand  = "behavior/expand"
	IDHealthy = "behavior/healthy"
	IDWatch   = "behavior/watch"
	IDAtRisk  = "behavior/at-risk"
	IDDormant = "behavior/dormant"
)

var lifecycleSegs = []segment.Segment{
	{ID: IDExpand, Name: "Expand", Description: "Healthy accounts with high expansion potential: upsell and cross-sell.", Method: method},
	{ID: IDHealthy, Name: "Healthy", Description: "Active accounts with low churn risk.", Method: method},
	{ID: IDWatch, Name: "Watch", Description: "Accounts whose churn risk is rising: check in.", Method: method},
	{ID: IDAtRisk, Name: "At risk", Description: "Accounts with high churn risk: act to retain.", Method: method},
	{ID: IDDormant, Name: "Dormant", Description: "Accounts with no recent activity.", Method: method},
}

var driverSegs = []segment.Segment{
	{ID: "behavior/price-driven", Name: "Price-driven", Description: "Buy on discount more than other accounts.", Method: method},
	{ID: "behavior/quality-driven", Name: "Quality-driven", Description: "Spend more on premium products than other accounts.", Method: method},
	{ID: "behavior/support-driven", Name: "Support-driven", Description: "Lean on support more than other accounts.", Method: method},
	{ID: "behavior/balanced", Name: "Balanced", Description: "No buying driver stands out.", Method: method},
}

var driverFeatures = [3]Feature{DiscountShare, PremiumShare, TicketRate}

// scored is what Assign computes for one account. Its slices point into a
// scratch when the Model's columns fit it (they always do for a fitted
// Model).
type scored struct {
	v          Vector
	raw        []float64 // per Column: the feature, NaN when unknown
	z          []float64 // Scale's outputs
	outCol     []int     // the Column of each output
	known      []bool    // per Column
	churn, exp float64
	cEff, eEff []float64 // per Column
}

// scratch holds the arrays a scored's slices point into.
type scratch struct {
	raw, cEff, eEff [NumFeatures]float64
	z               [2 * NumFeatures]float64
	known           [NumFeatures]bool
}

// prep is what Assign reads precomputed from a Model's exported fields;
// Fit and DecodeModel build it (see [Model.prepare]).
type prep struct {
	feat   []Feature // the Feature of each Column
	outCol []int     // the Column of each of Scale's outputs
	driver [3]int    // the Column of each driver feature, or −1
	clu    *cluPrep  // the Clusters scheme's columns
	cut    *cutoffs  // of Options
	key    prepKey   // what it was built from
}

// prepKey identifies the fields a prep was built from, so that Assign
// notices a Model whose fields were replaced after Fit or DecodeModel.
type prepKey struct {
	cols, cluCols        *string
	ncols, ncluCols      int
	scale, cluScale      *cluster.Pipeline
	clusters             *Clustering
	window, trend, slope int
}

func (m *Model) prepKey() prepKey {
	k := prepKey{
		ncols: len(m.Columns), scale: m.Scale, clusters: m.Clusters,
		window: m.Options.WindowDays, trend: m.Options.TrendDays, slope: m.Options.SlopeMonths,
	}
	if len(m.Columns) > 0 {
		k.cols = &m.Columns[0]
	}
	if c := m.Clusters; c != nil {
		k.ncluCols, k.cluScale = len(c.Columns), c.Scale
		if len(c.Columns) > 0 {
			k.cluCols = &c.Columns[0]
		}
	}
	return k
}

// Kinds of cluster column.
const (
	cluFeature = iota
	cluLine
	cluChannel
	cluNone
)

// cluPrep says how to read each cluster column: a feature, the sum of a
// product line or a channel (an index into lines or chans), or nothing.
type cluPrep struct {
	kind         []uint8
	idx          []int
	lines, chans []string
	extras       bool // some column is a line or a channel
	nOut         int
}

// prepare returns the Model's precomputed reading of its columns.
func (m *Model) prepare() *prep {
	p := &prep{feat: make([]Feature, len(m.Columns)), cut: newCutoffs(&m.Options), key: m.prepKey()}
	for j, name := range m.Columns {
		p.feat[j], _ = ParseFeature(name)
	}
	if m.Scale != nil {
		p.outCol = outputColumns(m.Scale)
	}
	for i, f := range driverFeatures {
		p.driver[i] = slices.Index(m.Columns, f.String())
	}
	if c := m.Clusters; c != nil {
		cp := &cluPrep{kind: make([]uint8, len(c.Columns)), idx: make([]int, len(c.Columns))}
		for j, name := range c.Columns {
			if f, ok := ParseFeature(name); ok {
				cp.kind[j], cp.idx[j] = cluFeature, int(f)
				continue
			}
			if l, ok := strings.CutPrefix(name, linePrefix); ok {
				k := slices.Index(cp.lines, l)
				if k < 0 {
					k = len(cp.lines)
					cp.lines = append(cp.lines, l)
				}
				cp.kind[j], cp.idx[j], cp.extras = cluLine, k, true
				continue
			}
			if ch, ok := strings.CutPrefix(name, channelPrefix); ok {
				k := slices.Index(cp.chans, ch)
				if k < 0 {
					k = len(cp.chans)
					cp.chans = append(cp.chans, ch)
				}
				cp.kind[j], cp.idx[j], cp.extras = cluChannel, k, true
				continue
			}
			cp.kind[j] = cluNone
		}
		if c.Scale != nil {
			cp.nOut = c.Scale.OutputWidth()
		}
		p.clu = cp
	}
	return p
}

// maxReasons bounds the Reasons of one Assign: three of the Clusters
// scheme, three drivers of each score.
const maxReasons = 9

// reasons builds one Assign's Reasons: their texts go into one buffer
// (passed along and returned by value), which becomes one string that
// every Text is a slice of.
type reasons struct {
	r   [maxReasons]segment.Reason
	end [maxReasons]int
	n   int
}

// add ends the text of buf since the last reason as a reason's.
func (rb *reasons) add(buf []byte, field string, effect float64) {
	rb.r[rb.n] = segment.Reason{Field: field, Effect: effect}
	rb.end[rb.n] = len(buf)
	rb.n++
}

// done returns the reasons, their texts sliced out of one string.
func (rb *reasons) done(buf []byte) []segment.Reason {
	text := string(buf)
	out := make([]segment.Reason, rb.n)
	start := 0
	for i := range rb.n {
		out[i] = rb.r[i]
		out[i].Text = text[start:rb.end[i]]
		start = rb.end[i]
	}
	return out
}

// Assign places one account in a segment of the Model's scheme, with its
// churn risk and expansion potential in Scores and their drivers in
// Reasons. It never changes a.
func (m *Model) Assign(a *segment.Account) (segment.Assignment, error) {
	if a == nil {
		return segment.Assignment{}, fmt.Errorf("behavior: nil account: %w", segment.ErrInvalidAccount)
	}
	if err := a.Validate(); err != nil {
		return segment.Assignment{}, err
	}
	return m.AssignValid(a)
}

// AssignValid is Assign for an account whose Validate the caller has
// checked (see [segment.ValidAssigner]); the combinators call it.
func (m *Model) AssignValid(a *segment.Account) (segment.Assignment, error) {
	p := m.pre
	if p == nil || p.key != m.prepKey() { // built by hand, or changed since
		p = m.prepare()
	}
	w := workPool.Get().(*work)
	defer workPool.Put(w)
	s := &w.s
	*s = scored{}
	nc, nz := len(m.Columns), len(p.outCol)
	if nc <= NumFeatures && nz <= 2*NumFeatures {
		sb := &w.sb
		s.raw, s.cEff, s.eEff, s.known, s.z = sb.raw[:nc], sb.cEff[:nc], sb.eEff[:nc], sb.known[:nc], sb.z[:nz]
		clear(s.cEff)
		clear(s.eEff)
	} else {
		s.raw, s.cEff, s.eEff, s.known = make([]float64, nc), make([]float64, nc), make([]float64, nc), make([]bool, nc)
		s.z = make([]float64, nz)
	}
	s.outCol = p.outCol
	var sp *slotSums
	if m.Config.Scheme == Clusters && p.clu != nil && p.clu.extras {
		sp = &w.sums
		sp.lines, sp.chans = p.clu.lines, p.clu.chans
		sp.lineSum = slotBuf(w.lineBuf[:], len(sp.lines))
		sp.chanSum = slotBuf(w.chanBuf[:], len(sp.chans))
		clear(sp.lineSum)
		clear(sp.chanSum)
	}
	if err := m.score(a, p, s, sp, &w.us); err != nil {
		return segment.Assignment{}, &segment.FieldError{AccountID: a.ID, Err: err}
	}
	as := segment.Assignment{AccountID: a.ID}
	rb := &w.rb
	rb.n = 0
	b := w.text[:0]
	var err error
	switch m.Config.Scheme {
	case Lifecycle:
		b = m.assignLifecycle(s, &as, rb, b)
	case RFM:
		b = m.assignRFM(s, &as, rb, b)
	case Drivers:
		b = m.assignDrivers(p, s, &as, rb, b)
	case Clusters:
		b, err = m.assignCluster(p, s, sp, &as, rb, b, w)
	default:
		err = fmt.Errorf("behavior: model has scheme %v: %w", m.Config.Scheme, segment.ErrInvalidConfig)
	}
	if err != nil {
		return segment.Assignment{}, &segment.FieldError{AccountID: a.ID, Err: err}
	}
	b = m.drivers(p, s, 3, rb, b)
	as.Reasons = rb.done(b)
	return as, nil
}

// work is one Assign's scratch: taken from a pool, so that Assign's
// stack stays small and nothing of it is allocated.
type work struct {
	s                scored
	sb               scratch
	rb               reasons
	sums             slotSums
	lineBuf, chanBuf [16]float64
	cluRaw, cluZ     [maxClusterCols]float64
	us               usageScan
	text             [1024]byte
}

var workPool = sync.Pool{New: func() any { return new(work) }}

// slotBuf returns buf[:n], or a new slice when n exceeds it.
func slotBuf(buf []float64, n int) []float64 {
	if n <= len(buf) {
		return buf[:n]
	}
	return make([]float64, n)
}

// scores returns the Scores map of an Assignment, sized for n entries, with
// both scores.
func scores(s *scored, n int) map[string]float64 {
	sc := make(map[string]float64, n)
	sc["churn_risk"], sc["expansion"] = s.churn, s.exp
	return sc
}

// score computes the features and both scores; x, when not nil, receives
// the line and channel sums of the cluster columns.
func (m *Model) score(a *segment.Account, p *prep, s *scored, x *slotSums, us *usageScan) error {
	asOf := m.Options.AsOf
	if c, ok := newClock(asOf); !ok || !fastFeatures(a, c, p.cut, &m.Options, &s.v, x, us) {
		var ex *extras
		if x != nil {
			ex = newExtras()
		}
		featuresRef(a, asOf, &m.Options, &s.v, ex)
		if x != nil {
			for k, l := range x.lines {
				x.lineSum[k] = ex.lines[l]
			}
			for k, ch := range x.chans {
				x.chanSum[k] = ex.channels[ch]
			}
		}
	}
	for j, f := range p.feat {
		val, ok := s.v[f].Get()
		s.known[j] = ok
		if !ok {
			val = math.NaN()
		}
		s.raw[j] = val
	}
	if err := m.Scale.TransformRow(s.z, s.raw); err != nil {
		return fmt.Errorf("behavior: %w", err)
	}
	var err error
	if s.churn, err = m.Churn.apply(s, s.cEff); err != nil {
		return err
	}
	s.exp, err = m.Expansion.apply(s, s.eEff)
	return err
}

// zClip bounds a standardized value in the health model, so that one
// outlying feature cannot decide a score alone.
const zClip = 4

// apply returns the score of an account, with the effect of each Column
// on its log-odds in eff (zero on entry).
func (sc *Scorer) apply(s *scored, eff []float64) (float64, error) {
	nc := len(s.known)
	if !sc.Learned {
		logit := sc.Intercept
		for j := range nc {
			if !s.known[j] || sc.Weights[j] == 0 {
				continue
			}
			eff[j] = sc.Weights[j] * max(-zClip, min(zClip, s.z[j]))
			logit += eff[j]
		}
		return sigmoid(logit), nil
	}
	logit, err := sc.Model.DecisionRow(s.z)
	if err != nil {
		return 0, fmt.Errorf("behavior: churn model: %w", err)
	}
	for k, c := range sc.Model.Coef {
		eff[s.outCol[k]] += c * (s.z[k] - sc.Means[k])
	}
	p := sc.Calibrator.Apply(logit)
	return max(0, min(1, p)), nil
}

// outputColumns maps each output of a Pipeline to its input column: the
// values come first, then one indicator per column that has one.
func outputColumns(p *cluster.Pipeline) []int {
	out := make([]int, 0, p.OutputWidth())
	for j := range p.Columns {
		out = append(out, j)
	}
	for j, c := range p.Columns {
		if c.Indicator {
			out = append(out, j)
		}
	}
	return out
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func logit(p float64) float64 { return math.Log(p / (1 - p)) }

func (m *Model) assignLifecycle(s *scored, as *segment.Assignment, rb *reasons, b []byte) []byte {
	t := m.Config.Thresholds
	inactive, ok := s.v[InactiveDays].Get()
	var seg int
	switch {
	case !ok:
		seg, as.Score = 4, s.churn
		b = append(b, "no activity on record → Dormant"...)
	case inactive >= t.dormant():
		seg, as.Score = 4, s.churn
		b = append(b, "last activity "...)
		b = appendNum(b, inactive)
		b = append(b, " days ago ≥ "...)
		b = appendNum(b, t.dormant())
		b = append(b, " → Dormant"...)
	case s.churn >= t.atRisk():
		seg, as.Score = 3, s.churn
		b = append(b, "churn risk "...)
		b = appendF(b, s.churn, 2)
		b = append(b, " ≥ "...)
		b = appendF(b, t.atRisk(), 2)
		b = append(b, " → At risk"...)
	case s.churn >= t.watch():
		seg, as.Score = 2, s.churn
		b = append(b, "churn risk "...)
		b = appendF(b, s.churn, 2)
		b = append(b, " ≥ "...)
		b = appendF(b, t.watch(), 2)
		b = append(b, " → Watch"...)
	case s.exp >= t.expand():
		seg, as.Score = 0, s.exp
		b = append(b, "expansion potential "...)
		b = appendF(b, s.exp, 2)
		b = append(b, " ≥ "...)
		b = appendF(b, t.expand(), 2)
		b = append(b, " and churn risk "...)
		b = appendF(b, s.churn, 2)
		b = append(b, " < "...)
		b = appendF(b, t.watch(), 2)
		b = append(b, " → Expand"...)
	default:
		seg, as.Score = 1, 1-s.churn
		b = append(b, "churn risk "...)
		b = appendF(b, s.churn, 2)
		b = append(b, " < "...)
		b = appendF(b, t.watch(), 2)
		b = append(b, ", expansion potential "...)
		b = appendF(b, s.exp, 2)
		b = append(b, " < "...)
		b = appendF(b, t.expand(), 2)
		b = append(b, " → Healthy"...)
	}
	rb.add(b, "", 0)
	as.Segment = m.Segs[seg]
	as.Scores = scores(s, 2)
	return b
}

// rfmGrid maps R (row, 1…5) and FM (column, 1…5) to a segment index of
// rfmSegs.
var rfmGrid = [5][5]int{
	// FM:  1  2  3  4  5
	{10, 9, 7, 7, 8}, // R 1
	{9, 9, 7, 7, 8},  // R 2
	{6, 6, 5, 1, 1},  // R 3
	{4, 2, 2, 1, 1},  // R 4
	{3, 2, 2, 0, 0},  // R 5
}

var rfmSegs = []segment.Segment{
	{ID: "behavior/rfm-champions", Name: "Champions", Description: "Bought recently, buy often and spend the most.", Method: method},
	{ID: "behavior/rfm-loyal", Name: "Loyal", Description: "Buy often and spend much; fairly recent.", Method: method},
	{ID: "behavior/rfm-potential-loyalists", Name: "Potential loyalists", Description: "Recent buyers with average frequency and spend.", Method: method},
	{ID: "behavior/rfm-new", Name: "New", Description: "Bought most recently, but not often.", Method: method},
	{ID: "behavior/rfm-promising", Name: "Promising", Description: "Recent buyers who have not spent much yet.", Method: method},
	{ID: "behavior/rfm-need-attention", Name: "Need attention", Description: "Average recency, frequency and spend.", Method: method},
	{ID: "behavior/rfm-about-to-sleep", Name: "About to sleep", Description: "Below-average recency, frequency and spend.", Method: method},
	{ID: "behavior/rfm-at-risk", Name: "At risk", Description: "Spent much and bought often, but long ago.", Method: method},
	{ID: "behavior/rfm-cant-lose", Name: "Can't lose", Description: "Made the biggest and most frequent purchases, but long ago.", Method: method},
	{ID: "behavior/rfm-hibernating", Name: "Hibernating", Description: "Last purchase long ago; few orders, low spend.", Method: method},
	{ID: "behavior/rfm-lost", Name: "Lost", Description: "Lowest recency, frequency and spend.", Method: method},
	{ID: "behavior/rfm-no-purchases", Name: "No purchases", Description: "No purchase on record up to the as-of date.", Method: method},
}

// above counts the boundaries strictly below x.
func above(cuts []float64, x float64) int {
	n := 0
	for _, c := range cuts {
		if x > c {
			n++
		}
	}
	return n
}

func (m *Model) assignRFM(s *scored, as *segment.Assignment, rb *reasons, b []byte) []byte {
	rec, ok := s.v[RecencyDays].Get()
	w := m.Options.windowDays()
	if !ok {
		as.Segment = m.Segs[len(rfmSegs)-1]
		as.Score = 0
		as.Scores = scores(s, 2)
		b = append(b, "no purchase on record → No purchases"...)
		rb.add(b, RecencyDays.String(), 0)
		return b
	}
	f, _ := s.v[Frequency].Get()
	mon, _ := s.v[Monetary].Get()
	q := m.RFM
	r := 5 - above(q.Recency, rec)
	fs := 1 + above(q.Frequency, f)
	ms := 1 + above(q.Monetary, mon)
	fm := (fs + ms + 1) / 2
	seg := rfmGrid[r-1][fm-1]
	as.Segment = m.Segs[seg]
	as.Score = float64(r+fm-2) / 8
	as.Scores = scores(s, 6)
	as.Scores["r"], as.Scores["f"], as.Scores["m"], as.Scores["fm"] = float64(r), float64(fs), float64(ms), float64(fm)
	b = append(b, "R "...)
	b = strconv.AppendInt(b, int64(r), 10)
	b = append(b, " (last purchase "...)
	b = appendNum(b, rec)
	b = append(b, " days ago), F "...)
	b = strconv.AppendInt(b, int64(fs), 10)
	b = append(b, " ("...)
	b = appendNum(b, f)
	b = append(b, " purchases in "...)
	b = strconv.AppendInt(b, int64(w), 10)
	b = append(b, " days), M "...)
	b = strconv.AppendInt(b, int64(ms), 10)
	b = append(b, " (net spend "...)
	b = appendNum(b, mon)
	b = append(b, ") → FM "...)
	b = strconv.AppendInt(b, int64(fm), 10)
	b = append(b, " → "...)
	b = append(b, as.Segment.Name...)
	rb.add(b, RecencyDays.String(), 0)
	return b
}

// driverZ names the Scores entry of each driver feature.
var driverZ = [3]string{DiscountShare.String() + "_z", PremiumShare.String() + "_z", TicketRate.String() + "_z"}

func (m *Model) assignDrivers(p *prep, s *scored, as *segment.Assignment, rb *reasons, b []byte) []byte {
	var z [3]float64
	for i, j := range p.driver {
		if j >= 0 && s.known[j] {
			z[i] = s.z[j]
		}
	}
	top := 0
	for i := 1; i < 3; i++ {
		if z[i] > z[top] {
			top = i
		}
	}
	th := m.Config.Thresholds.driver()
	pos := 0.0
	for _, v := range z {
		pos += max(0, v)
	}
	f := driverFeatures[top]
	if z[top] < th {
		as.Segment = m.Segs[3]
		as.Score = 1 - max(0, z[top])/th
		as.Scores = scores(s, 2)
		b = append(b, "no buying driver ≥ "...)
		b = appendSigned(b, th, 2)
		b = append(b, " sd above the average account (discount share "...)
		b = appendSigned(b, z[0], 1)
		b = append(b, " sd, premium share "...)
		b = appendSigned(b, z[1], 1)
		b = append(b, " sd, ticket rate "...)
		b = appendSigned(b, z[2], 1)
		b = append(b, " sd) → Balanced"...)
		rb.add(b, "", 0)
		return b
	}
	as.Segment = m.Segs[top]
	as.Score = z[top] / pos
	as.Scores = scores(s, 3)
	as.Scores[driverZ[top]] = z[top]
	b = appendDescribe(b, f, s.v[f])
	b = append(b, ", "...)
	b = appendSigned(b, z[top], 1)
	b = append(b, " sd from the average account ≥ "...)
	b = appendSigned(b, th, 2)
	b = append(b, " sd → "...)
	b = append(b, as.Segment.Name...)
	rb.add(b, f.String(), z[top])
	return b
}

// maxClusterCols is the width of the cluster rows Assign keeps in its
// work; wider ones are allocated.
const maxClusterCols = 64

func (m *Model) assignCluster(p *prep, s *scored, x *slotSums, as *segment.Assignment, rb *reasons, b []byte, w *work) ([]byte, error) {
	c := m.Clusters
	cp := p.clu
	raw := slotBuf(w.cluRaw[:], len(c.Columns))
	for j := range c.Columns {
		k := cp.idx[j]
		switch cp.kind[j] {
		case cluFeature:
			raw[j] = s.v[k].Or(math.NaN())
		case cluLine:
			raw[j] = max(0, x.lineSum[k])
		case cluChannel:
			raw[j] = max(0, x.chanSum[k])
		default:
			raw[j] = 0
		}
	}
	z := slotBuf(w.cluZ[:], cp.nOut)
	if err := c.Scale.TransformRow(z, raw); err != nil {
		return b, fmt.Errorf("behavior: %w", err)
	}
	km := c.KMeans
	label, _ := km.Predict(z)
	d1, d2 := math.Inf(1), math.Inf(1)
	for k, ctr := range km.Centers {
		d := 0.0
		for j, v := range ctr {
			d += (z[j] - v) * (z[j] - v)
		}
		d = math.Sqrt(d)
		if k == label {
			d1 = d
		} else if d < d2 {
			d2 = d
		}
	}
	as.Segment = m.Segs[label]
	as.Score = 1
	if !math.IsInf(d2, 0) && d2 > 0 {
		as.Score = max(0, min(1, 1-d1/d2))
	}
	as.Scores = scores(s, 2)
	b = append(b, "nearest centre: "...)
	b = append(b, as.Segment.Name...)
	b = append(b, " (distance "...)
	b = appendF(b, d1, 2)
	b = append(b, "; next "...)
	b = appendF(b, d2, 2)
	b = append(b, ')')
	rb.add(b, "", 0)
	// The columns where the account stands farthest from the average,
	// in the direction its cluster does: the two of largest |z| (ties to
	// the first column), as a stable sort by |z| would give.
	ctr := km.Centers[label]
	var top topN
	for j := range c.Columns {
		if ctr[j]*z[j] > 0 {
			top.add(j, math.Abs(z[j]), 2)
		}
	}
	for _, j := range top.idx[:top.n] {
		b = append(b, c.Columns[j]...)
		b = append(b, ": "...)
		b = appendSigned(b, z[j], 1)
		b = append(b, " sd from the average account, as in "...)
		b = append(b, as.Segment.Name...)
		rb.add(b, c.Columns[j], z[j])
	}
	return b, nil
}

// value returns the extra column of a name ("spend:<line>" or
// "channel:<name>"), floored at 0.
func (x *extras) value(name string) float64 {
	if l, ok := strings.CutPrefix(name, linePrefix); ok {
		return math.Max(0, x.lines[l])
	}
	if ch, ok := strings.CutPrefix(name, channelPrefix); ok {
		return math.Max(0, x.channels[ch])
	}
	return 0
}

// drivers adds the reasons of both scores: the n (at most 3) features
// that raise or lower each most for this account, largest effect first,
// ties to the first column, as a stable sort by |effect| would give.
func (m *Model) drivers(p *prep, s *scored, n int, rb *reasons, b []byte) []byte {
	for _, w := range [2]struct {
		what string
		eff  []float64
	}{{" → churn risk ", s.cEff}, {" → expansion ", s.eEff}} {
		var top topN
		for j, e := range w.eff {
			if a := math.Abs(e); a >= 0.05 {
				top.add(j, a, n)
			}
		}
		picked := top.idx[:top.n]
		for _, j := range picked {
			f := p.feat[j]
			e := w.eff[j]
			b = appendDescribe(b, f, s.v[f])
			b = append(b, w.what...)
			if e > 0 {
				b = append(b, "↑ ("...)
			} else {
				b = append(b, "↓ ("...)
			}
			b = appendSigned(b, e, 2)
			b = append(b, " log-odds)"...)
			rb.add(b, f.String(), e)
		}
	}
	return b
}

// topN keeps the (at most 3) indices of largest magnitude offered to add,
// largest first, ties in the order offered: the first n of a stable sort
// by decreasing magnitude.
type topN struct {
	idx [3]int
	mag [3]float64
	n   int
}

// add offers index j of magnitude a (not NaN) to the top n ≤ 3.
func (t *topN) add(j int, a float64, n int) {
	if n <= 0 || t.n == n && a <= t.mag[n-1] {
		return
	}
	i := t.n
	for i > 0 && a > t.mag[i-1] {
		i--
	}
	if t.n < n {
		t.n++
	}
	for q := t.n - 1; q > i; q-- {
		t.idx[q], t.mag[q] = t.idx[q-1], t.mag[q-1]
	}
	t.idx[i], t.mag[i] = j, a
}

// unknownText is each feature's name in words, followed by " unknown".
var unknownText = func() (t [NumFeatures]string) {
	for f := range NumFeatures {
		t[f] = strings.ReplaceAll(featureNames[f], "_", " ") + " unknown"
	}
	return t
}()

// appendDescribe appends a feature's value as a salesperson reads it.
func appendDescribe(b []byte, f Feature, n segment.Num) []byte {
	v, ok := n.Get()
	if !ok {
		if f < 0 || int(f) >= NumFeatures {
			return append(b, strings.ReplaceAll(f.String(), "_", " ")+" unknown"...)
		}
		return append(b, unknownText[f]...)
	}
	switch f {
	case RecencyDays:
		b = append(b, "last purchase "...)
		b = appendNum(b, v)
		return append(b, " days ago"...)
	case InactiveDays:
		b = append(b, "last activity "...)
		b = appendNum(b, v)
		return append(b, " days ago"...)
	case TenureDays:
		b = append(b, "on record for "...)
		b = appendNum(b, v)
		return append(b, " days"...)
	case Frequency:
		if v == 0 {
			return append(b, "no purchases in the window"...)
		}
		b = appendNum(b, v)
		return append(b, " purchases in the window"...)
	case Monetary:
		b = append(b, "net spend "...)
		b = appendNum(b, v)
		return append(b, " in the window"...)
	case SpendTrend:
		b = append(b, "spend "...)
		b = appendChange(b, v)
		return append(b, " over the last trend period"...)
	case UsageTrend:
		b = append(b, "usage "...)
		b = appendChange(b, v)
		return append(b, " over the last trend period"...)
	case UsageSlope:
		b = append(b, "usage "...)
		b = appendSigned(b, 100*(math.Exp(v)-1), 1)
		return append(b, "% a month"...)
	case SeatUtilization:
		b = append(b, "seats used "...)
		b = appendF(b, 100*v, 0)
		return append(b, "% of purchased"...)
	case FeatureBreadth:
		b = appendF(b, 100*v, 0)
		return append(b, "% of features adopted"...)
	case Engagement:
		if v == 0 {
			return append(b, "no interactions in the window"...)
		}
		b = appendF(b, v, 1)
		return append(b, " interactions a month"...)
	case ContentEngagement:
		if v == 0 {
			return append(b, "no content views in the window"...)
		}
		b = appendF(b, v, 1)
		return append(b, " content views a month"...)
	case Channels:
		b = appendNum(b, v)
		return append(b, " channels"...)
	case TicketRate:
		if v == 0 {
			return append(b, "no support tickets in the window"...)
		}
		b = appendF(b, v, 1)
		return append(b, " support tickets a month"...)
	case ReturnShare:
		b = append(b, "returns "...)
		b = appendF(b, 100*v, 0)
		return append(b, "% of purchases"...)
	case DiscountShare:
		b = append(b, "discounts "...)
		b = appendF(b, 100*v, 0)
		return append(b, "% of list value"...)
	case PremiumShare:
		b = append(b, "premium "...)
		b = appendF(b, 100*v, 0)
		return append(b, "% of spend"...)
	case MRR:
		b = append(b, "MRR "...)
		return appendNum(b, v)
	case MRRTrend:
		b = append(b, "MRR "...)
		b = appendChange(b, v)
		return append(b, " over the last trend period"...)
	}
	return fmt.Appendf(b, "%s %v", f, v)
}

// appendChange appends a symmetric change s = (r−p)/(r+p) as a percent
// change.
func appendChange(b []byte, s float64) []byte {
	switch {
	case s >= 1:
		return append(b, "started"...)
	case s <= -1:
		return append(b, "stopped (−100%)"...)
	}
	b = appendSigned(b, 100*2*s/(1-s), 0)
	return append(b, '%')
}

// appendF appends v with prec (0 to 2) decimals, as fmt's %.<prec>f and
// strconv.AppendFloat write it.
func appendF(b []byte, v float64, prec int) []byte {
	if m, ok := fixed(v, prec); ok {
		if math.Signbit(v) {
			b = append(b, '-')
		}
		return appendFixed(b, m, prec)
	}
	return strconv.AppendFloat(b, v, 'f', prec, 64)
}

// appendSigned appends v with prec (0 to 2) decimals and its sign, as
// fmt's %+.<prec>f writes it ("+0.50", "-0.00", "+Inf", "+NaN").
func appendSigned(b []byte, v float64, prec int) []byte {
	if m, ok := fixed(v, prec); ok {
		if math.Signbit(v) {
			b = append(b, '-')
		} else {
			b = append(b, '+')
		}
		return appendFixed(b, m, prec)
	}
	i := len(b)
	b = append(b, '+')
	b = strconv.AppendFloat(b, v, 'f', prec, 64)
	if c := b[i+1]; c == '-' || c == '+' {
		b = append(b[:i], b[i+1:]...)
	}
	return b
}

var pow10 = [3]float64{1, 10, 100}

// fixed returns |v|·10^prec rounded to an integer as strconv rounds v to
// prec decimals (to the nearest, ties to even, on v's exact binary value),
// and false where it cannot tell cheaply: v not finite or too large, or
// |v|·10^prec, computed with one rounding, too near a tie. Away from ties,
// that rounding (half an ulp, below 2⁻¹² for values under 2⁴⁰) cannot move
// the product across the nearest half-integer, so the nearest integer of
// the computed product is that of the exact one.
func fixed(v float64, prec int) (uint64, bool) {
	x := math.Abs(v) * pow10[prec]
	if !(x < 1<<40) { // also NaN and ±Inf
		return 0, false
	}
	r := math.Floor(x)
	f := x - r // exact
	if math.Abs(f-0.5) < 1.0/(1<<10) {
		return 0, false
	}
	m := uint64(r)
	if f > 0.5 {
		m++
	}
	return m, true
}

// appendFixed appends m/10^prec with prec decimals.
func appendFixed(b []byte, m uint64, prec int) []byte {
	var tmp [24]byte
	i := len(tmp)
	for d := 0; d < prec; d++ {
		i--
		tmp[i] = byte('0' + m%10)
		m /= 10
	}
	if prec > 0 {
		i--
		tmp[i] = '.'
	}
	for {
		i--
		tmp[i] = byte('0' + m%10)
		m /= 10
		if m == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// appendNum appends a number rounded to an integer with thousands
// separators, or with one decimal below 10.
func appendNum(b []byte, v float64) []byte {
	if math.Abs(v) < 10 && v != math.Trunc(v) {
		return appendF(b, v, 1)
	}
	var tmp [24]byte
	s := appendF(tmp[:0], math.Abs(v), 0)
	if v < 0 && !(len(s) == 1 && s[0] == '0') {
		b = append(b, '-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, c)
	}
	return b
}
