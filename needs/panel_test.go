package needs_test

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/needs"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/cluster"
	"github.com/strataseg/strata/segment/segmenttest"
)

// panelNeeds are the needs the panel plants, as IDs of the default
// taxonomy; fillers are asked in the survey but never planted.
var (
	panelNeeds   = []string{"cost", "performance", "security", "ease_of_use", "integration"}
	panelFillers = []string{"support", "reliability"}
	panelRef     = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
)

// panelTopics are the content topics of each planted need.
var panelTopics = map[string][]string{
	"cost":        {"pricing", "ROI", "total cost of ownership"},
	"performance": {"performance", "productivity", "automation"},
	"security":    {"security", "compliance", "data privacy"},
	"ease_of_use": {"ease of use", "onboarding", "getting started"},
	"integration": {"integrations", "API", "data migration"},
}

// panelTexts are form answers and call notes stating each need, in
// English, German, French and Spanish (performance in English only).
var panelTexts = map[string][]string{
	"cost": {
		"Our current tool is too expensive for our budget",
		"Die Kosten sind zu hoch, wir brauchen einen besseren Preis",
		"Le prix est trop cher pour notre budget",
		"El precio es demasiado caro para nuestro presupuesto",
	},
	"performance": {
		"Everything is too slow, we want to automate our workflows",
		"We need faster processing and better productivity",
	},
	"security": {
		"We need SSO and audit logs before we can roll this out",
		"Datenschutz und DSGVO sind für uns entscheidend",
		"La sécurité et la conformité RGPD sont essentielles",
		"Necesitamos seguridad y cumplimiento normativo",
	},
	"ease_of_use": {
		"We want something our team can pick up without training",
		"Es muss einfach und intuitiv sein",
		"Il nous faut une prise en main facile",
		"Buscamos algo fácil e intuitivo",
	},
	"integration": {
		"Looking for something that connects to our ERP and data warehouse",
		"Wir brauchen eine Schnittstelle zu unserem ERP",
		"Intégration avec notre ERP indispensable",
		"Necesitamos integración con nuestro ERP",
	},
}

var panelNoise = []string{"Please call me back next week", "Bitte um Rückruf", "Merci de me rappeler", "Interested, send more information"}

// panel generates n accounts with a known true need each (an index of
// panelNeeds), from seed, at a noise level (0 is the easiest):
//
//   - 55% answer a survey: a Likert 1–5 importance question for each
//     planted need and the two fillers, the true need's rated 1.3 points
//     higher, with a per-respondent scale bias (SD 0.8, so some rate
//     everything 5 and some everything 1), answer noise of SD 0.3 + 0.5·noise,
//     each question skipped with probability 0.05 + 0.1·noise, and a
//     straight-liner (every answer the same) with probability 0.03 + 0.07·noise;
//   - a Poisson number of events (mean 4) within the last year, of mixed
//     kinds, each on a topic of the true need with probability 0.9 − 0.2·noise
//     and of a planted need drawn at random otherwise;
//   - with probability 0.3 an event carries a form answer or call note in one
//     of four languages, stating the true need with the same probability
//     (off-need or unrelated text otherwise);
//   - 8% of accounts have no events and no survey: they carry no evidence.
func panel(n int, noise float64, seed uint64) ([]segment.Account, []int) {
	r := rand.New(rand.NewPCG(seed, 0x6e656564))
	accts := make([]segment.Account, n)
	truth := make([]int, n)
	kinds := []string{segment.EventPageView, segment.EventPageView, segment.EventContent, segment.EventContent, segment.EventEmail, segment.EventWebinar, segment.EventDemoRequest, segment.EventForm}
	pOn := 0.9 - 0.2*noise
	pick := func(need int) string {
		if r.Float64() < pOn {
			return panelNeeds[need]
		}
		return panelNeeds[r.IntN(len(panelNeeds))]
	}
	for i := range accts {
		need := r.IntN(len(panelNeeds))
		truth[i] = need
		a := segment.Account{ID: "P-" + strconv.Itoa(i+1)}
		if r.Float64() < 0.08 {
			accts[i] = a
			continue
		}
		if r.Float64() < 0.55 {
			a.Survey = map[string]float64{}
			bias := 0.8 * r.NormFloat64()
			flat := r.Float64() < 0.03+0.07*noise
			flatValue := math.Round(clamp(3.3+bias, 1, 5))
			for q, id := range append(slices.Clone(panelNeeds), panelFillers...) {
				if r.Float64() < 0.05+0.1*noise {
					continue
				}
				v := flatValue
				if !flat {
					v = 2.8 + 1.3*b2f(q == need) + bias + (0.3+0.5*noise)*r.NormFloat64()
				}
				a.Survey["importance_"+id] = math.Round(clamp(v, 1, 5))
			}
		}
		ne := poisson(r, 4)
		for range ne {
			e := segment.Event{Time: panelRef.Add(-time.Duration(r.IntN(365*24)) * time.Hour), Kind: kinds[r.IntN(len(kinds))]}
			ts := panelTopics[pick(need)]
			e.Topic = ts[r.IntN(len(ts))]
			if r.Float64() < 0.3 {
				if r.Float64() < 0.15 {
					e.Text = panelNoise[r.IntN(len(panelNoise))]
				} else {
					tx := panelTexts[pick(need)]
					e.Text = tx[r.IntN(len(tx))]
				}
			}
			a.Events = append(a.Events, e)
		}
		accts[i] = a
	}
	return accts, truth
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
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

// recovery is how well a Model recovers planted needs on the accounts with
// evidence.
type recovery struct {
	covered                 float64 // share of accounts with evidence
	accuracy                float64 // top need = true need
	ariTop                  float64 // ARI of the top need against the truth
	ariSeg                  float64 // ARI of the assigned segments against the truth
	confident, confAccuracy float64 // share with confidence ≥ 0.8, their accuracy
	single, singleAccuracy  float64 // share in a single-need segment (not mixed), their accuracy
}

// recover measures m on accts, truth giving each account's true need as
// an index of the Model's taxonomy.
func measure(t *testing.T, m *needs.Model, accts []segment.Account, truth []int) recovery {
	t.Helper()
	var top, seg, tr []int
	segIdx := map[string]int{}
	for i, s := range m.Segments() {
		segIdx[s.ID] = i
	}
	hit, conf, confHit, single, singleHit := 0, 0, 0, 0, 0
	for i := range accts {
		p, err := m.Profile(&accts[i])
		require.NoError(t, err)
		if p.Top < 0 {
			continue
		}
		as, err := m.Assign(&accts[i])
		require.NoError(t, err)
		top = append(top, p.Top)
		seg = append(seg, segIdx[as.Segment.ID])
		tr = append(tr, truth[i])
		if p.Top == truth[i] {
			hit++
		}
		if m.Config.Mode == needs.Dominant && !strings.HasPrefix(as.Segment.ID, "needs/mixed/") {
			single++
			if p.Top == truth[i] {
				singleHit++
			}
		}
		if p.Confidence >= 0.8 {
			conf++
			if p.Top == truth[i] {
				confHit++
			}
		}
	}
	ariTop, err := cluster.AdjustedRand(top, tr)
	require.NoError(t, err)
	ariSeg, err := cluster.AdjustedRand(seg, tr)
	require.NoError(t, err)
	return recovery{
		covered:        float64(len(top)) / float64(len(accts)),
		accuracy:       float64(hit) / float64(len(top)),
		ariTop:         ariTop,
		ariSeg:         ariSeg,
		confident:      float64(conf) / float64(len(top)),
		confAccuracy:   float64(confHit) / float64(max(conf, 1)),
		single:         float64(single) / float64(len(top)),
		singleAccuracy: float64(singleHit) / float64(max(single, 1)),
	}
}

// taxonomyIndex maps need IDs to their index in the default taxonomy.
func taxonomyIndex(ids []string, truth []int) []int {
	pos := map[string]int{}
	for i, n := range needs.DefaultNeeds() {
		pos[n.ID] = i
	}
	out := make([]int, len(truth))
	for i, v := range truth {
		out[i] = pos[ids[v]]
	}
	return out
}

// TestPanelRecovery fits the dominant rule and learned segments on a
// panel at increasing noise. The thresholds hold for the fixed seed with a
// margin; VALIDATION.md reports the figures.
func TestPanelRecovery(t *testing.T) {
	n := 2000
	levels := []float64{0, 0.5, 1}
	if raceEnabled {
		levels = levels[:2] // the asserted ones
	}
	if os.Getenv("STRATA_HEAVY") != "" {
		n, levels = 10000, []float64{0, 0.5, 1, 1.5, 2, 3}
	}
	for _, noise := range levels {
		accts, truth := panel(n, noise, 42)
		truth = taxonomyIndex(panelNeeds, truth)
		dom := fit(t, needs.Config{}, accts...)
		rd := measure(t, dom, accts, truth)
		lrn := fit(t, needs.Config{Mode: needs.Learned, Seed: 1}, accts...)
		rl := measure(t, lrn, accts, truth)
		t.Logf("noise %.1f: covered %.3f, top-need accuracy %.3f (%.3f at confidence ≥ 0.8, %.0f%% of them; %.3f when dominant, %.0f%% of them), ARI top need %.3f, ARI dominant segments %.3f, ARI learned %.3f (k=%d)",
			noise, rd.covered, rd.accuracy, rd.confAccuracy, 100*rd.confident, rd.singleAccuracy, 100*rd.single, rd.ariTop, rd.ariSeg, rl.ariSeg, len(lrn.Segments())-1)
		if lrn.Projection != nil {
			t.Logf("noise %.1f: learned on %d principal components explaining %.1f%% of the profiles' variance", noise, len(lrn.Projection.Vectors[0]), 100*lrn.Projection.Explained)
		}
		switch noise {
		case 0:
			assert.Greater(t, rd.accuracy, 0.95, "noise 0")
			assert.Greater(t, rd.ariTop, 0.88, "noise 0")
			assert.Greater(t, rl.ariSeg, 0.88, "noise 0")
			assert.Len(t, lrn.Segments(), len(panelNeeds)+1, "noise 0: one learned segment per planted need, and no evidence")
		case 0.5:
			assert.Greater(t, rd.accuracy, 0.87, "noise 0.5")
			assert.Greater(t, rd.ariTop, 0.72, "noise 0.5")
			assert.Greater(t, rl.ariSeg, 0.72, "noise 0.5")
		}
	}
}

// TestGeneratorRecovery checks the planted needs of segmenttest.Generate.
func TestGeneratorRecovery(t *testing.T) {
	accts, truth := segmenttest.Generate(segmenttest.GenConfig{N: 3000, Seed: 1})
	tr := make([]int, len(truth))
	for i, x := range truth {
		tr[i] = x.Need
	}
	tr = taxonomyIndex(segmenttest.Needs, tr)
	m := fit(t, needs.Config{}, accts...)
	r := measure(t, m, accts, tr)
	lrn := fit(t, needs.Config{Mode: needs.Learned, Seed: 1}, accts...)
	rl := measure(t, lrn, accts, tr)
	t.Logf("generate: covered %.3f, top-need accuracy %.3f (%.3f at confidence ≥ 0.8, %.0f%% of them; %.3f when dominant, %.0f%% of them), ARI top need %.3f, ARI dominant segments %.3f, ARI learned %.3f (k=%d)",
		r.covered, r.accuracy, r.confAccuracy, 100*r.confident, r.singleAccuracy, 100*r.single, r.ariTop, r.ariSeg, rl.ariSeg, len(lrn.Segments())-1)
	assert.Greater(t, r.singleAccuracy, r.accuracy, "accounts with a dominant need are placed more accurately than all")
	assert.Greater(t, r.covered, 0.65)
	assert.Greater(t, r.accuracy, 0.78)
	assert.Greater(t, r.ariTop, 0.55)
	assert.Greater(t, rl.ariSeg, 0.5)
}
