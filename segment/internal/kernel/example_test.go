package kernel_test

import (
	"fmt"

	"github.com/strataseg/strata/segment/internal/kernel"
)

func ExampleNearest() {
	// Three points and two centres in the plane, row-major.
	x := []float64{0, 1, 5, 5, 9, 8}
	c := []float64{0, 0, 10, 10}
	cnorm := make([]float64, 2)
	kernel.SqNorms(cnorm, c, 2)

	labels := make([]int32, 3)
	dist := make([]float64, 3)
	kernel.Nearest(labels, dist, x, nil, c, cnorm, 2)
	fmt.Println(labels, dist)
	// Output: [0 0 1] [1 50 5]
}

func ExampleCentres() {
	c := []float64{0, 0, 10, 10}
	cnorm := make([]float64, 2)
	kernel.SqNorms(cnorm, c, 2)

	// Pack once, then assign any number of chunks or single rows.
	var p kernel.Centres
	p.Pack(c, cnorm, 2)
	x := []float64{0, 1, 9, 8, 6, 6}
	labels := make([]int32, 3)
	d1 := make([]float64, 3)
	d2 := make([]float64, 3)
	p.Nearest2(labels, d1, d2, x, nil)
	fmt.Println(labels, d1, d2)

	// One Lloyd step's sums and counts, in the same pass.
	sums := make([]float64, 4)
	counts := make([]float64, 2)
	p.NearestAdd(labels, nil, sums, counts, x, nil, nil)
	fmt.Println(sums, counts)
	// Output:
	// [0 1 1] [1 5 32] [181 145 72]
	// [0 1 15 14] [1 2]
}
