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
