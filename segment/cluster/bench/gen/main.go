// Command gen writes the data of strata's k-means speed benchmarks: for each
// shape (n rows, d columns, k clusters), Gaussian blobs in
// n<n>_d<d>_k<k>.x.f64 (n×d) and the initial centres in
// n<n>_d<d>_k<k>.init.f64 (k×d), both row-major float64 little-endian with
// no header. The Go benchmarks (segment/cluster/bench_test.go) and the
// scikit-learn script (sklearn_bench.py) read the same files.
//
// Usage: go run ./segment/cluster/bench/gen -dir DIR [-shapes 100000x8x8,...]
//
// The data are deterministic: a PCG seeded from the shape. The blobs'
// centres are uniform in [-10, 10]^d and each row is its blob's centre plus
// N(0, σ²) noise in every column, σ = 2 + 80/d, so the blobs overlap and Lloyd's
// iteration keeps moving for tens of iterations; the initial centres are k
// distinct rows drawn at random.
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Shapes are the benchmark shapes, as n×d×k.
const Shapes = "100000x8x8,1000000x16x16,1000000x64x64,200000x16x256"

func main() {
	dir := flag.String("dir", "", "directory for the files (required)")
	shapes := flag.String("shapes", Shapes, "comma-separated n×d×k shapes")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "gen: -dir is required")
		os.Exit(2)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	for _, s := range strings.Split(*shapes, ",") {
		var sh [3]int
		parts := strings.Split(s, "x")
		if len(parts) != 3 {
			fmt.Fprintf(os.Stderr, "gen: bad shape %q\n", s)
			os.Exit(2)
		}
		for i, p := range parts {
			v, err := strconv.Atoi(p)
			if err != nil || v < 1 {
				fmt.Fprintf(os.Stderr, "gen: bad shape %q\n", s)
				os.Exit(2)
			}
			sh[i] = v
		}
		if err := write(*dir, sh[0], sh[1], sh[2]); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}

func write(dir string, n, d, k int) error {
	base := filepath.Join(dir, fmt.Sprintf("n%d_d%d_k%d", n, d, k))
	if _, err := os.Stat(base + ".init.f64"); err == nil {
		return nil // already there (the files are deterministic)
	}
	if k > n {
		return fmt.Errorf("k=%d > n=%d", k, n)
	}
	rng := rand.New(rand.NewPCG(uint64(n), uint64(d)<<32|uint64(k)))
	blobs := make([]float64, k*d)
	for i := range blobs {
		blobs[i] = 20*rng.Float64() - 10
	}
	f, err := os.Create(base + ".x.f64.tmp")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var b [8]byte
	// Keep the chosen initial rows while writing.
	pick := rng.Perm(n)[:k]
	want := make(map[int]int, k)
	for j, i := range pick {
		want[i] = j
	}
	init := make([]float64, k*d)
	sigma := 2 + 80/float64(d)
	row := make([]float64, d)
	for i := range n {
		c := blobs[rng.IntN(k)*d:]
		for l := range row {
			row[l] = c[l] + sigma*rng.NormFloat64()
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(row[l]))
			w.Write(b[:])
		}
		if j, ok := want[i]; ok {
			copy(init[j*d:], row)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	out := make([]byte, 0, 8*len(init))
	for _, v := range init {
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
	}
	if err := os.WriteFile(base+".init.f64", out, 0o644); err != nil {
		return err
	}
	return os.Rename(base+".x.f64.tmp", base+".x.f64")
}
