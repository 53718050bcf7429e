package classify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// DefaultFolds is the number of folds of [CrossValidate] when
// CVConfig.Folds is 0.
const DefaultFolds = 5

// Progress reports how far a cross-validation has come.
type Progress struct {
	// Stage names the step: "fold" (one fit of one C on one fold) or
	// "refit" (the final fit on every row).
	Stage string
	// Done and Total count the fits of the stage.
	Done, Total int
}

// StratifiedFolds assigns each row to one of k folds so that every fold
// holds about the same number of rows and the same share of each class:
// each class's rows are shuffled by a PCG generator seeded with seed and
// dealt to the folds in turn. The same labels and seed give the same
// folds. Each class needs at least k rows.
func StratifiedFolds(y []int, k int, seed uint64) ([]int, error) {
	if k < 2 {
		return nil, fmt.Errorf("classify: folds: k must be at least 2, got %d: %w", k, ErrInvalidConfig)
	}
	var members [2][]int
	for i, v := range y {
		if v != 0 && v != 1 {
			return nil, fmt.Errorf("classify: folds: row %d: label %d is neither 0 nor 1: %w", i, v, ErrInvalidInput)
		}
		members[v] = append(members[v], i)
	}
	for c, m := range members {
		if len(m) < k {
			return nil, fmt.Errorf("classify: folds: class %d has %d rows, fewer than %d folds: %w", c, len(m), k, ErrInvalidInput)
		}
	}
	fold := make([]int, len(y))
	next := 0
	for c, m := range members {
		rng := rand.New(rand.NewPCG(seed, uint64(c)))
		rng.Shuffle(len(m), func(a, b int) { m[a], m[b] = m[b], m[a] })
		for _, i := range m {
			fold[i] = next
			next = (next + 1) % k
		}
	}
	return fold, nil
}

// CVConfig configures [CrossValidate]. It is plain data; its zero value
// cross-validates scikit-learn's LogisticRegression(C=1) over 5
// stratified folds, seed 0.
type CVConfig struct {
	// Logistic configures each fit; its C is used when Cs is nil.
	Logistic LogisticConfig `json:"logistic"`
	// Folds is the number of folds; 0 means DefaultFolds (5). Ignored
	// when Data.Fold is given.
	Folds int `json:"folds,omitempty"`
	// Seed seeds the shuffle of StratifiedFolds.
	Seed uint64 `json:"seed"`
	// Cs is a grid of regularization strengths to choose from by Metric;
	// nil means Logistic.C alone.
	Cs []float64 `json:"cs,omitempty"`
	// Metric chooses C: the best mean over the folds (the smaller C on a
	// tie). The zero value is AUC.
	Metric Metric `json:"metric,omitempty"`
	// Calibration, when not NoCalibration, fits a Calibrator on the
	// out-of-fold log-odds of the chosen C.
	Calibration Calibration `json:"calibration,omitempty"`
	// Features, when not nil, makes Data.X and Data.Cat raw columns that
	// are encoded by Features, fitted on each fold's training rows only
	// (so that no statistic of a test row leaks into its model) and on
	// every row for the final model.
	Features *FeatureSpec `json:"features,omitempty"`
	// NoRefit skips the final fit on every row; CVResult.Model is then
	// nil.
	NoRefit bool `json:"no_refit,omitempty"`
	// Workers is the number of goroutines, over folds and values of C; 0
	// means GOMAXPROCS. The result does not depend on it.
	Workers int `json:"-"`
	// Progress, when not nil, is called after each fit, from one
	// goroutine at a time.
	Progress func(Progress) `json:"-"`
}

// Validate reports every problem with the config, each wrapping
// [ErrInvalidConfig].
func (c CVConfig) Validate() error {
	var errs []error
	if err := c.Logistic.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Folds < 0 || c.Folds == 1 {
		errs = append(errs, fmt.Errorf("classify: cv: Folds must be 0 or at least 2, got %d: %w", c.Folds, ErrInvalidConfig))
	}
	for k, v := range c.Cs {
		if !(v > 0) || math.IsInf(v, 0) {
			errs = append(errs, fmt.Errorf("classify: cv: Cs[%d] must be positive and finite, got %v: %w", k, v, ErrInvalidConfig))
		}
	}
	if c.Metric < MetricAUC || c.Metric > MetricBrier {
		errs = append(errs, fmt.Errorf("classify: cv: Metric %d is unknown: %w", int(c.Metric), ErrInvalidConfig))
	}
	if c.Calibration < NoCalibration || c.Calibration > Isotonic {
		errs = append(errs, fmt.Errorf("classify: cv: Calibration %d is unknown: %w", int(c.Calibration), ErrInvalidConfig))
	}
	if c.Features != nil {
		if err := c.Features.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Data is a labelled training set for [CrossValidate].
type Data struct {
	// X holds the features, one row per example, finite; with
	// CVConfig.Features, the raw numeric columns (NaN missing), or nil
	// when there are none.
	X mat.Matrix
	// Cat holds the raw categorical columns (Cat[j][i] is row i's level in
	// column j) when CVConfig.Features has categorical columns; nil
	// otherwise.
	Cat [][]string
	// Y holds the labels, 0 or 1.
	Y []int
	// Weight holds the sample weights; nil weighs every row 1.
	Weight []float64
	// Fold, when not nil, assigns each row to a fold (0…k−1, every fold
	// used); nil draws StratifiedFolds(Y, CVConfig.Folds, CVConfig.Seed).
	Fold []int
}

// CVScore is the cross-validated score of one value of C.
type CVScore struct {
	C float64 `json:"c"`
	// Mean and SD are the metric's mean and (population) standard
	// deviation over the folds.
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	// Folds holds the metric on each fold.
	Folds []float64 `json:"folds"`
}

// CVResult is the outcome of [CrossValidate].
type CVResult struct {
	// Fold is the fold of each row.
	Fold []int `json:"fold"`
	// Metric is the metric that chose C, and C the chosen value.
	Metric Metric  `json:"metric"`
	C      float64 `json:"c"`
	// Grid scores every C of the grid, in ascending order of C.
	Grid []CVScore `json:"grid"`
	// OutOfFold holds, for the chosen C, each row's log-odds predicted by
	// the model fitted without its fold, and OutOfFoldP the probability.
	OutOfFold  []float64 `json:"out_of_fold"`
	OutOfFoldP []float64 `json:"out_of_fold_p"`
	// Scores holds the metrics of the pooled out-of-fold probabilities,
	// FoldScores those of each fold.
	Scores     Scores   `json:"scores"`
	FoldScores []Scores `json:"fold_scores"`
	// Features is the encoding fitted on every row (nil without
	// CVConfig.Features); Model is the chosen C's fit on every row (nil
	// with NoRefit). With Features, Model's inputs are Features' outputs.
	Features *Features      `json:"features,omitempty"`
	Model    *LogisticModel `json:"model,omitempty"`
	// Calibrator maps Model's log-odds to calibrated probabilities,
	// fitted on OutOfFold; nil with NoCalibration.
	Calibrator *Calibrator `json:"calibrator,omitempty"`
}

// foldData is one fold's training source and test rows.
type foldData struct {
	train     *source
	trainRows []int // nil: every row of train
	test      []float64
	stride    int
	testRows  []int // rows of the full data
}

// CrossValidate fits a logistic regression on all folds but one, for every
// fold and every C of the grid, scores each fit on its held-out fold,
// chooses C by the mean score, collects the out-of-fold predictions,
// fits a calibrator on them (if asked) and refits the chosen C on every
// row. Fits run in parallel over Workers; the result does not depend on
// Workers. It checks ctx between fits and inside them.
func CrossValidate(ctx context.Context, data Data, cfg CVConfig) (*CVResult, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n, err := cvRows(data, cfg)
	if err != nil {
		return nil, err
	}
	fold := slices.Clone(data.Fold)
	k := 0
	if fold == nil {
		k = cfg.Folds
		if k == 0 {
			k = DefaultFolds
		}
		if fold, err = StratifiedFolds(data.Y, k, cfg.Seed); err != nil {
			return nil, err
		}
	} else {
		if len(fold) != n {
			return nil, fmt.Errorf("classify: cv: %d fold numbers for %d rows: %w", len(fold), n, ErrInvalidInput)
		}
		for i, f := range fold {
			if f < 0 {
				return nil, fmt.Errorf("classify: cv: row %d: fold %d is negative: %w", i, f, ErrInvalidInput)
			}
			k = max(k, f+1)
		}
	}
	tests := make([][]int, k)
	for i, f := range fold {
		tests[f] = append(tests[f], i)
	}
	for f, t := range tests {
		if len(t) == 0 || len(t) == n {
			return nil, fmt.Errorf("classify: cv: fold %d has %d of %d rows: %w", f, len(t), n, ErrInvalidInput)
		}
	}
	cs := slices.Clone(cfg.Cs)
	if cs == nil {
		c := cfg.Logistic.C
		if c == 0 {
			c = DefaultC
		}
		cs = []float64{c}
	}
	slices.Sort(cs)
	cs = slices.Compact(cs)

	folds, err := prepareFolds(data, cfg, tests, fold)
	if err != nil {
		return nil, err
	}
	oof := make([][]float64, len(cs))
	for c := range oof {
		oof[c] = make([]float64, n)
	}
	total := len(cs) * k
	errs := make([]error, total)
	var mu sync.Mutex
	done := 0
	run := newRunner(ctx, cfg.Workers)
	err = run.do(total, func(t int) {
		ci, f := t/k, t%k
		lc := cfg.Logistic
		lc.C, lc.Workers, lc.Names = cs[ci], 1, nil
		fd := folds[f]
		m, ferr := fitRows(ctx, fd.train, fd.trainRows, lc)
		if ferr != nil {
			errs[t] = fmt.Errorf("classify: cv: fold %d, C=%v: %w", f, cs[ci], ferr)
			return
		}
		d := len(m.Coef)
		for r, i := range fd.testRows {
			z, _ := m.DecisionRow(fd.test[r*fd.stride : r*fd.stride+d])
			oof[ci][i] = z
		}
		if cfg.Progress != nil {
			mu.Lock()
			done++
			cfg.Progress(Progress{Stage: "fold", Done: done, Total: total})
			mu.Unlock()
		}
	})
	if err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	res := &CVResult{Fold: fold, Metric: cfg.Metric}
	best := -1
	for ci, c := range cs {
		sc := CVScore{C: c, Folds: make([]float64, k)}
		for f, rows := range tests {
			v, err := foldMetric(cfg.Metric, data, oof[ci], rows)
			if err != nil {
				return nil, fmt.Errorf("classify: cv: fold %d: %w", f, err)
			}
			sc.Folds[f] = v
		}
		sc.Mean, sc.SD = meanSD(sc.Folds)
		res.Grid = append(res.Grid, sc)
		if best < 0 || better(cfg.Metric, sc.Mean, res.Grid[best].Mean) {
			best = ci
		}
	}
	res.C = cs[best]
	res.OutOfFold = oof[best]
	res.OutOfFoldP = make([]float64, n)
	for i, z := range res.OutOfFold {
		res.OutOfFoldP[i] = sigmoid(z)
	}
	if res.Scores, err = Evaluate(data.Y, res.OutOfFoldP, data.Weight); err != nil {
		return nil, fmt.Errorf("classify: cv: %w", err)
	}
	for f, rows := range tests {
		y, p, w := gather(data, res.OutOfFoldP, rows)
		s, err := Evaluate(y, p, w)
		if err != nil {
			return nil, fmt.Errorf("classify: cv: fold %d: %w", f, err)
		}
		res.FoldScores = append(res.FoldScores, s)
	}
	if cfg.Calibration != NoCalibration {
		if res.Calibrator, err = FitCalibrator(cfg.Calibration, res.OutOfFold, data.Y, data.Weight); err != nil {
			return nil, fmt.Errorf("classify: cv: %w", err)
		}
	}
	if cfg.NoRefit {
		return res, nil
	}
	lc := cfg.Logistic
	lc.C = res.C
	x := data.X
	if cfg.Features != nil {
		if res.Features, err = fitFeatures(*cfg.Features, data.X, data.Cat); err != nil {
			return nil, err
		}
		enc, err := res.Features.Transform(data.X, data.Cat)
		if err != nil {
			return nil, err
		}
		x = enc
		lc.Names = res.Features.Names()
	}
	if res.Model, err = Logistic(ctx, x, data.Y, data.Weight, lc); err != nil {
		return nil, fmt.Errorf("classify: cv: refit: %w", err)
	}
	if cfg.Progress != nil {
		cfg.Progress(Progress{Stage: "refit", Done: 1, Total: 1})
	}
	return res, nil
}

// cvRows checks the data's shape and returns its number of rows.
func cvRows(data Data, cfg CVConfig) (int, error) {
	n := len(data.Y)
	if n == 0 {
		return 0, fmt.Errorf("classify: cv: no labels: %w", ErrInvalidInput)
	}
	if cfg.Features != nil {
		r, err := rawRows(*cfg.Features, data.X, data.Cat)
		if err != nil {
			return 0, err
		}
		if r != n {
			return 0, fmt.Errorf("classify: cv: %d rows and %d labels: %w", r, n, ErrInvalidInput)
		}
	} else {
		if data.Cat != nil {
			return 0, fmt.Errorf("classify: cv: categorical columns need CVConfig.Features: %w", ErrInvalidInput)
		}
		if nilMatrix(data.X) {
			return 0, fmt.Errorf("classify: cv: no data: %w", ErrInvalidInput)
		}
	}
	if data.Weight != nil && len(data.Weight) != n {
		return 0, fmt.Errorf("classify: cv: %d weights for %d rows: %w", len(data.Weight), n, ErrInvalidInput)
	}
	return n, nil
}

// prepareFolds builds each fold's training source and test rows, encoding
// raw columns per fold with cfg.Features.
func prepareFolds(data Data, cfg CVConfig, tests [][]int, fold []int) ([]foldData, error) {
	k := len(tests)
	folds := make([]foldData, k)
	trainOf := func(f int) []int {
		rows := make([]int, 0, len(fold)-len(tests[f]))
		for i, g := range fold {
			if g != f {
				rows = append(rows, i)
			}
		}
		return rows
	}
	if cfg.Features == nil {
		src, err := checkSource("cv", data.X, data.Y, data.Weight)
		if err != nil {
			return nil, err
		}
		for f := range folds {
			test, stride := gatherRows(src, tests[f])
			folds[f] = foldData{train: src, trainRows: trainOf(f), test: test, stride: stride, testRows: tests[f]}
		}
		return folds, nil
	}
	for f := range folds {
		tr := trainOf(f)
		num, cat := subsetRaw(data.X, data.Cat, tr)
		feat, err := fitFeatures(*cfg.Features, num, cat)
		if err != nil {
			return nil, fmt.Errorf("classify: cv: fold %d: %w", f, err)
		}
		enc, err := feat.Transform(num, cat)
		if err != nil {
			return nil, fmt.Errorf("classify: cv: fold %d: %w", f, err)
		}
		y := make([]int, len(tr))
		var w []float64
		if data.Weight != nil {
			w = make([]float64, len(tr))
		}
		for r, i := range tr {
			y[r] = data.Y[i]
			if w != nil {
				w[r] = data.Weight[i]
			}
		}
		src, err := checkSource("cv", enc, y, w)
		if err != nil {
			return nil, fmt.Errorf("classify: cv: fold %d: %w", f, err)
		}
		tnum, tcat := subsetRaw(data.X, data.Cat, tests[f])
		tenc, err := feat.Transform(tnum, tcat)
		if err != nil {
			return nil, fmt.Errorf("classify: cv: fold %d: %w", f, err)
		}
		raw := tenc.RawMatrix()
		folds[f] = foldData{train: src, test: raw.Data, stride: raw.Stride, testRows: tests[f]}
	}
	return folds, nil
}

// gatherRows copies the given rows of src, row-major with stride src.d.
func gatherRows(src *source, rows []int) ([]float64, int) {
	out := make([]float64, len(rows)*src.d)
	for r, i := range rows {
		copy(out[r*src.d:(r+1)*src.d], src.data[i*src.stride:i*src.stride+src.d])
	}
	return out, src.d
}

// gather returns the labels, probabilities and weights of the given rows.
func gather(data Data, p []float64, rows []int) ([]int, []float64, []float64) {
	y := make([]int, len(rows))
	pp := make([]float64, len(rows))
	var w []float64
	if data.Weight != nil {
		w = make([]float64, len(rows))
	}
	for r, i := range rows {
		y[r], pp[r] = data.Y[i], p[i]
		if w != nil {
			w[r] = data.Weight[i]
		}
	}
	return y, pp, w
}

// foldMetric scores the log-odds z on the given rows.
func foldMetric(m Metric, data Data, z []float64, rows []int) (float64, error) {
	y, zz, w := gather(data, z, rows)
	switch m {
	case MetricAUC:
		return ROCAUC(y, zz, w)
	case MetricAveragePrecision:
		return AveragePrecision(y, zz, w)
	}
	for i, v := range zz {
		zz[i] = sigmoid(v)
	}
	if m == MetricBrier {
		return Brier(y, zz, w)
	}
	return LogLoss(y, zz, w)
}

func better(m Metric, a, b float64) bool {
	if m.higherIsBetter() {
		return a > b
	}
	return a < b
}

func meanSD(v []float64) (float64, float64) {
	var s float64
	for _, x := range v {
		s += x
	}
	mean := s / float64(len(v))
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(v)))
}
