package cluster

import (
	"fmt"
	"slices"
	"strconv"
)

// Encoder turns categorical columns of strings into the integer codes
// [KPrototypes] takes: in column j, level Levels[j][c] has code c, and a
// missing value ("") has code −1. Levels are compared exactly. It is plain
// data, marshals to JSON and back unchanged, and its methods are pure and
// safe for concurrent use.
type Encoder struct {
	// Names names the columns.
	Names []string `json:"names"`
	// Levels holds each column's levels in sorted order.
	Levels [][]string `json:"levels"`
	// Unseen says what Encode does with a level not seen when fitting:
	// [UnseenOther] gives it code len(Levels[j]), which matches no fitted
	// mode (to k-prototypes, a level of its own); [UnseenZero] gives it −1
	// (missing); [UnseenError] makes it an error.
	Unseen Unseen `json:"unseen,omitempty"`
}

// FitEncoder collects the levels of categorical columns given column by
// column (cols[j][i] is row i's level in column j, "" when missing). names,
// when not nil, names the columns; nil names them "c0", "c1", …. A column
// may hold only missing values (it then has no level).
func FitEncoder(names []string, cols [][]string, unseen Unseen) (*Encoder, error) {
	if unseen < UnseenOther || unseen > UnseenError {
		return nil, fmt.Errorf("cluster: encoder: Unseen %d is unknown: %w", int(unseen), ErrInvalidConfig)
	}
	if _, err := ppCheckCategorical(names, cols); err != nil {
		return nil, err
	}
	e := &Encoder{Names: make([]string, len(cols)), Levels: make([][]string, len(cols)), Unseen: unseen}
	for j, col := range cols {
		e.Names[j] = ppCatName(names, j)
		counts, _ := ppLevelCounts(col)
		lv := make([]string, 0, len(counts))
		for v := range counts {
			lv = append(lv, v)
		}
		slices.Sort(lv)
		e.Levels[j] = lv
	}
	return e, nil
}

// EncodeRow writes the codes of one row (row[j] is the level in column j)
// into dst (len(dst) == len(row) == number of columns).
func (e *Encoder) EncodeRow(dst []int32, row []string) error {
	if len(row) != len(e.Levels) || len(dst) != len(e.Levels) {
		return fmt.Errorf("cluster: encoder: row has %d values and dst %d, want %d: %w", len(row), len(dst), len(e.Levels), ErrInvalidInput)
	}
	for j, v := range row {
		c, err := e.code(j, v, -1)
		if err != nil {
			return err
		}
		dst[j] = c
	}
	return nil
}

// Encode returns the codes of every row, row by row (out[i][j] is the code
// of row i in column j), from columns given column by column.
func (e *Encoder) Encode(cols [][]string) ([][]int32, error) {
	if len(cols) != len(e.Levels) {
		return nil, fmt.Errorf("cluster: encoder: %d columns, want %d: %w", len(cols), len(e.Levels), ErrInvalidInput)
	}
	n, err := ppCheckCategorical(nil, cols)
	if err != nil {
		return nil, err
	}
	m := len(cols)
	flat := make([]int32, n*m)
	out := make([][]int32, n)
	for i := range out {
		out[i] = flat[i*m : (i+1)*m : (i+1)*m]
		for j := range m {
			if out[i][j], err = e.code(j, cols[j][i], i); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Decode returns the level of code c in column j: "" for −1, "other" for a
// code past the levels.
func (e *Encoder) Decode(j int, c int32) string {
	switch {
	case c < 0 || j < 0 || j >= len(e.Levels):
		return ""
	case int(c) < len(e.Levels[j]):
		return e.Levels[j][c]
	}
	return "other"
}

func (e *Encoder) code(j int, v string, i int) (int32, error) {
	if v == "" {
		return -1, nil
	}
	lv := e.Levels[j]
	if k, found := slices.BinarySearch(lv, v); found {
		return int32(k), nil
	}
	switch e.Unseen {
	case UnseenZero:
		return -1, nil
	case UnseenError:
		where := ""
		if i >= 0 {
			where = "row " + strconv.Itoa(i) + ", "
		}
		name := ""
		if j < len(e.Names) {
			name = e.Names[j]
		}
		return 0, fmt.Errorf("cluster: encoder: %scolumn %d %q: level %q was not seen when fitting: %w", where, j, name, v, ErrInvalidInput)
	}
	return int32(len(lv)), nil
}
