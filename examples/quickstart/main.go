// Command quickstart segments 600 sample B2B accounts with every strata
// method — firmographic, value tier, behavior, needs, sophistication and
// lead propensity — then layers value and behavior into one segmentation
// behind two named key accounts, and prints each segmentation's profile:
// size, share of accounts and of revenue, and what sets each segment apart.
// It ends with one account explained through every layer and the conversion
// rate of each firmographic segment.
//
// The sample accounts in accounts.jsonl are synthetic, made by strata's
// generator (segmenttest.Accounts, seed 2026; see go:generate below); their
// histories end on 2026-06-30.
//
//	go run ./examples/quickstart
//	go run ./examples/quickstart -report report.html   # also one HTML page with charts
package main

//go:generate go run ./internal/gendata -o accounts.jsonl -n 600 -seed 2026

import (
	"bytes"
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/strataseg/strata/behavior"
	"github.com/strataseg/strata/firmographic"
	"github.com/strataseg/strata/needs"
	"github.com/strataseg/strata/propensity"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/report"
	"github.com/strataseg/strata/segment/segmenttest"
	"github.com/strataseg/strata/sophistication"
	"github.com/strataseg/strata/tier"
)

//go:embed accounts.jsonl
var sample []byte

// asOf is the date the sample histories end.
var asOf = time.Date(2026, time.June, 30, 0, 0, 0, 0, time.UTC)

func main() {
	out := flag.String("report", "", "also write every segmentation as one self-contained HTML page to this file")
	flag.Parse()
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
	if *out != "" {
		if err := writeReport(context.Background(), *out); err != nil {
			fmt.Fprintln(os.Stderr, "quickstart:", err)
			os.Exit(1)
		}
		fmt.Printf("\nreport written to %s\n", *out)
	}
}

// writeReport writes every segmentation of the sample, its sizes, profiles
// and charts, as one HTML page at path (see package report).
func writeReport(ctx context.Context, path string) error {
	accts, err := decode(sample)
	if err != nil {
		return err
	}
	sections, err := analyze(ctx, accts)
	if err != nil {
		return err
	}
	r, err := report.New(report.Config{Title: "strata quickstart", Profile: segment.ProfileConfig{Reference: asOf}})
	if err != nil {
		return err
	}
	for _, s := range sections {
		if err := r.Add(ctx, s.title, accts, s.assigns); err != nil {
			return err
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := r.WriteHTML(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// section is one segmentation of the accounts and its profile.
type section struct {
	title   string
	model   segment.Model
	assigns []segment.Assignment
	report  *segment.ProfileReport
}

func run(w io.Writer) error {
	accts, err := decode(sample)
	if err != nil {
		return err
	}
	sections, err := analyze(context.Background(), accts)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "strata quickstart: %d sample accounts (synthetic), as of %s\n", len(accts), asOf.Format(time.DateOnly))
	for _, s := range sections {
		fmt.Fprintf(w, "\n%s\n\n", s.title)
		if err := s.report.WriteText(w); err != nil {
			return err
		}
	}
	// Every assignment explains itself: the first customer that is not a
	// key account, through every layer.
	a := &accts[0]
	for i := range accts {
		if accts[i].Stage == segment.Customer && !slices.Contains(keyAccounts, accts[i].ID) {
			a = &accts[i]
			break
		}
	}
	layered := sections[len(sections)-1]
	as, err := layered.model.Assign(a)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nWhy %s (%s) is in %s:\n", a.ID, a.Name, as.Segment.Name)
	for _, r := range as.Reasons {
		fmt.Fprintf(w, "  %s\n", r.Text)
	}
	for _, s := range sections[:len(sections)-1] {
		as, err := s.model.Assign(a)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %-15s %s (score %.2f)", s.model.Segments()[0].Method+":", as.Segment.Name, as.Score)
		if len(as.Reasons) > 0 {
			fmt.Fprintf(w, ": %s", as.Reasons[0].Text)
		}
		fmt.Fprintln(w)
	}

	// Which firmographic groups convert best: the propensity layer's group
	// rates, with 95% intervals.
	g, err := propensity.RateByAssignment(context.Background(), slices.Values(accts), sections[0].assigns, propensity.GroupOptions{MinSize: 20})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nConversion by firmographic segment (leads with a known outcome; overall %.0f%%):\n", 100*g.Overall.Rate)
	for _, r := range g.Groups {
		fmt.Fprintf(w, "  %-32s %4d leads  %5.1f%% [%4.1f%%, %4.1f%%]  lift %.2f\n",
			r.Segment.Name, r.Known, 100*r.Rate, 100*r.Low, 100*r.High, r.Lift)
	}
	return nil
}

// decode reads the embedded JSON Lines, one account per line, with
// strata's strict reader: a bad line is an error naming its row and field.
func decode(data []byte) ([]segment.Account, error) {
	r, err := segment.NewJSONLReader(bytes.NewReader(data), segment.JSONLOptions{})
	if err != nil {
		return nil, err
	}
	accts := slices.Collect(r.All())
	if err := r.Err(); err != nil {
		return nil, err
	}
	return accts, nil
}

// keyAccounts are the sample's named key accounts, the short list of
// account-based marketing: they take their own segment before the rest are
// segmented.
var keyAccounts = []string{"A-000406", "A-000079"}

// analyze fits each method, assigns every account and profiles the
// segments; the last section layers value, firmographics and behavior into
// one segmentation behind the key accounts.
func analyze(ctx context.Context, accts []segment.Account) ([]section, error) {
	firmo, err := firmographic.New(firmographic.Config{
		Dimensions: []firmographic.Dimension{firmographic.DimEmployees, firmographic.DimContinent},
	})
	if err != nil {
		return nil, err
	}
	value, err := tier.New(tier.Config{AsOf: asOf, KeyAccounts: keyAccounts})
	if err != nil {
		return nil, err
	}
	beh, err := behavior.New(behavior.Config{AsOf: asOf, Seed: 1})
	if err != nil {
		return nil, err
	}
	nd, err := needs.New(needs.Config{AsOf: asOf})
	if err != nil {
		return nil, err
	}
	soph, err := sophistication.New(sophistication.Config{
		Competitors: segmenttest.Competitors,
		OurProducts: []string{segmenttest.OurProduct},
	})
	if err != nil {
		return nil, err
	}
	conv, err := propensity.New(propensity.Config{
		AsOf:    asOf,
		Numbers: []string{"intent_score"},
		// The sample's customers list the product after buying it: a
		// field filled in after the outcome, left out.
		Exclude: []string{"technologies[" + segmenttest.OurProduct + "]"},
		Seed:    1,
	})
	if err != nil {
		return nil, err
	}
	key := segment.KeyAccounts(segment.Segment{ID: "key", Name: "Key account", Description: "named key account"}, keyAccounts...)
	segmenters := []struct {
		title string
		s     segment.Segmenter
	}{
		{"Firmographic: size band · continent (combinations under 3% merged into Other)",
			segment.MinSize(firmo, segment.MinSizeConfig{Share: 0.03})},
		{"Value tier: Pareto 80/15/5 of revenue to date, key accounts on top", value},
		{"Behavior: churn risk and expansion potential", beh},
		{"Needs: the dominant need (combinations under 3% merged into Other)",
			segment.MinSize(nd, segment.MinSizeConfig{Share: 0.03})},
		{"Sophistication: the maturity ladder", soph},
		{"Lead propensity: calibrated P(convert), hot / warm / cold", conv},
		{"Key accounts first, then tier › behavior (combinations under 3% merged into Other)",
			segment.First(key, segment.MinSize(segment.Layer(value, beh), segment.MinSizeConfig{Share: 0.03}))},
	}
	var out []section
	for _, sg := range segmenters {
		m, err := sg.s.Fit(ctx, slices.Values(accts))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sg.title, err)
		}
		res, err := segment.AssignAll(ctx, m, slices.Values(accts), 0)
		if err != nil {
			return nil, err
		}
		rep, err := segment.Profile(ctx, slices.Values(accts), res.Assignments, segment.ProfileConfig{Reference: asOf})
		if err != nil {
			return nil, err
		}
		out = append(out, section{title: sg.title, model: m, assigns: res.Assignments, report: rep})
	}
	return out, nil
}
