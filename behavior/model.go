package behavior

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

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
	features(a, m.Options.AsOf, &m.Options, &v, nil)
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

// scored is what Assign computes for one account.
type scored struct {
	v          Vector
	z          []float64 // Scale's outputs
	outCol     []int     // the Column of each output
	known      []bool    // per Column
	churn, exp float64
	cEff, eEff []float64 // per Column
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
	var s scored
	if err := m.score(a, &s); err != nil {
		return segment.Assignment{}, &segment.FieldError{AccountID: a.ID, Err: err}
	}
	as := segment.Assignment{
		AccountID: a.ID,
		Scores:    map[string]float64{"churn_risk": s.churn, "expansion": s.exp},
	}
	var err error
	switch m.Config.Scheme {
	case Lifecycle:
		m.assignLifecycle(&s, &as)
	case RFM:
		m.assignRFM(&s, &as)
	case Drivers:
		m.assignDrivers(&s, &as)
	case Clusters:
		err = m.assignCluster(a, &s, &as)
	default:
		err = fmt.Errorf("behavior: model has scheme %v: %w", m.Config.Scheme, segment.ErrInvalidConfig)
	}
	if err != nil {
		return segment.Assignment{}, &segment.FieldError{AccountID: a.ID, Err: err}
	}
	as.Reasons = append(as.Reasons, m.drivers(&s, 3)...)
	return as, nil
}

// score computes the features and both scores.
func (m *Model) score(a *segment.Account, s *scored) error {
	features(a, m.Options.AsOf, &m.Options, &s.v, nil)
	nc := len(m.Columns)
	raw := make([]float64, nc)
	s.known = make([]bool, nc)
	for j, name := range m.Columns {
		f, _ := ParseFeature(name)
		x, ok := s.v[f].Get()
		s.known[j] = ok
		if !ok {
			x = math.NaN()
		}
		raw[j] = x
	}
	s.z = make([]float64, m.Scale.OutputWidth())
	s.outCol = outputColumns(m.Scale)
	if err := m.Scale.TransformRow(s.z, raw); err != nil {
		return fmt.Errorf("behavior: %w", err)
	}
	var err error
	if s.churn, s.cEff, err = m.Churn.apply(s); err != nil {
		return err
	}
	s.exp, s.eEff, err = m.Expansion.apply(s)
	return err
}

// zClip bounds a standardized value in the health model, so that one
// outlying feature cannot decide a score alone.
const zClip = 4

// apply returns the score of an account and the effect of each Column on
// its log-odds.
func (sc *Scorer) apply(s *scored) (float64, []float64, error) {
	nc := len(s.known)
	eff := make([]float64, nc)
	if !sc.Learned {
		logit := sc.Intercept
		for j := range nc {
			if !s.known[j] || sc.Weights[j] == 0 {
				continue
			}
			eff[j] = sc.Weights[j] * math.Max(-zClip, math.Min(zClip, s.z[j]))
			logit += eff[j]
		}
		return sigmoid(logit), eff, nil
	}
	logit, err := sc.Model.DecisionRow(s.z)
	if err != nil {
		return 0, nil, fmt.Errorf("behavior: churn model: %w", err)
	}
	for k, c := range sc.Model.Coef {
		eff[s.outCol[k]] += c * (s.z[k] - sc.Means[k])
	}
	p := sc.Calibrator.Apply(logit)
	return math.Max(0, math.Min(1, p)), eff, nil
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

func (m *Model) assignLifecycle(s *scored, as *segment.Assignment) {
	t := m.Config.Thresholds
	inactive, ok := s.v[InactiveDays].Get()
	var seg int
	var text string
	switch {
	case !ok:
		seg, as.Score = 4, s.churn
		text = "no activity on record → Dormant"
	case inactive >= t.dormant():
		seg, as.Score = 4, s.churn
		text = fmt.Sprintf("last activity %s days ago ≥ %s → Dormant", num(inactive), num(t.dormant()))
	case s.churn >= t.atRisk():
		seg, as.Score = 3, s.churn
		text = fmt.Sprintf("churn risk %.2f ≥ %.2f → At risk", s.churn, t.atRisk())
	case s.churn >= t.watch():
		seg, as.Score = 2, s.churn
		text = fmt.Sprintf("churn risk %.2f ≥ %.2f → Watch", s.churn, t.watch())
	case s.exp >= t.expand():
		seg, as.Score = 0, s.exp
		text = fmt.Sprintf("expansion potential %.2f ≥ %.2f and churn risk %.2f < %.2f → Expand", s.exp, t.expand(), s.churn, t.watch())
	default:
		seg, as.Score = 1, 1-s.churn
		text = fmt.Sprintf("churn risk %.2f < %.2f, expansion potential %.2f < %.2f → Healthy", s.churn, t.watch(), s.exp, t.expand())
	}
	as.Segment = m.Segs[seg]
	as.Reasons = append(as.Reasons, segment.Reason{Text: text})
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

func (m *Model) assignRFM(s *scored, as *segment.Assignment) {
	rec, ok := s.v[RecencyDays].Get()
	w := m.Options.windowDays()
	if !ok {
		as.Segment = m.Segs[len(rfmSegs)-1]
		as.Score = 0
		as.Reasons = append(as.Reasons, segment.Reason{Text: "no purchase on record → No purchases", Field: RecencyDays.String()})
		return
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
	as.Scores["r"], as.Scores["f"], as.Scores["m"], as.Scores["fm"] = float64(r), float64(fs), float64(ms), float64(fm)
	as.Reasons = append(as.Reasons, segment.Reason{
		Text: fmt.Sprintf("R %d (last purchase %s days ago), F %d (%s purchases in %d days), M %d (net spend %s) → FM %d → %s",
			r, num(rec), fs, num(f), w, ms, num(mon), fm, as.Segment.Name),
		Field: RecencyDays.String(),
	})
}

func (m *Model) assignDrivers(s *scored, as *segment.Assignment) {
	var z [3]float64
	for i, f := range driverFeatures {
		if j := slices.Index(m.Columns, f.String()); j >= 0 && s.known[j] {
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
		pos += math.Max(0, v)
	}
	f := driverFeatures[top]
	if z[top] < th {
		as.Segment = m.Segs[3]
		as.Score = 1 - math.Max(0, z[top])/th
		as.Reasons = append(as.Reasons, segment.Reason{
			Text: fmt.Sprintf("no buying driver ≥ %+.2f sd above the average account (discount share %+.1f sd, premium share %+.1f sd, ticket rate %+.1f sd) → Balanced",
				th, z[0], z[1], z[2]),
		})
		return
	}
	as.Segment = m.Segs[top]
	as.Score = z[top] / pos
	as.Scores[f.String()+"_z"] = z[top]
	as.Reasons = append(as.Reasons, segment.Reason{
		Text:   fmt.Sprintf("%s, %+.1f sd from the average account ≥ %+.2f sd → %s", describe(f, s.v[f]), z[top], th, as.Segment.Name),
		Field:  f.String(),
		Effect: z[top],
	})
}

func (m *Model) assignCluster(a *segment.Account, s *scored, as *segment.Assignment) error {
	c := m.Clusters
	raw, err := m.clusterRow(a, s)
	if err != nil {
		return err
	}
	x := make([]float64, c.Scale.OutputWidth())
	if err := c.Scale.TransformRow(x, raw); err != nil {
		return fmt.Errorf("behavior: %w", err)
	}
	km := c.KMeans
	label, _ := km.Predict(x)
	d1, d2 := math.Inf(1), math.Inf(1)
	for k, ctr := range km.Centers {
		d := 0.0
		for j, v := range ctr {
			d += (x[j] - v) * (x[j] - v)
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
		as.Score = math.Max(0, math.Min(1, 1-d1/d2))
	}
	as.Reasons = append(as.Reasons, segment.Reason{
		Text: fmt.Sprintf("nearest centre: %s (distance %.2f; next %.2f)", as.Segment.Name, d1, d2),
	})
	// The columns where the account stands farthest from the average,
	// in the direction its cluster does.
	ctr := km.Centers[label]
	type col struct {
		j int
		v float64
	}
	var cols []col
	for j := range c.Columns {
		if ctr[j]*x[j] > 0 {
			cols = append(cols, col{j, x[j]})
		}
	}
	slices.SortStableFunc(cols, func(p, q col) int { return cmp.Compare(math.Abs(q.v), math.Abs(p.v)) })
	for _, cl := range cols[:min(2, len(cols))] {
		as.Reasons = append(as.Reasons, segment.Reason{
			Text:   fmt.Sprintf("%s: %+.1f sd from the average account, as in %s", c.Columns[cl.j], cl.v, as.Segment.Name),
			Field:  c.Columns[cl.j],
			Effect: cl.v,
		})
	}
	return nil
}

// clusterRow returns the raw values of the cluster columns.
func (m *Model) clusterRow(a *segment.Account, s *scored) ([]float64, error) {
	c := m.Clusters
	raw := make([]float64, len(c.Columns))
	var x *extras
	for j, name := range c.Columns {
		if f, ok := ParseFeature(name); ok {
			raw[j] = s.v[f].Or(math.NaN())
			continue
		}
		if x == nil {
			x = newExtras()
			var v Vector
			features(a, m.Options.AsOf, &m.Options, &v, x)
		}
		raw[j] = x.value(name)
	}
	return raw, nil
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

// drivers returns the reasons of both scores: the n features that raise
// or lower each most for this account, largest effect first.
func (m *Model) drivers(s *scored, n int) []segment.Reason {
	var out []segment.Reason
	for _, w := range []struct {
		what string
		eff  []float64
	}{{"churn risk", s.cEff}, {"expansion", s.eEff}} {
		idx := make([]int, 0, len(w.eff))
		for j, e := range w.eff {
			if math.Abs(e) >= 0.05 {
				idx = append(idx, j)
			}
		}
		slices.SortStableFunc(idx, func(p, q int) int { return cmp.Compare(math.Abs(w.eff[q]), math.Abs(w.eff[p])) })
		for _, j := range idx[:min(n, len(idx))] {
			f, _ := ParseFeature(m.Columns[j])
			out = append(out, segment.Reason{
				Text:   fmt.Sprintf("%s → %s %s", describe(f, s.v[f]), w.what, arrow(w.eff[j])),
				Field:  f.String(),
				Effect: w.eff[j],
			})
		}
	}
	return out
}

func arrow(e float64) string {
	if e > 0 {
		return fmt.Sprintf("↑ (%+.2f log-odds)", e)
	}
	return fmt.Sprintf("↓ (%+.2f log-odds)", e)
}

// describe says a feature's value as a salesperson reads it.
func describe(f Feature, n segment.Num) string {
	v, ok := n.Get()
	if !ok {
		return strings.ReplaceAll(f.String(), "_", " ") + " unknown"
	}
	switch f {
	case RecencyDays:
		return fmt.Sprintf("last purchase %s days ago", num(v))
	case InactiveDays:
		return fmt.Sprintf("last activity %s days ago", num(v))
	case TenureDays:
		return fmt.Sprintf("on record for %s days", num(v))
	case Frequency:
		if v == 0 {
			return "no purchases in the window"
		}
		return fmt.Sprintf("%s purchases in the window", num(v))
	case Monetary:
		return fmt.Sprintf("net spend %s in the window", num(v))
	case SpendTrend:
		return "spend " + change(v) + " over the last trend period"
	case UsageTrend:
		return "usage " + change(v) + " over the last trend period"
	case UsageSlope:
		return fmt.Sprintf("usage %+.1f%% a month", 100*(math.Exp(v)-1))
	case SeatUtilization:
		return fmt.Sprintf("seats used %.0f%% of purchased", 100*v)
	case FeatureBreadth:
		return fmt.Sprintf("%.0f%% of features adopted", 100*v)
	case Engagement:
		if v == 0 {
			return "no interactions in the window"
		}
		return fmt.Sprintf("%.1f interactions a month", v)
	case ContentEngagement:
		if v == 0 {
			return "no content views in the window"
		}
		return fmt.Sprintf("%.1f content views a month", v)
	case Channels:
		return fmt.Sprintf("%s channels", num(v))
	case TicketRate:
		if v == 0 {
			return "no support tickets in the window"
		}
		return fmt.Sprintf("%.1f support tickets a month", v)
	case ReturnShare:
		return fmt.Sprintf("returns %.0f%% of purchases", 100*v)
	case DiscountShare:
		return fmt.Sprintf("discounts %.0f%% of list value", 100*v)
	case PremiumShare:
		return fmt.Sprintf("premium %.0f%% of spend", 100*v)
	case MRR:
		return "MRR " + num(v)
	case MRRTrend:
		return "MRR " + change(v) + " over the last trend period"
	}
	return fmt.Sprintf("%s %v", f, v)
}

// change writes a symmetric change s = (r−p)/(r+p) as a percent change.
func change(s float64) string {
	switch {
	case s >= 1:
		return "started"
	case s <= -1:
		return "stopped (−100%)"
	}
	return fmt.Sprintf("%+.0f%%", 100*2*s/(1-s))
}

// num writes a number rounded to an integer with thousands separators, or
// with one decimal below 10.
func num(v float64) string {
	if math.Abs(v) < 10 && v != math.Trunc(v) {
		return fmt.Sprintf("%.1f", v)
	}
	s := fmt.Sprintf("%.0f", math.Abs(v))
	var b strings.Builder
	if v < 0 && s != "0" {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
