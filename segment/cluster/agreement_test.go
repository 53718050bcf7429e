package cluster

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// Expected values from scikit-learn 1.2.1 (adjusted_rand_score,
// normalized_mutual_info_score with its default arithmetic normalisation,
// mutual_info_score).
var agreementCases = []struct {
	name    string
	a, b    []int
	ari     float64
	nmi     float64
	mi      float64
	comment string
}{
	{"sklearn doc example", []int{0, 0, 1, 1}, []int{0, 0, 1, 2}, 0.5714285714285714, 0.7999999999999999, 0.6931471805599452,
		"pairs: tp=1 fn=1 fp=0 tn=4, ARI = 2·4/(2·5+1·4) = 4/7"},
	{"sklearn doc example swapped", []int{0, 0, 1, 2}, []int{0, 0, 1, 1}, 0.5714285714285714, 0.7999999999999999, 0.6931471805599452, "symmetric"},
	{"one cluster vs singletons", []int{0, 0, 0, 0}, []int{0, 1, 2, 3}, 0, 0, 0, "no pair agrees beyond chance"},
	{"three by three", []int{1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3}, []int{1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 1, 1},
		0.2376237623762376, 0.4301796561187559, 0.4697133604487502, "tp=16 of 105 pairs"},
	{"negative labels", []int{5, -3, 5, 7, 7, -3, 7, 5, 5, -3}, []int{2, 2, 0, 0, 1, 1, 1, 0, 2, 2},
		0.09090909090909091, 0.39464837163589433, 0.42973260214435804, ""},
	{"crossed halves", []int{0, 0, 1, 1}, []int{0, 1, 0, 1}, -0.5, 0, 0, "worst case: ARI = -1/2"},
	{"one cluster vs two", []int{0, 0, 0, 0, 0}, []int{0, 1, 0, 1, 1}, 0, 0, 0, ""},
	{"random 60", []int{3, 2, 2, 3, 2, 3, 3, 0, 0, 1, 1, 3, 3, 0, 1, 3, 0, 3, 0, 1, 3, 1, 1, 1, 2, 1, 3, 1, 1, 2, 2, 2, 2, 3, 3, 3, 2, 2, 1, 3, 1, 0, 3, 0, 3, 2, 0, 0, 1, 0, 0, 2, 3, 1, 3, 3, 3, 2, 1, 2},
		[]int{3, 2, 1, 2, 2, 0, 3, 2, 0, 2, 3, 3, 3, 0, 1, 3, 4, 3, 0, 1, 3, 1, 1, 1, 2, 3, 3, 1, 1, 2, 2, 2, 2, 0, 3, 1, 2, 3, 1, 0, 1, 0, 3, 0, 2, 2, 0, 0, 1, 0, 2, 2, 3, 0, 3, 3, 3, 2, 1, 1},
		0.41067571737118175, 0.44819900622471504, 0.6281156845592654, ""},
}

func TestAgreementKnownValues(t *testing.T) {
	for _, tc := range agreementCases {
		t.Run(tc.name, func(t *testing.T) {
			ari, err := AdjustedRand(tc.a, tc.b)
			require.NoError(t, err)
			assert.InDelta(t, tc.ari, ari, 1e-12, "ARI of %s", tc.name)
			nmi, err := NMI(tc.a, tc.b)
			require.NoError(t, err)
			assert.InDelta(t, tc.nmi, nmi, 1e-12, "NMI of %s", tc.name)
			c, err := ContingencyTable(tc.a, tc.b)
			require.NoError(t, err)
			assert.InDelta(t, tc.mi, c.MutualInfo(), 1e-12, "MI of %s", tc.name)
			// Symmetric in its arguments.
			ari2, err := AdjustedRand(tc.b, tc.a)
			require.NoError(t, err)
			assert.InDelta(t, ari, ari2, 1e-15, "ARI(b, a) of %s", tc.name)
			nmi2, err := NMI(tc.b, tc.a)
			require.NoError(t, err)
			assert.InDelta(t, nmi, nmi2, 1e-15, "NMI(b, a) of %s", tc.name)
		})
	}
}

func TestAgreementIdenticalAndPermuted(t *testing.T) {
	a := []int{0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 0}
	// The same partition under other label values.
	perm := map[int]int{0: 42, 1: -7, 2: 0, 3: 9}
	b := make([]int, len(a))
	for i, v := range a {
		b[i] = perm[v]
	}
	for _, other := range [][]int{a, b} {
		ari, err := AdjustedRand(a, other)
		require.NoError(t, err)
		assert.InDelta(t, 1.0, ari, 1e-15, "ARI of a partition with itself")
		nmi, err := NMI(a, other)
		require.NoError(t, err)
		assert.InDelta(t, 1.0, nmi, 1e-15, "NMI of a partition with itself")
	}
	// Relabelling one side leaves the index unchanged.
	c := []int{1, 0, 1, 1, 0, 2, 2, 2, 3, 3, 0, 0}
	cp := make([]int, len(c))
	for i, v := range c {
		cp[i] = 100 - 3*v
	}
	x, err := AdjustedRand(a, c)
	require.NoError(t, err)
	y, err := AdjustedRand(b, cp)
	require.NoError(t, err)
	assert.InDelta(t, x, y, 1e-15, "ARI under relabelling")
	x, err = NMI(a, c)
	require.NoError(t, err)
	y, err = NMI(b, cp)
	require.NoError(t, err)
	assert.InDelta(t, x, y, 1e-15, "NMI under relabelling")
}

func TestAgreementDegenerate(t *testing.T) {
	cases := []struct {
		name     string
		a, b     []int
		ari, nmi float64
	}{
		{"empty", nil, nil, 1, 1},
		{"one row", []int{3}, []int{-1}, 1, 1},
		{"one cluster each", []int{1, 1, 1}, []int{5, 5, 5}, 1, 1},
		{"all singletons each", []int{1, 2, 3}, []int{6, 5, 4}, 1, 1},
		{"one cluster vs two", []int{1, 1, 1}, []int{1, 1, 2}, 0, 0},
		{"two vs one cluster", []int{1, 2, 1, 2}, []int{0, 0, 0, 0}, 0, 0},
	}
	for _, tc := range cases {
		ari, err := AdjustedRand(tc.a, tc.b)
		require.NoError(t, err)
		assert.False(t, math.IsNaN(ari), "ARI of %s is NaN", tc.name)
		assert.InDelta(t, tc.ari, ari, 1e-15, "ARI of %s", tc.name)
		nmi, err := NMI(tc.a, tc.b)
		require.NoError(t, err)
		assert.False(t, math.IsNaN(nmi), "NMI of %s is NaN", tc.name)
		assert.InDelta(t, tc.nmi, nmi, 1e-15, "NMI of %s", tc.name)
	}
}

func TestAgreementLengthMismatch(t *testing.T) {
	_, err := AdjustedRand([]int{1, 2}, []int{1})
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = NMI([]int{1}, nil)
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = ContingencyTable(nil, []int{0})
	assert.ErrorIs(t, err, ErrInvalidInput)
}

func TestContingencyTable(t *testing.T) {
	a := []int{7, 7, -1, 7, -1, 3}
	b := []int{0, 1, 1, 1, 1, 0}
	aCopy, bCopy := append([]int(nil), a...), append([]int(nil), b...)
	c, err := ContingencyTable(a, b)
	require.NoError(t, err)
	assert.Equal(t, aCopy, a, "input a unchanged")
	assert.Equal(t, bCopy, b, "input b unchanged")
	assert.Equal(t, []int{-1, 3, 7}, c.RowLabels)
	assert.Equal(t, []int{0, 1}, c.ColLabels)
	assert.Equal(t, [][]int{{0, 2}, {1, 0}, {1, 2}}, c.Counts)
	assert.Equal(t, 6, c.N)
	assert.Equal(t, []int{2, 1, 3}, c.RowSums())
	assert.Equal(t, []int{2, 4}, c.ColSums())

	// Large label values take the sorted-search path.
	big := []int{1 << 40, -(1 << 40), 1 << 40}
	c2, err := ContingencyTable(big, []int{0, 0, 1})
	require.NoError(t, err)
	assert.Equal(t, []int{-(1 << 40), 1 << 40}, c2.RowLabels)
	assert.Equal(t, [][]int{{1, 0}, {1, 1}}, c2.Counts)

	// Plain data: a JSON round trip gives the same table and indices.
	data, err := json.Marshal(c)
	require.NoError(t, err)
	var back Contingency
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, *c, back)
	assert.InDelta(t, c.AdjustedRand(), back.AdjustedRand(), 0)
}

func TestCentroidIndexHand(t *testing.T) {
	truth := mat.NewDense(4, 2, []float64{0, 0, 10, 0, 0, 10, 10, 10})
	// Two solution centroids sit in the first true cluster, none in the last.
	sol := mat.NewDense(4, 2, []float64{-1, 0, 1, 0.5, 9, 1, 1, 9})
	ci, err := CentroidIndex(sol, truth)
	require.NoError(t, err)
	assert.Equal(t, 1, ci, "true clusters missed")
	ci, err = CentroidIndex(truth, sol)
	require.NoError(t, err)
	assert.Equal(t, 1, ci, "solution centroids without a true cluster")
	ci, err = SymmetricCentroidIndex(sol, truth)
	require.NoError(t, err)
	assert.Equal(t, 1, ci)

	// More solution centroids than true clusters: nothing is missed, but the
	// reverse direction finds the surplus.
	sol6 := mat.NewDense(6, 2, []float64{0, 0, 0.5, 0, 10, 0, 10.5, 0, 0, 10, 10, 10})
	ci, err = CentroidIndex(sol6, truth)
	require.NoError(t, err)
	assert.Equal(t, 0, ci, "missed with 6 centroids")
	ci, err = SymmetricCentroidIndex(truth, sol6)
	require.NoError(t, err)
	assert.Equal(t, 2, ci, "symmetric CI with 2 surplus centroids")

	ci, err = SymmetricCentroidIndex(truth, truth)
	require.NoError(t, err)
	assert.Equal(t, 0, ci, "CI of a solution with itself")
}

func TestCentroidIndexErrors(t *testing.T) {
	a := mat.NewDense(2, 2, []float64{0, 0, 1, 1})
	_, err := CentroidIndex(a, mat.NewDense(2, 3, nil))
	assert.ErrorIs(t, err, ErrInvalidInput, "column mismatch")
	_, err = CentroidIndex(a, mat.NewDense(1, 2, []float64{math.NaN(), 0}))
	assert.ErrorIs(t, err, ErrInvalidInput, "NaN")
	_, err = CentroidIndex(nil, a)
	assert.ErrorIs(t, err, ErrInvalidInput, "nil")
	_, err = SymmetricCentroidIndex(a, mat.NewDense(1, 2, []float64{math.Inf(1), 0}))
	assert.ErrorIs(t, err, ErrInvalidInput, "Inf")
}

// agreementDataDir is the shared real-data folder, seen from this package.
const agreementDataDir = "../../../shared/data"

// readAgreementMatrix reads a whitespace-separated matrix, gzipped when the
// name ends in .gz.
func readAgreementMatrix(t testing.TB, path string) [][]float64 {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("data file %s is absent", path)
	}
	require.NoError(t, err)
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		require.NoError(t, err)
		defer gz.Close()
		r = gz
	}
	var rows [][]float64
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		row := make([]float64, len(fields))
		for i, s := range fields {
			row[i], err = strconv.ParseFloat(s, 64)
			require.NoError(t, err, "parsing %s", path)
		}
		rows = append(rows, row)
	}
	require.NoError(t, sc.Err())
	return rows
}

func agreementDense(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

// On Fränti's S sets, the means of the labelled clusters match the official
// ground-truth centroids (CI 0), and a solution that puts two centroids in
// one true cluster misses exactly one.
func TestCentroidIndexFrantiS(t *testing.T) {
	for _, set := range []string{"s1", "s4"} {
		pts := readAgreementMatrix(t, filepath.Join(agreementDataDir, "clustering", set+".data.gz"))
		lab := readAgreementMatrix(t, filepath.Join(agreementDataDir, "clustering", set+".labels0.gz"))
		cb := readAgreementMatrix(t, filepath.Join(agreementDataDir, "franti", set+"-cb.txt"))
		require.Len(t, lab, len(pts))
		k := len(cb)
		means := make([][]float64, k)
		counts := make([]float64, k)
		for i := range means {
			means[i] = make([]float64, 2)
		}
		for i, p := range pts {
			c := int(lab[i][0]) - 1
			require.True(t, c >= 0 && c < k, "label %v of row %d", lab[i][0], i)
			means[c][0] += p[0]
			means[c][1] += p[1]
			counts[c]++
		}
		for c := range means {
			means[c][0] /= counts[c]
			means[c][1] /= counts[c]
		}
		truth, sol := agreementDense(cb), agreementDense(means)
		ci, err := SymmetricCentroidIndex(sol, truth)
		require.NoError(t, err)
		assert.Equal(t, 0, ci, "CI of %s cluster means against the official centroids", set)

		// Move centroid 0 onto centroid 1 (slightly off): true cluster 0 is
		// now missed.
		means[0][0], means[0][1] = means[1][0]+1, means[1][1]+1
		ci, err = CentroidIndex(agreementDense(means), truth)
		require.NoError(t, err)
		assert.Equal(t, 1, ci, "missed clusters of %s with a doubled centroid", set)
	}
}

func FuzzAgreement(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 1, 0, 1, 1})
	f.Add([]byte{3, 7, 3, 7, 200, 1, 9, 9, 9, 9})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		n := len(data) / 2
		a, b := make([]int, n), make([]int, n)
		for i := range n {
			a[i] = int(data[2*i]%5) - 2
			b[i] = int(data[2*i+1] % 4)
		}
		c, err := ContingencyTable(a, b)
		require.NoError(t, err)
		total := 0
		for _, row := range c.Counts {
			for _, v := range row {
				total += v
			}
		}
		assert.Equal(t, n, total, "counts sum to n")
		ari := c.AdjustedRand()
		assert.False(t, math.IsNaN(ari) || math.IsInf(ari, 0), "ARI %v", ari)
		assert.GreaterOrEqual(t, ari, -0.5-1e-12)
		assert.LessOrEqual(t, ari, 1+1e-12)
		nmi := c.NMI()
		assert.False(t, math.IsNaN(nmi), "NMI is NaN")
		assert.GreaterOrEqual(t, nmi, 0.0)
		assert.LessOrEqual(t, nmi, 1.0)
		self, err := AdjustedRand(a, a)
		require.NoError(t, err)
		assert.Equal(t, 1.0, self, "ARI of a labeling with itself")
	})
}
