package propensity_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/strataseg/strata/propensity"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// Fit a conversion model on synthetic leads, leaving out our own product
// (customers list it after buying: it would leak the outcome), and read
// its out-of-fold validation.
func ExampleNew() {
	accts := segmenttest.Accounts(1000, 1)
	s, err := propensity.New(propensity.Config{
		Numbers: []string{"intent_score"},
		Exclude: []string{"technologies[" + segmenttest.OurProduct + "]"},
		Seed:    1,
	})
	if err != nil {
		panic(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		panic(err)
	}
	v := m.(*propensity.Model).Scorer.Validation
	fmt.Printf("%d leads with a known outcome, %d converted\n", v.Accounts, v.Positives)
	fmt.Printf("C %v, out-of-fold AUC %.2f, Brier %.3f\n", v.C, v.Calibrated.AUC, v.Calibrated.Brier)
	for _, b := range m.(*propensity.Model).Scorer.Bands {
		fmt.Printf("%s: %d leads, %.0f%% converted\n", b.Name, b.Accounts, 100*b.Rate)
	}
	// Output:
	// 944 leads with a known outcome, 284 converted
	// C 0.1, out-of-fold AUC 0.72, Brier 0.180
	// Hot: 189 leads, 56% converted
	// Warm: 283 leads, 34% converted
	// Cold: 472 leads, 17% converted
}

// Score one lead: its probability, band and the fields behind them.
func ExampleModel_Assign() {
	accts := segmenttest.Accounts(1000, 1)
	s, err := propensity.New(propensity.Config{
		Exclude: []string{"technologies[" + segmenttest.OurProduct + "]"},
		C:       0.1,
	})
	if err != nil {
		panic(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		panic(err)
	}
	as, err := m.Assign(&accts[4])
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: %s, p_convert %.2f, band rate %.2f\n", as.AccountID, as.Segment.Name, as.Scores["p_convert"], as.Scores["band_rate"])
	for _, r := range as.Reasons {
		fmt.Println(" ", r.Text)
	}
	// Output:
	// A-000005: Warm, p_convert 0.35, band rate 0.32
	//   35% likely to convert → Warm (band rate 32%, measured out of fold)
	//   NAICS sector 44: -0.32 log-odds
	//   customer type B2C: +0.29 log-odds
	//   uses Zapier: +0.24 log-odds
	//   uses HubSpot: +0.18 log-odds
	//   revenue 10,569,000: -0.17 log-odds
	//   no meeting events in 180 days: -0.12 log-odds
}

// Which lead grades convert best? Group the leads by another layer (here a
// rule on the lead grade) and read each group's rate, interval and lift.
func ExampleRateByGroup() {
	accts := segmenttest.Accounts(3000, 2)
	var segs []segment.Segment
	for _, g := range []string{"A", "B", "C", "D", "unknown"} {
		segs = append(segs, segment.Segment{ID: "grade/" + g, Name: "grade " + g})
	}
	rule, err := segment.NewRules("grade", segs, func(a *segment.Account) (segment.Assignment, error) {
		g := a.LeadGrade
		if g == "" {
			g = "unknown"
		}
		return segment.Assignment{AccountID: a.ID, Segment: segment.Segment{ID: "grade/" + g}, Score: 1}, nil
	})
	if err != nil {
		panic(err)
	}
	byGrade, err := rule.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		panic(err)
	}
	g, err := propensity.RateByGroup(context.Background(), slices.Values(accts), byGrade, propensity.GroupOptions{MinSize: 100})
	if err != nil {
		panic(err)
	}
	fmt.Printf("overall %.1f%% of %d\n", 100*g.Overall.Rate, g.Overall.Known)
	for _, r := range g.Groups {
		fmt.Printf("%-13s %5.1f%% [%4.1f%%, %4.1f%%] lift %.2f (%d)\n", r.Segment.Name, 100*r.Rate, 100*r.Low, 100*r.High, r.Lift, r.Known)
	}
	// Output:
	// overall 31.8% of 2812
	// grade A        54.1% [49.6%, 58.5%] lift 1.70 (475)
	// grade B        39.6% [35.9%, 43.4%] lift 1.24 (642)
	// grade unknown  30.4% [26.7%, 34.3%] lift 0.96 (563)
	// grade C        23.3% [20.2%, 26.7%] lift 0.73 (644)
	// grade D        12.7% [10.0%, 16.0%] lift 0.40 (488)
}

// Which product line will each customer buy next?
func ExampleNewCrossSell() {
	accts := segmenttest.Accounts(1000, 3)
	s, err := propensity.NewCrossSell(propensity.Config{C: 1})
	if err != nil {
		panic(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		panic(err)
	}
	for _, a := range accts {
		if len(a.Orders) < 3 {
			continue
		}
		as, err := m.Assign(&a)
		if err != nil {
			panic(err)
		}
		if len(as.Reasons) < 4 {
			continue
		}
		fmt.Println(as.AccountID, as.Segment.Name)
		for _, r := range as.Reasons[:4] {
			fmt.Println(" ", r.Text)
		}
		break
	}
	// Output:
	// A-000013 Next: Hardware
	//   Hardware not yet bought: 37% likely to buy it
	//   orders of other lines 13: +1.43 log-odds
	//   revenue 471,295,000: +1.02 log-odds
	//   amount bought of other lines 98,517.37: -1.00 log-odds
}
