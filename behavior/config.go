package behavior

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

// Scheme is the segmentation a Model assigns. Every scheme also scores
// churn risk and expansion potential. The zero value is [Lifecycle]. It
// marshals as its name ("lifecycle", "rfm", "drivers", "clusters").
type Scheme uint8

// The schemes.
const (
	// Lifecycle places each account in Expand, Healthy, Watch, At risk or
	// Dormant from its two scores and its inactivity (see [Thresholds]).
	Lifecycle Scheme = iota
	// RFM scores recency, frequency and monetary value from 1 to 5 by the
	// fitted quintiles and maps R and FM = ⌈(F + M) / 2⌉ onto the usual
	// eleven segments (see the package doc); accounts without purchases
	// get a segment of their own.
	RFM
	// Drivers places each account by what drives its buying: Price-driven
	// (discount share), Quality-driven (premium share), Support-driven
	// (ticket rate), or Balanced when none stands out.
	Drivers
	// Clusters learns behavioral clusters with the clustering core's
	// k-means on the standardized features (and the net spend per product
	// line), with k chosen by the core's ChooseK unless Config.K is set.
	Clusters
)

var schemeNames = [...]string{"lifecycle", "rfm", "drivers", "clusters"}

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
		return nil, fmt.Errorf("behavior: invalid scheme %d", int(s))
	}
	return []byte(schemeNames[s]), nil
}

// UnmarshalText decodes a scheme's name, any case; "" is [Lifecycle].
func (s *Scheme) UnmarshalText(b []byte) error {
	v := strings.ToLower(strings.TrimSpace(string(b)))
	if v == "" {
		*s = Lifecycle
		return nil
	}
	i := slices.Index(schemeNames[:], v)
	if i < 0 {
		return fmt.Errorf("behavior: %q is not a scheme (%s): %w", b, strings.Join(schemeNames[:], ", "), segment.ErrInvalidConfig)
	}
	*s = Scheme(i)
	return nil
}

// ChurnModel says how churn risk is scored. The zero value is [ChurnAuto].
// It marshals as its name ("auto", "health", "learned").
type ChurnModel uint8

// The churn models.
const (
	// ChurnAuto learns the model when the fitted accounts carry enough
	// Churned labels (Config.MinLabels, and Config.MinClass of each
	// class), and uses the health model otherwise.
	ChurnAuto ChurnModel = iota
	// ChurnHealth always uses the transparent health model: standardized
	// features weighted by Config.ChurnWeights through a logistic link.
	ChurnHealth
	// ChurnLearned always learns: a regularized logistic regression on the
	// labelled accounts, cross-validated and Platt-calibrated. Fit fails
	// without enough labels.
	ChurnLearned
)

var churnNames = [...]string{"auto", "health", "learned"}

func (c ChurnModel) valid() bool { return int(c) < len(churnNames) }

// String returns the model's name.
func (c ChurnModel) String() string {
	if !c.valid() {
		return fmt.Sprintf("ChurnModel(%d)", int(c))
	}
	return churnNames[c]
}

// MarshalText encodes the model's name.
func (c ChurnModel) MarshalText() ([]byte, error) {
	if !c.valid() {
		return nil, fmt.Errorf("behavior: invalid churn model %d", int(c))
	}
	return []byte(churnNames[c]), nil
}

// UnmarshalText decodes a model's name, any case; "" is [ChurnAuto].
func (c *ChurnModel) UnmarshalText(b []byte) error {
	v := strings.ToLower(strings.TrimSpace(string(b)))
	if v == "" {
		*c = ChurnAuto
		return nil
	}
	i := slices.Index(churnNames[:], v)
	if i < 0 {
		return fmt.Errorf("behavior: %q is not a churn model (%s): %w", b, strings.Join(churnNames[:], ", "), segment.ErrInvalidConfig)
	}
	*c = ChurnModel(i)
	return nil
}

// Thresholds are the cut-offs of the [Lifecycle] and [Drivers] schemes.
// A zero field takes its default.
type Thresholds struct {
	// DormantDays: an account inactive (InactiveDays) for at least this
	// many days, or with no activity at all, is Dormant; 0 means 180.
	DormantDays float64 `json:"dormant_days,omitempty"`
	// AtRisk: churn risk at or above it is At risk; 0 means 0.5.
	AtRisk float64 `json:"at_risk,omitempty"`
	// Watch: churn risk at or above it (below AtRisk) is Watch; 0 means
	// 0.3.
	Watch float64 `json:"watch,omitempty"`
	// Expand: expansion potential at or above it, with churn risk below
	// Watch, is Expand; 0 means 0.5.
	Expand float64 `json:"expand,omitempty"`
	// Driver: in the Drivers scheme, the standardized score (in standard
	// deviations above the fitted mean) the top driver must reach; below
	// it the account is Balanced. 0 means 0.75.
	Driver float64 `json:"driver,omitempty"`
}

func (t Thresholds) dormant() float64 { return defF(t.DormantDays, 180) }
func (t Thresholds) atRisk() float64  { return defF(t.AtRisk, 0.5) }
func (t Thresholds) watch() float64   { return defF(t.Watch, 0.3) }
func (t Thresholds) expand() float64  { return defF(t.Expand, 0.5) }
func (t Thresholds) driver() float64  { return defF(t.Driver, 0.75) }

func defF(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// DefaultChurnWeights returns (a copy of) the health model's weights of
// churn risk: each multiplies the feature's standardized value (z-score, on
// ln(1+x) for counts, days and money), and their sum, plus
// logit(ChurnBase), is the log-odds of churn. Positive weights raise the
// risk.
func DefaultChurnWeights() map[string]float64 { return maps.Clone(defaultChurnWeights) }

var defaultChurnWeights = map[string]float64{
	"inactive_days":    0.7,
	"recency_days":     0.5,
	"frequency":        -0.3,
	"monetary":         -0.2,
	"spend_trend":      -0.3,
	"usage_trend":      -0.5,
	"usage_slope":      -0.8,
	"seat_utilization": -0.6,
	"feature_breadth":  -0.3,
	"engagement":       -0.2,
	"ticket_rate":      0.6,
	"return_share":     0.2,
	"mrr_trend":        -0.4,
	"tenure_days":      -0.2,
}

// DefaultExpansionWeights returns (a copy of) the health model's weights of
// expansion potential, read as [DefaultChurnWeights] are, with
// logit(ExpansionBase).
func DefaultExpansionWeights() map[string]float64 { return maps.Clone(defaultExpansionWeights) }

var defaultExpansionWeights = map[string]float64{
	"seat_utilization":   0.9,
	"feature_breadth":    0.5,
	"usage_trend":        0.4,
	"usage_slope":        0.4,
	"frequency":          0.3,
	"monetary":           0.3,
	"spend_trend":        0.3,
	"engagement":         0.2,
	"content_engagement": 0.3,
	"mrr_trend":          0.3,
	"inactive_days":      -0.6,
	"ticket_rate":        -0.2,
}

// Config configures a behavioral [Segmenter]. It is plain data and its zero
// value works: the lifecycle scheme, windows of 365 and 90 days ending at
// the latest record of the fitted accounts, a churn model learned when
// labels allow, the default weights and thresholds.
type Config struct {
	// Scheme is the segmentation assigned; zero is [Lifecycle].
	Scheme Scheme `json:"scheme"`
	// AsOf is the date the feature windows end at; records after it are
	// ignored. Zero means the latest record time in the fitted accounts,
	// stored in the Model; the clock is never read.
	AsOf time.Time `json:"as_of,omitzero"`
	// WindowDays, TrendDays and SlopeMonths set the windows (see
	// [Options]); 0 means 365, 90 and 12.
	WindowDays  int `json:"window_days,omitempty"`
	TrendDays   int `json:"trend_days,omitempty"`
	SlopeMonths int `json:"slope_months,omitempty"`
	// KnownFeatures lists the product's features, as usage metrics
	// ("feature:sso"); nil means every "feature:" metric seen in the
	// fitted accounts.
	KnownFeatures []string `json:"known_features,omitempty"`
	// PremiumLines names the product lines whose spend is premium; nil
	// judges orders by unit price against their line's fitted median.
	PremiumLines []string `json:"premium_lines,omitempty"`

	// Churn selects the churn model; zero is [ChurnAuto].
	Churn ChurnModel `json:"churn"`
	// MinLabels and MinClass are the labelled accounts, and the accounts
	// of the rarer class among them, that ChurnAuto needs to learn; 0
	// means 100 and 20. ChurnLearned needs at least 2 × folds (10) of
	// each class.
	MinLabels int `json:"min_labels,omitempty"`
	MinClass  int `json:"min_class,omitempty"`
	// Cs is the grid of inverse regularization strengths the learned model
	// chooses from by cross-validated AUC; nil means 0.01, 0.1, 1, 10.
	Cs []float64 `json:"cs,omitempty"`
	// ChurnWeights and ExpansionWeights are the health model's weights by
	// feature name (see [DefaultChurnWeights]); nil means the defaults. A
	// map given replaces the defaults entirely.
	ChurnWeights     map[string]float64 `json:"churn_weights,omitempty"`
	ExpansionWeights map[string]float64 `json:"expansion_weights,omitempty"`
	// ChurnBase and ExpansionBase are the health model's scores of an
	// account that is average in every feature, in (0, 1); 0 means 0.15
	// and 0.2.
	ChurnBase     float64 `json:"churn_base,omitempty"`
	ExpansionBase float64 `json:"expansion_base,omitempty"`
	// Thresholds are the cut-offs of the Lifecycle and Drivers schemes.
	Thresholds Thresholds `json:"thresholds,omitzero"`

	// K is the number of clusters of the Clusters scheme; 0 chooses it
	// from 2 to MaxK with the clustering core's ChooseK (vote rule).
	K int `json:"k,omitempty"`
	// MaxK bounds the choice of K; 0 means 8.
	MaxK int `json:"max_k,omitempty"`
	// ClusterFeatures names the columns the Clusters scheme clusters on:
	// feature names, "spend:<product line>" (net spend on the line in the
	// window) and "channel:<channel>" (interactions other than tickets on
	// the channel in the window, per 30 days), the last two through
	// ln(1+x). Nil means every feature known for some fitted account, plus
	// the spend of the (up to MaxLines) product lines of highest spend and
	// the interactions of the (up to MaxLines) busiest channels, each when
	// there are at least two.
	ClusterFeatures []string `json:"cluster_features,omitempty"`
	// MaxLines caps the product lines, and the channels, of the default
	// cluster columns; 0 means 8.
	MaxLines int `json:"max_lines,omitempty"`

	// Seed seeds the folds of the learned model and the k-means fits.
	Seed uint64 `json:"seed"`
	// Workers is the number of goroutines of Fit; 0 means GOMAXPROCS. The
	// Model does not depend on it.
	Workers int `json:"workers,omitempty"`
	// Progress, when not nil, is called as Fit advances (stages
	// "features", "churn fold", "churn refit", "churn", "clusters …"),
	// from one goroutine at a time.
	Progress func(segment.Progress) `json:"-"`
}

// Prefixes of the per-line and per-channel cluster columns.
const (
	linePrefix    = "spend:"
	channelPrefix = "channel:"
)

func (c *Config) minLabels() int { return defInt(c.MinLabels, 100) }
func (c *Config) minClass() int  { return defInt(c.MinClass, 20) }
func (c *Config) maxK() int      { return defInt(c.MaxK, 8) }
func (c *Config) maxLines() int  { return defInt(c.MaxLines, 8) }
func (c *Config) cs() []float64 {
	if c.Cs == nil {
		return []float64{0.01, 0.1, 1, 10}
	}
	return c.Cs
}
func (c *Config) churnWeights() map[string]float64 {
	if c.ChurnWeights == nil {
		return defaultChurnWeights
	}
	return c.ChurnWeights
}
func (c *Config) expansionWeights() map[string]float64 {
	if c.ExpansionWeights == nil {
		return defaultExpansionWeights
	}
	return c.ExpansionWeights
}
func (c *Config) churnBase() float64     { return defF(c.ChurnBase, 0.15) }
func (c *Config) expansionBase() float64 { return defF(c.ExpansionBase, 0.2) }

// Validate reports every problem with the config, joined, each naming the
// field and value and wrapping [segment.ErrInvalidConfig].
func (c Config) Validate() error {
	var errs []error
	bad := func(field string, v any, why string) {
		errs = append(errs, fmt.Errorf("behavior: config %s = %v: %s: %w", field, v, why, segment.ErrInvalidConfig))
	}
	if !c.Scheme.valid() {
		bad("Scheme", int(c.Scheme), "not a scheme")
	}
	if !c.Churn.valid() {
		bad("Churn", int(c.Churn), "not a churn model")
	}
	for _, f := range []struct {
		name string
		v    int
		max  int
	}{
		{"WindowDays", c.WindowDays, 100 * 366},
		{"TrendDays", c.TrendDays, 100 * 366},
		{"SlopeMonths", c.SlopeMonths, maxSlopeMonths},
		{"MinLabels", c.MinLabels, math.MaxInt},
		{"MinClass", c.MinClass, math.MaxInt},
		{"K", c.K, 1000},
		{"MaxK", c.MaxK, 1000},
		{"MaxLines", c.MaxLines, 1000},
		{"Workers", c.Workers, math.MaxInt},
	} {
		if f.v < 0 {
			bad(f.name, f.v, "negative")
		} else if f.v > f.max {
			bad(f.name, f.v, fmt.Sprintf("above %d", f.max))
		}
	}
	if c.SlopeMonths != 0 && c.SlopeMonths < 3 {
		bad("SlopeMonths", c.SlopeMonths, "a slope needs at least 3 months")
	}
	if w, tr := defInt(c.WindowDays, 365), defInt(c.TrendDays, 90); c.WindowDays >= 0 && c.TrendDays >= 0 && 2*tr > w {
		bad("TrendDays", tr, fmt.Sprintf("two trend periods exceed the window of %d days", w))
	}
	if c.K != 0 && c.MaxK != 0 && c.K > c.MaxK {
		bad("K", c.K, fmt.Sprintf("above MaxK %d", c.MaxK))
	}
	for i, v := range c.Cs {
		if !(v > 0) || math.IsInf(v, 0) {
			bad(fmt.Sprintf("Cs[%d]", i), v, "not a finite positive number")
		}
	}
	checkWeights := func(name string, m map[string]float64) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if _, ok := ParseFeature(k); !ok {
				bad(name+"["+k+"]", m[k], "no such feature (see FeatureNames)")
			} else if v := m[k]; math.IsNaN(v) || math.IsInf(v, 0) {
				bad(name+"["+k+"]", v, "not finite")
			}
		}
	}
	checkWeights("ChurnWeights", c.ChurnWeights)
	checkWeights("ExpansionWeights", c.ExpansionWeights)
	for _, f := range []struct {
		name string
		v    float64
	}{{"ChurnBase", c.ChurnBase}, {"ExpansionBase", c.ExpansionBase}} {
		if math.IsNaN(f.v) || f.v < 0 || f.v >= 1 {
			bad(f.name, f.v, "not in (0, 1)")
		}
	}
	t := c.Thresholds
	for _, f := range []struct {
		name string
		v    float64
	}{{"AtRisk", t.AtRisk}, {"Watch", t.Watch}, {"Expand", t.Expand}} {
		if math.IsNaN(f.v) || f.v < 0 || f.v > 1 {
			bad("Thresholds."+f.name, f.v, "not in [0, 1]")
		}
	}
	if t.watch() > t.atRisk() {
		bad("Thresholds.Watch", t.watch(), fmt.Sprintf("above AtRisk %v", t.atRisk()))
	}
	if math.IsNaN(t.DormantDays) || math.IsInf(t.DormantDays, 0) || t.DormantDays < 0 {
		bad("Thresholds.DormantDays", t.DormantDays, "not a finite number ≥ 0")
	}
	if math.IsNaN(t.Driver) || math.IsInf(t.Driver, 0) || t.Driver < 0 {
		bad("Thresholds.Driver", t.Driver, "not a finite number ≥ 0")
	}
	for i, f := range c.KnownFeatures {
		if !strings.HasPrefix(f, segment.MetricFeaturePrefix) || len(f) == len(segment.MetricFeaturePrefix) {
			bad(fmt.Sprintf("KnownFeatures[%d]", i), fmt.Sprintf("%q", f), `not a "feature:" usage metric`)
		}
	}
	for i, f := range c.ClusterFeatures {
		_, ok := ParseFeature(f)
		for _, p := range []string{linePrefix, channelPrefix} {
			ok = ok || (strings.HasPrefix(f, p) && len(f) > len(p))
		}
		if !ok {
			bad(fmt.Sprintf("ClusterFeatures[%d]", i), fmt.Sprintf("%q", f), `neither a feature name, "spend:<line>" nor "channel:<channel>"`)
		}
	}
	return errors.Join(errs...)
}
