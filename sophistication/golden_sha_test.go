package sophistication_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
	"github.com/strataseg/strata/sophistication"
)

// goldenConfigs covers the default Config, the scoring service's (named
// competitors and own product), the learned variant, and a Config with
// custom tables, weights and settings.
var goldenConfigs = []struct {
	name string
	c    sophistication.Config
}{
	{"default", sophistication.Config{}},
	{"named", sophistication.Config{Competitors: segmenttest.Competitors, OurProducts: []string{segmenttest.OurProduct}}},
	{"learned", sophistication.Config{Competitors: segmenttest.Competitors, OurProducts: []string{segmenttest.OurProduct}, Clusters: 5, Seed: 1}},
	{"custom", sophistication.Config{
		Competitors: append([]string{"Excel Pro", "  sheets  "}, segmenttest.Competitors...),
		Technologies: append(sophistication.DefaultTechnologies(), sophistication.TechClass{
			Name: "cloud", Stage: sophistication.Evaluating, Strength: 1, Keywords: []string{"Cloud", "AWS", "google workspace", "slack"}}),
		Survey: []sophistication.Question{{Key: "maturity_self", Min: 1, Max: 5, Weight: 2}, {Key: "nps", Min: 0, Max: 10, Reverse: true}},
		Content: append(sophistication.DefaultContent(), sophistication.Topic{Name: "catch-all", Stage: sophistication.Unaware,
			Keywords: []string{"a", "the", "review", "quarterly account review"}}),
		Activity:     append(sophistication.DefaultActivity(), sophistication.Activity{Kind: segment.EventCall, Stage: sophistication.Manual}),
		ContentKinds: append(sophistication.DefaultContentKinds(), segment.EventDemoRequest, segment.EventCall),
		Weights:      map[string]float64{sophistication.SignalAge: 0.25, sophistication.SignalNoTools: 2},
		Saturation:   2, MinWeight: 2.5, FullWeight: 6, ConflictGap: 1, NoToolsStage: sophistication.Manual,
	}},
}

// goldenAccounts returns 300 generated accounts with their histories,
// lean copies of them (no records), the hand-made accounts, and 400
// accounts whose technologies and event texts are built from keywords,
// case changes, separators and non-ASCII letters.
func goldenAccounts() []segment.Account {
	accts := segmenttest.Accounts(300, 17)
	for _, a := range accts[:300] {
		a.Orders, a.Subscriptions, a.Usage, a.Events, a.Survey = nil, nil, nil, nil, nil
		a.ID += "-lean"
		accts = append(accts, a)
	}
	for _, h := range handAccounts {
		accts = append(accts, h.a)
	}
	return append(accts, trickyAccounts(400)...)
}

// trickyAccounts returns n accounts whose technologies and event topics
// and texts mix keywords of the default tables with case changes,
// punctuation, digits and non-ASCII letters, to pin whole-word matching.
func trickyAccounts(n int) []segment.Account {
	var words []string
	for _, t := range sophistication.DefaultTechnologies() {
		words = append(words, t.Keywords...)
	}
	for _, t := range slices.Concat(sophistication.DefaultContent(), sophistication.DefaultTickets()) {
		words = append(words, t.Keywords...)
	}
	words = append(words, segmenttest.Competitors...)
	words = append(words, segmenttest.OurProduct, "Northbeam", "Platform", "cloud", "Excel Pro", "sheets",
		"the", "a", "review", "Quarterly account review", "x", "2", "İ", "K", "ǅ", "straße", "ÉXCEL", "api²", "١٢")
	seps := []string{" ", " ", " ", "  ", "-", ".", "/", "_", "'", ",", "é", "ß", "1", "\u00a0", "\u2003", "\xff", "😀", "", "x", "İ"}
	kinds := slices.Concat(sophistication.DefaultContentKinds(), sophistication.DefaultTicketKinds(),
		[]string{segment.EventDemoRequest, segment.EventTrial, segment.EventCall, "other"})
	r := rand.New(rand.NewPCG(5, 8))
	phrase := func() string {
		var b strings.Builder
		if r.IntN(4) == 0 {
			b.WriteString(seps[r.IntN(len(seps))])
		}
		for k := 1 + r.IntN(3); k > 0; k-- {
			w := words[r.IntN(len(words))]
			switch r.IntN(4) {
			case 0:
				w = strings.ToUpper(w)
			case 1:
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
			if k > 1 || r.IntN(4) == 0 {
				b.WriteString(seps[r.IntN(len(seps))])
			}
		}
		return b.String()
	}
	out := make([]segment.Account, n)
	for i := range out {
		a := segment.Account{ID: fmt.Sprintf("tricky-%d", i), Founded: 1950 + r.IntN(80)}
		if r.IntN(3) > 0 {
			a.Employees = segment.N(float64(r.IntN(2000)))
		}
		for k := r.IntN(9); k > 0; k-- {
			a.Technologies = append(a.Technologies, phrase())
		}
		if r.IntN(2) == 0 {
			a.Survey = map[string]float64{"maturity_self": 1 + 4*r.Float64(), "nps": float64(r.IntN(11))}
		}
		for k := r.IntN(12); k > 0; k-- {
			e := segment.Event{Time: day.AddDate(0, 0, -r.IntN(900)), Kind: kinds[r.IntN(len(kinds))]}
			if r.IntN(3) > 0 {
				e.Topic = phrase()
			}
			if r.IntN(2) == 0 {
				e.Text = phrase() + " " + phrase()
			}
			a.Events = append(a.Events, e)
		}
		out[i] = a
	}
	return out
}

// goldenSums are the SHA-256 of each Config's model JSON and of its
// Assignments' JSON, recorded from the code as it was before Assign was
// made faster; any change to a model, a score or a reason text shows here.
var goldenSums = map[string][2]string{
	"default": {"7d0b0c3c3b8017d61df31c1367577ab1f03a0b1003da719e7732c0ae3a34d59a", "da31bfd6cb9d61fa71822be706e44f5b9d1e75ea28d6864b84fe8d29d6f55625"},
	"named":   {"481dd45d11c2507794abe7988388a1f4e7d36bebd25ed7078734ef32b63520b8", "031b091fe59329957912e1c92ce69fae5e443f0040be15e68ccb8a30c2640d94"},
	"learned": {"be8cce60a023c25ee62956d1c1ab452003647a265f31e219d7d9fe84ff465b05", "af8c098d60c8d35fbc05706998224664b7aaddab2338a40975c162f49793a384"},
	"custom":  {"1f3a0247028610fe81dd02a2bd534a9024d199e00563da3dba88df6b60ccf322", "59fc100dca8ef8b57b3e7dbc1352e2384d28fc3e20693914e3c56c73df5a020a"},
}

// TestAssignGoldenSHA pins the model JSON and every Assignment (JSON) of
// each Config, assigned by the fitted model, by the model decoded from its
// JSON, and by the fitted model's AssignValid.
func TestAssignGoldenSHA(t *testing.T) {
	accts := goldenAccounts()
	for _, gc := range goldenConfigs {
		t.Run(gc.name, func(t *testing.T) {
			m := fit(t, gc.c, accts...)
			data, err := json.Marshal(m)
			require.NoError(t, err)
			s, err := sophistication.New(gc.c)
			require.NoError(t, err)
			dm, err := s.DecodeModel(data)
			require.NoError(t, err)
			sums := [2]string{goldenSum(data), ""}
			for k, assign := range []func(*segment.Account) (segment.Assignment, error){m.Assign, dm.Assign, m.AssignValid} {
				h := sha256.New()
				for i := range accts {
					as, err := assign(&accts[i])
					require.NoError(t, err)
					b, err := json.Marshal(as)
					require.NoError(t, err)
					h.Write(b)
					h.Write([]byte{'\n'})
				}
				got := hex.EncodeToString(h.Sum(nil))
				if k == 0 {
					sums[1] = got
				} else {
					assert.Equal(t, sums[1], got, []string{"", "decoded model", "AssignValid"}[k])
				}
			}
			want, ok := goldenSums[gc.name]
			if !ok {
				t.Fatalf("no golden sums for %s; record them: %q: {%q, %q},", gc.name, gc.name, sums[0], sums[1])
			}
			assert.Equal(t, want[0], sums[0], "model JSON")
			assert.Equal(t, want[1], sums[1], "assignments")
		})
	}
}

func goldenSum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
