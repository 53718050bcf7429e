package propensity

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/classify"
)

// Model is a fitted propensity model. It is plain data: it marshals to JSON
// and back (see [Segmenter.DecodeModel]) with identical assignments, and
// Assign is pure and safe for concurrent use.
type Model struct {
	segment.Header
	// Kind says what the model predicts.
	Kind Kind `json:"kind"`
	// Config is the config it was fitted with (Workers and Progress
	// cleared).
	Config Config `json:"config"`
	// AsOf is the date engagement is measured at for accounts that have
	// not bought (see Config.AsOf).
	AsOf time.Time `json:"as_of"`
	// Scorer is the fitted model of a Conversion or Lookalike Model.
	Scorer *Scorer `json:"scorer,omitempty"`
	// Lines holds one fitted model per product line of a CrossSell Model,
	// in order of the lines' names.
	Lines []*Scorer `json:"lines,omitempty"`
	// Leakage lists the fields that alone predicted the label at or above
	// Config.LeakageAUC, and what Fit did with them.
	Leakage []Leak `json:"leakage,omitempty"`
	// Segs lists the segments, as Segments returns them.
	Segs []segment.Segment `json:"segments"`

	// prep is what Assign needs of the fields, worked out by Fit and
	// DecodeModel.
	prep *prep
}

// Scorer is one fitted logistic regression with its encoding, calibration,
// bands and out-of-fold validation.
type Scorer struct {
	// Target is the product line a cross-sell scorer predicts; "" for the
	// conversion and lookalike models.
	Target string `json:"target,omitempty"`
	// Numeric and Categorical are the fields the model reads, in the order
	// of the encoding's columns.
	Numeric     []Field `json:"numeric,omitempty"`
	Categorical []Field `json:"categorical,omitempty"`
	// Features is the fitted encoding (the clustering core's
	// preprocessing), Model the logistic regression over its output and
	// Calibrator the map from its log-odds to probabilities.
	Features   *classify.Features      `json:"features"`
	Model      *classify.LogisticModel `json:"model"`
	Calibrator *classify.Calibrator    `json:"calibrator"`
	// Means holds each encoded feature's mean over the fitted accounts,
	// from which reasons measure an account's contributions; Groups maps
	// each encoded feature to its field (numeric fields, then categorical).
	Means  []float64 `json:"means"`
	Groups []int     `json:"groups"`
	// Bands are the bands, from the highest probabilities down.
	Bands []Band `json:"bands"`
	// Validation measures the model out of fold.
	Validation Validation `json:"validation"`
	// Screen holds each field's single-field cross-validated ROC AUC on
	// the accounts where it is known, highest first (empty with LeakOff).
	Screen []FieldAUC `json:"screen,omitempty"`
	// Leakage lists the fields of Screen at or above Config.LeakageAUC.
	Leakage []Leak `json:"leakage,omitempty"`
}

// Band is a range of probabilities and the rate of positives measured in it.
type Band struct {
	// ID and Name are the band's segment's.
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Min is the least probability in the band; an account is in the
	// first band (from the highest) whose Min its probability reaches.
	Min float64 `json:"min"`
	// Accounts and Positives count the fitted accounts whose out-of-fold
	// probability fell in the band, and the positives among them.
	Accounts  int `json:"accounts"`
	Positives int `json:"positives"`
	// Rate is Positives / Accounts: the band's expected rate (for an
	// empty band, the middle of its range of probabilities).
	Rate float64 `json:"rate"`
}

// Validation measures a Scorer on its fitted accounts, out of fold: each
// account scored by the model fitted without its fold.
type Validation struct {
	// Accounts and Positives count the fitted accounts.
	Accounts  int `json:"accounts"`
	Positives int `json:"positives"`
	// C is the chosen regularization strength, and Grid the mean ROC AUC
	// over the folds of each C tried.
	C    float64            `json:"c"`
	Grid []classify.CVScore `json:"grid"`
	// Uncalibrated scores the logistic regression's own probabilities,
	// Calibrated the calibrated ones.
	Uncalibrated classify.Scores `json:"uncalibrated"`
	Calibrated   classify.Scores `json:"calibrated"`
	// Gains is the lift and cumulative gains table by decile of the
	// calibrated probabilities; Reliability their calibration by decile.
	Gains       []classify.GainsRow       `json:"gains"`
	Reliability []classify.ReliabilityRow `json:"reliability"`
}

// FieldAUC is one field's single-field cross-validated ROC AUC.
type FieldAUC struct {
	Field string  `json:"field"`
	AUC   float64 `json:"auc"`
	// Known is the number of accounts it was measured on: those where the
	// field is known (at most 20,000).
	Known int `json:"known"`
}

// Leak is a field that alone predicts the label almost perfectly: most
// likely one filled in after the outcome.
type Leak struct {
	Field string  `json:"field"`
	AUC   float64 `json:"auc"`
	Known int     `json:"known"`
	// Line is the product line of the cross-sell model it was found in.
	Line string `json:"line,omitempty"`
	// Action is "warn" (kept) or "drop" (left out of the model).
	Action string `json:"action"`
}

var _ segment.ValidAssigner = (*Model)(nil)

// Segments lists the bands from the highest (for a cross-sell model, one
// segment per product line and "none"); the caller must not modify it.
func (m *Model) Segments() []segment.Segment { return m.Segs }

// Assign scores one account. For a Conversion model the Score is the
// calibrated probability of converting, Scores holds "p_convert" (the
// same) and "band_rate" (the band's conversion rate measured out of fold),
// and the segment is the band. A Lookalike model says "p_lookalike"
// instead of "p_convert". A CrossSell model's segment is the product line
// not yet bought most likely to be bought next ("none" when every line
// with a model has been bought), its Score that line's probability, and
// Scores holds "p_buy[<line>]" for each line not yet bought.
//
// Reasons begin with the score and band, then name the fields that push
// the score up or down most (up to three each way), each with its
// contribution in log-odds, measured from the average fitted account:
// coefficient × (encoded value − its mean), summed over a field's encoded
// columns.
func (m *Model) Assign(a *segment.Account) (segment.Assignment, error) {
	if a == nil {
		return segment.Assignment{}, fmt.Errorf("propensity: nil account: %w", segment.ErrInvalidAccount)
	}
	if err := a.Validate(); err != nil {
		return segment.Assignment{}, err
	}
	return m.AssignValid(a)
}

// AssignValid is Assign for an account whose Validate returned nil (see
// segment.ValidAssigner): it does not validate it again.
func (m *Model) AssignValid(a *segment.Account) (segment.Assignment, error) {
	if a == nil {
		return segment.Assignment{}, fmt.Errorf("propensity: nil account: %w", segment.ErrInvalidAccount)
	}
	if m.Kind == CrossSell {
		return m.assignCrossSell(a)
	}
	sc := m.Scorer
	if sc == nil {
		return segment.Assignment{}, fmt.Errorf("propensity: model has no scorer: %w", segment.ErrInvalidConfig)
	}
	pr := m.prepared()
	s := getScratch(pr)
	defer putScratch(s)
	pr.look(&s.view, a, m.AsOf, m.Config.windowDays(), false)
	ps := &pr.scorers[0]
	p, contrib, err := sc.score(ps, &s.view, s, s.contrib)
	if err != nil {
		return segment.Assignment{}, &segment.FieldError{AccountID: a.ID, Err: err}
	}
	b := bandOf(sc.Bands, p)
	band := &sc.Bands[b]
	key, what := "p_convert", "likely to convert"
	if m.Kind == Lookalike {
		key, what = "p_lookalike", "like the best customers"
	}
	s.picked = pick(s.picked, contrib, 3)
	as := segment.Assignment{
		AccountID: a.ID,
		Segment:   m.Segs[b],
		Score:     p,
		Scores:    map[string]float64{key: p, "band_rate": band.Rate},
		Reasons:   make([]segment.Reason, 1+len(s.picked)),
	}
	// "%.0f%% %s → %s (band rate %.0f%%, measured out of fold)"
	buf := appendFixed(s.buf, 100*p, 0)
	buf = append(buf, "% "...)
	buf = append(buf, what...)
	buf = append(buf, " → "...)
	buf = append(buf, band.Name...)
	buf = append(buf, " (band rate "...)
	buf = appendFixed(buf, 100*band.Rate, 0)
	buf = append(buf, "%, measured out of fold)"...)
	s.offs = append(s.offs, len(buf))
	as.Reasons[0].Field = key
	buf = sc.appendReasons(as.Reasons[1:], buf, s, ps, contrib)
	texts(as.Reasons, buf, s.offs)
	s.buf = buf
	return as, nil
}

// appendReasons fills reasons with the picked fields' reasons, and writes
// their texts into buf, each ending at the offset it appends to s.offs.
func (sc *Scorer) appendReasons(reasons []segment.Reason, buf []byte, s *scratch, ps *prepScorer, contrib []float64) []byte {
	for k, g := range s.picked {
		f := &ps.fields[g]
		c := contrib[g]
		buf = appendReason(buf, f, &s.view, sc.Target, c)
		s.offs = append(s.offs, len(buf))
		reasons[k].Field, reasons[k].Effect = f.name, c
	}
	return buf
}

// segments returns the bands' segments.
func (sc *Scorer) segments() []segment.Segment {
	out := make([]segment.Segment, len(sc.Bands))
	for b, band := range sc.Bands {
		out[b] = segment.Segment{ID: band.ID, Name: band.Name, Description: band.Description, Method: Method}
	}
	return out
}

// check validates a decoded model, so that Assign cannot fail on it.
func (m *Model) check() error {
	var scs []*Scorer
	switch m.Kind {
	case Conversion, Lookalike:
		if m.Scorer == nil {
			return errors.New("no scorer")
		}
		scs = append(scs, m.Scorer)
		if len(m.Segs) != len(m.Scorer.Bands) {
			return errors.New("segments and bands differ")
		}
	case CrossSell:
		scs = m.Lines
		if len(m.Segs) != len(m.Lines)+1 {
			return errors.New("segments and lines differ")
		}
	default:
		return fmt.Errorf("kind %q unknown", m.Kind)
	}
	if err := m.Config.Validate(); err != nil {
		return err
	}
	for _, sc := range scs {
		if sc == nil || sc.Features == nil || sc.Model == nil || sc.Calibrator == nil {
			return errors.New("scorer incomplete")
		}
		if err := sc.Model.Validate(); err != nil {
			return err
		}
		if err := sc.Calibrator.Validate(); err != nil {
			return err
		}
		d := sc.Features.Width()
		if len(sc.Model.Coef) != d || len(sc.Means) != d || len(sc.Groups) != d {
			return fmt.Errorf("scorer %q: encoding of %d columns, %d coefficients, %d means, %d groups", sc.Target, d, len(sc.Model.Coef), len(sc.Means), len(sc.Groups))
		}
		nf := len(sc.Numeric) + len(sc.Categorical)
		for _, g := range sc.Groups {
			if g < 0 || g >= nf {
				return fmt.Errorf("scorer %q: group %d out of range", sc.Target, g)
			}
		}
		if sc.Features.Numeric != nil && sc.Features.Numeric.InputWidth() != len(sc.Numeric) ||
			sc.Features.Numeric == nil && len(sc.Numeric) > 0 ||
			sc.Features.Categorical != nil && len(sc.Features.Categorical.Columns) != len(sc.Categorical) ||
			sc.Features.Categorical == nil && len(sc.Categorical) > 0 {
			return fmt.Errorf("scorer %q: fields do not match the encoding", sc.Target)
		}
		if m.Kind != CrossSell && len(sc.Bands) == 0 {
			return errors.New("no bands")
		}
	}
	return nil
}

// slug makes a segment ID part from a product line's name.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
