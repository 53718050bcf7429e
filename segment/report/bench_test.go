package report_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/report"
)

// replicate returns n accounts: copies of base under new IDs (sharing
// their slices and maps, which nothing here changes), and their
// assignments likewise.
func replicate(base []segment.Account, as []segment.Assignment, n int) ([]segment.Account, []segment.Assignment) {
	accts := make([]segment.Account, n)
	out := make([]segment.Assignment, n)
	for i := range n {
		k := i % len(base)
		accts[i] = base[k]
		accts[i].ID = fmt.Sprintf("R-%07d", i)
		out[i] = as[k]
		out[i].AccountID = accts[i].ID
		out[i].Parts = append([]segment.Assignment(nil), as[k].Parts...)
		for j := range out[i].Parts {
			out[i].Parts[j].AccountID = accts[i].ID
		}
	}
	return accts, out
}

// counter counts the bytes written to it.
type counter int64

func (c *counter) Write(p []byte) (int, error) { *c += counter(len(p)); return len(p), nil }

// BenchmarkReport measures Add (profiles of the composite and 4 layers,
// sample, projection, score charts' data) and WriteHTML (drawing the
// charts) of the sample's layered segmentation, replicated from 10,000
// generated accounts. The 1M case runs with STRATA_HEAVY=1.
func BenchmarkReport(b *testing.B) {
	s := newSample(b, 10_000)
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			if n > 100_000 && os.Getenv("STRATA_HEAVY") == "" {
				b.Skip("set STRATA_HEAVY=1 to measure the report of 1,000,000 accounts")
			}
			accts, as := replicate(s.accts, s.assigns, n)
			r, err := report.New(report.Config{})
			if err != nil {
				b.Fatal(err)
			}
			b.Run("add", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					r, err = report.New(report.Config{})
					if err != nil {
						b.Fatal(err)
					}
					if err := r.Add(context.Background(), "run", accts, as); err != nil {
						b.Fatal(err)
					}
				}
			})
			if err := r.AddComparison("firmographic", s.cmp); err != nil {
				b.Fatal(err)
			}
			b.Run("write_html", func(b *testing.B) {
				b.ReportAllocs()
				var size counter
				for b.Loop() {
					size = 0
					if err := r.WriteHTML(&size); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(size), "html-bytes")
			})
			b.Run("write_markdown", func(b *testing.B) {
				for b.Loop() {
					if err := r.WriteMarkdown(io.Discard); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
