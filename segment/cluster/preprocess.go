package cluster

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/internal/enumtext"
)

// Impute says how a [Pipeline] fills a missing (NaN) value of a numeric
// column. It marshals as text: "none", "mean", "median", "mode".
type Impute int

const (
	// ImputeNone leaves missing values alone: a NaN in the column is an
	// error. It is the zero value.
	ImputeNone Impute = iota
	// ImputeMean fills with the mean of the observed values.
	ImputeMean
	// ImputeMedian fills with the median of the observed values, the
	// choice for heavy-tailed columns such as revenue or headcount.
	ImputeMedian
	// ImputeMode fills with the most frequent observed value (the
	// smallest of them on a tie), the choice for counts and 0/1 flags.
	ImputeMode
)

var ppImputeNames = []string{"none", "mean", "median", "mode"}

// String returns the strategy's name.
func (v Impute) String() string { return enumtext.String(ppImputeNames, v, "Impute") }

// MarshalText encodes the strategy's name.
func (v Impute) MarshalText() ([]byte, error) {
	return enumMarshal(ppImputeNames, v, "impute")
}

// UnmarshalText decodes a strategy's name.
func (v *Impute) UnmarshalText(b []byte) error {
	return enumUnmarshal(v, ppImputeNames, b, "impute")
}

// Log says whether a [Pipeline] takes the logarithm of a numeric column, as
// money and headcounts call for: their distributions are heavy-tailed, and
// on a log scale a company of 100 people is as far from one of 1,000 as one
// of 1,000 is from one of 10,000. It marshals as text: "none", "log1p",
// "signed-log1p".
type Log int

const (
	// LogNone leaves the values as they are. It is the zero value.
	LogNone Log = iota
	// LogLog1p maps x to ln(1+x). Values of −1 or less have no logarithm
	// and are an error: use it for columns that cannot be negative
	// (headcount, revenue, seats).
	LogLog1p
	// LogSignedLog1p maps x to sign(x)·ln(1+|x|), defined for every x and
	// symmetric about 0: use it for columns that can be negative
	// (profit, growth in currency).
	LogSignedLog1p
)

var ppLogNames = []string{"none", "log1p", "signed-log1p"}

// String returns the mode's name.
func (v Log) String() string { return enumtext.String(ppLogNames, v, "Log") }

// MarshalText encodes the mode's name.
func (v Log) MarshalText() ([]byte, error) { return enumMarshal(ppLogNames, v, "log") }

// UnmarshalText decodes a mode's name.
func (v *Log) UnmarshalText(b []byte) error {
	return enumUnmarshal(v, ppLogNames, b, "log")
}

// Scaling says how a [Pipeline] rescales a numeric column. It marshals as
// text: "none", "standard", "robust", "minmax".
type Scaling int

const (
	// ScaleNone leaves the values as they are. It is the zero value.
	ScaleNone Scaling = iota
	// ScaleStandard subtracts the mean and divides by the (population)
	// standard deviation: the z-score.
	ScaleStandard
	// ScaleRobust subtracts the median and divides by the interquartile
	// range (the 75th less the 25th percentile, linearly interpolated), so
	// that a few outliers do not set the scale.
	ScaleRobust
	// ScaleMinMax subtracts the minimum and divides by the range, mapping
	// the fitted data onto [0, 1]. New rows outside the fitted range map
	// outside [0, 1]; they are not clipped.
	ScaleMinMax
)

var ppScalingNames = []string{"none", "standard", "robust", "minmax"}

// String returns the scaling's name.
func (v Scaling) String() string { return enumtext.String(ppScalingNames, v, "Scaling") }

// MarshalText encodes the scaling's name.
func (v Scaling) MarshalText() ([]byte, error) {
	return enumMarshal(ppScalingNames, v, "scaling")
}

// UnmarshalText decodes a scaling's name.
func (v *Scaling) UnmarshalText(b []byte) error {
	return enumUnmarshal(v, ppScalingNames, b, "scaling")
}

// ColumnSpec says what a [Pipeline] does to one numeric column, in a fixed
// order: impute the missing values, then take the logarithm, then scale.
// The zero value passes the column through unchanged (and rejects NaN).
type ColumnSpec struct {
	// Name names the column in errors and in [Pipeline.OutputNames];
	// "" means "x" followed by the column's index ("x0", "x1", …).
	Name string `json:"name,omitempty"`
	// Impute fills missing (NaN) values; ImputeNone makes them an error.
	// The fill value is a statistic of the observed raw values (before the
	// logarithm), so a median fill commutes with the logarithm.
	Impute Impute `json:"impute,omitempty"`
	// Indicator adds an output column that is 1 where the value was missing
	// and 0 elsewhere, so that a model can tell an imputed value from an
	// observed one. It needs Impute.
	Indicator bool `json:"indicator,omitempty"`
	// Log takes the logarithm after imputation.
	Log Log `json:"log,omitempty"`
	// Scale rescales after the logarithm. Its statistics come from the
	// observed rows only: imputed values neither shift the centre nor
	// shrink the spread.
	Scale Scaling `json:"scale,omitempty"`
}

// Validate reports every problem with the spec, each wrapping
// [ErrInvalidConfig].
func (s ColumnSpec) Validate() error {
	var errs []error
	if s.Impute < ImputeNone || s.Impute > ImputeMode {
		errs = append(errs, fmt.Errorf("cluster: column spec: Impute %d is unknown: %w", int(s.Impute), ErrInvalidConfig))
	}
	if s.Log < LogNone || s.Log > LogSignedLog1p {
		errs = append(errs, fmt.Errorf("cluster: column spec: Log %d is unknown: %w", int(s.Log), ErrInvalidConfig))
	}
	if s.Scale < ScaleNone || s.Scale > ScaleMinMax {
		errs = append(errs, fmt.Errorf("cluster: column spec: Scale %d is unknown: %w", int(s.Scale), ErrInvalidConfig))
	}
	if s.Indicator && s.Impute == ImputeNone {
		errs = append(errs, fmt.Errorf("cluster: column spec: Indicator needs an Impute strategy: %w", ErrInvalidConfig))
	}
	return errors.Join(errs...)
}

// ColumnTransform is one fitted column of a [Pipeline]: its spec and the
// statistics learnt from the data. A row's value v becomes
// (log(v or Fill) − Center) / Divisor.
type ColumnTransform struct {
	ColumnSpec
	// Fill replaces a missing value (0 when the spec does not impute).
	Fill float64 `json:"fill"`
	// Center is subtracted after the logarithm: the mean (standard), the
	// median (robust), the minimum (min-max), or 0.
	Center float64 `json:"center"`
	// Divisor divides after centring: the standard deviation, the
	// interquartile range, the range, or 1. A column without spread gets 1,
	// so it maps to a constant rather than to NaN.
	Divisor float64 `json:"divisor"`
}

// Pipeline is a fitted per-column transform of numeric matrices: each input
// column goes through its own [ColumnTransform], and each column with an
// indicator adds one 0/1 output column after all the value columns (so
// output column j is input column j, for every j below the number of input
// columns). It is plain data, marshals to JSON and back unchanged, and its
// methods are pure and safe for concurrent use.
//
// Missing values are NaN. Only columns with an Impute strategy accept them;
// anywhere else, and for ±Inf anywhere, the methods return an error wrapping
// [ErrInvalidInput] that names the row and column (both counted from 0).
type Pipeline struct {
	// Columns holds one fitted transform per input column.
	Columns []ColumnTransform `json:"columns"`
}

// FitPipeline fits one [ColumnTransform] per column of x, following
// specs[j] for column j (len(specs) must equal the number of columns).
// Missing values are NaN. A column that needs a statistic (an Impute
// strategy or a Scale) but has no observed value is an error.
func FitPipeline(specs []ColumnSpec, x mat.Matrix) (*Pipeline, error) {
	if ppNilMatrix(x) {
		return nil, fmt.Errorf("cluster: pipeline: no data: %w", ErrInvalidInput)
	}
	n, d := x.Dims()
	if n == 0 || d == 0 {
		return nil, fmt.Errorf("cluster: pipeline: data is %d×%d: %w", n, d, ErrInvalidInput)
	}
	if len(specs) != d {
		return nil, fmt.Errorf("cluster: pipeline: %d column specs for %d columns: %w", len(specs), d, ErrInvalidConfig)
	}
	var errs []error
	seen := make(map[string]int, d)
	for j, s := range specs {
		if err := s.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("cluster: column %d: %w", j, err))
		}
		name := ppColumnName(s.Name, j)
		if k, dup := seen[name]; dup {
			errs = append(errs, fmt.Errorf("cluster: columns %d and %d are both named %q: %w", k, j, name, ErrInvalidConfig))
		}
		seen[name] = j
		if s.Indicator {
			seen[name+"_missing"] = j
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	data, stride := ppRowMajor(x)
	p := &Pipeline{Columns: make([]ColumnTransform, d)}
	col := make([]float64, 0, n)
	for j, s := range specs {
		ct := ColumnTransform{ColumnSpec: s, Divisor: 1}
		ct.Name = ppColumnName(s.Name, j)
		col = col[:0]
		for i := range n {
			v := data[i*stride+j]
			if math.IsNaN(v) {
				if s.Impute == ImputeNone {
					return nil, ppBadValue(i, j, ct.Name, v, "missing (NaN) without an Impute strategy")
				}
				continue
			}
			if math.IsInf(v, 0) {
				return nil, ppBadValue(i, j, ct.Name, v, "not finite")
			}
			col = append(col, v)
		}
		if len(col) == 0 {
			return nil, fmt.Errorf("cluster: column %d %q: no observed value to fit on: %w", j, ct.Name, ErrInvalidInput)
		}
		switch s.Impute {
		case ImputeMean:
			ct.Fill = ppMean(col)
		case ImputeMedian:
			ct.Fill = ppQuantileSorted(ppSorted(col), 0.5)
		case ImputeMode:
			ct.Fill = ppMode(col)
		}
		if s.Log != LogNone {
			for k, v := range col {
				lv, ok := ppLog(s.Log, v)
				if !ok {
					return nil, ppBadValue(ppObservedRow(data, stride, j, k), j, ct.Name, v, "has no logarithm (log1p needs values above −1)")
				}
				col[k] = lv
			}
			if _, ok := ppLog(s.Log, ct.Fill); !ok {
				return nil, fmt.Errorf("cluster: column %d %q: fill value %v has no logarithm: %w", j, ct.Name, ct.Fill, ErrInvalidInput)
			}
		}
		switch s.Scale {
		case ScaleStandard:
			m := ppMean(col)
			var ss float64
			for _, v := range col {
				ss += (v - m) * (v - m)
			}
			ct.Center, ct.Divisor = m, math.Sqrt(ss/float64(len(col)))
		case ScaleRobust:
			sorted := ppSorted(col)
			ct.Center = ppQuantileSorted(sorted, 0.5)
			ct.Divisor = ppQuantileSorted(sorted, 0.75) - ppQuantileSorted(sorted, 0.25)
		case ScaleMinMax:
			lo, hi := slices.Min(col), slices.Max(col)
			ct.Center, ct.Divisor = lo, hi-lo
		}
		if !(ct.Divisor > 0) || math.IsInf(ct.Divisor, 0) {
			ct.Divisor = 1
		}
		if math.IsInf(ct.Center, 0) || math.IsNaN(ct.Center) || math.IsInf(ct.Fill, 0) || math.IsNaN(ct.Fill) {
			return nil, fmt.Errorf("cluster: column %d %q: statistics overflow: %w", j, ct.Name, ErrInvalidInput)
		}
		p.Columns[j] = ct
	}
	return p, nil
}

// FitStandardizer fits a [Pipeline] that z-scores every column of x.
func FitStandardizer(x mat.Matrix) (*Pipeline, error) {
	return ppFitUniform(x, ColumnSpec{Scale: ScaleStandard})
}

// FitRobustScaler fits a [Pipeline] that centres every column of x on its
// median and divides it by its interquartile range.
func FitRobustScaler(x mat.Matrix) (*Pipeline, error) {
	return ppFitUniform(x, ColumnSpec{Scale: ScaleRobust})
}

// FitMinMaxScaler fits a [Pipeline] that maps every column of x onto [0, 1].
func FitMinMaxScaler(x mat.Matrix) (*Pipeline, error) {
	return ppFitUniform(x, ColumnSpec{Scale: ScaleMinMax})
}

// FitLog1p returns a [Pipeline] that takes ln(1+x) of every column of x
// (sign(x)·ln(1+|x|) when signed), after checking that x has a logarithm.
func FitLog1p(x mat.Matrix, signed bool) (*Pipeline, error) {
	mode := LogLog1p
	if signed {
		mode = LogSignedLog1p
	}
	return ppFitUniform(x, ColumnSpec{Log: mode})
}

// FitImputer fits a [Pipeline] that fills the missing (NaN) values of every
// column of x by strategy, and, with indicator, appends one 0/1 missing
// indicator per column.
func FitImputer(x mat.Matrix, strategy Impute, indicator bool) (*Pipeline, error) {
	if strategy == ImputeNone {
		return nil, fmt.Errorf("cluster: imputer: strategy is none: %w", ErrInvalidConfig)
	}
	return ppFitUniform(x, ColumnSpec{Impute: strategy, Indicator: indicator})
}

func ppFitUniform(x mat.Matrix, s ColumnSpec) (*Pipeline, error) {
	if ppNilMatrix(x) {
		return nil, fmt.Errorf("cluster: pipeline: no data: %w", ErrInvalidInput)
	}
	_, d := x.Dims()
	specs := make([]ColumnSpec, d)
	for j := range specs {
		specs[j] = s
	}
	return FitPipeline(specs, x)
}

// InputWidth returns the number of input columns.
func (p *Pipeline) InputWidth() int { return len(p.Columns) }

// OutputWidth returns the number of output columns: one per input column
// and one per indicator.
func (p *Pipeline) OutputWidth() int {
	w := len(p.Columns)
	for _, c := range p.Columns {
		if c.Indicator {
			w++
		}
	}
	return w
}

// OutputNames returns the names of the output columns: each column's name,
// then "<name>_missing" for each indicator, in column order.
func (p *Pipeline) OutputNames() []string {
	names := make([]string, 0, p.OutputWidth())
	for j, c := range p.Columns {
		names = append(names, ppColumnName(c.Name, j))
	}
	for j, c := range p.Columns {
		if c.Indicator {
			names = append(names, ppColumnName(c.Name, j)+"_missing")
		}
	}
	return names
}

// TransformRow transforms one row (len(row) == InputWidth) into dst
// (len(dst) == OutputWidth). It is the path for one account at a time:
// pure, allocation-free, safe for concurrent use. Errors name the column.
func (p *Pipeline) TransformRow(dst, row []float64) error {
	if len(row) != len(p.Columns) {
		return fmt.Errorf("cluster: pipeline: row has %d values, want %d: %w", len(row), len(p.Columns), ErrInvalidInput)
	}
	if w := p.OutputWidth(); len(dst) != w {
		return fmt.Errorf("cluster: pipeline: dst has %d values, want %d: %w", len(dst), w, ErrInvalidInput)
	}
	return p.transformRow(dst, row, -1)
}

// TransformValue transforms value v of input column j as TransformRow
// does: it returns output column j's value and whether v was missing (the
// value of the column's indicator, if it has one). It is pure,
// allocation-free and safe for concurrent use; errors name the column.
// With it a caller can transform only some columns, or keep the outputs of
// values it sees often.
func (p *Pipeline) TransformValue(j int, v float64) (float64, bool, error) {
	if j < 0 || j >= len(p.Columns) {
		return 0, false, fmt.Errorf("cluster: pipeline: column %d of %d: %w", j, len(p.Columns), ErrInvalidInput)
	}
	return p.value(j, v, -1)
}

// value transforms value v of column j; i is the row index for error
// messages, or −1.
func (p *Pipeline) value(j int, v float64, i int) (float64, bool, error) {
	c := &p.Columns[j]
	raw := v
	missing := false
	if math.IsNaN(v) {
		if c.Impute == ImputeNone {
			return 0, false, ppBadValue(i, j, ppColumnName(c.Name, j), v, "missing (NaN) without an Impute strategy")
		}
		v, missing = c.Fill, true
	} else if math.IsInf(v, 0) {
		return 0, false, ppBadValue(i, j, ppColumnName(c.Name, j), v, "not finite")
	}
	if c.Log != LogNone {
		lv, ok := ppLog(c.Log, v)
		if !ok {
			return 0, false, ppBadValue(i, j, ppColumnName(c.Name, j), v, "has no logarithm (log1p needs values above −1)")
		}
		v = lv
	}
	v = (v - c.Center) / c.Divisor
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false, ppBadValue(i, j, ppColumnName(c.Name, j), raw, "overflows when scaled")
	}
	return v, missing, nil
}

// transformRow does the work of TransformRow; i is the row index for error
// messages, or −1.
func (p *Pipeline) transformRow(dst, row []float64, i int) error {
	ind := len(p.Columns)
	for j := range p.Columns {
		v, missing, err := p.value(j, row[j], i)
		if err != nil {
			return err
		}
		dst[j] = v
		if p.Columns[j].Indicator {
			if missing {
				dst[ind] = 1
			} else {
				dst[ind] = 0
			}
			ind++
		}
	}
	return nil
}

// InverseTransformRow maps a transformed row (len(row) == OutputWidth;
// indicator columns are ignored) back to the input's units (len(dst) ==
// InputWidth): it undoes the scaling and the logarithm, so a cluster centre
// found on transformed data can be read as revenue or headcount. Imputation
// cannot be undone; a centre's indicator column says how many of its rows
// were imputed. Values whose inverse overflows become ±MaxFloat64.
func (p *Pipeline) InverseTransformRow(dst, row []float64) error {
	if w := p.OutputWidth(); len(row) != w {
		return fmt.Errorf("cluster: pipeline: row has %d values, want %d: %w", len(row), w, ErrInvalidInput)
	}
	if len(dst) != len(p.Columns) {
		return fmt.Errorf("cluster: pipeline: dst has %d values, want %d: %w", len(dst), len(p.Columns), ErrInvalidInput)
	}
	for j := range p.Columns {
		c := &p.Columns[j]
		v := row[j]
		if !ppFinite(v) {
			return ppBadValue(-1, j, ppColumnName(c.Name, j), v, "not finite")
		}
		v = v*c.Divisor + c.Center
		switch c.Log {
		case LogLog1p:
			v = math.Expm1(v)
		case LogSignedLog1p:
			if v < 0 {
				v = -math.Expm1(-v)
			} else {
				v = math.Expm1(v)
			}
		}
		dst[j] = max(-math.MaxFloat64, min(v, math.MaxFloat64))
	}
	return nil
}

// Transform transforms every row of src into dst. dst must be empty (a zero
// mat.Dense, which Transform sizes) or have src's number of rows and
// OutputWidth columns. On error, dst's contents are unspecified.
func (p *Pipeline) Transform(dst *mat.Dense, src mat.Matrix) error {
	if ppNilMatrix(src) {
		return fmt.Errorf("cluster: pipeline: no data: %w", ErrInvalidInput)
	}
	n, d := src.Dims()
	if d != len(p.Columns) || n == 0 {
		return fmt.Errorf("cluster: pipeline: src is %d×%d, want %d columns: %w", n, d, len(p.Columns), ErrInvalidInput)
	}
	w := p.OutputWidth()
	if err := ppPrepareDst(dst, n, w); err != nil {
		return err
	}
	data, stride := ppRowMajor(src)
	raw := dst.RawMatrix()
	for i := range n {
		if err := p.transformRow(raw.Data[i*raw.Stride:i*raw.Stride+w], data[i*stride:i*stride+d], i); err != nil {
			return err
		}
	}
	return nil
}

// ppPrepareDst sizes an empty dst or checks a sized one.
func ppPrepareDst(dst *mat.Dense, n, w int) error {
	if dst == nil {
		return fmt.Errorf("cluster: dst is nil: %w", ErrInvalidInput)
	}
	if dst.IsEmpty() {
		dst.ReuseAs(n, w)
		return nil
	}
	if r, c := dst.Dims(); r != n || c != w {
		return fmt.Errorf("cluster: dst is %d×%d, want %d×%d: %w", r, c, n, w, ErrInvalidInput)
	}
	return nil
}

// ppNilMatrix reports whether x is nil or a nil *mat.Dense.
func ppNilMatrix(x mat.Matrix) bool {
	if x == nil {
		return true
	}
	d, ok := x.(*mat.Dense)
	return ok && d == nil
}

// ppRowMajor returns x's values row-major with the given stride: a
// *mat.Dense's own storage (not copied) or a copy of any other matrix.
func ppRowMajor(x mat.Matrix) ([]float64, int) {
	if d, ok := x.(*mat.Dense); ok && !d.IsEmpty() {
		raw := d.RawMatrix()
		return raw.Data, raw.Stride
	}
	r, c := x.Dims()
	out := make([]float64, r*c)
	for i := range r {
		for j := range c {
			out[i*c+j] = x.At(i, j)
		}
	}
	return out, c
}

// ppObservedRow returns the row of the k-th observed (non-NaN) value of
// column j.
func ppObservedRow(data []float64, stride, j, k int) int {
	for i := 0; ; i++ {
		if !math.IsNaN(data[i*stride+j]) {
			if k == 0 {
				return i
			}
			k--
		}
	}
}

func ppColumnName(name string, j int) string {
	if name != "" {
		return name
	}
	return "x" + strconv.Itoa(j)
}

// ppBadValue reports a bad value at row i (−1: unknown) and column j.
func ppBadValue(i, j int, name string, v float64, what string) error {
	if i < 0 {
		return fmt.Errorf("cluster: column %d %q: value %v is %s: %w", j, name, v, what, ErrInvalidInput)
	}
	return fmt.Errorf("cluster: row %d, column %d %q: value %v is %s: %w", i, j, name, v, what, ErrInvalidInput)
}

func ppLog(mode Log, v float64) (float64, bool) {
	switch mode {
	case LogLog1p:
		if !(v > -1) {
			return 0, false
		}
		return math.Log1p(v), true
	case LogSignedLog1p:
		if v < 0 {
			return -math.Log1p(-v), true
		}
		return math.Log1p(v), true
	}
	return v, true
}

func ppMean(xs []float64) float64 {
	var s float64
	for _, v := range xs {
		s += v
	}
	return s / float64(len(xs))
}

func ppSorted(xs []float64) []float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s
}

// ppQuantileSorted returns the q-quantile of sorted values, interpolated
// linearly between order statistics (Hyndman and Fan's type 7, the default
// of R and NumPy).
func ppQuantileSorted(s []float64, q float64) float64 {
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	f := pos - float64(lo)
	return s[lo] + f*(s[lo+1]-s[lo])
}

// ppMode returns the most frequent value, the smallest on a tie.
func ppMode(xs []float64) float64 {
	s := ppSorted(xs)
	best, bestN := s[0], 0
	for i := 0; i < len(s); {
		k := i
		for k < len(s) && s[k] == s[i] {
			k++
		}
		if k-i > bestN {
			best, bestN = s[i], k-i
		}
		i = k
	}
	return best
}
