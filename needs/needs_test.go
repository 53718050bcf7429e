package needs_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/needs"
	"github.com/strataseg/strata/segment"
)

// fit fits c on accts and returns the *needs.Model.
func fit(t testing.TB, c needs.Config, accts ...segment.Account) *needs.Model {
	t.Helper()
	s, err := needs.New(c)
	require.NoError(t, err)
	m, err := s.Fit(context.Background(), slices.Values(accts))
	require.NoError(t, err)
	return m.(*needs.Model)
}

func profile(t *testing.T, m *needs.Model, a segment.Account) needs.Profile {
	t.Helper()
	p, err := m.Profile(&a)
	require.NoError(t, err, "account %s", a.ID)
	return p
}

// share returns the profile's share of need id under the default taxonomy.
func share(p needs.Profile, id string) float64 {
	for i, n := range needs.DefaultNeeds() {
		if n.ID == id {
			return p.Shares[i]
		}
	}
	panic("no need " + id)
}

func survey(cost, security, integration, ease float64) map[string]float64 {
	return map[string]float64{"importance_cost": cost, "importance_security": security, "importance_integration": integration, "importance_ease_of_use": ease}
}

func TestIpsatizationRemovesScaleBias(t *testing.T) {
	// The same preferences, one respondent using the top of the scale and
	// one the bottom, give the same profile.
	high := segment.Account{ID: "high", Survey: survey(5, 4, 4, 3)}
	low := segment.Account{ID: "low", Survey: survey(3, 2, 2, 1)}
	m := fit(t, needs.Config{}, high, low)
	ph, pl := profile(t, m, high), profile(t, m, low)
	require.Positive(t, ph.Evidence)
	assert.InDeltaSlice(t, ph.Shares, pl.Shares, 1e-12)
	assert.InDelta(t, ph.Evidence, pl.Evidence, 1e-12)
	// cost is 1.41 SD above the mean (3 SD-weighted points each): mean 4,
	// SD √0.5.
	assert.InDelta(t, 3*1/math.Sqrt(0.5), ph.Evidence, 1e-9)
	assert.InDelta(t, 1.0, share(ph, "cost"), 1e-12)
}

func TestStraightLinerCarriesNoEvidence(t *testing.T) {
	flat := segment.Account{ID: "flat", Survey: survey(4, 4, 4, 4)}
	single := segment.Account{ID: "single", Survey: map[string]float64{"importance_cost": 5}}
	m := fit(t, needs.Config{}, flat, single)
	for _, a := range []segment.Account{flat, single} {
		as, err := m.Assign(&a)
		require.NoError(t, err)
		assert.Equal(t, "needs/no-evidence", as.Segment.ID, a.ID)
		assert.Equal(t, 0.0, as.Score, a.ID)
		require.Len(t, as.Reasons, 2, a.ID)
		assert.Contains(t, as.Reasons[1].Text, "no relative preference", a.ID)
	}
	as, err := m.Assign(&flat)
	require.NoError(t, err)
	assert.Equal(t, "survey: all 4 answers on the likert5 scale rated 4/5 — no relative preference, not counted", as.Reasons[1].Text)
}

func TestScalesAreStandardizedApart(t *testing.T) {
	// A 0–10 question is standardized among the respondent's 0–10
	// answers only: here cost (0–10) and security (1–5) each top their
	// own battery.
	tax := []needs.Need{
		{ID: "cost", Questions: []needs.Question{{Key: "q_cost", Scale: needs.Rating10}}},
		{ID: "speed", Questions: []needs.Question{{Key: "q_speed", Scale: needs.Rating10}}},
		{ID: "security", Questions: []needs.Question{{Key: "q_sec"}}},
		{ID: "ease", Questions: []needs.Question{{Key: "q_ease"}}},
		{ID: "value", Questions: []needs.Question{{Key: "q_value", Scale: needs.MaxDiff}}},
	}
	a := segment.Account{ID: "a", Survey: map[string]float64{"q_cost": 9, "q_speed": 3, "q_sec": 5, "q_ease": 1, "q_value": 40}}
	m := fit(t, needs.Config{Needs: tax}, a)
	p := profile(t, m, a)
	assert.InDelta(t, 0.5, p.Shares[0], 1e-12)
	assert.InDelta(t, 0.5, p.Shares[2], 1e-12)
	assert.InDelta(t, 6, p.Evidence, 1e-12) // each z = +1 → 3 points
	as, err := m.Assign(&a)
	require.NoError(t, err)
	assert.Equal(t, "needs/mixed/cost+security", as.Segment.ID)
	var texts []string
	for _, r := range as.Reasons {
		texts = append(texts, r.Text)
	}
	assert.Contains(t, texts, "survey: a single answer on the maxdiff scale — no relative preference, not counted")
	assert.Contains(t, texts, "survey: q_cost rated 9/10, 1.0 SD above this respondent's mean")
}

func TestSurveyOutOfScale(t *testing.T) {
	bad := segment.Account{ID: "bad", Survey: survey(7, 1, 1, 1)}
	ok := segment.Account{ID: "ok", Survey: survey(5, 1, 1, 1)}
	s, err := needs.New(needs.Config{})
	require.NoError(t, err)
	_, err = s.Fit(context.Background(), slices.Values([]segment.Account{ok, bad}))
	var fe *segment.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "bad", fe.AccountID)
	assert.Equal(t, "survey[importance_cost]", fe.Field)
	assert.ErrorIs(t, err, segment.ErrInvalidAccount)

	m := fit(t, needs.Config{}, ok)
	_, err = m.Assign(&bad)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "survey[importance_cost]", fe.Field)
	assert.Equal(t, `needs: account "bad": field "survey[importance_cost]": is 7, outside the 1–5 scale of the question`, err.Error())
	// An answer to a question outside the taxonomy is not read.
	other := segment.Account{ID: "other", Survey: map[string]float64{"nps": 42}}
	as, err := m.Assign(&other)
	require.NoError(t, err)
	assert.Equal(t, "needs/no-evidence", as.Segment.ID)
}

func TestDecay(t *testing.T) {
	ref := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	demo := func(id string, at time.Time) segment.Account {
		return segment.Account{ID: id, Events: []segment.Event{{Time: at, Kind: segment.EventDemoRequest, Topic: "security"}}}
	}
	fresh, old, later := demo("fresh", ref), demo("old", ref.AddDate(0, 0, -180)), demo("later", ref.AddDate(0, 0, 30))

	// AsOf from the data: the latest event; a later one counts in full.
	m := fit(t, needs.Config{}, fresh, old)
	assert.Equal(t, ref, m.AsOf)
	assert.InDelta(t, 5, profile(t, m, fresh).Evidence, 1e-12)
	assert.InDelta(t, 2.5, profile(t, m, old).Evidence, 1e-12)
	assert.InDelta(t, 5, profile(t, m, later).Evidence, 1e-12)

	// An explicit AsOf leaves later events out; a 30-day half-life.
	m = fit(t, needs.Config{AsOf: ref, HalfLifeDays: 30}, fresh, old)
	assert.InDelta(t, 5*math.Exp2(-6), profile(t, m, old).Evidence, 1e-12)
	as, err := m.Assign(&later)
	require.NoError(t, err)
	assert.Equal(t, "needs/no-evidence", as.Segment.ID)

	// No decay.
	m = fit(t, needs.Config{HalfLifeDays: -1}, fresh, old)
	assert.InDelta(t, 5, profile(t, m, old).Evidence, 1e-12)
}

func TestKindWeights(t *testing.T) {
	ref := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := segment.Account{ID: "a", Events: []segment.Event{
		{Time: ref, Kind: segment.EventDemoRequest, Topic: "pricing"},
		{Time: ref, Kind: segment.EventPageView, Topic: "API"},
		{Time: ref, Kind: segment.EventPageView, Topic: "API"},
		{Time: ref, Kind: segment.EventPageView, Topic: "API"},
	}}
	m := fit(t, needs.Config{}, a)
	p := profile(t, m, a)
	assert.InDelta(t, 5/5.75, share(p, "cost"), 1e-12)
	as, err := m.Assign(&a)
	require.NoError(t, err)
	assert.Equal(t, "needs/cost", as.Segment.ID)

	// Page views made heavy, demo requests ignored; an unknown kind weighs 1.
	b := a
	b.Events = append(slices.Clone(a.Events), segment.Event{Time: ref, Kind: "podcast", Topic: "onboarding"})
	m = fit(t, needs.Config{KindWeights: map[string]float64{segment.EventPageView: 2, segment.EventDemoRequest: 0}}, b)
	p = profile(t, m, b)
	assert.InDelta(t, 0, share(p, "cost"), 1e-12)
	assert.InDelta(t, 6.0/7, share(p, "integration"), 1e-12)
	assert.InDelta(t, 1.0/7, share(p, "ease_of_use"), 1e-12)
}

func TestMultilingualKeywords(t *testing.T) {
	ref := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct{ text, need string }{
		{"Datenschutz und DSGVO sind für uns entscheidend", "security"},
		{"La SÉCURITÉ des données est essentielle", "security"},
		{"la securite avant tout", "security"},
		{"Necesitamos integración con nuestro ERP", "integration"},
		{"Die Kosten sind zu hoch", "cost"},
		{"Le prix est trop cher", "cost"},
		{"Buscamos algo fácil e intuitivo", "ease_of_use"},
		{"We need single sign-on and audit logs", "security"},
	} {
		a := segment.Account{ID: "a", Events: []segment.Event{{Time: ref, Kind: segment.EventForm, Text: c.text}}}
		m := fit(t, needs.Config{}, a)
		p := profile(t, m, a)
		assert.InDelta(t, 1.0, share(p, c.need), 1e-12, c.text)
		assert.InDelta(t, 2.0, p.Evidence, 1e-12, c.text)
	}
}

func TestTFIDFDiscountsCommonKeywords(t *testing.T) {
	// "api" is in every text of the fit data, "sso" in one: in a text
	// holding both once, security gets the larger share.
	ref := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var accts []segment.Account
	for i := range 20 {
		accts = append(accts, segment.Account{ID: string(rune('a' + i)), Events: []segment.Event{{Time: ref, Kind: segment.EventForm, Text: "question about the API"}}})
	}
	both := segment.Account{ID: "both", Events: []segment.Event{{Time: ref, Kind: segment.EventForm, Text: "API and SSO"}}}
	m := fit(t, needs.Config{}, append(accts, both)...)
	assert.Equal(t, 21, m.Documents)
	assert.Equal(t, 21, m.DocFreq["api"])
	assert.Equal(t, 1, m.DocFreq["sso"])
	p := profile(t, m, both)
	idfAPI, idfSSO := math.Log(22.0/22)+1, math.Log(22.0/2)+1
	assert.InDelta(t, idfSSO/(idfAPI+idfSSO), share(p, "security"), 1e-12)
	assert.Greater(t, share(p, "security"), 0.7)
}

func TestTextFields(t *testing.T) {
	a := segment.Account{ID: "a", Text: map[string]string{"notes": "too expensive, need a discount", "territory": "EMEA"}}
	m := fit(t, needs.Config{TextFields: map[string]float64{"notes": 3}}, a)
	as, err := m.Assign(&a)
	require.NoError(t, err)
	assert.Equal(t, "needs/cost", as.Segment.ID)
	assert.InDelta(t, 3, as.Scores["evidence"], 1e-12)
	require.GreaterOrEqual(t, len(as.Reasons), 2)
	assert.Equal(t, `text: "expensive", "discount" in text[notes] → Cost saving`, as.Reasons[1].Text)
	assert.Equal(t, "text[notes]", as.Reasons[1].Field)
	// Without the field listed, the text is not read.
	m = fit(t, needs.Config{}, a)
	as, err = m.Assign(&a)
	require.NoError(t, err)
	assert.Equal(t, "needs/no-evidence", as.Segment.ID)
}

func TestDominantAndMixed(t *testing.T) {
	ref := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := func(topic string, n int) []segment.Event {
		var e []segment.Event
		for range n {
			e = append(e, segment.Event{Time: ref, Kind: segment.EventContent, Topic: topic})
		}
		return e
	}
	close := segment.Account{ID: "close", Events: append(ev("pricing", 6), ev("onboarding", 5)...)}
	clear := segment.Account{ID: "clear", Events: append(ev("pricing", 6), ev("onboarding", 3)...)}
	m := fit(t, needs.Config{}, close, clear)
	as, err := m.Assign(&close)
	require.NoError(t, err)
	assert.Equal(t, "needs/mixed/cost+ease_of_use", as.Segment.ID)
	assert.Equal(t, "Mixed: Cost saving & Ease of use", as.Segment.Name)
	assert.True(t, strings.HasPrefix(as.Reasons[0].Text, "no need dominates: Cost saving 55%, Ease of use 45%"), as.Reasons[0].Text)
	as, err = m.Assign(&clear)
	require.NoError(t, err)
	assert.Equal(t, "needs/cost", as.Segment.ID)
	assert.InDelta(t, 2.0/3, as.Scores["share:cost"], 1e-12)
	// A looser rule makes the close one dominant too.
	m = fit(t, needs.Config{MinMargin: 0.05}, close, clear)
	as, err = m.Assign(&close)
	require.NoError(t, err)
	assert.Equal(t, "needs/cost", as.Segment.ID)
	assert.Equal(t, 2, m.Counts[0])
}

func TestConfigValidate(t *testing.T) {
	err := needs.Config{
		Needs: []needs.Need{
			{ID: "Cost", Questions: []needs.Question{{Key: "q"}}},
			{ID: "x", Questions: []needs.Question{{Key: "q"}}, Keywords: map[string][]string{"en": {"a*b"}}},
			{ID: "x", Topics: []string{"--"}},
		},
		MinShare: 1.5, MinMargin: -0.1, K: -1, MaxK: 1, Components: -2, Variance: math.NaN(),
		KindWeights: map[string]float64{"demo_request": -1}, HalfLifeDays: math.Inf(1),
		TextFields: map[string]float64{"notes": 0}, EvidenceScale: -1, Workers: -1,
	}.Validate()
	require.Error(t, err)
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	for _, field := range []string{"needs[0].id", "needs[1].questions[0].key", "needs[1].keywords[en][0]", "needs[2].id", "needs[2].topics[0]",
		"min_share", "min_margin", "k:", "max_k", "components", "variance", "kind_weights[demo_request]", "half_life_days",
		"text_fields[notes]", "evidence_scale", "workers"} {
		assert.Contains(t, err.Error(), "needs: config: "+field, field)
	}
	_, err = needs.New(needs.Config{Needs: []needs.Need{}})
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	assert.NoError(t, needs.Config{}.Validate())
}

func TestNewCopiesConfig(t *testing.T) {
	tax := needs.DefaultNeeds()
	s, err := needs.New(needs.Config{Needs: tax})
	require.NoError(t, err)
	tax[0].Topics[0] = "changed"
	tax[0].ID = "changed"
	a := segment.Account{ID: "a", Events: []segment.Event{{Time: time.Unix(1e9, 0), Kind: segment.EventContent, Topic: "pricing"}}}
	m, err := s.Fit(context.Background(), slices.Values([]segment.Account{a}))
	require.NoError(t, err)
	as, err := m.Assign(&a)
	require.NoError(t, err)
	assert.Equal(t, "needs/cost", as.Segment.ID)
}

func TestDecodeModelRejectsInconsistentModels(t *testing.T) {
	a := segment.Account{ID: "a", Survey: survey(5, 1, 1, 1)}
	s, err := needs.New(needs.Config{Mode: needs.Learned})
	require.NoError(t, err)
	m, err := s.Fit(context.Background(), slices.Values([]segment.Account{a}))
	require.NoError(t, err)
	data, err := json.Marshal(m)
	require.NoError(t, err)
	_, err = s.DecodeModel(data)
	require.NoError(t, err)
	for name, edit := range map[string]func(map[string]any){
		"no segments":  func(o map[string]any) { o["segments"] = []any{} },
		"no kmeans":    func(o map[string]any) { delete(o, "kmeans") },
		"counts":       func(o map[string]any) { o["counts"] = []any{1} },
		"no taxonomy":  func(o map[string]any) { delete(o["config"].(map[string]any), "needs") },
		"bad mode":     func(o map[string]any) { o["config"].(map[string]any)["mode"] = "loud" },
		"centres":      func(o map[string]any) { o["centres"] = []any{[]any{1.0}} },
		"negative doc": func(o map[string]any) { o["documents"] = -1 },
	} {
		var o map[string]any
		require.NoError(t, json.Unmarshal(data, &o))
		edit(o)
		bad, err := json.Marshal(o)
		require.NoError(t, err)
		_, err = s.DecodeModel(bad)
		assert.Error(t, err, name)
		assert.False(t, errors.Is(err, segment.ErrModelVersion), name)
	}
}

func TestLearnedNamesClustersByTopNeeds(t *testing.T) {
	ref := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var accts []segment.Account
	topics := []string{"pricing", "security", "API"}
	for i := range 60 {
		a := segment.Account{ID: "a" + string(rune('A'+i%26)) + string(rune('a'+i/26))}
		for k := range 3 + i%4 {
			a.Events = append(a.Events, segment.Event{Time: ref.AddDate(0, 0, -k), Kind: segment.EventContent, Topic: topics[i%3]})
		}
		a.Events = append(a.Events, segment.Event{Time: ref, Kind: segment.EventPageView, Topic: topics[(i+1)%3]})
		accts = append(accts, a)
	}
	accts = append(accts, segment.Account{ID: "empty"})
	m := fit(t, needs.Config{Mode: needs.Learned, Seed: 3}, accts...)
	var ids []string
	for _, s := range m.Segments() {
		ids = append(ids, s.ID)
	}
	assert.ElementsMatch(t, []string{"needs/learned/cost", "needs/learned/security", "needs/learned/integration", "needs/no-evidence"}, ids)
	assert.Equal(t, 1, m.Counts[len(m.Counts)-1])
	as, err := m.Assign(&accts[1])
	require.NoError(t, err)
	assert.Equal(t, "needs/learned/security", as.Segment.ID)
	assert.Contains(t, as.Reasons[0].Text, "nearest the learned segment Security & compliance")
	// The default taxonomy's 9 needs are wider than AutoPCAWidth: the
	// profiles, spread over 3 needs, are projected on 2 components.
	require.NotNil(t, m.Projection)
	assert.Len(t, m.Projection.Vectors[0], 2)
	assert.InDelta(t, 1, m.Projection.Explained, 1e-9)
}

func TestLearnedNeedsEvidence(t *testing.T) {
	s, err := needs.New(needs.Config{Mode: needs.Learned})
	require.NoError(t, err)
	_, err = s.Fit(context.Background(), slices.Values([]segment.Account{{ID: "a"}, {ID: "b", Survey: survey(3, 3, 3, 3)}}))
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
	// The dominant rule needs no evidence to fit: every account is in the
	// no-evidence segment.
	m := fit(t, needs.Config{}, segment.Account{ID: "a"})
	assert.Equal(t, 1, m.Counts[len(m.Counts)-1])
}

func TestConfigJSON(t *testing.T) {
	c := needs.Config{Mode: needs.Learned, Needs: []needs.Need{{ID: "a", Questions: []needs.Question{{Key: "q", Scale: needs.MaxDiff}}}},
		AsOf: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), HalfLifeDays: 30, TextFields: map[string]float64{"notes": 2}}
	data, err := json.Marshal(c)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"mode":"learned"`)
	assert.Contains(t, string(data), `"scale":"maxdiff"`)
	var back needs.Config
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, c, back)
	err = json.Unmarshal([]byte(`{"mode":"loud"}`), &back)
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	err = json.Unmarshal([]byte(`{"needs":[{"id":"a","questions":[{"key":"q","scale":"likert7"}]}]}`), &back)
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
}

func TestProgress(t *testing.T) {
	var stages []string
	c := needs.Config{Progress: func(p segment.Progress) {
		assert.Equal(t, "needs", p.Method)
		if len(stages) == 0 || stages[len(stages)-1] != p.Stage {
			stages = append(stages, p.Stage)
		}
	}}
	fit(t, c, segment.Account{ID: "a", Survey: survey(5, 1, 1, 1)})
	assert.Equal(t, []string{"reading", "profiles"}, stages)
}

func TestModelDecodedWithoutDecodeModel(t *testing.T) {
	a := segment.Account{ID: "a", Survey: survey(5, 1, 1, 1)}
	m := fit(t, needs.Config{}, a)
	data, err := json.Marshal(m)
	require.NoError(t, err)
	var plain needs.Model
	require.NoError(t, json.Unmarshal(data, &plain))
	want, err := m.Assign(&a)
	require.NoError(t, err)
	got, err := plain.Assign(&a)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	var empty needs.Model
	_, err = empty.Assign(&a)
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
}
