package classify_test

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/classify"
	"github.com/strataseg/strata/segment/cluster"
)

// Fitting a conversion model on two encoded features (scikit-learn's
// LogisticRegression(C=1) gives the same coefficients).
func ExampleLogistic() {
	// employees (log, standardized) and a 0/1 "requested a demo" flag.
	x := mat.NewDense(8, 2, []float64{
		-1.2, 0,
		-0.8, 0,
		-0.3, 1,
		0.1, 0,
		0.4, 1,
		0.9, 0,
		1.3, 1,
		1.6, 1,
	})
	y := []int{0, 0, 1, 0, 0, 1, 1, 1}
	m, err := classify.Logistic(context.Background(), x, y, nil, classify.LogisticConfig{
		C:     1,
		Names: []string{"employees", "demo"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for j, name := range m.Features {
		fmt.Printf("%s %+.3f\n", name, m.Coef[j])
	}
	fmt.Printf("intercept %+.3f, converged %v\n", m.Intercept, m.Converged)
	// Output:
	// employees +0.924
	// demo +0.417
	// intercept -0.445, converged true
}

// Scoring one account at a time, as a CRM does in its request path.
func ExampleLogisticModel_PredictRow() {
	m := &classify.LogisticModel{
		Version:   classify.LogisticModelVersion,
		Features:  []string{"employees", "demo"},
		Coef:      []float64{1.2, 0.7},
		Intercept: -0.4,
	}
	p, err := m.PredictRow([]float64{0.5, 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("P(convert) = %.3f\n", p)
	_, err = m.PredictRow([]float64{math.NaN(), 1})
	fmt.Println(err)
	// Output:
	// P(convert) = 0.711
	// classify: column 0 "employees": value NaN is not finite: invalid input
}

// Choosing C by cross-validated AUC on raw columns: the encoding (median
// imputation with a missing indicator, log, standardization, one-hot) is
// fitted on each fold's training rows only.
func ExampleCrossValidate() {
	n := 400
	num := mat.NewDense(n, 1, nil)
	sector := make([]string, n)
	y := make([]int, n)
	for i := range n {
		employees := float64(10 + (i*37)%990)
		if i%23 == 0 {
			employees = math.NaN()
		}
		num.Set(i, 0, employees)
		sector[i] = []string{"software", "retail", "energy", ""}[i%4]
		if (i*37)%990 > 600 || (sector[i] == "software" && i%3 == 0) {
			y[i] = 1
		}
	}
	spec := classify.FeatureSpec{
		Numeric:     []cluster.ColumnSpec{{Name: "employees", Impute: cluster.ImputeMedian, Indicator: true, Log: cluster.LogLog1p, Scale: cluster.ScaleStandard}},
		Categorical: []string{"sector"},
	}
	res, err := classify.CrossValidate(context.Background(), classify.Data{X: num, Cat: [][]string{sector}, Y: y}, classify.CVConfig{
		Cs:          []float64{0.01, 0.1, 1, 10},
		Seed:        1,
		Features:    &spec,
		Calibration: classify.Platt,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range res.Grid {
		fmt.Printf("C=%-5v AUC %.3f\n", g.C, g.Mean)
	}
	fmt.Println("chosen C:", res.C)
	fmt.Println("features:", res.Model.Features)
	// Output:
	// C=0.01  AUC 0.940
	// C=0.1   AUC 0.937
	// C=1     AUC 0.935
	// C=10    AUC 0.935
	// chosen C: 0.01
	// features: [employees employees_missing sector=energy sector=retail sector=software sector=other]
}

// Calibrating log-odds with isotonic regression.
func ExampleFitCalibrator() {
	score := []float64{-3, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 4}
	y := []int{0, 0, 1, 0, 0, 1, 0, 1, 1, 1}
	c, err := classify.FitCalibrator(classify.Isotonic, score, y, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range []float64{-2.5, 0, 0.75, 5} {
		fmt.Printf("%.2f → %.3f\n", s, c.Apply(s))
	}
	// Output:
	// -2.50 → 0.000
	// 0.00 → 0.333
	// 0.75 → 0.500
	// 5.00 → 1.000
}

// ROC AUC counts a tie between a positive and a negative as one half.
func ExampleROCAUC() {
	auc, err := classify.ROCAUC([]int{0, 1, 0, 1}, []float64{0.5, 0.5, 0.2, 0.9}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(auc)
	// Output:
	// 0.875
}

// A gains table: the top fifth of the leads by score holds two thirds of
// the conversions.
func ExampleGains() {
	y := []int{1, 1, 0, 1, 0, 0, 0, 0, 0, 0}
	score := []float64{0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1}
	g, err := classify.Gains(y, score, nil, 5)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range g {
		fmt.Printf("bin %d: rate %.2f, lift %.2f, cumulative gain %.2f\n", r.Bin, r.Rate, r.Lift, r.CumGain)
	}
	// Output:
	// bin 1: rate 1.00, lift 3.33, cumulative gain 0.67
	// bin 2: rate 0.50, lift 1.67, cumulative gain 1.00
	// bin 3: rate 0.00, lift 0.00, cumulative gain 1.00
	// bin 4: rate 0.00, lift 0.00, cumulative gain 1.00
	// bin 5: rate 0.00, lift 0.00, cumulative gain 1.00
}

// A reliability table compares the mean predicted probability of each bin
// with its observed rate.
func ExampleReliability() {
	p := []float64{0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9}
	y := []int{0, 0, 0, 1, 0, 1, 1, 1}
	r, err := classify.Reliability(y, p, nil, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range r {
		fmt.Printf("bin %d: predicted %.2f, observed %.2f\n", b.Bin, b.MeanPredicted, b.Observed)
	}
	// Output:
	// bin 1: predicted 0.25, observed 0.25
	// bin 2: predicted 0.75, observed 0.75
}

// Stratified folds keep the share of positives in every fold.
func ExampleStratifiedFolds() {
	y := []int{1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1}
	fold, err := classify.StratifiedFolds(y, 2, 42)
	if err != nil {
		fmt.Println(err)
		return
	}
	var pos, size [2]int
	for i, f := range fold {
		size[f]++
		pos[f] += y[i]
	}
	fmt.Println("rows per fold:", size, "positives per fold:", pos)
	// Output:
	// rows per fold: [6 6] positives per fold: [2 2]
}

// Encoding raw columns with the clustering core's preprocessing.
func ExampleFitFeatures() {
	num := mat.NewDense(4, 1, []float64{120, math.NaN(), 4_500, 60})
	cat := [][]string{{"software", "retail", "software", ""}}
	f, err := classify.FitFeatures(classify.FeatureSpec{
		Numeric:     []cluster.ColumnSpec{{Name: "employees", Impute: cluster.ImputeMedian, Indicator: true, Log: cluster.LogLog1p}},
		Categorical: []string{"sector"},
	}, num, cat)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Names())
	row := make([]float64, f.Width())
	if err := f.TransformRow(row, []float64{math.NaN()}, []string{"energy"}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.3f\n", row)
	// Output:
	// [employees employees_missing sector=retail sector=software sector=other]
	// [4.796 1.000 0.000 0.000 1.000]
}

// Every metric of a set of predicted probabilities at once (the same
// figures as scikit-learn's roc_auc_score, average_precision_score,
// log_loss and brier_score_loss).
func ExampleEvaluate() {
	y := []int{0, 0, 1, 1, 0, 1, 0, 1}
	p := []float64{0.1, 0.3, 0.35, 0.8, 0.4, 0.9, 0.2, 0.6}
	s, err := classify.Evaluate(y, p, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("AUC %.4f, AP %.4f, log loss %.4f, Brier %.4f, KS %.2f\n", s.AUC, s.AveragePrecision, s.LogLoss, s.Brier, s.KS)
	// Output:
	// AUC 0.9375, AP 0.9500, log loss 0.3856, Brier 0.1166, KS 0.75
}
