package classify_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/classify"
	"github.com/strataseg/strata/segment/cluster"
)

// The X Education leads (see ../../../shared/data/leads/SOURCE.md) and the
// side-by-side with scikit-learn written by bench/leads_sklearn.py.
const (
	leadsCSV     = "../../../shared/data/leads/Leads.csv"
	leadsFolds   = "testdata/leads_folds.txt"
	leadsSklearn = "testdata/leads_sklearn.json"
)

var (
	leadsIDs     = []string{"Prospect ID", "Lead Number"}
	leadsLabel   = "Converted"
	leadsPost    = []string{"Tags", "Lead Quality", "Last Activity", "Last Notable Activity", "Lead Profile", "Asymmetrique Activity Index", "Asymmetrique Profile Index", "Asymmetrique Activity Score", "Asymmetrique Profile Score"}
	leadsNumeric = []string{"TotalVisits", "Total Time Spent on Website", "Page Views Per Visit", "Asymmetrique Activity Score", "Asymmetrique Profile Score"}
)

// leads is the leads file read column by column.
type leads struct {
	names []string             // columns but the IDs and the label, in file order
	num   map[string][]float64 // numeric columns, NaN missing
	cat   map[string][]string  // categorical columns, "" missing
	y     []int
}

// readLeads reads Leads.csv with encoding/csv: "Select" and blanks are
// missing. It skips the test when the file is absent.
func readLeads(tb testing.TB) *leads {
	tb.Helper()
	f, err := os.Open(leadsCSV)
	if errors.Is(err, os.ErrNotExist) {
		tb.Skipf("leads data absent (%s)", leadsCSV)
	}
	require.NoError(tb, err)
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	require.NoError(tb, err)
	l := &leads{num: map[string][]float64{}, cat: map[string][]string{}}
	label := slices.Index(header, leadsLabel)
	require.GreaterOrEqual(tb, label, 0, "column %q", leadsLabel)
	var keep []int
	for j, h := range header {
		if h == "" || h == leadsLabel || slices.Contains(leadsIDs, h) {
			continue
		}
		keep = append(keep, j)
		l.names = append(l.names, h)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		require.NoError(tb, err)
		y, err := strconv.Atoi(rec[label])
		require.NoError(tb, err)
		l.y = append(l.y, y)
		for _, j := range keep {
			h, v := header[j], strings.TrimSpace(rec[j])
			if v == "Select" {
				v = ""
			}
			if slices.Contains(leadsNumeric, h) {
				x := math.NaN()
				if v != "" {
					x, err = strconv.ParseFloat(v, 64)
					require.NoError(tb, err, "column %q", h)
				}
				l.num[h] = append(l.num[h], x)
			} else {
				l.cat[h] = append(l.cat[h], v)
			}
		}
	}
	return l
}

// leadsData returns the raw columns of a feature set ("presales" or "all")
// and the spec that encodes them as scikit-learn's side does: median
// imputation and standardization, one-hot with a missing level of its own
// (when missingLevel) or all zeros.
func (l *leads) data(set string, missingLevel bool) (classify.Data, classify.FeatureSpec) {
	var spec classify.FeatureSpec
	var numCols [][]float64
	var cat [][]string
	for _, h := range l.names {
		if set == "presales" && slices.Contains(leadsPost, h) {
			continue
		}
		if v, ok := l.num[h]; ok {
			spec.Numeric = append(spec.Numeric, cluster.ColumnSpec{Name: h, Impute: cluster.ImputeMedian, Scale: cluster.ScaleStandard})
			numCols = append(numCols, v)
			continue
		}
		col := l.cat[h]
		if missingLevel {
			col = slices.Clone(col)
			for i, v := range col {
				if v == "" {
					col[i] = "missing"
				}
			}
		}
		spec.Categorical = append(spec.Categorical, h)
		cat = append(cat, col)
	}
	n := len(l.y)
	x := mat.NewDense(n, len(numCols), nil)
	for j, col := range numCols {
		for i, v := range col {
			x.Set(i, j, v)
		}
	}
	return classify.Data{X: x, Cat: cat, Y: l.y}, spec
}

// readFolds reads the fold of each row written by leads_sklearn.py.
func readFolds(tb testing.TB, n int) []int {
	tb.Helper()
	b, err := os.ReadFile(leadsFolds)
	require.NoError(tb, err, "run bench/leads_sklearn.py to write %s", leadsFolds)
	var fold []int
	for _, s := range strings.Fields(string(b)) {
		f, err := strconv.Atoi(s)
		require.NoError(tb, err)
		fold = append(fold, f)
	}
	require.Len(tb, fold, n, "%s", leadsFolds)
	return fold
}

type sklearnLeads struct {
	Presales, All struct {
		AUC          []float64 `json:"auc"`
		AUCMean      float64   `json:"auc_mean"`
		AUCConverged []float64 `json:"auc_converged"`
		FitS         []float64 `json:"fit_s"`
		LRFitS       []float64 `json:"lr_fit_s"`
	}
}

// TestLeadsMatchesSklearn fits the five folds scikit-learn fitted, on the
// same columns, and checks that the AUC is at least scikit-learn's, fold by
// fold and on average (within 0.001).
func TestLeadsMatchesSklearn(t *testing.T) {
	if raceEnabled {
		t.Skip("the leads check takes 30 s under the race detector; it runs without -race")
	}
	l := readLeads(t)
	require.Len(t, l.y, 9240, "leads")
	fold := readFolds(t, len(l.y))
	b, err := os.ReadFile(leadsSklearn)
	require.NoError(t, err)
	var sk sklearnLeads
	require.NoError(t, json.Unmarshal(b, &sk))
	for _, set := range []string{"presales", "all"} {
		t.Run(set, func(t *testing.T) {
			data, spec := l.data(set, true)
			data.Fold = fold
			start := time.Now()
			res, err := classify.CrossValidate(context.Background(), data, classify.CVConfig{Features: &spec, NoRefit: true})
			require.NoError(t, err)
			elapsed := time.Since(start)
			ref := sk.Presales
			if set == "all" {
				ref = sk.All
			}
			got := res.Grid[0]
			t.Logf("%s: AUC per fold %.4f, mean %.4f (scikit-learn %.4f); five fits %v", set, got.Folds, got.Mean, ref.AUCMean, elapsed)
			s := res.Scores
			t.Logf("%s: pooled out-of-fold AUC %.4f, average precision %.4f, log loss %.4f, Brier %.4f, KS %.4f, base rate %.4f",
				set, s.AUC, s.AveragePrecision, s.LogLoss, s.Brier, s.KS, s.BaseRate)
			rel, err := classify.Reliability(l.y, res.OutOfFoldP, nil, 10)
			require.NoError(t, err)
			for _, r := range rel {
				t.Logf("%s: reliability decile %2d: predicted %.3f, observed %.3f (%d leads)", set, r.Bin, r.MeanPredicted, r.Observed, r.Rows)
			}
			gains, err := classify.Gains(l.y, res.OutOfFoldP, nil, 10)
			require.NoError(t, err)
			for _, g := range gains {
				t.Logf("%s: gains decile %2d: rate %.3f, lift %.2f, cumulative gain %.3f, cumulative lift %.2f", set, g.Bin, g.Rate, g.Lift, g.CumGain, g.CumLift)
			}
			assert.Greater(t, gains[0].Lift, 2.0, "%s: the top decile converts at over twice the base rate", set)
			assert.GreaterOrEqual(t, got.Mean, ref.AUCMean-0.001, "%s: mean AUC", set)
			for f, a := range got.Folds {
				assert.GreaterOrEqual(t, a, ref.AUC[f]-0.002, "%s: fold %d AUC", set, f)
				// The same objective, solved to convergence by both.
				assert.InDelta(t, ref.AUCConverged[f], a, 5e-4, "%s: fold %d AUC against scikit-learn's converged fit", set, f)
			}
		})
	}
}

// TestLeadsChooseC chooses C from a grid by the cross-validated AUC on the
// side-by-side's folds (STRATA_HEAVY: 30 fits per set).
func TestLeadsChooseC(t *testing.T) {
	if os.Getenv("STRATA_HEAVY") == "" {
		t.Skip("set STRATA_HEAVY=1 to choose C on the leads (30 fits per feature set)")
	}
	l := readLeads(t)
	fold := readFolds(t, len(l.y))
	for _, set := range []string{"presales", "all"} {
		data, spec := l.data(set, true)
		data.Fold = fold
		res, err := classify.CrossValidate(context.Background(), data, classify.CVConfig{
			Features: &spec, NoRefit: true, Cs: []float64{0.03, 0.1, 0.3, 1, 3, 10},
		})
		require.NoError(t, err)
		for _, g := range res.Grid {
			t.Logf("%s: C=%-4v AUC %.4f (sd %.4f)", set, g.C, g.Mean, g.SD)
		}
		t.Logf("%s: chosen C=%v", set, res.C)
		assert.GreaterOrEqual(t, res.Grid[slices.IndexFunc(res.Grid, func(g classify.CVScore) bool { return g.C == res.C })].Mean,
			res.Grid[slices.IndexFunc(res.Grid, func(g classify.CVScore) bool { return g.C == 1 })].Mean, "%s: the chosen C scores at least C=1", set)
	}
}

// BenchmarkLeads times the five fold fits of the side-by-side on one
// worker: stage=pipeline fits the encoding and the model of each fold (as
// scikit-learn's pipeline does), stage=logistic the model alone on the
// encoded training rows. One op is one fold's fit.
func BenchmarkLeads(b *testing.B) {
	l := readLeads(b)
	fold := readFolds(b, len(l.y))
	for _, set := range []string{"presales", "all"} {
		data, spec := l.data(set, true)
		data.Fold = fold
		for _, solver := range []classify.Solver{classify.SolverNewton, classify.SolverLBFGS} {
			lc := classify.LogisticConfig{Solver: solver, Workers: 1}
			b.Run("set="+set+"/stage=pipeline/solver="+solver.String(), func(b *testing.B) {
				b.ReportAllocs()
				cpu := cpuTime()
				for b.Loop() {
					_, err := classify.CrossValidate(context.Background(), data, classify.CVConfig{Logistic: lc, Features: &spec, NoRefit: true, Workers: 1})
					require.NoError(b, err)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(5*b.N), "ns/fit")
				b.ReportMetric(float64(cpuTime()-cpu)/float64(5*b.N), "cpu-ns/fit")
			})
			// The encoded training rows of each fold.
			type part struct {
				x *mat.Dense
				y []int
			}
			var parts []part
			for f := range 5 {
				var tr []int
				for i, g := range fold {
					if g != f {
						tr = append(tr, i)
					}
				}
				num, cat := subset(data, tr)
				feat, err := classify.FitFeatures(spec, num, cat)
				require.NoError(b, err)
				x, err := feat.Transform(num, cat)
				require.NoError(b, err)
				y := make([]int, len(tr))
				for k, i := range tr {
					y[k] = data.Y[i]
				}
				parts = append(parts, part{x, y})
			}
			b.Run("set="+set+"/stage=logistic/solver="+solver.String(), func(b *testing.B) {
				b.ReportAllocs()
				iters := 0
				cpu := cpuTime()
				for b.Loop() {
					for _, p := range parts {
						m, err := classify.Logistic(context.Background(), p.x, p.y, nil, lc)
						require.NoError(b, err)
						iters += m.Iterations
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(5*b.N), "ns/fit")
				b.ReportMetric(float64(cpuTime()-cpu)/float64(5*b.N), "cpu-ns/fit")
				b.ReportMetric(float64(iters)/float64(5*b.N), "iterations/fit")
			})
		}
	}
}

// subset returns the given rows of raw columns.
func subset(d classify.Data, rows []int) (*mat.Dense, [][]string) {
	_, p := d.X.Dims()
	x := mat.NewDense(len(rows), p, nil)
	for k, i := range rows {
		for j := range p {
			x.Set(k, j, d.X.At(i, j))
		}
	}
	cat := make([][]string, len(d.Cat))
	for j, col := range d.Cat {
		cat[j] = make([]string, len(rows))
		for k, i := range rows {
			cat[j][k] = col[i]
		}
	}
	return x, cat
}

// cpuTime returns the process's user and system CPU time in nanoseconds:
// on a shared machine, a fairer clock than the wall's.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
