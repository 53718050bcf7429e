package behavior

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/classify"
)

const dataDir = "../../shared/data"

// The online-retail check: features from the invoices before the cut-off,
// churned = no purchase in the three months after it (the data end on
// 2011-12-09).
var (
	retailCutoff = time.Date(2011, time.September, 9, 0, 0, 0, 0, time.UTC)
	retailEnd    = retailCutoff.AddDate(0, 3, 0)
)

// invoice is one invoice of the online-retail data.
type invoice struct {
	no, cust string
	t        time.Time
	qty      float64
	amount   float64
	ret      bool
}

// retailAccounts turns invoices into one account per customer with a
// purchase before the cut-off: its orders before the cut-off (a
// cancellation is a return), and Churned Yes when it bought nothing from
// the cut-off to three months after.
func retailAccounts(invs []invoice) []segment.Account {
	byCust := map[string]*segment.Account{}
	after := map[string]bool{}
	for _, iv := range invs {
		if !iv.t.Before(retailCutoff) {
			if !iv.ret && iv.t.Before(retailEnd.Add(24*time.Hour)) {
				after[iv.cust] = true
			}
			continue
		}
		a := byCust[iv.cust]
		if a == nil {
			a = &segment.Account{ID: iv.cust, Currency: "GBP"}
			byCust[iv.cust] = a
		}
		a.Orders = append(a.Orders, segment.Order{ID: iv.no, Time: iv.t, Amount: iv.amount, Quantity: iv.qty, Return: iv.ret})
	}
	var out []segment.Account
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range byCust {
			if !yield(id) {
				return
			}
		}
	}) {
		a := byCust[id]
		if !slices.ContainsFunc(a.Orders, func(o segment.Order) bool { return !o.Return }) {
			continue
		}
		a.Churned = segment.No
		if !after[id] {
			a.Churned = segment.Yes
		}
		out = append(out, *a)
	}
	return out
}

// readInvoices reads invoices.csv, the per-invoice roll-up: the amount is
// |Quantity| × UnitPrice (exact for single-line invoices only).
func readInvoices(tb testing.TB) []invoice {
	tb.Helper()
	path := filepath.Join(dataDir, "online-retail", "invoices.csv")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		tb.Skip("online-retail data absent: " + path)
	}
	require.NoError(tb, err)
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	require.NoError(tb, err)
	require.Equal(tb, []string{"InvoiceNo", "InvoiceDate", "CustomerID", "Country", "Quantity", "UnitPrice"}, head)
	var out []invoice
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		require.NoError(tb, err)
		t, err := time.Parse("1/2/2006 15:04", rec[1])
		require.NoError(tb, err)
		q, err := strconv.ParseFloat(rec[4], 64)
		require.NoError(tb, err)
		p, err := strconv.ParseFloat(rec[5], 64)
		require.NoError(tb, err)
		out = append(out, invoice{no: rec[0], cust: rec[2], t: t, qty: math.Abs(q), amount: math.Abs(q) * math.Max(p, 0), ret: strings.HasPrefix(rec[0], "C")})
	}
	return out
}

// readLines reads the 541,909 raw lines and rolls them up to invoices
// with exact amounts (lines without a customer, or with a non-positive
// price, are left out).
func readLines(tb testing.TB) []invoice {
	tb.Helper()
	path := filepath.Join(dataDir, "online-retail", "online_retail.csv.gz")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		tb.Skip("online-retail data absent: " + path)
	}
	require.NoError(tb, err)
	defer f.Close()
	z, err := gzip.NewReader(f)
	require.NoError(tb, err)
	r := csv.NewReader(z)
	r.ReuseRecord = true
	_, err = r.Read()
	require.NoError(tb, err)
	idx := map[string]int{}
	var out []invoice
	lines := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		require.NoError(tb, err)
		lines++
		if rec[6] == "" {
			continue
		}
		q, err := strconv.ParseFloat(rec[3], 64)
		require.NoError(tb, err)
		p, err := strconv.ParseFloat(rec[5], 64)
		require.NoError(tb, err)
		if p <= 0 || q == 0 {
			continue
		}
		k, ok := idx[rec[0]]
		if !ok {
			t, err := time.Parse(time.DateTime, rec[4])
			require.NoError(tb, err)
			k = len(out)
			idx[strings.Clone(rec[0])] = k
			out = append(out, invoice{no: strings.Clone(rec[0]), cust: strings.Clone(rec[6]), t: t, ret: strings.HasPrefix(rec[0], "C")})
		}
		out[k].qty += math.Abs(q)
		out[k].amount += math.Abs(q) * p
	}
	require.Equal(tb, 541909, lines)
	return out
}

// retailFigures fits the health and learned churn models and the
// lifecycle and RFM schemes on the accounts and returns the figures.
type retailFig struct {
	n, churned          int
	healthAUC, learnAUC float64
	recencyAUC          float64           // recency alone, for comparison
	lifecycle, rfm      map[string][2]int // segment name → accounts, churned
}

func retailCheck(t *testing.T, accts []segment.Account) retailFig {
	t.Helper()
	ctx := context.Background()
	var fig retailFig
	fig.n = len(accts)
	y := make([]int, len(accts))
	for i := range accts {
		if accts[i].Churned == segment.Yes {
			y[i] = 1
			fig.churned++
		}
	}
	segRates := func(c Config) (map[string][2]int, []float64) {
		s, err := New(c)
		require.NoError(t, err)
		m, err := s.Fit(ctx, slices.Values(accts))
		require.NoError(t, err)
		out := map[string][2]int{}
		risk := make([]float64, len(accts))
		for i := range accts {
			as, err := m.Assign(&accts[i])
			require.NoError(t, err)
			c := out[as.Segment.Name]
			c[0]++
			c[1] += y[i]
			out[as.Segment.Name] = c
			risk[i] = as.Scores["churn_risk"]
		}
		return out, risk
	}
	var risk []float64
	fig.lifecycle, risk = segRates(Config{AsOf: retailCutoff, Churn: ChurnHealth})
	var err error
	fig.healthAUC, err = classify.ROCAUC(y, risk, nil)
	require.NoError(t, err)
	fig.rfm, _ = segRates(Config{AsOf: retailCutoff, Churn: ChurnHealth, Scheme: RFM})
	rec := make([]float64, len(accts))
	for i := range accts {
		v := Features(&accts[i], Options{AsOf: retailCutoff})
		rec[i], _ = v.Get(RecencyDays)
	}
	fig.recencyAUC, err = classify.ROCAUC(y, rec, nil)
	require.NoError(t, err)

	s, err := New(Config{AsOf: retailCutoff, Churn: ChurnLearned, Seed: 1})
	require.NoError(t, err)
	m, err := s.Fit(ctx, slices.Values(accts))
	require.NoError(t, err)
	v := m.(*Model).Churn.Validation
	require.NotNil(t, v)
	fig.learnAUC = v.AUC
	return fig
}

func (f retailFig) log(t *testing.T) {
	t.Logf("%d customers, %d churned (%.1f%%); churn AUC health %.3f, learned (5-fold out of fold) %.3f; recency alone %.3f", f.n, f.churned, 100*float64(f.churned)/float64(f.n), f.healthAUC, f.learnAUC, f.recencyAUC)
	for _, tab := range []struct {
		name string
		m    map[string][2]int
	}{{"lifecycle", f.lifecycle}, {"rfm", f.rfm}} {
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range tab.m {
				if !yield(k) {
					return
				}
			}
		}) {
			c := tab.m[k]
			t.Logf("%s %-20s %5d accounts, churn rate %5.1f%%", tab.name, k, c[0], 100*float64(c[1])/float64(c[0]))
		}
	}
}

func rate(c [2]int) float64 { return float64(c[1]) / float64(c[0]) }

// assert checks the robust facts VALIDATION.md states.
func (f retailFig) assert(t *testing.T) {
	t.Helper()
	assert.Greater(t, f.healthAUC, 0.68, "health model churn AUC")
	assert.Greater(t, f.learnAUC, 0.71, "learned churn AUC, out of fold")
	assert.Greater(t, f.learnAUC, f.healthAUC, "the learned model beats the health model")
	assert.Greater(t, f.healthAUC, f.recencyAUC, "the health model beats recency alone")
	lc := f.lifecycle
	assert.Greater(t, rate(lc["At risk"]), rate(lc["Watch"]), "At risk churns more than Watch")
	assert.Greater(t, rate(lc["Watch"]), rate(lc["Healthy"]), "Watch churns more than Healthy")
	assert.Greater(t, rate(lc["Healthy"]), rate(lc["Expand"]), "Healthy churns more than Expand")
	assert.Greater(t, rate(lc["Dormant"]), 0.6, "Dormant churn rate")
	assert.Less(t, rate(lc["Expand"]), 0.2, "Expand churn rate")
	total := 0
	for _, seg := range rfmSegs[:len(rfmSegs)-1] {
		c := f.rfm[seg.Name]
		assert.Positive(t, c[0], "RFM segment %s is empty", seg.Name)
		total += c[0]
	}
	assert.Equal(t, f.n, total, "every customer has purchases, so an RFM segment of the eleven")
	rfm := f.rfm
	assert.Less(t, rate(rfm["Champions"]), 0.25, "Champions churn rate")
	assert.Less(t, rate(rfm["Loyal"]), 0.25, "Loyal churn rate")
	assert.Greater(t, rate(rfm["Lost"]), 0.6, "Lost churn rate")
	assert.Greater(t, rate(rfm["Hibernating"]), 0.6, "Hibernating churn rate")
}

func TestRetailInvoices(t *testing.T) {
	accts := retailAccounts(readInvoices(t))
	require.Len(t, accts, 3363)
	fig := retailCheck(t, accts)
	fig.log(t)
	fig.assert(t)
}

func TestRetailLines(t *testing.T) {
	if os.Getenv("STRATA_HEAVY") == "" {
		t.Skip("reading the 541,909 raw online-retail lines is slow; set STRATA_HEAVY=1")
	}
	accts := retailAccounts(readLines(t))
	require.Len(t, accts, 3362)
	fig := retailCheck(t, accts)
	fig.log(t)
	fig.assert(t)
}
