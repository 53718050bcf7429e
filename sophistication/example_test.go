package sophistication_test

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/sophistication"
)

// leads are a few prospects as a CRM holds them.
func leads() []segment.Account {
	at := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	return []segment.Account{
		{ID: "brightloop", Name: "Brightloop", Founded: 2025, Employees: segment.N(6),
			Technologies: []string{"Google Workspace", "Slack"}},
		{ID: "hallam", Name: "Hallam & Sons", Founded: 1962, Employees: segment.N(40),
			Technologies: []string{"Excel", "Paper archives"},
			Events:       []segment.Event{{Time: at, Kind: segment.EventContent, Topic: "Getting started"}}},
		{ID: "quorum", Name: "Quorum Logistics", Founded: 2004, Employees: segment.N(900),
			Technologies: []string{"Corvana Suite", "AWS"},
			Survey:       map[string]float64{"maturity_self": 4}},
		{ID: "ostrava", Name: "Ostrava Foods", Employees: segment.N(300)},
	}
}

func ExampleNew() {
	s, err := sophistication.New(sophistication.Config{
		Competitors: []string{"Corvana Suite", "Tessaly One"},
		OurProducts: []string{"Northbeam Platform"},
	})
	if err != nil {
		panic(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(leads()))
	if err != nil {
		panic(err)
	}
	for _, seg := range m.Segments() {
		fmt.Println(seg.ID)
	}
	// Output:
	// sophistication/unaware
	// sophistication/manual
	// sophistication/evaluating
	// sophistication/competitor
	// sophistication/advanced
	// sophistication/unknown
}

func ExampleModel_Assign() {
	s, err := sophistication.New(sophistication.Config{Competitors: []string{"Corvana Suite"}})
	if err != nil {
		panic(err)
	}
	accts := leads()
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		panic(err)
	}
	for _, a := range accts {
		as, err := m.Assign(&a)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: %s (confidence %.2f)\n", a.Name, as.Segment.Name, as.Score)
		for _, r := range as.Reasons {
			fmt.Println("  ", r.Text)
		}
	}
	// Output:
	// Brightloop: Unaware (confidence 0.50)
	//    technologies Google Workspace, Slack: none in the table for the problem → Unaware
	//    employees 6 < 10 → Unaware
	//    founded 2025, 1 year old < 3 → Unaware
	//    message: Tell them why: show the cost of the problem they will meet as they grow, with a peer's story; do not pitch features yet.
	// Hallam & Sons: Problem-aware, working manually (confidence 0.89)
	//    technologies Excel, Paper archives (manual tools) → Problem-aware, working manually
	//    content read: 1 beginner topic → Problem-aware, working manually
	//    employees 40, 10 to under 50 → Problem-aware, working manually
	//    founded 1962, 64 years old ≥ 10 → Evaluating solutions
	//    message: Tell them why now: quantify the hours and errors of the manual process and show the first step off spreadsheets.
	// Quorum Logistics: Using an alternative or a competitor (confidence 0.92)
	//    technologies Corvana Suite (competitor product) → Using an alternative or a competitor
	//    survey maturity_self 4 (1 to 5) → Using an alternative or a competitor
	//    employees 900 ≥ 250 → Using an alternative or a competitor
	//    founded 2004, 22 years old ≥ 10 → Evaluating solutions
	//    message: Tell them how we differ: where we beat their current product, what switching costs and how we carry it.
	// Ostrava Foods: Unknown (too little evidence) (confidence 0.00)
	//    too little evidence: weight 0.5 of the 1.5 needed
	//    employees 300 ≥ 250 → Using an alternative or a competitor
	//    message: Qualify first: ask which tools they use for the problem today and how they handle it, before choosing a message.
}

func ExampleModel_Guidance() {
	s, err := sophistication.New(sophistication.Config{})
	if err != nil {
		panic(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(leads()))
	if err != nil {
		panic(err)
	}
	g, _ := m.(*sophistication.Model).Guidance("sophistication/competitor")
	fmt.Println(g)
	// Output:
	// Tell them how we differ: where we beat their current product, what switching costs and how we carry it.
}
