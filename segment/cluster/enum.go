package cluster

import (
	"fmt"

	"github.com/strataseg/strata/segment/internal/enumtext"
)

// The text form of cluster's enums comes in two wordings, kept as they are
// so that error texts do not change: enumMarshal and enumUnmarshal serve
// the preprocessing and k-prototypes enums, optionMarshal and
// optionUnmarshal the k-means and choose-k ones.

func enumMarshal[T enumtext.Integer](names []string, v T, what string) ([]byte, error) {
	if s, ok := enumtext.Name(names, v); ok {
		return []byte(s), nil
	}
	return nil, fmt.Errorf("cluster: %s %d is unknown: %w", what, int(v), ErrInvalidConfig)
}

// enumUnmarshal sets *p to the value b names; after an unknown name,
// including "", *p is the zero value.
func enumUnmarshal[T enumtext.Integer](p *T, names []string, b []byte, what string) error {
	v, ok := enumtext.Value[T](names, string(b))
	*p = v
	if ok {
		return nil
	}
	return fmt.Errorf("cluster: %s %q is unknown (want one of %q): %w", what, b, names, ErrInvalidConfig)
}

func optionMarshal[T enumtext.Integer](names []string, v T, what string) ([]byte, error) {
	if s, ok := enumtext.Name(names, v); ok {
		return []byte(s), nil
	}
	return nil, fmt.Errorf("cluster: unknown %s %d: %w", what, int(v), ErrInvalidConfig)
}

// optionUnmarshal sets *p to the value b names; "" is the zero value. After
// an unknown name *p is left as it was.
func optionUnmarshal[T enumtext.Integer](p *T, names []string, b []byte, what string) error {
	if len(b) == 0 {
		*p = 0
		return nil
	}
	v, ok := enumtext.Value[T](names, string(b))
	if !ok {
		return fmt.Errorf("cluster: unknown %s %q: %w", what, b, ErrInvalidConfig)
	}
	*p = v
	return nil
}
