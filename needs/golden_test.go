package needs_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/needs"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// goldenTexts are texts that exercise the text matching's corners: case,
// accents, ß/œ/æ, letters outside Latin, digits, punctuation runs, prefix
// keywords, phrases cut by punctuation, repeated keywords, a phrase at the
// end of the text and a phrase whose last word is missing.
var goldenTexts = []string{
	"DATENSCHUTZ, DSGVO — SÉCURITÉ!!! Sécurité; securite...",
	"Straße der Größe: Œuvre, Æsir, ÆØÅ, İstanbul ΣΊΣΥΦΟΣ Привет ИНТЕГРАЦИЯ",
	"integration integrations integrated Integrat INTEGRATIONEN intégration",
	"single sign-on SINGLE-SIGN-ON single  sign   on single sign",
	"audit logs audit log audit-logs AUDIT",
	"price price price PRICE prices pricing Preis Preise precio precios prix",
	"  ...  ",
	"¿Necesitamos integración? ¡Sí! fácil, fácil e intuitivo 123 4.5% ERP-API",
	"Total cost of ownership vs. ROI; api\tapi\napi",
	"ease of use, ease-of-use, ease of",
	"\u00a0data\u2003privacy\u200bcompliance ﬁ ligature ǅ titlecase Ⅻ roman",
	"Schnittstelle zu unserem ERP und Data-Warehouse, Kosten zu hoch, Datenschutz",
	"slow slower slowest faster fastest automate automation automatisierung",
	"\xff\xfe invalid utf-8 \xc3 security",
}

// goldenAccounts returns the accounts of the golden test: generated
// customers and prospects with their histories and lean copies of them,
// the multilingual panel, and accounts carrying goldenTexts in their events,
// topics and text fields.
func goldenAccounts() []segment.Account {
	gen := segmenttest.Accounts(300, 7)
	accts := slices.Clone(gen)
	for _, a := range gen {
		a.ID += "-lean"
		a.Orders, a.Subscriptions, a.Usage, a.Events, a.Survey = nil, nil, nil, nil, nil
		accts = append(accts, a)
	}
	pan, _ := panel(300, 0.5, 11)
	for i, a := range pan {
		if i%3 == 0 && len(a.Events) > 0 {
			a.Text = map[string]string{"notes": a.Events[0].Text, "stated": panelTexts[panelNeeds[i%len(panelNeeds)]][i%4%len(panelTexts[panelNeeds[i%len(panelNeeds)]])]}
		}
		accts = append(accts, a)
	}
	kinds := []string{segment.EventPageView, segment.EventContent, segment.EventEmail, segment.EventWebinar, segment.EventDemoRequest, segment.EventForm, segment.EventTicket, segment.EventCall, segment.EventMeeting, segment.EventTrial, "custom_kind"}
	for i, tx := range goldenTexts {
		a := segment.Account{ID: "T-" + strconv.Itoa(i)}
		for k := range 5 {
			e := segment.Event{Time: panelRef.Add(-time.Duration(i*97+k*311) * time.Hour), Kind: kinds[(i+k)%len(kinds)]}
			switch k {
			case 0:
				e.Text = tx
			case 1:
				e.Topic = tx
			case 2:
				e.Topic, e.Text = "Sécurité", goldenTexts[(i+1)%len(goldenTexts)]
			case 3:
				e.Topic = "  PRICING "
			case 4:
				e.Time = panelRef.Add(time.Duration(i) * time.Hour)
				e.Text = tx
			}
			a.Events = append(a.Events, e)
		}
		a.Text = map[string]string{"notes": tx, "stated": goldenTexts[(i+3)%len(goldenTexts)], "other": tx}
		if i%2 == 0 {
			a.Survey = survey(float64(1+i%5), float64(1+(i+2)%5), 3, 3)
		}
		accts = append(accts, a)
	}
	return accts
}

// TestGolden pins the Model JSON and the Assignments and Profiles of every
// golden account under several configurations, byte for byte: a change
// that alters any of them must update the hashes on purpose.
func TestGolden(t *testing.T) {
	accts := goldenAccounts()
	tf := map[string]float64{"notes": 2, "stated": 1.5}
	for _, c := range []struct {
		name string
		cfg  needs.Config
		want string
	}{
		{"dominant", needs.Config{}, "c54e4e906bc943006788807a5ea4f73f6fa63443cb71fd1400c0454b73c3a6dc"},
		{"learned", needs.Config{Mode: needs.Learned, Seed: 3}, "541ea90b58009ddc2b34bf3a040f15e814e41c74ce63ff490a06df788618ecd8"},
		{"learned-k3-raw", needs.Config{Mode: needs.Learned, K: 3, Components: -1, Seed: 5, TextFields: tf}, "ebb53c725844748a94578c5b9c35fa309e9bc050c6daee349254ccacb7dcfa10"},
		{"learned-pca2", needs.Config{Mode: needs.Learned, Components: 2, Seed: 1, TextFields: tf}, "25032430029f9f8f5c1f1607ef67d92ff655eae0aa73059c4fa07c3c44cf7eaa"},
		{"dominant-text-asof", needs.Config{TextFields: tf, AsOf: panelRef.Add(-30 * 24 * time.Hour), MinShare: 0.5, MinMargin: 0.2}, "36661371c6cf287b50a79ae723603340006fad980de31bf545f00fd06cad6f9e"},
		{"dominant-nodecay", needs.Config{TextFields: tf, HalfLifeDays: -1, KindWeights: map[string]float64{segment.EventEmail: 0, "custom_kind": 7}}, "0b671b8459a0248815fa62b6b44e8d4c1ca3322e96b006cb7a90f5e5f919410c"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if raceEnabled && c.cfg.Mode == needs.Learned && c.cfg.K == 0 && c.cfg.Components == 0 {
				t.Skip("choosing k takes seconds under the race detector; the hash is checked without -race")
			}
			s, err := needs.New(c.cfg)
			require.NoError(t, err)
			fm, err := s.Fit(context.Background(), slices.Values(accts))
			require.NoError(t, err)
			data, err := json.Marshal(fm)
			require.NoError(t, err)
			dm, err := s.DecodeModel(data)
			require.NoError(t, err)
			h := sha256.New()
			h.Write(data)
			for _, m := range []segment.Model{fm, dm} {
				for i := range accts {
					as, err := m.Assign(&accts[i])
					require.NoError(t, err)
					b, err := json.Marshal(as)
					require.NoError(t, err)
					h.Write(b)
					p, err := m.(*needs.Model).Profile(&accts[i])
					require.NoError(t, err)
					b, err = json.Marshal(p)
					require.NoError(t, err)
					h.Write(b)
				}
			}
			assert.Equal(t, c.want, hex.EncodeToString(h.Sum(nil)))
		})
	}
}
