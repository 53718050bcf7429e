package propensity_test

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/propensity"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/classify"
	"github.com/strataseg/strata/segment/segmenttest"
)

// ourProduct is the technology only the generator's customers list: it is
// written after the sale and leaks the label.
var ourProduct = "technologies[" + segmenttest.OurProduct + "]"

func fit(t *testing.T, s *propensity.Segmenter, accts []segment.Account) *propensity.Model {
	t.Helper()
	m, err := s.Fit(context.Background(), slices.Values(accts))
	require.NoError(t, err)
	return m.(*propensity.Model)
}

func newSeg(t *testing.T, c propensity.Config) *propensity.Segmenter {
	t.Helper()
	s, err := propensity.New(c)
	require.NoError(t, err)
	return s
}

// The model finds the conversion structure the generator planted: its
// out-of-fold AUC comes close to that of the true probabilities, and its
// probabilities follow them.
func TestPlanted(t *testing.T) {
	accts, truth := segmenttest.Generate(segmenttest.GenConfig{N: 1500, Seed: 7})
	m := fit(t, newSeg(t, propensity.Config{Numbers: []string{"intent_score"}, Text: []string{"territory"}, Exclude: []string{ourProduct}}), accts)
	var y []int
	var pTrue, pModel []float64
	unknown := 0
	for i := range accts {
		as, err := m.Assign(&accts[i])
		require.NoError(t, err)
		if !accts[i].Converted.Known() {
			unknown++
			continue
		}
		y = append(y, map[bool]int{true: 1, false: 0}[accts[i].Converted == segment.Yes])
		pTrue = append(pTrue, truth[i].PConvert)
		pModel = append(pModel, as.Score)
	}
	require.Positive(t, unknown, "accounts with an unknown outcome")
	oracle, err := classify.ROCAUC(y, pTrue, nil)
	require.NoError(t, err)
	v := m.Scorer.Validation
	t.Logf("out-of-fold AUC %.3f, true probabilities' AUC %.3f, C %v", v.Calibrated.AUC, oracle, v.C)
	assert.Equal(t, len(y), v.Accounts, "only accounts with a known outcome are fitted")
	assert.Greater(t, v.Calibrated.AUC, oracle-0.08, "out-of-fold AUC against the true probabilities'")
	assert.Greater(t, corr(pTrue, pModel), 0.6, "correlation of fitted and true probabilities")
	assert.Empty(t, m.Leakage, "no leakage once our product is excluded")
	assert.NotContains(t, fieldsOf(m.Scorer), ourProduct)
}

func fieldsOf(sc *propensity.Scorer) []string {
	var out []string
	for _, f := range slices.Concat(sc.Numeric, sc.Categorical) {
		out = append(out, f.Name())
	}
	return out
}

func corr(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

// Assignments carry the probability, the band and its rate, and reasons:
// the band first, then at most three fields up and three down, each with
// a signed effect in log-odds, largest first.
func TestAssignment(t *testing.T) {
	accts := segmenttest.Accounts(600, 3)
	m := fit(t, newSeg(t, propensity.Config{Seed: 2, Exclude: []string{ourProduct}}), accts)
	require.Len(t, m.Segments(), 3)
	assert.Equal(t, []string{"propensity/hot", "propensity/warm", "propensity/cold"}, []string{m.Segments()[0].ID, m.Segments()[1].ID, m.Segments()[2].ID})
	bands := m.Scorer.Bands
	assert.GreaterOrEqual(t, bands[0].Rate, bands[2].Rate, "hot converts more than cold")
	for i := range accts {
		as, err := m.Assign(&accts[i])
		require.NoError(t, err)
		p := as.Scores["p_convert"]
		assert.Equal(t, as.Score, p, "%s: Score is p_convert", accts[i].ID)
		b := slices.IndexFunc(bands, func(b propensity.Band) bool { return b.ID == as.Segment.ID })
		require.GreaterOrEqual(t, b, 0, "%s: band", accts[i].ID)
		assert.GreaterOrEqual(t, p, bands[b].Min, "%s: p in band", accts[i].ID)
		if b > 0 {
			assert.Less(t, p, bands[b-1].Min, "%s: p below the band above", accts[i].ID)
		}
		assert.Equal(t, bands[b].Rate, as.Scores["band_rate"], "%s: band rate", accts[i].ID)
		require.NotEmpty(t, as.Reasons, "%s", accts[i].ID)
		assert.Equal(t, "p_convert", as.Reasons[0].Field)
		up, down := 0, 0
		for k, r := range as.Reasons[1:] {
			assert.Contains(t, r.Text, " log-odds", "%s: reason %q", accts[i].ID, r.Text)
			assert.NotZero(t, r.Effect, "%s: reason %q", accts[i].ID, r.Text)
			if r.Effect > 0 {
				up++
				assert.Contains(t, r.Text, ": +")
			} else {
				down++
				assert.Contains(t, r.Text, ": -")
			}
			if k > 0 {
				assert.LessOrEqual(t, math.Abs(r.Effect), math.Abs(as.Reasons[k].Effect), "%s: reasons by size", accts[i].ID)
			}
		}
		assert.LessOrEqual(t, up, 3)
		assert.LessOrEqual(t, down, 3)
	}
}

// Accounts with an unknown outcome are not fitted: adding more of them
// leaves the model unchanged (with a fixed as-of date).
func TestUnknownOutcomeNotFitted(t *testing.T) {
	accts := segmenttest.Accounts(400, 5)
	c := propensity.Config{AsOf: segmenttest.Reference, Seed: 1, C: 1}
	m1 := fit(t, newSeg(t, c), accts)
	extra := slices.Clone(accts)
	for i := range 50 {
		a := accts[i].Clone()
		a.ID = "X-" + a.ID
		a.Converted = segment.Unset
		a.LeadGrade = "Z"
		extra = append(extra, a)
	}
	m2 := fit(t, newSeg(t, c), extra)
	b1, err := json.Marshal(m1)
	require.NoError(t, err)
	b2, err := json.Marshal(m2)
	require.NoError(t, err)
	assert.JSONEq(t, string(b1), string(b2))
	// The unlabelled accounts are assigned all the same; an unseen lead
	// grade is "other".
	as, err := m2.Assign(&extra[len(extra)-1])
	require.NoError(t, err)
	assert.NotEmpty(t, as.Segment.ID)
}

func TestDecilesAndThresholds(t *testing.T) {
	accts := segmenttest.Accounts(500, 9)
	m := fit(t, newSeg(t, propensity.Config{Bands: propensity.Deciles, C: 1, Exclude: []string{ourProduct}}), accts)
	require.Len(t, m.Segments(), 10)
	assert.Equal(t, "propensity/decile-01", m.Segments()[0].ID)
	assert.Equal(t, "propensity/decile-10", m.Segments()[9].ID)
	n := 0
	for _, b := range m.Scorer.Bands {
		n += b.Accounts
		assert.InDelta(t, m.Scorer.Validation.Accounts/10, b.Accounts, 3, "decile %s size", b.ID)
	}
	assert.Equal(t, m.Scorer.Validation.Accounts, n)

	m = fit(t, newSeg(t, propensity.Config{Thresholds: []float64{0.3, 0.6}, C: 1, Calibration: propensity.Isotonic}), accts)
	assert.InDelta(t, 0.6, m.Scorer.Bands[0].Min, 0)
	assert.InDelta(t, 0.3, m.Scorer.Bands[1].Min, 0)
	assert.Equal(t, classify.Isotonic, m.Scorer.Calibrator.Method)
}

func TestLeakageSynthetic(t *testing.T) {
	accts := segmenttest.Accounts(600, 4)
	m := fit(t, newSeg(t, propensity.Config{C: 1, LeakageAUC: 0.8}), accts)
	require.NotEmpty(t, m.Leakage)
	assert.Equal(t, ourProduct, m.Leakage[0].Field)
	assert.Equal(t, "warn", m.Leakage[0].Action)
	assert.Contains(t, fieldsOf(m.Scorer), ourProduct, "warned, kept")

	m = fit(t, newSeg(t, propensity.Config{C: 1, LeakageAUC: 0.8, Leakage: propensity.LeakDrop}), accts)
	require.NotEmpty(t, m.Leakage)
	assert.Equal(t, "drop", m.Leakage[0].Action)
	assert.NotContains(t, fieldsOf(m.Scorer), ourProduct, "dropped")

	m = fit(t, newSeg(t, propensity.Config{C: 1, Leakage: propensity.LeakOff}), accts)
	assert.Empty(t, m.Scorer.Screen)
}

func TestConfigValidate(t *testing.T) {
	for name, c := range map[string]propensity.Config{
		"c":               {C: -1},
		"cs":              {Cs: []float64{0}},
		"folds":           {Folds: 1},
		"calibration":     {Calibration: "beta"},
		"bands":           {Bands: "quartiles"},
		"thresholds":      {Thresholds: []float64{0.6, 0.3}},
		"hot_share":       {HotShare: 0.7, WarmShare: 0.4},
		"numbers":         {Numbers: []string{"a", "a"}},
		"log_numbers":     {LogNumbers: []string{"b"}},
		"text":            {Text: []string{""}},
		"leakage":         {Leakage: "ignore"},
		"leakage_auc":     {LeakageAUC: 0.4},
		"workers":         {Workers: -1},
		"window_days":     {WindowDays: -3},
		"min_level_count": {MinLevelCount: -1},
	} {
		_, err := propensity.New(c)
		assert.ErrorIs(t, err, segment.ErrInvalidConfig, name)
		assert.ErrorContains(t, err, name, name)
	}
	_, err := propensity.NewLookalike(propensity.Config{}, nil)
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
}

func TestTooFewLabels(t *testing.T) {
	accts := segmenttest.Accounts(30, 1)
	for i := range accts {
		if i > 3 {
			accts[i].Converted = segment.Unset
		}
	}
	_, err := newSeg(t, propensity.Config{}).Fit(context.Background(), slices.Values(accts))
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
}

func TestDecodeModelErrors(t *testing.T) {
	s := newSeg(t, propensity.Config{})
	_, err := s.DecodeModel([]byte(`{"method":"propensity","version":1,"kind":"conversion"}`))
	assert.Error(t, err, "no scorer")
	_, err = s.DecodeModel([]byte(`{"method":"propensity","version":2}`))
	assert.ErrorIs(t, err, segment.ErrModelVersion)
}

// groupModel is another layer for the group tests: one segment per
// channel.
type groupModel struct{}

func (groupModel) Assign(a *segment.Account) (segment.Assignment, error) {
	ch := a.Channel
	if ch == "" {
		return segment.Assignment{}, segment.ErrNoMatch
	}
	return segment.Assignment{AccountID: a.ID, Segment: segment.Segment{ID: "channel/" + ch, Name: ch, Method: "channel"}}, nil
}

func (groupModel) Segments() []segment.Segment { return nil }

func TestRateByGroup(t *testing.T) {
	accts := segmenttest.Accounts(3000, 2)
	g, err := propensity.RateByGroup(context.Background(), slices.Values(accts), groupModel{}, propensity.GroupOptions{MinSize: 50})
	require.NoError(t, err)
	require.NotEmpty(t, g.Groups)
	var known, conv int
	for _, a := range accts {
		if a.Converted.Known() {
			known++
			if a.Converted == segment.Yes {
				conv++
			}
		}
	}
	assert.Equal(t, known, g.Overall.Known)
	assert.InDelta(t, float64(conv)/float64(known), g.Overall.Rate, 1e-12)
	for k, r := range g.Groups {
		assert.GreaterOrEqual(t, r.Known, 50, r.Segment.ID)
		assert.LessOrEqual(t, r.Low, r.Rate, r.Segment.ID)
		assert.GreaterOrEqual(t, r.High, r.Rate, r.Segment.ID)
		assert.InDelta(t, r.Rate/g.Overall.Rate, r.Lift, 1e-12, r.Segment.ID)
		if k > 0 {
			assert.LessOrEqual(t, r.Lift, g.Groups[k-1].Lift, "sorted by lift")
		}
	}
	// By assignments: the same table.
	var as []segment.Assignment
	for i := range accts {
		if a, err := (groupModel{}).Assign(&accts[i]); err == nil {
			as = append(as, a)
		}
	}
	g2, err := propensity.RateByAssignment(context.Background(), slices.Values(accts), as, propensity.GroupOptions{MinSize: 50})
	require.NoError(t, err)
	assert.Equal(t, g, g2)
}

// The Wilson interval of 50 successes in 100 at 95% is 0.4038 to 0.5962.
func TestWilson(t *testing.T) {
	var accts []segment.Account
	for i := range 100 {
		a := segment.Account{ID: "a" + strings.Repeat("x", i), Channel: "web", Converted: segment.No}
		if i%2 == 0 {
			a.Converted = segment.Yes
		}
		accts = append(accts, a)
	}
	g, err := propensity.RateByGroup(context.Background(), slices.Values(accts), groupModel{}, propensity.GroupOptions{})
	require.NoError(t, err)
	require.Len(t, g.Groups, 1)
	assert.InDelta(t, 0.4038, g.Groups[0].Low, 1e-4)
	assert.InDelta(t, 0.5962, g.Groups[0].High, 1e-4)
	_, err = propensity.RateByGroup(context.Background(), slices.Values(accts), groupModel{}, propensity.GroupOptions{Confidence: 1})
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
}

func TestLookalike(t *testing.T) {
	accts := segmenttest.Accounts(1000, 6)
	s, err := propensity.NewLookalike(propensity.Config{C: 1, Exclude: []string{ourProduct}}, bigCustomer)
	require.NoError(t, err)
	m := fit(t, s, accts)
	assert.Equal(t, propensity.Lookalike, m.Kind)
	assert.Equal(t, "propensity/lookalike-hot", m.Segments()[0].ID)
	v := m.Scorer.Validation
	t.Logf("best customers %d of %d; out-of-fold AUC %.3f", v.Positives, v.Accounts, v.Calibrated.AUC)
	assert.Greater(t, v.Calibrated.AUC, 0.75, "best customers set apart")
	as, err := m.Assign(&accts[0])
	require.NoError(t, err)
	assert.Contains(t, as.Scores, "p_lookalike")
}

func TestCrossSell(t *testing.T) {
	accts := segmenttest.Accounts(1000, 8)
	s, err := propensity.NewCrossSell(propensity.Config{C: 1})
	require.NoError(t, err)
	m := fit(t, s, accts)
	require.NotEmpty(t, m.Lines)
	for _, sc := range m.Lines {
		t.Logf("%s: %d buyers of %d, out-of-fold AUC %.3f", sc.Target, sc.Validation.Positives, sc.Validation.Accounts, sc.Validation.Calibrated.AUC)
		assert.NotContains(t, fieldsOf(sc), "orders.bought["+sc.Target+"]", "a line's model does not read its own purchases")
	}
	assigned := 0
	for i := range accts {
		a := &accts[i]
		if len(a.Orders) == 0 {
			continue
		}
		as, err := m.Assign(a)
		require.NoError(t, err)
		bought := map[string]bool{}
		for _, o := range a.Orders {
			bought[o.ProductLine] = true
		}
		for k, p := range as.Scores {
			line := strings.TrimSuffix(strings.TrimPrefix(k, "p_buy["), "]")
			assert.False(t, bought[line], "%s: %s already bought", a.ID, line)
			assert.LessOrEqual(t, p, as.Score, "%s: the segment's line is the most likely", a.ID)
		}
		if as.Segment.ID != "propensity/next-none" {
			assigned++
		}
	}
	assert.Positive(t, assigned)
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newSeg(t, propensity.Config{}).Fit(ctx, slices.Values(segmenttest.Accounts(50, 1)))
	assert.ErrorIs(t, err, context.Canceled)
}

func TestProgress(t *testing.T) {
	var stages []string
	c := propensity.Config{C: 1, Workers: 1, Progress: func(p segment.Progress) {
		assert.Equal(t, propensity.Method, p.Method)
		stages = append(stages, p.Stage)
	}}
	fit(t, newSeg(t, c), segmenttest.Accounts(300, 1))
	assert.Len(t, stages, 6, "five folds and the refit")
}
