package cluster_test

import (
	"fmt"
	"math"

	"github.com/strataseg/strata/segment/cluster"
	"gonum.org/v1/gonum/mat"
)

// A pipeline for firmographic numbers: revenue is heavy-tailed and
// sometimes blank, so it is imputed with its median (and flagged), logged,
// then z-scored; employees are logged and robustly scaled.
func ExampleFitPipeline() {
	x := mat.NewDense(4, 2, []float64{
		1_000, 12,
		50_000, 300,
		math.NaN(), 45,
		2_000_000, 9_000,
	})
	p, err := cluster.FitPipeline([]cluster.ColumnSpec{
		{Name: "revenue", Impute: cluster.ImputeMedian, Indicator: true, Log: cluster.LogLog1p, Scale: cluster.ScaleStandard},
		{Name: "employees", Log: cluster.LogLog1p, Scale: cluster.ScaleRobust},
	}, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.OutputNames())
	row := make([]float64, p.OutputWidth())
	if err := p.TransformRow(row, []float64{math.NaN(), 120}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.3f\n", row)
	err = p.TransformRow(row, []float64{5_000, math.Inf(1)})
	fmt.Println(err)
	// Output:
	// [revenue employees revenue_missing]
	// [0.024 0.009 1.000]
	// cluster: column 1 "employees": value +Inf is not finite: invalid input
}

// One-hot encoding with rare levels grouped into "other".
func ExampleFitOneHot() {
	sector := []string{"Energy", "Technology", "Technology", "Retailing", "", "Energy"}
	oh, err := cluster.FitOneHot(cluster.OneHotConfig{MinCount: 2}, []string{"sector"}, [][]string{sector})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(oh.OutputNames())
	row := make([]float64, oh.Width())
	for _, v := range []string{"Technology", "Retailing", "Aerospace", ""} {
		_ = oh.TransformRow(row, []string{v})
		fmt.Printf("%-10q %v\n", v, row)
	}
	// Output:
	// [sector=Energy sector=Technology sector=other]
	// "Technology" [0 1 0]
	// "Retailing" [0 0 1]
	// "Aerospace" [0 0 1]
	// ""         [0 0 0]
}

// Reading a centre found on transformed data in the input's units.
func ExamplePipeline_InverseTransformRow() {
	x := mat.NewDense(4, 1, []float64{100, 1_000, 10_000, 100_000})
	p, err := cluster.FitPipeline([]cluster.ColumnSpec{{Name: "employees", Log: cluster.LogLog1p, Scale: cluster.ScaleStandard}}, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	centre := []float64{0} // the mean of ln(1+employees): the geometric mean of 1+employees, less 1
	employees := make([]float64, 1)
	_ = p.InverseTransformRow(employees, centre)
	fmt.Printf("%.0f employees\n", employees[0])
	// Output:
	// 3170 employees
}

// Transforming single values, as a scorer that reads only some columns
// does: the same numbers TransformRow gives, without a row. A missing
// value becomes the fitted median (25,500), logged and scaled.
func ExamplePipeline_TransformValue() {
	x := mat.NewDense(3, 1, []float64{1_000, 50_000, math.NaN()})
	p, err := cluster.FitPipeline([]cluster.ColumnSpec{
		{Name: "revenue", Impute: cluster.ImputeMedian, Indicator: true, Log: cluster.LogLog1p, Scale: cluster.ScaleStandard},
	}, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range []float64{1_000, math.NaN()} {
		out, missing, err := p.TransformValue(0, v)
		fmt.Printf("%.3f %v %v\n", out, missing, err)
	}
	_, _, err = p.TransformValue(3, 1)
	fmt.Println(err)
	// Output:
	// -1.000 false <nil>
	// 0.656 true <nil>
	// cluster: pipeline: column 3 of 1: invalid input
}

// The one column a level sets, for a caller that skips the zeros.
func ExampleOneHot_HotIndex() {
	sector := []string{"Energy", "Technology", "Technology", "Retailing", "Energy"}
	oh, err := cluster.FitOneHot(cluster.OneHotConfig{MinCount: 2}, []string{"sector"}, [][]string{sector})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range []string{"Technology", "Aerospace", ""} {
		i, err := oh.HotIndex(0, v)
		fmt.Printf("%-12q %d %v\n", v, i, err)
	}
	// Output:
	// "Technology" 1 <nil>
	// "Aerospace"  2 <nil>
	// ""           -1 <nil>
}
