package cluster_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"unsafe"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/cluster"
)

// benchShapes are the shapes of the k-means speed benchmarks (see
// BENCHMARKS.md); their data come from bench/gen.
var benchShapes = []struct{ n, d, k int }{
	{100000, 8, 8}, {1000000, 16, 16}, {1000000, 64, 64}, {200000, 16, 256},
}

// readF64 reads a file of little-endian float64 straight into a []float64
// (no second copy, so the process's peak memory stays near the data size).
func readF64(b *testing.B, path string, want int) []float64 {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Skipf("benchmark data absent (%v): run bench/run.sh or go run ./segment/cluster/bench/gen -dir $STRATA_BENCH_DIR", err)
	}
	defer f.Close()
	v := make([]float64, want)
	buf := unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 8*want)
	if _, err := io.ReadFull(f, buf); err != nil {
		b.Fatalf("reading %s: %v", path, err)
	}
	// The files are little-endian, as amd64 and arm64 are.
	return v
}

func benchKMeans(b *testing.B, alg cluster.Algorithm) {
	dir := os.Getenv("STRATA_BENCH_DIR")
	if dir == "" {
		b.Skip("STRATA_BENCH_DIR not set: run bench/run.sh (it generates the data with bench/gen)")
	}
	iters := 50
	if s := os.Getenv("STRATA_BENCH_ITERS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("bad STRATA_BENCH_ITERS %q", s)
		}
		iters = v
	}
	for _, sh := range benchShapes {
		b.Run(fmt.Sprintf("n=%d/d=%d/k=%d", sh.n, sh.d, sh.k), func(b *testing.B) {
			base := filepath.Join(dir, fmt.Sprintf("n%d_d%d_k%d", sh.n, sh.d, sh.k))
			x := mat.NewDense(sh.n, sh.d, readF64(b, base+".x.f64", sh.n*sh.d))
			c := readF64(b, base+".init.f64", sh.k*sh.d)
			init := make([][]float64, sh.k)
			for j := range init {
				init[j] = c[j*sh.d : (j+1)*sh.d]
			}
			cfg := cluster.KMeansConfig{
				K: sh.k, Algorithm: alg, Init: init, MaxIter: iters,
				Refine: cluster.Refinement{Method: cluster.RefineNone},
			}
			b.ReportAllocs()
			var m *cluster.KMeansModel
			for b.Loop() {
				var err error
				m, err = cluster.KMeans(context.Background(), x, nil, cfg)
				if err != nil {
					b.Fatal(err)
				}
			}
			perFit := b.Elapsed().Seconds() / float64(b.N)
			it := float64(m.Iterations)
			b.ReportMetric(perFit*1e9/float64(sh.n)/it, "ns/pt-iter")
			b.ReportMetric(2*float64(sh.n*sh.d*sh.k)*it/perFit/1e9, "GFLOP/s")
			b.ReportMetric(it, "iters")
			b.ReportMetric(m.Inertia, "inertia")
			// The metric above is printed to a few digits; compare.py reads
			// the full value from this log line.
			b.Logf("inertia %s %.17g", b.Name(), m.Inertia)
		})
	}
}

// The benchmarks time whole fits (validation, the iterations, the final
// labels and inertia) from given initial centres, as the scikit-learn side
// does; ns/pt-iter and GFLOP/s (2·n·k·d per iteration) divide by the
// iterations run.

func BenchmarkLloyd(b *testing.B)   { benchKMeans(b, cluster.Lloyd) }
func BenchmarkHamerly(b *testing.B) { benchKMeans(b, cluster.Hamerly) }
func BenchmarkElkan(b *testing.B)   { benchKMeans(b, cluster.Elkan) }
func BenchmarkAuto(b *testing.B)    { benchKMeans(b, cluster.Auto) }
