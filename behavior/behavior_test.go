package behavior

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/classify"
	"github.com/strataseg/strata/segment/segmenttest"
)

var asOf = time.Date(2026, time.June, 30, 0, 0, 0, 0, time.UTC)

func daysBefore(d float64) time.Time { return asOf.Add(-time.Duration(d * float64(day))) }

// sample is a customer with every kind of record.
func sample() segment.Account {
	a := segment.Account{ID: "S-1"}
	a.Orders = []segment.Order{
		{Time: daysBefore(10), Amount: 900, Discount: 100, Quantity: 10, ProductLine: "Platform"},
		{Time: daysBefore(100), Amount: 300, Quantity: 10, ProductLine: "Training"},
		{Time: daysBefore(50), Amount: 100, Return: true, ProductLine: "Platform"},
		{Time: daysBefore(400), Amount: 5000, ProductLine: "Platform"}, // outside the window
		{Time: asOf.Add(24 * time.Hour), Amount: 1e6},                  // after the as-of date
	}
	a.Subscriptions = []segment.Subscription{
		{Start: daysBefore(500), End: daysBefore(60), Monthly: 100, Seats: 10},
		{Start: daysBefore(60), Monthly: 300, Seats: 20},
	}
	for m := 0; m < 6; m++ {
		t := daysBefore(float64(m)*month + 1)
		a.Usage = append(a.Usage,
			segment.Usage{Time: t, Metric: segment.MetricLogins, Value: float64(100 - 10*m)},
			segment.Usage{Time: t, Metric: segment.MetricSeatsUsed, Value: float64(15 - m)},
			segment.Usage{Time: t, Metric: "feature:reports", Value: 5},
		)
	}
	a.Events = []segment.Event{
		{Time: daysBefore(5), Kind: segment.EventTicket},
		{Time: daysBefore(20), Kind: segment.EventContent, Channel: "web"},
		{Time: daysBefore(30), Kind: segment.EventMeeting, Channel: "video"},
		{Time: daysBefore(3), Kind: segment.EventEmail, Channel: "email"},
	}
	return a
}

func get(t *testing.T, v Vector, f Feature) float64 {
	t.Helper()
	x, ok := v.Get(f)
	require.True(t, ok, "%s is unknown", f)
	return x
}

func TestFeatures(t *testing.T) {
	a := sample()
	before := a.Clone()
	v := Features(&a, Options{AsOf: asOf, KnownFeatures: 4, PremiumLines: []string{"Platform"}})
	assert.Equal(t, before, a, "Features changed the account")
	assert.InDelta(t, 10, get(t, v, RecencyDays), 1e-9)
	assert.InDelta(t, 1, get(t, v, InactiveDays), 1e-9, "the latest usage record, 1 day before")
	assert.InDelta(t, 500, get(t, v, TenureDays), 1e-9, "the first subscription")
	assert.InDelta(t, 2, get(t, v, Frequency), 0)
	assert.InDelta(t, 1100, get(t, v, Monetary), 1e-9, "900 + 300 − 100 returned")
	assert.InDelta(t, (900.0-300)/(900+300), get(t, v, SpendTrend), 1e-12)
	assert.InDelta(t, 100.0/1200, get(t, v, ReturnShare), 1e-12)
	assert.InDelta(t, 100.0/1300, get(t, v, DiscountShare), 1e-12)
	assert.InDelta(t, 900.0/1200, get(t, v, PremiumShare), 1e-12)
	assert.InDelta(t, 300, get(t, v, MRR), 0)
	assert.InDelta(t, 0.5, get(t, v, MRRTrend), 1e-12, "300 now against 100 ninety days ago")
	assert.InDelta(t, 15.0/20, get(t, v, SeatUtilization), 1e-12, "latest seats_used over running seats")
	assert.InDelta(t, 0.25, get(t, v, FeatureBreadth), 1e-12, "1 of 4 features")
	assert.InDelta(t, 3/(365.0/30), get(t, v, Engagement), 1e-12)
	assert.InDelta(t, 2/(365.0/30), get(t, v, ContentEngagement), 1e-12)
	assert.InDelta(t, 3, get(t, v, Channels), 0)
	assert.InDelta(t, 1/(365.0/30), get(t, v, TicketRate), 1e-12)
	// Logins: months 0–2 (100+90+80) against 3–5 (70+60+50).
	assert.InDelta(t, (270.0-180)/(270+180), get(t, v, UsageTrend), 1e-12)
	assert.Positive(t, get(t, v, UsageSlope), "logins grow towards the as-of date")

	// The line-price rule: Platform at 100 a unit is above its cut of 50.
	v = Features(&a, Options{AsOf: asOf, LinePrices: map[string]float64{"Platform": 50, "Training": 40}})
	assert.InDelta(t, 900.0/1200, get(t, v, PremiumShare), 1e-12)
	_, ok := v.Get(FeatureBreadth)
	assert.False(t, ok, "breadth is unknown without a number of known features")
}

func TestFeaturesUnknown(t *testing.T) {
	empty := segment.Account{ID: "E"}
	v := Features(&empty, Options{AsOf: asOf, KnownFeatures: 3})
	for f := range Feature(NumFeatures) {
		_, ok := v.Get(f)
		assert.Equal(t, !canBeUnknown(f), ok, "%s of an account without records", f)
	}
	assert.InDelta(t, 0, get(t, v, Frequency), 0, "no purchases is a real 0")

	buyer := segment.Account{ID: "B", Orders: []segment.Order{{Time: daysBefore(3), Amount: 10}}}
	v = Features(&buyer, Options{})
	for _, f := range []Feature{SeatUtilization, FeatureBreadth, UsageTrend, UsageSlope, MRR, MRRTrend} {
		_, ok := v.Get(f)
		assert.False(t, ok, "%s of an account without usage or subscriptions is unknown, not 0", f)
	}
	// A zero AsOf means the account's latest record.
	assert.InDelta(t, 0, get(t, v, RecencyDays), 0)
}

func TestFeaturesIgnoreLaterRecords(t *testing.T) {
	a := sample()
	cut := a.Clone()
	cut.Orders = slices.DeleteFunc(cut.Orders, func(o segment.Order) bool { return o.Time.After(asOf) })
	o := Options{AsOf: asOf, KnownFeatures: 2}
	assert.Equal(t, Features(&cut, o), Features(&a, o))
}

func TestFeatureNames(t *testing.T) {
	names := FeatureNames()
	require.Len(t, names, NumFeatures)
	for i, n := range names {
		f, ok := ParseFeature(n)
		require.True(t, ok, n)
		assert.Equal(t, Feature(i), f)
		assert.Equal(t, n, f.String())
	}
	_, ok := ParseFeature("nope")
	assert.False(t, ok)
}

func TestConfigValidate(t *testing.T) {
	require.NoError(t, Config{}.Validate())
	err := Config{
		Scheme:       Scheme(9),
		WindowDays:   -1,
		SlopeMonths:  2,
		ChurnWeights: map[string]float64{"nope": 1, "recency_days": math.NaN()},
		ChurnBase:    1.5,
		Thresholds:   Thresholds{AtRisk: 0.2, Watch: 0.4},
		K:            9, MaxK: 4,
		Cs:              []float64{0},
		KnownFeatures:   []string{"reports"},
		ClusterFeatures: []string{"spend:"},
	}.Validate()
	require.Error(t, err)
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	for _, field := range []string{"Scheme", "WindowDays", "SlopeMonths", "ChurnWeights[nope]", "ChurnWeights[recency_days]", "ChurnBase", "Thresholds.Watch", "K = 9", "Cs[0]", "KnownFeatures[0]", "ClusterFeatures[0]"} {
		assert.Contains(t, err.Error(), field)
	}
	_, err = New(Config{Churn: ChurnModel(7)})
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	err = Config{TrendDays: 200}.Validate()
	assert.ErrorIs(t, err, segment.ErrInvalidConfig, "two periods of 200 days exceed the default window of 365")
	assert.Contains(t, err.Error(), "TrendDays")

	var s Scheme
	require.NoError(t, json.Unmarshal([]byte(`"RFM"`), &s))
	assert.Equal(t, RFM, s)
	assert.ErrorIs(t, json.Unmarshal([]byte(`"nope"`), &s), segment.ErrInvalidConfig)
}

// fitModel fits a config on accounts.
func fitModel(t *testing.T, c Config, accts []segment.Account) *Model {
	t.Helper()
	s, err := New(c)
	require.NoError(t, err)
	m, err := s.Fit(context.Background(), slices.Values(accts))
	require.NoError(t, err)
	return m.(*Model)
}

// On generated customers, the health model finds the planted declining
// accounts, and expansion potential sits with the growing ones.
func TestGeneratedPlanted(t *testing.T) {
	accts, truth := segmenttest.Generate(segmenttest.GenConfig{N: 2000, Seed: 3})
	m := fitModel(t, Config{Churn: ChurnHealth}, accts)
	var declining []int
	var risk, exp []float64
	for i := range accts {
		if accts[i].Stage != segment.Customer {
			continue
		}
		as, err := m.Assign(&accts[i])
		require.NoError(t, err)
		d := 0
		if truth[i].Trend < -0.03 {
			d = 1
		}
		declining = append(declining, d)
		risk = append(risk, as.Scores["churn_risk"])
		exp = append(exp, as.Scores["expansion"])
	}
	require.Greater(t, len(risk), 300)
	auc, err := classify.ROCAUC(declining, risk, nil)
	require.NoError(t, err)
	t.Logf("%d current customers: churn risk AUC for the planted decline %.3f", len(risk), auc)
	assert.Greater(t, auc, 0.72, "churn risk ranks the declining customers first")
	aucExp, err := classify.ROCAUC(declining, exp, nil)
	require.NoError(t, err)
	t.Logf("expansion potential AUC for the planted decline %.3f", aucExp)
	assert.Less(t, aucExp, 0.3, "expansion potential ranks the declining customers last")

	// The labels: churned customers' records stop, and both models see it.
	learned := fitModel(t, Config{Seed: 1}, accts)
	require.True(t, learned.Churn.Learned, "generated customers carry enough labels")
	require.NotNil(t, learned.Churn.Validation)
	assert.Greater(t, learned.Churn.Validation.AUC, 0.9)
}

func TestUnknownIsNeutral(t *testing.T) {
	accts := segmenttest.Accounts(300, 5)
	m := fitModel(t, Config{Churn: ChurnHealth}, accts)
	a := segment.Account{ID: "new", Orders: []segment.Order{{Time: m.Options.AsOf.Add(-24 * time.Hour), Amount: 500}}}
	as, err := m.Assign(&a)
	require.NoError(t, err)
	for _, r := range as.Reasons {
		assert.NotEqual(t, SeatUtilization.String(), r.Field, "an unknown utilization drives nothing in a health model")
	}
	// Learned: the missing indicator may carry weight, named by its feature.
	lm := fitModel(t, Config{Churn: ChurnLearned, Seed: 1}, accts)
	_, err = lm.Assign(&a)
	require.NoError(t, err)
	j := slices.Index(lm.Churn.Model.Features, "seat_utilization_missing")
	assert.GreaterOrEqual(t, j, len(lm.Columns), "the learned model reads a missing indicator")
}

func TestWeights(t *testing.T) {
	accts := segmenttest.Accounts(300, 5)
	m := fitModel(t, Config{Churn: ChurnHealth, ChurnWeights: map[string]float64{"ticket_rate": 2}, ChurnBase: 0.5}, accts)
	quiet := segment.Account{ID: "q", Orders: []segment.Order{{Time: m.Options.AsOf, Amount: 5}}}
	loud := quiet.Clone()
	loud.ID = "l"
	for k := range 12 {
		loud.Events = append(loud.Events, segment.Event{Time: m.Options.AsOf.AddDate(0, 0, -20*k), Kind: segment.EventTicket})
	}
	aq, err := m.Assign(&quiet)
	require.NoError(t, err)
	al, err := m.Assign(&loud)
	require.NoError(t, err)
	assert.Greater(t, al.Scores["churn_risk"], aq.Scores["churn_risk"])
	assert.Less(t, aq.Scores["churn_risk"], 0.5, "fewer tickets than average")
	var fields []string
	for _, r := range al.Reasons {
		if r.Effect != 0 && slices.Contains([]string{"churn risk"}, "churn risk") {
			fields = append(fields, r.Field)
		}
	}
	assert.Contains(t, fields, "ticket_rate")
	assert.Equal(t, "ticket_rate", al.Reasons[1].Field, "the only churn driver comes first after the segment's reason")
	assert.Positive(t, al.Reasons[1].Effect)
}

func TestProgress(t *testing.T) {
	var stages []string
	c := Config{Seed: 1, Churn: ChurnLearned, Scheme: Clusters, K: 2, Progress: func(p segment.Progress) {
		if p.Method != "behavior" {
			t.Errorf("progress from method %q", p.Method)
		}
		if len(stages) == 0 || stages[len(stages)-1] != p.Stage {
			stages = append(stages, p.Stage)
		}
	}}
	m := fitModel(t, c, segmenttest.Accounts(300, 8))
	assert.Equal(t, "features", stages[0])
	assert.Contains(t, stages, "churn")
	assert.Nil(t, m.Config.Progress, "the Model keeps no callback")
}

func TestLearnedNeedsLabels(t *testing.T) {
	accts := segmenttest.Accounts(50, 2)
	for i := range accts {
		accts[i].Churned = segment.Unset
	}
	s, err := New(Config{Churn: ChurnLearned})
	require.NoError(t, err)
	_, err = s.Fit(context.Background(), slices.Values(accts))
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
	// ChurnAuto falls back to the health model.
	m := fitModel(t, Config{}, accts)
	assert.False(t, m.Churn.Learned)
}

func TestRFMGrid(t *testing.T) {
	seen := map[int]bool{}
	for r := range 5 {
		for fm := range 5 {
			seen[rfmGrid[r][fm]] = true
		}
	}
	assert.Len(t, seen, 11, "the grid uses the eleven RFM segments")
	assert.Equal(t, "Lost", rfmSegs[rfmGrid[0][0]].Name)
	assert.Equal(t, "Champions", rfmSegs[rfmGrid[4][4]].Name)
	assert.Equal(t, "Can't lose", rfmSegs[rfmGrid[0][4]].Name)
	assert.Equal(t, "New", rfmSegs[rfmGrid[4][0]].Name)

	// Five buyers a quintile apart land from Lost to Champions.
	var accts []segment.Account
	for k := range 5 {
		a := segment.Account{ID: string(rune('a' + k))}
		for j := 0; j <= 2*k; j++ {
			a.Orders = append(a.Orders, segment.Order{Time: asOf.AddDate(0, 0, -100+20*k-j), Amount: float64(100 * (k + 1))})
		}
		accts = append(accts, a)
	}
	m := fitModel(t, Config{Scheme: RFM, AsOf: asOf}, append(accts, segment.Account{ID: "none"}))
	want := []string{"Lost", "Hibernating", "Need attention", "Loyal", "Champions"}
	for k := range accts {
		as, err := m.Assign(&accts[k])
		require.NoError(t, err)
		assert.Equal(t, want[k], as.Segment.Name, "buyer %d (%v)", k, as.Scores)
	}
	as, err := m.Assign(&segment.Account{ID: "none"})
	require.NoError(t, err)
	assert.Equal(t, "behavior/rfm-no-purchases", as.Segment.ID)
}

func TestDrivers(t *testing.T) {
	var accts []segment.Account
	for k := range 40 {
		a := segment.Account{ID: "base-" + string(rune('A'+k%26)) + string(rune('a'+k/26))}
		a.Orders = []segment.Order{{Time: daysBefore(float64(10 + k)), Amount: 100, Discount: float64(k % 3), ProductLine: "Basic"}}
		if k%4 == 0 {
			a.Events = []segment.Event{{Time: daysBefore(30), Kind: segment.EventTicket}}
		}
		accts = append(accts, a)
	}
	price := segment.Account{ID: "price", Orders: []segment.Order{{Time: daysBefore(5), Amount: 60, Discount: 40, ProductLine: "Basic"}}}
	quality := segment.Account{ID: "quality", Orders: []segment.Order{{Time: daysBefore(5), Amount: 500, ProductLine: "Premium"}}}
	support := segment.Account{ID: "support", Orders: []segment.Order{{Time: daysBefore(5), Amount: 100, ProductLine: "Basic"}}}
	for k := range 10 {
		support.Events = append(support.Events, segment.Event{Time: daysBefore(float64(3 * k)), Kind: segment.EventTicket})
	}
	accts = append(accts, price, quality, support)
	m := fitModel(t, Config{Scheme: Drivers, AsOf: asOf, PremiumLines: []string{"Premium"}}, accts)
	for id, want := range map[string]string{"price": "Price-driven", "quality": "Quality-driven", "support": "Support-driven", "base-Ba": "Balanced"} {
		i := slices.IndexFunc(accts, func(a segment.Account) bool { return a.ID == id })
		as, err := m.Assign(&accts[i])
		require.NoError(t, err)
		assert.Equal(t, want, as.Segment.Name, id)
		assert.True(t, as.Score >= 0 && as.Score <= 1)
	}
}

func TestClustersExplained(t *testing.T) {
	accts := segmenttest.Accounts(300, 9)
	m := fitModel(t, Config{Scheme: Clusters, K: 3, Seed: 2}, accts)
	require.Len(t, m.Segments(), 3)
	assert.Contains(t, m.Clusters.Columns, "spend:Platform", "the default columns hold the spend per product line")
	assert.Contains(t, m.Clusters.Columns, "channel:web", "and the interactions per channel")
	sizes := m.Clusters.KMeans.Sizes
	assert.GreaterOrEqual(t, sizes[0], sizes[1], "clusters are numbered by size")
	assert.GreaterOrEqual(t, sizes[1], sizes[2])
	as, err := m.Assign(&accts[0])
	require.NoError(t, err)
	assert.Contains(t, as.Reasons[0].Text, "nearest centre")
	assert.NotEmpty(t, m.Segments()[0].Description)
	// A named column no account has is a config error.
	s, err := New(Config{Scheme: Clusters, ClusterFeatures: []string{"mrr"}})
	require.NoError(t, err)
	_, err = s.Fit(context.Background(), slices.Values([]segment.Account{{ID: "x", Orders: []segment.Order{{Time: asOf, Amount: 1}}}}))
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
}

func TestDecodeModelChecks(t *testing.T) {
	accts := segmenttest.Accounts(100, 4)
	m := fitModel(t, Config{Scheme: RFM}, accts)
	data, err := json.Marshal(m)
	require.NoError(t, err)
	var obj map[string]any
	require.NoError(t, json.Unmarshal(data, &obj))
	delete(obj, "rfm")
	broken, err := json.Marshal(obj)
	require.NoError(t, err)
	s, err := New(Config{})
	require.NoError(t, err)
	_, err = s.DecodeModel(broken)
	assert.ErrorIs(t, err, segment.ErrModelVersion)
	assert.True(t, errors.Is(err, segment.ErrModelVersion))
}

func TestAssignRejects(t *testing.T) {
	m := fitModel(t, Config{}, segmenttest.Accounts(50, 1))
	bad := segment.Account{ID: "bad", Orders: []segment.Order{{Time: asOf, Amount: -1}}}
	_, err := m.Assign(&bad)
	var fe *segment.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "bad", fe.AccountID)
	assert.Equal(t, "orders[0].amount", fe.Field)
}

func TestDefaultWeightsAreCopies(t *testing.T) {
	w := DefaultChurnWeights()
	w["ticket_rate"] = 100
	assert.InDelta(t, 0.6, DefaultChurnWeights()["ticket_rate"], 0, "changing the copy changes nothing")
	for _, m := range []map[string]float64{DefaultChurnWeights(), DefaultExpansionWeights()} {
		for k := range m {
			_, ok := ParseFeature(k)
			assert.True(t, ok, "default weight of unknown feature %q", k)
		}
	}
	// A health model's weights are stored in the Model, so that a decoded
	// Model scores as the original did.
	m := fitModel(t, Config{Churn: ChurnHealth}, segmenttest.Accounts(100, 3))
	j := slices.Index(m.Columns, "ticket_rate")
	require.GreaterOrEqual(t, j, 0)
	assert.InDelta(t, 0.6, m.Churn.Weights[j], 0)
}
