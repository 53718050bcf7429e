package tier

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/strataseg/strata/segment/segmenttest"
)

func BenchmarkFit(b *testing.B) {
	accts := segmenttest.Accounts(10000, 1)
	for _, c := range []Config{{}, {Measure: MeasureCLV, Discount: 0.01}, {Measure: MeasureContract}} {
		b.Run(fmt.Sprintf("n=%d/measure=%s", len(accts), c.Measure), func(b *testing.B) {
			s, err := New(c)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Fit(context.Background(), slices.Values(accts)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(accts))*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
		})
	}
}

func BenchmarkAssign(b *testing.B) {
	accts := segmenttest.Accounts(2000, 1)
	for _, c := range []Config{{}, {Measure: MeasureCLV, Discount: 0.01}} {
		b.Run("measure="+c.Measure.String(), func(b *testing.B) {
			s, err := New(c)
			if err != nil {
				b.Fatal(err)
			}
			m, err := s.Fit(context.Background(), slices.Values(accts))
			if err != nil {
				b.Fatal(err)
			}
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
