package report

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"strings"

	"github.com/strataseg/strata/segment"
)

const css = `
:root{--ink:#1d2733;--muted:#5b6673;--line:#d9dee4;--bg:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 "Liberation Sans",Arial,Helvetica,sans-serif;color:var(--ink);background:var(--bg)}
header,section.run,section.comparison{max-width:1200px;margin:0 auto;padding:16px 24px}
header{padding-top:28px}
h1{font-size:26px;margin:0 0 6px}
h2{font-size:21px;margin:28px 0 4px;border-bottom:2px solid var(--ink);padding-bottom:4px}
h3{font-size:17px;margin:22px 0 6px}
h4{font-size:15px;margin:0 0 4px}
p.note,figcaption,small{color:var(--muted)}
nav ul{list-style:none;padding:0;margin:8px 0;display:flex;flex-wrap:wrap;gap:6px 16px}
a{color:#2b5d8a}
section.layer{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px 18px;margin:14px 0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:14px;align-items:start}
figure{margin:0}
figure[data-chart=migration]{max-width:760px}
figure svg{width:100%;height:auto;display:block}
figure svg text{font-family:"Liberation Sans",Arial,Helvetica,sans-serif !important}
figcaption{font-size:13px;margin-top:4px}
ul.legend{list-style:none;padding:0;margin:4px 0;display:flex;flex-wrap:wrap;gap:2px 14px;font-size:13px}
.sw{display:inline-block;width:11px;height:11px;border-radius:6px;margin-right:5px;vertical-align:-1px}
table{border-collapse:collapse;font-size:14px;margin:10px 0}
th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.profiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:10px}
article.profile{border-left:5px solid var(--c,#999);background:#fafbfc;padding:8px 12px}
article.profile p{margin:2px 0}
article.profile p.what{color:var(--muted);font-size:13px}
article.profile ul{margin:4px 0;padding-left:18px;font-size:13px}
`

// WriteHTML writes the report as one self-contained HTML page: inline CSS
// and SVG charts, no script, and no link or source outside the page but
// #fragments. The charts are drawn now; see the package documentation for
// their size and the time they take.
func (r *Report) WriteHTML(w io.Writer) error {
	b := bufio.NewWriterSize(w, 1<<16)
	e := html.EscapeString
	fmt.Fprintf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n", e(r.c.Title), css)
	fmt.Fprintf(b, "<header>\n<h1>%s</h1>\n", e(r.c.Title))
	fmt.Fprintf(b, "<p class=\"note\">%d segmentation(s), %d comparison(s). Made with strata; charts drawn with gonum/plot.</p>\n<nav><ul>\n", len(r.runs), len(r.comparisons))
	for _, ru := range r.runs {
		fmt.Fprintf(b, "<li><a href=\"#%s\">%s</a></li>\n", ru.anchor, e(ru.name))
		for _, l := range ru.layers {
			fmt.Fprintf(b, "<li><a href=\"#%s\">%s › %s</a></li>\n", l.anchor, e(ru.name), e(l.name))
		}
	}
	for _, c := range r.comparisons {
		fmt.Fprintf(b, "<li><a href=\"#%s\">%s</a></li>\n", c.anchor, e(c.name))
	}
	b.WriteString("</ul></nav>\n</header>\n")
	for _, ru := range r.runs {
		if err := r.writeRun(b, ru); err != nil {
			return err
		}
	}
	for _, c := range r.comparisons {
		if err := writeComparison(b, c); err != nil {
			return err
		}
	}
	b.WriteString("</body>\n</html>\n")
	return b.Flush()
}

func (r *Report) writeRun(b *bufio.Writer, ru *run) error {
	e := html.EscapeString
	fmt.Fprintf(b, "<section class=\"run\" id=\"%s\" data-run=\"%s\">\n<h2>%s</h2>\n", ru.anchor, e(ru.name), e(ru.name))
	fmt.Fprintf(b, "<p>%s accounts", group(ru.accounts))
	if len(ru.layers) > 1 {
		fmt.Fprintf(b, ", %d layers and their composite", len(ru.layers)-1)
	}
	b.WriteString(".</p>\n")
	for _, l := range ru.layers {
		if err := r.writeLayer(b, ru, l); err != nil {
			return err
		}
	}
	b.WriteString("</section>\n")
	return nil
}

func figure(b *bufio.Writer, kind, svg, caption, legend string) {
	fmt.Fprintf(b, "<figure class=\"chart\" data-chart=\"%s\">\n%s%s<figcaption>%s</figcaption>\n</figure>\n", kind, svg, legend, caption)
}

// legendHTML lists the colours of a scatter's segments.
func legendHTML(segs []segment.SegmentProfile) string {
	var s strings.Builder
	s.WriteString("<ul class=\"legend\">")
	for k, sp := range segs {
		if k == maxColoured {
			fmt.Fprintf(&s, "<li><span class=\"sw\" style=\"background:%s\"></span>%d other segments</li>", hexColor(grey), len(segs)-maxColoured)
			break
		}
		fmt.Fprintf(&s, "<li><span class=\"sw\" style=\"background:%s\"></span>%s</li>", hexColor(pointColor(k)), html.EscapeString(cmpOr(sp.Segment.Name, sp.Segment.ID)))
	}
	s.WriteString("</ul>\n")
	return s.String()
}

func (r *Report) writeLayer(b *bufio.Writer, ru *run, l *layer) error {
	e := html.EscapeString
	title := "Layer " + l.name
	switch {
	case l.composite:
		title = "Composite of the layers"
	case len(ru.layers) == 1:
		title = "Segments of " + l.name
	}
	fmt.Fprintf(b, "<section class=\"layer\" id=\"%s\" data-layer=\"%s\" data-method=\"%s\" data-segments=\"%d\">\n<h3>%s</h3>\n", l.anchor, e(l.name), e(l.method), len(l.profile.Segments), e(title))
	b.WriteString("<div class=\"charts\">\n")
	svg, err := sizesChart(l)
	if err != nil {
		return fmt.Errorf("report: sizes of %s: %w", l.name, err)
	}
	figure(b, "sizes", svg, fmt.Sprintf("%d segments of %s accounts; revenue %s.", len(l.profile.Segments), group(l.profile.Accounts), money(l.profile.Revenue)), "")
	if p := ru.proj; p != nil {
		svg, err := scatterChart("Accounts projected on their first two principal components",
			fmt.Sprintf("PC1 (%s of variance)", pct(p.explained[0])), fmt.Sprintf("PC2 (%s of variance)", pct(p.explained[1])), p.x, p.y, l.seg, false)
		if err != nil {
			return fmt.Errorf("report: projection of %s: %w", l.name, err)
		}
		figure(b, "projection", svg, fmt.Sprintf("%s of %s accounts shown (%s). Features, standardized: %s.",
			group(len(ru.sample)), group(ru.accounts), sampleNote(len(ru.sample), ru.accounts), e(strings.Join(p.used, ", "))), legendHTML(l.profile.Segments))
	}
	if l.pareto != nil {
		svg, err := paretoChart(l.pareto)
		if err != nil {
			return fmt.Errorf("report: pareto of %s: %w", l.name, err)
		}
		note := ""
		if l.pareto.negative > 0 {
			note = fmt.Sprintf(" %s negative values counted as zero.", group(l.pareto.negative))
		}
		figure(b, "pareto", svg, fmt.Sprintf("Score \"value\" of %s accounts, total %s.%s", group(l.pareto.n), money(l.pareto.total), note), "")
	}
	if len(l.gains) > 0 {
		gains, lift, err := gainsCharts(l)
		if err != nil {
			return fmt.Errorf("report: gains of %s: %w", l.name, err)
		}
		n := 0
		for _, g := range l.gains {
			n += g.Rows
		}
		cap := fmt.Sprintf("Score \"p_convert\" against the Converted label of the %s accounts where it is known.", group(n))
		figure(b, "gains", gains, cap, "")
		figure(b, "lift", lift, cap, "")
	}
	if len(l.churn) > 0 {
		svg, err := scatterChart("Churn risk and expansion potential", "churn risk", "expansion", l.churn, l.expansion, l.mapSeg, true)
		if err != nil {
			return fmt.Errorf("report: churn map of %s: %w", l.name, err)
		}
		figure(b, "churn-expansion", svg, fmt.Sprintf("Scores \"churn_risk\" and \"expansion\" of %s sampled accounts; dashed lines at 0.5.", group(len(l.churn))), legendHTML(l.profile.Segments))
	}
	b.WriteString("</div>\n")
	writeSizesTable(b, l)
	writeProfiles(b, l)
	b.WriteString("</section>\n")
	return nil
}

func sampleNote(n, of int) string {
	if n == of {
		return "all of them"
	}
	return "a uniform random sample"
}

func writeSizesTable(b *bufio.Writer, l *layer) {
	e := html.EscapeString
	b.WriteString("<table class=\"sizes\">\n<thead><tr><th>segment</th><th>ID</th><th>accounts</th><th>share of accounts</th><th>revenue</th><th>share of revenue</th></tr></thead>\n<tbody>\n")
	for k, sp := range l.profile.Segments {
		fmt.Fprintf(b, "<tr data-segment=\"%s\" data-count=\"%d\"><td><span class=\"sw\" style=\"background:%s\"></span>%s</td><td><small>%s</small></td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
			e(sp.Segment.ID), sp.Accounts, hexColor(segColor(k)), e(sp.Segment.Name), e(sp.Segment.ID), group(sp.Accounts), pct(sp.Share), money(sp.Revenue), pct(sp.RevenueShare))
	}
	b.WriteString("</tbody>\n</table>\n")
}

// maxTraits is how many numeric traits and categories a profile lists.
const maxTraits = 4

func writeProfiles(b *bufio.Writer, l *layer) {
	e := html.EscapeString
	b.WriteString("<div class=\"profiles\">\n")
	for k, sp := range l.profile.Segments {
		fmt.Fprintf(b, "<article class=\"profile\" data-segment=\"%s\" style=\"--c:%s\">\n<h4>%s <small>%s</small></h4>\n", e(sp.Segment.ID), hexColor(segColor(k)), e(cmpOr(sp.Segment.Name, sp.Segment.ID)), e(sp.Segment.ID))
		if sp.Segment.Description != "" {
			fmt.Fprintf(b, "<p class=\"what\">%s</p>\n", e(sp.Segment.Description))
		}
		fmt.Fprintf(b, "<p class=\"description\">%s</p>\n<ul>\n", e(sp.Description))
		for _, t := range topNumeric(sp.Numeric) {
			fmt.Fprintf(b, "<li>%s</li>\n", e(numericText(t)))
		}
		for i, c := range sp.Categories {
			if i == maxTraits {
				break
			}
			fmt.Fprintf(b, "<li>%s</li>\n", e(categoryText(c)))
		}
		b.WriteString("</ul>\n</article>\n")
	}
	b.WriteString("</div>\n")
}

// topNumeric returns the most distinctive numeric traits, |d| ≥ 0.2.
func topNumeric(ts []segment.NumericTrait) []segment.NumericTrait {
	var out []segment.NumericTrait
	for _, t := range ts {
		if len(out) == maxTraits || math.Abs(t.D) < 0.2 {
			break
		}
		out = append(out, t)
	}
	return out
}

func numericText(t segment.NumericTrait) string {
	return fmt.Sprintf("%s: median %s against %s overall (d = %+.2f)", t.Field, num(t.Median), num(t.OverallMedian), t.D)
}

func categoryText(c segment.CategoryTrait) string {
	return fmt.Sprintf("%s %s: %s of the segment against %s overall (%.1f×)", c.Field, c.Value, pct(c.Share), pct(c.OverallShare), c.Lift)
}

func num(x float64) string {
	switch a := math.Abs(x); {
	case a >= 1e4:
		return money(x)
	case a >= 100 || x == math.Trunc(x):
		return fmt.Sprintf("%.0f", x)
	default:
		return fmt.Sprintf("%.2g", x)
	}
}

// money formats an amount shortly: 1.2M, 45k, 830.
func money(x float64) string {
	switch a := math.Abs(x); {
	case a >= 1e9:
		return fmt.Sprintf("%.1fB", x/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.1fM", x/1e6)
	case a >= 1e4:
		return fmt.Sprintf("%.0fk", x/1e3)
	default:
		return fmt.Sprintf("%.0f", x)
	}
}

func writeComparison(b *bufio.Writer, c *comparison) error {
	e := html.EscapeString
	svg, err := heatChart(c)
	if err != nil {
		return fmt.Errorf("report: migration of %s: %w", c.name, err)
	}
	fmt.Fprintf(b, "<section class=\"comparison\" id=\"%s\" data-comparison=\"%s\" data-ari=\"%.6f\">\n<h2>%s</h2>\n", c.anchor, e(c.name), c.c.AdjustedRand, e(c.name))
	fmt.Fprintf(b, "<p>%s accounts in both runs: %s stayed in their segment, %s moved. Adjusted Rand index %.3f, normalized mutual information %.3f.",
		group(c.c.Accounts), group(c.c.Stayed), group(c.c.Moved), c.c.AdjustedRand, c.c.NMI)
	if len(c.c.OnlyBefore)+len(c.c.OnlyAfter) > 0 {
		fmt.Fprintf(b, " %s accounts only before, %s only after.", group(len(c.c.OnlyBefore)), group(len(c.c.OnlyAfter)))
	}
	b.WriteString("</p>\n<section class=\"layer\">\n")
	figure(b, "migration", svg, "Each cell counts the accounts that went from the row's segment to the column's; the shade is the share of the row.", "")
	if len(c.c.Flows) > 0 {
		b.WriteString("<table class=\"flows\">\n<thead><tr><th>from</th><th>to</th><th>accounts</th><th>share of from</th></tr></thead>\n<tbody>\n")
		for i, f := range c.c.Flows {
			if i == 10 {
				break
			}
			fmt.Fprintf(b, "<tr><td>%s</td><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n", e(f.From), e(f.To), group(f.Accounts), pct(f.Share))
		}
		b.WriteString("</tbody>\n</table>\n")
	}
	b.WriteString("</section>\n</section>\n")
	return nil
}
