package tier

import (
	"bufio"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
)

const dataDir = "../../shared/data"

var week = 7 * 24 * time.Hour

// cdnowEnd is the end of the calibration period of the published CDNOW
// summary: 39 weeks after the cohort's first day, 1997-01-01.
var cdnowEnd = time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)

// readCDNOWSummary reads the published 2,357-customer summary.
func readCDNOWSummary(tb testing.TB) []Summary {
	tb.Helper()
	path := filepath.Join(dataDir, "cdnow", "cdnow_customers_summary_with_transactions.csv")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		tb.Skip("CDNOW data absent: " + path)
	}
	require.NoError(tb, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(tb, err)
	require.Equal(tb, []string{"ID", "x", "t_x", "T", "zbar"}, rows[0])
	var out []Summary
	for _, r := range rows[1:] {
		x, err := strconv.Atoi(r[1])
		require.NoError(tb, err)
		v := make([]float64, 3)
		for i := range v {
			v[i], err = strconv.ParseFloat(r[2+i], 64)
			require.NoError(tb, err)
		}
		out = append(out, Summary{ID: r[0], Frequency: x, Recency: v[0], T: v[1], Monetary: v[2]})
	}
	return out
}

// readCDNOWSample reads the raw transactions of the 1/10 sample, as orders
// by customer (the second column, 1 to 2357, is the summary's ID).
func readCDNOWSample(tb testing.TB) map[string][]segment.Order {
	tb.Helper()
	path := filepath.Join(dataDir, "cdnow", "CDNOW_sample.txt")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		tb.Skip("CDNOW data absent: " + path)
	}
	require.NoError(tb, err)
	defer f.Close()
	out := map[string][]segment.Order{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 {
			continue
		}
		require.Len(tb, fs, 5, "CDNOW_sample.txt line %q", sc.Text())
		id := strings.TrimLeft(fs[1], "0")
		day, err := time.Parse("20060102", fs[2])
		require.NoError(tb, err)
		q, err := strconv.ParseFloat(fs[3], 64)
		require.NoError(tb, err)
		amt, err := strconv.ParseFloat(fs[4], 64)
		require.NoError(tb, err)
		out[id] = append(out[id], segment.Order{Time: day, Quantity: q, Amount: amt})
	}
	require.NoError(tb, sc.Err())
	return out
}

func TestFitBGNBDCDNOW(t *testing.T) {
	s := readCDNOWSummary(t)
	require.Len(t, s, 2357)
	m, err := FitBGNBD(s)
	require.NoError(t, err)
	// Fader, Hardie & Lee (2005): r = 0.2426, α = 4.4135, a = 0.7929,
	// b = 2.4258, LL = −9582.4; to 3 significant digits.
	assert.InDelta(t, 0.2426, m.R, 0.0005, "r")
	assert.InDelta(t, 4.4135, m.Alpha, 0.005, "alpha")
	assert.InDelta(t, 0.7929, m.A, 0.0005, "a")
	assert.InDelta(t, 2.4258, m.B, 0.005, "b")
	assert.InDelta(t, -9582.4, m.LogLikelihood, 0.05, "log-likelihood")
	assert.Equal(t, 2357, m.N)
	t.Logf("BG/NBD on CDNOW: r=%.4f alpha=%.4f a=%.4f b=%.4f LL=%.2f", m.R, m.Alpha, m.A, m.B, m.LogLikelihood)
}

func TestFitGammaGammaCDNOW(t *testing.T) {
	s := readCDNOWSummary(t)
	g, err := FitGammaGamma(s)
	require.NoError(t, err)
	assert.Equal(t, 946, g.N, "repeat buyers")
	// Fader, Hardie & Lee (2005, "RFM and CLV"): p = 6.25, q = 3.74, v = 15.45.
	assert.InDelta(t, 6.25, g.P, 0.005, "p")
	assert.InDelta(t, 3.74, g.Q, 0.005, "q")
	assert.InDelta(t, 15.45, g.V, 0.05, "v")
	t.Logf("Gamma-Gamma on CDNOW: p=%.4f q=%.4f v=%.4f LL=%.2f", g.P, g.Q, g.V, g.LogLikelihood)
}

func TestSummarizeCDNOWSample(t *testing.T) {
	want := readCDNOWSummary(t)
	orders := readCDNOWSample(t)
	require.Len(t, orders, len(want))
	for _, w := range want {
		got, err := Summarize(orders[w.ID], cdnowEnd, week)
		require.NoError(t, err, "customer %s", w.ID)
		assert.Equal(t, w.Frequency, got.Frequency, "customer %s: x", w.ID)
		assert.InDelta(t, w.Recency, got.Recency, 0.0051, "customer %s: t_x", w.ID)
		assert.InDelta(t, w.T, got.T, 0.0051, "customer %s: T", w.ID)
		assert.InDelta(t, w.Monetary, got.Monetary, 0.0051, "customer %s: zbar", w.ID)
	}
}

func BenchmarkFitBGNBD(b *testing.B) {
	s := readCDNOWSummary(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitBGNBD(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitGammaGamma(b *testing.B) {
	s := readCDNOWSummary(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitGammaGamma(s); err != nil {
			b.Fatal(err)
		}
	}
}
