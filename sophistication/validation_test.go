package sophistication_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
	"github.com/strataseg/strata/sophistication"
)

// confusion counts true stage (1 to n) against assigned level (0 unknown,
// 1 to n), and the confidence of right and wrong assignments.
type confusion struct {
	n                  int
	m                  [][]int
	rightScore, wrongS float64
	right, wrong       int
}

func newConfusion(n int) *confusion {
	c := &confusion{n: n, m: make([][]int, n+1)}
	for i := range c.m {
		c.m[i] = make([]int, n+1)
	}
	return c
}

func (c *confusion) add(truth int, as segment.Assignment) {
	got := int(as.Scores["level"])
	c.m[truth][got]++
	switch {
	case got == truth:
		c.right++
		c.rightScore += as.Score
	case got != 0:
		c.wrong++
		c.wrongS += as.Score
	}
}

func (c *confusion) rowTotal(t int) int {
	s := 0
	for _, v := range c.m[t] {
		s += v
	}
	return s
}

// recall is the share of stage t's accounts assigned to t.
func (c *confusion) recall(t int) float64 { return float64(c.m[t][t]) / float64(c.rowTotal(t)) }

// placedRecall is the share of stage t's placed (not unknown) accounts
// assigned to t.
func (c *confusion) placedRecall(t int) float64 {
	return float64(c.m[t][t]) / float64(c.rowTotal(t)-c.m[t][0])
}

func (c *confusion) accuracy() (all, adjacent, unknown float64) {
	var tot, right, near, unk int
	for t := 1; t <= c.n; t++ {
		for g, v := range c.m[t] {
			tot += v
			if g == t {
				right += v
			}
			if g != 0 && abs(g-t) <= 1 {
				near += v
			}
			if g == 0 {
				unk += v
			}
		}
	}
	return float64(right) / float64(tot), float64(near) / float64(tot), float64(unk) / float64(tot)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// table writes the confusion matrix in Markdown.
func (c *confusion) table(names []string, truthNames []string) string {
	var b strings.Builder
	b.WriteString("| true \\ assigned | unknown |")
	for _, n := range names {
		b.WriteString(" " + n + " |")
	}
	b.WriteString(" n | recall | recall of placed |\n|---|---|")
	for range names {
		b.WriteString("---|")
	}
	b.WriteString("---|---|---|\n")
	for t := 1; t <= c.n; t++ {
		if c.rowTotal(t) == 0 {
			continue
		}
		b.WriteString("| " + truthNames[t-1] + " |")
		for g := 0; g <= c.n; g++ {
			fmt.Fprintf(&b, " %d |", c.m[t][g])
		}
		fmt.Fprintf(&b, " %d | %.1f%% | %.1f%% |\n", c.rowTotal(t), 100*c.recall(t), 100*c.placedRecall(t))
	}
	all, adj, unk := c.accuracy()
	fmt.Fprintf(&b, "\naccuracy %.1f%%, within one stage %.1f%%, unknown %.1f%%; mean confidence %.2f when right, %.2f when wrong\n",
		100*all, 100*adj, 100*unk, c.rightScore/float64(c.right), c.wrongS/float64(max(1, c.wrong)))
	return b.String()
}

var stageNames = []string{"unaware", "manual", "evaluating", "competitor", "advanced"}

// TestValidationGenerated measures the rules on segmenttest's generator,
// whose Truth.Sophistication 1–4 (tools before meeting the vendor) maps to
// the ladder as 1 → manual, 2 → evaluating, 3 → competitor, 4 → advanced;
// the generator plants no unaware accounts. The generator's own product is
// not named, since the Truth is the maturity before it; the competitors
// are.
func TestValidationGenerated(t *testing.T) {
	accts, truth := segmenttest.Generate(segmenttest.GenConfig{N: 5000, Seed: 42})
	for _, c := range []struct {
		name string
		cfg  sophistication.Config
	}{
		{"competitors named", sophistication.Config{Competitors: segmenttest.Competitors}},
		{"competitors and our product named", sophistication.Config{Competitors: segmenttest.Competitors, OurProducts: []string{segmenttest.OurProduct}}},
		{"learned, 5 clusters", sophistication.Config{Competitors: segmenttest.Competitors, Clusters: 5, Seed: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := fit(t, c.cfg, accts...)
			conf := newConfusion(5)
			customers := 0
			for i := range accts {
				as := assign(t, m, accts[i])
				conf.add(truth[i].Sophistication+1, as)
				if accts[i].Stage == segment.Customer {
					customers++
				}
			}
			t.Logf("segmenttest.Generate, 5,000 accounts, seed 42, %s:\n%s", c.name, conf.table(stageNames, []string{"", "1 → manual", "2 → evaluating", "3 → competitor", "4 → advanced"}))
			all, adj, unk := conf.accuracy()
			if len(c.cfg.OurProducts) > 0 {
				// Current customers list our product and go to advanced,
				// whatever they used before: the Truth no longer applies to
				// them.
				assert.Greater(t, conf.m[2][5]+conf.m[3][5]+conf.m[4][5], customers/2, "customers go to advanced")
				return
			}
			assert.GreaterOrEqual(t, conf.recall(2), 0.82, "manual")
			assert.GreaterOrEqual(t, conf.recall(3), 0.93, "evaluating")
			assert.GreaterOrEqual(t, conf.recall(4), 0.93, "competitor")
			assert.GreaterOrEqual(t, conf.recall(5), 0.85, "advanced")
			assert.GreaterOrEqual(t, all, 0.90)
			assert.GreaterOrEqual(t, adj, 0.95)
			assert.LessOrEqual(t, unk, 0.04, "about 5% of accounts have no technologies")
			assert.Greater(t, conf.rightScore/float64(conf.right), conf.wrongS/float64(conf.wrong), "more confident when right")
		})
	}
}

// noisy generates n accounts with a planted stage 1–5 each (uniform), and
// every signal noisy or missing: technologies known for 80% (the stage's
// typical tools 75% of the time, a neighbouring stage's otherwise),
// employees for 90% and founding year for 85% (log-normal, rising with the
// stage and overlapping), a self-assessment for 35% (the stage ± normal
// noise of sd 0.9, rounded), content reads (Poisson 1.5, the stage's
// typical depth 55% of the time, random otherwise: unaware accounts read
// little and nothing in particular, manual ones beginner topics, evaluating
// ones evaluation topics, competitor users evaluation or advanced ones,
// advanced users advanced ones), support tickets for 30%
// (basic up to evaluating, advanced above, 70% of the time), demo requests
// (45% at evaluating, 12% otherwise).
func noisy(n int, seed uint64) ([]segment.Account, []int) {
	at := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	accts := make([]segment.Account, n)
	truth := make([]int, n)
	manual := []string{"Excel", "Paper forms", "Google Sheets", "E-mail"}
	point := []string{"HubSpot", "Trello", "QuickBooks", "Airtable", "Pipedrive", "Asana"}
	stack := []string{"Snowflake", "Okta", "MuleSoft", "Tableau", "Databricks"}
	content := [][]string{
		{"What is pipeline management?", "Getting started with forecasting", "Spreadsheet templates"},
		{"Pricing", "ROI calculator", "Buyer's guide", "Comparison with alternatives"},
		{"API reference", "Integrations", "SSO setup", "Webhooks"},
		{"Company news", "Industry trends", "Events"},
	}
	typical := [][]int{{3}, {0}, {1}, {1, 2}, {2}} // content classes by stage
	reads := []float64{0.5, 1.5, 2, 1.5, 1.5}      // mean content reads by stage
	for i := range accts {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		s := 1 + r.IntN(5)
		truth[i] = s
		a := segment.Account{ID: fmt.Sprintf("N-%05d", i+1)}
		pick := func(l []string) string { return l[r.IntN(len(l))] }
		if r.Float64() < 0.8 {
			tech := []string{pick([]string{"Microsoft 365", "Google Workspace", "Slack"})}
			ts := s
			if r.Float64() >= 0.75 {
				ts = max(1, min(5, s+[]int{-1, 1}[r.IntN(2)]))
			}
			switch ts {
			case 2:
				tech = append(tech, pick(manual))
				if r.IntN(2) == 0 {
					tech = append(tech, pick(manual))
				}
			case 3:
				tech = append(tech, pick(point), pick(point))
				if r.IntN(2) == 0 {
					tech = append(tech, "Excel")
				}
			case 4:
				tech = append(tech, pick(segmenttest.Competitors))
				if r.IntN(3) == 0 {
					tech = append(tech, "Excel")
				}
			case 5:
				tech = append(tech, pick(segmenttest.Competitors), stack[0+r.IntN(2)], stack[2+r.IntN(3)])
			}
			a.Technologies = tech
		}
		if r.Float64() < 0.9 {
			mu := []float64{1.6, 2.8, 3.9, 5.5, 6.3}[s-1]
			a.Employees = segment.N(math.Max(1, math.Round(math.Exp(mu+1.1*r.NormFloat64()))))
		}
		if r.Float64() < 0.85 {
			mu := math.Log([]float64{2, 6, 12, 20, 25}[s-1])
			a.Founded = 2026 - int(math.Exp(mu+0.6*r.NormFloat64()))
		}
		if r.Float64() < 0.35 {
			a.Survey = map[string]float64{"maturity_self": math.Max(1, math.Min(5, math.Round(float64(s)+0.9*r.NormFloat64())))}
		}
		for k := poisson(r, reads[s-1]); k > 0; k-- {
			cl := typical[s-1][r.IntN(len(typical[s-1]))]
			if r.Float64() >= 0.55 {
				cl = r.IntN(4)
			}
			a.Events = append(a.Events, segment.Event{Time: at, Kind: segment.EventContent, Topic: pick(content[cl])})
		}
		if r.Float64() < 0.3 {
			for k := 1 + poisson(r, 1); k > 0; k-- {
				adv := s >= 4
				if r.Float64() >= 0.7 {
					adv = !adv
				}
				text := "How do I export a report?"
				if adv {
					text = "API returns errors during bulk sync"
				}
				a.Events = append(a.Events, segment.Event{Time: at, Kind: segment.EventTicket, Text: text})
			}
		}
		if p := map[bool]float64{true: 0.45, false: 0.12}[s == 3]; r.Float64() < p {
			a.Events = append(a.Events, segment.Event{Time: at, Kind: segment.EventDemoRequest})
		}
		accts[i] = a
	}
	return accts, truth
}

func poisson(r *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// TestValidationNoisy measures the rules on a population of the package's
// own, with all five stages planted and every signal noisy or missing (see
// noisy). The generator encodes the same beliefs as the default tables, so
// this measures robustness to noise and missing data, not the beliefs.
func TestValidationNoisy(t *testing.T) {
	accts, truth := noisy(5000, 9)
	for _, c := range []struct {
		name string
		cfg  sophistication.Config
		want []float64 // recall of placed accounts, by stage
	}{
		{"rules", sophistication.Config{Competitors: segmenttest.Competitors}, []float64{0.70, 0.75, 0.75, 0.60, 0.75}},
		{"learned, 5 clusters", sophistication.Config{Competitors: segmenttest.Competitors, Clusters: 5, Seed: 1}, []float64{0.65, 0.75, 0.70, 0.60, 0.75}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := fit(t, c.cfg, accts...)
			conf := newConfusion(5)
			var conflicted int
			for i := range accts {
				as := assign(t, m, accts[i])
				conf.add(truth[i], as)
				if as.Scores["conflict"] > 0 {
					conflicted++
				}
			}
			t.Logf("noisy population, 5,000 accounts, seed 9, %s (%d with contradictory evidence):\n%s", c.name, conflicted, conf.table(stageNames, stageNames))
			for s := 1; s <= 5; s++ {
				assert.GreaterOrEqual(t, conf.placedRecall(s), c.want[s-1], "stage %s", stageNames[s-1])
			}
			all, adj, unk := conf.accuracy()
			assert.GreaterOrEqual(t, all, 0.70)
			assert.GreaterOrEqual(t, adj, 0.92)
			assert.LessOrEqual(t, unk, 0.06)
			require.Positive(t, conf.wrong)
			assert.Greater(t, conf.rightScore/float64(conf.right), conf.wrongS/float64(conf.wrong), "more confident when right")
		})
	}
}
