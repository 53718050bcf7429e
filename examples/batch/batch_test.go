package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
)

// fixture writes n generated accounts as CSV (share bad of them corrupted)
// into dir and returns its path.
func fixture(t *testing.T, dir string, n int, bad float64) string {
	t.Helper()
	path := filepath.Join(dir, "accounts.csv")
	var buf bytes.Buffer
	require.NoError(t, generate(t.Context(), &buf, n, 7, formatCSV, bad))
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	return path
}

// fitModel fits the layers on the CSV at in through the fit command and
// returns the model file's path.
func fitModel(t *testing.T, in, layers string) string {
	t.Helper()
	path := filepath.Join(filepath.Dir(in), "model.json")
	var stderr bytes.Buffer
	err := run(t.Context(), []string{"fit", "-in", in, "-model", path, "-layers", layers, "-max-rejects", "-1"}, io.Discard, &stderr)
	require.NoError(t, err, stderr.String())
	return path
}

func options(t *testing.T, in, modelPath string) assignOptions {
	t.Helper()
	layers, m, err := loadModel(modelPath)
	require.NoError(t, err)
	dir := filepath.Dir(in)
	return assignOptions{In: in, Out: filepath.Join(dir, "out.csv"), Rejects: filepath.Join(dir, "out.rejects.csv"),
		Model: m, Layers: layers, MaxRejects: -1}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	return rows
}

// tempFiles lists the temporary files left in dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var tmp []string
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			tmp = append(tmp, e.Name())
		}
	}
	return tmp
}

const testLayers = "firmographic,sophistication"

func TestAssignCountsAddUp(t *testing.T) {
	dir := t.TempDir()
	in := fixture(t, dir, 3000, 0.02)
	o := options(t, in, fitModel(t, in, testLayers))
	o.Workers, o.ChunkRows = 3, 50
	st, err := assignFile(t.Context(), o)
	require.NoError(t, err)

	assert.Equal(t, 3000, st.Read, "rows read")
	assert.Equal(t, st.Read, st.Written+st.Rejected, "read = written + rejected")
	assert.Greater(t, st.Rejected, 20, "the corrupted rows are rejected")
	out := readCSV(t, o.Out)
	assert.Equal(t, st.Written, len(out)-1, "data rows in the output")
	rej := readCSV(t, o.Rejects)
	assert.Equal(t, []string{"row", "line", "id", "column", "reason"}, rej[0])
	rows := map[string]bool{}
	for _, r := range rej[1:] {
		rows[r[0]] = true
		assert.NotEmpty(t, r[3], "the rejected column of row %s", r[0])
		assert.NotEmpty(t, r[4], "the reason of row %s", r[0])
	}
	assert.Equal(t, st.Rejected, len(rows), "distinct rows in the rejects file")
	assert.Empty(t, tempFiles(t, dir))
}

func TestAssignOrder(t *testing.T) {
	dir := t.TempDir()
	in := fixture(t, dir, 2000, 0.01)
	o := options(t, in, fitModel(t, in, testLayers))
	o.Workers, o.ChunkRows = 4, 7
	st, err := assignFile(t.Context(), o)
	require.NoError(t, err)

	rejected := map[string]bool{}
	for _, r := range readCSV(t, o.Rejects)[1:] {
		rejected[r[0]] = true
	}
	// The IDs of the input's good rows, in the input's order.
	input := readCSV(t, in)
	var want []string
	for i, r := range input[1:] {
		if !rejected[itoa(i+1)] {
			want = append(want, r[0])
		}
	}
	var got []string
	for _, r := range readCSV(t, o.Out)[1:] {
		got = append(got, r[0])
	}
	assert.Equal(t, st.Written, len(got))
	assert.Equal(t, want, got, "output rows in input order")
}

func TestAssignRejectLimit(t *testing.T) {
	dir := t.TempDir()
	in := fixture(t, dir, 2000, 0.05)
	o := options(t, in, fitModel(t, in, testLayers))
	o.MaxRejects, o.ChunkRows = 3, 64
	st, err := assignFile(t.Context(), o)
	require.ErrorIs(t, err, errTooManyRejects)

	assert.NoFileExists(t, o.Out, "no output after the limit")
	assert.Empty(t, tempFiles(t, dir))
	assert.Equal(t, 4, st.Rejected, "the run stops at the rejected row past the limit")
	assert.Equal(t, st.Read, st.Written+st.Rejected)
	assert.Len(t, readCSV(t, o.Rejects), 1+4, "the rejects file holds the rows up to the limit")
}

func TestAssignLeavesNoOutputOnFailure(t *testing.T) {
	dir := t.TempDir()
	in := fixture(t, dir, 1000, 0)
	o := options(t, in, fitModel(t, in, testLayers))
	require.NoError(t, os.WriteFile(o.Out, []byte("yesterday's output\n"), 0o644))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := assignFile(ctx, o)
	require.ErrorIs(t, err, context.Canceled)
	old, err := os.ReadFile(o.Out)
	require.NoError(t, err)
	assert.Equal(t, "yesterday's output\n", string(old), "an interrupted run leaves the previous output as it was")
	assert.NoFileExists(t, o.Rejects)
	assert.Empty(t, tempFiles(t, dir))

	// An output directory that does not exist: the run fails and leaves
	// nothing behind.
	o.Out = filepath.Join(dir, "missing", "out.csv")
	_, err = assignFile(t.Context(), o)
	require.Error(t, err)
	assert.NoFileExists(t, o.Out)
	assert.Empty(t, tempFiles(t, dir))
}

func TestFitAssignRoundTrip(t *testing.T) {
	dir := t.TempDir()
	in := fixture(t, dir, 1500, 0.004)
	modelPath := fitModel(t, in, defaultLayers)
	out := filepath.Join(dir, "segments.csv")
	var stderr bytes.Buffer
	err := run(t.Context(), []string{"assign", "-model", modelPath, "-in", in, "-out", out, "-workers", "2", "-chunk", "100"}, io.Discard, &stderr)
	require.NoError(t, err, stderr.String())
	assert.Contains(t, stderr.String(), "1500 rows read = ")

	// Each output row holds what the model assigns the account read alone.
	layers, m, err := loadModel(modelPath)
	require.NoError(t, err)
	assert.Equal(t, parseLayers(defaultLayers), layers)
	f, err := os.Open(in)
	require.NoError(t, err)
	defer f.Close()
	r, err := segment.NewCSVReader(f, segment.CSVMapping{})
	require.NoError(t, err)
	rows := readCSV(t, out)
	header := rows[0]
	col := func(name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %q in %v", name, header)
		return -1
	}
	i := 1
	for {
		a, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			continue
		}
		as, err := m.Assign(&a)
		require.NoError(t, err)
		require.Less(t, i, len(rows))
		row := rows[i]
		i++
		assert.Equal(t, r.Record(), row[:len(r.Record())], "the input columns of account %s", a.ID)
		assert.Equal(t, as.Segment.ID, row[col("segment")], "account %s", a.ID)
		assert.Equal(t, formatScore(as.Score), row[col("score")], "account %s", a.ID)
		for j, l := range layers {
			assert.Equal(t, as.Parts[j].Segment.ID, row[col(l+"_segment")], "account %s layer %s", a.ID, l)
		}
	}
	assert.Equal(t, len(rows), i, "one output row per good input row")
}

func TestSplitterMatchesEncodingCSV(t *testing.T) {
	inputs := []string{
		"id,name\nA,\"multi\nline\"\nB,\"say \"\"hi\"\"\"\r\nC,plain\n",
		"id,name\nA,x\n\nB,\"ends with quote\"\"\"\nC,\"unterminated",
		"id,name\nA,bare\"quote\nB,ok",
	}
	for _, s := range inputs {
		sp := newSplitter(strings.NewReader(s), ',')
		var all []byte
		records := 0
		for {
			var err error
			var before = len(all)
			all, _, err = sp.appendRecord(all)
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			records++
			assert.NotEqual(t, before, len(all), "a record adds bytes")
		}
		assert.Equal(t, strings.TrimSuffix(s, "\n")+"\n", string(all), "the pieces put together are the input")
		want := 0
		cr := csv.NewReader(strings.NewReader(s))
		cr.FieldsPerRecord = -1
		for {
			_, err := cr.Read()
			if err == io.EOF {
				break
			}
			want++
		}
		assert.LessOrEqual(t, want, records, "records of %q", s)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestAssignKeepsRowsAsWritten(t *testing.T) {
	dir := t.TempDir()
	in := fixture(t, dir, 300, 0)
	modelPath := fitModel(t, in, "firmographic")
	// Rows with a quoted line break, escaped quotes, CRLF, a blank extra
	// field and no final newline.
	odd := filepath.Join(dir, "odd.csv")
	require.NoError(t, os.WriteFile(odd, []byte("id,name,employees,country\n"+
		"X-1,\"Acme,\nInc.\",120,DE\r\n"+
		"X-2,\"The \"\"Best\"\" Co\",5000,US\n"+
		"X-3,Plain,40,FR,\n"+
		"X-4,Last,7,GB"), 0o644))
	o := options(t, odd, modelPath)
	st, err := assignFile(t.Context(), o)
	require.NoError(t, err)
	assert.Equal(t, stats{Read: 4, Written: 4}, stats{Read: st.Read, Written: st.Written, Rejected: st.Rejected})
	rows := readCSV(t, o.Out)
	require.Len(t, rows, 5)
	assert.Equal(t, []string{"X-1", "Acme,\nInc.", "120", "DE"}, rows[1][:4])
	assert.Equal(t, []string{"X-2", `The "Best" Co`, "5000", "US"}, rows[2][:4])
	assert.Equal(t, []string{"X-3", "Plain", "40", "FR"}, rows[3][:4])
	assert.Equal(t, []string{"X-4", "Last", "7", "GB"}, rows[4][:4])
	for i, r := range rows {
		assert.Len(t, r, len(rows[0]), "columns of output row %d", i)
	}
}

func TestAppendFieldQuotesAsEncodingCSV(t *testing.T) {
	for _, s := range []string{"", "plain", "a,b", `say "hi"`, "two\nlines", "cr\r", " lead", "\u00a0nbsp", `\.`, "tail ", "é,ü"} {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		require.NoError(t, w.Write([]string{s}))
		w.Flush()
		assert.Equal(t, want.String(), string(appendField(nil, s, ','))+"\n", "field %q", s)
	}
}
