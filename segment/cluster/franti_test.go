package cluster

import (
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// The Fränti clustering benchmark (Fränti and Sieranoja 2018), from
// /work/shared/data: see clustering/SOURCE.md and franti/SOURCE.md there.
const dataDir = "../../../shared/data"

// benchSet is one benchmark set: points, true labels (1..k) and the
// ground-truth centroids CI is measured against.
type benchSet struct {
	name   string
	x      *mat.Dense
	labels []int
	truth  *mat.Dense
	k      int
}

// frantiSets lists the sets of clustering/ in the order of QUALITY.md.
var frantiSets = []string{"s1", "s2", "s3", "s4", "a1", "a2", "a3", "unbalance", "d31", "r15", "birch1"}

// readMatrix reads whitespace-separated rows, gzipped when the name ends in
// .gz.
func readMatrix(t testing.TB, path string) *mat.Dense {
	t.Helper()
	fh, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("benchmark data %s is absent", path)
	}
	require.NoError(t, err)
	defer fh.Close()
	var r io.Reader = fh
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(fh)
		require.NoError(t, err)
		defer gz.Close()
		r = gz
	}
	var data []float64
	cols := 0
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if cols == 0 {
			cols = len(fields)
		}
		require.Equal(t, cols, len(fields), "ragged row in %s", path)
		for _, s := range fields {
			v, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err, path)
			data = append(data, v)
		}
	}
	require.NoError(t, sc.Err())
	require.NotZero(t, cols, "empty %s", path)
	return mat.NewDense(len(data)/cols, cols, data)
}

// loadSet loads a set of clustering/, with the official centroids of
// franti/ when there are some and the means of the labelled clusters
// otherwise (d31, r15).
func loadSet(t testing.TB, name string) *benchSet {
	t.Helper()
	x := readMatrix(t, filepath.Join(dataDir, "clustering", name+".data.gz"))
	lm := readMatrix(t, filepath.Join(dataDir, "clustering", name+".labels0.gz"))
	n, d := x.Dims()
	require.Equal(t, n, lm.RawMatrix().Rows, name)
	labels := make([]int, n)
	k := 0
	for i := range n {
		labels[i] = int(lm.At(i, 0))
		k = max(k, labels[i])
	}
	var truth *mat.Dense
	cb := filepath.Join(dataDir, "franti", name+"-cb.txt")
	if _, err := os.Stat(cb); err == nil {
		truth = readMatrix(t, cb)
	} else {
		truth = mat.NewDense(k, d, nil)
		counts := make([]float64, k)
		for i, l := range labels {
			if l == 0 {
				continue
			}
			counts[l-1]++
			for j := range d {
				truth.Set(l-1, j, truth.At(l-1, j)+x.At(i, j))
			}
		}
		for c := range k {
			for j := range d {
				truth.Set(c, j, truth.At(c, j)/counts[c])
			}
		}
	}
	require.Equal(t, k, truth.RawMatrix().Rows, "%s: centroids", name)
	return &benchSet{name: name, x: x, labels: labels, truth: truth, k: k}
}

// centersMatrix returns a model's centres as a matrix.
func centersMatrix(m *KMeansModel) *mat.Dense {
	d := len(m.Centers[0])
	c := mat.NewDense(len(m.Centers), d, nil)
	for j, row := range m.Centers {
		c.SetRow(j, row)
	}
	return c
}

// ci is the centroid index CI (Fränti, Rezaei and Zhao 2014) of a model
// against a set's ground truth.
func ci(t testing.TB, s *benchSet, m *KMeansModel) int {
	t.Helper()
	v, err := SymmetricCentroidIndex(centersMatrix(m), s.truth)
	require.NoError(t, err)
	return v
}
