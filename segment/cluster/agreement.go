package cluster

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Contingency is the contingency table of two labelings of the same rows:
// Counts[i][j] is the number of rows labelled RowLabels[i] in the first
// labeling and ColLabels[j] in the second. Read across two segmentations of
// the same accounts, it is their migration matrix: where the members of each
// old segment went.
//
// A Contingency is plain data; [ContingencyTable] builds one, and its methods
// only read it.
type Contingency struct {
	// RowLabels are the distinct labels of the first labeling, ascending.
	RowLabels []int `json:"rowLabels"`
	// ColLabels are the distinct labels of the second labeling, ascending.
	ColLabels []int `json:"colLabels"`
	// Counts has one row per RowLabels entry and one column per ColLabels
	// entry.
	Counts [][]int `json:"counts"`
	// N is the number of rows labelled, the sum of Counts.
	N int `json:"n"`
}

// ContingencyTable counts, for every pair of labels (a[r], b[r]), the rows r
// that carry it. The labels are arbitrary ints (negative ones included) and
// need not be contiguous; only equality matters. a and b must have the same
// length; empty labelings give an empty table with N = 0.
func ContingencyTable(a, b []int) (*Contingency, error) {
	if len(a) != len(b) {
		return nil, fmt.Errorf("cluster: contingency table: labelings have %d and %d entries: %w", len(a), len(b), ErrInvalidInput)
	}
	ra, rows := labelCodes(a)
	cb, cols := labelCodes(b)
	flat := make([]int, len(ra)*len(cb))
	for i := range a {
		flat[rows[i]*len(cb)+cols[i]]++
	}
	counts := make([][]int, len(ra))
	for i := range counts {
		counts[i] = flat[i*len(cb) : (i+1)*len(cb) : (i+1)*len(cb)]
	}
	return &Contingency{RowLabels: ra, ColLabels: cb, Counts: counts, N: len(a)}, nil
}

// labelCodes returns the distinct labels of l in ascending order and, for
// each entry of l, the index of its label in that list.
func labelCodes(l []int) (distinct []int, idx []int) {
	idx = make([]int, len(l))
	if len(l) == 0 {
		return nil, idx
	}
	lo, hi := l[0], l[0]
	for _, v := range l {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo >= 0 && hi < 4*len(l)+16 {
		// Small non-negative labels, the common case: a direct lookup,
		// without sorting.
		pos := make([]int, hi+1)
		for _, v := range l {
			pos[v] = 1
		}
		for v, seen := range pos {
			if seen != 0 {
				pos[v] = len(distinct)
				distinct = append(distinct, v)
			}
		}
		for i, v := range l {
			idx[i] = pos[v]
		}
		return distinct, idx
	}
	distinct = slices.Clone(l)
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	for i, v := range l {
		idx[i], _ = slices.BinarySearch(distinct, v)
	}
	return distinct, idx
}

// RowSums returns the number of rows carrying each of RowLabels.
func (c *Contingency) RowSums() []int {
	s := make([]int, len(c.Counts))
	for i, row := range c.Counts {
		for _, v := range row {
			s[i] += v
		}
	}
	return s
}

// ColSums returns the number of rows carrying each of ColLabels.
func (c *Contingency) ColSums() []int {
	s := make([]int, len(c.ColLabels))
	for _, row := range c.Counts {
		for j, v := range row {
			s[j] += v
		}
	}
	return s
}

// pairCount returns n choose 2 as a float64 (exact up to 2^53).
func pairCount(n int) float64 { return float64(n) * float64(n-1) / 2 }

// AdjustedRand returns the adjusted Rand index of the two labelings the
// table counts (Hubert and Arabie 1985, "Comparing partitions", Journal of
// Classification 2:193–218): the Rand index, the share of row pairs both
// labelings treat alike (together in both or apart in both), corrected for
// the agreement expected by chance under the permutation model. It is 1 for
// identical partitions (whatever the label values), near 0 for independent
// ones, and can be negative (down to -0.5) for partitions that agree less
// than chance.
//
// It never returns NaN. When no pair of rows is split by one labeling but
// not the other, the partitions are identical and the index is 1; this
// covers n < 2 (there are no pairs), both labelings putting every row in one
// cluster, and both putting every row in a cluster of its own. These are the
// values scikit-learn's adjusted_rand_score returns.
func (c *Contingency) AdjustedRand() float64 {
	// Pair counts: same cluster in both (tp), same in the first only (fn),
	// same in the second only (fp), apart in both (tn).
	var tp float64
	for _, row := range c.Counts {
		for _, v := range row {
			tp += pairCount(v)
		}
	}
	var sa, sb float64
	for _, v := range c.RowSums() {
		sa += pairCount(v)
	}
	for _, v := range c.ColSums() {
		sb += pairCount(v)
	}
	fn := sa - tp
	fp := sb - tp
	tn := pairCount(c.N) - tp - fn - fp
	if fn == 0 && fp == 0 {
		return 1
	}
	// (index - expected) / (max - expected), written over pair counts; the
	// denominator is positive whenever fn or fp is.
	return 2 * (tp*tn - fn*fp) / ((tp+fn)*(fn+tn) + (tp+fp)*(fp+tn))
}

// MutualInfo returns the mutual information, in nats, between the two
// labelings the table counts: the sum over cells of
// p(i,j)·log(p(i,j) / (p(i)·p(j))). It is 0 for an empty table.
func (c *Contingency) MutualInfo() float64 {
	if c.N == 0 {
		return 0
	}
	rs, cs := c.RowSums(), c.ColSums()
	n := float64(c.N)
	logN := math.Log(n)
	var mi float64
	for i, row := range c.Counts {
		lr := math.Log(float64(rs[i]))
		for j, v := range row {
			if v == 0 {
				continue
			}
			fv := float64(v)
			mi += fv / n * (math.Log(fv) + logN - lr - math.Log(float64(cs[j])))
		}
	}
	return max(mi, 0)
}

// labelEntropy returns the Shannon entropy, in nats, of a distribution given by
// counts summing to n.
func labelEntropy(counts []int, n int) float64 {
	if n == 0 {
		return 0
	}
	fn := float64(n)
	var h float64
	for _, v := range counts {
		if v > 0 {
			p := float64(v) / fn
			h -= p * math.Log(p)
		}
	}
	return max(h, 0)
}

// NMI returns the normalized mutual information of the two labelings the
// table counts, normalised by the arithmetic mean of their entropies:
// MI / ((H(a) + H(b)) / 2). This is the normalisation scikit-learn's
// normalized_mutual_info_score uses by default (average_method
// "arithmetic"); Vinh, Epps and Bailey (2010, "Information theoretic
// measures for clusterings comparison", JMLR 11:2837–2854) compare it with
// the other normalisations (geometric mean, max, min, joint). It lies in [0, 1]: 1 for identical
// partitions, 0 for independent ones. Unlike [Contingency.AdjustedRand] it
// is not corrected for chance, so it grows with the number of clusters.
//
// It never returns NaN. When both labelings have a single cluster (or
// there are no rows) they are a perfect match and NMI is 1; when only one
// of them has a single cluster, the mutual information is 0 and so is NMI.
// These are the values scikit-learn returns.
func (c *Contingency) NMI() float64 {
	if len(c.RowLabels) <= 1 && len(c.ColLabels) <= 1 {
		return 1
	}
	ha := labelEntropy(c.RowSums(), c.N)
	hb := labelEntropy(c.ColSums(), c.N)
	if ha == 0 || hb == 0 {
		return 0
	}
	mi := c.MutualInfo()
	return min(max(mi/((ha+hb)/2), 0), 1)
}

// AdjustedRand returns the adjusted Rand index of two labelings of the same
// rows (see [Contingency.AdjustedRand] for the definition and the
// degenerate cases). The labels are arbitrary ints; a and b must have the
// same length, or the error wraps [ErrInvalidInput].
func AdjustedRand(a, b []int) (float64, error) {
	c, err := ContingencyTable(a, b)
	if err != nil {
		return 0, err
	}
	return c.AdjustedRand(), nil
}

// NMI returns the normalized mutual information, arithmetic-mean
// normalisation, of two labelings of the same rows (see [Contingency.NMI]
// for the definition and the degenerate cases). The labels are arbitrary
// ints; a and b must have the same length, or the error wraps
// [ErrInvalidInput].
func NMI(a, b []int) (float64, error) {
	c, err := ContingencyTable(a, b)
	if err != nil {
		return 0, err
	}
	return c.NMI(), nil
}

// CentroidIndex returns the one-way centroid index CI₁(from → to) of Fränti,
// Rezaei and Zhao (2014, "Centroid index: cluster level similarity measure",
// Pattern Recognition 47(9):3034–3045): each row of from (a centroid) is
// mapped to its nearest row of to in Euclidean distance (ties to the lowest
// row), and the result is the number of rows of to that no row of from maps
// to (the paper's orphans).
//
// To count the clusters a solution missed, map the solution onto the ground
// truth: CentroidIndex(solution, truth) is the number of true clusters that
// no solution centroid is nearest to. 0 means every true cluster was found;
// with equal numbers of centroids, each miss goes with a true cluster that
// took two (or more) solution centroids. The paper's CI (CI₂) is the
// symmetric [SymmetricCentroidIndex].
//
// from and to must have the same number of columns and at least one row
// each, with finite values; otherwise the error wraps [ErrInvalidInput].
func CentroidIndex(from, to mat.Matrix) (int, error) {
	f, fr, d, err := centroidRows("from", from)
	if err != nil {
		return 0, err
	}
	t, tr, td, err := centroidRows("to", to)
	if err != nil {
		return 0, err
	}
	if d != td {
		return 0, fmt.Errorf("cluster: centroid index: from has %d columns, to has %d: %w", d, td, ErrInvalidInput)
	}
	return orphanCount(f, fr, t, tr, d), nil
}

// SymmetricCentroidIndex returns the centroid index CI₂ of Fränti, Rezaei
// and Zhao (2014): max(CI₁(a → b), CI₁(b → a)), see [CentroidIndex]. It is 0
// when the two sets of centroids match cluster for cluster, and otherwise
// the number of clusters located differently. The inputs are checked as
// CentroidIndex does.
func SymmetricCentroidIndex(a, b mat.Matrix) (int, error) {
	ab, err := CentroidIndex(a, b)
	if err != nil {
		return 0, err
	}
	ba, err := CentroidIndex(b, a)
	if err != nil {
		return 0, err
	}
	return max(ab, ba), nil
}

// centroidRows copies m into a row-major slice and checks it.
func centroidRows(name string, m mat.Matrix) ([]float64, int, int, error) {
	if m == nil {
		return nil, 0, 0, fmt.Errorf("cluster: centroid index: %s is nil: %w", name, ErrInvalidInput)
	}
	r, c := m.Dims()
	if r == 0 || c == 0 {
		return nil, 0, 0, fmt.Errorf("cluster: centroid index: %s is %d×%d: %w", name, r, c, ErrInvalidInput)
	}
	out := make([]float64, r*c)
	for i := range r {
		for j := range c {
			v := m.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, 0, 0, fmt.Errorf("cluster: centroid index: %s row %d column %d is %v: %w", name, i, j, v, ErrInvalidInput)
			}
			out[i*c+j] = v
		}
	}
	return out, r, c, nil
}

// orphanCount maps each of the fr rows of f to its nearest of the tr rows of t
// and counts the rows of t never chosen.
func orphanCount(f []float64, fr int, t []float64, tr int, d int) int {
	hit := make([]bool, tr)
	for i := range fr {
		x := f[i*d : (i+1)*d]
		best, bestD := 0, math.Inf(1)
		for j := range tr {
			y := t[j*d : (j+1)*d]
			var s float64
			for k, v := range x {
				e := v - y[k]
				s += e * e
			}
			if s < bestD {
				best, bestD = j, s
			}
		}
		hit[best] = true
	}
	n := 0
	for _, h := range hit {
		if !h {
			n++
		}
	}
	return n
}
