// Command customsegmenter shows a researcher's own segmenter beside strata's:
// package plg (in this directory, written on strata's public API only) places
// accounts on product-led-growth stages learned from their usage records.
// The program fits it on generated accounts, layers it with two built-in
// methods (value tier and company size) through segment.Layer, checks that
// the layered Model survives a JSON round trip, and compares the PLG stages
// with strata's behavioral lifecycle segmentation of the same accounts
// (adjusted Rand index and migration matrix).
//
//	go run ./examples/customsegmenter
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/strataseg/strata/behavior"
	"github.com/strataseg/strata/examples/customsegmenter/plg"
	"github.com/strataseg/strata/firmographic"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
	"github.com/strataseg/strata/tier"
)

func main() {
	n := flag.Int("n", 4000, "number of generated accounts")
	seed := flag.Uint64("seed", 2026, "generator seed")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "customsegmenter:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, n int, seed uint64) error {
	// The users of the product: the generated accounts with a subscription
	// or usage records (customers, and customers who left); leads have none.
	all := segmenttest.Accounts(n, seed)
	accts := slices.DeleteFunc(all, func(a segment.Account) bool { return len(a.Subscriptions) == 0 && len(a.Usage) == 0 })
	if len(accts) == 0 {
		return fmt.Errorf("no generated account has used the product; raise -n")
	}
	fmt.Fprintf(w, "%d accounts with a subscription or usage, of %d generated (seed %d)\n\n", len(accts), n, seed)

	// 1. The custom segmenter alone: what Fit learned, and the stages.
	own, err := plg.New(plg.Config{})
	if err != nil {
		return err
	}
	m, err := own.Fit(ctx, slices.Values(accts))
	if err != nil {
		return err
	}
	pm := m.(*plg.Model)
	fmt.Fprintf(w, "PLG stages, learned from the %d accounts active in the %d days before %s:\n",
		pm.Active, pm.Config.DormantDays, pm.AsOf.Format("2006-01-02"))
	fmt.Fprintf(w, "  engaged at ≥ %.1f logins per active user per 30 days (median); expanding at ≥ %.0f%% of seats used (75th percentile)\n",
		pm.EngagedAt, 100*pm.ExpandingAt)
	plgResult, err := segment.AssignAll(ctx, m, slices.Values(accts), 0)
	if err != nil {
		return err
	}
	printCounts(w, plgResult)

	// 2. Layered with two built-in methods, through the combinator.
	value, err := tier.New(tier.Config{})
	if err != nil {
		return err
	}
	size, err := firmographic.New(firmographic.Config{Dimensions: []firmographic.Dimension{firmographic.DimEmployees}})
	if err != nil {
		return err
	}
	layered := segment.MinSize(segment.Layer(own, value, size), segment.MinSizeConfig{Share: 0.03})
	lm, err := layered.Fit(ctx, slices.Values(accts))
	if err != nil {
		return err
	}
	layeredResult, err := segment.AssignAll(ctx, lm, slices.Values(accts), 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nLayered PLG stage › value tier › size (combinations under 3%% merged into Other):\n")
	printCounts(w, layeredResult)
	if i := slices.IndexFunc(layeredResult.Assignments, func(a segment.Assignment) bool {
		return len(a.Parts) > 0 && a.Parts[0].Segment.ID == plg.Expanding && strings.Contains(a.Segment.ID, segment.IDSep)
	}); i >= 0 {
		ex := layeredResult.Assignments[i]
		fmt.Fprintf(w, "\nWhy %s is in %s:\n", ex.AccountID, ex.Segment.Name)
		for _, r := range ex.Reasons {
			fmt.Fprintf(w, "  - %s\n", r.Text)
		}
	}

	// 3. The layered Model is plain data: JSON out, JSON in, same answers.
	data, err := json.Marshal(lm)
	if err != nil {
		return err
	}
	back, err := layered.DecodeModel(data)
	if err != nil {
		return err
	}
	again, err := segment.AssignAll(ctx, back, slices.Values(accts), 0)
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(layeredResult, again) {
		return fmt.Errorf("the decoded layered model assigns differently")
	}
	fmt.Fprintf(w, "\nJSON round trip: %d bytes; the decoded model assigns all %d accounts identically\n", len(data), len(accts))

	// 4. Compared with a built-in segmentation of the same accounts:
	// behavior's lifecycle (Healthy, Expand, Watch, At risk, Dormant).
	lifecycle, err := behavior.New(behavior.Config{})
	if err != nil {
		return err
	}
	bm, err := lifecycle.Fit(ctx, slices.Values(accts))
	if err != nil {
		return err
	}
	bResult, err := segment.AssignAll(ctx, bm, slices.Values(accts), 0)
	if err != nil {
		return err
	}
	cmp, err := segment.Compare(plgResult.Assignments, bResult.Assignments)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nPLG stages (rows) against behavior's lifecycle (columns):\n")
	return cmp.WriteText(w)
}

// printCounts prints the accounts of each segment, in the Model's order
// (then the segments the Model does not list).
func printCounts(w io.Writer, r segment.Result) {
	counts := map[string]int{}
	names := map[string]string{}
	var order []string
	for _, s := range r.Segments {
		order = append(order, s.ID)
		names[s.ID] = s.Name
	}
	for _, a := range r.Assignments {
		if _, ok := names[a.Segment.ID]; !ok {
			order = append(order, a.Segment.ID)
			names[a.Segment.ID] = a.Segment.Name
		}
		counts[a.Segment.ID]++
	}
	for _, id := range order {
		if counts[id] > 0 {
			fmt.Fprintf(w, "  %-60s %6d  %5.1f%%\n", names[id], counts[id], 100*float64(counts[id])/float64(len(r.Assignments)))
		}
	}
}
