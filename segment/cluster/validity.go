package cluster

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// DefaultSilhouetteMaxExact is the number of rows up to which [Silhouette]
// computes the exact mean silhouette when SilhouetteConfig.MaxExact is 0.
const DefaultSilhouetteMaxExact = 10000

// SilhouetteConfig configures [Silhouette]. It is plain data; the zero
// value works.
type SilhouetteConfig struct {
	// MaxExact is the largest number of rows whose silhouette is computed
	// exactly, from all n² distances; above it a random sample of rows is
	// scored. 0 means [DefaultSilhouetteMaxExact].
	MaxExact int `json:"maxExact,omitempty"`
	// SampleSize is the number of rows sampled when there are more than
	// MaxExact; 0 means MaxExact (after its default). The cost is
	// SampleSize² distances.
	SampleSize int `json:"sampleSize,omitempty"`
	// Seed seeds the sample; the same Seed gives the same sample, whatever
	// Workers is.
	Seed uint64 `json:"seed"`
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int `json:"workers,omitempty"`
}

// Validate reports every problem with the config, joined, each wrapping
// [ErrInvalidConfig].
func (c SilhouetteConfig) Validate() error {
	var errs []error
	if c.MaxExact < 0 {
		errs = append(errs, fmt.Errorf("cluster: silhouette: MaxExact must not be negative, got %d: %w", c.MaxExact, ErrInvalidConfig))
	}
	if c.SampleSize < 0 {
		errs = append(errs, fmt.Errorf("cluster: silhouette: SampleSize must not be negative, got %d: %w", c.SampleSize, ErrInvalidConfig))
	}
	if c.Workers < 0 {
		errs = append(errs, fmt.Errorf("cluster: silhouette: Workers must not be negative, got %d: %w", c.Workers, ErrInvalidConfig))
	}
	return errors.Join(errs...)
}

func (c SilhouetteConfig) maxExact() int {
	if c.MaxExact == 0 {
		return DefaultSilhouetteMaxExact
	}
	return c.MaxExact
}

func (c SilhouetteConfig) sampleSize() int {
	if c.SampleSize == 0 {
		return c.maxExact()
	}
	return c.SampleSize
}

// SilhouetteResult is the outcome of [Silhouette].
type SilhouetteResult struct {
	// Score is the mean silhouette of the rows scored, in [-1, 1]: near 1
	// when rows sit well inside their cluster and far from the next,
	// near 0 for overlapping clusters, negative for rows closer to another
	// cluster than to their own.
	Score float64 `json:"score"`
	// N is the number of rows of the input.
	N int `json:"n"`
	// Scored is the number of rows the score averages: N when exact, the
	// sample size when sampled.
	Scored int `json:"scored"`
	// Sampled reports whether Score was estimated from a sample of Scored
	// rows (distances within the sample only) rather than computed from
	// all rows.
	Sampled bool `json:"sampled"`
	// Clusters holds the mean silhouette of each cluster's scored rows, in
	// ascending label order; clusters absent from a sample are left out.
	Clusters []ClusterSilhouette `json:"clusters"`
}

// ClusterSilhouette is the mean silhouette of one cluster's rows.
type ClusterSilhouette struct {
	// Label is the cluster's label.
	Label int `json:"label"`
	// Size is the number of the cluster's rows scored.
	Size int `json:"size"`
	// Score is their mean silhouette.
	Score float64 `json:"score"`
}

// Silhouette returns the mean silhouette width of a clustering of the rows
// of x (Rousseeuw 1987, "Silhouettes: a graphical aid to the interpretation
// and validation of cluster analysis", Journal of Computational and Applied
// Mathematics 20:53–65), with Euclidean distances. For row i with mean
// distance a to the other rows of its cluster and mean distance b to the
// rows of the nearest other cluster, s(i) = (b − a) / max(a, b); a row alone
// in its cluster scores 0, as does a row with a = b = 0. This matches
// scikit-learn's silhouette_score.
//
// Up to cfg.MaxExact rows (10,000 by default) the score is exact, at a cost
// of n² distances spread over cfg.Workers goroutines. Above it, a uniform
// random sample of cfg.SampleSize rows (without replacement, drawn from
// cfg.Seed) is scored against itself, as scikit-learn does with its
// sample_size argument; the result says so and gives the sample size. The
// same Seed gives the same result whatever the number of workers.
//
// labels gives each row's cluster (arbitrary ints); there must be at least
// 2 and at most n−1 distinct labels (in the sample, when sampled). Errors
// wrap [ErrInvalidConfig] for a bad config and [ErrInvalidInput] for bad
// data or labels; once ctx is done the error matches ctx.Err().
func Silhouette(ctx context.Context, x mat.Matrix, labels []int, cfg SilhouetteConfig) (SilhouetteResult, error) {
	if err := cfg.Validate(); err != nil {
		return SilhouetteResult{}, err
	}
	data, n, d, err := validityData("silhouette", x, labels)
	if err != nil {
		return SilhouetteResult{}, err
	}
	res := SilhouetteResult{N: n}
	rows := []int(nil) // nil: all rows
	if n > cfg.maxExact() && cfg.sampleSize() < n {
		rows = silhouetteSample(n, cfg.sampleSize(), cfg.Seed)
		res.Sampled = true
	}
	sil, lab, err := silhouetteRows(ctx, data, d, labels, rows, cfg.Workers)
	if err != nil {
		return SilhouetteResult{}, err
	}
	res.Scored = len(sil)
	distinct, idx := labelCodes(lab)
	sums := make([]float64, len(distinct))
	counts := make([]int, len(distinct))
	var total float64
	for i, s := range sil {
		total += s
		sums[idx[i]] += s
		counts[idx[i]]++
	}
	res.Score = total / float64(len(sil))
	res.Clusters = make([]ClusterSilhouette, len(distinct))
	for c, l := range distinct {
		res.Clusters[c] = ClusterSilhouette{Label: l, Size: counts[c], Score: sums[c] / float64(counts[c])}
	}
	return res, nil
}

// SilhouetteSamplesTo writes the exact silhouette of every row of x into
// dst (one element per row), as [Silhouette] defines it, from all n²
// distances spread over workers goroutines (0 means GOMAXPROCS). It never
// samples, so it suits up to some tens of thousands of rows. The labels and
// errors are as for Silhouette.
func SilhouetteSamplesTo(ctx context.Context, dst []float64, x mat.Matrix, labels []int, workers int) error {
	if workers < 0 {
		return fmt.Errorf("cluster: silhouette: workers must not be negative, got %d: %w", workers, ErrInvalidConfig)
	}
	data, n, d, err := validityData("silhouette", x, labels)
	if err != nil {
		return err
	}
	if len(dst) != n {
		return fmt.Errorf("cluster: silhouette: dst has %d elements, x has %d rows: %w", len(dst), n, ErrInvalidInput)
	}
	sil, _, err := silhouetteRows(ctx, data, d, labels, nil, workers)
	if err != nil {
		return err
	}
	copy(dst, sil)
	return nil
}

// silhouetteSample draws k distinct row indices out of n, uniformly, with a
// partial Fisher–Yates shuffle kept sparse in a map, and returns them
// ascending.
func silhouetteSample(n, k int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 0x5111_0e77e))
	swapped := make(map[int]int, k)
	at := func(i int) int {
		if v, ok := swapped[i]; ok {
			return v
		}
		return i
	}
	out := make([]int, k)
	for i := range k {
		j := i + rng.IntN(n-i)
		out[i] = at(j)
		swapped[j] = at(i)
	}
	slices.Sort(out)
	return out
}

// silhouetteRows computes the silhouette of the given rows (nil: all) among
// themselves. It returns the silhouettes and labels of those rows, in the
// order given.
func silhouetteRows(ctx context.Context, data []float64, d int, labels []int, rows []int, workers int) ([]float64, []int, error) {
	n := len(labels)
	if rows != nil {
		n = len(rows)
	}
	lab := make([]int, n)
	for i := range n {
		if rows != nil {
			lab[i] = labels[rows[i]]
		} else {
			lab[i] = labels[i]
		}
	}
	distinct, idx := labelCodes(lab)
	k := len(distinct)
	if k < 2 || k > n-1 {
		what := "labels"
		if rows != nil {
			what = fmt.Sprintf("labels in the sample of %d rows", n)
		}
		return nil, nil, fmt.Errorf("cluster: silhouette: %d distinct %s, want 2 to n-1 = %d: %w", k, what, n-1, ErrInvalidInput)
	}
	// Pack the rows cluster by cluster so that each cluster's distances
	// are summed over a contiguous block.
	start := make([]int, k+1)
	for _, c := range idx {
		start[c+1]++
	}
	for c := range k {
		start[c+1] += start[c]
	}
	pos := make([]int, n) // pos[i]: where row i goes in packed
	next := slices.Clone(start[:k])
	for i, c := range idx {
		pos[i] = next[c]
		next[c]++
	}
	packed := make([]float64, n*d)
	for i := range n {
		src := i
		if rows != nil {
			src = rows[i]
		}
		copy(packed[pos[i]*d:(pos[i]+1)*d], data[src*d:(src+1)*d])
	}
	cl := make([]int32, n) // the cluster of each packed row
	for c := range k {
		for p := start[c]; p < start[c+1]; p++ {
			cl[p] = int32(c)
		}
	}
	sums, err := silhouetteSums(ctx, packed, n, d, cl, start, k, workers)
	if err != nil {
		return nil, nil, err
	}
	silPacked := make([]float64, n)
	for p := range n {
		own := int(cl[p])
		size := start[own+1] - start[own]
		if size == 1 {
			continue // a row alone in its cluster scores 0
		}
		row := sums[p*k : (p+1)*k]
		a := row[own] / float64(size-1)
		b := math.Inf(1)
		for c := range k {
			if c != own {
				b = min(b, row[c]/float64(start[c+1]-start[c]))
			}
		}
		if m := max(a, b); m > 0 {
			silPacked[p] = (b - a) / m
		}
	}
	sil := make([]float64, n)
	for i := range n {
		sil[i] = silPacked[pos[i]]
	}
	return sil, lab, nil
}

// Tiling of the silhouette's distance computation.
const (
	silhouetteTile      = 64       // rows per tile
	silhouetteMaxShards = 16       // most accumulators worked on at once
	silhouetteShardMem  = 64 << 20 // bytes of accumulators at most
)

// silhouetteShards returns the number of accumulator shards for n rows and
// k clusters: a function of n and k only (never of the number of workers),
// so that the sums, and their rounding, do not depend on the workers.
func silhouetteShards(n, k, pairs int) int {
	s := silhouetteShardMem / max(n*k*8, 1)
	return max(1, min(s, silhouetteMaxShards, pairs))
}

// silhouetteSums returns sums[p*k+c], the sum of the Euclidean distances
// from packed row p to the rows of cluster c (rows packed cluster by
// cluster, cluster c at rows start[c] to start[c+1]-1, cl giving each row's
// cluster). Each distance is computed once and added to both rows: the
// pairs of row tiles are dealt round-robin to a fixed number of shards,
// each with its own accumulators, which are added up in shard order.
func silhouetteSums(ctx context.Context, packed []float64, n, d int, cl []int32, start []int, k, workers int) ([]float64, error) {
	tile := silhouetteTile
	nt := (n + tile - 1) / tile
	pairs := nt * (nt + 1) / 2
	shards := silhouetteShards(n, k, pairs)
	acc := make([][]float64, shards)
	err := validityChunks(ctx, shards, 1, workers, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			a := make([]float64, n*k)
			col := make([]float64, tile)
			p := 0
			for ti := range nt {
				for tj := ti; tj < nt; tj++ {
					if p%shards == s {
						if ctx.Err() != nil {
							return // validityChunks reports it
						}
						silhouetteBlock(a, col, packed, d, cl, start, k, ti*tile, min(ti*tile+tile, n), tj*tile, min(tj*tile+tile, n))
					}
					p++
				}
			}
			acc[s] = a
		}
	})
	if err != nil {
		return nil, err
	}
	sums := acc[0]
	for _, a := range acc[1:] {
		for i, v := range a {
			sums[i] += v
		}
	}
	return sums, nil
}

// silhouetteBlock adds the distances between rows i0..i1-1 and j0..j1-1
// (pairs with j > i only, when the ranges are the same tile) to both rows'
// per-cluster sums in a. col (at least j1-j0 long) is scratch space.
func silhouetteBlock(a, col, packed []float64, d int, cl []int32, start []int, k, i0, i1, j0, j1 int) {
	col = col[:j1-j0]
	clear(col)
	flush := func(c int) { // col holds distances to rows of cluster c
		for jj, v := range col {
			a[(j0+jj)*k+c] += v
		}
		clear(col)
	}
	for i := i0; i < i1; i++ {
		x := packed[i*d : (i+1)*d]
		ci := int(cl[i])
		if i > i0 && int(cl[i-1]) != ci {
			flush(int(cl[i-1]))
		}
		ai := a[i*k : (i+1)*k]
		j := j0
		if j0 == i0 {
			j = i + 1
		}
		for j < j1 {
			// A run of rows of one cluster: sum into a register.
			c := int(cl[j])
			end := min(j1, start[c+1])
			var s float64
			for ; j < end; j++ {
				y := packed[j*d : (j+1)*d]
				y = y[:len(x)]
				var q0, q1, q2, q3 float64
				l := 0
				for ; l+4 <= len(x); l += 4 {
					e0, e1, e2, e3 := y[l]-x[l], y[l+1]-x[l+1], y[l+2]-x[l+2], y[l+3]-x[l+3]
					q0 += e0 * e0
					q1 += e1 * e1
					q2 += e2 * e2
					q3 += e3 * e3
				}
				for ; l < len(x); l++ {
					e := y[l] - x[l]
					q0 += e * e
				}
				dist := math.Sqrt((q0 + q1) + (q2 + q3))
				s += dist
				col[j-j0] += dist
			}
			ai[c] += s
		}
	}
	flush(int(cl[i1-1]))
}

// validityChunks runs fn over [0, n) in chunks of the given size, on up to
// workers goroutines (0: GOMAXPROCS), checking ctx before each chunk. fn
// must write only to the elements of its own chunk. All goroutines have
// returned when validityChunks does.
func validityChunks(ctx context.Context, n, chunk, workers int, fn func(lo, hi int)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	chunks := (n + chunk - 1) / chunk
	workers = min(workers, chunks)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	var (
		mu   sync.Mutex
		next int
		wg   sync.WaitGroup
	)
	take := func() int {
		mu.Lock()
		defer mu.Unlock()
		if ctx.Err() != nil || next >= chunks {
			return -1
		}
		c := next
		next++
		return c
	}
	for range workers {
		wg.Go(func() {
			for c := take(); c >= 0; c = take() {
				fn(c*chunk, min((c+1)*chunk, n))
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	return nil
}

// validityData checks x (finite values, at least one row and column) and
// labels (one per row) and returns x's values row-major: the matrix's own
// backing array for a *mat.Dense whose Stride equals its columns, else a
// copy.
func validityData(what string, x mat.Matrix, labels []int) ([]float64, int, int, error) {
	if x == nil {
		return nil, 0, 0, fmt.Errorf("cluster: %s: x is nil: %w", what, ErrInvalidInput)
	}
	n, d := x.Dims()
	if n == 0 || d == 0 {
		return nil, 0, 0, fmt.Errorf("cluster: %s: x is %d×%d: %w", what, n, d, ErrInvalidInput)
	}
	if len(labels) != n {
		return nil, 0, 0, fmt.Errorf("cluster: %s: %d labels for %d rows: %w", what, len(labels), n, ErrInvalidInput)
	}
	var data []float64
	if dm, ok := x.(*mat.Dense); ok && dm.RawMatrix().Stride == d {
		data = dm.RawMatrix().Data[:n*d]
	} else {
		data = make([]float64, n*d)
		for i := range n {
			for j := range d {
				data[i*d+j] = x.At(i, j)
			}
		}
	}
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, 0, fmt.Errorf("cluster: %s: row %d column %d is %v: %w", what, i/d, i%d, v, ErrInvalidInput)
		}
	}
	return data, n, d, nil
}

// validityWeights checks weights (nil: all 1): one per row, finite, not
// negative, with a positive sum.
func validityWeights(what string, w []float64, n int) error {
	if w == nil {
		return nil
	}
	if len(w) != n {
		return fmt.Errorf("cluster: %s: %d weights for %d rows: %w", what, len(w), n, ErrInvalidInput)
	}
	var sum float64
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("cluster: %s: weight of row %d is %v: %w", what, i, v, ErrInvalidInput)
		}
		sum += v
	}
	if sum <= 0 {
		return fmt.Errorf("cluster: %s: weights sum to %v: %w", what, sum, ErrInvalidInput)
	}
	return nil
}

// validityMeans returns, for labels mapped to 0..k-1 by idx, the weighted
// mean of each cluster (k×d, row-major), the weight of each cluster, and
// the weighted mean of all rows.
func validityMeans(what string, data []float64, d int, idx []int, k int, w []float64, distinct []int) (means, weight, all []float64, err error) {
	means = make([]float64, k*d)
	weight = make([]float64, k)
	all = make([]float64, d)
	var total float64
	for i, c := range idx {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		row := data[i*d : (i+1)*d]
		m := means[c*d : (c+1)*d]
		for j, v := range row {
			m[j] += wi * v
			all[j] += wi * v
		}
		weight[c] += wi
		total += wi
	}
	for c := range k {
		if weight[c] <= 0 {
			return nil, nil, nil, fmt.Errorf("cluster: %s: cluster %d has zero total weight: %w", what, distinct[c], ErrInvalidInput)
		}
		for j := range d {
			means[c*d+j] /= weight[c]
		}
	}
	for j := range d {
		all[j] /= total
	}
	return means, weight, all, nil
}

// CalinskiHarabasz returns the Calinski–Harabasz index (variance ratio
// criterion) of a clustering of the rows of x (Caliński and Harabasz 1974,
// "A dendrite method for cluster analysis", Communications in Statistics
// 3(1):1–27): the between-cluster dispersion over the within-cluster
// dispersion, each divided by its degrees of freedom,
//
//	CH = [B / (k − 1)] / [W / (N − k)],
//
// with B = Σ_c N_c‖μ_c − μ‖² and W = Σ_i ‖x_i − μ_{c(i)}‖². Higher is
// better. Without weights this is scikit-learn's calinski_harabasz_score.
//
// weights, when not nil, weighs each row (a row of weight 2 counts as two
// identical rows): means, N_c and dispersions are weighted and N is the sum
// of the weights, which must then exceed k. When W is 0 (every row on its
// cluster's mean) the index is unbounded and CalinskiHarabasz returns
// math.MaxFloat64, not +Inf (scikit-learn returns 1 there).
//
// labels gives each row's cluster (arbitrary ints), with 2 to n−1 distinct
// labels. Errors wrap [ErrInvalidInput].
func CalinskiHarabasz(x mat.Matrix, labels []int, weights []float64) (float64, error) {
	const what = "calinski-harabasz"
	data, n, d, err := validityData(what, x, labels)
	if err != nil {
		return 0, err
	}
	if err := validityWeights(what, weights, n); err != nil {
		return 0, err
	}
	distinct, idx := labelCodes(labels)
	k := len(distinct)
	if k < 2 || k > n-1 {
		return 0, fmt.Errorf("cluster: %s: %d distinct labels, want 2 to n-1 = %d: %w", what, k, n-1, ErrInvalidInput)
	}
	means, weight, all, err := validityMeans(what, data, d, idx, k, weights, distinct)
	if err != nil {
		return 0, err
	}
	var between, within, total float64
	for c := range k {
		between += weight[c] * euclidSq(means[c*d:(c+1)*d], all)
		total += weight[c]
	}
	for i, c := range idx {
		wi := 1.0
		if weights != nil {
			wi = weights[i]
		}
		within += wi * euclidSq(data[i*d:(i+1)*d], means[c*d:(c+1)*d])
	}
	if total <= float64(k) {
		return 0, fmt.Errorf("cluster: %s: weights sum to %v, not more than k = %d: %w", what, total, k, ErrInvalidInput)
	}
	if within == 0 {
		return math.MaxFloat64, nil
	}
	return between * (total - float64(k)) / (within * float64(k-1)), nil
}

// DaviesBouldin returns the Davies–Bouldin index of a clustering of the
// rows of x (Davies and Bouldin 1979, "A cluster separation measure", IEEE
// TPAMI 1(2):224–227): the mean over clusters of the worst ratio
// (S_i + S_j) / M_ij, where S_i is the mean Euclidean distance of cluster
// i's rows to its centroid and M_ij the distance between the centroids of
// clusters i and j. Lower is better; 0 is the minimum. Without weights this
// is scikit-learn's davies_bouldin_score, including its conventions: pairs
// of coinciding centroids are skipped (their ratio counts as 0), and the
// index is 0 when every S_i is 0 or every centroid coincides.
//
// weights, when not nil, weighs each row in the centroids and in the S_i;
// the mean over clusters is unweighted. labels gives each row's cluster
// (arbitrary ints), with 2 to n−1 distinct labels. Errors wrap
// [ErrInvalidInput].
func DaviesBouldin(x mat.Matrix, labels []int, weights []float64) (float64, error) {
	const what = "davies-bouldin"
	data, n, d, err := validityData(what, x, labels)
	if err != nil {
		return 0, err
	}
	if err := validityWeights(what, weights, n); err != nil {
		return 0, err
	}
	distinct, idx := labelCodes(labels)
	k := len(distinct)
	if k < 2 || k > n-1 {
		return 0, fmt.Errorf("cluster: %s: %d distinct labels, want 2 to n-1 = %d: %w", what, k, n-1, ErrInvalidInput)
	}
	means, weight, _, err := validityMeans(what, data, d, idx, k, weights, distinct)
	if err != nil {
		return 0, err
	}
	spread := make([]float64, k)
	for i, c := range idx {
		wi := 1.0
		if weights != nil {
			wi = weights[i]
		}
		spread[c] += wi * math.Sqrt(euclidSq(data[i*d:(i+1)*d], means[c*d:(c+1)*d]))
	}
	allZeroSpread := true
	for c := range k {
		spread[c] /= weight[c]
		if spread[c] != 0 {
			allZeroSpread = false
		}
	}
	if allZeroSpread {
		return 0, nil
	}
	var sum float64
	anyApart := false
	for i := range k {
		worst := 0.0
		for j := range k {
			if j == i {
				continue
			}
			m := math.Sqrt(euclidSq(means[i*d:(i+1)*d], means[j*d:(j+1)*d]))
			if m == 0 {
				continue
			}
			anyApart = true
			worst = max(worst, (spread[i]+spread[j])/m)
		}
		sum += worst
	}
	if !anyApart {
		return 0, nil
	}
	return sum / float64(k), nil
}

// sqDist returns the squared Euclidean distance between a and b.
func euclidSq(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		e := v - b[i]
		s += e * e
	}
	return s
}
