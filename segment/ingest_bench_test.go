package segment

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// benchCSV writes n Salesforce-style rows, with blanks, thousands
// separators, currency symbols and names to look up.
func benchCSV(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	countries := []string{"United States", "US", "Germany", "united kingdom", "FR", "India", ""}
	industries := []string{"Software", "Manufacturing", "Retail", "Banking", "Hospital & Health Care"}
	var b bytes.Buffer
	b.WriteString("Account ID,Account Name,Industry,Employees,Annual Revenue,Billing Country,Billing City,Lifecycle Stage,Technologies,Year Founded,Converted,Notes\r\n")
	for i := range n {
		emp := strconv.Itoa(1 + rng.IntN(20000))
		if rng.IntN(10) == 0 {
			emp = ""
		} else if len(emp) > 3 {
			emp = `"` + emp[:len(emp)-3] + "," + emp[len(emp)-3:] + `"`
		}
		fmt.Fprintf(&b, "001%07d,\"Company %d, Inc.\",%s,%s,$%d.%dM,%s,City %d,%s,\"AWS; Salesforce\",%d,%s,note %d\r\n",
			i, i, industries[rng.IntN(len(industries))], emp, rng.IntN(500), rng.IntN(10),
			countries[rng.IntN(len(countries))], rng.IntN(100), []string{"lead", "customer", "opportunity"}[rng.IntN(3)],
			1900+rng.IntN(120), []string{"yes", "no", ""}[rng.IntN(3)], i)
	}
	return b.Bytes()
}

func BenchmarkCSVReader(b *testing.B) {
	for _, n := range []int{100_000} {
		data := benchCSV(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				r, err := NewCSVReader(bytes.NewReader(data), CSVMapping{})
				if err != nil {
					b.Fatal(err)
				}
				got := 0
				for {
					_, err := r.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					got++
				}
				if got != n {
					b.Fatalf("read %d accounts, want %d", got, n)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
		})
	}
}

func BenchmarkJSONLReader(b *testing.B) {
	const n = 100_000
	r, err := NewCSVReader(bytes.NewReader(benchCSV(n)), CSVMapping{})
	if err != nil {
		b.Fatal(err)
	}
	var data bytes.Buffer
	if err := WriteJSONL(&data, r.All()); err != nil || r.Err() != nil {
		b.Fatal(err, r.Err())
	}
	b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(data.Len()))
		for b.Loop() {
			jr, err := NewJSONLReader(bytes.NewReader(data.Bytes()), JSONLOptions{})
			if err != nil {
				b.Fatal(err)
			}
			got := 0
			for range jr.All() {
				got++
			}
			if got != n || jr.Err() != nil {
				b.Fatalf("read %d accounts, want %d: %v", got, n, jr.Err())
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
	})
}

func BenchmarkWrite(b *testing.B) {
	const n = 100_000
	r, err := NewCSVReader(bytes.NewReader(benchCSV(n)), CSVMapping{})
	if err != nil {
		b.Fatal(err)
	}
	var accts []Account
	for a := range r.All() {
		accts = append(accts, a)
	}
	if r.Err() != nil || len(accts) != n {
		b.Fatal(r.Err(), len(accts))
	}
	for _, format := range []string{"jsonl", "csv"} {
		b.Run(fmt.Sprintf("format=%s/n=%d", format, n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if format == "jsonl" {
					err = WriteJSONL(io.Discard, slices.Values(accts))
				} else {
					err = WriteCSV(io.Discard, slices.Values(accts), CSVWriteOptions{Text: []string{"Notes", "employees_range"}})
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
		})
	}
}
