package cluster_test

import (
	"context"
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/cluster"
)

// Accounts described by two standardized features (say, seats used and
// yearly revenue) fall into two groups.
func ExampleKMeans() {
	x := mat.NewDense(8, 2, []float64{
		0.1, 0.2, 0.0, 0.1, 0.2, 0.0, 0.1, 0.1,
		5.0, 5.1, 5.2, 4.9, 4.9, 5.0, 5.1, 5.0,
	})
	m, err := cluster.KMeans(context.Background(), x, nil, cluster.KMeansConfig{K: 2, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for j, c := range m.Centers {
		fmt.Printf("centre %d: (%.3f, %.3f), %v accounts\n", j, c[0], c[1], m.Sizes[j])
	}
	fmt.Printf("inertia %.4f\n", m.Inertia)
	// Output:
	// centre 0: (0.100, 0.100), 4 accounts
	// centre 1: (5.050, 5.000), 4 accounts
	// inertia 0.1100
}

// A fitted model assigns new rows; it is plain data, safe for concurrent
// use.
func ExampleKMeansModel_Predict() {
	m := &cluster.KMeansModel{Centers: [][]float64{{0, 0}, {10, 10}}}
	label, sqDist := m.Predict([]float64{9, 8})
	fmt.Println(label, sqDist)

	labels := make([]int, 3)
	if err := m.PredictTo(labels, mat.NewDense(3, 2, []float64{1, 1, 6, 7, 2, 0})); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(labels)
	// Output:
	// 1 5
	// [0 1 0]
}

// PredictRow checks a row from outside the program and returns an error
// where Predict would panic.
func ExampleKMeansModel_PredictRow() {
	m := &cluster.KMeansModel{Centers: [][]float64{{0, 0}, {10, 10}}}
	label, sqDist, err := m.PredictRow([]float64{9, 8})
	fmt.Println(label, sqDist, err)

	_, _, err = m.PredictRow([]float64{9, 8, 7})
	fmt.Println(err)
	fmt.Println(errors.Is(err, cluster.ErrInvalidInput))
	// Output:
	// 1 5 <nil>
	// cluster: predict: row has 3 values, centres have 2: invalid input
	// true
}
