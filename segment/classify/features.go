package classify

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/cluster"
)

// FeatureSpec says how raw columns become a model's features, with the
// clustering core's preprocessing: each numeric column goes through a
// [cluster.ColumnSpec] (imputation with an optional missing indicator, a
// logarithm, scaling), and the categorical columns are one-hot encoded by
// [cluster.FitOneHot] (rare levels grouped, a missing value all zeros).
// It is plain data.
type FeatureSpec struct {
	// Numeric holds one spec per numeric column; its Name names the
	// feature.
	Numeric []cluster.ColumnSpec `json:"numeric,omitempty"`
	// Categorical names the categorical columns, one per column.
	Categorical []string `json:"categorical,omitempty"`
	// OneHot configures the encoding of the categorical columns.
	OneHot cluster.OneHotConfig `json:"one_hot"`
}

// Validate reports every problem with the spec.
func (s FeatureSpec) Validate() error {
	if len(s.Numeric) == 0 && len(s.Categorical) == 0 {
		return fmt.Errorf("classify: features: no numeric and no categorical column: %w", ErrInvalidConfig)
	}
	for j, c := range s.Numeric {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("classify: features: numeric column %d: %w (%w)", j, ErrInvalidConfig, err)
		}
	}
	if err := s.OneHot.Validate(); err != nil {
		return fmt.Errorf("classify: features: %w (%w)", ErrInvalidConfig, err)
	}
	return nil
}

// Features is a fitted [FeatureSpec]: the numeric pipeline's output
// columns (values, then missing indicators) followed by the one-hot
// columns. It is plain data, marshals to JSON and back unchanged, and its
// methods are pure and safe for concurrent use.
type Features struct {
	// Numeric is the fitted numeric pipeline; nil without numeric columns.
	Numeric *cluster.Pipeline `json:"numeric,omitempty"`
	// Categorical is the fitted one-hot encoding; nil without categorical
	// columns.
	Categorical *cluster.OneHot `json:"categorical,omitempty"`
}

// FitFeatures fits spec on raw columns: num holds the numeric columns (NaN
// missing; nil when spec has none), cat the categorical columns column by
// column (cat[j][i] is row i's level in column j, "" missing; nil when
// spec has none).
func FitFeatures(spec FeatureSpec, num mat.Matrix, cat [][]string) (*Features, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if _, err := rawRows(spec, num, cat); err != nil {
		return nil, err
	}
	return fitFeatures(spec, num, cat)
}

func fitFeatures(spec FeatureSpec, num mat.Matrix, cat [][]string) (*Features, error) {
	f := &Features{}
	var err error
	if len(spec.Numeric) > 0 {
		if f.Numeric, err = cluster.FitPipeline(spec.Numeric, num); err != nil {
			return nil, clusterErr(err)
		}
	}
	if len(spec.Categorical) > 0 {
		if f.Categorical, err = cluster.FitOneHot(spec.OneHot, spec.Categorical, cat); err != nil {
			return nil, clusterErr(err)
		}
	}
	return f, nil
}

// rawRows checks that the raw columns match spec and returns their number
// of rows.
func rawRows(spec FeatureSpec, num mat.Matrix, cat [][]string) (int, error) {
	n := -1
	if len(spec.Numeric) > 0 {
		if nilMatrix(num) {
			return 0, fmt.Errorf("classify: features: no numeric data for %d numeric columns: %w", len(spec.Numeric), ErrInvalidInput)
		}
		r, c := num.Dims()
		if c != len(spec.Numeric) {
			return 0, fmt.Errorf("classify: features: %d numeric columns, spec has %d: %w", c, len(spec.Numeric), ErrInvalidInput)
		}
		n = r
	} else if !nilMatrix(num) {
		return 0, fmt.Errorf("classify: features: numeric data but no numeric column in the spec: %w", ErrInvalidInput)
	}
	if len(cat) != len(spec.Categorical) {
		return 0, fmt.Errorf("classify: features: %d categorical columns, spec has %d: %w", len(cat), len(spec.Categorical), ErrInvalidInput)
	}
	for j, col := range cat {
		if n >= 0 && len(col) != n {
			return 0, fmt.Errorf("classify: features: categorical column %d %q has %d rows, want %d: %w", j, spec.Categorical[j], len(col), n, ErrInvalidInput)
		}
		n = len(col)
	}
	if n <= 0 {
		return 0, fmt.Errorf("classify: features: no rows: %w", ErrInvalidInput)
	}
	return n, nil
}

// Width returns the number of features.
func (f *Features) Width() int {
	w := 0
	if f.Numeric != nil {
		w += f.Numeric.OutputWidth()
	}
	if f.Categorical != nil {
		w += f.Categorical.Width()
	}
	return w
}

// Names returns the feature names: the numeric pipeline's output names,
// then "<column>=<level>" for each one-hot column.
func (f *Features) Names() []string {
	var names []string
	if f.Numeric != nil {
		names = append(names, f.Numeric.OutputNames()...)
	}
	if f.Categorical != nil {
		names = append(names, f.Categorical.OutputNames()...)
	}
	return names
}

func (f *Features) numWidth() int {
	if f.Numeric == nil {
		return 0
	}
	return f.Numeric.OutputWidth()
}

// TransformRow encodes one row, num its numeric values and cat its levels,
// into dst (len(dst) == Width). It is pure, allocation-free and safe for
// concurrent use.
func (f *Features) TransformRow(dst, num []float64, cat []string) error {
	if len(dst) != f.Width() {
		return fmt.Errorf("classify: features: dst has %d values, want %d: %w", len(dst), f.Width(), ErrInvalidInput)
	}
	k := f.numWidth()
	if f.Numeric != nil {
		if err := f.Numeric.TransformRow(dst[:k], num); err != nil {
			return clusterErr(err)
		}
	} else if len(num) != 0 {
		return fmt.Errorf("classify: features: %d numeric values, want 0: %w", len(num), ErrInvalidInput)
	}
	if f.Categorical != nil {
		if err := f.Categorical.TransformRow(dst[k:], cat); err != nil {
			return clusterErr(err)
		}
	} else if len(cat) != 0 {
		return fmt.Errorf("classify: features: %d categorical values, want 0: %w", len(cat), ErrInvalidInput)
	}
	return nil
}

// Transform encodes raw columns (as for [FitFeatures]) into a new matrix
// with one row per row and Width columns.
func (f *Features) Transform(num mat.Matrix, cat [][]string) (*mat.Dense, error) {
	n := -1
	if f.Numeric != nil {
		if nilMatrix(num) {
			return nil, fmt.Errorf("classify: features: no numeric data: %w", ErrInvalidInput)
		}
		n, _ = num.Dims()
	}
	if f.Categorical != nil {
		if len(cat) == 0 {
			return nil, fmt.Errorf("classify: features: no categorical data: %w", ErrInvalidInput)
		}
		if n >= 0 && len(cat[0]) != n {
			return nil, fmt.Errorf("classify: features: %d numeric rows and %d categorical rows: %w", n, len(cat[0]), ErrInvalidInput)
		}
		n = len(cat[0])
	}
	if n <= 0 {
		return nil, fmt.Errorf("classify: features: no rows: %w", ErrInvalidInput)
	}
	out := mat.NewDense(n, f.Width(), nil)
	k := f.numWidth()
	// The pipeline and the encoding write into views of out, in place.
	if f.Numeric != nil {
		if err := f.Numeric.Transform(out.Slice(0, n, 0, k).(*mat.Dense), num); err != nil {
			return nil, clusterErr(err)
		}
	}
	if f.Categorical != nil {
		if err := f.Categorical.Transform(out.Slice(0, n, k, f.Width()).(*mat.Dense), cat); err != nil {
			return nil, clusterErr(err)
		}
	}
	return out, nil
}

// clusterErr wraps an error of the clustering core's preprocessing so
// that it matches this package's sentinel as well as the core's.
func clusterErr(err error) error {
	if errors.Is(err, cluster.ErrInvalidConfig) {
		return fmt.Errorf("classify: features: %w (%w)", ErrInvalidConfig, err)
	}
	return fmt.Errorf("classify: features: %w (%w)", ErrInvalidInput, err)
}

// subsetRaw returns the given rows of raw columns.
func subsetRaw(num mat.Matrix, cat [][]string, rows []int) (mat.Matrix, [][]string) {
	var sn mat.Matrix
	if !nilMatrix(num) {
		data, stride := rowMajor(num)
		_, d := num.Dims()
		out := make([]float64, len(rows)*d)
		for k, i := range rows {
			copy(out[k*d:(k+1)*d], data[i*stride:i*stride+d])
		}
		sn = mat.NewDense(len(rows), d, out)
	}
	var sc [][]string
	if cat != nil {
		sc = make([][]string, len(cat))
		for j, col := range cat {
			c := make([]string, len(rows))
			for k, i := range rows {
				c[k] = col[i]
			}
			sc[j] = c
		}
	}
	return sn, sc
}
