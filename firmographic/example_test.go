package firmographic_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/strataseg/strata/firmographic"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func ExampleNew() {
	s, err := firmographic.New(firmographic.Config{
		Dimensions: []firmographic.Dimension{firmographic.DimEmployees, firmographic.DimSector, firmographic.DimRegion},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	accts := []segment.Account{
		{ID: "walmart", Employees: segment.N(2_200_000), Industry: "Retailing", Country: "US", Region: "AR"},
		{ID: "acme", Employees: segment.N(250), NAICS: "333249", Country: "DE"},
		{ID: "new", Industry: "Underwater basket weaving"},
	}
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(m.Segments()), "segments")
	for _, a := range accts {
		as, _ := m.Assign(&a)
		fmt.Printf("%s: %s (%.2f)\n", a.ID, as.Segment.Name, as.Score)
	}
	// Output:
	// 504 segments
	// walmart: Enterprise · Retail Trade · Americas (1.00)
	// acme: Mid-market · Manufacturing · Europe (1.00)
	// new: Size unknown · Sector unknown · Region unknown (0.00)
}

func ExampleModel_Assign() {
	s, _ := firmographic.New(firmographic.Config{
		Tables: firmographic.Tables{Currency: "USD", Rates: map[string]float64{"EUR": 1.1}},
		Dimensions: []firmographic.Dimension{firmographic.DimEmployees, firmographic.DimRevenue, firmographic.DimSector,
			firmographic.DimCensusRegion, firmographic.DimGrowth, firmographic.TechDimension("crm")},
	})
	a := segment.Account{ID: "A-1", Employees: segment.N(1200), Revenue: segment.N(80e6), Currency: "EUR",
		Industry: "Hospital & Health Care", Country: "US", Region: "Texas", Growth: segment.N(0.12),
		Technologies: []string{"Salesforce", "AWS"}}
	m, _ := s.Fit(context.Background(), slices.Values([]segment.Account{a}))
	as, _ := m.Assign(&a)
	fmt.Println(as.Segment.Name)
	for _, r := range as.Reasons {
		fmt.Println(" ", r.Text)
	}
	// Output:
	// Enterprise · Mid-size revenue · Health Care and Social Assistance · US South · Growing · Uses CRM
	//   employees 1,200 ≥ 1,000 → Enterprise
	//   revenue EUR 80M = USD 88M in USD 10M to under USD 1B → Mid-size revenue
	//   industry "Hospital & Health Care" → sector 62 Health Care and Social Assistance
	//   state TX (census division West South Central) → US South
	//   revenue growth +12% in +10% to under +40% → Growing
	//   technologies Salesforce (CRM) → Uses CRM
}

func ExampleNewLearned() {
	s, _ := firmographic.NewLearned(firmographic.LearnedConfig{K: 3, Seed: 1})
	accts := segmenttest.Accounts(600, 7)
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, sg := range m.Segments() {
		fmt.Println(sg.ID, sg.Name)
	}
	// Output:
	// firmographic/learned-1 Small business · Mixed sectors · Northern America · B2B
	// firmographic/learned-2 Mid-market · Mixed sectors · Northern America · B2B, cloud and CRM-heavy
	// firmographic/learned-3 Small business · Professional, Scientific, and Technical Services · Europe · B2B, spreadsheet-heavy
}

func ExampleNewLookalike() {
	accts := segmenttest.Accounts(600, 7)
	// The reference set: the customers with the most employees, say.
	var best []string
	for _, a := range accts {
		if a.Stage == segment.Customer && a.Employees.Or(0) >= 500 {
			best = append(best, a.ID)
		}
	}
	s, _ := firmographic.NewLookalike(firmographic.LookalikeConfig{Reference: best})
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		fmt.Println(err)
		return
	}
	as, _ := m.Assign(&accts[0])
	fmt.Printf("%s: %s, fit %.2f\n", accts[0].ID, as.Segment.Name, as.Score)
	for _, r := range as.Reasons[:3] {
		fmt.Println(" ", r.Text)
	}
	// Output:
	// A-000001: ICP: weak fit, fit 0.20
	//   similarity 20% to 28 reference accounts → ICP: weak fit
	//   employees 42 < 100 → Small business: 0% of reference accounts, 57% of all
	//   NAICS 455219 → sector 44-45 Retail Trade: 0% of reference accounts, 7% of all
}

func ExampleCountryOf() {
	for _, s := range []string{"USA", "united kingdom", "Czech Republic", "South Korea", "BR"} {
		c, _ := firmographic.CountryOf(s)
		fmt.Printf("%s: %s, %s, %s, %s\n", s, c.Code, c.Region, c.SubRegion, c.Continent)
	}
	// Output:
	// USA: US, Americas, Northern America, North America
	// united kingdom: GB, Europe, Northern Europe, Europe
	// Czech Republic: CZ, Europe, Eastern Europe, Europe
	// South Korea: KR, Asia, Eastern Asia, Asia
	// BR: BR, Americas, Latin America and the Caribbean, South America
}

func ExampleSectorOf() {
	for _, code := range []string{"541511", "336390", "44", "4931"} {
		s, _ := firmographic.SectorOf(code)
		fmt.Println(code, "→", s.Code, s.Title)
	}
	// Output:
	// 541511 → 54 Professional, Scientific, and Technical Services
	// 336390 → 31-33 Manufacturing
	// 44 → 44-45 Retail Trade
	// 4931 → 48-49 Transportation and Warehousing
}

func ExampleUnmatchedIndustries() {
	accts := []segment.Account{
		{ID: "1", Industry: "COMPUTER_SOFTWARE"},
		{ID: "2", Industry: "Quantum widgets"},
		{ID: "3", Industry: "quantum  widgets"},
		{ID: "4", Industry: "Other"},
		{ID: "5", Industry: "Other", NAICS: "5112"},
	}
	for _, u := range firmographic.UnmatchedIndustries(slices.Values(accts), firmographic.Tables{}) {
		fmt.Println(u.Industry, u.Accounts)
	}
	// Output:
	// Quantum widgets 2
	// Other 1
}
