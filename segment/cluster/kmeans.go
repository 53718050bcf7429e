package cluster

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/internal/enumtext"
	"github.com/strataseg/strata/segment/internal/kernel"
)

// Algorithm selects how KMeans iterates. The zero value is [Auto].
// Algorithms marshal as text ("auto", "lloyd", "hamerly", "elkan",
// "minibatch").
type Algorithm int

const (
	// Auto picks an exact algorithm with a cost model of the two measured
	// on strata's benchmarks: Lloyd below 16 clusters and wherever d·k is
	// too small for Hamerly's bounds to pay; otherwise Hamerly, handing
	// over to Lloyd when the fraction of rows failing their bounds stays
	// too high for the bounds to pay over the iterations to come (heavily
	// overlapping clusters). Whatever it runs, the result is Lloyd's;
	// Elkan was never the fastest and is not chosen.
	Auto Algorithm = iota
	// Lloyd is the plain Lloyd iteration (Lloyd 1982): every row is
	// compared with every centre at every iteration.
	Lloyd
	// Hamerly is Lloyd's iteration accelerated with one upper and one lower
	// distance bound per row (Hamerly 2010, "Making k-means even faster").
	// It gives the same labels and centres as Lloyd.
	Hamerly
	// Elkan is Lloyd's iteration accelerated with one lower bound per row
	// and centre and the triangle inequality between centres (Elkan 2003,
	// "Using the triangle inequality to accelerate k-means"). It gives the
	// same labels and centres as Lloyd.
	Elkan
	// MiniBatch updates the centres from random mini-batches of rows
	// (Sculley 2010, "Web-scale k-means clustering"): much faster on very
	// large inputs, at a small cost in inertia. Not exact.
	MiniBatch
)

var algorithmNames = []string{"auto", "lloyd", "hamerly", "elkan", "minibatch"}

// String returns the algorithm's text form, such as "hamerly".
func (a Algorithm) String() string { return enumtext.String(algorithmNames, a, "Algorithm") }

// MarshalText encodes the algorithm as its name.
func (a Algorithm) MarshalText() ([]byte, error) {
	return optionMarshal(algorithmNames, a, "algorithm")
}

// UnmarshalText decodes an algorithm name; the empty string is [Auto].
func (a *Algorithm) UnmarshalText(b []byte) error {
	return optionUnmarshal(a, algorithmNames, b, "algorithm")
}

// RefineMethod selects the refinement KMeans applies after its iterations.
// The zero value is [RefineAuto]. Methods marshal as text ("auto", "none",
// "swap").
type RefineMethod int

const (
	// RefineAuto refines with swaps except when the config gives Init
	// (the caller fixed the start), Algorithm is MiniBatch (inputs too
	// large for full passes) or K is 1.
	RefineAuto RefineMethod = iota
	// RefineNone keeps the best of the restarts as it is.
	RefineNone
	// RefineSwap applies random-swap refinement (Fränti 2018, "Efficiency
	// of random swap clustering", J. Big Data 5:13): repeatedly move one
	// centre to a random row, run a few k-means iterations, and keep the
	// change when the inertia drops. It finds clusters that k-means with
	// restarts misses.
	RefineSwap
)

var refineNames = []string{"auto", "none", "swap"}

// String returns the method's text form, such as "swap".
func (r RefineMethod) String() string { return enumtext.String(refineNames, r, "RefineMethod") }

// MarshalText encodes the method as its name.
func (r RefineMethod) MarshalText() ([]byte, error) {
	return optionMarshal(refineNames, r, "refine method")
}

// UnmarshalText decodes a method name; the empty string is [RefineAuto].
func (r *RefineMethod) UnmarshalText(b []byte) error {
	return optionUnmarshal(r, refineNames, b, "refine method")
}

// Refinement configures the search KMeans runs after k-means to escape
// local optima. The zero value is automatic.
type Refinement struct {
	// Method is the refinement; zero is [RefineAuto].
	Method RefineMethod `json:"method,omitempty"`
	// Trials is the number of swaps tried; 0 chooses it from k and the
	// number of rows.
	Trials int `json:"trials,omitempty"`
	// Iter is the number of k-means iterations run after each swap; 0
	// means 2.
	Iter int `json:"iter,omitempty"`
}

// KMeansConfig configures [KMeans]. It is plain data; its zero value works
// except for K, which must be set.
type KMeansConfig struct {
	// K is the number of clusters, at least 1.
	K int `json:"k"`
	// Algorithm selects the iteration; zero is [Auto].
	Algorithm Algorithm `json:"algorithm,omitempty"`
	// Init, when not nil, gives the K initial centres (K rows of the
	// matrix's width): no seeding is done, and Restarts must be 0 or 1.
	Init [][]float64 `json:"init,omitempty"`
	// Restarts is the number of seeded k-means runs, the one of lowest
	// inertia being kept (and then refined); 0 means 10 (as scikit-learn's
	// KMeans) without refinement, ⌈100/K⌉ capped to 1…10 with it, and 1
	// for MiniBatch; with Init it must be 0 or 1.
	Restarts int `json:"restarts,omitempty"`
	// MaxIter caps the iterations of each run; 0 means 300. For MiniBatch
	// it caps the passes over the data (steps × BatchSize / rows); 0 means
	// 100.
	MaxIter int `json:"max_iter,omitempty"`
	// Tol stops a run when the summed squared shift of the centres in one
	// iteration is at most Tol times the mean per-column variance of the
	// data (scikit-learn's rule). 0 stops only when no row changes cluster
	// (exact convergence) or at MaxIter.
	Tol float64 `json:"tol,omitempty"`
	// BatchSize is the number of rows per mini-batch for MiniBatch; 0
	// means 1024.
	BatchSize int `json:"batch_size,omitempty"`
	// Refine configures the local-optimum escape after k-means.
	Refine Refinement `json:"refine,omitzero"`
	// Seed seeds all randomness; the same Seed gives the same model
	// whatever Workers is.
	Seed uint64 `json:"seed"`
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int `json:"workers,omitempty"`
	// Progress, when not nil, is called from the calling goroutine as the
	// fit advances.
	Progress func(Progress) `json:"-"`
}

// Validate reports every problem with the config that can be seen without
// the data, joined, each wrapping [ErrInvalidConfig].
func (c KMeansConfig) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("cluster: "+format+": %w", append(args, ErrInvalidConfig)...))
	}
	if c.K < 1 {
		bad("k-means: K must be at least 1, got %d", c.K)
	}
	if c.Algorithm < Auto || c.Algorithm > MiniBatch {
		bad("k-means: unknown Algorithm %d", int(c.Algorithm))
	}
	if c.Restarts < 0 {
		bad("k-means: Restarts must not be negative, got %d", c.Restarts)
	}
	if c.Init != nil {
		if c.Restarts > 1 {
			bad("k-means: Restarts must be 0 or 1 with Init, got %d", c.Restarts)
		}
		if c.K >= 1 && len(c.Init) != c.K {
			bad("k-means: Init has %d centres, K is %d", len(c.Init), c.K)
		}
		for i, row := range c.Init {
			if len(row) == 0 {
				bad("k-means: Init centre %d is empty", i)
			} else if len(row) != len(c.Init[0]) {
				bad("k-means: Init centre %d has %d values, centre 0 has %d", i, len(row), len(c.Init[0]))
			}
			for j, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					bad("k-means: Init centre %d column %d is %v", i, j, v)
				}
			}
		}
	}
	if c.MaxIter < 0 {
		bad("k-means: MaxIter must not be negative, got %d", c.MaxIter)
	}
	if c.Tol < 0 || math.IsNaN(c.Tol) || math.IsInf(c.Tol, 0) {
		bad("k-means: Tol must be finite and not negative, got %v", c.Tol)
	}
	if c.BatchSize < 0 {
		bad("k-means: BatchSize must not be negative, got %d", c.BatchSize)
	}
	if c.Refine.Method < RefineAuto || c.Refine.Method > RefineSwap {
		bad("k-means: unknown Refine.Method %d", int(c.Refine.Method))
	}
	if c.Refine.Trials < 0 {
		bad("k-means: Refine.Trials must not be negative, got %d", c.Refine.Trials)
	}
	if c.Refine.Iter < 0 {
		bad("k-means: Refine.Iter must not be negative, got %d", c.Refine.Iter)
	}
	if c.Workers < 0 {
		bad("k-means: Workers must not be negative, got %d", c.Workers)
	}
	return errors.Join(errs...)
}

// KMeansModelVersion is the Version of the models this build writes.
const KMeansModelVersion = 1

// KMeansModel is a fitted k-means clustering: plain data that marshals to
// JSON and back with identical predictions. Its methods are pure and safe
// for concurrent use.
type KMeansModel struct {
	// Version is [KMeansModelVersion] for models this build writes.
	Version int `json:"version"`
	// Centers holds the K centres, one row each.
	Centers [][]float64 `json:"centers"`
	// Sizes holds the total weight of each cluster's fitted rows (its
	// number of rows when the fit was unweighted).
	Sizes []float64 `json:"sizes"`
	// Inertia is the weighted sum of squared distances from the fitted rows
	// to their nearest centre, computed directly as Σ w·Σ(x−c)².
	Inertia float64 `json:"inertia"`
	// Iterations is the number of iterations of the k-means run that
	// produced the centres: the best restart's, or after a successful swap
	// the run that followed it; for MiniBatch, the number of mini-batch
	// steps.
	Iterations int `json:"iterations"`
	// Converged reports whether that run stopped before MaxIter.
	Converged bool `json:"converged"`
	// Config is the config the model was fitted with.
	Config KMeansConfig `json:"config"`
}

// K returns the number of clusters.
func (m *KMeansModel) K() int { return len(m.Centers) }

// Predict returns the cluster of the nearest centre to row and the squared
// Euclidean distance to it. Centres are compared as the fit compares them,
// on ‖c‖² − 2·x·c, so Predict gives the labels of the fitted rows; ties go
// to the lower cluster index. The distance returned is computed directly,
// as Σ(x−c)². row must have as many values as the centres; Predict panics
// otherwise, as a slice index out of range would: where the row comes from
// outside the program, use [KMeansModel.PredictRow], which returns an error
// instead.
func (m *KMeansModel) Predict(row []float64) (label int, sqDist float64) {
	if len(m.Centers) == 0 {
		panic("cluster: Predict on a model without centres")
	}
	if len(row) != len(m.Centers[0]) {
		panic(fmt.Sprintf("cluster: Predict: row has %d values, centres have %d", len(row), len(m.Centers[0])))
	}
	best, bestS := 0, math.Inf(1)
	for j, c := range m.Centers {
		if s := score(row, c, kernel.Dot(c, c)); s < bestS {
			best, bestS = j, s
		}
	}
	return best, kernel.SqDist(row, m.Centers[best])
}

// PredictRow is [KMeansModel.Predict] with its input checked: a model
// without centres, a row whose length is not the centres' width, or a NaN or
// infinite value gives an error wrapping [ErrInvalidInput] (naming the
// column for a bad value) instead of a panic or a meaningless label.
func (m *KMeansModel) PredictRow(row []float64) (label int, sqDist float64, err error) {
	if len(m.Centers) == 0 {
		return 0, 0, fmt.Errorf("cluster: predict: model has no centres: %w", ErrInvalidInput)
	}
	if len(row) != len(m.Centers[0]) {
		return 0, 0, fmt.Errorf("cluster: predict: row has %d values, centres have %d: %w", len(row), len(m.Centers[0]), ErrInvalidInput)
	}
	for j, c := range m.Centers {
		if len(c) != len(row) {
			return 0, 0, fmt.Errorf("cluster: predict: centre %d has %d values, centre 0 has %d: %w", j, len(c), len(row), ErrInvalidInput)
		}
	}
	for j, v := range row {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, 0, fmt.Errorf("cluster: predict: column %d is %v: %w", j, v, ErrInvalidInput)
		}
	}
	label, sqDist = m.Predict(row)
	return label, sqDist, nil
}

// PredictTo writes into dst the cluster of the nearest centre to each row
// of x, as [KMeansModel.Predict] would. dst must have one element per row
// of x and x as many columns as the centres; NaN or infinite values in x
// give an error wrapping [ErrInvalidInput].
func (m *KMeansModel) PredictTo(dst []int, x mat.Matrix) error {
	if len(m.Centers) == 0 {
		return fmt.Errorf("cluster: predict: model has no centres: %w", ErrInvalidInput)
	}
	data, n, d, err := denseData(x)
	if err != nil {
		return fmt.Errorf("cluster: predict: %w", err)
	}
	if d != len(m.Centers[0]) {
		return fmt.Errorf("cluster: predict: x has %d columns, centres have %d: %w", d, len(m.Centers[0]), ErrInvalidInput)
	}
	if len(dst) != n {
		return fmt.Errorf("cluster: predict: dst has %d elements, x has %d rows: %w", len(dst), n, ErrInvalidInput)
	}
	if err := checkFinite(data, d); err != nil {
		return fmt.Errorf("cluster: predict: %w", err)
	}
	k := len(m.Centers)
	c := make([]float64, 0, k*d)
	for _, row := range m.Centers {
		if len(row) != d {
			return fmt.Errorf("cluster: predict: model centres are ragged: %w", ErrInvalidInput)
		}
		c = append(c, row...)
	}
	cnorm := make([]float64, k)
	kernel.SqNorms(cnorm, c, d)
	var pc kernel.Centres
	pc.Pack(c, cnorm, d)
	const block = 4096
	labels := make([]int32, min(n, block))
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		pc.Nearest(labels[:hi-lo], nil, data[lo*d:hi*d], nil)
		for i, l := range labels[:hi-lo] {
			dst[lo+i] = int(l)
		}
	}
	return nil
}

// KMeans clusters the rows of x into cfg.K clusters. weights, when not nil,
// gives each row's weight (a row of weight 2 counts as two identical rows);
// nil weighs every row 1. See [KMeansConfig] for the options and the package
// doc for inputs, determinism and cancellation.
//
// Errors wrap [ErrInvalidConfig] for a bad config, [ErrInvalidInput] for bad
// data or weights, and [ErrTooFewPoints] when x has fewer than K distinct
// rows of positive weight — in particular, rows that are all identical give
// a one-cluster model for K = 1 and that error for K > 1 (the error says how
// many distinct rows there are, so the caller can refit with that K).
func KMeans(ctx context.Context, x mat.Matrix, weights []float64, cfg KMeansConfig) (*KMeansModel, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	data, n, d, err := denseData(x)
	if err != nil {
		return nil, fmt.Errorf("cluster: k-means: %w", err)
	}
	if err := checkFinite(data, d); err != nil {
		return nil, fmt.Errorf("cluster: k-means: %w", err)
	}
	if err := checkWeights(weights, n); err != nil {
		return nil, fmt.Errorf("cluster: k-means: %w", err)
	}
	if cfg.Init != nil && len(cfg.Init[0]) != d {
		return nil, fmt.Errorf("cluster: k-means: Init centres have %d values, x has %d columns: %w", len(cfg.Init[0]), d, ErrInvalidConfig)
	}
	if distinct := countDistinct(data, n, d, weights, cfg.K); distinct < cfg.K {
		return nil, fmt.Errorf("cluster: k-means: K is %d but x has only %d distinct rows of positive weight: %w", cfg.K, distinct, ErrTooFewPoints)
	}
	cfg.Init = cloneRows(cfg.Init)
	f := newFitter(ctx, data, n, d, weights, cfg)
	return f.fit()
}
