package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/cluster"
)

func init() {
	register.DoFn3x1[string, string, func(lloydPartial), error](&lloydFn{})
	register.Emitter1[lloydPartial]()
	register.Function2x1(mergePartials)
	register.Function1x2(encodePartial)
}

// lloydCentres is the side input of one iteration: the centres of the
// iteration before (nil for the first) and the centres to assign the rows to.
type lloydCentres struct {
	Prev [][]float64 `json:"prev,omitempty"`
	Cur  [][]float64 `json:"cur"`
}

// lloydPartial is the reduction of one iteration over some of the rows: per
// centre the exact sums of its rows and their count, the number of rows
// whose nearest centre changed, and the exact inertia against Cur.
type lloydPartial struct {
	Sums    [][]float64 `json:"sums"` // k·d exact sums (partials), centre-major
	Counts  []int64     `json:"counts"`
	Changed int64       `json:"changed"`
	Inertia []float64   `json:"inertia"` // exact sum (partials)
	Rows    int64       `json:"rows"`
}

func newPartial(k, d int) lloydPartial {
	return lloydPartial{Sums: make([][]float64, k*d), Counts: make([]int64, k)}
}

// mergePartials adds two partial reductions. The sums are exact, so the merge
// order the runner picks does not change the result.
func mergePartials(a, b lloydPartial) lloydPartial {
	if len(a.Counts) == 0 {
		return b
	}
	if len(b.Counts) == 0 {
		return a
	}
	for i := range a.Sums {
		a.Sums[i] = exactSum(a.Sums[i]).merge(b.Sums[i])
	}
	for i := range a.Counts {
		a.Counts[i] += b.Counts[i]
	}
	a.Changed += b.Changed
	a.Inertia = exactSum(a.Inertia).merge(b.Inertia)
	a.Rows += b.Rows
	return a
}

// encodePartial writes the reduction as JSON for the driver to read back.
func encodePartial(p lloydPartial) (string, error) {
	b, err := json.Marshal(p)
	return string(b), err
}

// lloydFn assigns each row (a CSV line of floats) to its nearest centre and
// sums the rows per centre over a bundle, emitting one partial per bundle.
type lloydFn struct {
	// D is the number of columns.
	D int `json:"d"`

	cur, prev *cluster.KMeansModel
	acc       lloydPartial
	row       []float64
}

// StartBundle decodes the centres and resets the bundle's reduction.
func (f *lloydFn) StartBundle(centres string, _ func(lloydPartial)) error {
	var c lloydCentres
	if err := json.Unmarshal([]byte(centres), &c); err != nil {
		return fmt.Errorf("beam: centres: %w", err)
	}
	if len(c.Cur) == 0 {
		return errors.New("beam: no centres")
	}
	f.cur, f.prev = &cluster.KMeansModel{Centers: c.Cur}, nil
	if c.Prev != nil {
		f.prev = &cluster.KMeansModel{Centers: c.Prev}
	}
	f.acc = newPartial(len(c.Cur), f.D)
	f.row = make([]float64, f.D)
	return nil
}

// ProcessElement adds one row. A row that does not parse fails the pipeline:
// a fit that silently dropped rows would be a wrong answer.
func (f *lloydFn) ProcessElement(line, _ string, _ func(lloydPartial)) error {
	if strings.TrimSpace(line) == "" {
		return nil
	}
	if err := parseRow(f.row, line); err != nil {
		return err
	}
	l, sq := f.cur.Predict(f.row)
	if f.prev == nil {
		f.acc.Changed++
	} else if lp, _ := f.prev.Predict(f.row); lp != l {
		f.acc.Changed++
	}
	f.acc.Counts[l]++
	f.acc.Rows++
	for j, v := range f.row {
		f.acc.Sums[l*f.D+j] = exactSum(f.acc.Sums[l*f.D+j]).add(v)
	}
	f.acc.Inertia = exactSum(f.acc.Inertia).add(sq)
	return nil
}

// FinishBundle emits the bundle's reduction.
func (f *lloydFn) FinishBundle(_ string, emit func(lloydPartial)) {
	if f.acc.Rows > 0 {
		emit(f.acc)
	}
	f.cur, f.prev, f.acc = nil, nil, lloydPartial{}
}

// parseRow reads a CSV line of len(dst) finite floats into dst.
func parseRow(dst []float64, line string) error {
	line = strings.TrimSuffix(line, "\r")
	j := 0
	for f := range strings.SplitSeq(line, ",") {
		if j == len(dst) {
			return fmt.Errorf("beam: row %q has more than %d values", line, len(dst))
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("beam: row %q: value %d is not a finite number", line, j+1)
		}
		dst[j] = v
		j++
	}
	if j != len(dst) {
		return fmt.Errorf("beam: row %q has %d values, not %d", line, j, len(dst))
	}
	return nil
}

// kmeansConfig configures the distributed Lloyd fit.
type kmeansConfig struct {
	In      string      // glob of CSV files of float rows
	Init    [][]float64 // the K starting centres
	MaxIter int         // 0 means 300, as cluster.KMeans
	Work    string      // directory for each iteration's reduction
	// Run runs one pipeline (beamx.Run, or ptest.Run in tests).
	Run func(context.Context, *beam.Pipeline) error
	// Log, when not nil, gets one line per iteration.
	Log io.Writer
}

// kmeansResult is the outcome of the distributed fit, in cluster.KMeansModel's
// terms.
type kmeansResult struct {
	Centers    [][]float64
	Sizes      []float64
	Inertia    float64
	Iterations int
	Converged  bool
}

// distributedLloyd runs Lloyd's iteration (Lloyd 1982, "Least squares
// quantization in PCM") with one pipeline run per iteration: the centres go
// to the workers as a side input, each bundle sums its rows per nearest
// centre, and a combine merges the bundles' sums exactly. It stops as
// cluster.KMeans does with Tol 0: when no row changes centre, or at MaxIter
// (then one more pass computes the inertia against the final centres). An
// empty cluster is an error: cluster.KMeans relocates it, this fit does not.
func distributedLloyd(ctx context.Context, c kmeansConfig) (*kmeansResult, error) {
	if len(c.Init) == 0 || len(c.Init[0]) == 0 {
		return nil, errors.New("beam: kmeans: no initial centres")
	}
	maxIter := c.MaxIter
	if maxIter == 0 {
		maxIter = 300
	}
	k, d := len(c.Init), len(c.Init[0])
	var prev [][]float64
	cur := c.Init
	res := &kmeansResult{}
	var last *lloydPartial
	for it := 1; it <= maxIter; it++ {
		p, err := lloydPass(ctx, c, d, lloydCentres{Prev: prev, Cur: cur}, fmt.Sprintf("iter-%03d", it))
		if err != nil {
			return nil, err
		}
		next := make([][]float64, k)
		for j := range k {
			if p.Counts[j] == 0 {
				return nil, fmt.Errorf("beam: kmeans: iteration %d: cluster %d is empty (the distributed fit does not relocate empty clusters)", it, j)
			}
			next[j] = make([]float64, d)
			for t := range d {
				next[j][t] = exactSum(p.Sums[j*d+t]).value() / float64(p.Counts[j])
			}
		}
		if c.Log != nil {
			fmt.Fprintf(c.Log, "kmeans: iteration %d: %d rows, %d changed centre\n", it, p.Rows, p.Changed)
		}
		prev, cur = cur, next
		res.Iterations = it
		last = &p
		if p.Changed == 0 {
			res.Converged = true
			break
		}
	}
	// Converged: the rows' labels under prev equal those of the pass before,
	// so cur is prev bit for bit (exact sums) and the last pass's inertia is
	// the final one. Otherwise one more pass assigns to the final centres.
	if !res.Converged || !equalCentres(prev, cur) {
		p, err := lloydPass(ctx, c, d, lloydCentres{Cur: cur}, "final")
		if err != nil {
			return nil, err
		}
		last = &p
	}
	res.Centers = cur
	res.Sizes = make([]float64, k)
	for j, n := range last.Counts {
		res.Sizes[j] = float64(n)
	}
	res.Inertia = exactSum(last.Inertia).value()
	return res, nil
}

func equalCentres(a, b [][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

// lloydPass runs one pipeline over the rows and returns its reduction.
func lloydPass(ctx context.Context, c kmeansConfig, d int, centres lloydCentres, name string) (lloydPartial, error) {
	js, err := json.Marshal(centres)
	if err != nil {
		return lloydPartial{}, err
	}
	out := filepath.Join(c.Work, name+".json")
	p, s := beam.NewPipelineWithRoot()
	rows := textio.Read(s, c.In)
	side := beam.Create(s, string(js))
	parts := beam.ParDo(s, &lloydFn{D: d}, rows, beam.SideInput{Input: side})
	total := beam.Combine(s, mergePartials, parts)
	textio.Write(s, out, beam.ParDo(s, encodePartial, total))
	if err := c.Run(ctx, p); err != nil {
		return lloydPartial{}, fmt.Errorf("beam: kmeans %s: %w", name, err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return lloydPartial{}, fmt.Errorf("beam: kmeans %s: %w", name, err)
	}
	var r lloydPartial
	if err := json.Unmarshal(b, &r); err != nil {
		return lloydPartial{}, fmt.Errorf("beam: kmeans %s: %w", name, err)
	}
	if len(r.Counts) != len(centres.Cur) {
		return lloydPartial{}, fmt.Errorf("beam: kmeans %s: no rows", name)
	}
	return r, nil
}

// localLloyd fits cluster.KMeans in process on the same rows and start, with
// the options that make it the iteration distributedLloyd runs.
func localLloyd(ctx context.Context, x *mat.Dense, init [][]float64, maxIter, workers int) (*cluster.KMeansModel, error) {
	return cluster.KMeans(ctx, x, nil, cluster.KMeansConfig{
		K: len(init), Init: init, Algorithm: cluster.Lloyd, MaxIter: maxIter, Tol: 0,
		Restarts: 1, Refine: cluster.Refinement{Method: cluster.RefineNone}, Workers: workers,
	})
}

// readRows reads a CSV file of float rows into a matrix.
func readRows(path string) (*mat.Dense, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var data []float64
	var row []float64
	d, n := 0, 0
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		if d == 0 {
			d = strings.Count(line, ",") + 1
			row = make([]float64, d)
		}
		if err := parseRow(row, line); err != nil {
			return nil, err
		}
		data = append(data, row...)
		n++
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("beam: %s has no rows", path)
	}
	return mat.NewDense(n, d, data), nil
}

// firstRows returns the first k rows of x, the start both fits share.
func firstRows(x *mat.Dense, k int) [][]float64 {
	init := make([][]float64, k)
	for i := range k {
		init[i] = mat.Row(nil, i, x)
	}
	return init
}

// generateBlobs writes n rows of d columns drawn around k Gaussian centres
// (unit spread, centres uniform in [-10, 10]^d) from seed, as CSV with every
// value written so that it reads back bit for bit.
func generateBlobs(w io.Writer, n, d, k int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0xb10b))
	centres := make([][]float64, k)
	for j := range centres {
		centres[j] = make([]float64, d)
		for t := range centres[j] {
			centres[j][t] = rng.Float64()*20 - 10
		}
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	buf := make([]byte, 0, 32*d)
	for range n {
		c := centres[rng.IntN(k)]
		buf = buf[:0]
		for t := range d {
			if t > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendFloat(buf, c[t]+rng.NormFloat64(), 'g', -1, 64)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}
