package segment_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/strataseg/strata/segment"
)

func profExampleAccounts() ([]segment.Account, []segment.Assignment) {
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	mk := func(id, industry, country string, employees, spend float64) segment.Account {
		return segment.Account{ID: id, Industry: industry, Country: country, Employees: segment.N(employees),
			Orders: []segment.Order{{Time: at, Amount: spend}}}
	}
	accts := []segment.Account{
		mk("A1", "Machinery", "DE", 1200, 90000),
		mk("A2", "Machinery", "DE", 2500, 120000),
		mk("A3", "Machinery", "AT", 900, 60000),
		mk("A4", "Software", "US", 40, 5000),
		mk("A5", "Software", "US", 25, 3000),
		mk("A6", "Retail", "US", 60, 8000),
		mk("A7", "Software", "GB", 15, 2000),
		{ID: "A8", Industry: "Retail", Country: "US"}, // a lead: no orders, employees unknown
	}
	ent := segment.Segment{ID: "size/enterprise", Name: "Enterprise"}
	smb := segment.Segment{ID: "size/smb", Name: "SMB"}
	var as []segment.Assignment
	for _, a := range accts {
		s := smb
		if a.Employees.Or(0) >= 500 {
			s = ent
		}
		as = append(as, segment.Assignment{AccountID: a.ID, Segment: s})
	}
	return accts, as
}

func ExampleProfile() {
	accts, assigns := profExampleAccounts()
	report, err := segment.Profile(context.Background(), slices.Values(accts), assigns, segment.ProfileConfig{
		Reference:  time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC),
		MinSupport: 2, // tiny example: list categories held by 2 accounts
		Top:        2,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, sp := range report.Segments {
		fmt.Printf("%s: %s\n", sp.Segment.Name, sp.Description)
	}
	// Output:
	// SMB: 5 accounts (62%, 6.2% of revenue): smaller (employees d=-0.8), less spend (order_value d=-0.5); more often country US (1.6×), industry Software (1.6×)
	// Enterprise: 3 accounts (38%, 94% of revenue): larger (employees d=+1.0), more spend (order_value d=+0.8); more often industry Machinery (2.7×), country DE (2.7×)
}

func ExampleProfileReport_WriteText() {
	accts, assigns := profExampleAccounts()
	report, err := segment.Profile(context.Background(), slices.Values(accts), assigns, segment.ProfileConfig{MinSupport: 2, Top: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	report.WriteText(os.Stdout)
	// Output:
	// segment     accounts  share  revenue  what sets it apart
	// SMB         5         62%    6.2%     smaller (employees d=-0.8); more often country US (1.6×)
	// Enterprise  3         38%    94%      larger (employees d=+1.0); more often industry Machinery (2.7×)
	// all         8         100%   100%
}

func ExampleCompare() {
	last := []segment.Assignment{
		{AccountID: "A1", Segment: segment.Segment{ID: "tier/A"}},
		{AccountID: "A2", Segment: segment.Segment{ID: "tier/A"}},
		{AccountID: "A3", Segment: segment.Segment{ID: "tier/B"}},
		{AccountID: "A4", Segment: segment.Segment{ID: "tier/B"}},
		{AccountID: "A5", Segment: segment.Segment{ID: "tier/C"}},
	}
	now := []segment.Assignment{
		{AccountID: "A1", Segment: segment.Segment{ID: "tier/A"}},
		{AccountID: "A2", Segment: segment.Segment{ID: "tier/B"}},
		{AccountID: "A3", Segment: segment.Segment{ID: "tier/B"}},
		{AccountID: "A4", Segment: segment.Segment{ID: "tier/B"}},
		{AccountID: "A6", Segment: segment.Segment{ID: "tier/C"}},
	}
	c, err := segment.Compare(last, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	c.WriteText(os.Stdout)
	fmt.Println("new:", c.OnlyAfter, "lost:", c.OnlyBefore)
	// Output:
	// accounts in both: 4 (3 stayed, 1 moved); adjusted Rand 0.000, NMI 0.344
	// accounts only before: 1, only after: 1
	// before \ after  tier/A  tier/B  tier/C
	// tier/A          1       1       0
	// tier/B          0       2       0
	// tier/C          0       0       0
	// tier/A → tier/B: 1 (50%)
	// new: [A6] lost: [A5]
}
