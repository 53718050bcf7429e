// Package report renders a segmentation into one self-contained HTML file,
// and the same figures as Markdown and CSV, for the people who act on the
// segments and the programs that read them.
//
// A [Report] is built from what the segmentation produced, never from the
// method packages: the accounts, their assignments (with the Parts of a
// layered model), the profiles that [segment.Profile] computes from them,
// and the [segment.Comparison] of two runs. For each run added with
// [Report.Add] it shows, per layer and for the composite:
//
//   - the segment sizes as bars, share of accounts next to share of revenue;
//   - each segment's profile: the traits that distinguish it from all the
//     accounts and its generated description;
//   - a 2-D projection of the accounts coloured by segment: principal
//     components (Pearson 1901; Hotelling 1933; computed with gonum's
//     stat.PC) of numeric features taken from the accounts — log employees,
//     log revenue, growth, age, log orders, log order value, log monthly
//     subscription revenue, log events and log usage records — each
//     standardized, an unknown value set to the mean. Above
//     [Config.MaxPoints] accounts (3,000 by default) a uniform sample of
//     that many, drawn with [Config.Seed], is projected and the report
//     says so;
//
// and where the assignments carry the scores they need:
//
//   - "value" (the tier method): the Pareto curve, cumulative share of
//     value against share of accounts, highest value first;
//   - "p_convert" (the propensity method) with the accounts' Converted
//     labels: the cumulative gains curve and the lift per bin
//     (classify.Gains);
//   - "churn_risk" and "expansion" (the behavioral method): the map of
//     churn risk against expansion potential, coloured by segment.
//
// A comparison added with [Report.AddComparison] is drawn as a heat map of
// its migration matrix, titled with the adjusted Rand index.
//
// The charts are drawn with gonum's plot package and its SVG back end and
// inlined in the page, with inline CSS: no script, no font, image or style
// sheet is fetched, and every link is a #fragment within the file, so the
// page opens from an e-mail attachment or a shared drive. plot lays the
// charts' text out with its embedded Liberation Sans; the page names that
// font, then the metric-compatible Arial and Helvetica, then any local
// sans-serif, and embeds none.
//
// # Size and speed
//
// Measured with BenchmarkReport on 2 cores (Go 1.26; README.md in this
// directory has the details): for 1,000,000 accounts in a layered
// segmentation of 4 layers and 42 composite segments, with one comparison,
// Add takes 36 to 39 s (a [segment.Profile] per layer, the layers in
// parallel) and WriteHTML 0.14 to 0.23 s, writing a page of 2.1 MB. The
// page does not grow with the number of accounts: each scatter chart holds
// at most MaxPoints points (about 105 bytes each), each curve at most 200.
package report
