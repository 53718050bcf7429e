package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

func TestKMeansTwoBlobs(t *testing.T) {
	x := mat.NewDense(6, 2, []float64{0, 0, 0, 1, 1, 0, 10, 10, 10, 11, 11, 10})
	m, err := KMeans(context.Background(), x, nil, KMeansConfig{K: 2, Seed: 1})
	require.NoError(t, err)
	a, da := m.Predict([]float64{0, 0})
	b, _ := m.Predict([]float64{10, 10})
	assert.NotEqual(t, a, b)
	assert.InDelta(t, 2.0/9, da, 1e-12)
	assert.InDelta(t, 8.0/3, m.Inertia, 1e-12)
	assert.Equal(t, []float64{3, 3}, m.Sizes)
	assert.True(t, m.Converged)
	assert.Equal(t, 2, m.K())
}

// colless is a matrix with rows but no columns, which mat.Dense cannot be.
type colless struct{ rows int }

func (c colless) Dims() (int, int)       { return c.rows, 0 }
func (c colless) At(i, j int) float64    { panic("no columns") }
func (c colless) T() mat.Matrix          { return mat.Transpose{Matrix: c} }
func (c colless) String() string         { return fmt.Sprint("colless", c.rows) }
func (c colless) Format(fmt.State, rune) {}

func TestKMeansBadInput(t *testing.T) {
	ctx := context.Background()
	good := mat.NewDense(4, 2, []float64{0, 0, 1, 1, 2, 2, 3, 3})
	withNaN := mat.NewDense(2, 2, []float64{0, math.NaN(), 1, 1})
	withInf := mat.NewDense(2, 2, []float64{0, 0, math.Inf(-1), 1})
	for _, tc := range []struct {
		name    string
		x       mat.Matrix
		weights []float64
		cfg     KMeansConfig
		want    error
	}{
		{"k zero", good, nil, KMeansConfig{}, ErrInvalidConfig},
		{"k negative", good, nil, KMeansConfig{K: -2}, ErrInvalidConfig},
		{"k above distinct rows", good, nil, KMeansConfig{K: 5}, ErrTooFewPoints},
		{"nil matrix", nil, nil, KMeansConfig{K: 1}, ErrInvalidInput},
		{"no rows", &mat.Dense{}, nil, KMeansConfig{K: 1}, ErrInvalidInput},
		{"no columns", colless{3}, nil, KMeansConfig{K: 1}, ErrInvalidInput},
		{"NaN", withNaN, nil, KMeansConfig{K: 1}, ErrInvalidInput},
		{"Inf", withInf, nil, KMeansConfig{K: 1}, ErrInvalidInput},
		{"negative weight", good, []float64{1, -1, 1, 1}, KMeansConfig{K: 2}, ErrInvalidInput},
		{"NaN weight", good, []float64{1, math.NaN(), 1, 1}, KMeansConfig{K: 2}, ErrInvalidInput},
		{"weights all zero", good, []float64{0, 0, 0, 0}, KMeansConfig{K: 1}, ErrInvalidInput},
		{"weights too short", good, []float64{1, 1}, KMeansConfig{K: 1}, ErrInvalidInput},
		{"zero weights leave too few rows", good, []float64{1, 0, 0, 1}, KMeansConfig{K: 3}, ErrTooFewPoints},
		{"ragged Init", good, nil, KMeansConfig{K: 2, Init: [][]float64{{0, 0}, {1}}}, ErrInvalidConfig},
		{"Init of other width", good, nil, KMeansConfig{K: 1, Init: [][]float64{{0, 0, 0}}}, ErrInvalidConfig},
		{"Init with restarts", good, nil, KMeansConfig{K: 1, Init: [][]float64{{0, 0}}, Restarts: 3}, ErrInvalidConfig},
		{"unknown algorithm", good, nil, KMeansConfig{K: 1, Algorithm: 9}, ErrInvalidConfig},
		{"negative Tol", good, nil, KMeansConfig{K: 1, Tol: -1}, ErrInvalidConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := KMeans(ctx, tc.x, tc.weights, tc.cfg)
			assert.ErrorIs(t, err, tc.want)
			assert.Nil(t, m)
			if err != nil {
				assert.Contains(t, err.Error(), "cluster: ")
			}
		})
	}
}

func TestKMeansConfigValidateJoinsEveryProblem(t *testing.T) {
	err := KMeansConfig{K: 0, MaxIter: -1, Workers: -3, BatchSize: -1}.Validate()
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrInvalidConfig)
	for _, field := range []string{"K ", "MaxIter", "Workers", "BatchSize"} {
		assert.Contains(t, err.Error(), field)
	}
	assert.NoError(t, KMeansConfig{K: 1}.Validate())
}

// Identical rows make one cluster: a model for K = 1, ErrTooFewPoints for
// more, saying how many distinct rows there are.
func TestKMeansIdenticalRows(t *testing.T) {
	x := mat.NewDense(5, 3, nil)
	for i := range 5 {
		x.SetRow(i, []float64{1, -2, 3})
	}
	m, err := KMeans(context.Background(), x, nil, KMeansConfig{K: 1})
	require.NoError(t, err)
	assert.Equal(t, [][]float64{{1, -2, 3}}, m.Centers)
	assert.Equal(t, 0.0, m.Inertia)
	assert.Equal(t, []float64{5}, m.Sizes)

	_, err = KMeans(context.Background(), x, nil, KMeansConfig{K: 2})
	assert.ErrorIs(t, err, ErrTooFewPoints)
	assert.ErrorContains(t, err, "only 1 distinct")
}

// Inputs are never modified, and a Dense with a wider stride is read right.
func TestKMeansLeavesInputAlone(t *testing.T) {
	s := loadSet(t, "r15")
	wide := mat.NewDense(s.x.RawMatrix().Rows, 3, nil)
	view := wide.Slice(0, s.x.RawMatrix().Rows, 0, 2).(*mat.Dense)
	view.Copy(s.x)
	before := mat.DenseCopyOf(wide)
	w := make([]float64, s.x.RawMatrix().Rows)
	for i := range w {
		w[i] = float64(1 + i%3)
	}
	wBefore := append([]float64(nil), w...)
	init := make([][]float64, s.k)
	for j := range init {
		init[j] = append([]float64(nil), s.truth.RawRowView(j)...)
	}
	initBefore := cloneRows(init)
	a, err := KMeans(context.Background(), view, w, KMeansConfig{K: s.k, Init: init})
	require.NoError(t, err)
	b, err := KMeans(context.Background(), mat.DenseCopyOf(view), w, KMeansConfig{K: s.k, Init: init})
	require.NoError(t, err)
	assert.True(t, mat.Equal(before, wide), "matrix changed")
	assert.Equal(t, wBefore, w, "weights changed")
	assert.Equal(t, initBefore, init, "Init changed")
	assert.Equal(t, b.Centers, a.Centers, "strided view and copy")
}

// An integer weight counts as that many copies of the row.
func TestKMeansWeightsEqualDuplicates(t *testing.T) {
	s := loadSet(t, "s1")
	if raceEnabled || testing.Short() {
		s = loadSet(t, "r15")
	}
	n, d := s.x.Dims()
	rng := rand.New(rand.NewPCG(7, 7))
	w := make([]float64, n)
	var dup []float64
	for i := range n {
		w[i] = float64(rng.IntN(4))
		for range int(w[i]) {
			dup = append(dup, s.x.RawRowView(i)...)
		}
	}
	xd := mat.NewDense(len(dup)/d, d, dup)
	init := make([][]float64, s.k)
	for j := range init {
		init[j] = append([]float64(nil), s.x.RawRowView(j*n/s.k)...)
	}
	for _, alg := range []Algorithm{Lloyd, Hamerly, Elkan} {
		cfg := KMeansConfig{K: s.k, Init: init, Algorithm: alg}
		mw, err := KMeans(context.Background(), s.x, w, cfg)
		require.NoError(t, err)
		md, err := KMeans(context.Background(), xd, nil, cfg)
		require.NoError(t, err)
		assert.InDelta(t, md.Inertia, mw.Inertia, 1e-9*md.Inertia, "%v inertia", alg)
		assert.Equal(t, md.Sizes, mw.Sizes, "%v sizes", alg)
		for j := range md.Centers {
			for c := range md.Centers[j] {
				assert.InDelta(t, md.Centers[j][c], mw.Centers[j][c], 1e-6, "%v centre %d", alg, j)
			}
		}
	}
	// The default fit finds the same clustering both ways.
	mw, err := KMeans(context.Background(), s.x, w, KMeansConfig{K: s.k, Seed: 3})
	require.NoError(t, err)
	md, err := KMeans(context.Background(), xd, nil, KMeansConfig{K: s.k, Seed: 3})
	require.NoError(t, err)
	assert.InDelta(t, md.Inertia, mw.Inertia, 1e-9*md.Inertia, "default fit inertia")
}

// The same seed gives the same model, bit for bit, whatever the number of
// workers.
func TestKMeansDeterministicAcrossWorkers(t *testing.T) {
	s := loadSet(t, "a1")
	if raceEnabled || testing.Short() {
		s.x = s.x.Slice(0, 2100, 0, 2).(*mat.Dense) // three chunks, k = 14
		s.k = 14
	}
	for _, alg := range []Algorithm{Auto, Lloyd, Elkan, MiniBatch} {
		var ref *KMeansModel
		for _, workers := range []int{1, 4} {
			cfg := KMeansConfig{K: s.k, Algorithm: alg, Seed: 11, Workers: workers, BatchSize: 256}
			if raceEnabled {
				cfg.Restarts = 2
			}
			m, err := KMeans(context.Background(), s.x, nil, cfg)
			require.NoError(t, err)
			if ref == nil {
				ref = m
				continue
			}
			assert.Equal(t, ref.Centers, m.Centers, "%v with %d workers", alg, workers)
			assert.Equal(t, ref.Inertia, m.Inertia, "%v with %d workers", alg, workers)
			assert.Equal(t, ref.Iterations, m.Iterations, "%v with %d workers", alg, workers)
		}
	}
}

func TestKMeansModelJSONRoundTrip(t *testing.T) {
	s := loadSet(t, "r15")
	m, err := KMeans(context.Background(), s.x, nil, KMeansConfig{K: s.k, Seed: 2, Algorithm: Elkan, Tol: 1e-4})
	require.NoError(t, err)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"algorithm":"elkan"`)
	var back KMeansModel
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, *m, back)

	n := s.x.RawMatrix().Rows
	want, got := make([]int, n), make([]int, n)
	require.NoError(t, m.PredictTo(want, s.x))
	require.NoError(t, back.PredictTo(got, s.x))
	assert.Equal(t, want, got)
	for i := range n {
		l, _ := back.Predict(s.x.RawRowView(i))
		if !assert.Equal(t, want[i], l, "row %d", i) {
			break
		}
	}
	// The fit's sizes count the same labels.
	sizes := make([]float64, s.k)
	for _, l := range want {
		sizes[l]++
	}
	assert.Equal(t, m.Sizes, sizes)
	var bad KMeansModel
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"config":{"algorithm":"fastest"}}`), &bad), ErrInvalidConfig)
}

func TestKMeansPredictToErrors(t *testing.T) {
	m := &KMeansModel{Centers: [][]float64{{0, 0}, {1, 1}}}
	x := mat.NewDense(2, 2, []float64{0, 0, 1, math.NaN()})
	assert.ErrorIs(t, m.PredictTo(make([]int, 2), x), ErrInvalidInput)
	assert.ErrorIs(t, m.PredictTo(make([]int, 1), mat.NewDense(2, 2, nil)), ErrInvalidInput)
	assert.ErrorIs(t, m.PredictTo(make([]int, 2), mat.NewDense(2, 3, nil)), ErrInvalidInput)
	assert.ErrorIs(t, (&KMeansModel{}).PredictTo(make([]int, 2), mat.NewDense(2, 2, nil)), ErrInvalidInput)
}

func TestKMeansContextCancelled(t *testing.T) {
	s := loadSet(t, "a1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := KMeans(ctx, s.x, nil, KMeansConfig{K: s.k})
	assert.ErrorIs(t, err, context.Canceled)

	// Cancelled while iterating, from the progress callback.
	for _, alg := range []Algorithm{Auto, Lloyd, Elkan, MiniBatch} {
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		_, err = KMeans(ctx, s.x, nil, KMeansConfig{K: s.k, Algorithm: alg, Progress: func(p Progress) {
			calls++
			if p.Stage == "iteration" && p.Done >= 2 {
				cancel()
			}
		}})
		assert.ErrorIs(t, err, context.Canceled, "%v", alg)
		assert.Positive(t, calls)
		cancel()
	}
}

// Fit is synchronous: no goroutine outlives it.
func TestKMeansNoGoroutineOutlivesFit(t *testing.T) {
	s := loadSet(t, "r15")
	synctest.Test(t, func(t *testing.T) {
		m, err := KMeans(context.Background(), s.x, nil, KMeansConfig{K: s.k, Workers: 4})
		require.NoError(t, err)
		assert.Equal(t, s.k, m.K())
	})
}

func TestKMeansProgress(t *testing.T) {
	s := loadSet(t, "r15")
	stages := map[string]int{}
	_, err := KMeans(context.Background(), s.x, nil, KMeansConfig{K: s.k, Progress: func(p Progress) {
		assert.Equal(t, "kmeans", p.Method)
		stages[p.Stage]++
	}})
	require.NoError(t, err)
	for _, st := range []string{"seeding", "iteration", "restart", "swap"} {
		assert.Positive(t, stages[st], st)
	}
}

func TestAlgorithmText(t *testing.T) {
	for a := Auto; a <= MiniBatch; a++ {
		b, err := a.MarshalText()
		require.NoError(t, err)
		var back Algorithm
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, a, back)
		assert.Equal(t, string(b), a.String())
	}
	_, err := Algorithm(17).MarshalText()
	assert.ErrorIs(t, err, ErrInvalidConfig)
	for r := RefineAuto; r <= RefineSwap; r++ {
		b, err := r.MarshalText()
		require.NoError(t, err)
		var back RefineMethod
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, r, back)
	}
}

// The default fit finds every cluster of the benchmark sets (CI = 0). The
// normal run checks one seed per set (a different one for each);
// STRATA_HEAVY=1 checks seeds 0–9 and adds birch1.
func TestKMeansFindsEveryCluster(t *testing.T) {
	heavy := os.Getenv("STRATA_HEAVY") != ""
	sets := frantiSets[:len(frantiSets)-1]
	if heavy {
		sets = frantiSets
	}
	if raceEnabled || testing.Short() {
		sets = []string{"s4", "a3"}
	}
	for i, name := range sets {
		s := loadSet(t, name)
		seeds := []uint64{uint64(i)}
		if heavy {
			seeds = []uint64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
		}
		for _, seed := range seeds {
			m, err := KMeans(context.Background(), s.x, nil, KMeansConfig{K: s.k, Seed: seed})
			require.NoError(t, err)
			assert.Equal(t, 0, ci(t, s, m), "%s seed %d: centroid index", name, seed)
		}
	}
}

// Given Init, MaxIter and Tol = 0, a fit runs exactly MaxIter iterations
// unless it converges first, with any exact algorithm: the speed
// benchmarks divide by Iterations.
func TestKMeansFixedIterations(t *testing.T) {
	s := loadSet(t, "a3")
	init := make([][]float64, s.k)
	for j := range init {
		init[j] = append([]float64(nil), s.x.RawRowView(j*150)...)
	}
	var ref *KMeansModel
	for _, alg := range []Algorithm{Lloyd, Hamerly, Elkan} {
		m, err := KMeans(context.Background(), s.x, nil, KMeansConfig{K: s.k, Init: init, MaxIter: 4, Algorithm: alg})
		require.NoError(t, err)
		assert.Equal(t, 4, m.Iterations, "%v", alg)
		assert.False(t, m.Converged, "%v", alg)
		if ref == nil {
			ref = m
		} else {
			assert.Equal(t, ref.Centers, m.Centers, "%v", alg)
		}
	}
	full, err := KMeans(context.Background(), s.x, nil, KMeansConfig{K: s.k, Init: init})
	require.NoError(t, err)
	assert.True(t, full.Converged)
	assert.Less(t, full.Iterations, defaultMaxIter)
	assert.LessOrEqual(t, full.Inertia, ref.Inertia)
	loose, err := KMeans(context.Background(), s.x, nil, KMeansConfig{K: s.k, Init: init, Tol: 1e-2})
	require.NoError(t, err)
	assert.True(t, loose.Converged)
	assert.Less(t, loose.Iterations, full.Iterations, "a loose Tol stops earlier")
}

// Rows of weight zero take no part: a far outlier of weight zero attracts
// no centre.
func TestKMeansZeroWeightRows(t *testing.T) {
	x := mat.NewDense(7, 1, []float64{0, 0.1, 0.2, 10, 10.1, 10.2, 1e6})
	w := []float64{1, 1, 1, 1, 1, 1, 0}
	for _, alg := range []Algorithm{Auto, MiniBatch} {
		m, err := KMeans(context.Background(), x, w, KMeansConfig{K: 2, Seed: 4, Algorithm: alg})
		require.NoError(t, err)
		lo, hi := m.Centers[0][0], m.Centers[1][0]
		if lo > hi {
			lo, hi = hi, lo
		}
		tol := 1e-9
		if alg == MiniBatch {
			tol = 0.05 // its centres are running means of random batches
		}
		assert.InDelta(t, 0.1, lo, tol, "%v", alg)
		assert.InDelta(t, 10.1, hi, tol, "%v", alg)
		assert.InDelta(t, 0.04, m.Inertia, tol, "%v", alg)
	}
}

// Mini-batch k-means lands close to the exact fit.
func TestKMeansMiniBatchQuality(t *testing.T) {
	s := loadSet(t, "s1")
	exact, err := KMeans(context.Background(), s.x, nil, KMeansConfig{K: s.k, Seed: 5})
	require.NoError(t, err)
	mb, err := KMeans(context.Background(), s.x, nil, KMeansConfig{K: s.k, Seed: 5, Algorithm: MiniBatch, BatchSize: 512})
	require.NoError(t, err)
	assert.Less(t, mb.Inertia, 1.1*exact.Inertia, "mini-batch inertia within 10%% of the exact fit's")
	assert.Positive(t, mb.Iterations)
}

// A mini-batch centre that starts where no row is gets moved onto the data.
func TestKMeansMiniBatchReassignsDeadCentres(t *testing.T) {
	s := loadSet(t, "s1")
	init := make([][]float64, s.k)
	for j := range init {
		init[j] = append([]float64(nil), s.truth.RawRowView(j)...)
	}
	init[3] = []float64{1e9, 1e9}
	m, err := KMeans(context.Background(), s.x, nil, KMeansConfig{K: s.k, Init: init, Algorithm: MiniBatch, Seed: 1, BatchSize: 256})
	require.NoError(t, err)
	for j, size := range m.Sizes {
		assert.Positive(t, size, "cluster %d is empty", j)
	}
	assert.Less(t, m.Centers[3][0], 1e7)
}

func FuzzKMeans(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8}, uint8(2), uint8(2))
	f.Add([]byte{0, 0, 0, 0}, uint8(1), uint8(3))
	f.Fuzz(func(t *testing.T, raw []byte, cols, k uint8) {
		d := int(cols%4) + 1
		n := len(raw) / d
		if n == 0 || len(raw) > 4096 {
			return // big inputs only slow the fuzzer down
		}
		data := make([]float64, n*d)
		for i := range data {
			data[i] = float64(int8(raw[i]))
		}
		x := mat.NewDense(n, d, data)
		m, err := KMeans(context.Background(), x, nil, KMeansConfig{K: int(k % 6), Seed: 1})
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) && !errors.Is(err, ErrTooFewPoints) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		if math.IsNaN(m.Inertia) || m.Inertia < 0 {
			t.Fatalf("inertia %v", m.Inertia)
		}
		for _, c := range m.Centers {
			for _, v := range c {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("centre %v", c)
				}
			}
		}
	})
}

func TestKMeansPredictRowErrors(t *testing.T) {
	m := &KMeansModel{Centers: [][]float64{{0, 0}, {10, 10}}}
	label, sq, err := m.PredictRow([]float64{9, 8})
	require.NoError(t, err)
	wantLabel, wantSq := m.Predict([]float64{9, 8})
	assert.Equal(t, wantLabel, label)
	assert.InDelta(t, wantSq, sq, 0)
	for name, tc := range map[string]struct {
		m   *KMeansModel
		row []float64
	}{
		"short row":    {m, []float64{1}},
		"long row":     {m, []float64{1, 2, 3}},
		"nil row":      {m, nil},
		"NaN":          {m, []float64{math.NaN(), 1}},
		"Inf":          {m, []float64{1, math.Inf(-1)}},
		"no centres":   {&KMeansModel{}, []float64{1, 2}},
		"ragged model": {&KMeansModel{Centers: [][]float64{{0, 0}, {1}}}, []float64{1, 2}},
	} {
		_, _, err := tc.m.PredictRow(tc.row)
		assert.ErrorIs(t, err, ErrInvalidInput, name)
	}
}
