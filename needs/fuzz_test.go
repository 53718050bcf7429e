package needs_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/needs"
	"github.com/strataseg/strata/segment"
)

// FuzzAssign feeds arbitrary texts, topics, kinds and survey answers to a
// fitted Model: it must never panic, and an assignment it gives has a Score
// in [0, 1], finite Scores and shares summing to 1 or to 0.
func FuzzAssign(f *testing.F) {
	f.Add("We need SSO and audit logs", "security", "demo_request", 5.0, int64(0))
	f.Add("Sécurité ET conformité — RGPD!!", "Onboarding ", "form", 1.0, int64(-86400*400))
	f.Add("", "", "x", 3.0, int64(1e9))
	f.Add("a a a a a a api api API", "ERP*", "page_view", -1.0, int64(86400))
	f.Add("\xff\xfe broken utf-8 ßœæ", "\u00a0", "support_ticket", 7.0, int64(0))
	f.Add("long "+string(make([]byte, 300)), "data privacy", "content", math.NaN(), int64(0))
	m := fit(f, needs.Config{Mode: needs.Learned, K: 2, TextFields: map[string]float64{"notes": 2}},
		segment.Account{ID: "a", Survey: survey(5, 1, 2, 3), Text: map[string]string{"notes": "price is too high"}},
		segment.Account{ID: "b", Survey: survey(1, 5, 2, 3)},
		segment.Account{ID: "c", Events: []segment.Event{{Time: panelRef, Kind: segment.EventForm, Text: "ERP integration"}}},
	)
	f.Fuzz(func(t *testing.T, text, topic, kind string, answer float64, offset int64) {
		if kind == "" {
			kind = "x"
		}
		a := segment.Account{
			ID:     "fuzz",
			Survey: map[string]float64{"importance_cost": answer, "importance_security": 3},
			Events: []segment.Event{{Time: panelRef.Add(time.Duration(offset%(86400*3650)) * time.Second), Kind: kind, Topic: topic, Text: text}},
			Text:   map[string]string{"notes": text + " " + topic},
		}
		as, err := m.Assign(&a)
		if err != nil {
			require.ErrorIs(t, err, segment.ErrInvalidAccount)
			return
		}
		require.GreaterOrEqual(t, as.Score, 0.0)
		require.LessOrEqual(t, as.Score, 1.0)
		for k, v := range as.Scores {
			require.False(t, math.IsNaN(v) || math.IsInf(v, 0), k)
		}
		p, err := m.Profile(&a)
		require.NoError(t, err)
		var sum float64
		for _, s := range p.Shares {
			sum += s
		}
		if p.Evidence > 0 {
			require.InDelta(t, 1, sum, 1e-9)
		} else {
			require.Equal(t, 0.0, sum)
		}
	})
}
