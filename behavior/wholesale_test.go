package behavior

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/cluster"
)

// readWholesale reads the 440 wholesale clients as accounts with one
// order per product category (the year's spending, dated 2014-01-01), and
// their channel (1 Horeca, 2 Retail).
func readWholesale(t *testing.T) ([]segment.Account, []int) {
	t.Helper()
	path := filepath.Join(dataDir, "wholesale", "wholesale_customers.csv")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skip("wholesale data absent: " + path)
	}
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	head := recs[0]
	require.Equal(t, []string{"Channel", "Region", "Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"}, head)
	when := time.Date(2014, time.January, 1, 0, 0, 0, 0, time.UTC)
	var accts []segment.Account
	var channel []int
	for i, rec := range recs[1:] {
		ch, err := strconv.Atoi(rec[0])
		require.NoError(t, err)
		a := segment.Account{ID: "W-" + strconv.Itoa(i+1)}
		for j := 2; j < len(rec); j++ {
			v, err := strconv.ParseFloat(rec[j], 64)
			require.NoError(t, err)
			a.Orders = append(a.Orders, segment.Order{Time: when, Amount: v, ProductLine: head[j]})
		}
		accts = append(accts, a)
		channel = append(channel, ch)
	}
	require.Len(t, accts, 440)
	return accts, channel
}

// clusterARI fits the Clusters scheme and returns the adjusted Rand index
// of its clusters against the channel, and the number of clusters.
func clusterARI(t *testing.T, accts []segment.Account, channel []int, c Config) (float64, int) {
	t.Helper()
	c.Scheme = Clusters
	s, err := New(c)
	require.NoError(t, err)
	m, err := s.Fit(context.Background(), slices.Values(accts))
	require.NoError(t, err)
	labels := make([]int, len(accts))
	segs := m.Segments()
	for i := range accts {
		as, err := m.Assign(&accts[i])
		require.NoError(t, err)
		labels[i] = slices.IndexFunc(segs, func(s segment.Segment) bool { return s.ID == as.Segment.ID })
	}
	ari, err := cluster.AdjustedRand(channel, labels)
	require.NoError(t, err)
	return ari, len(segs)
}

func TestWholesaleClusters(t *testing.T) {
	accts, channel := readWholesale(t)
	spend := []string{"spend:Fresh", "spend:Milk", "spend:Grocery", "spend:Frozen", "spend:Detergents_Paper", "spend:Delicassen"}
	ari2, _ := clusterARI(t, accts, channel, Config{K: 2, ClusterFeatures: spend, Seed: 1})
	ariDef, k := clusterARI(t, accts, channel, Config{Seed: 1})
	ariDef2, _ := clusterARI(t, accts, channel, Config{K: 2, Seed: 1})
	t.Logf("ARI against the channel: spend by category, k = 2: %.3f; default columns, k = 2: %.3f; default columns, chosen k = %d: %.3f", ari2, ariDef2, k, ariDef)
	// scikit-learn's k-means on standardized log spending, k = 2, gives
	// 0.518 (SOURCE.md).
	assert.InDelta(t, 0.518, ari2, 0.03, "spend by category, k = 2")
	assert.Greater(t, ariDef2, 0.4, "default columns, k = 2")
}
