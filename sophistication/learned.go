package sophistication

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/cluster"
)

// The learned variant (Config.Clusters > 0) keeps the rules' evidence but
// lets the data draw the stage boundaries: every fitted account with enough
// evidence becomes the vector of its stages' vote shares (the votes of
// [Model.Assign], divided by the total weight), k-means (Lloyd 1982, seeded
// by k-means++, Arthur and Vassilvitskii 2007, in package cluster) groups
// the vectors into Clusters clusters, and the clusters are ordered by their
// maturity index, the mean ladder position of their centre (0 for the first
// stage, 1 for the last). A cluster goes to the stage nearest that
// position, so that a population missing a stage (no unaware accounts, say)
// does not shift the others; two clusters may share a stage, and a stage
// may have no cluster.

// appendShares appends the vote shares of a valid account with enough
// evidence to rows.
func (m *Model) appendShares(rows []float64, a *segment.Account) []float64 {
	var evs [len(signalOrder)]evidence
	var facts, lower [512]byte
	ev, _, _ := m.gather(a, evs[:0], facts[:0], lower[:0])
	var total float64
	for _, e := range ev {
		total += e.weight
	}
	if total == 0 || total < m.Config.MinWeight {
		return rows
	}
	v := make([]float64, m.c.n+1)
	m.votes(v, ev)
	for s := 1; s <= m.c.n; s++ {
		rows = append(rows, v[s]/total)
	}
	return rows
}

// learn clusters the vote shares and sets m.Clusters.
func (m *Model) learn(ctx context.Context, rows []float64, c Config) error {
	n, k := m.c.n, m.Config.Clusters
	count := len(rows) / n
	distinct := make(map[string]bool)
	for i := 0; i < count && len(distinct) < k; i++ {
		distinct[fmt.Sprint(rows[i*n:(i+1)*n])] = true
	}
	if len(distinct) < k {
		return fmt.Errorf("sophistication: learned variant: %d distinct evidence profiles among %d accounts with enough evidence, fewer than the %d clusters: %w",
			len(distinct), count, k, segment.ErrEmptyInput)
	}
	kc := cluster.KMeansConfig{K: k, Seed: c.Seed, Workers: c.Workers}
	if c.Progress != nil {
		kc.Progress = func(p cluster.Progress) {
			c.Progress(segment.Progress{Method: method, Stage: p.Stage, Done: p.Done, Total: p.Total})
		}
	}
	km, err := cluster.KMeans(ctx, mat.NewDense(count, n, rows), nil, kc)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("sophistication: learned variant: %w", err)
	}
	cls := make([]Cluster, k)
	for j := range cls {
		ctr := slices.Clone(km.Centers[j])
		var mean, sum float64
		for s, v := range ctr {
			mean += float64(s) * v
			sum += v
		}
		cls[j] = Cluster{Center: ctr, Maturity: mean / sum / float64(n-1), Size: int(km.Sizes[j])}
	}
	slices.SortStableFunc(cls, func(a, b Cluster) int {
		switch {
		case a.Maturity < b.Maturity:
			return -1
		case a.Maturity > b.Maturity:
			return 1
		}
		return 0
	})
	for i := range cls {
		cls[i].Level = 1 + int(math.Round(cls[i].Maturity*float64(n-1)))
	}
	m.Clusters = cls
	m.c.km = clustersModel(cls)
	m.c.learned = learnedReasons(cls, m.Config.Stages)
	return nil
}

// learnedReasons returns the text of the "cluster" reason of each
// cluster's accounts.
func learnedReasons(cls []Cluster, stages []Stage) []string {
	out := make([]string, len(cls))
	for i, cl := range cls {
		out[i] = fmt.Sprintf("learned: nearest cluster %d of %d by maturity (index %.2f) → %s",
			i+1, len(cls), cl.Maturity, stages[cl.Level-1].Name)
	}
	return out
}

// clustersModel returns the k-means model whose centres are the clusters',
// in order, or nil for none.
func clustersModel(cls []Cluster) *cluster.KMeansModel {
	if len(cls) == 0 {
		return nil
	}
	km := &cluster.KMeansModel{Version: cluster.KMeansModelVersion, Centers: make([][]float64, len(cls))}
	for i, c := range cls {
		km.Centers[i] = c.Center
	}
	return km
}

// checkClusters verifies that a decoded Model's clusters are ones Fit could
// have made.
func (m *Model) checkClusters() error {
	n, k := len(m.Config.Stages), m.Config.Clusters
	if len(m.Clusters) != k {
		return fmt.Errorf("%d clusters, the config asks for %d: %w", len(m.Clusters), k, segment.ErrInvalidConfig)
	}
	for i, c := range m.Clusters {
		ok := len(c.Center) == n && c.Level >= 1 && c.Level <= n && finite(c.Maturity) && c.Size >= 0
		for _, v := range c.Center {
			ok = ok && finite(v)
		}
		if !ok {
			return fmt.Errorf("cluster %d is malformed: %w", i+1, segment.ErrInvalidConfig)
		}
	}
	return nil
}
