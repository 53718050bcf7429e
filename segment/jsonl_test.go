package segment

import (
	"bytes"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readAllJSONL(t testing.TB, r *JSONLReader) (accts []Account, errs map[int][]*FieldError) {
	t.Helper()
	errs = make(map[int][]*FieldError)
	for {
		a, err := r.Read()
		if err == io.EOF {
			return accts, errs
		}
		if err != nil {
			var fe *FieldError
			require.True(t, errors.As(err, &fe), "line %d: error %v is not a *FieldError", r.Row(), err)
			forEachFieldError(err, func(fe *FieldError) { errs[r.Row()] = append(errs[r.Row()], fe) })
			continue
		}
		accts = append(accts, a)
	}
}

func TestJSONLReader(t *testing.T) {
	f, err := os.Open("testdata/accounts.jsonl")
	require.NoError(t, err)
	defer f.Close()
	r, err := NewJSONLReader(f, JSONLOptions{})
	require.NoError(t, err)
	accts, errs := readAllJSONL(t, r)
	assert.Equal(t, 11, r.Row(), "blank lines are counted")
	require.Len(t, accts, 3)
	assert.Equal(t, "A1", accts[0].ID)
	assert.Equal(t, N(1200), accts[0].Employees)
	assert.Equal(t, Yes, accts[0].Converted)
	assert.Equal(t, "A2", accts[1].ID, "CRLF line")
	assert.False(t, accts[1].Employees.Known(), "null is unknown")
	require.Len(t, accts[1].Orders, 1)
	assert.Equal(t, time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), accts[1].Orders[0].Time)
	assert.Equal(t, map[string]float64{"q1": 4}, accts[2].Survey)
	assert.Equal(t, "a, b", accts[2].Text["note"])

	want := map[int]string{4: "employes", 5: "orders[0].amout", 6: "employees", 7: "employees", 8: "", 9: ""}
	got := map[int]string{}
	for line, es := range errs {
		require.Len(t, es, 1, "line %d", line)
		got[line] = es[0].Field
		assert.Equal(t, line, es[0].Row)
	}
	assert.Equal(t, want, got)
	assert.Equal(t, "A3", errs[4][0].AccountID)
	assert.ErrorIs(t, errs[4][0], errUnknownField)
	assert.Contains(t, errs[7][0].Error(), "negative")
	assert.Contains(t, errs[8][0].Error(), "not valid JSON")
	assert.Contains(t, errs[9][0].Error(), "data after the account")
	assert.Equal(t, "A8", errs[9][0].AccountID)
}

func TestJSONLReaderLongLines(t *testing.T) {
	long := `{"id":"L","name":"` + strings.Repeat("x", 200) + `"}`
	in := "\ufeff" + `{"id":"A"}` + "\n" + long + "\n" + `{"id":"B"}` + "\n" + long // no final newline
	r, err := NewJSONLReader(strings.NewReader(in), JSONLOptions{MaxLineBytes: 100})
	require.NoError(t, err)
	accts, errs := readAllJSONL(t, r)
	assert.Equal(t, 4, r.Row())
	require.Len(t, accts, 2)
	assert.Equal(t, "A", accts[0].ID, "BOM skipped")
	assert.Equal(t, "B", accts[1].ID)
	require.Len(t, errs, 2)
	assert.Contains(t, errs[2][0].Error(), "longer than 100 bytes")
	assert.Contains(t, errs[4][0].Error(), "longer than 100 bytes")

	r, err = NewJSONLReader(strings.NewReader(long), JSONLOptions{})
	require.NoError(t, err)
	a, err := r.Read()
	require.NoError(t, err, "the default limit is 16 MiB")
	assert.Equal(t, "L", a.ID)

	_, err = NewJSONLReader(strings.NewReader(""), JSONLOptions{MaxLineBytes: -1})
	assert.ErrorIs(t, err, ErrInvalidConfig)
}

func TestJSONLRoundTrip(t *testing.T) {
	in := []Account{
		{ID: "A", Name: "Acme, \"Inc\"", Employees: N(0), Revenue: N(1.5e9), Country: "US", Type: B2B, Stage: Customer,
			Technologies: []string{"AWS"}, Converted: No, Numbers: map[string]float64{"nps": 42}, Text: map[string]string{"k": "<v>"},
			Orders: []Order{{Time: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), Amount: 10, Margin: N(2)}}},
		{ID: "B"},
	}
	var buf bytes.Buffer
	require.NoError(t, WriteJSONL(&buf, slices.Values(in)))
	assert.Equal(t, 2, bytes.Count(buf.Bytes(), []byte("\n")))
	r, err := NewJSONLReader(&buf, JSONLOptions{})
	require.NoError(t, err)
	out := slices.Collect(r.All())
	require.NoError(t, r.Err())
	assert.Equal(t, in, out)

	bad := []Account{{ID: "ok"}, {ID: "neg", Employees: N(-1)}}
	err = WriteJSONL(io.Discard, slices.Values(bad))
	var fe *FieldError
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, 2, fe.Row)
	assert.Equal(t, "neg", fe.AccountID)
	assert.Equal(t, "employees", fe.Field)
}

func TestJSONLAllStopsAtError(t *testing.T) {
	r, err := NewJSONLReader(strings.NewReader(`{"id":"a"}`+"\n"+`{"id":""}`+"\n"+`{"id":"c"}`), JSONLOptions{})
	require.NoError(t, err)
	var ids []string
	for a := range r.All() {
		ids = append(ids, a.ID)
	}
	assert.Equal(t, []string{"a"}, ids)
	assert.ErrorIs(t, r.Err(), ErrInvalidAccount)
	a, err := r.Read()
	require.NoError(t, err, "Read goes on after the error")
	assert.Equal(t, "c", a.ID)
}

func TestLocate(t *testing.T) {
	tests := []struct{ in, path string }{
		{`{"id":"a","orders":[{"time":"2024-01-01T00:00:00Z","amount":1},{"time":"x","amount":1}]}`, "orders[1].time"},
		{`{"id":"a","survey":{"q":"high"}}`, "survey[q]"},
		{`{"id":"a","orders":{}}`, "orders"},
		{`{"id":"a","converted":"maybe"}`, "converted"},
		{`{"id":"a","ID":"b","Employes":1}`, "Employes"},
		{`[1]`, ""},
	}
	for _, tt := range tests {
		_, err := decodeAccountLine([]byte(tt.in), 3)
		var fe *FieldError
		require.True(t, errors.As(err, &fe), tt.in)
		assert.Equal(t, tt.path, fe.Field, tt.in)
		assert.Equal(t, 3, fe.Row, tt.in)
	}
}

func TestJSONLReadLine(t *testing.T) {
	in := "\ufeff{\"id\":\"a\"}\r\n\n  \t\n" + strings.Repeat("x", 40) + "\n  {\"id\":\"b\"}  "
	r, err := NewJSONLReader(strings.NewReader(in), JSONLOptions{MaxLineBytes: 20})
	require.NoError(t, err)
	type got struct {
		line string
		row  int
		err  string
	}
	var all []got
	for {
		line, err := r.ReadLine()
		if err == io.EOF {
			break
		}
		g := got{line: string(line), row: r.Row()}
		if err != nil {
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, r.Row(), fe.Row)
			g.err = err.Error()
		}
		all = append(all, g)
	}
	assert.Equal(t, []got{
		{line: `{"id":"a"}`, row: 1},
		{line: "", row: 2},
		{line: "", row: 3},
		{row: 4, err: "account without id (row 4): line is longer than 20 bytes"},
		{line: `{"id":"b"}`, row: 5},
	}, all)
	_, err = r.ReadLine()
	assert.ErrorIs(t, err, io.EOF, "EOF again")
}
