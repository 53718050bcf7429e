// Command quickstart segments 600 sample B2B accounts with two simple rule
// segmenters, a size band and a lifecycle-and-engagement rule, layers them
// into one segmentation (merging combinations under 3% of the accounts into
// "Other"), and prints each segmentation's profile: size, share of accounts
// and of revenue, and what sets each segment apart.
//
// The sample accounts in accounts.jsonl are synthetic, made by strata's
// generator (segmenttest.Accounts, seed 2026; see go:generate below); their
// histories end on 2026-06-30.
//
//	go run ./examples/quickstart
package main

//go:generate go run ./internal/gendata -o accounts.jsonl -n 600 -seed 2026

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/strataseg/strata/segment"
)

//go:embed accounts.jsonl
var sample []byte

// asOf is the date the sample histories end.
var asOf = time.Date(2026, time.June, 30, 0, 0, 0, 0, time.UTC)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
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
	// Every assignment explains itself: the first customer's.
	a := &accts[0]
	for i := range accts {
		if accts[i].Stage == segment.Customer {
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

// analyze fits each segmenter, assigns every account and profiles the
// segments.
func analyze(ctx context.Context, accts []segment.Account) ([]section, error) {
	size, err := sizeBands()
	if err != nil {
		return nil, err
	}
	eng, err := engagement()
	if err != nil {
		return nil, err
	}
	segmenters := []struct {
		title string
		s     segment.Segmenter
	}{
		{"Size bands (employees)", size},
		{"Lifecycle and engagement", eng},
		{"Size › engagement, layered (combinations under 3% merged into Other)",
			segment.MinSize(segment.Layer(size, eng), segment.MinSizeConfig{Share: 0.03})},
	}
	var out []section
	for _, sg := range segmenters {
		m, err := sg.s.Fit(ctx, slices.Values(accts))
		if err != nil {
			return nil, err
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

// rule wraps a func returning a segment ID and a reason as a
// segment.AssignFunc.
func rule(f func(a *segment.Account) (id, reason string)) segment.AssignFunc {
	return func(a *segment.Account) (segment.Assignment, error) {
		id, reason := f(a)
		return segment.Assignment{
			AccountID: a.ID,
			Segment:   segment.Segment{ID: id},
			Score:     1,
			Reasons:   []segment.Reason{{Text: reason}},
		}, nil
	}
}

func sizeBands() (*segment.Rules, error) {
	segs := []segment.Segment{
		{ID: "size/enterprise", Name: "Enterprise", Description: "1,000 employees or more"},
		{ID: "size/mid", Name: "Mid-market", Description: "100 to 999 employees"},
		{ID: "size/small", Name: "Small business", Description: "fewer than 100 employees"},
		{ID: "size/unknown", Name: "Size unknown", Description: "employees not known"},
	}
	return segment.NewRules("size", segs, rule(func(a *segment.Account) (string, string) {
		e, ok := a.Employees.Get()
		switch {
		case !ok:
			return "size/unknown", "employees unknown → Size unknown"
		case e >= 1000:
			return "size/enterprise", "employees " + group(e) + " ≥ 1,000 → Enterprise"
		case e >= 100:
			return "size/mid", "employees " + group(e) + " in 100–999 → Mid-market"
		}
		return "size/small", "employees " + group(e) + " < 100 → Small business"
	}))
}

func engagement() (*segment.Rules, error) {
	segs := []segment.Segment{
		{ID: "engagement/healthy", Name: "Healthy customer"},
		{ID: "engagement/at-risk", Name: "Customer at risk", Description: "low seat use or repeated tickets"},
		{ID: "engagement/churned", Name: "Churned"},
		{ID: "engagement/engaged", Name: "Engaged prospect", Description: "recent activity or a demo request"},
		{ID: "engagement/cold", Name: "Cold prospect"},
	}
	return segment.NewRules("engagement", segs, rule(func(a *segment.Account) (string, string) {
		since90 := asOf.AddDate(0, 0, -90)
		var events, tickets int
		demo := false
		for _, e := range a.Events {
			if e.Time.After(since90) && !e.Time.After(asOf) {
				events++
				if e.Kind == segment.EventTicket {
					tickets++
				}
				if e.Kind == segment.EventDemoRequest {
					demo = true
				}
			}
		}
		switch a.Stage {
		case segment.Churned:
			return "engagement/churned", "stage churned → Churned"
		case segment.Customer:
			if share, ok := seatsUsedShare(a); ok && share < 0.4 {
				return "engagement/at-risk", "seats used " + strconv.Itoa(int(100*share+0.5)) + "% < 40% → Customer at risk"
			}
			if tickets >= 2 {
				return "engagement/at-risk", strconv.Itoa(tickets) + " support tickets in 90 days ≥ 2 → Customer at risk"
			}
			return "engagement/healthy", "customer using its seats, few tickets → Healthy customer"
		}
		if demo {
			return "engagement/engaged", "demo request in the last 90 days → Engaged prospect"
		}
		if events >= 3 {
			return "engagement/engaged", strconv.Itoa(events) + " interactions in 90 days ≥ 3 → Engaged prospect"
		}
		return "engagement/cold", strconv.Itoa(events) + " interactions in 90 days < 3 → Cold prospect"
	}))
}

// seatsUsedShare returns the latest seats used over seats purchased.
func seatsUsedShare(a *segment.Account) (float64, bool) {
	var tp, tu time.Time
	var p, u float64
	for _, r := range a.Usage {
		switch {
		case r.Metric == segment.MetricSeatsPurchased && !r.Time.Before(tp):
			tp, p = r.Time, r.Value
		case r.Metric == segment.MetricSeatsUsed && !r.Time.Before(tu):
			tu, u = r.Time, r.Value
		}
	}
	if tp.IsZero() || tu.IsZero() || p <= 0 {
		return 0, false
	}
	return u / p, true
}

func group(v float64) string {
	s := strconv.FormatFloat(v, 'f', 0, 64)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
