package classify_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment/classify"
)

func TestIsotonicHandExample(t *testing.T) {
	// Labels 0 1 0 1 1 0 at scores 1…6: pool adjacent violators pools
	// (1, 0) at 2–3 into ½ and (1, 1, 0) at 4–6 into ⅔.
	c, err := classify.FitCalibrator(classify.Isotonic, []float64{1, 2, 3, 4, 5, 6}, []int{0, 1, 0, 1, 1, 0}, nil)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 2, 3, 4, 6}, c.X, "knots")
	assert.InDeltaSlice(t, []float64{0, 0.5, 0.5, 2.0 / 3, 2.0 / 3}, c.Y, 1e-15, "values")
	for _, tc := range []struct{ s, want float64 }{{0, 0}, {1, 0}, {1.5, 0.25}, {2.5, 0.5}, {3.5, 0.5 + 1.0/12}, {5, 2.0 / 3}, {9, 2.0 / 3}} {
		assert.InDelta(t, tc.want, c.Apply(tc.s), 1e-15, "isotonic at %v", tc.s)
	}
	// Tied scores are pooled first: 0 and 1 at score 2 give ½.
	c, err = classify.FitCalibrator(classify.Isotonic, []float64{1, 2, 2, 3}, []int{0, 0, 1, 1}, nil)
	require.NoError(t, err)
	assert.InDelta(t, 0.5, c.Apply(2), 1e-15, "tied scores")
}

func TestPlattSeparable(t *testing.T) {
	// Separable: maximum likelihood would send A to −∞; Platt's smoothed
	// targets ¾ and ¼ keep it finite. scikit-learn's
	// _sigmoid_calibration gives A = −0.674002, B = 0.
	s, y := []float64{-2, -1, 1, 2}, []int{0, 0, 1, 1}
	c, err := classify.FitCalibrator(classify.Platt, s, y, nil)
	require.NoError(t, err)
	// (scikit-learn's BFGS stops at a gradient of 1e-5, hence 1e-5.)
	assert.InDelta(t, -0.674001713513269, c.A, 1e-5, "A")
	assert.InDelta(t, 0.0, c.B, 1e-9, "B")
	want := []float64{0.20619698, 0.33760137, 0.66239863, 0.79380302}
	var grad float64
	for k, v := range s {
		assert.InDelta(t, want[k], c.Apply(v), 1e-5, "P at %v", v)
		target := 0.25
		if y[k] == 1 {
			target = 0.75
		}
		grad += (target - c.Apply(v)) * v
	}
	assert.InDelta(t, 0.0, grad, 1e-10, "the likelihood's gradient in A vanishes")
}

func TestCalibratorJSONAndErrors(t *testing.T) {
	for _, m := range []classify.Calibration{classify.NoCalibration, classify.Platt, classify.Isotonic} {
		c, err := classify.FitCalibrator(m, []float64{-1, 0.5, 0, 2, 3}, []int{0, 1, 0, 1, 1}, []float64{1, 2, 1, 1, 0.5})
		require.NoError(t, err, m.String())
		b, err := json.Marshal(c)
		require.NoError(t, err)
		var back classify.Calibrator
		require.NoError(t, json.Unmarshal(b, &back), string(b))
		require.NoError(t, back.Validate())
		for _, s := range []float64{-3, -0.5, 0.25, 1, 2.5, 7} {
			assert.Equal(t, c.Apply(s), back.Apply(s), "%s round trip at %v", m, s)
		}
	}
	_, err := classify.FitCalibrator(classify.Platt, []float64{1, 2}, []int{1, 1}, nil)
	assert.ErrorIs(t, err, classify.ErrInvalidInput, "one class")
	_, err = classify.FitCalibrator(classify.Calibration(7), []float64{1, 2}, []int{0, 1}, nil)
	assert.ErrorIs(t, err, classify.ErrInvalidConfig, "unknown method")
	bad := classify.Calibrator{Method: classify.Isotonic, X: []float64{2, 1}, Y: []float64{0, 1}}
	assert.ErrorIs(t, bad.Validate(), classify.ErrInvalidInput, "knots out of order")
	var nilCal *classify.Calibrator
	assert.InDelta(t, 0.5, nilCal.Apply(0), 1e-15, "nil calibrator is the sigmoid")
}
