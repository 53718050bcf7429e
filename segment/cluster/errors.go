package cluster

import "errors"

// Sentinel errors. The package returns them wrapped with details (the
// field, row or value at fault); test for them with errors.Is.
var (
	// ErrInvalidConfig: a Config field holds a value the function refuses.
	// Validate methods return every problem at once, each wrapping it.
	ErrInvalidConfig = errors.New("invalid config")
	// ErrInvalidInput: the data cannot be clustered as given: no rows, no
	// columns (d = 0), ragged rows, NaN or ±Inf values, negative, NaN or
	// infinite weights, weights that sum to zero, or a weight slice whose
	// length differs from the number of rows.
	ErrInvalidInput = errors.New("invalid input")
	// ErrTooFewPoints: k is larger than the number of distinct rows (rows
	// of zero weight not counted), so k distinct centres cannot be found.
	ErrTooFewPoints = errors.New("too few distinct points")
)
