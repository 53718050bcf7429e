package classify_test

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/classify"
)

// synth returns n rows of d features with a logistic label: the first
// half of the features numeric, the rest 0/1 with probability sparsity
// (sparsity ≤ 0.3 makes the design sparse).
func synth(n, d int, sparsity float64, seed uint64) (*mat.Dense, []int) {
	r := rand.New(rand.NewPCG(seed, 1))
	x := mat.NewDense(n, d, nil)
	y := make([]int, n)
	beta := make([]float64, d)
	for j := range beta {
		beta[j] = r.NormFloat64()
	}
	for i := range n {
		z := -0.5
		for j := range d {
			var v float64
			if j < d/2 {
				v = r.NormFloat64()
			} else if r.Float64() < sparsity {
				v = 1
			}
			x.Set(i, j, v)
			z += beta[j] * v
		}
		if r.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
	}
	return x, y
}

func TestLogisticBadInput(t *testing.T) {
	ctx := context.Background()
	x, y := synth(50, 4, 0.5, 1)
	w := slices.Repeat([]float64{1}, 50)
	set := func(i, j int, v float64) *mat.Dense {
		c := mat.DenseCopyOf(x)
		c.Set(i, j, v)
		return c
	}
	labels := func(i, v int) []int {
		c := slices.Clone(y)
		c[i] = v
		return c
	}
	weights := func(i int, v float64) []float64 {
		c := slices.Clone(w)
		c[i] = v
		return c
	}
	cases := []struct {
		name string
		x    mat.Matrix
		y    []int
		w    []float64
	}{
		{"NaN", set(3, 1, math.NaN()), y, nil},
		{"Inf", set(7, 0, math.Inf(-1)), y, nil},
		{"label 2", x, labels(4, 2), nil},
		{"label -1", x, labels(4, -1), nil},
		{"one class", x, make([]int, 50), nil},
		{"short labels", x, y[:49], nil},
		{"short weights", x, y, w[:10]},
		{"negative weight", x, y, weights(2, -1)},
		{"NaN weight", x, y, weights(2, math.NaN())},
		{"zero weights", x, y, make([]float64, 50)},
		{"nil matrix", nil, y, nil},
		{"empty matrix", &mat.Dense{}, nil, nil},
	}
	for _, tc := range cases {
		_, err := classify.Logistic(ctx, tc.x, tc.y, tc.w, classify.LogisticConfig{})
		assert.ErrorIs(t, err, classify.ErrInvalidInput, tc.name)
	}
	// One class left once zero-weight rows are ignored.
	zw := make([]float64, 50)
	for i, v := range y {
		if v == 1 {
			zw[i] = 1
		}
	}
	_, err := classify.Logistic(ctx, x, y, zw, classify.LogisticConfig{})
	assert.ErrorIs(t, err, classify.ErrInvalidInput, "one class of positive weight")
	_, err = classify.Logistic(ctx, set(3, 1, math.NaN()), y, nil, classify.LogisticConfig{})
	assert.ErrorContains(t, err, "row 3, column 1", "NaN names the cell")
}

func TestLogisticConfigValidate(t *testing.T) {
	cases := []struct {
		name string
		cfg  classify.LogisticConfig
	}{
		{"negative C", classify.LogisticConfig{C: -1}},
		{"NaN C", classify.LogisticConfig{C: math.NaN()}},
		{"L1Ratio", classify.LogisticConfig{Penalty: classify.ElasticNet, L1Ratio: 1.5}},
		{"penalty", classify.LogisticConfig{Penalty: 9}},
		{"solver", classify.LogisticConfig{Solver: 9}},
		{"newton L1", classify.LogisticConfig{Penalty: classify.L1, Solver: classify.SolverNewton}},
		{"lbfgs elastic net", classify.LogisticConfig{Penalty: classify.ElasticNet, Solver: classify.SolverLBFGS}},
		{"both class weights", classify.LogisticConfig{Balanced: true, ClassWeight: []float64{1, 2}}},
		{"class weight length", classify.LogisticConfig{ClassWeight: []float64{1}}},
		{"class weight zero", classify.LogisticConfig{ClassWeight: []float64{0, 1}}},
		{"tol", classify.LogisticConfig{Tol: -1}},
		{"max iter", classify.LogisticConfig{MaxIter: -1}},
		{"duplicate names", classify.LogisticConfig{Names: []string{"a", "a"}}},
	}
	for _, tc := range cases {
		assert.ErrorIs(t, tc.cfg.Validate(), classify.ErrInvalidConfig, tc.name)
		_, err := classify.Logistic(context.Background(), mat.NewDense(2, 2, []float64{0, 1, 1, 0}), []int{0, 1}, nil, tc.cfg)
		assert.ErrorIs(t, err, classify.ErrInvalidConfig, tc.name)
	}
	_, err := classify.Logistic(context.Background(), mat.NewDense(2, 2, []float64{0, 1, 1, 0}), []int{0, 1}, nil, classify.LogisticConfig{Names: []string{"a"}})
	assert.ErrorIs(t, err, classify.ErrInvalidConfig, "one name for two columns")
	assert.NoError(t, classify.LogisticConfig{}.Validate(), "zero config")
}

// TestLogisticDeterministic fits dense and sparse designs of more rows
// than a chunk with 1 and 3 workers: the models are identical, bit for bit.
func TestLogisticDeterministic(t *testing.T) {
	for _, sp := range []float64{0.9, 0.1} {
		n := 9000
		if raceEnabled {
			n = 4500 // still more than one chunk
		}
		x, y := synth(n, 12, sp, 3)
		for _, cfg := range []classify.LogisticConfig{
			{}, {Solver: classify.SolverLBFGS}, {Penalty: classify.L1, C: 0.01}, {Penalty: classify.ElasticNet, L1Ratio: 0.3, C: 0.05, Balanced: true},
		} {
			cfg.Workers = 1
			a, err := classify.Logistic(context.Background(), x, y, nil, cfg)
			require.NoError(t, err)
			cfg.Workers = 3
			b, err := classify.Logistic(context.Background(), x, y, nil, cfg)
			require.NoError(t, err)
			assert.Equal(t, a.Coef, b.Coef, "sparsity %v, %s/%s: coefficients", sp, cfg.Penalty, cfg.Solver)
			assert.Equal(t, a.Intercept, b.Intercept, "sparsity %v, %s/%s: intercept", sp, cfg.Penalty, cfg.Solver)
			assert.True(t, a.Converged, "sparsity %v, %s/%s converged", sp, cfg.Penalty, cfg.Solver)
		}
	}
}

func TestLogisticInputsUnchangedAndJSON(t *testing.T) {
	x, y := synth(300, 6, 0.3, 5)
	w := make([]float64, 300)
	for i := range w {
		w[i] = 0.5 + float64(i%3)
	}
	x0, y0, w0 := mat.DenseCopyOf(x), slices.Clone(y), slices.Clone(w)
	m, err := classify.Logistic(context.Background(), x, y, w, classify.LogisticConfig{C: 0.5, Names: []string{"a", "b", "c", "d", "e", "f"}})
	require.NoError(t, err)
	assert.True(t, mat.Equal(x0, x), "x unchanged")
	assert.Equal(t, y0, y, "y unchanged")
	assert.Equal(t, w0, w, "w unchanged")
	assert.Equal(t, []string{"a", "b", "c", "d", "e", "f"}, m.Features)

	b, err := json.Marshal(m)
	require.NoError(t, err)
	var back classify.LogisticModel
	require.NoError(t, json.Unmarshal(b, &back))
	require.NoError(t, back.Validate())
	p := make([]float64, 300)
	q := make([]float64, 300)
	require.NoError(t, m.PredictTo(p, x))
	require.NoError(t, back.PredictTo(q, x))
	assert.Equal(t, p, q, "predictions after a JSON round trip")
	for i := range 300 {
		v, err := back.PredictRow(x.RawRowView(i))
		require.NoError(t, err)
		assert.Equal(t, p[i], v, "PredictRow equals PredictTo at row %d", i)
	}

	_, err = m.PredictRow([]float64{1, 2})
	assert.ErrorIs(t, err, classify.ErrInvalidInput, "short row")
	_, err = m.PredictRow([]float64{1, 2, 3, math.NaN(), 5, 6})
	assert.ErrorIs(t, err, classify.ErrInvalidInput, "NaN row")
	assert.ErrorContains(t, err, `"d"`, "the error names the feature")
	assert.ErrorIs(t, m.PredictTo(make([]float64, 3), x), classify.ErrInvalidInput, "short dst")
	back.Version = 99
	assert.ErrorIs(t, back.Validate(), classify.ErrModelVersion, "version")
}

func TestLogisticBalancedEqualsClassWeight(t *testing.T) {
	x, y := synth(500, 5, 0.5, 9)
	pos := 0
	for _, v := range y {
		pos += v
	}
	n := float64(len(y))
	a, err := classify.Logistic(context.Background(), x, y, nil, classify.LogisticConfig{Balanced: true})
	require.NoError(t, err)
	b, err := classify.Logistic(context.Background(), x, y, nil, classify.LogisticConfig{ClassWeight: []float64{n / (2 * (n - float64(pos))), n / (2 * float64(pos))}})
	require.NoError(t, err)
	assert.InDeltaSlice(t, a.Coef, b.Coef, 1e-12, "coefficients")
	// Balanced weights pull the mean prediction towards ½.
	plain, err := classify.Logistic(context.Background(), x, y, nil, classify.LogisticConfig{})
	require.NoError(t, err)
	assert.NotEqual(t, plain.Intercept, a.Intercept, "balanced changes the intercept")
}

func TestLogisticCancel(t *testing.T) {
	x, y := synth(20000, 20, 0.5, 11)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, s := range []classify.Solver{classify.SolverNewton, classify.SolverLBFGS, classify.SolverCD} {
		_, err := classify.Logistic(ctx, x, y, nil, classify.LogisticConfig{Solver: s})
		assert.ErrorIs(t, err, context.Canceled, s.String())
	}
}

func TestLogisticL1Sparsity(t *testing.T) {
	x, y := synth(2000, 20, 0.5, 13)
	var nz []int
	for _, c := range []float64{0.001, 0.01, 0.1, 10} {
		m, err := classify.Logistic(context.Background(), x, y, nil, classify.LogisticConfig{Penalty: classify.L1, C: c})
		require.NoError(t, err)
		k := 0
		for _, v := range m.Coef {
			if v != 0 {
				k++
			}
		}
		nz = append(nz, k)
	}
	assert.True(t, slices.IsSorted(nz), "non-zero coefficients grow with C: %v", nz)
	assert.Less(t, nz[0], 20, "a strong L1 penalty zeroes coefficients: %v", nz)
}

func TestEnumsText(t *testing.T) {
	for _, p := range []classify.Penalty{classify.L2, classify.L1, classify.ElasticNet, classify.NoPenalty} {
		b, err := p.MarshalText()
		require.NoError(t, err)
		var back classify.Penalty
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, p, back, string(b))
	}
	var s classify.Solver
	assert.ErrorIs(t, s.UnmarshalText([]byte("sgd")), classify.ErrInvalidConfig, "unknown solver")
	_, err := classify.Metric(9).MarshalText()
	assert.ErrorIs(t, err, classify.ErrInvalidConfig, "unknown metric")
	b, err := json.Marshal(classify.LogisticConfig{Penalty: classify.ElasticNet, Solver: classify.SolverCD})
	require.NoError(t, err)
	assert.JSONEq(t, `{"penalty":"elasticnet","solver":"cd"}`, string(b))
}
