package enumtext_test

import (
	"fmt"

	"github.com/strataseg/strata/segment/internal/enumtext"
)

type Shape int

var shapeNames = []string{"circle", "square"}

func Example() {
	fmt.Println(enumtext.String(shapeNames, Shape(1), "Shape"))
	fmt.Println(enumtext.String(shapeNames, Shape(5), "Shape"))
	v, ok := enumtext.Value[Shape](shapeNames, "circle")
	fmt.Println(v, ok)
	// Output:
	// square
	// Shape(5)
	// 0 true
}
