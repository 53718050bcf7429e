package classify_test

import (
	"context"
	"encoding/binary"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/classify"
)

// FuzzLogistic feeds arbitrary small data sets to Logistic and the
// metrics: they return a model or an error, never panic, and a model's
// predictions are probabilities.
func FuzzLogistic(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, uint8(2), uint8(0))
	f.Add(make([]byte, 64), uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, cols, pen uint8) {
		d := int(cols%4) + 1
		n := len(b) / (8*d + 1)
		if n == 0 {
			return
		}
		x := mat.NewDense(n, d, nil)
		y := make([]int, n)
		for i := range n {
			row := b[i*(8*d+1):]
			for j := range d {
				x.Set(i, j, math.Float64frombits(binary.LittleEndian.Uint64(row[8*j:])))
			}
			y[i] = int(row[8*d] % 3) // 2 is a bad label
		}
		cfg := classify.LogisticConfig{Penalty: classify.Penalty(pen % 4), C: 0.5, L1Ratio: 0.5, MaxIter: 50}
		m, err := classify.Logistic(context.Background(), x, y, nil, cfg)
		if err != nil {
			return
		}
		p := make([]float64, n)
		if err := m.PredictTo(p, x); err != nil {
			t.Fatalf("PredictTo on the fitted data: %v", err)
		}
		for i, v := range p {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("row %d: probability %v", i, v)
			}
		}
		_, _ = classify.Evaluate(y, p, nil)
		_, _ = classify.Gains(y, p, nil, 10)
	})
}
