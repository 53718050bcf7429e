package kernel

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// BenchmarkNearest and BenchmarkNearest2 measure the assignment kernel
// alone, on one core, for the k-means benchmark shapes (rows cut to 20000),
// on every implementation.
func BenchmarkNearest(b *testing.B)  { benchNearest(b, false) }
func BenchmarkNearest2(b *testing.B) { benchNearest(b, true) }

func benchNearest(b *testing.B, second bool) {
	for _, sh := range []shape{{20000, 8, 8}, {20000, 16, 16}, {20000, 64, 64}, {20000, 16, 256}} {
		rng := rand.New(rand.NewPCG(1, 1))
		x, c := randData(rng, sh, 1)
		xn, cn := norms(x, sh.d), norms(c, sh.d)
		labels := make([]int32, sh.n)
		d1 := make([]float64, sh.n)
		d2 := make([]float64, sh.n)
		for name, sel := range paths() {
			b.Run(fmt.Sprintf("%s/d=%d/k=%d", name, sh.d, sh.k), func(b *testing.B) {
				defer sel()()
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				var p Centres
				p.Pack(c, cn, sh.d)
				b.ReportAllocs()
				cpu0 := threadCPU()
				for b.Loop() {
					if second {
						p.Nearest2(labels, d1, d2, x, xn)
					} else {
						p.Nearest(labels, d1, x, xn)
					}
				}
				flops := 2 * float64(sh.n*sh.d*sh.k)
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				// On a shared machine the thread's CPU time is steadier
				// than the wall clock.
				if cpu := threadCPU() - cpu0; cpu > 0 {
					b.ReportMetric(flops*float64(b.N)/cpu.Seconds()/1e9, "GFLOP/cpu-s")
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(sh.n), "ns/row")
			})
		}
	}
}

// threadCPU returns the CPU time of the calling OS thread (zero where not
// available).
func threadCPU() time.Duration {
	return threadCPUTime()
}

// BenchmarkAddRows measures the update step's accumulation, unweighted.
func BenchmarkAddRows(b *testing.B) {
	for _, sh := range []shape{{20000, 8, 8}, {20000, 16, 16}, {20000, 64, 64}} {
		rng := rand.New(rand.NewPCG(1, 1))
		x, _ := randData(rng, sh, 1)
		labels := make([]int32, sh.n)
		for i := range labels {
			labels[i] = int32(rng.IntN(sh.k))
		}
		sums := make([]float64, sh.k*sh.d)
		counts := make([]float64, sh.k)
		for name, sel := range paths() {
			b.Run(fmt.Sprintf("%s/d=%d/k=%d", name, sh.d, sh.k), func(b *testing.B) {
				defer sel()()
				for b.Loop() {
					AddRows(sums, counts, x, nil, labels, sh.d)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(sh.n), "ns/row")
			})
		}
	}
}
