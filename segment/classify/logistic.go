package classify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/mat"
)

// LogisticModelVersion is the version of [LogisticModel] this package
// writes and reads.
const LogisticModelVersion = 1

// NewtonMaxFeatures is the largest number of features for which
// [SolverAuto] fits an L2 model by Newton's method; above it, L-BFGS.
const NewtonMaxFeatures = 512

// HessianMaxFeatures is the largest number of features SolverNewton and
// SolverCD accept: both hold the (d+1)×(d+1) Hessian, 134 MB at 4,096.
// Above it, L1 and elastic net are refused and L2 needs L-BFGS.
const HessianMaxFeatures = 4096

// Defaults of [LogisticConfig].
const (
	DefaultC       = 1.0
	DefaultTol     = 1e-8
	DefaultMaxIter = 1000
)

// LogisticConfig configures [Logistic]. It is plain data; its zero value is
// scikit-learn's LogisticRegression(C=1): L2, intercept unpenalized, no
// class weights.
//
// The objective is scikit-learn's: with cᵢ the class weight of row i's
// label and sᵢ its sample weight,
//
//	minimize  penalty(w) + C · Σᵢ sᵢ·cᵢ·[log(1+e^zᵢ) − yᵢ·zᵢ],   zᵢ = b + xᵢ·w
//
// where penalty(w) is ½‖w‖² (L2), ‖w‖₁ (L1),
// L1Ratio·‖w‖₁ + (1−L1Ratio)·½‖w‖² (elastic net), or 0; the intercept b is
// never penalized. The solvers minimize it divided by C·Σᵢsᵢcᵢ, which has
// the same minimizer and a gradient whose size does not grow with the
// number of rows.
type LogisticConfig struct {
	// Penalty is the regularization; the zero value is L2.
	Penalty Penalty `json:"penalty"`
	// C is the inverse regularization strength, as in scikit-learn: larger
	// C, weaker penalty. 0 means DefaultC (1). Ignored with NoPenalty.
	C float64 `json:"c,omitempty"`
	// L1Ratio is the elastic net's share of L1, in [0, 1]; used only with
	// ElasticNet.
	L1Ratio float64 `json:"l1_ratio,omitempty"`
	// Balanced weights each class by n / (2·n_class), n counting rows (not
	// weights), as scikit-learn's class_weight="balanced" does, so that a
	// rare class counts as much as a common one. It excludes ClassWeight.
	Balanced bool `json:"balanced,omitempty"`
	// ClassWeight, when not nil, holds the weights of class 0 and class 1
	// (two finite positive numbers); nil weighs both 1.
	ClassWeight []float64 `json:"class_weight,omitempty"`
	// Solver is the algorithm; the zero value picks one (see SolverAuto).
	Solver Solver `json:"solver,omitempty"`
	// Tol stops the fit when the largest absolute component of the
	// gradient (for L1 and elastic net, of the minimum-norm subgradient)
	// of the scaled objective is at most Tol. 0 means DefaultTol (1e-8).
	Tol float64 `json:"tol,omitempty"`
	// MaxIter bounds the iterations (Newton steps, L-BFGS iterations,
	// outer proximal Newton steps). 0 means DefaultMaxIter (1000). A fit
	// that reaches it returns its last iterate with Converged false.
	MaxIter int `json:"max_iter,omitempty"`
	// Names names the features (one per column) in the model; nil names
	// them "x0", "x1", ….
	Names []string `json:"names,omitempty"`
	// Workers is the number of goroutines; 0 means GOMAXPROCS. The model
	// does not depend on it.
	Workers int `json:"-"`
}

// Validate reports every problem with the config, each wrapping
// [ErrInvalidConfig].
func (c LogisticConfig) Validate() error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("classify: logistic: "+format+": %w", append(a, ErrInvalidConfig)...))
	}
	if c.Penalty < L2 || c.Penalty > NoPenalty {
		bad("Penalty %d is unknown", int(c.Penalty))
	}
	if c.C < 0 || math.IsNaN(c.C) || math.IsInf(c.C, 0) {
		bad("C must be positive and finite, got %v", c.C)
	}
	if !(c.L1Ratio >= 0 && c.L1Ratio <= 1) {
		bad("L1Ratio must be in [0, 1], got %v", c.L1Ratio)
	}
	if c.Balanced && c.ClassWeight != nil {
		bad("Balanced and ClassWeight exclude each other")
	}
	if c.ClassWeight != nil {
		if len(c.ClassWeight) != 2 {
			bad("ClassWeight must hold 2 weights (class 0, class 1), got %d", len(c.ClassWeight))
		} else {
			for k, v := range c.ClassWeight {
				if !(v > 0) || math.IsInf(v, 0) {
					bad("ClassWeight[%d] must be positive and finite, got %v", k, v)
				}
			}
		}
	}
	if c.Solver < SolverAuto || c.Solver > SolverCD {
		bad("Solver %d is unknown", int(c.Solver))
	} else if (c.Solver == SolverNewton || c.Solver == SolverLBFGS) && (c.Penalty == L1 || c.Penalty == ElasticNet) {
		bad("Solver %s cannot fit Penalty %s (use cd)", c.Solver, c.Penalty)
	}
	if c.Tol < 0 || math.IsNaN(c.Tol) || math.IsInf(c.Tol, 0) {
		bad("Tol must not be negative, got %v", c.Tol)
	}
	if c.MaxIter < 0 {
		bad("MaxIter must not be negative, got %d", c.MaxIter)
	}
	seen := make(map[string]int, len(c.Names))
	for j, nm := range c.Names {
		if k, dup := seen[nm]; dup {
			bad("Names %d and %d are both %q", k, j, nm)
		}
		seen[nm] = j
	}
	return errors.Join(errs...)
}

func (c LogisticConfig) withDefaults() LogisticConfig {
	if c.C == 0 {
		c.C = DefaultC
	}
	if c.Tol == 0 {
		c.Tol = DefaultTol
	}
	if c.MaxIter == 0 {
		c.MaxIter = DefaultMaxIter
	}
	c.Names = slices.Clone(c.Names)
	c.ClassWeight = slices.Clone(c.ClassWeight)
	return c
}

// penalties returns the L1 and L2 strengths on the scaled objective, whose
// data term is the weighted mean loss: total is Σ sᵢcᵢ.
func (c LogisticConfig) penalties(total float64) (l1, l2 float64) {
	if c.Penalty == NoPenalty {
		return 0, 0
	}
	lam := 1 / (c.C * total)
	switch c.Penalty {
	case L1:
		return lam, 0
	case ElasticNet:
		return c.L1Ratio * lam, (1 - c.L1Ratio) * lam
	}
	return 0, lam
}

// solver returns the solver to use for d features.
func (c LogisticConfig) solver(d int) Solver {
	if c.Solver != SolverAuto {
		return c.Solver
	}
	if c.Penalty == L1 || c.Penalty == ElasticNet {
		return SolverCD
	}
	if d <= NewtonMaxFeatures {
		return SolverNewton
	}
	return SolverLBFGS
}

// classWeights returns the weights of class 0 and 1 for labels y.
func (c LogisticConfig) classWeights(y []int, rows []int) [2]float64 {
	switch {
	case c.ClassWeight != nil:
		return [2]float64{c.ClassWeight[0], c.ClassWeight[1]}
	case c.Balanced:
		var cnt [2]float64
		if rows == nil {
			for _, v := range y {
				cnt[v]++
			}
		} else {
			for _, i := range rows {
				cnt[y[i]]++
			}
		}
		n := cnt[0] + cnt[1]
		var cw [2]float64
		for k := range cw {
			cw[k] = 1
			if cnt[k] > 0 {
				cw[k] = n / (2 * cnt[k])
			}
		}
		return cw
	}
	return [2]float64{1, 1}
}

// LogisticModel is a fitted logistic regression: P(y=1 | x) =
// 1/(1+exp(−(Intercept + Σⱼ Coef[j]·x[j]))). It is plain data: it marshals
// to JSON and back with identical predictions, and its methods are pure
// and safe for concurrent use.
type LogisticModel struct {
	// Version is LogisticModelVersion.
	Version int `json:"version"`
	// Config is the config the model was fitted with, defaults filled in.
	Config LogisticConfig `json:"config"`
	// Features names the columns, one per coefficient.
	Features []string `json:"features"`
	// Coef holds one coefficient per feature: the change in log-odds for a
	// unit change of the feature.
	Coef []float64 `json:"coef"`
	// Intercept is the log-odds at x = 0.
	Intercept float64 `json:"intercept"`
	// Iterations is the number of iterations the solver took.
	Iterations int `json:"iterations"`
	// Converged reports whether the solver met Tol before MaxIter.
	Converged bool `json:"converged"`
}

// Logistic fits a regularized logistic regression of labels y (0 or 1) on
// the rows of x, with optional sample weights w (nil: all 1). x must be
// finite: impute and encode first (see [FitFeatures]). It is deterministic:
// the model does not depend on Workers. It checks ctx between chunks of
// work and returns an error matching ctx.Err() when it is done.
func Logistic(ctx context.Context, x mat.Matrix, y []int, w []float64, cfg LogisticConfig) (*LogisticModel, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	src, err := checkSource("logistic", x, y, w)
	if err != nil {
		return nil, err
	}
	if cfg.Names != nil && len(cfg.Names) != src.d {
		return nil, fmt.Errorf("classify: logistic: %d names for %d columns: %w", len(cfg.Names), src.d, ErrInvalidConfig)
	}
	return fitRows(ctx, src, nil, cfg)
}

// fitRows fits the rows of src (nil: all) with a validated config.
func fitRows(ctx context.Context, src *source, rows []int, cfg LogisticConfig) (*LogisticModel, error) {
	cfg = cfg.withDefaults()
	dz, err := src.build("logistic", rows, cfg.classWeights(src.y, rows))
	if err != nil {
		return nil, err
	}
	l1, l2 := cfg.penalties(dz.total)
	obj := newObjective(dz, l1, l2, newRunner(ctx, cfg.Workers))
	theta := make([]float64, dz.d+1)
	theta[dz.d] = math.Log(dz.posShare / (1 - dz.posShare))
	var st solveStats
	solver := cfg.solver(dz.d)
	if solver != SolverLBFGS && dz.d > HessianMaxFeatures {
		return nil, fmt.Errorf("classify: logistic: solver %s takes at most %d features, got %d: %w", solver, HessianMaxFeatures, dz.d, ErrInvalidConfig)
	}
	switch solver {
	case SolverNewton:
		st, err = solveNewton(obj, theta, cfg.Tol, cfg.MaxIter)
	case SolverLBFGS:
		st, err = solveLBFGS(ctx, obj, theta, cfg.Tol, cfg.MaxIter)
	default:
		st, err = solveCD(obj, theta, cfg.Tol, cfg.MaxIter)
	}
	if err != nil {
		return nil, err
	}
	for _, v := range theta {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("classify: logistic: the fit diverged (coefficient %v): %w", v, ErrInvalidInput)
		}
	}
	m := &LogisticModel{
		Version:    LogisticModelVersion,
		Config:     cfg,
		Features:   featureNames(cfg.Names, dz.d),
		Coef:       theta[:dz.d:dz.d],
		Intercept:  theta[dz.d],
		Iterations: st.iterations,
		Converged:  st.converged,
	}
	return m, nil
}

func featureNames(names []string, d int) []string {
	if names != nil {
		return slices.Clone(names)
	}
	out := make([]string, d)
	for j := range out {
		out[j] = "x" + strconv.Itoa(j)
	}
	return out
}

// Validate checks that the model can predict: a known version, one name
// per coefficient, finite numbers.
func (m *LogisticModel) Validate() error {
	if m == nil {
		return fmt.Errorf("classify: logistic model is nil: %w", ErrInvalidInput)
	}
	if m.Version != LogisticModelVersion {
		return fmt.Errorf("classify: logistic model version %d, want %d: %w", m.Version, LogisticModelVersion, ErrModelVersion)
	}
	if len(m.Features) != len(m.Coef) {
		return fmt.Errorf("classify: logistic model has %d features and %d coefficients: %w", len(m.Features), len(m.Coef), ErrInvalidInput)
	}
	for j, v := range m.Coef {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("classify: logistic model: coefficient %d %q is %v: %w", j, m.Features[j], v, ErrInvalidInput)
		}
	}
	if math.IsNaN(m.Intercept) || math.IsInf(m.Intercept, 0) {
		return fmt.Errorf("classify: logistic model: intercept is %v: %w", m.Intercept, ErrInvalidInput)
	}
	return nil
}

// DecisionRow returns the log-odds Intercept + Σⱼ Coef[j]·row[j] of one
// row (len(row) == len(Coef)). It is pure, allocation-free and safe for
// concurrent use.
func (m *LogisticModel) DecisionRow(row []float64) (float64, error) {
	if len(row) != len(m.Coef) {
		return 0, fmt.Errorf("classify: row has %d values, want %d: %w", len(row), len(m.Coef), ErrInvalidInput)
	}
	z := m.Intercept
	coef := m.Coef[:len(row)]
	for j, v := range row {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("classify: column %d %q: value %v is not finite: %w", j, m.Features[j], v, ErrInvalidInput)
		}
		z += coef[j] * v
	}
	return z, nil
}

// PredictRow returns P(y=1) for one row (len(row) == len(Coef)). It is
// pure, allocation-free and safe for concurrent use.
func (m *LogisticModel) PredictRow(row []float64) (float64, error) {
	z, err := m.DecisionRow(row)
	if err != nil {
		return 0, err
	}
	return sigmoid(z), nil
}

// PredictTo writes P(y=1) for every row of x into dst (len(dst) == rows of
// x).
func (m *LogisticModel) PredictTo(dst []float64, x mat.Matrix) error {
	if err := m.DecisionTo(dst, x); err != nil {
		return err
	}
	for i, z := range dst {
		dst[i] = sigmoid(z)
	}
	return nil
}

// DecisionTo writes the log-odds of every row of x into dst (len(dst) ==
// rows of x).
func (m *LogisticModel) DecisionTo(dst []float64, x mat.Matrix) error {
	if nilMatrix(x) {
		return fmt.Errorf("classify: predict: no data: %w", ErrInvalidInput)
	}
	n, d := x.Dims()
	if d != len(m.Coef) {
		return fmt.Errorf("classify: predict: x has %d columns, want %d: %w", d, len(m.Coef), ErrInvalidInput)
	}
	if len(dst) != n {
		return fmt.Errorf("classify: predict: dst has %d values, want %d: %w", len(dst), n, ErrInvalidInput)
	}
	data, stride := rowMajor(x)
	for i := range n {
		z, err := m.DecisionRow(data[i*stride : i*stride+d])
		if err != nil {
			return fmt.Errorf("classify: row %d: %w", i, err)
		}
		dst[i] = z
	}
	return nil
}
