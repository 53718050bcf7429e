package cluster

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestQualityTable prints, with STRATA_QUALITY=1, the centroid index of the
// default fit for every benchmark set and seeds 0–9, with the mean
// wall-clock and CPU time of a fit: the table of QUALITY.md. STRATA_SETS
// (comma-separated) picks sets, STRATA_WORKERS the number of workers;
// STRATA_PLAIN=1 fits without refinement, with 10 restarts.
func TestQualityTable(t *testing.T) {
	if os.Getenv("STRATA_QUALITY") == "" {
		t.Skip("set STRATA_QUALITY=1 to print the quality table")
	}
	sets := frantiSets
	workers, _ := strconv.Atoi(os.Getenv("STRATA_WORKERS"))
	if s := os.Getenv("STRATA_SETS"); s != "" {
		sets = strings.Split(s, ",")
	}
	for _, name := range sets {
		s := loadSet(t, name)
		var cis []string
		zero := 0
		var wall, cpu time.Duration
		for seed := range uint64(10) {
			start, startCPU := time.Now(), cpuTime()
			cfg := KMeansConfig{K: s.k, Seed: seed, Workers: workers}
			if os.Getenv("STRATA_PLAIN") != "" {
				cfg.Refine.Method, cfg.Restarts = RefineNone, 10
			}
			m, err := KMeans(context.Background(), s.x, nil, cfg)
			wall += time.Since(start)
			cpu += cpuTime() - startCPU
			require.NoError(t, err)
			c := ci(t, s, m)
			if c == 0 {
				zero++
			}
			cis = append(cis, fmt.Sprint(c))
		}
		fmt.Printf("| %s | %s | %d/10 | %.3f s | %.3f s |\n", name, strings.Join(cis, " "), zero, wall.Seconds()/10, cpu.Seconds()/10)
	}
}
