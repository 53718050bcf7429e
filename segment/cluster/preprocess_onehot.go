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

// Unseen says what a fitted categorical transform ([OneHot], [Encoder])
// does with a level it did not see when fitted. It marshals as text:
// "other", "zero", "error".
type Unseen int

const (
	// UnseenOther maps an unseen level to the "other" level: for [OneHot]
	// the column's other indicator, which is then always emitted; for
	// [Encoder] a code of its own, one past the last fitted level, which
	// matches no fitted mode. It is the zero value.
	UnseenOther Unseen = iota
	// UnseenZero treats an unseen level as missing: all zeros for
	// [OneHot], code −1 for [Encoder].
	UnseenZero
	// UnseenError makes an unseen level an error wrapping
	// [ErrInvalidInput] that names the column and the level.
	UnseenError
)

var ppUnseenNames = []string{"other", "zero", "error"}

// String returns the policy's name.
func (v Unseen) String() string { return enumtext.String(ppUnseenNames, v, "Unseen") }

// MarshalText encodes the policy's name.
func (v Unseen) MarshalText() ([]byte, error) {
	return enumMarshal(ppUnseenNames, v, "unseen")
}

// UnmarshalText decodes a policy's name.
func (v *Unseen) UnmarshalText(b []byte) error {
	return enumUnmarshal(v, ppUnseenNames, b, "unseen")
}

// OneHotConfig configures [FitOneHot]. Its zero value keeps every level and
// maps unseen levels to an "other" indicator.
type OneHotConfig struct {
	// MinCount groups the levels seen fewer than MinCount times into the
	// other level; 0 or 1 keeps every level.
	MinCount int `json:"min_count,omitempty"`
	// MinShare groups the levels whose share of the column's non-missing
	// values is below MinShare (in [0, 1)) into the other level; 0 keeps
	// every level.
	MinShare float64 `json:"min_share,omitempty"`
	// Other names the other level in output names; "" means "other". It
	// must differ from every kept level.
	Other string `json:"other,omitempty"`
	// Unseen says what Transform does with a level not seen when fitting.
	Unseen Unseen `json:"unseen,omitempty"`
}

// Validate reports every problem with the config, each wrapping
// [ErrInvalidConfig].
func (c OneHotConfig) Validate() error {
	var errs []error
	if c.MinCount < 0 {
		errs = append(errs, fmt.Errorf("cluster: one-hot: MinCount must not be negative, got %d: %w", c.MinCount, ErrInvalidConfig))
	}
	if !(c.MinShare >= 0 && c.MinShare < 1) {
		errs = append(errs, fmt.Errorf("cluster: one-hot: MinShare must be in [0, 1), got %v: %w", c.MinShare, ErrInvalidConfig))
	}
	if c.Unseen < UnseenOther || c.Unseen > UnseenError {
		errs = append(errs, fmt.Errorf("cluster: one-hot: Unseen %d is unknown: %w", int(c.Unseen), ErrInvalidConfig))
	}
	return errors.Join(errs...)
}

// OneHotColumn is one fitted categorical column of a [OneHot].
type OneHotColumn struct {
	// Name names the column; output columns are named "<Name>=<level>".
	Name string `json:"name"`
	// Levels holds the kept levels in sorted order, one output column each.
	Levels []string `json:"levels"`
	// Grouped holds the levels grouped into other as rare, sorted.
	Grouped []string `json:"grouped,omitempty"`
	// Other reports whether an other column follows the levels: when rare
	// levels were grouped, or when unseen levels map to it.
	Other bool `json:"other,omitempty"`
}

// OneHot is a fitted one-hot encoding of categorical columns: each column
// becomes one 0/1 output column per kept level, followed by its other
// column if it has one. A missing value ("") is all zeros: neither a level
// nor other. Levels are compared exactly (no trimming or case folding).
// It is plain data, marshals to JSON and back unchanged, and its methods are
// pure and safe for concurrent use.
type OneHot struct {
	// Config is the config it was fitted with.
	Config OneHotConfig `json:"config"`
	// Columns holds one fitted column per input column.
	Columns []OneHotColumn `json:"columns"`
}

// FitOneHot fits a [OneHot] on categorical columns given column by column:
// cols[j][i] is row i's level in column j, "" when missing. names, when not
// nil, names the columns (len(names) == len(cols)); nil names them "c0",
// "c1", …. Every column must have the same number of rows, at least one, and
// at least one non-missing value.
func FitOneHot(cfg OneHotConfig, names []string, cols [][]string) (*OneHot, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, err := ppCheckCategorical(names, cols); err != nil {
		return nil, err
	}
	other := cfg.Other
	if other == "" {
		other = "other"
	}
	oh := &OneHot{Config: cfg, Columns: make([]OneHotColumn, len(cols))}
	for j, col := range cols {
		name := ppCatName(names, j)
		counts, total := ppLevelCounts(col)
		if total == 0 {
			return nil, fmt.Errorf("cluster: one-hot: column %d %q has no non-missing value: %w", j, name, ErrInvalidInput)
		}
		c := OneHotColumn{Name: name, Other: cfg.Unseen == UnseenOther}
		for lv, k := range counts {
			if k < cfg.MinCount || float64(k) < cfg.MinShare*float64(total) {
				c.Other = true
				c.Grouped = append(c.Grouped, lv)
				continue
			}
			c.Levels = append(c.Levels, lv)
		}
		slices.Sort(c.Levels)
		slices.Sort(c.Grouped)
		if c.Other && slices.Contains(c.Levels, other) {
			return nil, fmt.Errorf("cluster: one-hot: column %d %q has a level %q, the name of the other level: %w", j, name, other, ErrInvalidConfig)
		}
		oh.Columns[j] = c
	}
	return oh, nil
}

// Width returns the number of output columns.
func (o *OneHot) Width() int {
	w := 0
	for _, c := range o.Columns {
		w += len(c.Levels)
		if c.Other {
			w++
		}
	}
	return w
}

// OutputNames returns the names of the output columns, "<column>=<level>"
// and "<column>=<other>".
func (o *OneHot) OutputNames() []string {
	other := o.Config.Other
	if other == "" {
		other = "other"
	}
	names := make([]string, 0, o.Width())
	for _, c := range o.Columns {
		for _, lv := range c.Levels {
			names = append(names, c.Name+"="+lv)
		}
		if c.Other {
			names = append(names, c.Name+"="+other)
		}
	}
	return names
}

// TransformRow encodes one row (row[j] is the level in column j, "" when
// missing) into dst (len(dst) == Width). It is pure, allocation-free and
// safe for concurrent use.
func (o *OneHot) TransformRow(dst []float64, row []string) error {
	if len(row) != len(o.Columns) {
		return fmt.Errorf("cluster: one-hot: row has %d values, want %d: %w", len(row), len(o.Columns), ErrInvalidInput)
	}
	if w := o.Width(); len(dst) != w {
		return fmt.Errorf("cluster: one-hot: dst has %d values, want %d: %w", len(dst), w, ErrInvalidInput)
	}
	off := 0
	for j := range o.Columns {
		n, err := o.encode(dst[off:], j, row[j], -1)
		if err != nil {
			return err
		}
		off += n
	}
	return nil
}

// HotIndex returns where, among column j's output columns (counted from
// 0), TransformRow sets the 1 for level lv: the level's own column, or the
// other column for a grouped or unseen level; −1 when it sets none (a
// missing value, or an unseen level with UnseenZero). An unseen level with
// UnseenError is an error wrapping [ErrInvalidInput]. It lets a caller that
// needs only the encoding's non-zero entries (a linear model's score)
// skip the zeros; it is pure, allocation-free and safe for concurrent use.
func (o *OneHot) HotIndex(j int, lv string) (int, error) {
	if j < 0 || j >= len(o.Columns) {
		return 0, fmt.Errorf("cluster: one-hot: column %d of %d: %w", j, len(o.Columns), ErrInvalidInput)
	}
	return o.hot(j, lv, -1)
}

// hot is HotIndex; i is the row for error messages, or −1.
func (o *OneHot) hot(j int, lv string, i int) (int, error) {
	c := &o.Columns[j]
	if lv == "" {
		return -1, nil
	}
	if k, found := slices.BinarySearch(c.Levels, lv); found {
		return k, nil
	}
	w := len(c.Levels)
	if c.Other {
		w++
	}
	if _, grouped := slices.BinarySearch(c.Grouped, lv); grouped {
		return w - 1, nil
	}
	switch o.Config.Unseen {
	case UnseenError:
		where := ""
		if i >= 0 {
			where = "row " + strconv.Itoa(i) + ", "
		}
		return 0, fmt.Errorf("cluster: one-hot: %scolumn %d %q: level %q was not seen when fitting: %w", where, j, c.Name, lv, ErrInvalidInput)
	case UnseenOther:
		return w - 1, nil
	}
	return -1, nil
}

// encode writes column j's indicators for level lv into dst and returns
// their number; i is the row for error messages, or −1.
func (o *OneHot) encode(dst []float64, j int, lv string, i int) (int, error) {
	c := &o.Columns[j]
	w := len(c.Levels)
	if c.Other {
		w++
	}
	clear(dst[:w])
	k, err := o.hot(j, lv, i)
	if err != nil {
		return 0, err
	}
	if k >= 0 {
		dst[k] = 1
	}
	return w, nil
}

// Transform encodes the columns (cols[j][i] is row i's level in column j)
// into dst, one row per row. dst must be empty (a zero mat.Dense, which
// Transform sizes) or have the rows' number of rows and Width columns.
func (o *OneHot) Transform(dst *mat.Dense, cols [][]string) error {
	if len(cols) != len(o.Columns) {
		return fmt.Errorf("cluster: one-hot: %d columns, want %d: %w", len(cols), len(o.Columns), ErrInvalidInput)
	}
	n, err := ppCheckCategorical(nil, cols)
	if err != nil {
		return err
	}
	w := o.Width()
	if err := ppPrepareDst(dst, n, w); err != nil {
		return err
	}
	raw := dst.RawMatrix()
	for i := range n {
		off, end := i*raw.Stride, i*raw.Stride+w
		for j := range cols {
			k, err := o.encode(raw.Data[off:end], j, cols[j][i], i)
			if err != nil {
				return err
			}
			off += k
		}
	}
	return nil
}

// ppCheckCategorical checks that cols is a non-empty, non-ragged set of
// columns with at least one row, and names (if not nil) one per column; it
// returns the number of rows.
func ppCheckCategorical(names []string, cols [][]string) (int, error) {
	if len(cols) == 0 {
		return 0, fmt.Errorf("cluster: no categorical column: %w", ErrInvalidInput)
	}
	if names != nil && len(names) != len(cols) {
		return 0, fmt.Errorf("cluster: %d names for %d columns: %w", len(names), len(cols), ErrInvalidInput)
	}
	n := len(cols[0])
	if n == 0 {
		return 0, fmt.Errorf("cluster: categorical columns have no rows: %w", ErrInvalidInput)
	}
	for j, col := range cols {
		if len(col) != n {
			return 0, fmt.Errorf("cluster: column %d %q has %d rows, column 0 has %d: %w", j, ppCatName(names, j), len(col), n, ErrInvalidInput)
		}
	}
	if names != nil {
		seen := make(map[string]int, len(names))
		for j, nm := range names {
			if k, dup := seen[nm]; dup {
				return 0, fmt.Errorf("cluster: columns %d and %d are both named %q: %w", k, j, nm, ErrInvalidInput)
			}
			seen[nm] = j
		}
	}
	return n, nil
}

func ppCatName(names []string, j int) string {
	if names != nil && names[j] != "" {
		return names[j]
	}
	return "c" + strconv.Itoa(j)
}

// ppLevelCounts counts the non-missing levels of a column.
func ppLevelCounts(col []string) (map[string]int, int) {
	counts := make(map[string]int)
	total := 0
	for _, v := range col {
		if v != "" {
			counts[v]++
			total++
		}
	}
	return counts, total
}

// ppFinite reports whether v is neither NaN nor ±Inf.
func ppFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
