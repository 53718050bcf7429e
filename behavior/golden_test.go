package behavior

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment/segmenttest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestReasonsGolden pins the reason texts of every scheme for a few
// generated accounts; run with -update after a deliberate change.
func TestReasonsGolden(t *testing.T) {
	accts := segmenttest.Accounts(500, 21)
	var b strings.Builder
	for _, c := range []Config{
		{Scheme: Lifecycle, Churn: ChurnHealth},
		{Scheme: Lifecycle, Churn: ChurnLearned, Seed: 1},
		{Scheme: RFM, Churn: ChurnHealth},
		{Scheme: Drivers, Churn: ChurnHealth},
		{Scheme: Clusters, Churn: ChurnHealth, K: 3, Seed: 1},
	} {
		m := fitModel(t, c, accts)
		fmt.Fprintf(&b, "## scheme %s, churn learned %v\n", c.Scheme, m.Churn.Learned)
		for _, i := range []int{0, 1, 2, 3, 5, 8} {
			as, err := m.Assign(&accts[i])
			require.NoError(t, err)
			fmt.Fprintf(&b, "%s → %s (score %.3f)\n", as.AccountID, as.Segment.ID, as.Score)
			for _, r := range as.Reasons {
				fmt.Fprintf(&b, "  %s [%s %+.3f]\n", r.Text, r.Field, r.Effect)
			}
		}
	}
	path := filepath.Join("testdata", "reasons.golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run TestReasonsGolden -update to create it")
	assert.Equal(t, string(want), b.String())
}
