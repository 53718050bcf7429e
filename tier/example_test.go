package tier_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/tier"
)

var start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// customer returns an account with an order of amount every gap days, n
// times.
func customer(id string, n, gap int, amount float64) segment.Account {
	a := segment.Account{ID: id, Currency: "EUR"}
	for i := range n {
		a.Orders = append(a.Orders, segment.Order{Time: start.AddDate(0, 0, i*gap), Amount: amount})
	}
	return a
}

func accounts() []segment.Account {
	return []segment.Account{
		customer("northwind", 12, 30, 40000),
		customer("contoso", 6, 60, 25000),
		customer("fabrikam", 4, 90, 8000),
		customer("tailspin", 3, 100, 2000),
		customer("litware", 1, 1, 1500),
		{ID: "adatum", Stage: segment.Lead}, // a prospect: no orders yet
	}
}

func ExampleNew() {
	s, err := tier.New(tier.Config{
		KeyAccounts: []string{"litware"},
		AsOf:        time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(accounts()))
	if err != nil {
		panic(err)
	}
	for _, seg := range m.Segments() {
		fmt.Printf("%s: %s\n", seg.ID, seg.Description)
	}
	// Output:
	// tier/A: Accounts with revenue to date of at least 150k: the accounts making the first 80% of value; and the named key accounts.
	// tier/B: Accounts with revenue to date of at least 32k: the next 15% of value, to 95%.
	// tier/C: Accounts with revenue to date below 32k: the last 5% of value.
}

func ExampleModel_Assign() {
	s, err := tier.New(tier.Config{
		KeyAccounts:  []string{"litware"},
		GradeWeights: map[string]float64{"A": 1.2},
		AsOf:         time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	accts := accounts()
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		panic(err)
	}
	// A new account, graded A.
	newcomer := customer("wingtip", 2, 45, 90000)
	newcomer.LeadGrade = "A"
	for _, a := range append(accts, newcomer) {
		as, err := m.Assign(&a)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s %s %.2f\n", a.ID, as.Segment.ID, as.Score)
		for _, r := range as.Reasons {
			fmt.Println("  ", r.Text)
		}
	}
	// Output:
	// northwind tier/A 1.00
	//    top 1% of accounts by revenue to date: EUR 480k ≥ EUR 150k → Tier A (the accounts making the first 80% of value)
	// contoso tier/A 0.80
	//    top 20% of accounts by revenue to date: EUR 150k ≥ EUR 150k → Tier A (the accounts making the first 80% of value)
	// fabrikam tier/B 0.60
	//    top 40% of accounts by revenue to date: EUR 32k ≥ EUR 32k → Tier B (the next 15% of value, to 95%)
	// tailspin tier/C 0.40
	//    top 60% of accounts by revenue to date: EUR 6000 < EUR 32k → Tier C (the last 5% of value)
	// litware tier/A 0.20
	//    key account → Tier A, always
	//    top 80% of accounts by revenue to date: EUR 1500 < EUR 32k (C by value)
	// adatum tier/C 0.00
	//    no orders by 2025-12-31: revenue to date 0 → Tier C
	// wingtip tier/A 0.84
	//    top 16% of accounts by revenue to date: EUR 216k ≥ EUR 150k → Tier A (the accounts making the first 80% of value)
	//    lead grade A: value ×1.2
}

// The CLV measure fits the BG/NBD and Gamma-Gamma models on the accounts'
// orders and ranks by predicted value.
func ExampleNew_clv() {
	r := rand.New(rand.NewPCG(1, 2))
	var accts []segment.Account
	for i := range 300 {
		a := segment.Account{ID: fmt.Sprintf("C-%03d", i)}
		rate := r.ExpFloat64() / 20 // purchases a day
		spend := 100 * (0.5 + r.Float64())
		life := r.ExpFloat64() * 400 // days
		for d := r.IntN(60); d < 365 && d < 60+int(life); d += 1 + int(r.ExpFloat64()/rate) {
			a.Orders = append(a.Orders, segment.Order{Time: start.AddDate(0, 0, d), Amount: spend})
		}
		accts = append(accts, a)
	}
	s, err := tier.New(tier.Config{Measure: tier.MeasureCLV, Scheme: tier.Quantile, HorizonMonths: 12, Discount: 0.01})
	if err != nil {
		panic(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		panic(err)
	}
	tm := m.(*tier.Model)
	fmt.Printf("as of %s, tiers from %.0f and %.0f\n", tm.AsOf.Format(time.DateOnly), tm.Bounds[0], tm.Bounds[1])
	for _, a := range accts[:40] {
		as, err := m.Assign(&a)
		if err != nil {
			panic(err)
		}
		if as.Segment.ID == "tier/A" {
			fmt.Println(a.ID, as.Segment.ID)
			for _, r := range as.Reasons {
				fmt.Println("  ", r.Text)
			}
			break
		}
	}
	// Output:
	// as of 2025-12-31, tiers from 940 and 157
	// C-009 tier/A
	//    top 16% of accounts by predicted 1-year value: 1379 ≥ 940 → Tier A (the top 20% of accounts)
	//    14 purchases, the last 10 days ago: P(alive) 95.4%; 11.8 purchases expected in a year at 124 each
}

func ExampleFitBGNBD() {
	// 3,000 customers simulated from a BG/NBD with r = 0.5, α = 5 (weeks),
	// a = 0.8, b = 2.5, each watched for 52 weeks after the first purchase.
	r := rand.New(rand.NewPCG(7, 7))
	var s []tier.Summary
	for range 3000 {
		lambda := gamma(r, 0.5) / 5
		p := betaDraw(r, 0.8, 2.5)
		var x int
		var t, tx float64
		for {
			t += r.ExpFloat64() / lambda
			if t > 52 {
				break
			}
			x, tx = x+1, t
			if r.Float64() < p { // drops out after this purchase
				break
			}
		}
		s = append(s, tier.Summary{Frequency: x, Recency: tx, T: 52})
	}
	m, err := tier.FitBGNBD(s)
	if err != nil {
		panic(err)
	}
	fmt.Printf("r=%.1f alpha=%.0f a=%.1f b=%.1f\n", m.R, m.Alpha, m.A, m.B)
	// Output:
	// r=0.5 alpha=5 a=0.8 b=2.5
}

// gamma draws from Gamma(k, 1) (Marsaglia & Tsang 2000, with the boost for
// k < 1).
func gamma(r *rand.Rand, k float64) float64 {
	if k < 1 {
		return gamma(r, k+1) * math.Pow(r.Float64(), 1/k)
	}
	d := k - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		if math.Log(r.Float64()) < x*x/2+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}

func betaDraw(r *rand.Rand, a, b float64) float64 {
	x := gamma(r, a)
	return x / (x + gamma(r, b))
}

func ExampleBGNBD_ExpectedPurchases() {
	// The BG/NBD parameters Fader, Hardie & Lee (2005) fit on CDNOW, in weeks.
	m := tier.BGNBD{R: 0.2426, Alpha: 4.4135, A: 0.7929, B: 2.4258}
	// A customer with 2 repeat purchases, the last in week 30.43 of 38.86.
	fmt.Printf("expected purchases in the next 39 weeks: %.3f\n", m.ExpectedPurchases(39, 2, 30.43, 38.86))
	fmt.Printf("P(alive): %.3f\n", m.PAlive(2, 30.43, 38.86))
	fmt.Printf("a new customer's purchases in 39 weeks: %.3f\n", m.PopulationPurchases(39))
	// Output:
	// expected purchases in the next 39 weeks: 1.226
	// P(alive): 0.727
	// a new customer's purchases in 39 weeks: 1.195
}

func ExampleCLV() {
	bg := tier.BGNBD{R: 0.2426, Alpha: 4.4135, A: 0.7929, B: 2.4258}
	gg := tier.GammaGamma{P: 6.25, Q: 3.74, V: 15.45}
	s := tier.Summary{Frequency: 2, Recency: 30.43, T: 38.86, Monetary: 22.35}
	weeksPerMonth := 365.25 / 12 / 7
	fmt.Printf("spend per purchase: $%.2f\n", gg.ExpectedSpend(2, 22.35))
	fmt.Printf("12-month CLV at 1%% a month: $%.2f\n", tier.CLV(bg, gg, s, 12, 0.01, weeksPerMonth))
	// Output:
	// spend per purchase: $24.67
	// 12-month CLV at 1% a month: $36.31
}

func ExampleSummarize() {
	day := func(m, d int) time.Time { return time.Date(1997, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	orders := []segment.Order{
		{Time: day(1, 1), Amount: 29.33},
		{Time: day(1, 18), Amount: 29.73},
		{Time: day(8, 2), Amount: 14.96},
		{Time: day(12, 12), Amount: 26.48}, // after the as-of date
	}
	s, err := tier.Summarize(orders, day(9, 30), 7*24*time.Hour)
	if err != nil {
		panic(err)
	}
	fmt.Printf("x=%d t_x=%.2f T=%.2f monetary=%.2f\n", s.Frequency, s.Recency, s.T, s.Monetary)
	// Output:
	// x=2 t_x=30.43 T=38.86 monetary=22.35
}

func ExampleNetRetention() {
	y := func(n int) time.Time { return time.Date(2023+n, 1, 1, 0, 0, 0, 0, time.UTC) }
	order := func(n int, v float64) segment.Order { return segment.Order{Time: y(n), Amount: v} }
	accts := []segment.Account{
		{ID: "grew", Orders: []segment.Order{order(0, 100), order(1, 160)}},
		{ID: "shrank", Orders: []segment.Order{order(0, 100), order(1, 70)}},
		{ID: "left", Orders: []segment.Order{order(0, 50)}},
	}
	r := tier.NetRetention(slices.Values(accts), y(0), y(1), y(1), y(2))
	fmt.Printf("NRR %.0f%%, GRR %.0f%%, expansion %.0f, churn %.0f\n", 100*r.NRR, 100*r.GRR, r.Expansion, r.Churn)
	// Output:
	// NRR 92%, GRR 68%, expansion 60, churn 50
}

func ExampleContractCLV() {
	// 2,000 a month at 98% monthly retention, over 3 years, 1% a month.
	fmt.Printf("%.0f, expected lifetime %.0f months\n", tier.ContractCLV(2000, 0.98, 36, 0.01), tier.ExpectedLifetime(0.98))
	// Output:
	// 43268, expected lifetime 50 months
}
