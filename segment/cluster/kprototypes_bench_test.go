package cluster

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkKPrototypes fits k-prototypes on planted mixed data (4 numeric
// and 4 categorical columns of 8 levels), one seeded run per fit.
func BenchmarkKPrototypes(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		num, cat, _ := kpPlanted(n, 8, 4, 4, 8, 0.6, 1)
		for _, workers := range []int{1, 0} {
			name := fmt.Sprintf("n=%d/k=8/workers=%d", n, workers)
			b.Run(name, func(b *testing.B) {
				cfg := KPrototypesConfig{K: 8, Seed: 1, Restarts: 1, Workers: workers}
				b.ReportAllocs()
				iters := 0
				for b.Loop() {
					m, err := KPrototypes(context.Background(), num, cat, nil, cfg)
					if err != nil {
						b.Fatal(err)
					}
					iters += m.Iterations
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
				b.ReportMetric(float64(iters)/float64(b.N), "iterations")
			})
		}
	}
}

// BenchmarkKPrototypesPredict assigns one account at a time, in parallel.
func BenchmarkKPrototypesPredict(b *testing.B) {
	num, cat, _ := kpPlanted(10_000, 8, 4, 4, 8, 0.6, 1)
	m, err := KPrototypes(context.Background(), num, cat, nil, KPrototypesConfig{K: 8, Seed: 1, Restarts: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("k=8", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, _, err := m.Predict(num.RawRowView(i), cat[i]); err != nil {
					b.Error(err)
					return
				}
				i = (i + 1) % 10_000
			}
		})
	})
}

// BenchmarkPipelineTransformRow transforms one account's numbers.
func BenchmarkPipelineTransformRow(b *testing.B) {
	num, _, _ := kpPlanted(1000, 4, 4, 0, 1, 0, 1)
	specs := []ColumnSpec{
		{Impute: ImputeMedian, Indicator: true, Scale: ScaleStandard},
		{Log: LogSignedLog1p, Scale: ScaleRobust},
		{Scale: ScaleMinMax},
		{Scale: ScaleStandard},
	}
	p, err := FitPipeline(specs, num)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float64, p.OutputWidth())
	b.ReportAllocs()
	for b.Loop() {
		if err := p.TransformRow(dst, num.RawRowView(7)); err != nil {
			b.Fatal(err)
		}
	}
}
