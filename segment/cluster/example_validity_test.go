package cluster_test

import (
	"context"
	"fmt"

	"github.com/strataseg/strata/segment/cluster"
	"gonum.org/v1/gonum/mat"
)

func ExampleAdjustedRand() {
	// Last year's segments and this year's, for the same eight accounts.
	// The label values need not match: only the grouping counts.
	lastYear := []int{1, 1, 1, 2, 2, 2, 3, 3}
	thisYear := []int{7, 7, 7, 5, 5, 9, 9, 9}
	ari, err := cluster.AdjustedRand(lastYear, thisYear)
	if err != nil {
		panic(err)
	}
	nmi, err := cluster.NMI(lastYear, thisYear)
	if err != nil {
		panic(err)
	}
	same, _ := cluster.AdjustedRand(lastYear, []int{0, 0, 0, 4, 4, 4, 8, 8})
	fmt.Printf("ARI %.3f, NMI %.3f, relabelled ARI %.0f\n", ari, nmi, same)
	// Output: ARI 0.619, NMI 0.779, relabelled ARI 1
}

func ExampleContingencyTable() {
	// Where the members of each old segment went.
	old := []int{1, 1, 1, 2, 2, 2, 3, 3}
	cur := []int{7, 7, 7, 5, 5, 9, 9, 9}
	c, err := cluster.ContingencyTable(old, cur)
	if err != nil {
		panic(err)
	}
	fmt.Println("new:", c.ColLabels)
	for i, row := range c.Counts {
		fmt.Println("old", c.RowLabels[i], row)
	}
	// Output:
	// new: [5 7 9]
	// old 1 [0 3 0]
	// old 2 [2 0 1]
	// old 3 [0 0 2]
}

func ExampleCentroidIndex() {
	// Four true clusters; the solution put two centres in the first and
	// none in the last.
	truth := mat.NewDense(4, 2, []float64{0, 0, 10, 0, 0, 10, 10, 10})
	solution := mat.NewDense(4, 2, []float64{-1, 0, 1, 0, 10, 1, 1, 9})
	missed, err := cluster.CentroidIndex(solution, truth)
	if err != nil {
		panic(err)
	}
	ci, err := cluster.SymmetricCentroidIndex(solution, truth)
	if err != nil {
		panic(err)
	}
	fmt.Println("missed clusters:", missed, "CI:", ci)
	// Output: missed clusters: 1 CI: 1
}

func ExampleSilhouette() {
	x := mat.NewDense(6, 2, []float64{
		0, 0, 0, 1, 1, 0, // a tight group
		9, 9, 9, 10, 10, 9, // another, far away
	})
	labels := []int{0, 0, 0, 1, 1, 1}
	sil, err := cluster.Silhouette(context.Background(), x, labels, cluster.SilhouetteConfig{})
	if err != nil {
		panic(err)
	}
	ch, _ := cluster.CalinskiHarabasz(x, labels, nil)
	db, _ := cluster.DaviesBouldin(x, labels, nil)
	fmt.Printf("silhouette %.3f (exact: %v, %d rows), CH %.1f, DB %.3f\n", sil.Score, !sil.Sampled, sil.Scored, ch, db)
	// Output: silhouette 0.911 (exact: true, 6 rows), CH 364.5, DB 0.103
}

func ExampleChooseK() {
	// Three groups of accounts in two features.
	var rows []float64
	for i := range 60 {
		cx, cy := []float64{0, 8, 0}[i%3], []float64{0, 0, 8}[i%3]
		rows = append(rows, cx+float64(i%5)*0.3, cy+float64(i%7)*0.2)
	}
	x := mat.NewDense(60, 2, rows)
	res, err := cluster.ChooseK(context.Background(), x, nil, cluster.ChooseKConfig{MaxK: 6, Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println("recommended k:", res.Recommended)
	fmt.Println("elbow", res.Elbow, "silhouette", res.BestSilhouette, "CH", res.BestCalinskiHarabasz,
		"DB", res.BestDaviesBouldin, "gap", res.Gap)
	fmt.Printf("silhouette at k = 3: %.2f\n", res.Score(3).Silhouette)
	// Output:
	// recommended k: 3
	// elbow 3 silhouette 3 CH 3 DB 3 gap 3
	// silhouette at k = 3: 0.90
}
