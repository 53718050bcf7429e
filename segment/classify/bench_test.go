package classify_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment/classify"
)

// BenchmarkLogistic fits 100,000 rows of 30 features (15 standard normal,
// 15 0/1 flags set with probability ½: a dense design) with each solver
// and penalty. bench/logistic_sklearn.py times scikit-learn on the same
// kind of data.
func BenchmarkLogistic(b *testing.B) {
	n, d := 100_000, 30
	x, y := synth(n, d, 0.5, 1)
	cases := []struct {
		name string
		cfg  classify.LogisticConfig
	}{
		{"penalty=l2/solver=newton", classify.LogisticConfig{Solver: classify.SolverNewton}},
		{"penalty=l2/solver=lbfgs", classify.LogisticConfig{Solver: classify.SolverLBFGS}},
		{"penalty=l1/solver=cd", classify.LogisticConfig{Penalty: classify.L1, C: 0.001}},
		{"penalty=elasticnet/solver=cd", classify.LogisticConfig{Penalty: classify.ElasticNet, L1Ratio: 0.5, C: 0.001}},
	}
	for _, workers := range []int{1, 0} {
		for _, tc := range cases {
			cfg := tc.cfg
			cfg.Workers = workers
			name := fmt.Sprintf("n=%d/d=%d/%s/workers=%d", n, d, tc.name, workers)
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				iters := 0
				cpu := cpuTime()
				for b.Loop() {
					m, err := classify.Logistic(context.Background(), x, y, nil, cfg)
					require.NoError(b, err)
					iters += m.Iterations
				}
				b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(float64(iters)/float64(b.N), "iterations")
			})
		}
	}
}

// BenchmarkPredictRow scores one row at a time from parallel goroutines,
// as a CRM's request path does.
func BenchmarkPredictRow(b *testing.B) {
	x, y := synth(5000, 30, 0.5, 2)
	m, err := classify.Logistic(context.Background(), x, y, nil, classify.LogisticConfig{})
	require.NoError(b, err)
	b.Run("d=30", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := m.PredictRow(x.RawRowView(i % 5000)); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}

// BenchmarkMetrics computes every metric of Evaluate on 100,000 rows.
func BenchmarkMetrics(b *testing.B) {
	x, y := synth(100_000, 30, 0.5, 3)
	m, err := classify.Logistic(context.Background(), x, y, nil, classify.LogisticConfig{})
	require.NoError(b, err)
	p := make([]float64, 100_000)
	require.NoError(b, m.PredictTo(p, x))
	b.Run("n=100000/metric=evaluate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, err := classify.Evaluate(y, p, nil)
			require.NoError(b, err)
		}
	})
	b.Run("n=100000/metric=gains", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, err := classify.Gains(y, p, nil, 10)
			require.NoError(b, err)
		}
	})
}
