package tier

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
)

var day0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// buyer returns an account with one order of each amount, a week apart.
func buyer(id string, amounts ...float64) segment.Account {
	a := segment.Account{ID: id}
	for i, v := range amounts {
		a.Orders = append(a.Orders, segment.Order{Time: day0.AddDate(0, 0, 7*i), Amount: v})
	}
	return a
}

func fit(t *testing.T, c Config, accts []segment.Account) *Model {
	t.Helper()
	s, err := New(c)
	require.NoError(t, err)
	m, err := s.Fit(context.Background(), slices.Values(accts))
	require.NoError(t, err)
	return m.(*Model)
}

func assign(t *testing.T, m *Model, a segment.Account) segment.Assignment {
	t.Helper()
	as, err := m.Assign(&a)
	require.NoError(t, err)
	return as
}

func TestConfigValidate(t *testing.T) {
	require.NoError(t, Config{}.Validate(), "zero Config")
	cases := []struct {
		name  string
		c     Config
		field string
	}{
		{"custom without key", Config{Measure: MeasureCustom}, "key"},
		{"key without custom", Config{Key: "x"}, "key"},
		{"bad measure", Config{Measure: 9}, "measure"},
		{"bad scheme", Config{Scheme: 9}, "scheme"},
		{"shares sum", Config{Shares: []float64{0.5, 0.4}}, "shares"},
		{"share out of range", Config{Shares: []float64{1.2, -0.2}}, "shares"},
		{"one share", Config{Shares: []float64{1}}, "shares"},
		{"quantiles for pareto", Config{Quantiles: []float64{0.5, 0.5}}, "quantiles"},
		{"threshold without thresholds", Config{Scheme: Threshold}, "thresholds"},
		{"thresholds not decreasing", Config{Scheme: Threshold, Thresholds: []float64{10, 20}}, "thresholds"},
		{"thresholds NaN", Config{Scheme: Threshold, Thresholds: []float64{math.NaN()}}, "thresholds"},
		{"names count", Config{Names: []string{"Gold", "Silver"}}, "names"},
		{"names twice", Config{Names: []string{"Gold", "Gold", "Bronze"}}, "names"},
		{"empty key account", Config{KeyAccounts: []string{""}}, "key_accounts"},
		{"negative channel cost", Config{ChannelCosts: map[string]float64{"event": -1}}, "channel_costs"},
		{"NaN grade weight", Config{GradeWeights: map[string]float64{"A": math.NaN()}}, "grade_weights"},
		{"horizon", Config{HorizonMonths: -1}, "horizon_months"},
		{"discount", Config{Discount: 1.5}, "discount"},
		{"retention", Config{Retention: 1.1}, "retention"},
		{"workers", Config{Workers: -2}, "workers"},
	}
	for _, tc := range cases {
		err := tc.c.Validate()
		assert.ErrorIs(t, err, segment.ErrInvalidConfig, tc.name)
		if assert.Error(t, err, tc.name) {
			assert.Contains(t, err.Error(), "tier: config: "+tc.field+":", tc.name)
		}
		_, err = New(tc.c)
		assert.ErrorIs(t, err, segment.ErrInvalidConfig, tc.name)
	}
	// Every problem is reported.
	err := Config{HorizonMonths: -1, Discount: -1, Workers: -1}.Validate()
	require.Error(t, err)
	for _, f := range []string{"horizon_months", "discount", "workers"} {
		assert.Contains(t, err.Error(), f)
	}
}

func TestMeasureSchemeText(t *testing.T) {
	for _, m := range []Measure{MeasureRevenue, MeasureMargin, MeasureCLV, MeasureContract, MeasureCustom} {
		b, err := m.MarshalText()
		require.NoError(t, err)
		var back Measure
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, m, back, string(b))
	}
	for _, s := range []Scheme{Pareto, Quantile, Threshold} {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var back Scheme
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back, string(b))
	}
	var m Measure
	assert.ErrorIs(t, m.UnmarshalText([]byte("ltv")), segment.ErrInvalidConfig)
	var s Scheme
	assert.ErrorIs(t, s.UnmarshalText([]byte("abc")), segment.ErrInvalidConfig)
}

// paretoAccounts are worth 50, 30, 10, 5, 3, 2 (100 in all), and one has no
// orders.
func paretoAccounts() []segment.Account {
	return []segment.Account{
		buyer("a", 50), buyer("b", 20, 10), buyer("c", 10), buyer("d", 5),
		buyer("e", 3), buyer("f", 1, 1), {ID: "none"},
	}
}

func TestParetoTiers(t *testing.T) {
	m := fit(t, Config{}, paretoAccounts())
	// A: 50 + 30 reach 80%; B: + 10 + 5 reach 95%; C: the rest.
	assert.Equal(t, []float64{30, 5}, m.Bounds)
	assert.Equal(t, []int{2, 2, 3}, m.Counts)
	assert.InDeltaSlice(t, []float64{80, 15, 5}, m.Values, 1e-9)
	want := map[string]string{"a": "tier/A", "b": "tier/A", "c": "tier/B", "d": "tier/B", "e": "tier/C", "f": "tier/C", "none": "tier/C"}
	for _, a := range paretoAccounts() {
		as := assign(t, m, a)
		assert.Equal(t, want[a.ID], as.Segment.ID, a.ID)
		assert.Equal(t, a.ID, as.AccountID)
		assert.GreaterOrEqual(t, as.Score, 0.0, a.ID)
		assert.LessOrEqual(t, as.Score, 1.0, a.ID)
	}
	top := assign(t, m, buyer("a", 50))
	assert.InDelta(t, 1.0, top.Score, 1e-9, "the top account's percentile")
	assert.Equal(t, 50.0, top.Scores["value"])
	assert.Equal(t, "top 1% of accounts by revenue to date: 50.00 ≥ 30.00 → Tier A (the accounts making the first 80% of value)", top.Reasons[0].Text)
	none := assign(t, m, segment.Account{ID: "none"})
	assert.Equal(t, "tier/C", none.Segment.ID)
	assert.Contains(t, none.Reasons[0].Text, "no orders by 2025-01-08")
	// A new account is tiered against the fitted bounds.
	assert.Equal(t, "tier/B", assign(t, m, buyer("new", 7)).Segment.ID)
	assert.Equal(t, "tier/A", assign(t, m, buyer("new", 1000)).Segment.ID)
	// Segments list the tiers, top first.
	ids := []string{}
	for _, s := range m.Segments() {
		ids = append(ids, s.ID)
		assert.Equal(t, "tier", s.Method)
	}
	assert.Equal(t, []string{"tier/A", "tier/B", "tier/C"}, ids)
}

func TestQuantileAndThresholdTiers(t *testing.T) {
	m := fit(t, Config{Scheme: Quantile, Quantiles: []float64{0.3, 0.7}, Names: []string{"Top", "Rest"}}, paretoAccounts())
	// 7 accounts: the top 30% is the first ceil(2.1) = 3.
	assert.Equal(t, []float64{10}, m.Bounds)
	assert.Equal(t, "tier/Top", assign(t, m, buyer("c", 10)).Segment.ID)
	assert.Equal(t, "Top", m.Segments()[0].Name)
	assert.Equal(t, "tier/Rest", assign(t, m, buyer("d", 5)).Segment.ID)

	m = fit(t, Config{Scheme: Threshold, Thresholds: []float64{40, 4}}, paretoAccounts())
	assert.Equal(t, []float64{40, 4}, m.Bounds)
	assert.Equal(t, []int{1, 3, 3}, m.Counts)
	as := assign(t, m, buyer("x", 4))
	assert.Equal(t, "tier/B", as.Segment.ID)
	assert.Equal(t, "top 59% of accounts by revenue to date: 4.00 ≥ 4.00 → Tier B", as.Reasons[0].Text)
}

func TestKeyAccountsAndAdjustments(t *testing.T) {
	accts := paretoAccounts()
	accts[5].Channel, accts[5].LeadGrade = "partner", "A"
	c := Config{
		KeyAccounts:  []string{"f", "none"},
		ChannelCosts: map[string]float64{"partner": 0.5, "event": 3},
		GradeWeights: map[string]float64{"A": 1.5, "C": 0.5},
	}
	m := fit(t, c, accts)
	as := assign(t, m, accts[5])
	assert.Equal(t, "tier/A", as.Segment.ID, "key account with little value")
	require.Len(t, as.Reasons, 4)
	assert.Equal(t, "key account → Tier A, always", as.Reasons[0].Text)
	assert.Equal(t, "id", as.Reasons[0].Field)
	assert.Contains(t, as.Reasons[1].Text, "(C by value)")
	// value = 2 × 1.5 − 0.5
	assert.InDelta(t, 2.5, as.Scores["value"], 1e-12)
	assert.InDelta(t, 2.0, as.Scores["revenue"], 1e-12)
	assert.Equal(t, segment.Reason{Field: "lead_grade", Text: "lead grade A: value ×1.5", Effect: 1}, as.Reasons[2])
	assert.Equal(t, segment.Reason{Field: "channel", Text: "channel partner: acquisition cost 0.50 subtracted", Effect: -0.5}, as.Reasons[3])
	assert.Equal(t, "tier/A", assign(t, m, segment.Account{ID: "none"}).Segment.ID, "key account without orders")
	// An unlisted channel or grade is not adjusted.
	other := buyer("o", 10)
	other.Channel, other.LeadGrade = "web", "B"
	as = assign(t, m, other)
	assert.Equal(t, 10.0, as.Scores["value"])
	assert.Len(t, as.Reasons, 1)
	// Value can go negative after the channel cost; it is then in the
	// bottom tier.
	neg := buyer("n", 2)
	neg.Channel = "event"
	as = assign(t, m, neg)
	assert.Equal(t, -1.0, as.Scores["value"])
	assert.Equal(t, "tier/C", as.Segment.ID)
}

func TestNewCopiesConfig(t *testing.T) {
	c := Config{Shares: []float64{0.7, 0.3}, KeyAccounts: []string{"e"}, ChannelCosts: map[string]float64{"x": 1}}
	s, err := New(c)
	require.NoError(t, err)
	c.Shares[0], c.Shares[1] = 0.1, 0.9
	c.KeyAccounts[0] = "a"
	c.ChannelCosts["x"] = 100
	m, err := s.Fit(context.Background(), slices.Values(paretoAccounts()))
	require.NoError(t, err)
	tm := m.(*Model)
	assert.Equal(t, []float64{0.7, 0.3}, tm.Config.Shares)
	assert.Equal(t, []string{"e"}, tm.Config.KeyAccounts)
	assert.Equal(t, map[string]float64{"x": 1}, tm.Config.ChannelCosts)
}

func TestFitErrors(t *testing.T) {
	s, err := New(Config{})
	require.NoError(t, err)
	_, err = s.Fit(context.Background(), slices.Values([]segment.Account(nil)))
	assert.ErrorIs(t, err, segment.ErrEmptyInput, "no accounts")

	bad := buyer("bad", 10)
	bad.Orders[0].Amount = math.NaN()
	_, err = s.Fit(context.Background(), slices.Values([]segment.Account{buyer("ok", 1), bad}))
	assert.ErrorIs(t, err, segment.ErrInvalidAccount)
	var fe *segment.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "bad", fe.AccountID)
	assert.Equal(t, "orders[0].amount", fe.Field)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.Fit(ctx, slices.Values(paretoAccounts()))
	assert.ErrorIs(t, err, context.Canceled)

	// Measures that need data to fit.
	for _, c := range []Config{{Measure: MeasureMargin}, {Measure: MeasureCLV}, {Measure: MeasureContract}} {
		s, err := New(c)
		require.NoError(t, err)
		_, err = s.Fit(context.Background(), slices.Values([]segment.Account{buyer("one", 5)}))
		assert.ErrorIs(t, err, segment.ErrEmptyInput, c.Measure.String())
	}
	// Without orders or an as-of date there is no date to value by.
	_, err = s.Fit(context.Background(), slices.Values([]segment.Account{{ID: "x"}}))
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
	m, err := New(Config{AsOf: day0})
	require.NoError(t, err)
	_, err = m.Fit(context.Background(), slices.Values([]segment.Account{{ID: "x"}}))
	assert.NoError(t, err, "prospects only, with an as-of date")

	// Assign refuses what Validate refuses.
	tm := fit(t, Config{}, paretoAccounts())
	_, err = tm.Assign(&bad)
	assert.ErrorIs(t, err, segment.ErrInvalidAccount)
	_, err = tm.Assign(nil)
	assert.ErrorIs(t, err, segment.ErrInvalidAccount)
}

func TestAsOf(t *testing.T) {
	accts := paretoAccounts()
	m := fit(t, Config{}, accts)
	assert.Equal(t, day0.AddDate(0, 0, 7), m.AsOf, "latest order")
	// An explicit as-of date leaves later orders out, in Fit and Assign.
	m = fit(t, Config{AsOf: day0}, accts)
	assert.Equal(t, day0, m.AsOf)
	as := assign(t, m, accts[1]) // 20 on day0, 10 a week later
	assert.Equal(t, 20.0, as.Scores["revenue"])
	// 50 + 20 + 10 make 80 of 89 (≥ 80%), + 5 makes 95.5%, 3 + 1 remain.
	assert.InDeltaSlice(t, []float64{80, 5, 4}, m.Values, 1e-9)
}

func TestMarginMeasure(t *testing.T) {
	a := segment.Account{ID: "m", Orders: []segment.Order{
		{Time: day0, Amount: 100, Margin: segment.N(40)},
		{Time: day0, Amount: 50}, // no margin: at the account's rate, 40%
		{Time: day0, Amount: 10, Margin: segment.N(4), Return: true},
	}}
	b := segment.Account{ID: "n", Orders: []segment.Order{{Time: day0, Amount: 200}}} // at the overall rate
	m := fit(t, Config{Measure: MeasureMargin}, []segment.Account{a, b})
	// Overall rate: (40 − 4) / (100 − 10) = 0.4.
	assert.InDelta(t, 0.4, m.MarginRate, 1e-12)
	as := assign(t, m, a)
	assert.InDelta(t, 36+0.4*50, as.Scores["margin"], 1e-9)
	require.Len(t, as.Reasons, 2)
	assert.Equal(t, "margin of 50.00 of orders without a known margin estimated at 40%", as.Reasons[1].Text)
	assert.InDelta(t, 80, assign(t, m, b).Scores["margin"], 1e-9)
}

func TestContractMeasure(t *testing.T) {
	asOf := day0.AddDate(2, 0, 0)
	subs := func(id string, monthly float64, start time.Time, end time.Time) segment.Account {
		return segment.Account{ID: id, Subscriptions: []segment.Subscription{{Start: start, End: end, Monthly: monthly}}}
	}
	accts := []segment.Account{
		subs("big", 1000, day0, time.Time{}),
		subs("small", 100, day0.AddDate(1, 0, 0), time.Time{}),
		subs("gone", 500, day0, day0.AddDate(1, 0, 0)),
	}
	m := fit(t, Config{Measure: MeasureContract, AsOf: asOf, HorizonMonths: 12, Discount: 0.01}, accts)
	// One churn in 24 + 12 + 12 months of exposure.
	assert.InDelta(t, math.Exp(-1.0/48), m.Retention, 1e-3)
	as := assign(t, m, accts[0])
	assert.InDelta(t, ContractCLV(1000, m.Retention, 12, 0.01), as.Scores["clv"], 1e-9)
	assert.Equal(t, 1000.0, as.Scores["mrr"])
	assert.Equal(t, "tier/A", as.Segment.ID)
	gone := assign(t, m, accts[2])
	assert.Equal(t, "tier/C", gone.Segment.ID)
	assert.Contains(t, gone.Reasons[0].Text, "no subscription running")

	// A given retention rate is used as it is.
	m = fit(t, Config{Measure: MeasureContract, AsOf: asOf, Retention: 0.9}, accts)
	assert.Equal(t, 0.9, m.Retention)
}

func TestContractCLV(t *testing.T) {
	assert.InDelta(t, 100*(0.9+0.81+0.729), ContractCLV(100, 0.9, 3, 0), 1e-9)
	assert.InDelta(t, 100*(0.9/1.1+0.81/1.21), ContractCLV(100, 0.9, 2, 0.1), 1e-9)
	// The infinite-horizon limit m·r/(1+d−r) (Gupta & Lehmann 2003).
	assert.InDelta(t, 100*0.9/(1+0.01-0.9), ContractCLV(100, 0.9, 1200, 0.01), 1e-6)
	assert.InDelta(t, 10.0, ExpectedLifetime(0.9), 1e-9)
	assert.True(t, math.IsInf(ExpectedLifetime(1), 1))
	s := []segment.Subscription{
		{Start: day0, Monthly: 10},
		{Start: day0, End: day0.AddDate(0, 1, 0), Monthly: 20},
		{Start: day0.AddDate(1, 0, 0), Monthly: 40},
	}
	assert.Equal(t, 10.0, MRR(s, day0.AddDate(0, 6, 0)))
	assert.Equal(t, 30.0, MRR(s, day0))
}

func TestCustomMeasure(t *testing.T) {
	accts := []segment.Account{
		{ID: "a", Numbers: map[string]float64{"potential": 90}},
		{ID: "b", Numbers: map[string]float64{"potential": 10}},
		{ID: "c"},
	}
	m := fit(t, Config{Measure: MeasureCustom, Key: "potential"}, accts)
	require.Len(t, m.Segments(), 4)
	assert.Equal(t, "tier/unknown", m.Segments()[3].ID)
	assert.Equal(t, "tier/A", assign(t, m, accts[0]).Segment.ID)
	as := assign(t, m, accts[2])
	assert.Equal(t, "tier/unknown", as.Segment.ID)
	assert.Equal(t, 0.0, as.Score)
	assert.Equal(t, "numbers[potential] is unknown → Unknown value", as.Reasons[0].Text)
	// 90 of 100 is tier A; 10 brings the total to 100%, tier B.
	assert.Equal(t, []int{1, 1, 0, 1}, m.Counts)
}

func TestRoundTrip(t *testing.T) {
	accts := paretoAccounts()
	accts = append(accts, segment.Account{ID: "g", Orders: []segment.Order{{Time: day0, Amount: 3}, {Time: day0.AddDate(0, 1, 0), Amount: 4}}})
	for _, c := range []Config{
		{KeyAccounts: []string{"e"}, Names: []string{"Gold", "Silver", "Bronze"}},
		{Measure: MeasureCLV, Scheme: Quantile, Discount: 0.01},
	} {
		s, err := New(c)
		require.NoError(t, err)
		m, err := s.Fit(context.Background(), slices.Values(accts))
		require.NoError(t, err, c.Measure.String())
		b, err := json.Marshal(m)
		require.NoError(t, err)
		back, err := s.DecodeModel(b)
		require.NoError(t, err, c.Measure.String())
		b2, err := json.Marshal(back)
		require.NoError(t, err)
		assert.JSONEq(t, string(b), string(b2))
		for _, a := range accts {
			want, err := m.Assign(&a)
			require.NoError(t, err)
			got, err := back.Assign(&a)
			require.NoError(t, err)
			assert.Equal(t, want, got, a.ID)
		}
	}
	s, _ := New(Config{})
	m := fit(t, Config{}, accts)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	_, err = s.DecodeModel([]byte(strings.Replace(string(b), `"method":"tier"`, `"method":"firmographic"`, 1)))
	assert.ErrorIs(t, err, segment.ErrModelVersion)
	_, err = s.DecodeModel([]byte(strings.Replace(string(b), `"version":1`, `"version":2`, 1)))
	assert.ErrorIs(t, err, segment.ErrModelVersion)
	_, err = s.DecodeModel([]byte(strings.Replace(string(b), `"bounds":[`, `"bounds":[1,`, 1)))
	assert.ErrorIs(t, err, segment.ErrInvalidConfig, "a bound too many")
	_, err = s.DecodeModel([]byte("{"))
	assert.Error(t, err)
}

func TestCLVMeasureCDNOW(t *testing.T) {
	orders := readCDNOWSample(t)
	ids := slices.Sorted(maps.Keys(orders))
	accts := make([]segment.Account, len(ids))
	for i, id := range ids {
		accts[i] = segment.Account{ID: id, Orders: orders[id], Currency: "USD"}
	}
	m := fit(t, Config{Measure: MeasureCLV, AsOf: cdnowEnd, HorizonMonths: 12, Discount: 0.01}, accts)
	// The Segmenter summarizes in weeks, so it finds the published fit.
	require.NotNil(t, m.BGNBD)
	assert.InDelta(t, 0.2426, m.BGNBD.R, 0.0005)
	assert.InDelta(t, 4.4135, m.BGNBD.Alpha, 0.005)
	assert.InDelta(t, 0.7929, m.BGNBD.A, 0.0005)
	assert.InDelta(t, 2.4258, m.BGNBD.B, 0.005)
	assert.InDelta(t, 6.25, m.GammaGamma.P, 0.005)
	as := assign(t, m, accts[0]) // customer 1: x = 2, t_x = 30.43, T = 38.86, zbar = 22.35
	assert.Equal(t, "1", as.AccountID)
	assert.InDelta(t, m.BGNBD.PAlive(2, 213.0/7, 272.0/7), as.Scores["p_alive"], 1e-12)
	assert.InDelta(t, CLV(*m.BGNBD, *m.GammaGamma, Summary{Frequency: 2, Recency: 213.0 / 7, T: 272.0 / 7, Monetary: 22.345}, 12, 0.01, weeksPerMonth), as.Scores["clv"], 1e-9)
	assert.Equal(t, "3 purchases, the last 8 weeks ago: P(alive) 72.7%; 1.6 purchases expected in a year at USD 24.65 each", as.Reasons[1].Text)
}

func TestHistorical(t *testing.T) {
	orders := []segment.Order{
		{Time: day0, Amount: 100, Margin: segment.N(30)},
		{Time: day0.AddDate(0, 2, 0), Amount: 50},
		{Time: day0.AddDate(0, 3, 0), Amount: 20, Return: true},
		{Time: day0.AddDate(1, 0, 0), Amount: 70},
	}
	h := Historical(orders, day0.AddDate(0, 6, 0))
	assert.Equal(t, 2, h.Orders)
	assert.Equal(t, 150.0, h.Purchases)
	assert.Equal(t, 20.0, h.Returns)
	assert.Equal(t, 130.0, h.Revenue)
	assert.Equal(t, 75.0, h.AverageOrder)
	assert.Equal(t, day0, h.First)
	assert.Equal(t, day0.AddDate(0, 2, 0), h.Last)
	assert.Equal(t, day0.AddDate(0, 6, 0).Sub(day0), h.Tenure)
	assert.Equal(t, segment.N(30), h.Margin)
	assert.Equal(t, 100.0, h.MarginBase)
	assert.Equal(t, 30.0, h.Unmargined)
	assert.False(t, Historical(orders[1:2], time.Time{}).Margin.Known(), "no margin known")

	q := []time.Time{day0, day0.AddDate(0, 3, 0), day0.AddDate(0, 6, 0), day0.AddDate(1, 1, 0)}
	assert.Equal(t, []float64{150, -20, 70}, RevenueByPeriod(orders, q))
	assert.Nil(t, RevenueByPeriod(orders, q[:1]))
}

func TestNetRetention(t *testing.T) {
	y1, y2, y3 := day0, day0.AddDate(1, 0, 0), day0.AddDate(2, 0, 0)
	at := func(tm time.Time, v float64) segment.Order { return segment.Order{Time: tm, Amount: v} }
	accts := []segment.Account{
		{ID: "grow", Orders: []segment.Order{at(y1, 100), at(y2, 150)}},
		{ID: "shrink", Orders: []segment.Order{at(y1, 100), at(y2, 60)}},
		{ID: "churn", Orders: []segment.Order{at(y1, 50)}},
		{ID: "new", Orders: []segment.Order{at(y2, 500)}},
	}
	r := NetRetention(slices.Values(accts), y1, y2, y2, y3)
	assert.Equal(t, 3, r.Accounts)
	assert.Equal(t, 250.0, r.Base)
	assert.Equal(t, 210.0, r.Current)
	assert.Equal(t, 50.0, r.Expansion)
	assert.Equal(t, 40.0, r.Contraction)
	assert.Equal(t, 50.0, r.Churn)
	assert.Equal(t, 1, r.Churned)
	assert.InDelta(t, 0.84, r.NRR, 1e-12)
	assert.InDelta(t, 0.64, r.GRR, 1e-12)
}

func TestSummarize(t *testing.T) {
	orders := []segment.Order{
		{Time: day0, Amount: 10},
		{Time: day0.Add(3 * time.Hour), Amount: 5}, // same day: one purchase
		{Time: day0.AddDate(0, 0, 14), Amount: 30},
		{Time: day0.AddDate(0, 0, 21), Amount: 8, Return: true},
		{Time: day0.AddDate(0, 0, 28), Amount: 50},
		{Time: day0.AddDate(0, 0, 70), Amount: 99}, // after as-of
	}
	s, err := Summarize(orders, day0.AddDate(0, 0, 35), week)
	require.NoError(t, err)
	assert.Equal(t, Summary{Frequency: 2, Recency: 4, T: 5, Monetary: 40}, s)
	_, err = Summarize(orders[5:], day0, week)
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
	_, err = Summarize(orders, day0, 0)
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	_, err = Summarize([]segment.Order{{Amount: 1}}, day0, week)
	assert.ErrorIs(t, err, segment.ErrInvalidAccount)
}

func TestBGNBDFunctions(t *testing.T) {
	m := BGNBD{R: 0.2426, Alpha: 4.4135, A: 0.7929, B: 2.4258}
	// With no history the conditional expectation is the population one
	// (equation 10 reduces to equation 9).
	assert.InDelta(t, m.PopulationPurchases(39), m.ExpectedPurchases(39, 0, 0, 0), 1e-9)
	assert.Equal(t, 1.0, m.PAlive(0, 0, 30))
	// P(alive) falls with the time since the last purchase.
	assert.Greater(t, m.PAlive(2, 30, 38.86), m.PAlive(2, 10, 38.86))
	assert.Equal(t, 0.0, m.ExpectedPurchases(0, 2, 30, 38))
	// Customer 1 of the CDNOW summary.
	assert.InDelta(t, 1.226, m.ExpectedPurchases(39, 2, 30.43, 38.86), 0.0005)

	_, err := FitBGNBD(nil)
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
	_, err = FitBGNBD([]Summary{{T: 5}, {T: 3}})
	assert.ErrorIs(t, err, segment.ErrEmptyInput, "no repeat purchase")
	_, err = FitBGNBD([]Summary{{ID: "x", Frequency: 1, Recency: 9, T: 5}})
	assert.ErrorIs(t, err, segment.ErrInvalidAccount)
	var fe *segment.FieldError
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, "x", fe.AccountID)
	assert.Equal(t, "t", fe.Field)
	_, err = BGNBD{R: -1, Alpha: 1, A: 1, B: 1}.LogLikelihoodOf([]Summary{{Frequency: 1, Recency: 1, T: 2}})
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)

	g := GammaGamma{P: 6.25, Q: 3.74, V: 15.45}
	// Undiscounted, the monthly sum is the spend times the purchases over
	// the whole horizon.
	s := Summary{Frequency: 2, Recency: 30.43, T: 38.86, Monetary: 22.35}
	assert.InDelta(t, g.ExpectedSpend(2, 22.35)*m.ExpectedPurchases(52, 2, 30.43, 38.86), CLV(m, g, s, 12, 0, 52.0/12), 1e-9)
	assert.Less(t, CLV(m, g, s, 12, 0.01, 52.0/12), CLV(m, g, s, 12, 0, 52.0/12), "discounting lowers the value")
	assert.InDelta(t, 6.25*15.45/2.74, g.ExpectedSpend(0, 0), 1e-9, "population mean")
	assert.InDelta(t, 6.25*(15.45+2*22.35)/(6.25*2+3.74-1), g.ExpectedSpend(2, 22.35), 1e-9)
	_, err = FitGammaGamma([]Summary{{T: 5}})
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
}

// TestCDNOWHoldout compares the purchases the published BG/NBD fit predicts
// for weeks 40 to 78 with those made, from the raw transactions.
func TestCDNOWHoldout(t *testing.T) {
	orders := readCDNOWSample(t)
	sums := readCDNOWSummary(t)
	m, err := FitBGNBD(sums)
	require.NoError(t, err)
	end := time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC)
	var pred, act float64
	var ps, as []float64
	for _, s := range sums {
		days := map[int64]bool{}
		for _, o := range orders[s.ID] {
			if o.Time.After(cdnowEnd) && !o.Time.After(end) {
				days[dayNumber(o.Time)] = true
			}
		}
		p := m.ExpectedPurchases(39, float64(s.Frequency), s.Recency, s.T)
		pred += p
		act += float64(len(days))
		ps, as = append(ps, p), append(as, float64(len(days)))
	}
	c := corr(ps, as)
	t.Logf("CDNOW weeks 40-78: predicted %.0f purchases, actual %.0f; correlation %.3f", pred, act, c)
	assert.InDelta(t, 0.88, pred/act, 0.02, "total predicted / actual")
	assert.Greater(t, c, 0.5)
}
