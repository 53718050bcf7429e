package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteMarkdown writes the report's figures as Markdown: per segmentation
// and layer, the segment sizes table, each segment's profile, and the
// summary of each score chart; per comparison, the adjusted Rand index and
// the migration matrix.
func (r *Report) WriteMarkdown(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "# %s\n", mdText(r.c.Title))
	for _, ru := range r.runs {
		fmt.Fprintf(b, "\n## %s\n\n%s accounts.\n", mdText(ru.name), group(ru.accounts))
		for _, l := range ru.layers {
			fmt.Fprintf(b, "\n### %s\n\n", mdText(layerTitle(ru, l)))
			b.WriteString("| segment | ID | accounts | share of accounts | revenue | share of revenue |\n|---|---|--:|--:|--:|--:|\n")
			for _, sp := range l.profile.Segments {
				fmt.Fprintf(b, "| %s | `%s` | %s | %s | %s | %s |\n", mdCell(sp.Segment.Name), strings.ReplaceAll(sp.Segment.ID, "`", "'"), group(sp.Accounts), pct(sp.Share), money(sp.Revenue), pct(sp.RevenueShare))
			}
			b.WriteString("\n")
			for _, sp := range l.profile.Segments {
				fmt.Fprintf(b, "- **%s**: %s\n", mdText(cmpOr(sp.Segment.Name, sp.Segment.ID)), mdText(sp.Description))
			}
			if p := ru.proj; p != nil && l == ru.layers[0] {
				fmt.Fprintf(b, "\nProjection: %s of %s accounts (%s) on two principal components explaining %s and %s of the variance of %s.\n",
					group(len(ru.sample)), group(ru.accounts), sampleNote(len(ru.sample), ru.accounts), pct(p.explained[0]), pct(p.explained[1]), strings.Join(p.used, ", "))
			}
			if pa := l.pareto; pa != nil {
				fmt.Fprintf(b, "\nValue: the top 20%% of the %s accounts with a value hold %s of it (total %s).\n", group(pa.n), pct(pa.top20), money(pa.total))
			}
			if len(l.gains) > 0 {
				b.WriteString("\nGains and lift of p_convert:\n\n| bin | accounts | conversion rate | lift | cumulative share | cumulative gain |\n|--:|--:|--:|--:|--:|--:|\n")
				for _, g := range l.gains {
					fmt.Fprintf(b, "| %d | %s | %s | %.2f | %s | %s |\n", g.Bin, group(g.Rows), pct(g.Rate), g.Lift, pct(g.CumShare), pct(g.CumGain))
				}
			}
			if len(l.churn) > 0 {
				q := [4]int{}
				for i := range l.churn {
					q[b2i(l.churn[i] >= 0.5)*2+b2i(l.expansion[i] >= 0.5)]++
				}
				fmt.Fprintf(b, "\nChurn and expansion (%s sampled accounts): %s low risk and low expansion, %s low risk and high expansion, %s high risk and low expansion, %s high risk and high expansion (threshold 0.5).\n",
					group(len(l.churn)), group(q[0]), group(q[1]), group(q[2]), group(q[3]))
			}
		}
	}
	for _, c := range r.comparisons {
		cm := c.c
		fmt.Fprintf(b, "\n## %s\n\n%s accounts in both runs: %s stayed, %s moved. Adjusted Rand index %.3f, NMI %.3f.\n\n",
			mdText(c.name), group(cm.Accounts), group(cm.Stayed), group(cm.Moved), cm.AdjustedRand, cm.NMI)
		b.WriteString("| before \\ after |")
		for _, s := range cm.After {
			fmt.Fprintf(b, " %s |", mdCell(cmpOr(s.Name, s.ID)))
		}
		b.WriteString("\n|---|" + strings.Repeat("--:|", len(cm.After)) + "\n")
		for i, s := range cm.Before {
			fmt.Fprintf(b, "| %s |", mdCell(cmpOr(s.Name, s.ID)))
			for _, v := range cm.Migration[i] {
				fmt.Fprintf(b, " %s |", group(v))
			}
			b.WriteString("\n")
		}
	}
	return b.Flush()
}

func layerTitle(ru *run, l *layer) string {
	switch {
	case l.composite:
		return "Composite of the layers"
	case len(ru.layers) == 1:
		return "Segments of " + l.name
	default:
		return "Layer " + l.name
	}
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;", "#", `\#`, "\n", " ")

func mdText(s string) string { return mdEscaper.Replace(s) }

func mdCell(s string) string { return strings.ReplaceAll(mdText(s), "|", `\|`) }

// CSVHeader is the header row WriteCSV writes.
var CSVHeader = []string{"kind", "section", "layer", "segment_id", "segment_name", "to_segment_id", "accounts", "account_share", "revenue", "revenue_share", "description"}

// WriteCSV writes the report's figures as CSV with the header
// [CSVHeader]: one row of kind "segment" per segment of each layer of each
// segmentation (section is its name, layer the layer's; accounts, shares,
// revenue and the profile's description), and one row of kind "migration"
// per non-empty cell of each comparison (section is its name, segment_id
// the segment before and to_segment_id after; account_share is the share
// of the segment before).
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 8, 64) }
	for _, ru := range r.runs {
		for _, l := range ru.layers {
			for _, sp := range l.profile.Segments {
				if err := cw.Write([]string{"segment", ru.name, l.name, sp.Segment.ID, sp.Segment.Name, "",
					strconv.Itoa(sp.Accounts), f(sp.Share), f(sp.Revenue), f(sp.RevenueShare), sp.Description}); err != nil {
					return err
				}
			}
		}
	}
	for _, c := range r.comparisons {
		for i, row := range c.c.Migration {
			var tot int
			for _, v := range row {
				tot += v
			}
			for j, v := range row {
				if v == 0 {
					continue
				}
				if err := cw.Write([]string{"migration", c.name, "", c.c.Before[i].ID, c.c.Before[i].Name, c.c.After[j].ID,
					strconv.Itoa(v), f(float64(v) / float64(tot)), "", "", ""}); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
