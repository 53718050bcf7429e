package classify

import "errors"

// Sentinel errors. The package returns them wrapped with details (the
// field, row, column or value at fault); test for them with errors.Is.
var (
	// ErrInvalidConfig: a config field holds a value the function refuses.
	// Validate methods return every problem at once, each wrapping it.
	ErrInvalidConfig = errors.New("invalid config")
	// ErrInvalidInput: the data cannot be used as given: no rows, no
	// columns, NaN or ±Inf values, labels other than 0 and 1, a single
	// class, lengths that do not match, negative or non-finite weights,
	// weights that sum to zero, probabilities outside [0, 1].
	ErrInvalidInput = errors.New("invalid input")
	// ErrModelVersion: a fitted model was written by a newer version of
	// the package than this one understands.
	ErrModelVersion = errors.New("unknown model version")
)
