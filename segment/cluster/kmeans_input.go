package cluster

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// denseData returns the row-major values of x: in place for a *mat.Dense
// whose stride equals its width, a copy otherwise. The caller must not
// modify the result.
func denseData(x mat.Matrix) (data []float64, n, d int, err error) {
	if x == nil {
		return nil, 0, 0, fmt.Errorf("matrix is nil: %w", ErrInvalidInput)
	}
	if dense, ok := x.(*mat.Dense); ok && dense.IsEmpty() {
		return nil, 0, 0, fmt.Errorf("matrix has no rows: %w", ErrInvalidInput)
	}
	n, d = x.Dims()
	if n == 0 {
		return nil, 0, 0, fmt.Errorf("matrix has no rows: %w", ErrInvalidInput)
	}
	if d == 0 {
		return nil, 0, 0, fmt.Errorf("matrix has no columns: %w", ErrInvalidInput)
	}
	if dense, ok := x.(*mat.Dense); ok {
		raw := dense.RawMatrix()
		if raw.Stride == raw.Cols {
			return raw.Data[:n*d], n, d, nil
		}
		data = make([]float64, n*d)
		for i := range n {
			copy(data[i*d:(i+1)*d], raw.Data[i*raw.Stride:i*raw.Stride+d])
		}
		return data, n, d, nil
	}
	data = make([]float64, n*d)
	for i := range n {
		for j := range d {
			data[i*d+j] = x.At(i, j)
		}
	}
	return data, n, d, nil
}

// checkFinite reports the first NaN or infinite value of the row-major data.
func checkFinite(data []float64, d int) error {
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("row %d column %d is %v: %w", i/d, i%d, v, ErrInvalidInput)
		}
	}
	return nil
}

// checkWeights reports a weight slice of the wrong length, a negative, NaN
// or infinite weight, or weights summing to zero. nil is valid.
func checkWeights(w []float64, n int) error {
	if w == nil {
		return nil
	}
	if len(w) != n {
		return fmt.Errorf("%d weights for %d rows: %w", len(w), n, ErrInvalidInput)
	}
	var sum float64
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("weight of row %d is %v, want a finite value ≥ 0: %w", i, v, ErrInvalidInput)
		}
		sum += v
	}
	if sum == 0 || math.IsInf(sum, 0) {
		return fmt.Errorf("weights sum to %v: %w", sum, ErrInvalidInput)
	}
	return nil
}

// countDistinct counts the distinct rows of positive weight, stopping as
// soon as it has found limit of them.
func countDistinct(data []float64, n, d int, w []float64, limit int) int {
	seen := make(map[uint64][]int, min(limit, n))
	count := 0
	for i := range n {
		if w != nil && w[i] == 0 {
			continue
		}
		row := data[i*d : (i+1)*d]
		h := uint64(14695981039346656037)
		for _, v := range row {
			if v == 0 {
				v = 0 // -0 and +0 are the same value
			}
			h ^= math.Float64bits(v)
			h *= 1099511628211
			h ^= h >> 29
		}
		dup := false
		for _, j := range seen[h] {
			if equalRows(row, data[j*d:(j+1)*d]) {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		seen[h] = append(seen[h], i)
		count++
		if count >= limit {
			return count
		}
	}
	return count
}

func equalRows(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func cloneRows(rows [][]float64) [][]float64 {
	if rows == nil {
		return nil
	}
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = append([]float64(nil), r...)
	}
	return out
}
