package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeSample(t *testing.T) {
	accts, err := decode(sample)
	require.NoError(t, err)
	assert.Len(t, accts, 600)
	assert.Less(t, len(sample), 2<<20, "the embedded sample stays under 2 MB")
}

func TestAnalyze(t *testing.T) {
	accts, err := decode(sample)
	require.NoError(t, err)
	sections, err := analyze(context.Background(), accts)
	require.NoError(t, err)
	require.Equal(t, 7, len(sections), "one section per method and the layered one")
	for _, s := range sections {
		counts := map[string]int{}
		for _, a := range s.assigns {
			counts[a.Segment.ID]++
		}
		sum, revenue := 0, 0.0
		for _, sp := range s.report.Segments {
			assert.Equal(t, counts[sp.Segment.ID], sp.Accounts, "%s: %s", s.title, sp.Segment.ID)
			sum += sp.Accounts
			revenue += sp.RevenueShare
			assert.NotEmpty(t, sp.Traits, "%s: %s", s.title, sp.Segment.ID)
		}
		assert.Equal(t, len(accts), sum, s.title)
		assert.InDelta(t, 1, revenue, 1e-9, s.title)
		assert.Equal(t, len(counts), len(s.report.Segments), s.title)
		listed := map[string]bool{}
		for _, seg := range s.model.Segments() {
			listed[seg.ID] = true
		}
		for id := range counts {
			assert.True(t, listed[id], "%s: segment %s is listed by the model", s.title, id)
		}
	}
}

// The printed tables list every segment, with counts adding up to the
// number of accounts.
func TestRunOutput(t *testing.T) {
	var b strings.Builder
	require.NoError(t, run(&b))
	out := b.String()
	require.True(t, strings.HasPrefix(out, "strata quickstart: 600 sample accounts"), out)

	accts, err := decode(sample)
	require.NoError(t, err)
	sections, err := analyze(context.Background(), accts)
	require.NoError(t, err)

	lines := strings.Split(out, "\n")
	for _, s := range sections {
		start := -1
		for i, l := range lines {
			if l == s.title {
				start = i
				break
			}
		}
		require.GreaterOrEqual(t, start, 0, "section %q printed", s.title)
		rows := map[string]int{}
		total := -1
		for _, l := range lines[start+3:] {
			f := strings.Fields(l)
			if len(f) == 0 {
				break
			}
			if f[0] == "all" {
				total, err = strconv.Atoi(f[1])
				require.NoError(t, err, l)
				break
			}
			// The name may have spaces: the count is the first number.
			for i, w := range f {
				if n, err := strconv.Atoi(w); err == nil {
					rows[strings.Join(f[:i], " ")] = n
					break
				}
			}
		}
		assert.Equal(t, 600, total, s.title)
		sum := 0
		for _, n := range rows {
			sum += n
		}
		assert.Equal(t, 600, sum, "%s: rows %v", s.title, rows)
		for _, sp := range s.report.Segments {
			assert.Equal(t, sp.Accounts, rows[sp.Segment.Name], "%s: row of %s", s.title, sp.Segment.Name)
		}
	}
	why := strings.Index(out, "\nWhy A-")
	require.GreaterOrEqual(t, why, 0, "an assignment is explained")
	explained := out[why:strings.Index(out, "\nConversion by firmographic segment")]
	for _, method := range []string{"firmographic:", "tier:", "behavior:", "needs:", "sophistication:", "propensity:"} {
		assert.Contains(t, explained, "\n  "+method, "the account is explained by every method")
	}
	assert.Contains(t, out, "\nConversion by firmographic segment", "group conversion rates are printed")
}

// The -report flag writes one self-contained HTML page with a section and
// charts for every segmentation.
func TestWriteReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.html")
	require.NoError(t, writeReport(context.Background(), path))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	page := string(b)
	assert.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"), "an HTML page")
	assert.GreaterOrEqual(t, strings.Count(page, "<section"), 7, "a section per segmentation")
	assert.True(t, strings.Contains(page, "<svg"), "charts are inline SVG")
	assert.False(t, strings.Contains(page, "<script"), "no script")
	for _, attr := range []string{`src="http`, `href="http`, `src='http`, `href='http`, "url(http"} {
		assert.False(t, strings.Contains(page, attr), "nothing fetched from the network: %s", attr)
	}
}
