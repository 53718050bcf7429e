package segment_test

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/strataseg/strata/segment"
)

// bySize is a rule segmenter on employees, as the examples use it.
func bySize() *segment.Rules {
	r, err := segment.NewRules("size", []segment.Segment{
		{ID: "size/enterprise", Name: "Enterprise"},
		{ID: "size/smb", Name: "SMB"},
	}, func(a *segment.Account) (segment.Assignment, error) {
		if a.Employees.Or(0) >= 1000 {
			return segment.Assignment{Segment: segment.Segment{ID: "size/enterprise"}, Score: 1,
				Reasons: []segment.Reason{{Text: "employees " + a.Employees.String() + " ≥ 1000", Field: "employees"}}}, nil
		}
		return segment.Assignment{Segment: segment.Segment{ID: "size/smb"}, Score: 1,
			Reasons: []segment.Reason{{Text: "employees " + a.Employees.String() + " < 1000", Field: "employees"}}}, nil
	})
	if err != nil {
		panic(err)
	}
	return r
}

// byTier is a rule segmenter on revenue, as the examples use it.
func byTier() *segment.Rules {
	r, err := segment.NewRules("tier", []segment.Segment{
		{ID: "tier/A", Name: "Tier A"},
		{ID: "tier/B", Name: "Tier B"},
	}, func(a *segment.Account) (segment.Assignment, error) {
		if a.Revenue.Or(0) >= 10e6 {
			return segment.Assignment{Segment: segment.Segment{ID: "tier/A"}, Score: 0.9}, nil
		}
		return segment.Assignment{Segment: segment.Segment{ID: "tier/B"}, Score: 0.6}, nil
	})
	if err != nil {
		panic(err)
	}
	return r
}

var sampleAccounts = []segment.Account{
	{ID: "acme", Name: "Acme", Employees: segment.N(2400), Revenue: segment.N(300e6)},
	{ID: "globex", Name: "Globex", Employees: segment.N(1200), Revenue: segment.N(8e6)},
	{ID: "initech", Name: "Initech", Employees: segment.N(80), Revenue: segment.N(4e6)},
	{ID: "hooli", Name: "Hooli", Employees: segment.N(40), Revenue: segment.N(2e6)},
	{ID: "umbrella", Name: "Umbrella", Employees: segment.N(15), Revenue: segment.N(1e6)},
}

func ExampleNewRules() {
	size, err := segment.NewRules("size", []segment.Segment{
		{ID: "size/enterprise", Name: "Enterprise"},
		{ID: "size/smb", Name: "SMB"},
	}, func(a *segment.Account) (segment.Assignment, error) {
		if a.Employees.Or(0) >= 1000 {
			return segment.Assignment{Segment: segment.Segment{ID: "size/enterprise"}, Score: 1}, nil
		}
		return segment.Assignment{Segment: segment.Segment{ID: "size/smb"}, Score: 1}, nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := size.Fit(context.Background(), slices.Values(sampleAccounts))
	if err != nil {
		fmt.Println(err)
		return
	}
	as, _ := m.Assign(&segment.Account{ID: "new", Employees: segment.N(5000)})
	fmt.Println(as.Segment.Name, as.Segment.Method)
	// Output:
	// Enterprise size
}

func ExampleLayer() {
	m, err := segment.Layer(byTier(), bySize()).Fit(context.Background(), slices.Values(sampleAccounts))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range m.Segments() {
		fmt.Printf("%-28s %s\n", s.ID, s.Name)
	}
	as, _ := m.Assign(&sampleAccounts[1])
	fmt.Printf("%s: %s (score %.1f, %d parts)\n", as.AccountID, as.Segment.Name, as.Score, len(as.Parts))
	// Output:
	// tier/A+size/enterprise       Tier A › Enterprise
	// tier/B+size/enterprise       Tier B › Enterprise
	// tier/B+size/smb              Tier B › SMB
	// globex: Tier B › Enterprise (score 0.6, 2 parts)
}

func ExampleWithin() {
	// Within each size band, split by tier.
	m, err := segment.Within(bySize(), byTier()).Fit(context.Background(), slices.Values(sampleAccounts))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range m.Segments() {
		fmt.Println(s.Name)
	}
	// Output:
	// Enterprise › Tier A
	// Enterprise › Tier B
	// SMB › Tier B
}

func ExampleFirst() {
	keys := segment.KeyAccounts(segment.Segment{ID: "key", Name: "Key accounts"}, "hooli")
	m, err := segment.First(keys, bySize()).Fit(context.Background(), slices.Values(sampleAccounts))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range sampleAccounts[2:4] {
		as, _ := m.Assign(&a)
		fmt.Printf("%s: %s (%s)\n", a.ID, as.Segment.Name, as.Reasons[0].Text)
	}
	// Output:
	// initech: SMB (employees 80 < 1000)
	// hooli: Key accounts (named key account → Key accounts)
}

func ExampleMinSize() {
	m, err := segment.MinSize(segment.Layer(byTier(), bySize()), segment.MinSizeConfig{Count: 2}).
		Fit(context.Background(), slices.Values(sampleAccounts))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range m.Segments() {
		fmt.Println(s.ID)
	}
	as, _ := m.Assign(&sampleAccounts[0])
	fmt.Println(as.Segment.Name+":", as.Reasons[0].Text)
	// Output:
	// tier/B+size/smb
	// layers/other
	// Other: merged into Other: segment "Tier A › Enterprise" had 1 account, fewer than 2
}

func ExampleAssignAll() {
	m, err := segment.Layer(byTier(), bySize()).Fit(context.Background(), slices.Values(sampleAccounts))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := segment.AssignAll(context.Background(), m, slices.Values(sampleAccounts), 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, as := range res.Assignments {
		fmt.Printf("%-9s %s\n", as.AccountID, as.Segment.Name)
	}

	// A bad account stops the batch with an error naming it.
	bad := append(slices.Clone(sampleAccounts), segment.Account{ID: "broken", Employees: segment.N(-5)})
	_, err = segment.AssignAll(context.Background(), m, slices.Values(bad), 2)
	var fe *segment.FieldError
	fmt.Println(errors.As(err, &fe), fe.AccountID, fe.Field)
	// Output:
	// acme      Tier A › Enterprise
	// globex    Tier B › Enterprise
	// initech   Tier B › SMB
	// hooli     Tier B › SMB
	// umbrella  Tier B › SMB
	// true broken employees
}
