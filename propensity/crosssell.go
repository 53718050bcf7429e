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
	pr := m.prepared()
	s := getScratch(pr)
	defer putScratch(s)
	pr.look(&s.view, a, m.AsOf, m.Config.windowDays(), true)
	// Score each line not yet bought; keep the contributions of the most
	// likely (the first of them on a tie).
	var best cand
	for i, sc := range m.Lines {
		if s.bought(sc.Target) > 0 {
			continue
		}
		p, _, err := sc.score(&pr.scorers[i], &s.view, s, s.contrib)
		if err != nil {
			return segment.Assignment{}, &segment.FieldError{AccountID: a.ID, Err: err}
		}
		if len(s.cands) == 0 || cmp.Compare(p, best.p) > 0 {
			best = cand{i, p}
			s.contrib, s.best = s.best, s.contrib
		}
		s.cands = append(s.cands, cand{i, p})
	}
	as := segment.Assignment{AccountID: a.ID}
	if len(s.cands) == 0 {
		as.Segment = m.Segs[len(m.Segs)-1]
		as.Reasons = []segment.Reason{{Text: "has bought every product line with a model"}}
		return as, nil
	}
	slices.SortStableFunc(s.cands, func(x, y cand) int { return cmp.Compare(y.p, x.p) })
	as.Segment = m.Segs[best.line]
	as.Score = best.p
	as.Scores = make(map[string]float64, len(s.cands))
	ps := &pr.scorers[best.line]
	contrib := s.best[:len(ps.fields)]
	s.picked = pick(s.picked, contrib, 3)
	top := min(len(s.cands), m.Config.topLines())
	as.Reasons = make([]segment.Reason, top+len(s.picked))
	buf := s.buf
	for k, c := range s.cands {
		sc, key := m.Lines[c.line], pr.scorers[c.line].key
		as.Scores[key] = c.p
		if k < top {
			// "%s not yet bought: %.0f%% likely to buy it"
			buf = append(buf, sc.Target...)
			buf = append(buf, " not yet bought: "...)
			buf = appendFixed(buf, 100*c.p, 0)
			buf = append(buf, "% likely to buy it"...)
			s.offs = append(s.offs, len(buf))
			as.Reasons[k].Field = key
		}
	}
	buf = m.Lines[best.line].appendReasons(as.Reasons[top:], buf, s, ps, contrib)
	texts(as.Reasons, buf, s.offs)
	s.buf = buf
	return as, nil
}
