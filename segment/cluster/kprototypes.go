package cluster

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/internal/enumtext"
)

// KPrototypesInit chooses how [KPrototypes] picks its first prototypes. It
// marshals as text: "kmeans++", "cao".
type KPrototypesInit int

const (
	// InitKMeansPlusPlus is greedy k-means++ (Arthur and Vassilvitskii
	// 2007) on the mixed cost: random, seeded by Seed, and restarted
	// Restarts times. It is the zero value.
	InitKMeansPlusPlus KPrototypesInit = iota
	// InitCao is the density-based initialisation of Cao, Liang and Bai
	// ("A new initialization method for categorical data clustering",
	// Expert Systems with Applications 36(7), 2009): the first prototype is
	// the row of highest density (the mean frequency of its levels), each
	// next one the row maximising its density times its cost to the
	// nearest prototype so far. It is deterministic, so it runs once
	// (Restarts must be 0 or 1), and needs categorical columns; with
	// numeric ones the cost is the mixed cost and the density the
	// categorical one.
	InitCao
)

var kpInitNames = []string{"kmeans++", "cao"}

// String returns the initialisation's name.
func (v KPrototypesInit) String() string {
	return enumtext.String(kpInitNames, v, "KPrototypesInit")
}

// MarshalText encodes the initialisation's name.
func (v KPrototypesInit) MarshalText() ([]byte, error) {
	return enumMarshal(kpInitNames, v, "k-prototypes init")
}

// UnmarshalText decodes an initialisation's name.
func (v *KPrototypesInit) UnmarshalText(b []byte) error {
	return enumUnmarshal(v, kpInitNames, b, "k-prototypes init")
}

// KPrototypesConfig configures [KPrototypes] and [KModes]. It is plain
// data; its zero value works except for K, which must be set.
type KPrototypesConfig struct {
	// K is the number of clusters, at least 1.
	K int `json:"k"`
	// Gamma weighs one categorical mismatch against squared numeric
	// distance; 0 sets it from the data as GammaScale times the mean
	// (weighted, population) standard deviation of the numeric columns, as
	// Huang suggests (Z. Huang, "Clustering large data sets with mixed
	// numeric and categorical values", PAKDD 1997; and Huang 1998). With
	// standardized numeric columns the automatic Gamma is GammaScale. With
	// no numeric column, or none that varies, 0 means 1 (with no numeric
	// column Gamma does not change the clustering).
	Gamma float64 `json:"gamma,omitempty"`
	// GammaScale is the fraction of the mean numeric standard deviation
	// that an automatic Gamma takes; 0 means 0.5, the middle of the range
	// Huang suggests (1/3 to 2/3). Ignored when Gamma is set.
	GammaScale float64 `json:"gamma_scale,omitempty"`
	// Init chooses the first prototypes; zero is [InitKMeansPlusPlus].
	Init KPrototypesInit `json:"init,omitempty"`
	// Restarts is the number of seeded runs, the one of lowest cost being
	// kept; 0 means 4 (1 with InitCao).
	Restarts int `json:"restarts,omitempty"`
	// MaxIter caps the iterations of each run; 0 means 100. A run stops
	// earlier, converged, when no row changes cluster.
	MaxIter int `json:"max_iter,omitempty"`
	// Seed seeds all randomness; the same Seed gives the same model
	// whatever Workers is.
	Seed uint64 `json:"seed"`
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int `json:"workers,omitempty"`
	// Progress, when not nil, is called from the calling goroutine as the
	// fit advances (stages "restart" and "iteration").
	Progress func(Progress) `json:"-"`
}

// Validate reports every problem with the config that can be seen without
// the data, joined, each wrapping [ErrInvalidConfig].
func (c KPrototypesConfig) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("cluster: k-prototypes: "+format+": %w", append(args, ErrInvalidConfig)...))
	}
	if c.K < 1 {
		bad("K must be at least 1, got %d", c.K)
	}
	if !(c.Gamma >= 0) || math.IsInf(c.Gamma, 0) {
		bad("Gamma must be finite and not negative, got %v", c.Gamma)
	}
	if !(c.GammaScale >= 0) || math.IsInf(c.GammaScale, 0) {
		bad("GammaScale must be finite and not negative, got %v", c.GammaScale)
	}
	if c.Restarts < 0 {
		bad("Restarts must not be negative, got %d", c.Restarts)
	}
	if c.Init < InitKMeansPlusPlus || c.Init > InitCao {
		bad("unknown Init %d", int(c.Init))
	}
	if c.Init == InitCao && c.Restarts > 1 {
		bad("Restarts must be 0 or 1 with Init cao (it is deterministic), got %d", c.Restarts)
	}
	if c.MaxIter < 0 {
		bad("MaxIter must not be negative, got %d", c.MaxIter)
	}
	if c.Workers < 0 {
		bad("Workers must not be negative, got %d", c.Workers)
	}
	return errors.Join(errs...)
}

// KPrototypesModelVersion is the Version of the k-prototypes models this
// build writes.
const KPrototypesModelVersion = 1

// KPrototypesModel is a fitted k-prototypes (or k-modes) clustering: each
// cluster's prototype is the weighted mean of its rows' numeric values and
// the weighted mode of each categorical column. It is plain data that
// marshals to JSON and back with identical predictions; its methods are pure
// and safe for concurrent use.
//
// The cost of a row (numeric values x, codes a) to cluster c is
//
//	Σ_j (x_j − Centers[c][j])² + Gamma · #{j : a_j ≠ −1 and a_j ≠ Modes[c][j]}
//
// so a missing code (−1) costs nothing against any cluster, and a code
// against a mode of −1 (a cluster whose rows all miss that column) is a
// mismatch.
type KPrototypesModel struct {
	// Version is [KPrototypesModelVersion] for models this build writes.
	Version int `json:"version"`
	// Centers holds the K numeric centres, one row each (rows of length 0
	// for k-modes).
	Centers [][]float64 `json:"centers"`
	// Modes holds the K categorical modes, one row of codes each (rows of
	// length 0 without categorical columns).
	Modes [][]int32 `json:"modes"`
	// Gamma is the weight of one categorical mismatch.
	Gamma float64 `json:"gamma"`
	// Sizes holds the weight (the number of rows, unweighted) in each
	// cluster of the fitted data.
	Sizes []float64 `json:"sizes"`
	// Cost is the weighted sum of the fitted rows' costs to their cluster.
	Cost float64 `json:"cost"`
	// Iterations is the number of iterations of the kept run.
	Iterations int `json:"iterations"`
	// Converged reports whether the kept run stopped before MaxIter.
	Converged bool `json:"converged"`
	// Config is the config the model was fitted with.
	Config KPrototypesConfig `json:"config"`
}

// K returns the number of clusters.
func (m *KPrototypesModel) K() int { return len(m.Centers) }

// NumericWidth returns the number of numeric columns.
func (m *KPrototypesModel) NumericWidth() int {
	if len(m.Centers) == 0 {
		return 0
	}
	return len(m.Centers[0])
}

// CategoricalWidth returns the number of categorical columns.
func (m *KPrototypesModel) CategoricalWidth() int {
	if len(m.Modes) == 0 {
		return 0
	}
	return len(m.Modes[0])
}

// check validates the model's shape and one row.
func (m *KPrototypesModel) check(num []float64, cat []int32) error {
	if len(m.Centers) == 0 || len(m.Modes) != len(m.Centers) {
		return fmt.Errorf("cluster: k-prototypes: model has %d centres and %d modes: %w", len(m.Centers), len(m.Modes), ErrInvalidInput)
	}
	for c := range m.Centers {
		if len(m.Centers[c]) != len(m.Centers[0]) || len(m.Modes[c]) != len(m.Modes[0]) {
			return fmt.Errorf("cluster: k-prototypes: model's cluster %d has %d numeric and %d categorical values, cluster 0 has %d and %d: %w",
				c, len(m.Centers[c]), len(m.Modes[c]), len(m.Centers[0]), len(m.Modes[0]), ErrInvalidInput)
		}
	}
	if len(num) != m.NumericWidth() || len(cat) != m.CategoricalWidth() {
		return fmt.Errorf("cluster: k-prototypes: row has %d numeric and %d categorical values, model has %d and %d: %w",
			len(num), len(cat), m.NumericWidth(), m.CategoricalWidth(), ErrInvalidInput)
	}
	for j, v := range num {
		if !ppFinite(v) {
			return fmt.Errorf("cluster: k-prototypes: numeric column %d is %v: %w", j, v, ErrInvalidInput)
		}
	}
	for j, v := range cat {
		if v < -1 {
			return fmt.Errorf("cluster: k-prototypes: categorical column %d has code %d (codes are ≥ 0, −1 for missing): %w", j, v, ErrInvalidInput)
		}
	}
	return nil
}

// Predict returns the cluster of lowest cost for one row (num its numeric
// values, cat its codes) and that cost; ties go to the lower cluster index.
// It is the path for one account at a time: pure, allocation-free, safe for
// concurrent use.
func (m *KPrototypesModel) Predict(num []float64, cat []int32) (label int, cost float64, err error) {
	if err := m.check(num, cat); err != nil {
		return 0, 0, err
	}
	best, bestD := 0, math.Inf(1)
	for c := range m.Centers {
		d := kpCostBelow(num, cat, m.Centers[c], m.Modes[c], m.Gamma, bestD)
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD, nil
}

// CostsTo writes into dst (len(dst) == K) the cost of one row to every
// cluster, for explaining an assignment or measuring its confidence.
func (m *KPrototypesModel) CostsTo(dst []float64, num []float64, cat []int32) error {
	if err := m.check(num, cat); err != nil {
		return err
	}
	if len(dst) != len(m.Centers) {
		return fmt.Errorf("cluster: k-prototypes: dst has %d elements, want %d: %w", len(dst), len(m.Centers), ErrInvalidInput)
	}
	for c := range m.Centers {
		dst[c] = kpCost(num, cat, m.Centers[c], m.Modes[c], m.Gamma)
	}
	return nil
}

// PredictTo writes into dst the cluster of every row, exactly as
// [KPrototypesModel.Predict] would; num (nil without numeric columns) and
// cat (nil without categorical columns) are given as to [KPrototypes].
// For the fitted data it gives the fitted labels.
func (m *KPrototypesModel) PredictTo(dst []int, num mat.Matrix, cat [][]int32) error {
	d, err := kpReadData(num, cat, nil)
	if err != nil {
		return fmt.Errorf("cluster: k-prototypes: predict: %w", err)
	}
	if len(dst) != d.n {
		return fmt.Errorf("cluster: k-prototypes: predict: dst has %d elements, data has %d rows: %w", len(dst), d.n, ErrInvalidInput)
	}
	for i := range d.n {
		if dst[i], _, err = m.Predict(d.numRow(i), d.catRow(i)); err != nil {
			return fmt.Errorf("cluster: k-prototypes: predict: row %d: %w", i, err)
		}
	}
	return nil
}

// KPrototypes clusters rows of mixed numeric and categorical data into
// cfg.K clusters with Huang's k-prototypes algorithm (Z. Huang, "Extensions
// to the k-means algorithm for clustering large data sets with categorical
// values", Data Mining and Knowledge Discovery 2(3), 1998): the cost of a
// row to a cluster is the squared Euclidean distance of its numeric values
// to the cluster's mean plus Gamma times the number of its categorical
// values that differ from the cluster's modes (see [KPrototypesModel]).
//
// num holds the numeric values, one row per row (nil when there is none;
// scale them first, e.g. with a [Pipeline], since the cost adds raw squared
// differences); cat holds the categorical codes, cat[i][j] ≥ 0 for a level
// and −1 for missing (nil when there is none; [Encoder] makes codes from
// strings). At least one of them must be given, with the same number of
// rows. weights, when not nil, gives each row's weight; nil weighs every
// row 1.
//
// Each run seeds with k-means++ (Arthur and Vassilvitskii 2007) on the
// mixed cost, greedily (the best of 2+⌊ln K⌋ sampled candidates per centre),
// or with Cao et al.'s (2009) density-based method (see [InitCao]),
// then alternates assigning every row to its cheapest prototype and
// recomputing the prototypes (weighted means and modes, ties to the lower
// code) until no row moves. Unlike Huang's original, which updates the
// prototypes after each row, the prototypes are updated once per pass,
// which makes the result independent of row order and of Workers; the cost
// still never increases. A cluster left empty takes the row of highest cost.
// The run of lowest cost over cfg.Restarts is kept.
//
// Errors wrap [ErrInvalidConfig] for a bad config, [ErrInvalidInput] for bad
// data (NaN or ±Inf numbers, codes below −1, ragged rows, bad weights), and
// [ErrTooFewPoints] when there are fewer than K distinct rows of positive
// weight. When ctx is done the error wraps ctx's error.
func KPrototypes(ctx context.Context, num mat.Matrix, cat [][]int32, weights []float64, cfg KPrototypesConfig) (*KPrototypesModel, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d, err := kpReadData(num, cat, weights)
	if err != nil {
		return nil, fmt.Errorf("cluster: k-prototypes: %w", err)
	}
	if cfg.Init == InitCao && d.m == 0 {
		return nil, fmt.Errorf("cluster: k-prototypes: Init cao needs categorical columns: %w", ErrInvalidConfig)
	}
	if distinct := d.countDistinct(cfg.K); distinct < cfg.K {
		return nil, fmt.Errorf("cluster: k-prototypes: K is %d but the data has only %d distinct rows of positive weight: %w", cfg.K, distinct, ErrTooFewPoints)
	}
	f := newKPFitter(ctx, d, cfg)
	return f.fit()
}

// KModes clusters rows of categorical codes into cfg.K clusters with
// Huang's k-modes algorithm (Huang 1998, as [KPrototypes] with no numeric
// column): the cost of a row to a cluster is the number of its codes that
// differ from the cluster's modes, missing codes (−1) costing nothing.
func KModes(ctx context.Context, cat [][]int32, weights []float64, cfg KPrototypesConfig) (*KPrototypesModel, error) {
	return KPrototypes(ctx, nil, cat, weights, cfg)
}
