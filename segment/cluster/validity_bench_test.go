package cluster

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// benchGaussians returns n rows in d columns drawn around k random centres
// (unit noise, centres spread over [-10, 10]) and the generating cluster of
// each row.
func benchGaussians(n, d, k int, seed uint64) (*mat.Dense, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	centres := make([]float64, k*d)
	for i := range centres {
		centres[i] = 20*rng.Float64() - 10
	}
	data := make([]float64, n*d)
	labels := make([]int, n)
	for i := range n {
		c := rng.IntN(k)
		labels[i] = c
		for j := range d {
			data[i*d+j] = centres[c*d+j] + rng.NormFloat64()
		}
	}
	return mat.NewDense(n, d, data), labels
}

func BenchmarkSilhouette(b *testing.B) {
	ctx := context.Background()
	for _, tc := range []struct {
		n    int
		mode string
	}{{10000, "exact"}, {1000000, "sampled"}} {
		x, labels := benchGaussians(tc.n, 8, 8, 1)
		b.Run(fmt.Sprintf("n=%d/d=8/k=8/%s", tc.n, tc.mode), func(b *testing.B) {
			b.ReportAllocs()
			var res SilhouetteResult
			for b.Loop() {
				var err error
				res, err = Silhouette(ctx, x, labels, SilhouetteConfig{Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Scored), "rows-scored")
			b.ReportMetric(float64(tc.n)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
		})
	}
}

func BenchmarkCalinskiHarabaszDaviesBouldin(b *testing.B) {
	x, labels := benchGaussians(1000000, 8, 8, 1)
	b.Run("n=1000000/d=8/k=8", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := CalinskiHarabasz(x, labels, nil); err != nil {
				b.Fatal(err)
			}
			if _, err := DaviesBouldin(x, labels, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(1e6*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
	})
}

func BenchmarkChooseK(b *testing.B) {
	ctx := context.Background()
	x, _ := benchGaussians(100000, 8, 5, 1)
	for _, tc := range []struct {
		name string
		refs int
	}{{"gap=10", 0}, {"gap=off", -1}} {
		b.Run("n=100000/d=8/maxk=10/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			var res *ChooseKResult
			for b.Loop() {
				var err error
				res, err = ChooseK(ctx, x, nil, ChooseKConfig{GapReferences: tc.refs, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Recommended), "recommended-k")
		})
	}
}
