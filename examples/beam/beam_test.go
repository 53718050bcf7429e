package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
)

// TestMain runs the pipelines on prism, in process, unless --runner says
// otherwise.
func TestMain(m *testing.M) { ptest.Main(m) }

// fitted fits the layered model on n generated accounts and returns its JSON
// and the accounts as JSON Lines.
func fitted(t *testing.T, n int) ([]byte, []segment.Account, []string) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, generateAccounts(&buf, n, 7))
	r, err := segment.NewJSONLReader(bytes.NewReader(buf.Bytes()), segment.JSONLOptions{})
	require.NoError(t, err)
	accts := slices.Collect(r.All())
	require.NoError(t, r.Err())
	require.Len(t, accts, n)
	s, err := segmenter()
	require.NoError(t, err)
	m, err := s.Fit(context.Background(), slices.Values(accts))
	require.NoError(t, err)
	mj, err := json.Marshal(m)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	return mj, accts, lines
}

func TestAssignCounts(t *testing.T) {
	mj, accts, lines := fitted(t, 600)
	m, err := decodeModel(mj)
	require.NoError(t, err)
	res, err := segment.AssignAll(context.Background(), m, slices.Values(accts), 2)
	require.NoError(t, err)
	counts := map[string]int{}
	for _, as := range res.Assignments {
		counts[as.Segment.ID]++
	}
	var want []any
	for id, n := range counts {
		want = append(want, formatCount(id, n))
	}
	require.Greater(t, len(want), 3, "the model should place 600 accounts in several segments")

	bad := []string{"not json", `{"id":"X-1","employees":-5}`, `{"id":"X-2","no_such_field":1}`}
	input := append(slices.Clone(lines), bad...)
	input = append(input, "", "   ") // blank lines are skipped, not rejected

	path := filepath.Join(t.TempDir(), "accounts.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(input, "\n")+"\n"), 0o644))
	p, s := beam.NewPipelineWithRoot()
	in := textio.Read(s, path)
	assigned, cnts, rejects := assignLines(s, in, &assignFn{Model: mj, Format: formatJSONL})
	passert.Equals(s, cnts, want...)
	passert.Count(s, assigned, "assigned", len(accts))
	passert.Count(s, rejects, "rejects", len(bad))
	// The reject lines the DoFn writes, each with its line and its error.
	fn := &assignFn{Model: mj, Format: formatJSONL}
	require.NoError(t, fn.Setup())
	var wantRejects []any
	for _, l := range bad {
		require.NoError(t, fn.ProcessElement(l, func(string) { t.Errorf("%q assigned", l) }, func(string) {}, func(r string) {
			wantRejects = append(wantRejects, r)
			assert.Contains(t, r, `"error":`)
		}))
	}
	require.Len(t, wantRejects, len(bad))
	passert.Equals(s, rejects, wantRejects...)
	require.NoError(t, ptest.Run(p))
}

func TestAssignCSV(t *testing.T) {
	mj, accts, _ := fitted(t, 300)
	var buf bytes.Buffer
	flat := make([]segment.Account, len(accts))
	for i, a := range accts {
		// The CRM's account table: no orders, usage or events.
		a.Orders, a.Subscriptions, a.Usage, a.Events, a.Survey, a.Numbers, a.Text = nil, nil, nil, nil, nil, nil, nil
		flat[i] = a
	}
	require.NoError(t, segment.WriteCSV(&buf, slices.Values(flat), segment.CSVWriteOptions{}))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	header := lines[0]
	// Quoted fields may hold line breaks, which a line-based read splits;
	// keep to the rows that are one line each.
	rows := append(slices.Clone(lines), "X-9,not-a-number-of-employees")
	path := filepath.Join(t.TempDir(), "accounts.csv")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(rows, "\n")+"\n"), 0o644))

	p, s := beam.NewPipelineWithRoot()
	in := textio.Read(s, path)
	assigned, _, rejects := assignLines(s, in, &assignFn{Model: mj, Format: formatCSV, Header: header})
	passert.Count(s, assigned, "assigned", len(lines)-1)
	passert.Count(s, rejects, "rejects", 1)
	require.NoError(t, ptest.Run(p))
}

func TestBadModel(t *testing.T) {
	_, err := decodeModel([]byte(`{"method":"tier","version":1}`))
	assert.ErrorIs(t, err, segment.ErrModelVersion)
}

func TestKMeansEqualsInProcess(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rows.csv")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, generateBlobs(f, 20_000, 8, 8, 3))
	require.NoError(t, f.Close())
	x, err := readRows(path)
	require.NoError(t, err)
	init := firstRows(x, 8)

	ctx := context.Background()
	res, err := distributedLloyd(ctx, kmeansConfig{In: path, Init: init, Work: dir,
		Run: func(_ context.Context, p *beam.Pipeline) error { return ptest.Run(p) }})
	require.NoError(t, err)
	m, err := localLloyd(ctx, x, init, 300, 2)
	require.NoError(t, err)

	assert.Equal(t, m.Iterations, res.Iterations)
	assert.Equal(t, m.Converged, res.Converged)
	assert.Equal(t, m.Sizes, res.Sizes)
	assert.InDelta(t, 0, (res.Inertia-m.Inertia)/m.Inertia, 1e-9)
	rel, maxc := compare(res, m)
	assert.Less(t, rel, 1e-9)
	assert.Less(t, maxc, 1e-9)
}

func TestExactSumOrderFree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 5000)
	for i := range xs {
		xs[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(30)-15))
	}
	want := new(big.Float).SetPrec(2200)
	for _, x := range xs {
		want.Add(want, big.NewFloat(x))
	}
	w, _ := want.Float64()

	var a exactSum
	for _, x := range xs {
		a = a.add(x)
	}
	// The same values, shuffled and split in three merged parts.
	rng.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
	var p, q, r exactSum
	for i, x := range xs {
		switch i % 3 {
		case 0:
			p = p.add(x)
		case 1:
			q = q.add(x)
		default:
			r = r.add(x)
		}
	}
	b := r.merge(p).merge(q)
	assert.Equal(t, w, a.value())
	assert.Equal(t, w, b.value())
}

func TestParseRow(t *testing.T) {
	row := make([]float64, 3)
	require.NoError(t, parseRow(row, "1,-2.5,3e2\r"))
	assert.Equal(t, []float64{1, -2.5, 300}, row)
	for _, bad := range []string{"1,2", "1,2,3,4", "1,x,3", "1,NaN,3", "1,+Inf,3"} {
		assert.Error(t, parseRow(row, bad), bad)
	}
}
