package cluster

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestQualityTable prints, with STRATA_QUALITY=1, the centroid index of the
// default fit for every benchmark set and seeds 0–9, with fit times: the
// table of QUALITY.md.
func TestQualityTable(t *testing.T) {
	if os.Getenv("STRATA_QUALITY") == "" {
		t.Skip("set STRATA_QUALITY=1 to print the quality table")
	}
	sets := frantiSets
	if s := os.Getenv("STRATA_SETS"); s != "" {
		sets = strings.Split(s, ",")
	}
	for _, name := range sets {
		s := loadSet(t, name)
		var cis []string
		zero := 0
		var total time.Duration
		for seed := range uint64(10) {
			start := time.Now()
			m, err := KMeans(context.Background(), s.x, nil, KMeansConfig{K: s.k, Seed: seed})
			total += time.Since(start)
			require.NoError(t, err)
			c := ci(t, s, m)
			if c == 0 {
				zero++
			}
			cis = append(cis, fmt.Sprint(c))
		}
		fmt.Printf("| %s | %s | %d/10 | %.3f s |\n", name, strings.Join(cis, " "), zero, total.Seconds()/10)
	}
}
