package cluster

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// validityFixture is testdata/validity_fixture.csv: 87 rows, 3 columns and
// two labelings, with the values scikit-learn 1.2.1 gives for them in
// testdata/validity_expected.json (testdata/validity_fixture.py makes both).
type validityFixture struct {
	x      *mat.Dense
	labels map[string][]int
	want   map[string]struct {
		Silhouette        float64   `json:"silhouette"`
		SilhouetteSamples []float64 `json:"silhouette_samples"`
		CalinskiHarabasz  float64   `json:"calinski_harabasz"`
		DaviesBouldin     float64   `json:"davies_bouldin"`
	}
}

func loadValidityFixture(t testing.TB) validityFixture {
	t.Helper()
	f, err := os.Open("testdata/validity_fixture.csv")
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	recs = recs[1:]
	fx := validityFixture{x: mat.NewDense(len(recs), 3, nil), labels: map[string][]int{}}
	for i, r := range recs {
		for j := range 3 {
			v, err := strconv.ParseFloat(r[j], 64)
			require.NoError(t, err)
			fx.x.Set(i, j, v)
		}
		for j, name := range []string{"label", "label2"} {
			l, err := strconv.Atoi(r[3+j])
			require.NoError(t, err)
			fx.labels[name] = append(fx.labels[name], l)
		}
	}
	data, err := os.ReadFile("testdata/validity_expected.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &fx.want))
	return fx
}

func TestValidityAgainstScikitLearn(t *testing.T) {
	fx := loadValidityFixture(t)
	ctx := context.Background()
	for _, name := range []string{"label", "label2"} {
		labels, want := fx.labels[name], fx.want[name]
		sil, err := Silhouette(ctx, fx.x, labels, SilhouetteConfig{})
		require.NoError(t, err)
		assert.InDelta(t, want.Silhouette, sil.Score, 1e-9, "silhouette of %s", name)
		assert.False(t, sil.Sampled, "silhouette of 87 rows is exact")
		assert.Equal(t, 87, sil.N)
		assert.Equal(t, 87, sil.Scored)

		samples := make([]float64, 87)
		require.NoError(t, SilhouetteSamplesTo(ctx, samples, fx.x, labels, 0))
		require.Len(t, want.SilhouetteSamples, 87)
		for i := range samples {
			assert.InDelta(t, want.SilhouetteSamples[i], samples[i], 1e-9, "silhouette of row %d under %s", i, name)
		}

		// The per-cluster means average back to the score.
		var sum float64
		var count int
		for _, c := range sil.Clusters {
			sum += c.Score * float64(c.Size)
			count += c.Size
		}
		assert.Equal(t, 87, count)
		assert.InDelta(t, sil.Score, sum/87, 1e-12, "per-cluster silhouettes of %s", name)

		ch, err := CalinskiHarabasz(fx.x, labels, nil)
		require.NoError(t, err)
		assert.InDelta(t, want.CalinskiHarabasz, ch, 1e-9, "Calinski-Harabasz of %s", name)
		db, err := DaviesBouldin(fx.x, labels, nil)
		require.NoError(t, err)
		assert.InDelta(t, want.DaviesBouldin, db, 1e-9, "Davies-Bouldin of %s", name)
	}
	// The singleton cluster (label 99, the last row) scores 0.
	sil, err := Silhouette(ctx, fx.x, fx.labels["label"], SilhouetteConfig{})
	require.NoError(t, err)
	last := sil.Clusters[len(sil.Clusters)-1]
	assert.Equal(t, ClusterSilhouette{Label: 99, Size: 1, Score: 0}, last)
}

func TestValidityInputsUnchangedAndAnyMatrix(t *testing.T) {
	fx := loadValidityFixture(t)
	labels := fx.labels["label2"]
	xCopy := mat.DenseCopyOf(fx.x)
	lCopy := slices.Clone(labels)
	ctx := context.Background()
	sil, err := Silhouette(ctx, fx.x, labels, SilhouetteConfig{})
	require.NoError(t, err)
	ch, err := CalinskiHarabasz(fx.x, labels, nil)
	require.NoError(t, err)
	db, err := DaviesBouldin(fx.x, labels, nil)
	require.NoError(t, err)
	assert.True(t, mat.Equal(xCopy, fx.x), "x unchanged")
	assert.Equal(t, lCopy, labels, "labels unchanged")

	// A matrix that is not a contiguous *mat.Dense is copied: same values.
	wide := mat.NewDense(87, 5, nil)
	wide.Slice(0, 87, 1, 4).(*mat.Dense).Copy(fx.x)
	view := wide.Slice(0, 87, 1, 4)
	sil2, err := Silhouette(ctx, view, labels, SilhouetteConfig{})
	require.NoError(t, err)
	assert.Equal(t, sil, sil2, "silhouette of a strided view")
	ch2, err := CalinskiHarabasz(view.T().T(), labels, nil)
	require.NoError(t, err)
	assert.Equal(t, ch, ch2, "Calinski-Harabasz of a view")
	db2, err := DaviesBouldin(view, labels, nil)
	require.NoError(t, err)
	assert.Equal(t, db, db2, "Davies-Bouldin of a view")
}

// validityBlobs returns n rows in d columns around k ≤ d+1 well-separated
// centres (the origin and 10 times the unit vectors), the cluster of each
// row being i mod k.
func validityBlobs(n, d, k int, seed uint64) (*mat.Dense, []int) {
	x := mat.NewDense(n, d, nil)
	labels := make([]int, n)
	s := seed
	next := func() float64 { // a small LCG: reproducible noise in [-1, 1)
		s = s*6364136223846793005 + 1442695040888963407
		return float64(s>>11)/float64(1<<52) - 1
	}
	for i := range n {
		c := i % k
		labels[i] = c
		for j := range d {
			centre := 0.0
			if j == c-1 {
				centre = 10
			}
			x.Set(i, j, centre+next())
		}
	}
	return x, labels
}

func TestSilhouetteWorkersAndSampling(t *testing.T) {
	x, labels := validityBlobs(3000, 4, 5, 1)
	ctx := context.Background()
	exact1, err := Silhouette(ctx, x, labels, SilhouetteConfig{Workers: 1})
	require.NoError(t, err)
	exact3, err := Silhouette(ctx, x, labels, SilhouetteConfig{Workers: 3})
	require.NoError(t, err)
	assert.Equal(t, exact1, exact3, "1 worker gives what 3 give")
	assert.False(t, exact1.Sampled)
	assert.Greater(t, exact1.Score, 0.8, "well-separated blobs")

	cfg := SilhouetteConfig{MaxExact: 1000, SampleSize: 600, Seed: 7, Workers: 1}
	s1, err := Silhouette(ctx, x, labels, cfg)
	require.NoError(t, err)
	assert.True(t, s1.Sampled)
	assert.Equal(t, 600, s1.Scored)
	assert.Equal(t, 3000, s1.N)
	cfg.Workers = 4
	s2, err := Silhouette(ctx, x, labels, cfg)
	require.NoError(t, err)
	assert.Equal(t, s1, s2, "same seed, any workers")
	cfg.Seed = 8
	s3, err := Silhouette(ctx, x, labels, cfg)
	require.NoError(t, err)
	assert.NotEqual(t, s1.Score, s3.Score, "another seed, another sample")
	assert.InDelta(t, exact1.Score, s1.Score, 0.02, "sampled estimate near the exact score")

	// The sampled score is the exact silhouette of the sampled rows.
	rows := silhouetteSample(3000, 600, 7)
	sub := mat.NewDense(600, 4, nil)
	subLabels := make([]int, 600)
	for i, r := range rows {
		sub.SetRow(i, x.RawRowView(r))
		subLabels[i] = labels[r]
	}
	exactSub, err := Silhouette(ctx, sub, subLabels, SilhouetteConfig{})
	require.NoError(t, err)
	assert.InDelta(t, exactSub.Score, s1.Score, 1e-15, "sampled = exact on the sample")

	// MaxExact at or above n means exact.
	e, err := Silhouette(ctx, x, labels, SilhouetteConfig{MaxExact: 3000})
	require.NoError(t, err)
	assert.False(t, e.Sampled)
	assert.Equal(t, exact1.Score, e.Score)
}

func TestSilhouetteSample(t *testing.T) {
	for _, tc := range []struct{ n, k int }{{10, 10}, {1000, 10}, {50, 49}, {1, 1}} {
		rows := silhouetteSample(tc.n, tc.k, 3)
		require.Len(t, rows, tc.k)
		assert.True(t, slices.IsSorted(rows), "sorted")
		assert.Len(t, slices.Compact(slices.Clone(rows)), tc.k, "distinct")
		assert.GreaterOrEqual(t, rows[0], 0)
		assert.Less(t, rows[tc.k-1], tc.n)
		assert.Equal(t, rows, silhouetteSample(tc.n, tc.k, 3), "same seed, same sample")
	}
}

func TestValidityWeights(t *testing.T) {
	fx := loadValidityFixture(t)
	labels := fx.labels["label"]
	n, _ := fx.x.Dims()
	// Integer weights equal repeated rows.
	w := make([]float64, n)
	var rep *mat.Dense
	var repLabels []int
	for i := range n {
		w[i] = float64(1 + i%3)
		for range int(w[i]) {
			row := mat.NewDense(1, 3, slices.Clone(fx.x.RawRowView(i)))
			if rep == nil {
				rep = row
			} else {
				var s mat.Dense
				s.Stack(rep, row)
				rep = &s
			}
			repLabels = append(repLabels, labels[i])
		}
	}
	chW, err := CalinskiHarabasz(fx.x, labels, w)
	require.NoError(t, err)
	chR, err := CalinskiHarabasz(rep, repLabels, nil)
	require.NoError(t, err)
	assert.InDelta(t, chR, chW, 1e-9*chR, "weighted CH = CH of repeated rows")
	dbW, err := DaviesBouldin(fx.x, labels, w)
	require.NoError(t, err)
	dbR, err := DaviesBouldin(rep, repLabels, nil)
	require.NoError(t, err)
	assert.InDelta(t, dbR, dbW, 1e-12, "weighted DB = DB of repeated rows")
	// Unit weights change nothing.
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	ch1, err := CalinskiHarabasz(fx.x, labels, ones)
	require.NoError(t, err)
	ch0, err := CalinskiHarabasz(fx.x, labels, nil)
	require.NoError(t, err)
	assert.InDelta(t, ch0, ch1, 1e-9)
}

func TestValidityDegenerate(t *testing.T) {
	// Every row on its cluster's mean.
	x := mat.NewDense(4, 2, []float64{0, 0, 0, 0, 3, 4, 3, 4})
	labels := []int{1, 1, 2, 2}
	ch, err := CalinskiHarabasz(x, labels, nil)
	require.NoError(t, err)
	assert.Equal(t, math.MaxFloat64, ch, "CH with zero within-cluster dispersion")
	db, err := DaviesBouldin(x, labels, nil)
	require.NoError(t, err)
	assert.Equal(t, 0.0, db, "DB with zero spread")
	sil, err := Silhouette(context.Background(), x, labels, SilhouetteConfig{})
	require.NoError(t, err)
	assert.InDelta(t, 1.0, sil.Score, 1e-15, "silhouette of coinciding rows far apart")

	// Two clusters with the same centroid: DB skips the pair and gives 0.
	y := mat.NewDense(4, 1, []float64{-1, 1, -2, 2})
	db, err = DaviesBouldin(y, labels, nil)
	require.NoError(t, err)
	assert.Equal(t, 0.0, db, "DB with coinciding centroids")
	// All rows identical: silhouette 0 (a = b = 0), no NaN.
	z := mat.NewDense(4, 1, []float64{5, 5, 5, 5})
	sil, err = Silhouette(context.Background(), z, labels, SilhouetteConfig{})
	require.NoError(t, err)
	assert.Equal(t, 0.0, sil.Score)
}

func TestValidityErrors(t *testing.T) {
	ctx := context.Background()
	x := mat.NewDense(4, 2, []float64{0, 0, 1, 1, 5, 5, 6, 6})
	good := []int{0, 0, 1, 1}
	bad := []struct {
		name   string
		x      mat.Matrix
		labels []int
	}{
		{"labels too short", x, []int{0, 1}},
		{"one cluster", x, []int{3, 3, 3, 3}},
		{"n clusters", x, []int{0, 1, 2, 3}},
		{"NaN", mat.NewDense(2, 1, []float64{math.NaN(), 1}), []int{0, 1}},
		{"Inf", mat.NewDense(3, 1, []float64{1, math.Inf(-1), 1}), []int{0, 1, 1}},
		{"nil matrix", nil, good},
	}
	for _, tc := range bad {
		_, err := Silhouette(ctx, tc.x, tc.labels, SilhouetteConfig{})
		assert.ErrorIs(t, err, ErrInvalidInput, "silhouette: %s", tc.name)
		_, err = CalinskiHarabasz(tc.x, tc.labels, nil)
		assert.ErrorIs(t, err, ErrInvalidInput, "CH: %s", tc.name)
		_, err = DaviesBouldin(tc.x, tc.labels, nil)
		assert.ErrorIs(t, err, ErrInvalidInput, "DB: %s", tc.name)
	}
	for name, w := range map[string][]float64{
		"short":      {1, 1},
		"negative":   {1, -1, 1, 1},
		"NaN":        {1, math.NaN(), 1, 1},
		"zero sum":   {0, 0, 0, 0},
		"empty side": {1, 1, 0, 0},
	} {
		_, err := CalinskiHarabasz(x, good, w)
		assert.ErrorIs(t, err, ErrInvalidInput, "CH weights %s", name)
		_, err = DaviesBouldin(x, good, w)
		assert.ErrorIs(t, err, ErrInvalidInput, "DB weights %s", name)
	}
	_, err := CalinskiHarabasz(x, good, []float64{0.5, 0.5, 0.5, 0.5})
	assert.ErrorIs(t, err, ErrInvalidInput, "CH with total weight ≤ k")

	err = SilhouetteConfig{MaxExact: -1, SampleSize: -2, Workers: -3}.Validate()
	assert.ErrorIs(t, err, ErrInvalidConfig)
	assert.ErrorContains(t, err, "MaxExact")
	assert.ErrorContains(t, err, "SampleSize")
	assert.ErrorContains(t, err, "Workers")
	_, err = Silhouette(ctx, x, good, SilhouetteConfig{Workers: -1})
	assert.ErrorIs(t, err, ErrInvalidConfig)
	assert.ErrorIs(t, SilhouetteSamplesTo(ctx, make([]float64, 3), x, good, 0), ErrInvalidInput, "dst length")
	assert.ErrorIs(t, SilhouetteSamplesTo(ctx, make([]float64, 4), x, good, -1), ErrInvalidConfig, "negative workers")

	// A sample that holds a single cluster.
	y := mat.NewDense(6, 1, []float64{0, 0, 0, 0, 0, 9})
	_, err = Silhouette(ctx, y, []int{0, 0, 0, 0, 0, 1}, SilhouetteConfig{MaxExact: 2, SampleSize: 2, Seed: 1})
	assert.ErrorIs(t, err, ErrInvalidInput, "sample with too few clusters")
}

func TestSilhouetteCancel(t *testing.T) {
	x, labels := validityBlobs(2000, 3, 4, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Silhouette(ctx, x, labels, SilhouetteConfig{})
	assert.ErrorIs(t, err, context.Canceled)
	err = SilhouetteSamplesTo(ctx, make([]float64, 2000), x, labels, 2)
	assert.ErrorIs(t, err, context.Canceled)
}

func FuzzSilhouette(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, uint8(2))
	f.Add([]byte{5, 5, 5, 5, 5, 5}, uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, dim uint8) {
		d := int(dim%3) + 1
		n := len(data) / (d + 1)
		if n == 0 {
			return
		}
		x := mat.NewDense(n, d, nil)
		labels := make([]int, n)
		for i := range n {
			for j := range d {
				x.Set(i, j, float64(data[i*(d+1)+j])-128)
			}
			labels[i] = int(data[i*(d+1)+d] % 4)
		}
		res, err := Silhouette(context.Background(), x, labels, SilhouetteConfig{MaxExact: 8, SampleSize: 6, Workers: 2})
		if err != nil {
			assert.ErrorIs(t, err, ErrInvalidInput)
		} else {
			assert.False(t, math.IsNaN(res.Score))
			assert.LessOrEqual(t, math.Abs(res.Score), 1+1e-12)
		}
		ch, err := CalinskiHarabasz(x, labels, nil)
		if err != nil {
			assert.ErrorIs(t, err, ErrInvalidInput)
		} else {
			assert.False(t, math.IsNaN(ch) || math.IsInf(ch, 0) || ch < 0, "CH %v", ch)
		}
		db, err := DaviesBouldin(x, labels, nil)
		if err != nil {
			assert.ErrorIs(t, err, ErrInvalidInput)
		} else {
			assert.False(t, math.IsNaN(db) || math.IsInf(db, 0) || db < 0, "DB %v", db)
		}
	})
}

// No goroutine outlives a call: inside a synctest bubble, every goroutine
// started must have exited when the bubble's function returns.
func TestSilhouetteNoLeftoverGoroutines(t *testing.T) {
	x, labels := validityBlobs(300, 2, 3, 4)
	synctest.Test(t, func(t *testing.T) {
		res, err := Silhouette(context.Background(), x, labels, SilhouetteConfig{Workers: 4})
		require.NoError(t, err)
		assert.Greater(t, res.Score, 0.5)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err = Silhouette(ctx, x, labels, SilhouetteConfig{Workers: 4})
		assert.ErrorIs(t, err, context.Canceled)
	})
}

// naiveSilhouette is Rousseeuw's definition computed directly, one row at
// a time.
func naiveSilhouette(x *mat.Dense, labels []int) []float64 {
	n, _ := x.Dims()
	out := make([]float64, n)
	for i := range n {
		sum := map[int]float64{}
		cnt := map[int]int{}
		for j := range n {
			cnt[labels[j]]++
			if j != i {
				sum[labels[j]] += math.Sqrt(euclidSq(x.RawRowView(i), x.RawRowView(j)))
			}
		}
		own := labels[i]
		if cnt[own] == 1 {
			continue
		}
		a := sum[own] / float64(cnt[own]-1)
		b := math.Inf(1)
		for c, s := range sum {
			if c != own {
				b = min(b, s/float64(cnt[c]))
			}
		}
		out[i] = (b - a) / max(a, b)
	}
	return out
}

func TestSilhouetteMatchesNaive(t *testing.T) {
	for _, tc := range []struct{ n, d, k int }{{333, 5, 4}, {130, 1, 7}, {200, 2, 2}, {65, 9, 3}} {
		x, _ := benchGaussians(tc.n, tc.d, tc.k, uint64(tc.n))
		labels := make([]int, tc.n)
		for i := range labels {
			labels[i] = (i * 7919) % tc.k // scattered, not contiguous
		}
		got := make([]float64, tc.n)
		require.NoError(t, SilhouetteSamplesTo(context.Background(), got, x, labels, 3))
		want := naiveSilhouette(x, labels)
		for i := range got {
			assert.InDelta(t, want[i], got[i], 1e-12, "row %d of n=%d d=%d k=%d", i, tc.n, tc.d, tc.k)
		}
	}
}

func TestSilhouetteCancelMidway(t *testing.T) {
	x, labels := validityBlobs(3000, 3, 4, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		time.Sleep(5 * time.Millisecond)
		cancel()
	}()
	_, err := Silhouette(ctx, x, labels, SilhouetteConfig{Workers: 1})
	if err == nil {
		t.Skip("the silhouette finished before the cancellation")
	}
	assert.ErrorIs(t, err, context.Canceled)
}
