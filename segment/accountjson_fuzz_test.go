package segment_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// strictDecode decodes data as strict decoding did before
// DecodeAccountJSON, with encoding/json.
func strictDecode(data []byte) (segment.Account, error) {
	var a segment.Account
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return segment.Account{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return segment.Account{}, errors.New("data after the account")
	}
	return a, nil
}

// lean drops an account's histories, as the scoring service's lean
// accounts do.
func lean(a segment.Account) segment.Account {
	a.Orders, a.Subscriptions, a.Usage, a.Events, a.Survey = nil, nil, nil, nil, nil
	return a
}

// accountLines returns generated accounts as JSON Lines, full and lean.
func accountLines(t testing.TB, n int, seed uint64) [][]byte {
	t.Helper()
	accts := segmenttest.Accounts(n, seed)
	for _, a := range accts[:n/2] {
		accts = append(accts, lean(a))
	}
	var buf bytes.Buffer
	require.NoError(t, segment.WriteJSONL(&buf, slices.Values(accts)))
	return bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
}

// mutations returns variants of line that take every way through the
// decoder: keys in another case, repeated keys, nulls, escapes, invalid
// UTF-8, unknown fields, wrong types and truncation.
func mutations(line []byte) [][]byte {
	s := string(line)
	var out []string
	repl := func(old, new string) {
		if strings.Contains(s, old) {
			out = append(out, strings.Replace(s, old, new, 1))
		}
	}
	repl(`"id":`, `"ID":`)
	repl(`"amount":`, `"Amount":`)
	repl(`{"id":`, `{"id":"dup","id":`)
	repl(`"name":"`, `"name":null,"x":"`)
	repl(`"employees":`, `"employees":null,"revenue":`)
	repl(`"orders":[`, `"orders":[null,`)
	repl(`"survey":{`, `"survey":{"q":null,`)
	repl(`"metric":"`, `"metric":"\u00e9\ud83d\ude00\ud800`)
	repl(`"name":"`, "\"name\":\"\xff\xe2\x82")
	repl(`"text":"`, `"text":"\"\\\/\b\f\n\r\t\u2028`)
	repl(`"time":"`, `"time":"x`)
	repl(`"converted":`, `"converted":"yes","churned":`)
	repl(`"founded":`, `"founded":1.5,"x":`)
	repl(`"stage":"`, `"stage":"Client","y":"`)
	repl(`"amount":`, `"amount":"1","z":`)
	repl(`}`, `} `)
	out = append(out, s+`{}`, s[:len(s)/2], strings.ReplaceAll(s, ",", " ,\n "))
	b := make([][]byte, len(out))
	for i, o := range out {
		b[i] = []byte(o)
	}
	return b
}

// FuzzDecodeAccountJSON checks that DecodeAccountJSON gives what strict
// decoding with encoding/json gives, value or error, for any input, and
// that what it decodes does not alias its input.
func FuzzDecodeAccountJSON(f *testing.F) {
	for i, line := range accountLines(f, 12, 7) {
		f.Add(line)
		if i%3 == 0 {
			for _, m := range mutations(line) {
				f.Add(m)
			}
		}
	}
	if b, err := os.ReadFile("testdata/accounts.jsonl"); err == nil {
		for line := range bytes.SplitSeq(b, []byte("\n")) {
			f.Add(line)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := strictDecode(data)
		in := bytes.Clone(data)
		var got segment.Account
		err := segment.DecodeAccountJSON(in, &got)
		if (err == nil) != (werr == nil) {
			t.Fatalf("DecodeAccountJSON: error %v, encoding/json: error %v", err, werr)
		}
		if err != nil {
			if !errors.Is(err, segment.ErrInvalidAccount) {
				t.Fatalf("error %v (%T) is not a *FieldError", err, err)
			}
			return
		}
		for i := range in {
			in[i] = 0 // the caller reuses its buffer
		}
		wj, _ := json.Marshal(want)
		gj, _ := json.Marshal(got)
		if !reflect.DeepEqual(want, got) || !bytes.Equal(wj, gj) {
			t.Fatalf("decoded\n%s\nencoding/json decodes\n%s", gj, wj)
		}
	})
}

// assignmentLines returns the assignments of testdata/assignments.jsonl,
// made by the scoring service's layered model (six methods) on generated
// accounts, full and lean.
func assignmentLines(t testing.TB) [][]byte {
	t.Helper()
	data, err := os.ReadFile("testdata/assignments.jsonl")
	require.NoError(t, err)
	return bytes.Split(bytes.TrimSpace(data), []byte("\n"))
}

// FuzzAppendAssignmentJSON checks that AppendAssignmentJSON gives the bytes
// json.Marshal gives, or its error, for assignments read from data with s
// (any bytes) put in every kind of string and x and y as a score and an
// effect.
func FuzzAppendAssignmentJSON(f *testing.F) {
	for _, line := range assignmentLines(f) {
		f.Add(line, "a <b> & \"c\"\\ \u2028\u2029\x00\x1f\x7f", 0.25, -1e-7)
	}
	f.Add([]byte(`{"account_id":"a","segment":{"id":"s","name":"S","method":"m"},"score":1}`), "\xff\xfe é € 😀 \xed\xa0\x80", 1e21, 5e-324)
	f.Add([]byte(`{"account_id":"a","parts":[{"parts":[{"scores":{"b":1,"a":2}}]}]}`), "", math.Inf(1), 0.0)
	f.Add([]byte(`{}`), "x", math.NaN(), math.Copysign(0, -1))
	f.Add([]byte(`{"scores":{"p":0.1306080270584397,"q":1e-7,"r":6327.74}}`), "<>&", 0.30000000000000004, 4503599627370495.5)
	f.Fuzz(func(t *testing.T, data []byte, s string, x, y float64) {
		var as segment.Assignment
		if json.Unmarshal(data, &as) != nil {
			as = segment.Assignment{AccountID: string(data)}
		}
		as.Segment.Description += s
		as.Scores = map[string]float64{s: x, "score": y}
		as.Reasons = append(as.Reasons, segment.Reason{Text: s, Field: s, Effect: y})
		as.Parts = append(as.Parts, segment.Assignment{AccountID: s, Score: x, Segment: segment.Segment{Name: s}})
		want, werr := json.Marshal(&as)
		prefix := []byte("prefix")
		got, err := segment.AppendAssignmentJSON(prefix, &as)
		if werr != nil {
			if err == nil || err.Error() != werr.Error() {
				t.Fatalf("error %v, json.Marshal: %v", err, werr)
			}
			if string(got) != "prefix" {
				t.Fatalf("on error returned %q, not dst", got)
			}
			return
		}
		if err != nil {
			t.Fatalf("error %v, json.Marshal encodes %s", err, want)
		}
		if !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Fatalf("appended\n%s\njson.Marshal gives\n%s", got, want)
		}
	})
}

// BenchmarkDecodeAccountJSON decodes the scoring service's sample account
// (a customer with orders, a subscription, two years of usage, events with
// text and a survey) and its lean variant, with DecodeAccountJSON and with
// strict encoding/json, from the same bytes.
func BenchmarkDecodeAccountJSON(b *testing.B) {
	full := segmenttest.Accounts(1, 2)[0]
	for _, acc := range []struct {
		name string
		a    segment.Account
	}{{"full", full}, {"lean", lean(full)}} {
		data, err := json.Marshal(acc.a)
		require.NoError(b, err)
		for _, dec := range []struct {
			name   string
			decode func([]byte) error
		}{
			{"strata", func(data []byte) error {
				var a segment.Account
				return segment.DecodeAccountJSON(data, &a)
			}},
			{"encoding-json", func(data []byte) error {
				_, err := strictDecode(data)
				return err
			}},
		} {
			b.Run("account="+acc.name+"/decoder="+dec.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				cpu := processCPU()
				for b.Loop() {
					if err := dec.decode(data); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu)
			})
		}
	}
}

// BenchmarkAppendAssignmentJSON encodes a layered Assignment of the scoring
// service (six parts, 62 reasons) for a full account and for a lean one,
// with AppendAssignmentJSON into a reused buffer and with json.Marshal.
func BenchmarkAppendAssignmentJSON(b *testing.B) {
	lines := assignmentLines(b)
	for i, name := range []string{"full", "lean"} {
		var as segment.Assignment
		require.NoError(b, json.Unmarshal(lines[i], &as))
		for _, enc := range []struct {
			name   string
			encode func(buf []byte) ([]byte, error)
		}{
			{"strata", func(buf []byte) ([]byte, error) { return segment.AppendAssignmentJSON(buf[:0], &as) }},
			{"encoding-json", func([]byte) ([]byte, error) { return json.Marshal(&as) }},
		} {
			b.Run("assignment="+name+"/encoder="+enc.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(lines[i])))
				var buf []byte
				cpu := processCPU()
				for b.Loop() {
					var err error
					if buf, err = enc.encode(buf); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu)
			})
		}
	}
}

// reportCPU reports the CPU time per operation since start, garbage
// collection included, which a machine shared with other work measures
// better than the elapsed time.
func reportCPU(b *testing.B, start time.Duration) {
	if start == 0 {
		return
	}
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}
