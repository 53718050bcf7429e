package plg_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/strataseg/strata/examples/customsegmenter/plg"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func ExampleNew() {
	accts := segmenttest.Accounts(1000, 1)
	s, err := plg.New(plg.Config{})
	if err != nil {
		panic(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		panic(err)
	}
	pm := m.(*plg.Model)
	fmt.Printf("as of %s, %d active accounts; engaged at %.1f logins per user\n", pm.AsOf.Format("2006-01-02"), pm.Active, pm.EngagedAt)

	a := &accts[slices.IndexFunc(accts, func(a segment.Account) bool { return len(a.Usage) > 0 })]
	as, err := m.Assign(a)
	if err != nil {
		panic(err)
	}
	fmt.Println(a.ID, "→", as.Segment.Name)
	fmt.Println(as.Reasons[0].Text)
	// Output:
	// as of 2026-06-01, 241 active accounts; engaged at 14.2 logins per user
	// A-000003 → Expanding
	// seats used 5 of 6 (83%) ≥ 83%, the top 25% of active accounts → Expanding
}
