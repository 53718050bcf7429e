package firmographic_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/strataseg/strata/firmographic"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// BenchmarkAssign measures rule assignment on generated accounts, from all
// cores (RunParallel), with the default and a six-dimension config.
func BenchmarkAssign(b *testing.B) {
	accts := firmographicOnly(segmenttest.Accounts(4096, 1))
	for name, c := range map[string]firmographic.Config{
		"dims=3": {},
		"dims=6": {Dimensions: []firmographic.Dimension{firmographic.DimEmployees, firmographic.DimRevenue, firmographic.DimSector,
			firmographic.DimCensusRegion, firmographic.DimGrowth, firmographic.TechDimension("crm")}},
	} {
		s, err := firmographic.New(c)
		if err != nil {
			b.Fatal(err)
		}
		m, err := s.Fit(context.Background(), slices.Values(accts))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := m.Assign(&accts[i%len(accts)]); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
		})
	}
}

// firmographicOnly keeps the firmographic fields of accounts, as a CRM's
// account export holds them, without histories.
func firmographicOnly(accts []segment.Account) []segment.Account {
	out := make([]segment.Account, len(accts))
	for i, a := range accts {
		out[i] = segment.Account{ID: a.ID, Name: a.Name, Industry: a.Industry, NAICS: a.NAICS, Employees: a.Employees,
			Revenue: a.Revenue, Currency: a.Currency, Growth: a.Growth, Founded: a.Founded, Country: a.Country,
			Region: a.Region, City: a.City, Type: a.Type, Technologies: a.Technologies}
	}
	return out
}

// BenchmarkAssignAll measures segment.AssignAll of 1M accounts with the
// default rules.
func BenchmarkAssignAll(b *testing.B) {
	const n = 1_000_000
	base := firmographicOnly(segmenttest.Accounts(4096, 1))
	accts := make([]segment.Account, n)
	for i := range accts {
		accts[i] = base[i%len(base)]
		accts[i].ID = fmt.Sprint("A-", i)
	}
	s, _ := firmographic.New(firmographic.Config{})
	m, err := s.Fit(context.Background(), slices.Values(base))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("n=1000000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := segment.AssignAll(context.Background(), m, slices.Values(accts), 0); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
	})
}

// BenchmarkFitLearned measures the learned Fit, k chosen, on generated
// accounts.
func BenchmarkFitLearned(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		accts := segmenttest.Accounts(n, 1)
		s, _ := firmographic.NewLearned(firmographic.LearnedConfig{Seed: 1})
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Fit(context.Background(), slices.Values(accts)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
