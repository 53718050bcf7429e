package report

import (
	"math"

	"github.com/strataseg/strata/segment"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// features names the numeric features of the projection, in column order.
var features = []string{"log employees", "log revenue", "growth", "age", "log orders", "log order value", "log monthly subscription revenue", "log events", "log usage records"}

// projection is the 2-D principal component projection of the sampled
// accounts.
type projection struct {
	x, y []float64
	// used names the features that varied and entered the projection.
	used []string
	// explained is the share of variance of each of the two components.
	explained [2]float64
}

// featureRow extracts the features of one account; NaN is unknown.
func featureRow(a *segment.Account, row []float64) {
	nan := math.NaN()
	logKnown := func(n segment.Num) float64 {
		if v, ok := n.Get(); ok && v >= 0 {
			return math.Log1p(v)
		}
		return nan
	}
	row[0] = logKnown(a.Employees)
	row[1] = logKnown(a.Revenue)
	row[2] = nan
	if v, ok := a.Growth.Get(); ok {
		row[2] = v
	}
	row[3] = nan
	if a.Founded != 0 {
		// Age up to a constant, which standardizing removes.
		row[3] = float64(-a.Founded)
	}
	var value float64
	for _, o := range a.Orders {
		if o.Return {
			value -= o.Amount
		} else {
			value += o.Amount
		}
	}
	row[4] = math.Log1p(float64(len(a.Orders)))
	row[5] = math.Log1p(max(value, 0))
	var monthly float64
	for _, s := range a.Subscriptions {
		if s.End.IsZero() && s.Monthly > 0 {
			monthly += s.Monthly
		}
	}
	row[6] = math.Log1p(monthly)
	row[7] = math.Log1p(float64(len(a.Events)))
	row[8] = math.Log1p(float64(len(a.Usage)))
}

// project returns the projection of the accounts at sample, or nil when
// fewer than two features vary or there are fewer than three accounts.
func project(accts []segment.Account, sample []int) *projection {
	n, d := len(sample), len(features)
	if n < 3 {
		return nil
	}
	raw := make([]float64, n*d)
	for k, i := range sample {
		featureRow(&accts[i], raw[k*d:(k+1)*d])
	}
	// Standardize each column over its known values; unknown → 0 (the
	// mean). Columns that do not vary are dropped.
	var cols []int
	var used []string
	for j := range d {
		var sum, sq float64
		var m int
		for k := range n {
			if v := raw[k*d+j]; !math.IsNaN(v) && !math.IsInf(v, 0) {
				sum += v
				m++
			}
		}
		if m < 2 {
			continue
		}
		mean := sum / float64(m)
		for k := range n {
			if v := raw[k*d+j]; !math.IsNaN(v) && !math.IsInf(v, 0) {
				sq += (v - mean) * (v - mean)
			}
		}
		sd := math.Sqrt(sq / float64(m-1))
		if sd == 0 || math.IsNaN(sd) {
			continue
		}
		for k := range n {
			v := raw[k*d+j]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				raw[k*d+j] = 0
			} else {
				raw[k*d+j] = (v - mean) / sd
			}
		}
		cols = append(cols, j)
		used = append(used, features[j])
	}
	if len(cols) < 2 {
		return nil
	}
	x := mat.NewDense(n, len(cols), nil)
	for k := range n {
		for c, j := range cols {
			x.Set(k, c, raw[k*d+j])
		}
	}
	var pc stat.PC
	if !pc.PrincipalComponents(x, nil) {
		return nil
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	vars := pc.VarsTo(nil)
	// Fix each component's sign: its largest loading positive.
	for c := range 2 {
		best := 0.0
		for j := range len(cols) {
			if v := vecs.At(j, c); math.Abs(v) > math.Abs(best) {
				best = v
			}
		}
		if best < 0 {
			for j := range len(cols) {
				vecs.Set(j, c, -vecs.At(j, c))
			}
		}
	}
	var out mat.Dense
	out.Mul(x, vecs.Slice(0, len(cols), 0, 2))
	p := &projection{x: make([]float64, n), y: make([]float64, n), used: used}
	for k := range n {
		p.x[k], p.y[k] = out.At(k, 0), out.At(k, 1)
	}
	var total float64
	for _, v := range vars {
		total += v
	}
	if total > 0 {
		p.explained = [2]float64{vars[0] / total, vars[1] / total}
	}
	return p
}
