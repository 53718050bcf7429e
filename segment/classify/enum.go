package classify

import (
	"fmt"

	"github.com/strataseg/strata/segment/internal/enumtext"
)

// Penalty selects the regularization of [Logistic]. It marshals as text:
// "l2", "l1", "elasticnet", "none".
type Penalty int

const (
	// L2 penalizes ½‖w‖² (ridge). It is the zero value, as in
	// scikit-learn.
	L2 Penalty = iota
	// L1 penalizes ‖w‖₁ (lasso): many coefficients become exactly 0.
	L1
	// ElasticNet penalizes L1Ratio·‖w‖₁ + (1−L1Ratio)·½‖w‖² (Zou and Hastie
	// 2005, "Regularization and variable selection via the elastic net").
	ElasticNet
	// NoPenalty fits plain maximum likelihood. On separable data the
	// coefficients grow until MaxIter stops them.
	NoPenalty
)

var penaltyNames = []string{"l2", "l1", "elasticnet", "none"}

// String returns the penalty's name.
func (p Penalty) String() string { return enumtext.String(penaltyNames, p, "Penalty") }

// MarshalText encodes the penalty's name.
func (p Penalty) MarshalText() ([]byte, error) { return enumMarshal(penaltyNames, p, "penalty") }

// UnmarshalText decodes a penalty's name.
func (p *Penalty) UnmarshalText(b []byte) error { return enumUnmarshal(p, penaltyNames, b, "penalty") }

// Solver selects the algorithm that fits a [Logistic] model. Every solver
// minimizes the same objective; they differ in speed. It marshals as text:
// "auto", "newton", "lbfgs", "cd".
type Solver int

const (
	// SolverAuto picks Newton for L2 and no penalty up to
	// [NewtonMaxFeatures] features, L-BFGS above, and coordinate descent
	// for L1 and elastic net. It is the zero value.
	SolverAuto Solver = iota
	// SolverNewton is Newton's method (iteratively reweighted least squares)
	// with a backtracking line search and a Cholesky solve of the exact
	// Hessian, reused for cheap chord steps while they converge fast:
	// O(n·d²) per Hessian (O(n·k²) for k non-zeros per row on sparse
	// data), a handful of Hessians per fit, for L2 or no penalty.
	SolverNewton
	// SolverLBFGS is gonum's limited-memory BFGS (Liu and Nocedal 1989,
	// "On the limited memory BFGS method for large scale optimization"),
	// O(n·d) per iteration, for L2 or no penalty.
	SolverLBFGS
	// SolverCD is a proximal Newton method whose quadratic subproblems are
	// solved by cyclic coordinate descent with soft-thresholding (Friedman,
	// Hastie and Tibshirani 2010, "Regularization paths for generalized
	// linear models via coordinate descent"; Yuan, Ho and Lin 2012, "An
	// improved GLMNET for L1-regularized logistic regression"; Lee, Sun and
	// Saunders 2014, "Proximal Newton-type methods for minimizing composite
	// functions"), for any penalty.
	SolverCD
)

var solverNames = []string{"auto", "newton", "lbfgs", "cd"}

// String returns the solver's name.
func (s Solver) String() string { return enumtext.String(solverNames, s, "Solver") }

// MarshalText encodes the solver's name.
func (s Solver) MarshalText() ([]byte, error) { return enumMarshal(solverNames, s, "solver") }

// UnmarshalText decodes a solver's name.
func (s *Solver) UnmarshalText(b []byte) error { return enumUnmarshal(s, solverNames, b, "solver") }

// Calibration selects how a [Calibrator] maps scores to probabilities. It
// marshals as text: "none", "platt", "isotonic".
type Calibration int

const (
	// NoCalibration leaves probabilities as the model gives them. It is
	// the zero value.
	NoCalibration Calibration = iota
	// Platt fits a sigmoid 1/(1+exp(A·s+B)) to the scores s (Platt 1999,
	// "Probabilistic outputs for support vector machines", with the
	// Newton method and target smoothing of Lin, Lin and Weng 2007, "A note
	// on Platt's probabilistic outputs for support vector machines").
	Platt
	// Isotonic fits a non-decreasing step function by pool adjacent
	// violators (Ayer et al. 1955; Zadrozny and Elkan 2002, "Transforming
	// classifier scores into accurate multiclass probability estimates"),
	// interpolated linearly between steps as scikit-learn does.
	Isotonic
)

var calibrationNames = []string{"none", "platt", "isotonic"}

// String returns the calibration's name.
func (c Calibration) String() string { return enumtext.String(calibrationNames, c, "Calibration") }

// MarshalText encodes the calibration's name.
func (c Calibration) MarshalText() ([]byte, error) {
	return enumMarshal(calibrationNames, c, "calibration")
}

// UnmarshalText decodes a calibration's name.
func (c *Calibration) UnmarshalText(b []byte) error {
	return enumUnmarshal(c, calibrationNames, b, "calibration")
}

// Metric selects what cross-validation maximizes or minimizes when it
// chooses the regularization strength. It marshals as text: "auc",
// "log-loss", "average-precision", "brier".
type Metric int

const (
	// MetricAUC maximizes the ROC AUC. It is the zero value.
	MetricAUC Metric = iota
	// MetricLogLoss minimizes the log loss.
	MetricLogLoss
	// MetricAveragePrecision maximizes the average precision (PR AUC).
	MetricAveragePrecision
	// MetricBrier minimizes the Brier score.
	MetricBrier
)

var metricNames = []string{"auc", "log-loss", "average-precision", "brier"}

// String returns the metric's name.
func (m Metric) String() string { return enumtext.String(metricNames, m, "Metric") }

// MarshalText encodes the metric's name.
func (m Metric) MarshalText() ([]byte, error) { return enumMarshal(metricNames, m, "metric") }

// UnmarshalText decodes a metric's name.
func (m *Metric) UnmarshalText(b []byte) error { return enumUnmarshal(m, metricNames, b, "metric") }

// higherIsBetter reports whether the metric is maximized.
func (m Metric) higherIsBetter() bool { return m == MetricAUC || m == MetricAveragePrecision }

func enumMarshal[T enumtext.Integer](names []string, v T, what string) ([]byte, error) {
	if s, ok := enumtext.Name(names, v); ok {
		return []byte(s), nil
	}
	return nil, fmt.Errorf("classify: %s %d is unknown: %w", what, int(v), ErrInvalidConfig)
}

// enumUnmarshal sets *p to the value b names; "" is the zero value, and so
// is *p after an unknown name.
func enumUnmarshal[T enumtext.Integer](p *T, names []string, b []byte, what string) error {
	v, ok := enumtext.Value[T](names, string(b))
	*p = v
	if ok || len(b) == 0 {
		return nil
	}
	return fmt.Errorf("classify: %s %q is unknown (want one of %q): %w", what, b, names, ErrInvalidConfig)
}
