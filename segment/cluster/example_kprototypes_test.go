package cluster_test

import (
	"context"
	"fmt"

	"github.com/strataseg/strata/segment/cluster"
	"gonum.org/v1/gonum/mat"
)

// Mixed firmographics: size (already scaled) and sector.
func ExampleKPrototypes() {
	size := mat.NewDense(8, 1, []float64{-1.2, -1.0, -1.1, -0.9, 1.0, 1.1, 0.9, 1.2})
	sectors := [][]string{{"Retail", "Retail", "Retail", "Energy", "Tech", "Tech", "Tech", "Energy"}}
	enc, err := cluster.FitEncoder([]string{"sector"}, sectors, cluster.UnseenOther)
	if err != nil {
		fmt.Println(err)
		return
	}
	codes, err := enc.Encode(sectors)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := cluster.KPrototypes(context.Background(), size, codes, nil, cluster.KPrototypesConfig{K: 2, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for c := range m.K() {
		fmt.Printf("cluster %d: size %+.2f, sector %s, %v rows\n", c, m.Centers[c][0], enc.Decode(0, m.Modes[c][0]), m.Sizes[c])
	}
	// Output:
	// cluster 0: size -1.05, sector Retail, 4 rows
	// cluster 1: size +1.05, sector Tech, 4 rows
}

// Assigning one new account at a time.
func ExampleKPrototypesModel_Predict() {
	m := &cluster.KPrototypesModel{
		Version: cluster.KPrototypesModelVersion,
		Centers: [][]float64{{-1}, {1}},
		Modes:   [][]int32{{0}, {2}},
		Gamma:   0.5,
	}
	for _, acct := range []struct {
		size   float64
		sector int32
	}{{-0.8, 0}, {0.1, 2}, {0.1, 0}, {0.1, -1}} {
		label, cost, err := m.Predict([]float64{acct.size}, []int32{acct.sector})
		fmt.Printf("cluster %d, cost %.2f, error %v\n", label, cost, err)
	}
	// Output:
	// cluster 0, cost 0.04, error <nil>
	// cluster 1, cost 0.81, error <nil>
	// cluster 0, cost 1.21, error <nil>
	// cluster 1, cost 0.81, error <nil>
}

// k-modes on purely categorical data: sector and region.
func ExampleKModes() {
	cols := [][]string{
		{"Retail", "Retail", "Retail", "Tech", "Tech", "Tech"},
		{"South", "South", "West", "West", "West", "West"},
	}
	enc, _ := cluster.FitEncoder([]string{"sector", "region"}, cols, cluster.UnseenOther)
	codes, _ := enc.Encode(cols)
	m, err := cluster.KModes(context.Background(), codes, nil, cluster.KPrototypesConfig{K: 2, Seed: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	for c := range m.K() {
		fmt.Println(enc.Decode(0, m.Modes[c][0]), enc.Decode(1, m.Modes[c][1]), m.Sizes[c])
	}
	fmt.Println("cost", m.Cost)
	// Output:
	// Retail South 3
	// Tech West 3
	// cost 1
}
