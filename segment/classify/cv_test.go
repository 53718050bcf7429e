package classify_test

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/classify"
	"github.com/strataseg/strata/segment/cluster"
)

func TestStratifiedFolds(t *testing.T) {
	y := make([]int, 103)
	for i := range 31 {
		y[i*3] = 1
	}
	fold, err := classify.StratifiedFolds(y, 5, 42)
	require.NoError(t, err)
	var size, pos [5]int
	for i, f := range fold {
		size[f]++
		pos[f] += y[i]
	}
	for f := range 5 {
		assert.InDelta(t, 103.0/5, float64(size[f]), 1, "fold %d size", f)
		assert.InDelta(t, 31.0/5, float64(pos[f]), 1, "fold %d positives", f)
	}
	again, err := classify.StratifiedFolds(y, 5, 42)
	require.NoError(t, err)
	assert.Equal(t, fold, again, "same seed, same folds")
	other, err := classify.StratifiedFolds(y, 5, 43)
	require.NoError(t, err)
	assert.NotEqual(t, fold, other, "another seed, other folds")

	_, err = classify.StratifiedFolds(y, 1, 0)
	assert.ErrorIs(t, err, classify.ErrInvalidConfig, "k = 1")
	_, err = classify.StratifiedFolds([]int{0, 0, 0, 1}, 2, 0)
	assert.ErrorIs(t, err, classify.ErrInvalidInput, "one positive for two folds")
	_, err = classify.StratifiedFolds([]int{0, 3}, 2, 0)
	assert.ErrorIs(t, err, classify.ErrInvalidInput, "label 3")
}

func TestCrossValidate(t *testing.T) {
	x, y := synth(3000, 10, 0.3, 21)
	cfg := classify.CVConfig{Cs: []float64{1, 0.0001, 0.01}, Seed: 7, Calibration: classify.Isotonic, Workers: 1}
	a, err := classify.CrossValidate(context.Background(), classify.Data{X: x, Y: y}, cfg)
	require.NoError(t, err)
	cfg.Workers = 4
	b, err := classify.CrossValidate(context.Background(), classify.Data{X: x, Y: y}, cfg)
	require.NoError(t, err)
	assert.Equal(t, a.OutOfFold, b.OutOfFold, "1 and 4 workers: out-of-fold predictions")
	assert.Equal(t, a.Model.Coef, b.Model.Coef, "1 and 4 workers: refitted model")
	assert.Equal(t, a.Grid, b.Grid, "1 and 4 workers: grid")

	require.Len(t, a.Grid, 3)
	assert.Equal(t, []float64{0.0001, 0.01, 1}, []float64{a.Grid[0].C, a.Grid[1].C, a.Grid[2].C}, "grid sorted by C")
	best := slices.MaxFunc(a.Grid, func(p, q classify.CVScore) int {
		switch {
		case p.Mean < q.Mean:
			return -1
		case p.Mean > q.Mean:
			return 1
		}
		return 0
	})
	assert.Equal(t, best.C, a.C, "chosen C has the best mean AUC")
	assert.Equal(t, a.C, a.Model.Config.C, "refit uses the chosen C")
	require.Len(t, a.OutOfFold, 3000)
	require.Len(t, a.FoldScores, 5)
	auc, err := classify.ROCAUC(y, a.OutOfFold, nil)
	require.NoError(t, err)
	assert.InDelta(t, auc, a.Scores.AUC, 1e-12, "pooled AUC of the out-of-fold scores")
	assert.Greater(t, a.Scores.AUC, 0.7, "the planted signal is found")
	require.NotNil(t, a.Calibrator)
	assert.Equal(t, classify.Isotonic, a.Calibrator.Method)

	// Each out-of-fold prediction comes from the model fitted without its
	// fold: refit fold 0 by hand and compare.
	var train, test []int
	for i, f := range a.Fold {
		if f == 0 {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	xt := mat.NewDense(len(train), 10, nil)
	yt := make([]int, len(train))
	for k, i := range train {
		xt.SetRow(k, x.RawRowView(i))
		yt[k] = y[i]
	}
	m, err := classify.Logistic(context.Background(), xt, yt, nil, classify.LogisticConfig{C: a.C})
	require.NoError(t, err)
	for _, i := range test[:20] {
		z, err := m.DecisionRow(x.RawRowView(i))
		require.NoError(t, err)
		assert.InDelta(t, z, a.OutOfFold[i], 1e-12, "out-of-fold log-odds of row %d", i)
	}

	b2, err := json.Marshal(a)
	require.NoError(t, err)
	var back classify.CVResult
	require.NoError(t, json.Unmarshal(b2, &back))
	assert.Equal(t, a.Model.Coef, back.Model.Coef, "result JSON round trip")
}

func TestCrossValidateLogLossMetric(t *testing.T) {
	x, y := synth(1500, 6, 0.5, 23)
	res, err := classify.CrossValidate(context.Background(), classify.Data{X: x, Y: y}, classify.CVConfig{Cs: []float64{1e-4, 1}, Metric: classify.MetricLogLoss, NoRefit: true})
	require.NoError(t, err)
	assert.Nil(t, res.Model, "no refit")
	assert.Equal(t, 1.0, res.C, "a tiny C underfits: higher log loss")
	assert.Less(t, res.Grid[1].Mean, res.Grid[0].Mean, "log loss falls with C")
}

func TestCrossValidateFeatures(t *testing.T) {
	n := 600
	num := mat.NewDense(n, 1, nil)
	cat := [][]string{make([]string, n)}
	y := make([]int, n)
	levels := []string{"a", "b", "c", "", "rare"}
	for i := range n {
		v := float64(i%50) * 10
		if i%17 == 0 {
			v = math.NaN()
		}
		num.Set(i, 0, v)
		lv := levels[i%4]
		if i == 5 {
			lv = "rare"
		}
		cat[0][i] = lv
		if i%50 > 25 || lv == "b" {
			y[i] = 1
		}
	}
	spec := classify.FeatureSpec{
		Numeric:     []cluster.ColumnSpec{{Name: "revenue", Impute: cluster.ImputeMedian, Indicator: true, Log: cluster.LogLog1p, Scale: cluster.ScaleStandard}},
		Categorical: []string{"sector"},
		OneHot:      cluster.OneHotConfig{MinCount: 3},
	}
	res, err := classify.CrossValidate(context.Background(), classify.Data{X: num, Cat: cat, Y: y}, classify.CVConfig{Features: &spec, Calibration: classify.Platt})
	require.NoError(t, err)
	require.NotNil(t, res.Features)
	assert.Equal(t, []string{"revenue", "revenue_missing", "sector=a", "sector=b", "sector=c", "sector=other"}, res.Features.Names())
	assert.Equal(t, res.Features.Names(), res.Model.Features, "model features are the encoding's outputs")
	assert.Greater(t, res.Scores.AUC, 0.8, "AUC")

	// One account at a time: encode the raw row, predict, calibrate.
	row := make([]float64, res.Features.Width())
	require.NoError(t, res.Features.TransformRow(row, []float64{math.NaN()}, []string{"b"}))
	assert.Equal(t, 1.0, row[1], "missing indicator")
	z, err := res.Model.DecisionRow(row)
	require.NoError(t, err)
	p := res.Calibrator.Apply(z)
	assert.True(t, p > 0 && p < 1, "calibrated probability %v", p)

	_, err = classify.CrossValidate(context.Background(), classify.Data{X: num, Cat: cat, Y: y}, classify.CVConfig{})
	assert.ErrorIs(t, err, classify.ErrInvalidInput, "categorical columns without Features")
	_, err = classify.CrossValidate(context.Background(), classify.Data{X: num, Cat: cat, Y: y[:10]}, classify.CVConfig{Features: &spec})
	assert.ErrorIs(t, err, classify.ErrInvalidInput, "labels and rows differ")
}

func TestCrossValidateBadInput(t *testing.T) {
	x, y := synth(200, 3, 0.5, 25)
	ctx := context.Background()
	_, err := classify.CrossValidate(ctx, classify.Data{X: x, Y: y, Fold: make([]int, 10)}, classify.CVConfig{})
	assert.ErrorIs(t, err, classify.ErrInvalidInput, "fold length")
	_, err = classify.CrossValidate(ctx, classify.Data{X: x, Y: y, Fold: make([]int, 200)}, classify.CVConfig{})
	assert.ErrorIs(t, err, classify.ErrInvalidInput, "a single fold")
	_, err = classify.CrossValidate(ctx, classify.Data{X: x, Y: y}, classify.CVConfig{Cs: []float64{-1}})
	assert.ErrorIs(t, err, classify.ErrInvalidConfig, "negative C")
	_, err = classify.CrossValidate(ctx, classify.Data{X: x, Y: y}, classify.CVConfig{Folds: 1})
	assert.ErrorIs(t, err, classify.ErrInvalidConfig, "one fold")
	_, err = classify.CrossValidate(ctx, classify.Data{X: x, Y: y, Weight: []float64{1}}, classify.CVConfig{})
	assert.ErrorIs(t, err, classify.ErrInvalidInput, "weights")
	c, cancel := context.WithCancel(ctx)
	cancel()
	_, err = classify.CrossValidate(c, classify.Data{X: x, Y: y}, classify.CVConfig{})
	assert.ErrorIs(t, err, context.Canceled, "cancelled")
}

func TestFeatures(t *testing.T) {
	num := mat.NewDense(4, 2, []float64{1, 10, math.NaN(), 20, 3, 30, 5, 40})
	cat := [][]string{{"x", "y", "", "x"}}
	spec := classify.FeatureSpec{
		Numeric:     []cluster.ColumnSpec{{Name: "a", Impute: cluster.ImputeMedian, Indicator: true}, {Name: "b", Scale: cluster.ScaleMinMax}},
		Categorical: []string{"c"},
	}
	f, err := classify.FitFeatures(spec, num, cat)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "a_missing", "c=x", "c=y", "c=other"}, f.Names())
	enc, err := f.Transform(num, cat)
	require.NoError(t, err)
	row := make([]float64, f.Width())
	for i := range 4 {
		require.NoError(t, f.TransformRow(row, num.RawRowView(i), []string{cat[0][i]}))
		assert.Equal(t, enc.RawRowView(i), row, "row %d", i)
	}
	assert.Equal(t, []float64{3, 1.0 / 3, 1, 0, 1, 0}, enc.RawRowView(1), "imputed median, min-max, indicator, one-hot")
	b, err := json.Marshal(f)
	require.NoError(t, err)
	var back classify.Features
	require.NoError(t, json.Unmarshal(b, &back))
	enc2, err := back.Transform(num, cat)
	require.NoError(t, err)
	assert.True(t, mat.Equal(enc, enc2), "JSON round trip")

	_, err = classify.FitFeatures(classify.FeatureSpec{}, nil, nil)
	assert.ErrorIs(t, err, classify.ErrInvalidConfig, "empty spec")
	_, err = classify.FitFeatures(spec, num, [][]string{{"x"}})
	assert.ErrorIs(t, err, classify.ErrInvalidInput, "ragged columns")
	assert.ErrorIs(t, f.TransformRow(row[:2], num.RawRowView(0), []string{"x"}), classify.ErrInvalidInput, "short dst")
	assert.ErrorIs(t, f.TransformRow(row, []float64{1, math.Inf(1)}, []string{"x"}), cluster.ErrInvalidInput, "Inf")
}

func TestCrossValidateCategoricalOnly(t *testing.T) {
	n := 300
	cat := [][]string{make([]string, n), make([]string, n)}
	y := make([]int, n)
	for i := range n {
		cat[0][i] = []string{"web", "event", "referral"}[i%3]
		cat[1][i] = []string{"EU", "US"}[i%2]
		if i%3 == 2 || (i%3 == 0 && i%4 == 0) {
			y[i] = 1
		}
	}
	spec := classify.FeatureSpec{Categorical: []string{"source", "region"}}
	res, err := classify.CrossValidate(context.Background(), classify.Data{Cat: cat, Y: y}, classify.CVConfig{Features: &spec})
	require.NoError(t, err)
	assert.Equal(t, []string{"source=event", "source=referral", "source=web", "source=other", "region=EU", "region=US", "region=other"}, res.Model.Features)
	assert.Greater(t, res.Scores.AUC, 0.8, "referral converts")
}
