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

func BenchmarkAssign(b *testing.B) {
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
