package sophistication_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
	"github.com/strataseg/strata/sophistication"
)

// BenchmarkAssign times one Assign, as the scoring service's layer calls
// it: the rule and the learned model, fitted with the service's Config on
// 2,000 generated accounts, on a full account (histories, events with
// text, survey) and on the same account without its histories.
func BenchmarkAssign(b *testing.B) {
	fitted := segmenttest.Accounts(2000, 1)
	full := segmenttest.Accounts(1, 2)[0]
	lean := full
	lean.Orders, lean.Subscriptions, lean.Usage, lean.Events, lean.Survey = nil, nil, nil, nil, nil
	for _, k := range []int{0, 5} {
		m := fit(b, sophistication.Config{Competitors: segmenttest.Competitors,
			OurProducts: []string{segmenttest.OurProduct}, Clusters: k, Seed: 1}, fitted...)
		name := map[int]string{0: "rules", 5: "learned"}[k]
		for _, acc := range []struct {
			name string
			a    *segment.Account
		}{{"full", &full}, {"lean", &lean}} {
			b.Run("model="+name+"/account="+acc.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := m.Assign(acc.a); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkAssignParallel assigns 2,000 generated accounts from every core.
func BenchmarkAssignParallel(b *testing.B) {
	accts := segmenttest.Accounts(2000, 1)
	for _, k := range []int{0, 5} {
		m := fit(b, sophistication.Config{Competitors: segmenttest.Competitors, Clusters: k, Seed: 1}, accts...)
		b.Run(fmt.Sprintf("n=2000/clusters=%d", k), func(b *testing.B) {
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

func BenchmarkFit(b *testing.B) {
	accts := segmenttest.Accounts(10000, 1)
	for _, k := range []int{0, 5} {
		s, err := sophistication.New(sophistication.Config{Competitors: segmenttest.Competitors, Clusters: k, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("n=10000/clusters=%d", k), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Fit(context.Background(), slices.Values(accts)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(accts))/b.Elapsed().Seconds(), "accounts/s")
		})
	}
}

var _ segment.Model = (*sophistication.Model)(nil)
