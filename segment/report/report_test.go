package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func build(t testing.TB, s sample, c report.Config) *report.Report {
	r, err := report.New(c)
	require.NoError(t, err)
	require.NoError(t, r.Add(context.Background(), "2026 refresh", s.accts, s.assigns))
	require.NoError(t, r.AddComparison("Firmographic: 2025 against 2026", s.cmp))
	return r
}

var (
	attrRe    = regexp.MustCompile(`(?i)\s(?:src|href|xlink:href|action|poster|data|srcset|background)\s*=\s*"([^"]*)"`)
	cssURLRe  = regexp.MustCompile(`(?i)url\(\s*['"]?([^'")]*)`)
	importRe  = regexp.MustCompile(`(?i)@import`)
	barRe     = regexp.MustCompile(`<path[^>]*class="bar" data-segment="([^"]*)" data-count="(\d+)"`)
	sectionRe = regexp.MustCompile(`<section class="layer" id="[^"]*" data-layer="([^"]*)"`)
	rowRe     = regexp.MustCompile(`<tr data-segment="([^"]*)" data-count="(\d+)"`)
	chartRe   = regexp.MustCompile(`<figure class="chart" data-chart="([^"]*)">\s*<svg`)
)

// checkSelfContained asserts that nothing in page points outside it.
func checkSelfContained(t *testing.T, page string) {
	t.Helper()
	assert.NotContains(t, strings.ToLower(page), "<script")
	assert.NotContains(t, strings.ToLower(page), "<link")
	assert.NotContains(t, strings.ToLower(page), "<iframe")
	assert.False(t, importRe.MatchString(page), "@import in the page")
	for _, m := range attrRe.FindAllStringSubmatch(page, -1) {
		assert.True(t, strings.HasPrefix(m[1], "#"), "%s points outside the file", m[0])
	}
	for _, m := range cssURLRe.FindAllStringSubmatch(page, -1) {
		assert.True(t, strings.HasPrefix(m[1], "#"), "%s points outside the file", m[0])
	}
}

// maxBars is the most bars a sizes chart draws, the largest segments.
const maxBars = 30

// layerCharts returns, per layer, its bars and its table rows (segment ID →
// count) and the kinds of chart it holds.
func layerCharts(t *testing.T, page string) (bars, rows map[string]map[string]int, charts map[string][]string) {
	t.Helper()
	bars, rows, charts = map[string]map[string]int{}, map[string]map[string]int{}, map[string][]string{}
	locs := sectionRe.FindAllStringSubmatchIndex(page, -1)
	for i, loc := range locs {
		end := len(page)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		if j := strings.Index(page[loc[0]:end], "</section>"); j >= 0 {
			end = loc[0] + j
		}
		name := page[loc[2]:loc[3]]
		chunk := page[loc[0]:end]
		bars[name] = map[string]int{}
		for _, m := range barRe.FindAllStringSubmatch(chunk, -1) {
			n, err := strconv.Atoi(m[2])
			require.NoError(t, err)
			_, dup := bars[name][m[1]]
			assert.False(t, dup, "two bars for %s in %s", m[1], name)
			bars[name][m[1]] = n
		}
		rows[name] = map[string]int{}
		for _, m := range rowRe.FindAllStringSubmatch(chunk, -1) {
			n, err := strconv.Atoi(m[2])
			require.NoError(t, err)
			rows[name][m[1]] = n
		}
		for _, m := range chartRe.FindAllStringSubmatch(chunk, -1) {
			charts[name] = append(charts[name], m[1])
		}
	}
	return bars, rows, charts
}

// checkBars asserts that bars shows the largest segments of want, with
// their counts, and rows all of them.
func checkBars(t *testing.T, layer string, want, bars, rows map[string]int) {
	t.Helper()
	assert.Equal(t, want, rows, "table of layer %s", layer)
	assert.Len(t, bars, min(maxBars, len(want)), "bars of layer %s", layer)
	smallest := math.MaxInt
	for id, n := range bars {
		assert.Equal(t, want[id], n, "bar of %s in layer %s", id, layer)
		smallest = min(smallest, n)
	}
	for id, n := range want {
		if _, ok := bars[id]; !ok {
			assert.LessOrEqual(t, n, smallest, "segment %s of layer %s has no bar", id, layer)
		}
	}
}

// checkReader asserts what a reader of the sample's report must see.
func checkReader(t *testing.T, s sample, page string) {
	t.Helper()
	checkSelfContained(t, page)
	bars, rows, charts := layerCharts(t, page)
	want := expectedCounts(s.assigns)
	assert.Len(t, bars, len(want))
	for layer, counts := range want {
		checkBars(t, layer, counts, bars[layer], rows[layer])
		assert.Contains(t, charts[layer], "sizes", layer)
		assert.Contains(t, charts[layer], "projection", layer)
	}
	assert.Equal(t, []string{"sizes", "projection", "pareto"}, charts["tier"])
	assert.Equal(t, []string{"sizes", "projection", "gains", "lift"}, charts["propensity"])
	assert.Equal(t, []string{"sizes", "projection", "churn-expansion"}, charts["behavior"])
	assert.Equal(t, []string{"sizes", "projection"}, charts["composite"])
	assert.Equal(t, []string{"sizes", "projection"}, charts["firmographic"])
	assert.Regexp(t, `data-chart="migration">\s*<svg`, page)
	assert.Contains(t, page, "adjusted Rand index "+strconv.FormatFloat(s.cmp.AdjustedRand, 'f', 3, 64))
}

func TestHTML(t *testing.T) {
	s := newSample(t, 1000)
	var b bytes.Buffer
	require.NoError(t, build(t, s, report.Config{Title: "Accounts <2026>"}).WriteHTML(&b))
	page := b.String()
	checkReader(t, s, page)
	assert.Contains(t, page, "<title>Accounts &lt;2026&gt;</title>")
	assert.Contains(t, page, "1,000 of 1,000 accounts shown (all of them)")
	// Every profile is there, with its generated description.
	for layer, counts := range expectedCounts(s.assigns) {
		for id := range counts {
			assert.Contains(t, page, `<article class="profile" data-segment="`+id+`"`, layer)
		}
	}
	assert.Equal(t, strings.Count(page, `<article class="profile"`), strings.Count(page, `<p class="description">`))
}

func TestHTMLSampled(t *testing.T) {
	s := newSample(t, 1000)
	var b bytes.Buffer
	require.NoError(t, build(t, s, report.Config{MaxPoints: 400, Seed: 3}).WriteHTML(&b))
	page := b.String()
	assert.Contains(t, page, "400 of 1,000 accounts shown (a uniform random sample)")
	// The bars still count every account.
	bars, rows, _ := layerCharts(t, page)
	checkBars(t, "composite", expectedCounts(s.assigns)["composite"], bars["composite"], rows["composite"])
	// Same seed, same page.
	var again bytes.Buffer
	require.NoError(t, build(t, s, report.Config{MaxPoints: 400, Seed: 3}).WriteHTML(&again))
	assert.Equal(t, page, again.String())
}

func TestCSV(t *testing.T) {
	s := newSample(t, 1000)
	var b bytes.Buffer
	require.NoError(t, build(t, s, report.Config{}).WriteCSV(&b))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, rows)
	assert.Equal(t, report.CSVHeader, rows[0])
	want := expectedCounts(s.assigns)
	got := map[string]map[string]int{}
	migration := 0
	for _, row := range rows[1:] {
		n, err := strconv.Atoi(row[6])
		require.NoError(t, err)
		switch row[0] {
		case "segment":
			assert.Equal(t, "2026 refresh", row[1])
			if got[row[2]] == nil {
				got[row[2]] = map[string]int{}
			}
			got[row[2]][row[3]] = n
			assert.NotEmpty(t, row[10], "description of %s", row[3])
		case "migration":
			migration += n
		default:
			t.Errorf("row of kind %q", row[0])
		}
	}
	assert.Equal(t, want, got)
	assert.Equal(t, s.cmp.Accounts, migration)

	// The descriptions are segment.Profile's, with its default reference.
	firmo := make([]segment.Assignment, len(s.assigns))
	for i, a := range s.assigns {
		firmo[i] = a.Parts[0]
	}
	rep, err := segment.Profile(context.Background(), slices.Values(s.accts), firmo, segment.ProfileConfig{})
	require.NoError(t, err)
	descs := map[string]string{}
	for _, row := range rows[1:] {
		if row[2] == "firmographic" {
			descs[row[3]] = row[10]
		}
	}
	require.Len(t, descs, len(rep.Segments))
	for _, sp := range rep.Segments {
		assert.Equal(t, sp.Description, descs[sp.Segment.ID])
	}
}

func TestMarkdown(t *testing.T) {
	s := newSample(t, 1000)
	var b bytes.Buffer
	require.NoError(t, build(t, s, report.Config{Title: "Q3 *review*"}).WriteMarkdown(&b))
	md := b.String()
	assert.True(t, strings.HasPrefix(md, "# Q3 \\*review\\*\n"))
	for _, h := range []string{"### Composite of the layers", "### Layer firmographic", "### Layer tier", "### Layer propensity", "### Layer behavior", "## Firmographic: 2025 against 2026"} {
		assert.Contains(t, md, "\n"+h+"\n")
	}
	assert.Contains(t, md, "Value: the top 20% of the 1,000 accounts")
	assert.Contains(t, md, "Gains and lift of p_convert:")
	assert.Contains(t, md, "Churn and expansion (1,000 sampled accounts)")
	assert.Contains(t, md, "Adjusted Rand index "+strconv.FormatFloat(s.cmp.AdjustedRand, 'f', 3, 64))
}

func TestErrors(t *testing.T) {
	s := newSample(t, 50)
	ctx := context.Background()
	_, err := report.New(report.Config{MaxPoints: -1})
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	_, err = report.New(report.Config{Bins: 1000})
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	r, err := report.New(report.Config{})
	require.NoError(t, err)
	assert.ErrorIs(t, r.Add(ctx, "", s.accts, s.assigns), segment.ErrInvalidConfig)
	assert.ErrorIs(t, r.Add(ctx, "x", nil, nil), segment.ErrEmptyInput)
	assert.ErrorIs(t, r.Add(ctx, "x", s.accts, s.assigns[1:]), segment.ErrUnmatched)
	swapped := append([]segment.Assignment{s.assigns[1], s.assigns[0]}, s.assigns[2:]...)
	err = r.Add(ctx, "x", s.accts, swapped)
	assert.ErrorIs(t, err, segment.ErrUnmatched)
	assert.ErrorContains(t, err, s.accts[0].ID)
	require.NoError(t, r.Add(ctx, "x", s.accts, s.assigns))
	assert.ErrorIs(t, r.Add(ctx, "x", s.accts, s.assigns), segment.ErrInvalidConfig)
	assert.ErrorIs(t, r.AddComparison("c", nil), segment.ErrInvalidConfig)
	assert.ErrorIs(t, r.AddComparison("", s.cmp), segment.ErrInvalidConfig)
	assert.ErrorIs(t, r.AddComparison("c", &segment.Comparison{}), segment.ErrInvalidConfig)
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, r.Add(canceled, "y", s.accts, s.assigns), context.Canceled)
	// Inputs are unchanged.
	assert.Equal(t, makeSample(t, 50).assigns, s.assigns)
}

// TestKeyAccountsFirst adds a segmentation where a precedence rule took
// some accounts first: they have no parts, and stand in every layer in
// their own segment.
func TestKeyAccountsFirst(t *testing.T) {
	accts := newSample(t, 1000).accts
	keys := []string{accts[0].ID, accts[5].ID, accts[9].ID}
	key := segment.KeyAccounts(segment.Segment{ID: "key", Name: "Key account"}, keys...)
	as := assignAll(t, segment.First(key, layered(t)), accts)
	require.Empty(t, as[0].Parts)
	require.Len(t, as[1].Parts, 4)
	r, err := report.New(report.Config{})
	require.NoError(t, err)
	require.NoError(t, r.Add(context.Background(), "with key accounts", accts, as))
	var b bytes.Buffer
	require.NoError(t, r.WriteHTML(&b))
	_, rows, charts := layerCharts(t, b.String())
	for _, layer := range []string{"composite", "firmographic", "tier", "propensity", "behavior"} {
		assert.Equal(t, 3, rows[layer]["key"], layer)
		assert.Contains(t, charts[layer], "sizes", layer)
	}
	assert.Contains(t, charts["tier"], "pareto")
}

// TestBadScores refuses a score that is not a finite number in range,
// naming the account and the score.
func TestBadScores(t *testing.T) {
	s := newSample(t, 1000)
	for _, c := range []struct {
		key   string
		value float64
	}{{"value", math.Inf(1)}, {"p_convert", 1.5}, {"p_convert", math.NaN()}, {"churn_risk", math.NaN()}} {
		as := slices.Clone(s.assigns)
		k := slices.IndexFunc(s.accts, func(a segment.Account) bool { return a.Converted.Known() })
		require.GreaterOrEqual(t, k, 0)
		as[k].Parts = slices.Clone(as[k].Parts)
		layer := map[string]int{"value": 1, "p_convert": 2, "churn_risk": 3}[c.key]
		as[k].Parts[layer].Scores = map[string]float64{c.key: c.value, "expansion": 0.5}
		r, err := report.New(report.Config{MaxPoints: len(s.accts)})
		require.NoError(t, err)
		err = r.Add(context.Background(), "x", s.accts, as)
		require.ErrorIs(t, err, segment.ErrInvalidAccount, c.key)
		fe, ok := errors.AsType[*segment.FieldError](err)
		require.True(t, ok, c.key)
		assert.Equal(t, s.accts[k].ID, fe.AccountID)
		assert.Equal(t, "scores["+c.key+"]", fe.Field)
	}
}
