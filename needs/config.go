package needs

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

// Mode is how a Model segments need profiles. The zero value is
// [Dominant]. Modes marshal as text ("dominant", "learned").
type Mode uint8

// The modes.
const (
	// Dominant places an account in the segment of its top need when that
	// need holds at least Config.MinShare of the evidence and leads the
	// second by at least Config.MinMargin; otherwise in the "mixed" segment
	// of its top two needs.
	Dominant Mode = iota
	// Learned clusters the need profiles with k-means (after a principal
	// component projection when the profile is wide) and names each
	// cluster by its top needs.
	Learned
)

var modeNames = [...]string{"dominant", "learned"}

func (m Mode) valid() bool { return int(m) < len(modeNames) }

// String returns the mode's name.
func (m Mode) String() string {
	if !m.valid() {
		return fmt.Sprintf("Mode(%d)", int(m))
	}
	return modeNames[m]
}

// MarshalText encodes the mode's name.
func (m Mode) MarshalText() ([]byte, error) {
	if !m.valid() {
		return nil, fmt.Errorf("needs: invalid mode %d", int(m))
	}
	return []byte(modeNames[m]), nil
}

// UnmarshalText decodes a mode's name, any case; "" is [Dominant].
func (m *Mode) UnmarshalText(b []byte) error {
	v := strings.ToLower(strings.TrimSpace(string(b)))
	if v == "" {
		*m = Dominant
		return nil
	}
	i := slices.Index(modeNames[:], v)
	if i < 0 {
		return fmt.Errorf("needs: %q is not a mode (%s): %w", b, strings.Join(modeNames[:], ", "), segment.ErrInvalidConfig)
	}
	*m = Mode(i)
	return nil
}

// DefaultKindWeights are the evidence points one event of each kind gives
// the needs of its topic (before decay), when Config.KindWeights does not
// say otherwise: asking for a demo says far more about a need than viewing
// a page. Kinds in neither weigh 1.
func DefaultKindWeights() map[string]float64 {
	return map[string]float64{
		segment.EventDemoRequest: 5,
		segment.EventTrial:       4,
		segment.EventMeeting:     3,
		segment.EventWebinar:     2,
		segment.EventForm:        2,
		segment.EventCall:        2,
		segment.EventContent:     1.5,
		segment.EventTicket:      1,
		segment.EventEmail:       0.5,
		segment.EventPageView:    0.25,
	}
}

// Defaults of the Config fields whose zero value means "the default".
const (
	DefaultHalfLifeDays  = 180  // Config.HalfLifeDays
	DefaultSurveyWeight  = 3    // Config.SurveyWeight
	DefaultEvidenceScale = 4    // Config.EvidenceScale
	DefaultMinShare      = 0.4  // Config.MinShare
	DefaultMinMargin     = 0.1  // Config.MinMargin
	DefaultMaxK          = 8    // Config.MaxK
	DefaultVariance      = 0.9  // Config.Variance
	AutoPCAWidth         = 8    // profiles wider than this are projected when Config.Components is 0
	maxNeeds             = 64   // needs a taxonomy may hold
	maxK                 = 64   // clusters a learned Model may have
	chooseKRows          = 4000 // rows ChooseK looks at, at most
)

// Config configures needs-based segmentation. It is plain data; the zero
// value works: the [DefaultNeeds] taxonomy, events weighted by
// [DefaultKindWeights] and halved in weight every 180 days before the
// latest event of the fit data, survey answers worth 3 points per standard
// deviation above the respondent's mean, and the [Dominant] rule.
type Config struct {
	// Needs is the taxonomy; nil means [DefaultNeeds]. A Model stores the
	// taxonomy it was fitted with.
	Needs []Need `json:"needs,omitempty"`
	// Mode is how profiles become segments; zero: [Dominant].
	Mode Mode `json:"mode,omitempty"`

	// MinShare is the share of the evidence, in (0, 1], the top need must
	// hold to dominate; zero: [DefaultMinShare].
	MinShare float64 `json:"min_share,omitempty"`
	// MinMargin is the lead in share, in [0, 1), the top need must have
	// over the second to dominate; zero: [DefaultMinMargin].
	MinMargin float64 `json:"min_margin,omitempty"`

	// K is the number of learned segments ([Learned] only); zero: chosen
	// by cluster.ChooseK's vote among 2 to MaxK (on a sample of at most
	// 4,000 profiles).
	K int `json:"k,omitempty"`
	// MaxK bounds the K that is chosen when K is zero; zero:
	// [DefaultMaxK].
	MaxK int `json:"max_k,omitempty"`
	// Components is the number of principal components the profiles are
	// projected on before clustering ([Learned] only): zero projects only
	// profiles wider than [AutoPCAWidth] needs (a long battery of one need
	// per question), keeping the fewest components that explain Variance
	// of the variance but none whose variance is below the mean
	// (Kaiser–Guttman); a positive value keeps that many; -1 never
	// projects.
	Components int `json:"components,omitempty"`
	// Variance is the share of variance the automatic projection keeps, in
	// (0, 1]; zero: [DefaultVariance].
	Variance float64 `json:"variance,omitempty"`

	// KindWeights overrides [DefaultKindWeights] kind by kind: the points
	// one event of the kind gives (≥ 0; 0 ignores the kind). Kinds in
	// neither weigh 1.
	KindWeights map[string]float64 `json:"kind_weights,omitempty"`
	// HalfLifeDays is the age, in days before AsOf, at which an event's
	// weight has halved; zero: [DefaultHalfLifeDays]; negative: events do
	// not decay.
	HalfLifeDays float64 `json:"half_life_days,omitempty"`
	// AsOf is the date ages are measured from. Zero: the latest event time
	// in the fit data, stored in the Model (the clock is never read); an
	// event after it counts at full weight. When AsOf is set, events after
	// it are left out, so that a Model can be fitted as of a past date.
	AsOf time.Time `json:"as_of,omitzero"`
	// SurveyWeight is the points a survey answer gives its need per
	// standard deviation above the respondent's mean (≥ 0; answers at or
	// below the mean give none); zero: [DefaultSurveyWeight].
	SurveyWeight float64 `json:"survey_weight,omitempty"`
	// TextFields maps a key of Account.Text holding free text (a form
	// answer, a stated need, call notes) to the points the text gives
	// (> 0), shared among the needs its keywords signal. Other Text keys
	// are not read. Event texts give the points of their event's kind.
	TextFields map[string]float64 `json:"text_fields,omitempty"`
	// EvidenceScale sets how confidence grows with evidence:
	// 1 − exp(−points / EvidenceScale); zero: [DefaultEvidenceScale].
	EvidenceScale float64 `json:"evidence_scale,omitempty"`

	// Seed seeds the k-means fits of [Learned]; the same Seed gives the same
	// Model whatever Workers is.
	Seed uint64 `json:"seed"`
	// Workers bounds the goroutines of Fit; zero: GOMAXPROCS. The Model
	// does not depend on it.
	Workers int `json:"workers,omitempty"`
	// Progress, if not nil, is called as Fit goes, from the goroutine
	// that called Fit.
	Progress func(segment.Progress) `json:"-"`
}

var idChars = func() [256]bool {
	var t [256]bool
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['_'], t['-'] = true, true
	return t
}()

func validID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !idChars[s[i]] {
			return false
		}
	}
	return true
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Validate reports every problem in the Config, each naming the field and
// wrapping [segment.ErrInvalidConfig], joined with errors.Join; nil if it is
// valid.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("needs: config: %s: %s: %w", field, fmt.Sprintf(format, args...), segment.ErrInvalidConfig))
	}
	if c.Needs != nil {
		validateNeeds(c.Needs, bad)
	}
	if !c.Mode.valid() {
		bad("mode", "%d is not a mode", int(c.Mode))
	}
	if !finite(c.MinShare) || c.MinShare < 0 || c.MinShare > 1 {
		bad("min_share", "is %v, not in (0, 1]", c.MinShare)
	}
	if !finite(c.MinMargin) || c.MinMargin < 0 || c.MinMargin >= 1 {
		bad("min_margin", "is %v, not in [0, 1)", c.MinMargin)
	}
	if c.K < 0 || c.K > maxK {
		bad("k", "is %d, not from 0 to %d", c.K, maxK)
	}
	if c.MaxK != 0 && (c.MaxK < 2 || c.MaxK > maxK) {
		bad("max_k", "is %d, not 0 or from 2 to %d", c.MaxK, maxK)
	}
	if c.Components < -1 {
		bad("components", "is %d, not -1, 0 or a number of components", c.Components)
	}
	if n := len(c.Needs); c.Needs != nil && c.Components > n {
		bad("components", "is %d, more than the %d needs", c.Components, n)
	} else if c.Needs == nil && c.Components > len(DefaultNeeds()) {
		bad("components", "is %d, more than the %d default needs", c.Components, len(DefaultNeeds()))
	}
	if !finite(c.Variance) || c.Variance < 0 || c.Variance > 1 {
		bad("variance", "is %v, not in (0, 1]", c.Variance)
	}
	for _, k := range slices.Sorted(maps.Keys(c.KindWeights)) {
		if w := c.KindWeights[k]; k == "" || !finite(w) || w < 0 {
			bad("kind_weights["+k+"]", "is %v, not a finite weight ≥ 0 for a non-empty kind", w)
		}
	}
	if !finite(c.HalfLifeDays) {
		bad("half_life_days", "is %v", c.HalfLifeDays)
	}
	if !finite(c.SurveyWeight) || c.SurveyWeight < 0 {
		bad("survey_weight", "is %v, not a finite weight ≥ 0", c.SurveyWeight)
	}
	for _, k := range slices.Sorted(maps.Keys(c.TextFields)) {
		if w := c.TextFields[k]; k == "" || !finite(w) || w <= 0 {
			bad("text_fields["+k+"]", "is %v, not a finite weight > 0 for a non-empty key", w)
		}
	}
	if !finite(c.EvidenceScale) || c.EvidenceScale < 0 {
		bad("evidence_scale", "is %v, not a finite number ≥ 0", c.EvidenceScale)
	}
	if c.Workers < 0 {
		bad("workers", "is %d, negative", c.Workers)
	}
	return errors.Join(errs...)
}

func validateNeeds(needs []Need, bad func(field, format string, args ...any)) {
	if len(needs) == 0 {
		bad("needs", "is empty (nil means the default taxonomy)")
		return
	}
	if len(needs) > maxNeeds {
		bad("needs", "has %d needs, more than %d", len(needs), maxNeeds)
	}
	ids := map[string]int{}
	questions := map[string]string{}
	for i, n := range needs {
		f := fmt.Sprintf("needs[%d]", i)
		if !validID(n.ID) {
			bad(f+".id", "is %q, not a non-empty id of a–z, 0–9, _ and -", n.ID)
		} else if j, ok := ids[n.ID]; ok {
			bad(f+".id", "is %q, as needs[%d] is", n.ID, j)
		}
		ids[n.ID] = i
		if n.ID == "mixed" || n.ID == "no-evidence" || n.ID == "learned" {
			bad(f+".id", "is %q, which names a segment of its own", n.ID)
		}
		for j, q := range n.Questions {
			qf := fmt.Sprintf("%s.questions[%d]", f, j)
			if q.Key == "" {
				bad(qf+".key", "is empty")
			} else if other, ok := questions[q.Key]; ok {
				bad(qf+".key", "is %q, a question of need %q already", q.Key, other)
			} else {
				questions[q.Key] = n.ID
			}
			if !q.Scale.valid() {
				bad(qf+".scale", "%d is not a scale", int(q.Scale))
			}
		}
		for j, t := range n.Topics {
			if normalize(t) == "" {
				bad(fmt.Sprintf("%s.topics[%d]", f, j), "is %q, without a letter or digit", t)
			}
		}
		for _, lang := range slices.Sorted(maps.Keys(n.Keywords)) {
			for j, kw := range n.Keywords[lang] {
				if _, ok := compileKeyword(i, kw); !ok {
					bad(fmt.Sprintf("%s.keywords[%s][%d]", f, lang, j), "is %q, not words with an optional trailing *", kw)
				}
			}
		}
	}
}

// clone returns a deep copy of the Config's taxonomy and maps.
func (c Config) clone() Config {
	if c.Needs != nil {
		needs := make([]Need, len(c.Needs))
		for i, n := range c.Needs {
			n.Questions = slices.Clone(n.Questions)
			n.Topics = slices.Clone(n.Topics)
			if n.Keywords != nil {
				kw := make(map[string][]string, len(n.Keywords))
				for k, v := range n.Keywords {
					kw[k] = slices.Clone(v)
				}
				n.Keywords = kw
			}
			needs[i] = n
		}
		c.Needs = needs
	}
	c.KindWeights = maps.Clone(c.KindWeights)
	c.TextFields = maps.Clone(c.TextFields)
	return c
}

// resolved returns the Config with its defaults filled in, as a Model
// stores it, without Workers and Progress (which do not shape a Model).
func (c Config) resolved() Config {
	c = c.clone()
	if c.Needs == nil {
		c.Needs = DefaultNeeds()
	}
	kw := DefaultKindWeights()
	maps.Copy(kw, c.KindWeights)
	c.KindWeights = kw
	if c.HalfLifeDays == 0 {
		c.HalfLifeDays = DefaultHalfLifeDays
	}
	if c.SurveyWeight == 0 {
		c.SurveyWeight = DefaultSurveyWeight
	}
	if c.EvidenceScale == 0 {
		c.EvidenceScale = DefaultEvidenceScale
	}
	if c.MinShare == 0 {
		c.MinShare = DefaultMinShare
	}
	if c.MinMargin == 0 {
		c.MinMargin = DefaultMinMargin
	}
	if c.MaxK == 0 {
		c.MaxK = DefaultMaxK
	}
	if c.Variance == 0 {
		c.Variance = DefaultVariance
	}
	c.Workers = 0
	c.Progress = nil
	return c
}
