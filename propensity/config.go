package propensity

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/classify"
)

// Defaults of [Config].
const (
	DefaultFolds           = 5
	DefaultHotShare        = 0.2
	DefaultWarmShare       = 0.3
	DefaultWindowDays      = 180
	DefaultMinLevelCount   = 10
	DefaultMaxTechnologies = 30
	DefaultLeakageAUC      = 0.8
	DefaultMinBuyers       = 20
	DefaultTopLines        = 3
)

// DefaultCs returns the grid of regularization strengths that
// cross-validation chooses from when Config.C and Config.Cs are unset.
func DefaultCs() []float64 { return []float64{0.01, 0.1, 1, 10} }

// Calibration says how the model's log-odds become probabilities.
type Calibration string

// The calibrations.
const (
	Platt    Calibration = "platt"    // a sigmoid fitted to the out-of-fold log-odds (the default)
	Isotonic Calibration = "isotonic" // a non-decreasing step function (pool adjacent violators)
	NoCalib  Calibration = "none"     // the logistic regression's own probabilities
)

// Bands says how accounts are banded by probability.
type Bands string

// The band schemes.
const (
	// HotWarmCold cuts three bands, hot, warm and cold: by default the top
	// HotShare of the fitted accounts' out-of-fold probabilities are hot,
	// the next WarmShare warm; Thresholds fixes the cuts instead.
	HotWarmCold Bands = "hot-warm-cold"
	// Deciles cuts ten bands of equal size by the fitted accounts'
	// out-of-fold probabilities, decile 1 the highest.
	Deciles Bands = "deciles"
)

// LeakagePolicy says what Fit does with a field that alone predicts the
// label almost perfectly.
type LeakagePolicy string

// The leakage policies.
const (
	LeakWarn   LeakagePolicy = "warn"   // keep it, and name it in Model.Leakage (the default)
	LeakDrop   LeakagePolicy = "drop"   // leave it out of the model, and name it in Model.Leakage
	LeakRefuse LeakagePolicy = "refuse" // Fit returns an error wrapping ErrLeakage
	LeakOff    LeakagePolicy = "off"    // do not screen the fields
)

// Config configures a propensity [Segmenter]. It is plain data; its zero
// value works: every standard field of the account, engagement over the
// 180 days before each account's cut-off, C chosen from [DefaultCs] by
// 5-fold stratified cross-validation on ROC AUC, Platt calibration, hot,
// warm and cold bands of 20%, 30% and 50%, and a leakage warning at a
// single-field AUC of 0.95.
type Config struct {
	// C fixes the inverse regularization strength (as scikit-learn's C:
	// larger is weaker) when positive; 0 chooses it from Cs by
	// cross-validated ROC AUC.
	C float64 `json:"c,omitempty"`
	// Cs is the grid C is chosen from; nil means DefaultCs().
	Cs []float64 `json:"cs,omitempty"`
	// Penalty is the regularization: L2 (the zero value), L1 or elastic
	// net (see classify.Penalty); L1Ratio is the elastic net's share of L1.
	Penalty classify.Penalty `json:"penalty,omitempty"`
	L1Ratio float64          `json:"l1_ratio,omitempty"`
	// Balanced weighs the two classes equally in the fit (calibration
	// brings the probabilities back to the observed rate).
	Balanced bool `json:"balanced,omitempty"`
	// Folds is the number of stratified cross-validation folds that choose
	// C, measure the model and feed the calibration; 0 means 5.
	Folds int `json:"folds,omitempty"`
	// Calibration maps log-odds to probabilities; "" means Platt.
	Calibration Calibration `json:"calibration,omitempty"`

	// Bands is the band scheme; "" means HotWarmCold.
	Bands Bands `json:"bands,omitempty"`
	// Thresholds, for HotWarmCold, fixes the cuts as two probabilities
	// [warm, hot], ascending in (0, 1): p ≥ hot is hot, p ≥ warm is warm.
	// Nil cuts by HotShare and WarmShare.
	Thresholds []float64 `json:"thresholds,omitempty"`
	// HotShare and WarmShare are the shares of the fitted accounts (by
	// out-of-fold probability) in the hot and warm bands; 0 means 0.2 and
	// 0.3. Their sum must stay below 1.
	HotShare  float64 `json:"hot_share,omitempty"`
	WarmShare float64 `json:"warm_share,omitempty"`

	// Numbers lists the keys of Account.Numbers to use as numeric features.
	Numbers []string `json:"numbers,omitempty"`
	// LogNumbers lists the keys of Numbers whose values are skewed
	// amounts or counts, to take sign(x)·ln(1+|x|) of before scaling;
	// the others are scaled as they are.
	LogNumbers []string `json:"log_numbers,omitempty"`
	// Text lists the keys of Account.Text to use as categorical features.
	Text []string `json:"text,omitempty"`
	// Exclude lists fields to leave out, by the names the Model's reasons
	// use in Reason.Field ("industry", "technologies[Excel]",
	// "events[trial]", "text[Tags]").
	Exclude []string `json:"exclude,omitempty"`
	// WindowDays is the length of the engagement window, in days, that
	// ends at each account's cut-off; 0 means 180.
	WindowDays int `json:"window_days,omitempty"`
	// Recency adds the days from the account's last interaction to the end
	// of its engagement window as a feature. It is off by default: without
	// a date at which a lost lead was lost, the window of an account that
	// has not bought ends at its last interaction, so the feature measures
	// the bookkeeping rather than the lead (the leakage screen flags it).
	// Turn it on when every fitted account's events were taken as of its
	// decision, as in a snapshot of open leads.
	Recency bool `json:"recency,omitempty"`
	// AsOf is the date engagement is measured at for accounts that have
	// not bought; zero means the latest dated record (event, order,
	// subscription, usage) among the accounts given to Fit.
	AsOf time.Time `json:"as_of,omitzero"`
	// MinLevelCount groups the categorical levels seen fewer times among
	// the fitted accounts into "other", and keeps only the technologies
	// and event kinds seen on at least that many accounts; 0 means 10.
	MinLevelCount int `json:"min_level_count,omitempty"`
	// MaxTechnologies bounds the technologies used as features, the most
	// frequent first; 0 means 30.
	MaxTechnologies int `json:"max_technologies,omitempty"`

	// Leakage is what Fit does with a leaking field; "" means LeakWarn.
	Leakage LeakagePolicy `json:"leakage,omitempty"`
	// LeakageAUC is the single-field cross-validated ROC AUC, on the
	// accounts where the field is known, at or above which a field leaks;
	// 0 means 0.8 (on the real leads data, Tags scores 0.98 and Lead
	// Quality 0.86 where filled in, and no pre-sales field above 0.66). It
	// must be in (0.5, 1].
	LeakageAUC float64 `json:"leakage_auc,omitempty"`

	// MinBuyers is, for cross-sell, the least number of accounts that
	// bought a product line (and that did not) for the line to get a
	// model; 0 means 20.
	MinBuyers int `json:"min_buyers,omitempty"`
	// TopLines is, for cross-sell, the number of product lines not yet
	// bought named in the reasons; 0 means 3.
	TopLines int `json:"top_lines,omitempty"`

	// Seed seeds the fold shuffle.
	Seed uint64 `json:"seed"`
	// Workers is the number of goroutines of the fits; 0 means GOMAXPROCS.
	// The Model does not depend on it.
	Workers int `json:"workers,omitempty"`
	// Progress, when not nil, reports the fits as they finish.
	Progress func(segment.Progress) `json:"-"`
}

// Validate reports every problem with the config, joined, each naming the
// field and value and wrapping segment.ErrInvalidConfig.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("propensity: config: %s "+format+": %w", append(append([]any{field}, args...), segment.ErrInvalidConfig)...))
	}
	if !finite(c.C) || c.C < 0 {
		bad("c", "is %v, not a finite number ≥ 0", c.C)
	}
	for i, v := range c.Cs {
		if !finite(v) || v <= 0 {
			bad("cs", "[%d] is %v, not a finite positive number", i, v)
		}
	}
	lc := classify.LogisticConfig{Penalty: c.Penalty, L1Ratio: c.L1Ratio}
	if err := lc.Validate(); err != nil {
		bad("penalty", "is %v with l1_ratio %v (%v)", c.Penalty, c.L1Ratio, err)
	}
	if c.Folds < 0 || c.Folds == 1 || c.Folds > 100 {
		bad("folds", "is %d, not 0 or 2…100", c.Folds)
	}
	switch c.Calibration {
	case "", Platt, Isotonic, NoCalib:
	default:
		bad("calibration", "is %q, not platt, isotonic or none", c.Calibration)
	}
	switch c.Bands {
	case "", HotWarmCold, Deciles:
	default:
		bad("bands", "is %q, not hot-warm-cold or deciles", c.Bands)
	}
	if c.Thresholds != nil {
		t := c.Thresholds
		if len(t) != 2 || !(t[0] > 0 && t[0] < t[1] && t[1] < 1) {
			bad("thresholds", "is %v, not two ascending probabilities in (0, 1)", t)
		}
	}
	if !finite(c.HotShare) || c.HotShare < 0 || c.HotShare >= 1 {
		bad("hot_share", "is %v, not in [0, 1)", c.HotShare)
	}
	if !finite(c.WarmShare) || c.WarmShare < 0 || c.WarmShare >= 1 {
		bad("warm_share", "is %v, not in [0, 1)", c.WarmShare)
	}
	if h, w := c.hotShare(), c.warmShare(); h+w >= 1 {
		bad("hot_share", "and warm_share add up to %v, not below 1", h+w)
	}
	for i, k := range c.Numbers {
		if k == "" || slices.Index(c.Numbers, k) != i {
			bad("numbers", "[%d] is %q, empty or repeated", i, k)
		}
	}
	for i, k := range c.LogNumbers {
		if !slices.Contains(c.Numbers, k) {
			bad("log_numbers", "[%d] is %q, not among numbers", i, k)
		}
	}
	for i, k := range c.Text {
		if k == "" || slices.Index(c.Text, k) != i {
			bad("text", "[%d] is %q, empty or repeated", i, k)
		}
	}
	if c.WindowDays < 0 {
		bad("window_days", "is %d, negative", c.WindowDays)
	}
	if c.MinLevelCount < 0 {
		bad("min_level_count", "is %d, negative", c.MinLevelCount)
	}
	if c.MaxTechnologies < 0 {
		bad("max_technologies", "is %d, negative", c.MaxTechnologies)
	}
	switch c.Leakage {
	case "", LeakWarn, LeakDrop, LeakRefuse, LeakOff:
	default:
		bad("leakage", "is %q, not warn, drop, refuse or off", c.Leakage)
	}
	if c.LeakageAUC != 0 && !(c.LeakageAUC > 0.5 && c.LeakageAUC <= 1) {
		bad("leakage_auc", "is %v, not in (0.5, 1]", c.LeakageAUC)
	}
	if c.MinBuyers < 0 {
		bad("min_buyers", "is %d, negative", c.MinBuyers)
	}
	if c.TopLines < 0 {
		bad("top_lines", "is %d, negative", c.TopLines)
	}
	if c.Workers < 0 {
		bad("workers", "is %d, negative", c.Workers)
	}
	return errors.Join(errs...)
}

func (c *Config) folds() int           { return orInt(c.Folds, DefaultFolds) }
func (c *Config) windowDays() int      { return orInt(c.WindowDays, DefaultWindowDays) }
func (c *Config) minLevelCount() int   { return orInt(c.MinLevelCount, DefaultMinLevelCount) }
func (c *Config) maxTechnologies() int { return orInt(c.MaxTechnologies, DefaultMaxTechnologies) }
func (c *Config) minBuyers() int       { return orInt(c.MinBuyers, DefaultMinBuyers) }
func (c *Config) topLines() int        { return orInt(c.TopLines, DefaultTopLines) }
func (c *Config) hotShare() float64    { return orFloat(c.HotShare, DefaultHotShare) }
func (c *Config) warmShare() float64   { return orFloat(c.WarmShare, DefaultWarmShare) }
func (c *Config) leakageAUC() float64  { return orFloat(c.LeakageAUC, DefaultLeakageAUC) }

func (c *Config) leakage() LeakagePolicy {
	if c.Leakage == "" {
		return LeakWarn
	}
	return c.Leakage
}

func (c *Config) bands() Bands {
	if c.Bands == "" {
		return HotWarmCold
	}
	return c.Bands
}

func (c *Config) calibration() classify.Calibration {
	switch c.Calibration {
	case Isotonic:
		return classify.Isotonic
	case NoCalib:
		return classify.NoCalibration
	}
	return classify.Platt
}

func (c *Config) cs() []float64 {
	if c.C > 0 {
		return []float64{c.C}
	}
	if c.Cs != nil {
		return slices.Clone(c.Cs)
	}
	return DefaultCs()
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func orFloat(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// clone copies the config's slices, so that the caller's changes do not
// reach a Segmenter.
func (c Config) clone() Config {
	c.Cs = slices.Clone(c.Cs)
	c.Thresholds = slices.Clone(c.Thresholds)
	c.Numbers = slices.Clone(c.Numbers)
	c.LogNumbers = slices.Clone(c.LogNumbers)
	c.Text = slices.Clone(c.Text)
	c.Exclude = slices.Clone(c.Exclude)
	return c
}
