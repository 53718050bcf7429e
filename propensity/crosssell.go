package propensity

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/strataseg/strata/segment"
)

// fitCrossSell fits one scorer per product line on the accounts with order
// history.
func (f *fitter) fitCrossSell(ctx context.Context, m *Model) error {
	var rows []int
	buyers := map[string]int{}
	for i := range f.accts {
		if len(f.sums[i].lines) == 0 {
			continue
		}
		rows = append(rows, i)
		for l := range f.sums[i].lines {
			buyers[l]++
		}
	}
	lines := slices.Sorted(func(yield func(string) bool) {
		for l := range buyers {
			if !yield(l) {
				return
			}
		}
	})
	minB := f.c.minBuyers()
	var modelled []string
	for _, l := range lines {
		if buyers[l] >= minB && len(rows)-buyers[l] >= minB {
			modelled = append(modelled, l)
		}
	}
	if len(modelled) == 0 {
		return fmt.Errorf("propensity: cross-sell: no product line among the %d accounts with orders has %d buyers and %d non-buyers: %w", len(rows), minB, minB, segment.ErrEmptyInput)
	}
	base := f.baseFields(rows)
	for _, l := range modelled {
		fields := slices.Clone(base)
		for _, o := range lines {
			if o != l {
				fields = append(fields, Field{Kind: kBought, Key: o})
			}
		}
		fields = append(fields, Field{Kind: kOrders}, Field{Kind: kAmount}, Field{Kind: kTenure})
		y := make([]int, len(rows))
		for r, i := range rows {
			y[r] = b2i(f.sums[i].lines[l].count > 0)
		}
		sc, err := f.fit(ctx, rows, y, fields, l)
		if err != nil {
			return err
		}
		m.Lines = append(m.Lines, sc)
		m.Leakage = append(m.Leakage, sc.Leakage...)
		v := sc.Validation
		m.Segs = append(m.Segs, segment.Segment{
			ID:          Method + "/next-" + slug(l),
			Name:        "Next: " + l,
			Description: fmt.Sprintf("accounts most likely to buy %s next; out-of-fold AUC %.2f over %d accounts with orders", l, v.Calibrated.AUC, v.Accounts),
			Method:      Method,
		})
	}
	m.Segs = append(m.Segs, segment.Segment{ID: Method + "/next-none", Name: "Next: none", Description: "accounts that have bought every product line with a model", Method: Method})
	return nil
}

func (m *Model) assignCrossSell(a *segment.Account) (segment.Assignment, error) {
	s := summarize(a, m.AsOf, m.Config.windowDays(), true)
	type cand struct {
		line    int
		p       float64
		contrib []float64
	}
	var cands []cand
	for i, sc := range m.Lines {
		if s.lines[sc.Target].count > 0 {
			continue
		}
		p, contrib, err := sc.score(a, &s, m.AsOf)
		if err != nil {
			return segment.Assignment{}, &segment.FieldError{AccountID: a.ID, Err: err}
		}
		cands = append(cands, cand{i, p, contrib})
	}
	as := segment.Assignment{AccountID: a.ID}
	if len(cands) == 0 {
		as.Segment = m.Segs[len(m.Segs)-1]
		as.Reasons = []segment.Reason{{Text: "has bought every product line with a model"}}
		return as, nil
	}
	slices.SortStableFunc(cands, func(x, y cand) int { return cmp.Compare(y.p, x.p) })
	best := cands[0]
	as.Segment = m.Segs[best.line]
	as.Score = best.p
	as.Scores = make(map[string]float64, len(cands))
	for k, c := range cands {
		sc := m.Lines[c.line]
		as.Scores["p_buy["+sc.Target+"]"] = c.p
		if k < m.Config.topLines() {
			as.Reasons = append(as.Reasons, segment.Reason{
				Text:  fmt.Sprintf("%s not yet bought: %.0f%% likely to buy it", sc.Target, 100*c.p),
				Field: "p_buy[" + sc.Target + "]",
			})
		}
	}
	as.Reasons = append(as.Reasons, m.Lines[best.line].reasons(a, &s, m.AsOf, best.contrib, 3)...)
	return as, nil
}
