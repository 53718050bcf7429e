package behavior_test

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/strataseg/strata/behavior"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func ExampleNew() {
	accts := segmenttest.Accounts(500, 1)
	s, err := behavior.New(behavior.Config{Seed: 1})
	if err != nil {
		panic(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		panic(err)
	}
	bm := m.(*behavior.Model)
	fmt.Println("as of:", bm.Options.AsOf.Format(time.DateOnly))
	fmt.Println("learned churn model:", bm.Churn.Learned)
	for _, seg := range m.Segments() {
		fmt.Println(seg.ID)
	}
	// Output:
	// as of: 2026-06-29
	// learned churn model: true
	// behavior/expand
	// behavior/healthy
	// behavior/watch
	// behavior/at-risk
	// behavior/dormant
}

func ExampleModel_Assign() {
	accts := segmenttest.Accounts(500, 1)
	s, err := behavior.New(behavior.Config{Churn: behavior.ChurnHealth})
	if err != nil {
		panic(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		panic(err)
	}
	for _, id := range []string{"A-000003", "A-000015"} {
		i := slices.IndexFunc(accts, func(a segment.Account) bool { return a.ID == id })
		as, err := m.Assign(&accts[i])
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: %s (churn risk %.2f, expansion %.2f)\n", id, as.Segment.Name, as.Scores["churn_risk"], as.Scores["expansion"])
		for _, r := range as.Reasons[:3] {
			fmt.Println("  ", r.Text)
		}
	}
	// Output:
	// A-000003: Expand (churn risk 0.05, expansion 0.72)
	//    expansion potential 0.72 ≥ 0.50 and churn risk 0.05 < 0.30 → Expand
	//    last purchase 239 days ago → churn risk ↑ (+0.53 log-odds)
	//    seats used 83% of purchased → churn risk ↓ (-0.53 log-odds)
	// A-000015: At risk (churn risk 0.99, expansion 0.01)
	//    churn risk 0.99 ≥ 0.50 → At risk
	//    usage -36.3% a month → churn risk ↑ (+3.20 log-odds)
	//    MRR stopped (−100%) over the last trend period → churn risk ↑ (+1.06 log-odds)
}

func ExampleFeatures() {
	asOf := time.Date(2026, time.June, 30, 0, 0, 0, 0, time.UTC)
	a := segment.Account{
		ID: "A-1",
		Orders: []segment.Order{
			{Time: asOf.AddDate(0, 0, -12), Amount: 900, Discount: 100},
			{Time: asOf.AddDate(0, 0, -140), Amount: 600},
		},
		Subscriptions: []segment.Subscription{{Start: asOf.AddDate(-1, 0, 0), Monthly: 400, Seats: 20}},
		Usage: []segment.Usage{
			{Time: asOf.AddDate(0, 0, -3), Metric: segment.MetricSeatsUsed, Value: 18},
		},
	}
	v := behavior.Features(&a, behavior.Options{AsOf: asOf})
	for _, f := range []behavior.Feature{behavior.RecencyDays, behavior.Frequency, behavior.SpendTrend, behavior.SeatUtilization, behavior.DiscountShare, behavior.FeatureBreadth} {
		if x, ok := v.Get(f); ok {
			fmt.Printf("%s = %.3g\n", f, x)
		} else {
			fmt.Printf("%s unknown\n", f)
		}
	}
	// Output:
	// recency_days = 12
	// frequency = 2
	// spend_trend = 0.2
	// seat_utilization = 0.9
	// discount_share = 0.0625
	// feature_breadth unknown
}
