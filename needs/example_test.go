package needs_test

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/strataseg/strata/needs"
	"github.com/strataseg/strata/segment"
)

var asOf = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

func daysAgo(d int) time.Time { return asOf.AddDate(0, 0, -d) }

// exampleAccounts are four accounts of a software vendor's CRM: one
// reading about security and asking for a demo, one writing in German
// about an ERP interface, one that only answered the survey, and a
// prospect with nothing yet.
func exampleAccounts() []segment.Account {
	northwind := segment.Account{ID: "northwind", Survey: map[string]float64{
		"importance_security": 5, "importance_cost": 4, "importance_integration": 3, "importance_ease_of_use": 2,
	}}
	for i := range 3 {
		northwind.Events = append(northwind.Events, segment.Event{Time: daysAgo(10 + 20*i), Kind: segment.EventDemoRequest, Topic: "security"})
	}
	for i := range 5 {
		northwind.Events = append(northwind.Events, segment.Event{Time: daysAgo(5 + 15*i), Kind: segment.EventContent, Topic: "compliance"})
	}
	return []segment.Account{
		northwind,
		{ID: "kessler", Events: []segment.Event{
			{Time: daysAgo(3), Kind: segment.EventForm, Text: "Wir brauchen eine Schnittstelle zu unserem ERP"},
			{Time: daysAgo(40), Kind: segment.EventWebinar, Topic: "API"},
		}},
		{ID: "litware", Survey: map[string]float64{
			"importance_cost": 5, "importance_ease_of_use": 5, "importance_security": 2, "importance_integration": 3,
		}},
		{ID: "adatum"},
	}
}

func ExampleNew() {
	s, err := needs.New(needs.Config{AsOf: asOf})
	if err != nil {
		panic(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(exampleAccounts()))
	if err != nil {
		panic(err)
	}
	for _, a := range exampleAccounts() {
		as, err := m.Assign(&a)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: %s (confidence %.2f)\n", a.ID, as.Segment.Name, as.Score)
	}
	// Output:
	// northwind: Security & compliance (confidence 1.00)
	// kessler: Integration (confidence 0.60)
	// litware: Mixed: Cost saving & Ease of use (confidence 0.76)
	// adatum: No evidence (confidence 0.00)
}

func ExampleModel_Assign() {
	s, err := needs.New(needs.Config{AsOf: asOf, HalfLifeDays: 90})
	if err != nil {
		panic(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(exampleAccounts()))
	if err != nil {
		panic(err)
	}
	a := exampleAccounts()[0]
	as, err := m.Assign(&a)
	if err != nil {
		panic(err)
	}
	fmt.Println(as.Segment.ID)
	for _, r := range as.Reasons {
		fmt.Println("-", r.Text)
	}
	// Output:
	// needs/security
	// - Security & compliance holds 94% of the need evidence, 88 points ahead of Cost saving (6%) → Security & compliance
	// - 3 demo requests and 5 articles on Security & compliance in the last 65 days
	// - survey: importance of security rated 5/5, 1.3 SD above this respondent's mean
	// - survey: importance of cost rated 4/5, 0.4 SD above this respondent's mean
	// - confidence 1.00 from 23.2 points of evidence (survey 5.4, event topics 17.8, text 0.0)
}

func ExampleModel_Profile() {
	s, err := needs.New(needs.Config{AsOf: asOf})
	if err != nil {
		panic(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(exampleAccounts()))
	if err != nil {
		panic(err)
	}
	a := exampleAccounts()[1]
	p, err := m.(*needs.Model).Profile(&a)
	if err != nil {
		panic(err)
	}
	for i, n := range needs.DefaultNeeds() {
		if p.Shares[i] > 0 {
			fmt.Printf("%s %.2f\n", n.ID, p.Shares[i])
		}
	}
	fmt.Printf("evidence %.2f points, confidence %.2f\n", p.Evidence, p.Confidence)
	// Output:
	// integration 1.00
	// evidence 3.69 points, confidence 0.60
}

// A distributor's own taxonomy: needs stated in a web form's free-text
// answer (Account.Text["form_answer"]) in English or German, and a 0–10
// survey question.
func Example_customTaxonomy() {
	tax := []needs.Need{
		{ID: "delivery", Name: "Fast delivery",
			Questions: []needs.Question{{Key: "q_delivery", Scale: needs.Rating10, Label: "delivery speed"}},
			Keywords: map[string][]string{
				"en": {"next day", "deliver*", "lead time*", "stock*"},
				"de": {"liefer*", "lagerbestand", "schnell*"},
			}},
		{ID: "price", Name: "Low prices",
			Questions: []needs.Question{{Key: "q_price", Scale: needs.Rating10, Label: "price"}},
			Keywords: map[string][]string{
				"en": {"price*", "discount*", "cheap*", "volume rebate*"},
				"de": {"preis*", "rabatt*", "günstig*"},
			}},
	}
	accts := []segment.Account{
		{ID: "müller", Text: map[string]string{"form_answer": "Wir brauchen kurze Lieferzeiten und schnelle Lieferung"}},
		{ID: "acme", Text: map[string]string{"form_answer": "Looking for volume rebates"}, Survey: map[string]float64{"q_price": 9, "q_delivery": 6}},
		{ID: "globex", Survey: map[string]float64{"q_price": 7, "q_delivery": 7}},
	}
	s, err := needs.New(needs.Config{Needs: tax, TextFields: map[string]float64{"form_answer": 3}})
	if err != nil {
		panic(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		panic(err)
	}
	for _, a := range accts {
		as, err := m.Assign(&a)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s → %s\n", a.ID, as.Segment.Name)
		for _, r := range as.Reasons[1:] {
			fmt.Println("   ", r.Text)
		}
	}
	// Output:
	// müller → Fast delivery
	//     text: "liefer", "schnell" in text[form_answer] → Fast delivery
	//     confidence 0.53 from 3.0 points of evidence (survey 0.0, event topics 0.0, text 3.0)
	// acme → Low prices
	//     text: "volume rebate" in text[form_answer] → Low prices
	//     survey: price rated 9/10, 1.0 SD above this respondent's mean
	//     confidence 0.78 from 6.0 points of evidence (survey 3.0, event topics 0.0, text 3.0)
	// globex → No evidence
	//     survey: all 2 answers on the rating10 scale rated 7/10 — no relative preference, not counted
}
