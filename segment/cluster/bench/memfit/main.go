// Command memfit measures the memory of one strata k-means fit on a
// benchmark shape written by bench/gen: the process's resident set before
// the data are read (the Go runtime's fixed baseline), its peak (VmHWM), and
// the fit's own heap — the peak of the heap's object bytes during the fit,
// sampled every millisecond with runtime/metrics, less the heap before the
// fit, and the bytes allocated during the fit (runtime.MemStats.TotalAlloc).
//
// The data are streamed from the file into the matrix's backing slice
// through a 64 KiB buffer, so the process holds one copy of them.
//
// Usage:
//
//	go run ./segment/cluster/bench/memfit -dir DIR -shape 100000x8x8 -alg Lloyd [-iters 50]
//
// It prints one line in Go benchmark format (for benchstat and
// bench/compare.py) with the figures in bytes and as multiples of the data.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/cluster"
)

func main() {
	dir := flag.String("dir", os.Getenv("STRATA_BENCH_DIR"), "directory of bench/gen's files")
	shape := flag.String("shape", "100000x8x8", "n×d×k")
	alg := flag.String("alg", "Auto", "Lloyd, Hamerly, Elkan or Auto")
	iters := flag.Int("iters", 50, "iteration cap")
	flag.Parse()
	if err := run(*dir, *shape, *alg, *iters); err != nil {
		fmt.Fprintln(os.Stderr, "memfit:", err)
		os.Exit(1)
	}
}

func run(dir, shape, algName string, iters int) error {
	var n, d, k int
	if _, err := fmt.Sscanf(shape, "%dx%dx%d", &n, &d, &k); err != nil || n < 1 || d < 1 || k < 1 {
		return fmt.Errorf("bad shape %q", shape)
	}
	var alg cluster.Algorithm
	if err := alg.UnmarshalText([]byte(strings.ToLower(algName))); err != nil {
		return err
	}
	runtime.GC()
	baseRSS, err := status("VmRSS")
	if err != nil {
		return err
	}
	base := filepath.Join(dir, fmt.Sprintf("n%d_d%d_k%d", n, d, k))
	x := mat.NewDense(n, d, nil)
	if err := readInto(x.RawMatrix().Data, base+".x.f64"); err != nil {
		return err
	}
	c := make([]float64, k*d)
	if err := readInto(c, base+".init.f64"); err != nil {
		return err
	}
	init := make([][]float64, k)
	for j := range init {
		init[j] = c[j*d : (j+1)*d]
	}
	cfg := cluster.KMeansConfig{
		K: k, Algorithm: alg, Init: init, MaxIter: iters,
		Refine: cluster.Refinement{Method: cluster.RefineNone},
	}

	runtime.GC()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	heap0 := heapObjects()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	peak := heap0
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				peak = max(peak, heapObjects())
			}
		}
	})
	start := time.Now()
	m, err := cluster.KMeans(context.Background(), x, nil, cfg)
	elapsed := time.Since(start)
	peakEnd := heapObjects()
	close(stop)
	wg.Wait()
	runtime.ReadMemStats(&ms1)
	if err != nil {
		return err
	}
	peak = max(peak, peakEnd)
	hwm, err := status("VmHWM")
	if err != nil {
		return err
	}
	data := float64(8 * n * d)
	fitPeak := float64(peak - heap0)
	fitAlloc := float64(ms1.TotalAlloc - ms0.TotalAlloc)
	fmt.Printf("BenchmarkMemory%s/n=%d/d=%d/k=%d 1 %d ns/op %.0f data-B %.0f base-rss-B %.0f peak-rss-B %.0f fit-heap-B %.0f fit-alloc-B %.4f rss/data %.4f rss-base/data %.4f fit-heap/data %d iters\n",
		algName, n, d, k, elapsed.Nanoseconds(), data, float64(baseRSS), float64(hwm), fitPeak, fitAlloc,
		float64(hwm)/data, float64(hwm-baseRSS)/data, fitPeak/data, m.Iterations)
	return nil
}

// readInto fills v with the little-endian float64 values of a file,
// through a small buffer (no second copy of the data).
func readInto(v []float64, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("benchmark data absent (%w): run bench/run.sh or go run ./segment/cluster/bench/gen -dir DIR", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	var b [8]byte
	for i := range v {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
	}
	return nil
}

var sample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

// heapObjects returns the bytes of heap objects, live or not yet swept.
func heapObjects() uint64 {
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// status returns a field of /proc/self/status in bytes.
func status(field string) (uint64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(b) {
		if rest, ok := bytes.CutPrefix(line, []byte(field+":")); ok {
			f := bytes.Fields(rest)
			if len(f) == 2 && string(f[1]) == "kB" {
				v, err := strconv.ParseUint(string(f[0]), 10, 64)
				return v * 1024, err
			}
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", field)
}
