package cluster_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/cluster"
	"github.com/strataseg/strata/segment/internal/kernel"
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

// benchSetup returns the data directory and the iteration cap, skipping
// when the data are not there.
func benchSetup(b *testing.B) (dir string, iters int) {
	dir = os.Getenv("STRATA_BENCH_DIR")
	if dir == "" {
		b.Skip("STRATA_BENCH_DIR not set: run bench/run.sh (it generates the data with bench/gen)")
	}
	iters = 50
	if s := os.Getenv("STRATA_BENCH_ITERS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("bad STRATA_BENCH_ITERS %q", s)
		}
		iters = v
	}
	return dir, iters
}

func benchKMeans(b *testing.B, alg cluster.Algorithm) {
	dir, iters := benchSetup(b)
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
			cpu0 := processCPU()
			for b.Loop() {
				var err error
				m, err = cluster.KMeans(context.Background(), x, nil, cfg)
				if err != nil {
					b.Fatal(err)
				}
			}
			if cpu := processCPU() - cpu0; cpu > 0 {
				// CPU time of the whole process per fit, on all cores:
				// on a shared machine, steadier than sec/op for comparing
				// algorithms.
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
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

// BenchmarkKernelLloyd runs Lloyd's iteration straight on the distance
// kernels (Centres.NearestAdd: assignment and accumulation in one pass over
// each block of rows), on GOMAXPROCS goroutines, with none of KMeans's
// input checks: the speed the kernels allow, for comparison with
// BenchmarkLloyd. It stops, like Lloyd, when no label changes, and reports
// the inertia of the final labels computed as Σ‖x−c‖².
func BenchmarkKernelLloyd(b *testing.B) {
	dir, iters := benchSetup(b)
	for _, sh := range benchShapes {
		b.Run(fmt.Sprintf("n=%d/d=%d/k=%d", sh.n, sh.d, sh.k), func(b *testing.B) {
			base := filepath.Join(dir, fmt.Sprintf("n%d_d%d_k%d", sh.n, sh.d, sh.k))
			x := readF64(b, base+".x.f64", sh.n*sh.d)
			c := readF64(b, base+".init.f64", sh.k*sh.d)
			b.ReportAllocs()
			var it int
			var inertia float64
			for b.Loop() {
				it, inertia = kernelLloyd(x, c, sh.n, sh.d, sh.k, iters)
			}
			perFit := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(perFit*1e9/float64(sh.n)/float64(it), "ns/pt-iter")
			b.ReportMetric(2*float64(sh.n*sh.d*sh.k)*float64(it)/perFit/1e9, "GFLOP/s")
			b.ReportMetric(float64(it), "iters")
			b.ReportMetric(inertia, "inertia")
			b.Logf("inertia %s %.17g", b.Name(), inertia)
		})
	}
}

// kernelLloyd is Lloyd's iteration on the kernels, from centres init (k×d),
// for at most maxIter iterations; partial sums are per chunk and reduced in
// chunk order. It returns the iterations run and the final inertia.
func kernelLloyd(x, init []float64, n, d, k, maxIter int) (int, float64) {
	const chunks = 64
	rows := (n + chunks - 1) / chunks
	xnorm := make([]float64, n)
	kernel.SqNorms(xnorm, x, d)
	centres := append([]float64(nil), init...)
	cnorm := make([]float64, k)
	labels := make([]int32, n)
	for i := range labels {
		labels[i] = -1
	}
	fresh := make([]int32, n)
	sums := make([][]float64, chunks)
	counts := make([][]float64, chunks)
	changed := make([]int, chunks)
	for c := range sums {
		sums[c] = make([]float64, k*d)
		counts[c] = make([]float64, k)
	}
	workers := runtime.GOMAXPROCS(0)
	var p kernel.Centres
	parallel := func(fn func(c, lo, hi int)) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					c := int(next.Add(1) - 1)
					if c >= chunks {
						return
					}
					lo := min(c*rows, n)
					fn(c, lo, min(lo+rows, n))
				}
			})
		}
		wg.Wait()
	}
	it := 0
	for it < maxIter {
		it++
		kernel.SqNorms(cnorm, centres, d)
		p.Pack(centres, cnorm, d)
		parallel(func(c, lo, hi int) {
			clear(sums[c])
			clear(counts[c])
			p.NearestAdd(fresh[lo:hi], nil, sums[c], counts[c], x[lo*d:hi*d], xnorm[lo:hi], nil)
			ch := 0
			for i := lo; i < hi; i++ {
				if fresh[i] != labels[i] {
					ch++
					labels[i] = fresh[i]
				}
			}
			changed[c] = ch
		})
		next := make([]float64, k*d)
		wt := make([]float64, k)
		nch := 0
		for c := range chunks {
			for j, v := range sums[c] {
				next[j] += v
			}
			for j, v := range counts[c] {
				wt[j] += v
			}
			nch += changed[c]
		}
		for j := range k {
			if wt[j] == 0 {
				copy(next[j*d:(j+1)*d], centres[j*d:(j+1)*d]) // empty: keep
				continue
			}
			for t := range d {
				next[j*d+t] /= wt[j]
			}
		}
		centres = next
		if nch == 0 {
			break
		}
	}
	// Final labels and inertia, as KMeans computes them.
	kernel.SqNorms(cnorm, centres, d)
	p.Pack(centres, cnorm, d)
	part := make([]float64, chunks)
	parallel(func(c, lo, hi int) {
		p.Nearest(labels[lo:hi], nil, x[lo*d:hi*d], xnorm[lo:hi])
		var s float64
		for i := lo; i < hi; i++ {
			l := int(labels[i])
			s += kernel.SqDist(x[i*d:(i+1)*d], centres[l*d:(l+1)*d])
		}
		part[c] = s
	})
	var inertia float64
	for _, s := range part {
		inertia += s
	}
	return it, inertia
}
