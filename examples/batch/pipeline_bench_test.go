package main

import (
	"syscall"
	"testing"
	"time"

	"github.com/strataseg/strata/segment"
)

// stubModel assigns every account one fixed assignment shaped like a
// one-layer model's (a composite over one part with three reasons), at
// almost no cost: BenchmarkPipeline measures the CPU of everything assign
// does but the model's Assign.
type stubModel struct{ as segment.Assignment }

func (m stubModel) Assign(a *segment.Account) (segment.Assignment, error) {
	as := m.as
	as.AccountID = a.ID
	return as, nil
}

func (m stubModel) Segments() []segment.Segment { return []segment.Segment{m.as.Segment} }

func newStubModel() stubModel {
	seg := segment.Segment{ID: "firmographic/small-business.naics-31-33.europe", Name: "Small business · Manufacturing · Europe"}
	part := segment.Assignment{Segment: seg, Score: 0.87654321, Reasons: []segment.Reason{
		{Text: "employees 47 < 100 → Small business"},
		{Text: `industry "Food Production" → sector 31-33 Manufacturing`},
		{Text: "country AT (Western Europe) → Europe"}}}
	return stubModel{as: segment.Assignment{Segment: seg, Score: 1, Parts: []segment.Assignment{part}}}
}

// BenchmarkPipeline measures assignFile, CSV to CSV, with a model that
// costs nothing: the cut, parse, validation, formatting and writing of
// each account.
func BenchmarkPipeline(b *testing.B) {
	const n = 50_000
	dir := b.TempDir()
	in := benchFixture(b, dir, n)
	o := assignOptions{In: in, Out: dir + "/out.csv", Rejects: dir + "/rejects.csv", Model: newStubModel(),
		Layers: []string{"firmographic"}, MaxRejects: -1}
	b.Run("n=50000", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cpuTime()
		for b.Loop() {
			st, err := assignFile(b.Context(), o)
			if err != nil || st.Written != n {
				b.Fatal(st, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n)/float64(b.N), "ns/account")
		// CPU time, user and system, which a loaded machine inflates less
		// than the wall clock.
		b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(n)/float64(b.N), "cpu-ns/account")
	})
}

// cpuTime returns the CPU time, user and system, the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
