package segment

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"maps"
	"os"
	"reflect"
	"slices"
	"testing"
)

func addFileSeeds(f *testing.F, paths ...string) {
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// FuzzCSVReader checks that reading any input never panics, that every
// error is a *HeaderError or a *FieldError naming its row, that the counts
// add up and that every account returned is valid.
func FuzzCSVReader(f *testing.F) {
	addFileSeeds(f, "testdata/salesforce_accounts.csv", "testdata/hubspot_companies.csv")
	f.Add([]byte("ID,Employees,Annual Revenue,Country,Year Founded\n1,\"1,200\",$5M,de,1999\n2,\"x\"y,,,\n3,10001+,,,\n"))
	f.Add([]byte("Name,Technologies\n\"a\nb\",\"x;y\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewCSVReader(bytes.NewReader(data), CSVMapping{RowIDs: true})
		if err != nil {
			var he *HeaderError
			if !errors.As(err, &he) {
				t.Fatalf("header error %v (%T) is not a *HeaderError", err, err)
			}
			return
		}
		good, bad := 0, 0
		var accts []Account
		for range len(data) + 2 {
			a, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				bad++
				n := 0
				forEachFieldError(err, func(fe *FieldError) {
					n++
					if fe.Row != r.Row() {
						t.Fatalf("error %v has row %d, reader is at row %d", fe, fe.Row, r.Row())
					}
					if fe.Field == "" && !errors.As(fe.Err, new(*csv.ParseError)) {
						t.Fatalf("error %v names no column", fe)
					}
				})
				if n == 0 {
					t.Fatalf("error %v (%T) is not a *FieldError", err, err)
				}
				continue
			}
			good++
			if err := a.Validate(); err != nil {
				t.Fatalf("row %d: account read is invalid: %v", r.Row(), err)
			}
			accts = append(accts, a)
		}
		if _, err := r.Read(); err != io.EOF {
			t.Fatalf("not at the end after %d bytes: %v", len(data), err)
		}
		if good+bad != r.Row() {
			t.Fatalf("%d accounts + %d errors != %d rows", good, bad, r.Row())
		}
		// What was read writes as CSV and reads back equal.
		numbers, text := map[string]bool{}, map[string]bool{}
		for _, a := range accts {
			for k := range a.Numbers {
				numbers[k] = true
			}
			for k := range a.Text {
				text[k] = true
			}
		}
		var buf bytes.Buffer
		opts := CSVWriteOptions{Numbers: slices.Sorted(maps.Keys(numbers)), Text: slices.Sorted(maps.Keys(text))}
		if err := WriteCSV(&buf, slices.Values(accts), opts); err != nil {
			t.Fatalf("writing accounts read: %v", err)
		}
		r2, err := NewCSVReader(&buf, CSVMapping{})
		if err != nil {
			t.Fatalf("reading back %q: %v", buf.String(), err)
		}
		back := slices.Collect(r2.All())
		if r2.Err() != nil {
			t.Fatalf("reading back %q: %v", buf.String(), r2.Err())
		}
		if !reflect.DeepEqual(accts, back) && len(accts)+len(back) > 0 {
			t.Fatalf("read back\n%+v\nwant\n%+v", back, accts)
		}
	})
}

// FuzzJSONLReader checks that reading any input never panics, that every
// error is a *FieldError naming its line, and that every account read
// writes and reads back equal.
func FuzzJSONLReader(f *testing.F) {
	addFileSeeds(f, "testdata/accounts.jsonl")
	f.Add([]byte(`{"id":"a","orders":[{"time":"2024-01-01T00:00:00Z","amount":1e308}],"numbers":{"x":1}}`))
	f.Add([]byte("{\"id\":\"a\"}\r\n\n{\"id\":\"b\",\"survey\":{\"q\":1}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewJSONLReader(bytes.NewReader(data), JSONLOptions{MaxLineBytes: 4096})
		if err != nil {
			t.Fatal(err)
		}
		var accts []Account
		for range len(data) + 2 {
			a, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				n := 0
				forEachFieldError(err, func(fe *FieldError) {
					n++
					if fe.Row != r.Row() {
						t.Fatalf("error %v has row %d, reader is at line %d", fe, fe.Row, r.Row())
					}
				})
				if n == 0 {
					t.Fatalf("error %v (%T) is not a *FieldError", err, err)
				}
				continue
			}
			accts = append(accts, a)
		}
		if _, err := r.Read(); err != io.EOF {
			t.Fatalf("not at the end after %d bytes: %v", len(data), err)
		}
		var buf bytes.Buffer
		if err := WriteJSONL(&buf, slices.Values(accts)); err != nil {
			t.Fatalf("writing accounts read: %v", err)
		}
		r2, _ := NewJSONLReader(&buf, JSONLOptions{})
		back := slices.Collect(r2.All())
		if r2.Err() != nil {
			t.Fatalf("reading back: %v", r2.Err())
		}
		if len(back) != len(accts) {
			t.Fatalf("wrote %d accounts, read back %d", len(accts), len(back))
		}
	})
}
