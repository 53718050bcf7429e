package classify_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment/classify"
)

func TestROCAUCHandExamples(t *testing.T) {
	// scikit-learn's documentation example.
	auc, err := classify.ROCAUC([]int{0, 0, 1, 1}, []float64{0.1, 0.4, 0.35, 0.8}, nil)
	require.NoError(t, err)
	assert.InDelta(t, 0.75, auc, 1e-15, "AUC without ties")
	// A positive and a negative tie at 0.5: the pair counts one half, so
	// (0.5 + 1 + 1 + 1) / 4.
	auc, err = classify.ROCAUC([]int{0, 1, 0, 1}, []float64{0.5, 0.5, 0.2, 0.9}, nil)
	require.NoError(t, err)
	assert.InDelta(t, 0.875, auc, 1e-15, "AUC with a tie")
	// A weight of 2 on the lowest negative doubles its pairs.
	auc, err = classify.ROCAUC([]int{0, 1, 0, 1}, []float64{0.5, 0.5, 0.2, 0.9}, []float64{1, 1, 2, 1})
	require.NoError(t, err)
	// Pairs (pos, neg, weight): (0.5,0.5,1)→½, (0.5,0.2,2)→2, (0.9,0.5,1)→1, (0.9,0.2,2)→2; total weight 6.
	assert.InDelta(t, 5.5/6, auc, 1e-15, "weighted AUC")
	// Constant scores: every pair a tie.
	auc, err = classify.ROCAUC([]int{0, 1, 1}, []float64{3, 3, 3}, nil)
	require.NoError(t, err)
	assert.InDelta(t, 0.5, auc, 1e-15, "AUC of a constant score")
}

func TestAveragePrecisionKSHandExamples(t *testing.T) {
	y, s := []int{0, 0, 1, 1}, []float64{0.1, 0.4, 0.35, 0.8}
	ap, err := classify.AveragePrecision(y, s, nil)
	require.NoError(t, err)
	assert.InDelta(t, 5.0/6, ap, 1e-15, "AP: recall ½ at precision 1, then ½ at precision ⅔")
	ks, err := classify.KS(y, s, nil)
	require.NoError(t, err)
	assert.InDelta(t, 0.5, ks, 1e-15, "KS")
	ks, err = classify.KS([]int{0, 0, 1, 1}, []float64{1, 2, 3, 4}, nil)
	require.NoError(t, err)
	assert.InDelta(t, 1.0, ks, 1e-15, "KS of a perfect ranking")
}

func TestLogLossBrierHandExamples(t *testing.T) {
	b, err := classify.Brier([]int{0, 1, 1, 0}, []float64{0.1, 0.9, 0.8, 0.3}, nil)
	require.NoError(t, err)
	assert.InDelta(t, 0.0375, b, 1e-15, "Brier (scikit-learn's example)")
	ll, err := classify.LogLoss([]int{0, 1}, []float64{0.1, 0.9}, nil)
	require.NoError(t, err)
	assert.InDelta(t, -math.Log(0.9), ll, 1e-15, "log loss")
	ll, err = classify.LogLoss([]int{1}, []float64{0}, nil)
	require.NoError(t, err)
	assert.InDelta(t, -math.Log(1e-15), ll, 1e-9, "log loss clips p=0")
}

func TestGainsHandExample(t *testing.T) {
	// Ten rows scored 10…1; the positives are ranked 1st, 2nd and 4th.
	y := []int{1, 1, 0, 1, 0, 0, 0, 0, 0, 0}
	s := []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	g, err := classify.Gains(y, s, nil, 5)
	require.NoError(t, err)
	require.Len(t, g, 5)
	assert.Equal(t, 2, g[0].Rows, "bin 1 rows")
	assert.InDelta(t, 1.0, g[0].Rate, 1e-15, "bin 1 rate")
	assert.InDelta(t, 1/0.3, g[0].Lift, 1e-12, "bin 1 lift")
	assert.InDelta(t, 2.0/3, g[0].CumGain, 1e-15, "bin 1 cumulative gain")
	assert.InDelta(t, 0.5, g[1].Rate, 1e-15, "bin 2 rate")
	assert.InDelta(t, 1.0, g[1].CumGain, 1e-15, "bin 2 cumulative gain")
	assert.InDelta(t, 0.4, g[1].CumShare, 1e-15, "bin 2 cumulative share")
	assert.InDelta(t, 2.5, g[1].CumLift, 1e-12, "bin 2 cumulative lift")
	assert.InDelta(t, 1.0, g[4].CumGain, 1e-15, "last bin cumulative gain")
	assert.InDelta(t, 1.0, g[4].CumLift, 1e-15, "last bin cumulative lift")
	assert.Equal(t, 10.0, g[0].MaxScore, "bin 1 top score")
	assert.Equal(t, 9.0, g[0].MinScore, "bin 1 bottom score")
}

func TestReliabilityHandExample(t *testing.T) {
	p := []float64{0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9}
	y := []int{0, 0, 1, 0, 1, 1, 0, 1}
	r, err := classify.Reliability(y, p, nil, 2)
	require.NoError(t, err)
	require.Len(t, r, 2)
	assert.InDelta(t, 0.25, r[0].MeanPredicted, 1e-15, "bin 1 mean predicted")
	assert.InDelta(t, 0.25, r[0].Observed, 1e-15, "bin 1 observed")
	assert.InDelta(t, 0.75, r[1].MeanPredicted, 1e-15, "bin 2 mean predicted")
	assert.InDelta(t, 0.75, r[1].Observed, 1e-15, "bin 2 observed")
	assert.Equal(t, 4, r[1].Rows, "bin 2 rows")
}

func TestMetricsBadInput(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		fn   func() error
	}{
		{"one class", func() error { _, err := classify.ROCAUC([]int{1, 1}, []float64{0.1, 0.2}, nil); return err }},
		{"label 2", func() error { _, err := classify.ROCAUC([]int{0, 2}, []float64{0.1, 0.2}, nil); return err }},
		{"NaN score", func() error { _, err := classify.AveragePrecision([]int{0, 1}, []float64{nan, 0.2}, nil); return err }},
		{"lengths", func() error { _, err := classify.KS([]int{0, 1}, []float64{0.2}, nil); return err }},
		{"weights length", func() error { _, err := classify.Brier([]int{0, 1}, []float64{0.1, 0.2}, []float64{1}); return err }},
		{"negative weight", func() error {
			_, err := classify.LogLoss([]int{0, 1}, []float64{0.1, 0.2}, []float64{1, -1})
			return err
		}},
		{"zero weights", func() error { _, err := classify.Brier([]int{0, 1}, []float64{0.1, 0.2}, []float64{0, 0}); return err }},
		{"probability above 1", func() error { _, err := classify.LogLoss([]int{0, 1}, []float64{0.1, 1.2}, nil); return err }},
		{"empty", func() error { _, err := classify.ROCAUC(nil, nil, nil); return err }},
		{"bins", func() error { _, err := classify.Gains([]int{0, 1}, []float64{0.1, 0.2}, nil, 0); return err }},
		{"reliability bins", func() error { _, err := classify.Reliability([]int{0, 1}, []float64{0.1, 0.2}, nil, -1); return err }},
		{"evaluate one class", func() error { _, err := classify.Evaluate([]int{0, 0}, []float64{0.1, 0.2}, nil); return err }},
	}
	for _, tc := range cases {
		assert.ErrorIs(t, tc.fn(), classify.ErrInvalidInput, tc.name)
	}
}
