package classify_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/classify"
)

// fixture is testdata/fixture.json, written by testdata/fixture.py with
// scikit-learn 1.2.1.
type fixture struct {
	X    [][]float64 `json:"x"`
	Y    []int       `json:"y"`
	W    []float64   `json:"w"`
	Fits []struct {
		Name   string `json:"name"`
		Config struct {
			C           float64            `json:"C"`
			Penalty     string             `json:"penalty"`
			L1Ratio     float64            `json:"l1_ratio"`
			ClassWeight json.RawMessage    `json:"class_weight"`
			_           map[string]float64 `json:"-"`
		} `json:"config"`
		Weights   bool      `json:"weights"`
		Coef      []float64 `json:"coef"`
		Intercept float64   `json:"intercept"`
	} `json:"fits"`
	Scores  []float64          `json:"scores"`
	Metrics map[string]float64 `json:"metrics"`
	Calib   struct {
		PlattA    float64   `json:"platt_a"`
		PlattB    float64   `json:"platt_b"`
		PlattAW   float64   `json:"platt_a_w"`
		PlattBW   float64   `json:"platt_b_w"`
		Grid      []float64 `json:"grid"`
		Isotonic  []float64 `json:"isotonic"`
		IsotonicW []float64 `json:"isotonic_w"`
	} `json:"calibration"`
}

func loadFixture(t *testing.T) (*fixture, *mat.Dense) {
	t.Helper()
	b, err := os.ReadFile("testdata/fixture.json")
	require.NoError(t, err)
	var f fixture
	require.NoError(t, json.Unmarshal(b, &f))
	x := mat.NewDense(len(f.X), len(f.X[0]), nil)
	for i, row := range f.X {
		x.SetRow(i, row)
	}
	return &f, x
}

// TestLogisticMatchesSklearn fits every configuration scikit-learn fitted
// in the fixture, with every solver that can, and compares coefficients.
func TestLogisticMatchesSklearn(t *testing.T) {
	f, x := loadFixture(t)
	for _, fit := range f.Fits {
		cfg := classify.LogisticConfig{C: fit.Config.C, L1Ratio: fit.Config.L1Ratio, Tol: 1e-10}
		if fit.Config.C == 0 {
			cfg.C = 1
		}
		switch fit.Config.Penalty {
		case "l1":
			cfg.Penalty = classify.L1
		case "elasticnet":
			cfg.Penalty = classify.ElasticNet
		case "none":
			cfg.Penalty = classify.NoPenalty
		}
		switch string(fit.Config.ClassWeight) {
		case "":
		case `"balanced"`:
			cfg.Balanced = true
		default:
			var cw map[string]float64
			require.NoError(t, json.Unmarshal(fit.Config.ClassWeight, &cw), fit.Name)
			cfg.ClassWeight = []float64{cw["0"], cw["1"]}
		}
		var w []float64
		if fit.Weights {
			w = f.W
		}
		solvers := []classify.Solver{classify.SolverAuto, classify.SolverCD}
		if cfg.Penalty == classify.L2 || cfg.Penalty == classify.NoPenalty {
			solvers = append(solvers, classify.SolverNewton, classify.SolverLBFGS)
		}
		for _, s := range solvers {
			cfg.Solver = s
			m, err := classify.Logistic(context.Background(), x, f.Y, w, cfg)
			require.NoError(t, err, "%s/%s", fit.Name, s)
			if s != classify.SolverLBFGS {
				// L-BFGS's line search stalls near 1e-9 on this set.
				assert.True(t, m.Converged, "%s/%s converged", fit.Name, s)
			}
			// saga (scikit-learn's L1 solver) stops near, not at, the optimum.
			tol := 1e-5
			if cfg.Penalty == classify.L1 || cfg.Penalty == classify.ElasticNet {
				tol = 1e-4
			}
			assert.InDeltaSlice(t, fit.Coef, m.Coef, tol, "%s/%s coefficients", fit.Name, s)
			assert.InDelta(t, fit.Intercept, m.Intercept, tol, "%s/%s intercept", fit.Name, s)
			if cfg.Penalty == classify.L1 {
				for j, c := range fit.Coef {
					if c == 0 {
						assert.Equal(t, 0.0, m.Coef[j], "%s/%s coefficient %d is exactly 0", fit.Name, s, j)
					}
				}
			}
		}
	}
}

func TestMetricsMatchSklearn(t *testing.T) {
	f, _ := loadFixture(t)
	prob := make([]float64, len(f.Scores))
	for i, s := range f.Scores {
		prob[i] = 1 / (1 + math.Exp(-s))
	}
	for _, tc := range []struct {
		name string
		w    []float64
		sfx  string
	}{{"unweighted", nil, ""}, {"weighted", f.W, "_w"}} {
		auc, err := classify.ROCAUC(f.Y, f.Scores, tc.w)
		require.NoError(t, err)
		assert.InDelta(t, f.Metrics["auc"+tc.sfx], auc, 1e-12, "%s AUC", tc.name)
		ap, err := classify.AveragePrecision(f.Y, f.Scores, tc.w)
		require.NoError(t, err)
		assert.InDelta(t, f.Metrics["ap"+tc.sfx], ap, 1e-12, "%s AP", tc.name)
		ll, err := classify.LogLoss(f.Y, prob, tc.w)
		require.NoError(t, err)
		assert.InDelta(t, f.Metrics["log_loss"+tc.sfx], ll, 1e-12, "%s log loss", tc.name)
		br, err := classify.Brier(f.Y, prob, tc.w)
		require.NoError(t, err)
		assert.InDelta(t, f.Metrics["brier"+tc.sfx], br, 1e-12, "%s Brier", tc.name)
	}
}

func TestCalibrationMatchesSklearn(t *testing.T) {
	f, _ := loadFixture(t)
	for _, tc := range []struct {
		name string
		w    []float64
		a, b float64
		iso  []float64
	}{{"unweighted", nil, f.Calib.PlattA, f.Calib.PlattB, f.Calib.Isotonic}, {"weighted", f.W, f.Calib.PlattAW, f.Calib.PlattBW, f.Calib.IsotonicW}} {
		pl, err := classify.FitCalibrator(classify.Platt, f.Scores, f.Y, tc.w)
		require.NoError(t, err)
		// scikit-learn stops its BFGS at a gradient of 1e-5.
		assert.InDelta(t, tc.a, pl.A, 1e-4, "%s Platt A", tc.name)
		assert.InDelta(t, tc.b, pl.B, 1e-4, "%s Platt B", tc.name)
		iso, err := classify.FitCalibrator(classify.Isotonic, f.Scores, f.Y, tc.w)
		require.NoError(t, err)
		require.NoError(t, iso.Validate())
		for k, s := range f.Calib.Grid {
			assert.InDelta(t, tc.iso[k], iso.Apply(s), 1e-12, "%s isotonic at %v", tc.name, s)
		}
	}
}
