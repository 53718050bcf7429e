package cluster

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// kpPlanted draws n rows from k planted clusters: numeric columns around
// well-separated centres, categorical columns where each cluster has its
// own dominant level (drawn with probability pDom, else a uniform level).
func kpPlanted(n, k, p, m, levels int, pDom float64, seed uint64) (*mat.Dense, [][]int32, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	centers := make([][]float64, k)
	for c := range centers {
		centers[c] = make([]float64, p)
		for j := range centers[c] {
			centers[c][j] = 4 * rng.NormFloat64()
		}
	}
	var num *mat.Dense
	if p > 0 {
		num = mat.NewDense(n, p, nil)
	}
	cat := make([][]int32, n)
	truth := make([]int, n)
	for i := range n {
		c := i % k
		truth[i] = c
		for j := range p {
			num.Set(i, j, centers[c][j]+rng.NormFloat64())
		}
		cat[i] = make([]int32, m)
		for j := range m {
			if rng.Float64() < pDom {
				cat[i][j] = int32((c + j) % levels)
			} else {
				cat[i][j] = int32(rng.IntN(levels))
			}
		}
	}
	return num, cat, truth
}

func kpLabels(t testing.TB, m *KPrototypesModel, num mat.Matrix, cat [][]int32) []int {
	t.Helper()
	n := len(cat)
	if num != nil {
		n, _ = num.Dims()
	}
	labels := make([]int, n)
	require.NoError(t, m.PredictTo(labels, num, cat))
	return labels
}

func TestKPrototypesPlanted(t *testing.T) {
	num, cat, truth := kpPlanted(3000, 5, 3, 4, 6, 0.7, 7)
	m, err := KPrototypes(context.Background(), num, cat, nil, KPrototypesConfig{K: 5, Seed: 1})
	require.NoError(t, err)
	labels := kpLabels(t, m, num, cat)
	ari, err := AdjustedRand(truth, labels)
	require.NoError(t, err)
	assert.Greater(t, ari, 0.9, "ARI of the planted mixed clusters")
	assert.True(t, m.Converged, "converged")
	assert.Len(t, m.Centers, 5)
	var total float64
	for c, s := range m.Sizes {
		assert.Positive(t, s, "size of cluster %d", c)
		total += s
	}
	assert.InDelta(t, 3000, total, 1e-9, "sizes sum to the rows")
	// Automatic gamma: half the mean numeric standard deviation.
	d, err := kpReadData(num, cat, nil)
	require.NoError(t, err)
	assert.InDelta(t, kpAutoGamma(d, 0.5), m.Gamma, 1e-12)
	assert.InDelta(t, 2*kpAutoGamma(d, 0.5), kpAutoGamma(d, 1), 1e-12)
	// The cost is the sum of the rows' costs to their cluster.
	var cost float64
	for i := range truth {
		_, c, err := m.Predict(num.RawRowView(i), cat[i])
		require.NoError(t, err)
		cost += c
	}
	assert.InDelta(t, m.Cost, cost, 1e-9*m.Cost)
}

func TestKPrototypesNeedsBothParts(t *testing.T) {
	// Four planted clusters: 0 and 1 share their numeric centre, as do 2
	// and 3; only the categorical columns tell them apart, and only the
	// numeric ones tell {0, 1} from {2, 3}.
	n := 2000
	rng := rand.New(rand.NewPCG(5, 5))
	num := mat.NewDense(n, 2, nil)
	cat := make([][]int32, n)
	truth := make([]int, n)
	for i := range n {
		c := i % 4
		truth[i] = c
		cx := float64(4 * (c / 2))
		num.Set(i, 0, cx+rng.NormFloat64())
		num.Set(i, 1, -cx+rng.NormFloat64())
		cat[i] = make([]int32, 3)
		for j := range cat[i] {
			cat[i][j] = int32(rng.IntN(4))
			if rng.Float64() < 0.8 {
				cat[i][j] = int32(c % 2)
			}
		}
	}
	ctx := context.Background()
	m, err := KPrototypes(ctx, num, cat, nil, KPrototypesConfig{K: 4, Seed: 1})
	require.NoError(t, err)
	both, err := AdjustedRand(truth, kpLabels(t, m, num, cat))
	require.NoError(t, err)
	mn, err := KPrototypes(ctx, num, nil, nil, KPrototypesConfig{K: 4, Seed: 1})
	require.NoError(t, err)
	numOnly, err := AdjustedRand(truth, kpLabels(t, mn, num, nil))
	require.NoError(t, err)
	mc, err := KModes(ctx, cat, nil, KPrototypesConfig{K: 4, Seed: 1})
	require.NoError(t, err)
	catOnly, err := AdjustedRand(truth, kpLabels(t, mc, nil, cat))
	require.NoError(t, err)
	t.Logf("ARI: mixed %.3f, numeric only %.3f, categorical only %.3f", both, numOnly, catOnly)
	assert.Greater(t, both, 0.8, "mixed data recovers the four clusters")
	assert.Less(t, numOnly, 0.6, "numeric columns alone cannot")
	assert.Less(t, catOnly, 0.6, "categorical columns alone cannot")
}

func TestKModesPlanted(t *testing.T) {
	_, cat, truth := kpPlanted(2000, 4, 0, 8, 5, 0.75, 3)
	m, err := KModes(context.Background(), cat, nil, KPrototypesConfig{K: 4, Seed: 2})
	require.NoError(t, err)
	assert.InDelta(t, 1.0, m.Gamma, 0, "k-modes gamma")
	assert.Equal(t, 0, m.NumericWidth())
	assert.Equal(t, 8, m.CategoricalWidth())
	labels := kpLabels(t, m, nil, cat)
	ari, err := AdjustedRand(truth, labels)
	require.NoError(t, err)
	assert.Greater(t, ari, 0.9, "ARI of the planted categorical clusters")
	// Each mode is the planted dominant level of its cluster.
	for c, mode := range m.Modes {
		// Find the planted cluster this one matches by its first code.
		pc := int(mode[0])
		for j, v := range mode {
			assert.Equal(t, int32((pc+j)%5), v, "mode of cluster %d column %d", c, j)
		}
	}
}

func TestKPrototypesDeterministic(t *testing.T) {
	num, cat, _ := kpPlanted(5000, 6, 2, 3, 4, 0.5, 11)
	w := make([]float64, 5000)
	for i := range w {
		w[i] = float64(1 + i%3)
	}
	cfg := KPrototypesConfig{K: 6, Seed: 42, Restarts: 2}
	var models []*KPrototypesModel
	for _, workers := range []int{1, 2, 3, 8} {
		cfg.Workers = workers
		m, err := KPrototypes(context.Background(), num, cat, w, cfg)
		require.NoError(t, err)
		models = append(models, m)
	}
	for i := 1; i < len(models); i++ {
		models[i].Config.Workers = models[0].Config.Workers
		assert.Equal(t, models[0], models[i], "model with Workers %d", []int{1, 2, 3, 8}[i])
	}
	cfg.Seed = 43
	other, err := KPrototypes(context.Background(), num, cat, w, cfg)
	require.NoError(t, err)
	assert.NotEqual(t, models[0].Cost, other.Cost, "another seed gives another run")
}

func TestKPrototypesWeights(t *testing.T) {
	// A row of weight 2 counts as two identical rows.
	num, cat, _ := kpPlanted(400, 3, 2, 2, 3, 0.8, 5)
	w := make([]float64, 400)
	numDup := mat.NewDense(600, 2, nil)
	catDup := make([][]int32, 0, 600)
	for i := range 400 {
		w[i] = 1
		numDup.SetRow(len(catDup), num.RawRowView(i))
		catDup = append(catDup, cat[i])
		if i < 200 {
			w[i] = 2
			numDup.SetRow(len(catDup), num.RawRowView(i))
			catDup = append(catDup, cat[i])
		}
	}
	cfg := KPrototypesConfig{K: 3, Seed: 9, Gamma: 0.7, Restarts: 1}
	mw, err := KPrototypes(context.Background(), num, cat, w, cfg)
	require.NoError(t, err)
	// Weighted fit and duplicated fit agree on their final prototypes'
	// cost when both start from the weighted model's prototypes: check
	// instead that the weighted cost is the weighted sum of row costs.
	var cost float64
	for i := range 400 {
		_, c, err := mw.Predict(num.RawRowView(i), cat[i])
		require.NoError(t, err)
		cost += w[i] * c
	}
	assert.InDelta(t, mw.Cost, cost, 1e-9*cost)
	var size float64
	for _, s := range mw.Sizes {
		size += s
	}
	assert.InDelta(t, 600, size, 1e-9, "sizes count weights")
	md, err := KPrototypes(context.Background(), numDup, catDup, nil, cfg)
	require.NoError(t, err)
	assert.InDelta(t, md.Cost, mw.Cost, 0.05*md.Cost, "duplicated rows cost about as much as weighted ones")
	// Zero-weight rows do not move prototypes.
	w0 := slices.Clone(w)
	numX := mat.NewDense(401, 2, nil)
	numX.Copy(num)
	numX.SetRow(400, []float64{1e6, -1e6})
	catX := append(slices.Clone(cat), []int32{0, 0})
	w0 = append(w0, 0)
	mx, err := KPrototypes(context.Background(), numX, catX, w0, cfg)
	require.NoError(t, err)
	assert.Equal(t, mw.Centers, mx.Centers, "a zero-weight outlier changes nothing")
}

func TestKPrototypesMissingCodes(t *testing.T) {
	num, cat, truth := kpPlanted(2000, 4, 2, 4, 5, 0.8, 21)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, row := range cat {
		for j := range row {
			if rng.Float64() < 0.2 {
				row[j] = -1
			}
		}
	}
	m, err := KPrototypes(context.Background(), num, cat, nil, KPrototypesConfig{K: 4, Seed: 3})
	require.NoError(t, err)
	labels := kpLabels(t, m, num, cat)
	ari, err := AdjustedRand(truth, labels)
	require.NoError(t, err)
	assert.Greater(t, ari, 0.9, "ARI with 20%% missing codes")
	// A missing code costs the same against every cluster: nothing.
	row := []int32{-1, -1, -1, -1}
	costs := make([]float64, 4)
	require.NoError(t, m.CostsTo(costs, []float64{0, 0}, row))
	for c := range costs {
		assert.InDelta(t, kpCost([]float64{0, 0}, nil, m.Centers[c], nil, 0), costs[c], 1e-12, "cluster %d", c)
	}
}

func TestKPrototypesJSONRoundTrip(t *testing.T) {
	num, cat, _ := kpPlanted(1000, 3, 2, 2, 4, 0.7, 8)
	m, err := KPrototypes(context.Background(), num, cat, nil, KPrototypesConfig{K: 3, Seed: 1, Progress: func(Progress) {}})
	require.NoError(t, err)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	var back KPrototypesModel
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, kpLabels(t, m, num, cat), kpLabels(t, &back, num, cat))
	assert.Equal(t, m.Centers, back.Centers)
	assert.Equal(t, m.Modes, back.Modes)
	assert.Equal(t, m.Gamma, back.Gamma)
	assert.Equal(t, m.Cost, back.Cost)
	assert.Nil(t, back.Config.Progress)
	b2, err := json.Marshal(&back)
	require.NoError(t, err)
	assert.JSONEq(t, string(b), string(b2))
}

func TestKPrototypesInputsUnchanged(t *testing.T) {
	num, cat, _ := kpPlanted(500, 3, 2, 2, 4, 0.7, 8)
	numCopy := mat.DenseCopyOf(num)
	catCopy := make([][]int32, len(cat))
	for i := range cat {
		catCopy[i] = slices.Clone(cat[i])
	}
	w := make([]float64, 500)
	for i := range w {
		w[i] = 1.5
	}
	_, err := KPrototypes(context.Background(), num, cat, w, KPrototypesConfig{K: 3})
	require.NoError(t, err)
	assert.Equal(t, numCopy, num)
	assert.Equal(t, catCopy, cat)
	for i := range w {
		require.InDelta(t, 1.5, w[i], 0)
	}
}

func TestKPrototypesConcurrentPredict(t *testing.T) {
	num, cat, _ := kpPlanted(800, 4, 2, 2, 4, 0.7, 8)
	m, err := KPrototypes(context.Background(), num, cat, nil, KPrototypesConfig{K: 4, Seed: 5})
	require.NoError(t, err)
	want := kpLabels(t, m, num, cat)
	var wg sync.WaitGroup
	errs := make([]int, 4)
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < 800; i += 4 {
				l, _, err := m.Predict(num.RawRowView(i), cat[i])
				if err != nil || l != want[i] {
					errs[g]++
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, []int{0, 0, 0, 0}, errs)
}

func TestKPrototypesCancel(t *testing.T) {
	num, cat, _ := kpPlanted(20000, 4, 2, 2, 4, 0.7, 8)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := KPrototypes(ctx, num, cat, nil, KPrototypesConfig{K: 4})
	assert.ErrorIs(t, err, context.Canceled)
	ctx, cancel = context.WithCancel(context.Background())
	calls := 0
	_, err = KPrototypes(ctx, num, cat, nil, KPrototypesConfig{K: 4, Workers: 2, Progress: func(p Progress) {
		calls++
		if p.Stage == "iteration" {
			cancel()
		}
	}})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Positive(t, calls)
}

func TestKPrototypesBadInput(t *testing.T) {
	ctx := context.Background()
	num := mat.NewDense(3, 2, []float64{0, 1, 2, 3, 4, 5})
	cat := [][]int32{{0, 1}, {1, 1}, {2, 0}}
	ok := KPrototypesConfig{K: 2}
	cases := []struct {
		name   string
		num    mat.Matrix
		cat    [][]int32
		w      []float64
		cfg    KPrototypesConfig
		target error
	}{
		{"k zero", num, cat, nil, KPrototypesConfig{}, ErrInvalidConfig},
		{"k negative", num, cat, nil, KPrototypesConfig{K: -1}, ErrInvalidConfig},
		{"gamma NaN", num, cat, nil, KPrototypesConfig{K: 2, Gamma: math.NaN()}, ErrInvalidConfig},
		{"gamma negative", num, cat, nil, KPrototypesConfig{K: 2, Gamma: -1}, ErrInvalidConfig},
		{"restarts negative", num, cat, nil, KPrototypesConfig{K: 2, Restarts: -1}, ErrInvalidConfig},
		{"k above rows", num, cat, nil, KPrototypesConfig{K: 4}, ErrTooFewPoints},
		{"k above distinct rows", mat.NewDense(3, 1, []float64{1, 1, 1}), [][]int32{{0}, {0}, {0}}, nil, ok, ErrTooFewPoints},
		{"k above positive-weight rows", num, cat, []float64{1, 0, 0}, ok, ErrTooFewPoints},
		{"no data", nil, nil, nil, ok, ErrInvalidInput},
		{"no rows", nil, [][]int32{}, nil, ok, ErrInvalidInput},
		{"NaN", mat.NewDense(3, 2, []float64{0, 1, math.NaN(), 3, 4, 5}), cat, nil, ok, ErrInvalidInput},
		{"Inf", mat.NewDense(3, 2, []float64{0, 1, 2, math.Inf(1), 4, 5}), cat, nil, ok, ErrInvalidInput},
		{"code below -1", num, [][]int32{{0, 1}, {-2, 1}, {2, 0}}, nil, ok, ErrInvalidInput},
		{"ragged", num, [][]int32{{0, 1}, {1}, {2, 0}}, nil, ok, ErrInvalidInput},
		{"row count mismatch", num, cat[:2], nil, ok, ErrInvalidInput},
		{"empty categorical rows", nil, [][]int32{{}, {}, {}}, nil, ok, ErrInvalidInput},
		{"weights length", num, cat, []float64{1, 1}, ok, ErrInvalidInput},
		{"negative weight", num, cat, []float64{1, -1, 1}, ok, ErrInvalidInput},
		{"NaN weight", num, cat, []float64{1, math.NaN(), 1}, ok, ErrInvalidInput},
		{"zero weights", num, cat, []float64{0, 0, 0}, ok, ErrInvalidInput},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := KPrototypes(ctx, tc.num, tc.cat, tc.w, tc.cfg)
			assert.ErrorIs(t, err, tc.target)
			assert.Nil(t, m)
			if err != nil {
				assert.Contains(t, err.Error(), "cluster: ")
			}
		})
	}
	_, err := KPrototypes(ctx, mat.NewDense(4, 1, []float64{1e308, 1.5e308, -1e308, -1.7e308}), nil, nil, ok)
	assert.ErrorIs(t, err, ErrInvalidInput, "overflowing values")
	err = KPrototypesConfig{K: 0, Gamma: -1, MaxIter: -1, Workers: -2}.Validate()
	require.Error(t, err)
	var joined interface{ Unwrap() []error }
	require.True(t, errors.As(err, &joined))
	assert.Len(t, joined.Unwrap(), 4, "every problem reported")

	_, err = KPrototypes(ctx, mat.NewDense(3, 2, []float64{0, 1, 2, 3, 4, math.NaN()}), cat, nil, ok)
	assert.ErrorContains(t, err, "row 2, numeric column 1")

	m, err := KPrototypes(ctx, num, cat, nil, ok)
	require.NoError(t, err)
	_, _, err = m.Predict([]float64{1}, []int32{0, 0})
	assert.ErrorIs(t, err, ErrInvalidInput, "short numeric row")
	_, _, err = m.Predict([]float64{1, math.Inf(-1)}, []int32{0, 0})
	assert.ErrorIs(t, err, ErrInvalidInput, "infinite value")
	_, _, err = m.Predict([]float64{1, 2}, []int32{0, -3})
	assert.ErrorIs(t, err, ErrInvalidInput, "bad code")
	_, _, err = (&KPrototypesModel{}).Predict(nil, nil)
	assert.ErrorIs(t, err, ErrInvalidInput, "empty model")
	ragged := &KPrototypesModel{Centers: [][]float64{{1, 2}, {1}}, Modes: [][]int32{{0, 0}, {0, 0}}}
	_, _, err = ragged.Predict([]float64{1, 2}, []int32{0, 0})
	assert.ErrorIs(t, err, ErrInvalidInput, "ragged model")
	assert.ErrorIs(t, m.PredictTo(make([]int, 2), num, cat), ErrInvalidInput, "dst length")
	assert.ErrorIs(t, m.CostsTo(make([]float64, 1), []float64{1, 2}, []int32{0, 0}), ErrInvalidInput, "costs dst length")
	// An unseen code is valid: it matches no mode.
	l, _, err := m.Predict([]float64{1, 2}, []int32{99, 0})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, l, 0)
}

func TestKPrototypesEdgeCases(t *testing.T) {
	ctx := context.Background()
	// K equal to the number of distinct rows: each row its own cluster.
	num := mat.NewDense(4, 1, []float64{0, 0, 5, 9})
	cat := [][]int32{{0}, {0}, {1}, {1}}
	m, err := KPrototypes(ctx, num, cat, nil, KPrototypesConfig{K: 3, Seed: 1})
	require.NoError(t, err)
	assert.InDelta(t, 0, m.Cost, 1e-12, "every distinct row a prototype")
	// Only numeric columns: batch k-means.
	m, err = KPrototypes(ctx, num, nil, nil, KPrototypesConfig{K: 2, Seed: 1})
	require.NoError(t, err)
	assert.Equal(t, 0, m.CategoricalWidth())
	// Rows that differ only where codes are missing are distinct rows
	// at zero cost: the seeding still finds K prototypes.
	cat = [][]int32{{0, -1}, {0, 1}, {0, 2}}
	m, err = KModes(ctx, cat, nil, KPrototypesConfig{K: 3, Seed: 1})
	require.NoError(t, err)
	assert.Len(t, m.Modes, 3)
	// K = 1 is the overall mean and mode.
	num = mat.NewDense(4, 1, []float64{1, 2, 3, 6})
	cat = [][]int32{{2}, {2}, {1}, {0}}
	m, err = KPrototypes(ctx, num, cat, nil, KPrototypesConfig{K: 1})
	require.NoError(t, err)
	assert.InDelta(t, 3, m.Centers[0][0], 1e-12)
	assert.Equal(t, []int32{2}, m.Modes[0])
}

// fortune1000 reads log revenue, log employees, sector and state of the
// Fortune 1000 (2021).
func fortune1000(t testing.TB) (num *mat.Dense, cat [][]string) {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "data", "companies", "fortune1000_2021.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("Fortune 1000 data absent (%v)", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	head := rows[0]
	col := func(name string) int {
		i := slices.Index(head, name)
		require.GreaterOrEqual(t, i, 0, "column %q", name)
		return i
	}
	rev, emp, sec, st := col("revenue"), col("num. of employees"), col("sector"), col("state")
	rows = rows[1:]
	raw := mat.NewDense(len(rows), 2, nil)
	cat = [][]string{make([]string, len(rows)), make([]string, len(rows))}
	for i, r := range rows {
		for j, c := range []int{rev, emp} {
			v, err := strconv.ParseFloat(r[c], 64)
			require.NoError(t, err, "row %d column %d", i, c)
			raw.Set(i, j, v)
		}
		cat[0][i], cat[1][i] = r[sec], r[st]
	}
	return raw, cat
}

func TestKPrototypesFortune1000(t *testing.T) {
	raw, catStr := fortune1000(t)
	require.Equal(t, 1000, raw.RawMatrix().Rows)
	pipe, err := FitPipeline([]ColumnSpec{
		{Name: "revenue", Log: LogLog1p, Scale: ScaleStandard},
		{Name: "employees", Log: LogLog1p, Scale: ScaleStandard},
	}, raw)
	require.NoError(t, err)
	var num mat.Dense
	require.NoError(t, pipe.Transform(&num, raw))
	enc, err := FitEncoder([]string{"sector", "state"}, catStr, UnseenOther)
	require.NoError(t, err)
	cat, err := enc.Encode(catStr)
	require.NoError(t, err)
	assert.Len(t, enc.Levels[0], 21, "Fortune sectors")

	ctx := context.Background()
	costs := map[int]float64{}
	for k := 2; k <= 8; k++ {
		m, err := KPrototypes(ctx, &num, cat, nil, KPrototypesConfig{K: k, Seed: 1})
		require.NoError(t, err, "k=%d", k)
		costs[k] = m.Cost
		for c, s := range m.Sizes {
			assert.Positive(t, s, "k=%d cluster %d is empty", k, c)
		}
		t.Logf("k=%d cost %.1f gamma %.3f iterations %d sizes %v", k, m.Cost, m.Gamma, m.Iterations, m.Sizes)
	}
	dec := 0
	for k := 3; k <= 8; k++ {
		if costs[k] < costs[k-1] {
			dec++
		}
	}
	assert.GreaterOrEqual(t, dec, 5, "cost decreases with k in most steps: %v", costs)
	assert.Less(t, costs[8], 0.7*costs[2], "cost at k=8 well below that at k=2")

	cfg := KPrototypesConfig{K: 4, Seed: 7}
	m, err := KPrototypes(ctx, &num, cat, nil, cfg)
	require.NoError(t, err)
	labels := kpLabels(t, m, &num, cat)
	cfg.Workers = 1
	m1, err := KPrototypes(ctx, &num, cat, nil, cfg)
	require.NoError(t, err)
	assert.Equal(t, labels, kpLabels(t, m1, &num, cat), "same seed, same labels, any Workers")

	// The clusters separate on size: the share of the variance of log
	// employees and log revenue between clusters is large.
	for j, name := range []string{"log revenue", "log employees"} {
		r2 := kpBetweenShare(num.ColView(j), labels, 4)
		t.Logf("%s: between-cluster share of variance %.2f", name, r2)
		assert.Greater(t, r2, 0.3, "%s separates the clusters", name)
	}
	// Sector modes are not all the same: the categorical part matters.
	modes := map[int32]bool{}
	for _, md := range m.Modes {
		modes[md[0]] = true
	}
	t.Logf("k=4 sector modes: %v", m.Modes)
	assert.Greater(t, len(modes), 1, "distinct sector modes")
	// The clusters are purer in state than the data: more rows share their
	// cluster's state mode than share the most common state overall.
	stateCount := map[int32]int{}
	match := 0
	for i, row := range cat {
		stateCount[row[1]]++
		if row[1] == m.Modes[labels[i]][1] {
			match++
		}
	}
	top := slices.Max(slices.Collect(maps.Values(stateCount)))
	t.Logf("rows in their cluster's state mode %d, in the top state %d", match, top)
	assert.Greater(t, match, top, "clusters concentrate states")

	// A larger Gamma trades numeric spread for categorical agreement.
	matches := func(gamma float64) (int, float64) {
		m, err := KPrototypes(ctx, &num, cat, nil, KPrototypesConfig{K: 4, Seed: 7, Gamma: gamma})
		require.NoError(t, err)
		labels := kpLabels(t, m, &num, cat)
		n := 0
		var ss float64
		for i, row := range cat {
			for j, v := range row {
				if v == m.Modes[labels[i]][j] {
					n++
				}
			}
			for j, v := range num.RawRowView(i) {
				ss += (v - m.Centers[labels[i]][j]) * (v - m.Centers[labels[i]][j])
			}
		}
		return n, ss
	}
	lowM, lowSS := matches(0.05)
	highM, highSS := matches(5)
	t.Logf("gamma 0.05: %d matches, numeric SS %.1f; gamma 5: %d matches, numeric SS %.1f", lowM, lowSS, highM, highSS)
	assert.Greater(t, highM, lowM+200, "more categorical matches with a large Gamma")
	assert.Greater(t, highSS, lowSS, "more numeric spread with a large Gamma")
}

// kpBetweenShare is the between-cluster sum of squares of x over its total
// sum of squares.
func kpBetweenShare(x mat.Vector, labels []int, k int) float64 {
	n := x.Len()
	sum, cnt := make([]float64, k), make([]float64, k)
	var mean float64
	for i := range n {
		sum[labels[i]] += x.AtVec(i)
		cnt[labels[i]]++
		mean += x.AtVec(i)
	}
	mean /= float64(n)
	var between, total float64
	for c := range k {
		if cnt[c] > 0 {
			d := sum[c]/cnt[c] - mean
			between += cnt[c] * d * d
		}
	}
	for i := range n {
		d := x.AtVec(i) - mean
		total += d * d
	}
	return between / total
}

func TestKPrototypesCao(t *testing.T) {
	ctx := context.Background()
	_, cat, truth := kpPlanted(2000, 4, 0, 8, 5, 0.75, 3)
	m, err := KModes(ctx, cat, nil, KPrototypesConfig{K: 4, Init: InitCao, Seed: 1})
	require.NoError(t, err)
	ari, err := AdjustedRand(truth, kpLabels(t, m, nil, cat))
	require.NoError(t, err)
	assert.Greater(t, ari, 0.9, "ARI of k-modes with Cao's initialisation")
	m2, err := KModes(ctx, cat, nil, KPrototypesConfig{K: 4, Init: InitCao, Seed: 99, Workers: 1})
	require.NoError(t, err)
	assert.Equal(t, m.Modes, m2.Modes, "Cao's initialisation does not depend on the seed")
	assert.Equal(t, m.Cost, m2.Cost)

	num, cat, truth := kpPlanted(2000, 4, 2, 3, 5, 0.7, 4)
	m, err = KPrototypes(ctx, num, cat, nil, KPrototypesConfig{K: 4, Init: InitCao})
	require.NoError(t, err)
	ari, err = AdjustedRand(truth, kpLabels(t, m, num, cat))
	require.NoError(t, err)
	assert.Greater(t, ari, 0.9, "ARI of k-prototypes with Cao's initialisation")

	_, err = KPrototypes(ctx, num, cat, nil, KPrototypesConfig{K: 4, Init: InitCao, Restarts: 2})
	assert.ErrorIs(t, err, ErrInvalidConfig, "restarts with cao")
	_, err = KPrototypes(ctx, num, nil, nil, KPrototypesConfig{K: 4, Init: InitCao})
	assert.ErrorIs(t, err, ErrInvalidConfig, "cao without categorical columns")
	_, err = KPrototypes(ctx, num, cat, nil, KPrototypesConfig{K: 4, Init: 7})
	assert.ErrorIs(t, err, ErrInvalidConfig, "unknown init")
	// Rows that differ only where codes are missing.
	m, err = KModes(ctx, [][]int32{{0, -1}, {0, 1}, {0, 2}}, nil, KPrototypesConfig{K: 3, Init: InitCao})
	require.NoError(t, err)
	assert.Len(t, m.Modes, 3)
	b, err := json.Marshal(KPrototypesConfig{K: 2, Init: InitCao})
	require.NoError(t, err)
	assert.JSONEq(t, `{"k":2,"init":"cao","seed":0}`, string(b))
}

// TestKPrototypesCompanies clusters the 21,000 largest organisations of
// People Data Labs' company data (read in place, never copied) on size,
// founding year, industry, size band and country, with blanks as they come.
func TestKPrototypesCompanies(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "companies", "companies_sorted.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("company data absent (%v)", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	head, rows := rows[0], rows[1:]
	col := func(name string) int {
		i := slices.Index(head, name)
		require.GreaterOrEqual(t, i, 0, "column %q", name)
		return i
	}
	n := len(rows)
	require.Equal(t, 21000, n)
	raw := mat.NewDense(n, 3, nil)
	cats := [][]string{make([]string, n), make([]string, n), make([]string, n)}
	for i, r := range rows {
		for j, name := range []string{"current employee estimate", "total employee estimate", "year founded"} {
			v := math.NaN()
			if s := r[col(name)]; s != "" {
				v, err = strconv.ParseFloat(s, 64)
				require.NoError(t, err, "row %d %s", i, name)
			}
			raw.Set(i, j, v)
		}
		for j, name := range []string{"industry", "size range", "country"} {
			cats[j][i] = r[col(name)]
		}
	}
	pipe, err := FitPipeline([]ColumnSpec{
		{Name: "employees", Log: LogLog1p, Scale: ScaleStandard},
		{Name: "members", Log: LogLog1p, Scale: ScaleStandard},
		{Name: "founded", Impute: ImputeMedian, Indicator: true, Scale: ScaleRobust},
	}, raw)
	require.NoError(t, err)
	var num mat.Dense
	require.NoError(t, pipe.Transform(&num, raw))
	assert.InDelta(t, 6122, mat.Sum(num.ColView(3)), 0, "missing founding years flagged")
	assert.Equal(t, []string{"employees", "members", "founded", "founded_missing"}, pipe.OutputNames())

	// One-hot with rare industries grouped: seven industries have at least
	// 700 organisations (banking, 715, the smallest of them).
	oh, err := FitOneHot(OneHotConfig{MinCount: 700}, []string{"industry", "size", "country"}, cats)
	require.NoError(t, err)
	assert.Len(t, oh.Columns[0].Levels, 7)
	assert.Contains(t, oh.Columns[0].Levels, "banking")
	assert.NotContains(t, oh.Columns[0].Levels, "education management")
	var hot mat.Dense
	require.NoError(t, oh.Transform(&hot, cats))
	otherCol := len(oh.Columns[0].Levels)
	assert.InDelta(t, 21000-(1913+1464+1079+917+757+738+715), mat.Sum(hot.ColView(otherCol)), 0, "rows in other industries")
	assert.InDelta(t, 21000-3908, mat.Sum(hot.Slice(0, n, hot.RawMatrix().Cols-len(oh.Columns[2].Levels)-1, hot.RawMatrix().Cols)), 0, "blank countries are all zeros")

	enc, err := FitEncoder([]string{"industry", "size", "country"}, cats, UnseenOther)
	require.NoError(t, err)
	cat, err := enc.Encode(cats)
	require.NoError(t, err)
	ctx := context.Background()
	cfg := KPrototypesConfig{K: 5, Seed: 3, Restarts: 2}
	if kpRace {
		cfg.Restarts = 1
	}
	m, err := KPrototypes(ctx, num.Slice(0, n, 0, 3), cat, nil, cfg)
	require.NoError(t, err)
	t.Logf("gamma %.3f cost %.0f iterations %d sizes %v", m.Gamma, m.Cost, m.Iterations, m.Sizes)
	for c := range m.K() {
		assert.Positive(t, m.Sizes[c], "cluster %d", c)
		t.Logf("cluster %d: employees %+.2f founded %+.2f: %s / %s / %s", c, m.Centers[c][0], m.Centers[c][2],
			enc.Decode(0, m.Modes[c][0]), enc.Decode(1, m.Modes[c][1]), enc.Decode(2, m.Modes[c][2]))
	}
	// The cluster of the largest organisations has the 10001+ band as its mode.
	big := 0
	for c := range m.K() {
		if m.Centers[c][0] > m.Centers[big][0] {
			big = c
		}
	}
	assert.Equal(t, "10001+", enc.Decode(1, m.Modes[big][1]), "size band of the largest cluster")
	if kpRace {
		return // TestKPrototypesDeterministic covers Workers under the race detector
	}
	cfg.Workers = 1
	m1, err := KPrototypes(ctx, num.Slice(0, n, 0, 3), cat, nil, cfg)
	require.NoError(t, err)
	assert.Equal(t, m.Centers, m1.Centers, "same model with one worker")
	assert.Equal(t, m.Modes, m1.Modes)
}

func TestKPrototypesNoGoroutineLeft(t *testing.T) {
	num, cat, _ := kpPlanted(5000, 4, 2, 2, 4, 0.7, 8)
	synctest.Test(t, func(t *testing.T) {
		_, err := KPrototypes(context.Background(), num, cat, nil, KPrototypesConfig{K: 4, Workers: 4, Restarts: 1})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		_, err = KPrototypes(ctx, num, cat, nil, KPrototypesConfig{K: 4, Workers: 4, Progress: func(p Progress) {
			if p.Stage == "seeding" {
				cancel()
			}
		}})
		assert.ErrorIs(t, err, context.Canceled)
	})
}

func FuzzKPrototypesPredict(f *testing.F) {
	num, cat, _ := kpPlanted(300, 3, 2, 2, 4, 0.7, 8)
	m, err := KPrototypes(context.Background(), num, cat, nil, KPrototypesConfig{K: 3, Restarts: 1})
	require.NoError(f, err)
	f.Add(0.5, -1.0, int32(0), int32(3))
	f.Add(math.NaN(), 1.0, int32(-1), int32(-2))
	f.Fuzz(func(t *testing.T, a, b float64, c0, c1 int32) {
		label, cost, err := m.Predict([]float64{a, b}, []int32{c0, c1})
		valid := ppFinite(a) && ppFinite(b) && c0 >= -1 && c1 >= -1
		if !valid {
			assert.ErrorIs(t, err, ErrInvalidInput)
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		assert.True(t, label >= 0 && label < 3)
		assert.False(t, math.IsNaN(cost))
	})
}

func TestKPCostBelow(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for range 2000 {
		xn, cn := []float64{rng.NormFloat64(), rng.NormFloat64()}, []float64{rng.NormFloat64(), rng.NormFloat64()}
		xc, cm := make([]int32, 3), make([]int32, 3)
		for j := range xc {
			xc[j], cm[j] = int32(rng.IntN(4)-1), int32(rng.IntN(4)-1)
		}
		gamma, bound := rng.Float64()*2, rng.Float64()*6
		full := kpCost(xn, xc, cn, cm, gamma)
		assert.Equal(t, math.Min(full, bound), kpCostBelow(xn, xc, cn, cm, gamma, bound), "%v %v %v %v", xn, xc, cn, cm)
		assert.Equal(t, full, kpCostBelow(xn, xc, cn, cm, gamma, math.Inf(1)))
		// The branch-free mismatch count is the plain one.
		mis := 0
		for j, v := range xc {
			if v >= 0 && v != cm[j] {
				mis++
			}
		}
		assert.InDelta(t, gamma*float64(mis), full-kpCost(xn, nil, cn, nil, 0), 1e-12)
	}
}
