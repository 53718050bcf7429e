package cluster

import (
	"context"
	"testing"
)

// BenchmarkKMeansDefault times the default fit (restarts and swap
// refinement) on the benchmark sets of QUALITY.md, seed 0, and reports the
// centroid index it reached.
func BenchmarkKMeansDefault(b *testing.B) {
	for _, name := range frantiSets {
		s := loadSet(b, name)
		b.Run("set="+name, func(b *testing.B) {
			b.ReportAllocs()
			var m *KMeansModel
			for b.Loop() {
				var err error
				m, err = KMeans(context.Background(), s.x, nil, KMeansConfig{K: s.k})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(ci(b, s, m)), "CI")
		})
	}
}
