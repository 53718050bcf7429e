package sophistication_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/sophistication"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var day = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// ev returns n events of a kind with a topic and a text.
func ev(n int, kind, topic, text string) []segment.Event {
	out := make([]segment.Event, n)
	for i := range out {
		out[i] = segment.Event{Time: day.AddDate(0, 0, i), Kind: kind, Topic: topic, Text: text}
	}
	return out
}

// fit returns the Model of the Config fitted on the accounts.
func fit(t testing.TB, c sophistication.Config, accts ...segment.Account) *sophistication.Model {
	t.Helper()
	s, err := sophistication.New(c)
	require.NoError(t, err)
	if len(accts) == 0 {
		accts = []segment.Account{{ID: "anchor", Events: ev(1, segment.EventCall, "", "")}}
	}
	m, err := s.Fit(context.Background(), slices.Values(accts))
	require.NoError(t, err)
	return m.(*sophistication.Model)
}

func assign(t testing.TB, m *sophistication.Model, a segment.Account) segment.Assignment {
	t.Helper()
	as, err := m.Assign(&a)
	require.NoError(t, err, "account %s", a.ID)
	return as
}

func stage(slug string) string { return "sophistication/" + slug }

// fields returns the Field of each reason.
func fields(as segment.Assignment) []string {
	var f []string
	for _, r := range as.Reasons {
		f = append(f, r.Field)
	}
	return f
}

var competitors = []string{"Corvana Suite", "Tessaly One"}

// handAccounts are the hand-made accounts of the table tests, with the
// stage each must get under the Config of TestStages.
var handAccounts = []struct {
	want string
	a    segment.Account
}{
	// A start-up with no CRM: a year old, four people, office tools only.
	{sophistication.Unaware, segment.Account{ID: "startup-no-crm", Founded: 2025, Employees: segment.N(4),
		Technologies: []string{"Google Workspace", "Slack"}}},
	// A firm on a competitor's cloud.
	{sophistication.Competitor, segment.Account{ID: "competitor-cloud", Founded: 1998, Employees: segment.N(400),
		Technologies: []string{"Corvana Suite Cloud", "AWS", "Excel"}}},
	// A firm with paper archives.
	{sophistication.Manual, segment.Account{ID: "paper-archives", Founded: 1975, Employees: segment.N(35),
		Technologies: []string{"Paper archives", "Microsoft 365"}}},
	// Spreadsheets outweigh one point tool.
	{sophistication.Manual, segment.Account{ID: "spreadsheets", Technologies: []string{"Excel", "Google Sheets", "QuickBooks"}}},
	// Point tools: evaluating.
	{sophistication.Evaluating, segment.Account{ID: "point-tools", Technologies: []string{"HubSpot", "Trello", "Excel"}}},
	// A competitor with an integrated data stack: advanced.
	{sophistication.Advanced, segment.Account{ID: "data-stack", Technologies: []string{"Tessaly One", "Snowflake", "Okta"}}},
	// Our own product: advanced.
	{sophistication.Advanced, segment.Account{ID: "our-customer", Technologies: []string{"Northbeam Platform", "Excel"}}},
	// Survey self-assessment alone (weight 2 ≥ 1.5).
	{sophistication.Unaware, segment.Account{ID: "survey-1", Survey: map[string]float64{"maturity_self": 1}}},
	{sophistication.Evaluating, segment.Account{ID: "survey-3", Survey: map[string]float64{"maturity_self": 3}}},
	{sophistication.Advanced, segment.Account{ID: "survey-5", Survey: map[string]float64{"maturity_self": 5}}},
	// Content depth alone: three advanced reads reach the content weight.
	{sophistication.Advanced, segment.Account{ID: "content-advanced", Events: ev(3, segment.EventContent, "API reference", "")}},
	{sophistication.Manual, segment.Account{ID: "content-beginner", Events: ev(3, segment.EventWebinar, "Getting started", "")}},
	{sophistication.Evaluating, segment.Account{ID: "content-evaluation", Events: ev(3, segment.EventContent, "", "Pricing and ROI calculator")}},
	// Support questions alone.
	{sophistication.Manual, segment.Account{ID: "tickets-basic", Events: ev(3, segment.EventTicket, "how-to", "How do I build a report by region?")}},
	{sophistication.Advanced, segment.Account{ID: "tickets-advanced", Events: ev(3, segment.EventTicket, "integration", "API returns 429 errors during bulk update")}},
	// A demo request with a middling self-assessment.
	{sophistication.Evaluating, segment.Account{ID: "demo", Events: ev(1, segment.EventDemoRequest, "", ""), Survey: map[string]float64{"maturity_self": 3}}},
	// Firmographics alone are too little evidence (0.5 + 0.5 < 1.5).
	{sophistication.UnknownSlug, segment.Account{ID: "firmographics-only", Founded: 2000, Employees: segment.N(5000)}},
	// A demo request alone (weight 1) is too little.
	{sophistication.UnknownSlug, segment.Account{ID: "demo-only", Events: ev(1, segment.EventDemoRequest, "", "")}},
	// Nothing at all.
	{sophistication.UnknownSlug, segment.Account{ID: "blank"}},
	// Office tools only (no tools, weight 1) are too little by themselves…
	{sophistication.UnknownSlug, segment.Account{ID: "office-only", Technologies: []string{"Microsoft 365"}}},
	// …but a competitor against a self-assessment of 1 is a conflict the
	// competitor wins.
	{sophistication.Competitor, segment.Account{ID: "conflict", Technologies: []string{"Corvana Suite"}, Survey: map[string]float64{"maturity_self": 1}}},
}

func handConfig() sophistication.Config {
	return sophistication.Config{Competitors: competitors, OurProducts: []string{"Northbeam Platform"}, AsOfYear: 2026}
}

func TestStages(t *testing.T) {
	m := fit(t, handConfig())
	for _, c := range handAccounts {
		t.Run(c.a.ID, func(t *testing.T) {
			as := assign(t, m, c.a)
			assert.Equal(t, stage(c.want), as.Segment.ID, "account %s: reasons %v", c.a.ID, as.Reasons)
			assert.Equal(t, c.a.ID, as.AccountID)
			assert.GreaterOrEqual(t, as.Score, 0.0)
			assert.LessOrEqual(t, as.Score, 1.0)
			require.NotEmpty(t, as.Reasons)
			last := as.Reasons[len(as.Reasons)-1]
			assert.Equal(t, "guidance", last.Field, "account %s: the guidance comes last", c.a.ID)
			g, ok := m.Guidance(as.Segment.ID)
			require.True(t, ok)
			assert.Equal(t, "message: "+g, last.Text)
			if c.want == sophistication.UnknownSlug {
				assert.Equal(t, 0.0, as.Score, "account %s: unknown has no confidence", c.a.ID)
				assert.Equal(t, 0.0, as.Scores["level"])
			} else {
				assert.Equal(t, float64(slices.IndexFunc(m.Config.Stages, func(s sophistication.Stage) bool { return s.Slug == c.want })+1), as.Scores["level"])
			}
		})
	}
}

// TestGolden checks the reason texts of the hand-made accounts against
// testdata/reasons.golden; go test -update rewrites it.
func TestGolden(t *testing.T) {
	m := fit(t, handConfig())
	var b strings.Builder
	for _, c := range handAccounts {
		as := assign(t, m, c.a)
		b.WriteString(c.a.ID + " → " + as.Segment.Name + "\n")
		for _, r := range as.Reasons {
			b.WriteString("  [" + r.Field + "] " + r.Text + "\n")
		}
	}
	path := filepath.Join("testdata", "reasons.golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to write %s", path)
	assert.Equal(t, string(want), b.String())
}

func TestConflict(t *testing.T) {
	m := fit(t, handConfig())
	as := assign(t, m, segment.Account{ID: "c", Technologies: []string{"Corvana Suite"}, Survey: map[string]float64{"maturity_self": 1}})
	require.Equal(t, stage(sophistication.Competitor), as.Segment.ID)
	// Technologies 3 at stage 4, survey 2 at stage 1: 2 of 5 contradicts.
	assert.InDelta(t, 0.4, as.Scores["conflict"], 1e-12)
	assert.InDelta(t, 0.6, as.Scores["support"], 1e-12)
	assert.InDelta(t, 5, as.Scores["evidence"], 1e-12)
	assert.InDelta(t, (0.6*3+0.4*0)/4, as.Scores["maturity"], 1e-12)
	assert.InDelta(t, 0.6, as.Score, 1e-12, "support 0.6 × min(1, 5/4)")
	assert.Equal(t, []string{"technologies", "survey", "conflict", "guidance"}, fields(as))
	assert.InDelta(t, 0.6, as.Reasons[0].Effect, 1e-9)
	assert.InDelta(t, -0.4, as.Reasons[1].Effect, 1e-9)
	assert.Contains(t, as.Reasons[1].Text, "contradicts: 3 stages below")
	assert.Contains(t, as.Reasons[2].Text, "contradictory evidence")

	// Evidence one stage apart is no conflict.
	as = assign(t, m, segment.Account{ID: "c2", Technologies: []string{"Corvana Suite"}, Survey: map[string]float64{"maturity_self": 3}})
	assert.InDelta(t, 0, as.Scores["conflict"], 1e-12)
	assert.NotContains(t, fields(as), "conflict")
}

func TestConfidence(t *testing.T) {
	m := fit(t, handConfig())
	// Technologies alone: full support, weight 3 of the 4 for full
	// confidence.
	as := assign(t, m, segment.Account{ID: "t", Technologies: []string{"HubSpot"}})
	assert.InDelta(t, 0.75, as.Score, 1e-12)
	// Agreeing technologies, survey and size: full confidence.
	as = assign(t, m, segment.Account{ID: "t", Technologies: []string{"HubSpot"}, Survey: map[string]float64{"maturity_self": 3}, Employees: segment.N(120)})
	assert.InDelta(t, 1, as.Score, 1e-12)
	// Fewer events than the saturation weigh proportionally less: one
	// advanced read is 0.5, below the minimum.
	as = assign(t, m, segment.Account{ID: "t", Events: ev(1, segment.EventContent, "API", "")})
	assert.Equal(t, stage(sophistication.UnknownSlug), as.Segment.ID)
	assert.InDelta(t, 0.5, as.Scores["evidence"], 1e-12)
}

func TestSignalRules(t *testing.T) {
	m := fit(t, handConfig())
	evidence := func(a segment.Account) map[string]segment.Reason {
		as := assign(t, m, a)
		out := map[string]segment.Reason{}
		for _, r := range as.Reasons {
			out[r.Field] = r
		}
		return out
	}
	cases := []struct {
		name   string
		a      segment.Account
		signal string
		text   string // part of the reason
	}{
		{"manual tools", segment.Account{ID: "x", Technologies: []string{"Excel", "Paper forms"}}, "technologies", "Excel, Paper forms (manual tools) → Problem-aware"},
		{"e-mail is manual", segment.Account{ID: "x", Technologies: []string{"E-mail"}}, "technologies", "(manual tools)"},
		{"point tools", segment.Account{ID: "x", Technologies: []string{"Zapier"}}, "technologies", "Zapier (point tools) → Evaluating"},
		{"competitor named", segment.Account{ID: "x", Technologies: []string{"corvana suite"}}, "technologies", "(competitor product) → Using an alternative"},
		{"our product", segment.Account{ID: "x", Technologies: []string{"Northbeam Platform"}}, "technologies", "(our product) → Advanced"},
		{"no tools", segment.Account{ID: "x", Technologies: []string{"Microsoft 365", "Slack"}}, "no_tools", "none in the table for the problem → Unaware"},
		{"size small", segment.Account{ID: "x", Employees: segment.N(4)}, "employees", "employees 4 < 10 → Unaware"},
		{"size middle", segment.Account{ID: "x", Employees: segment.N(35)}, "employees", "employees 35, 10 to under 50 → Problem-aware"},
		{"size evaluating", segment.Account{ID: "x", Employees: segment.N(120)}, "employees", "employees 120, 50 to under 250 → Evaluating"},
		{"size large", segment.Account{ID: "x", Employees: segment.N(1200)}, "employees", "employees 1,200 ≥ 250 → Using an alternative"},
		{"age young", segment.Account{ID: "x", Founded: 2025}, "founded", "founded 2025, 1 year old < 3 → Unaware"},
		{"age after as-of", segment.Account{ID: "x", Founded: 2030}, "founded", "founded 2030, 0 years old < 3 → Unaware"},
		{"age old", segment.Account{ID: "x", Founded: 1990}, "founded", "36 years old ≥ 10 → Evaluating"},
		{"survey", segment.Account{ID: "x", Survey: map[string]float64{"maturity_self": 4}}, "survey", "survey maturity_self 4 (1 to 5) → Using an alternative"},
		{"content mixed", segment.Account{ID: "x", Events: slices.Concat(ev(2, segment.EventPageView, "Getting started", ""), ev(1, segment.EventEmail, "Webhooks", ""))}, "content", "content read: 2 beginner, 1 advanced topics → Evaluating"},
		{"tickets", segment.Account{ID: "x", Events: ev(2, segment.EventTicket, "access", "SSO login fails for new users")}, "tickets", "support questions: 2 advanced → Advanced"},
		{"activity", segment.Account{ID: "x", Events: slices.Concat(ev(1, segment.EventTrial, "", ""), ev(2, segment.EventDemoRequest, "", ""))}, "activity", "activity: 2 demo requests, 1 trial → Evaluating"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, ok := evidence(c.a)[c.signal]
			require.True(t, ok, "no %s reason", c.signal)
			assert.Contains(t, r.Text, c.text)
		})
	}
	// Events of other kinds, and content of the ticket kinds, are not read as
	// content.
	got := evidence(segment.Account{ID: "x", Events: ev(3, segment.EventMeeting, "API", "")})
	assert.NotContains(t, got, "content")
	// An event counts for the first class it matches: "API onboarding" is
	// advanced, not beginner.
	got = evidence(segment.Account{ID: "x", Events: ev(3, segment.EventContent, "API onboarding", "")})
	assert.Contains(t, got["content"].Text, "3 advanced")
}

func TestWholeWords(t *testing.T) {
	m := fit(t, handConfig())
	for _, tech := range []string{"Paperless Inc", "Excellence Partners", "Corvana"} {
		as := assign(t, m, segment.Account{ID: "w", Technologies: []string{tech}})
		assert.NotContains(t, fields(as), "technologies", "technology %q matches no class", tech)
	}
	as := assign(t, m, segment.Account{ID: "w", Events: ev(3, segment.EventContent, "Rapid growth", "")})
	assert.NotContains(t, fields(as), "content", `"Rapid" holds no "api"`)
	as = assign(t, m, segment.Account{ID: "w", Technologies: []string{"Paper (archives)"}})
	assert.Contains(t, fields(as), "technologies")
}

func TestWeights(t *testing.T) {
	c := handConfig()
	c.Weights = map[string]float64{"technologies": 0, "employees": 2}
	m := fit(t, c)
	as := assign(t, m, segment.Account{ID: "w", Technologies: []string{"Corvana Suite"}, Employees: segment.N(20)})
	assert.Equal(t, stage(sophistication.Manual), as.Segment.ID, "technologies off, employees weigh 2")
	assert.NotContains(t, fields(as), "technologies")
	assert.InDelta(t, 2, as.Scores["evidence"], 1e-12)

	c = handConfig()
	c.MinWeight = 0.5
	m = fit(t, c)
	as = assign(t, m, segment.Account{ID: "w", Employees: segment.N(20)})
	assert.Equal(t, stage(sophistication.Manual), as.Segment.ID, "a minimum of 0.5 lets employees alone decide")
}

func TestSurvey(t *testing.T) {
	c := handConfig()
	c.Survey = []sophistication.Question{
		{Key: "maturity_self", Min: 1, Max: 5, Weight: 3},
		{Key: "manual_hours", Min: 0, Max: 10, Reverse: true},
	}
	m := fit(t, c)
	// Mean position (3×5 + 1×(1+0.2×4)) / 4 = 4.2: competitor (0.8 of the
	// vote) over advanced (0.2).
	as := assign(t, m, segment.Account{ID: "s", Survey: map[string]float64{"maturity_self": 5, "manual_hours": 8}})
	assert.Equal(t, stage(sophistication.Competitor), as.Segment.ID)
	assert.InDelta(t, 3.2/4, as.Scores["maturity"], 1e-12)
	assert.InDelta(t, 0.8, as.Scores["support"], 1e-12)

	// An answer outside its scale is refused, naming the question.
	_, err := m.Assign(&segment.Account{ID: "bad", Survey: map[string]float64{"manual_hours": 12}})
	require.Error(t, err)
	assert.ErrorIs(t, err, segment.ErrInvalidAccount)
	fe, ok := errors.AsType[*segment.FieldError](err)
	require.True(t, ok, "error %v", err)
	assert.Equal(t, "bad", fe.AccountID)
	assert.Equal(t, "survey[manual_hours]", fe.Field)

	// Fit refuses it too.
	s, err := sophistication.New(c)
	require.NoError(t, err)
	_, err = s.Fit(context.Background(), slices.Values([]segment.Account{{ID: "ok"}, {ID: "bad", Survey: map[string]float64{"maturity_self": 0}}}))
	fe, ok = errors.AsType[*segment.FieldError](err)
	require.True(t, ok, "error %v", err)
	assert.Equal(t, "survey[maturity_self]", fe.Field)
}

func TestCustomLadder(t *testing.T) {
	c := sophistication.Config{
		Stages: []sophistication.Stage{
			{Slug: "cold", Name: "Cold", Guidance: "Educate."},
			{Slug: "warm", Name: "Warm", Guidance: "Compare."},
			{Slug: "hot", Name: "Hot", Guidance: "Differentiate."},
		},
		Technologies: []sophistication.TechClass{{Name: "spreadsheets", Stage: "cold", Strength: 1, Keywords: []string{"excel"}}},
		Competitors:  []string{"Rival CRM"},
		Size:         []sophistication.Band{{From: 0, Stage: "cold"}, {From: 100, Stage: "warm"}},
		Age:          []sophistication.Band{{From: 0, Stage: "cold"}},
		Content:      []sophistication.Topic{{Name: "deep", Stage: "hot", Keywords: []string{"api"}}},
		Tickets:      []sophistication.Topic{},
		Activity:     []sophistication.Activity{{Kind: segment.EventDemoRequest, Stage: "warm"}},
	}
	m := fit(t, c)
	var ids []string
	for _, s := range m.Segments() {
		ids = append(ids, s.ID)
	}
	assert.Equal(t, []string{"sophistication/cold", "sophistication/warm", "sophistication/hot", "sophistication/unknown"}, ids)
	// The competitors join the second-to-last stage of a custom ladder.
	as := assign(t, m, segment.Account{ID: "r", Technologies: []string{"Rival CRM"}})
	assert.Equal(t, "sophistication/warm", as.Segment.ID)
	as = assign(t, m, segment.Account{ID: "x", Technologies: []string{"Excel"}})
	assert.Equal(t, "sophistication/cold", as.Segment.ID)
	assert.Equal(t, "message: Educate.", as.Reasons[len(as.Reasons)-1].Text)
	g, ok := m.Guidance("sophistication/hot")
	assert.True(t, ok)
	assert.Equal(t, "Differentiate.", g)
	_, ok = m.Guidance("sophistication/nope")
	assert.False(t, ok)

	// A custom ladder with the default tables is refused: they name stages
	// it lacks.
	_, err := sophistication.New(sophistication.Config{Stages: c.Stages})
	require.Error(t, err)
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	assert.Contains(t, err.Error(), `technologies[0].stage: "manual" is not a stage of the ladder`)
}

func TestValidate(t *testing.T) {
	assert.NoError(t, sophistication.Config{}.Validate())
	c := sophistication.Config{
		Stages:      []sophistication.Stage{{Slug: "Unknown", Name: ""}, {Slug: "unknown", Name: "x"}},
		Competitors: []string{" "},
		Weights:     map[string]float64{"shoe_size": 1, "survey": -1},
		MinWeight:   5,
		FullWeight:  2,
		ConflictGap: -1,
		Saturation:  -2,
	}
	err := c.Validate()
	require.Error(t, err)
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	for _, want := range []string{
		`stages[0].slug: "Unknown" is not a slug`,
		"stages[0].name: is empty",
		`stages[1].slug: "unknown" is reserved`,
		"competitors[0]: is empty",
		`weights: "shoe_size" is not a signal`,
		"weights[survey]: is -1",
		"full_weight: is 2, below min_weight 5",
		"conflict_gap: is negative",
		"saturation: is negative",
	} {
		assert.Contains(t, err.Error(), want)
	}
	// Table problems.
	err = sophistication.Config{
		Size:   []sophistication.Band{{From: 5, Stage: "manual"}, {From: 5, Stage: "nowhere"}},
		Survey: []sophistication.Question{{Key: "q", Min: 5, Max: 1}, {Key: "q", Min: 1, Max: 2}},
		Technologies: []sophistication.TechClass{
			{Name: "", Stage: "manual", Strength: 0, Keywords: []string{""}},
		},
		Activity: []sophistication.Activity{{Kind: "", Stage: "manual"}},
	}.Validate()
	require.Error(t, err)
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	for _, want := range []string{
		"size[0].from: is 5; the first band starts at 0",
		`size[1].stage: "nowhere" is not a stage`,
		"size[1].from: is 5, not above",
		"survey[0]: scale 5 to 1",
		`survey[1].key: "q" is also survey[0]`,
		"technologies[0].name: is empty",
		"technologies[0].strength: is 0",
		"technologies[0].keywords[0]: is empty",
		"activity[0].kind: is empty",
	} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = sophistication.New(sophistication.Config{MinWeight: -1})
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
}

func TestNewCopies(t *testing.T) {
	comp := []string{"Corvana Suite"}
	w := map[string]float64{"survey": 2}
	s, err := sophistication.New(sophistication.Config{Competitors: comp, Weights: w})
	require.NoError(t, err)
	comp[0] = "Someone Else"
	w["survey"] = 0
	m, err := s.Fit(context.Background(), slices.Values([]segment.Account{{ID: "a"}}))
	require.NoError(t, err)
	as, err := m.Assign(&segment.Account{ID: "b", Technologies: []string{"Corvana Suite"}, Survey: map[string]float64{"maturity_self": 4}})
	require.NoError(t, err)
	assert.Equal(t, stage(sophistication.Competitor), as.Segment.ID)
	assert.InDelta(t, 5, as.Scores["evidence"], 1e-12, "the survey still weighs 2")
}

func TestAsOfYear(t *testing.T) {
	accts := []segment.Account{
		{ID: "a", Founded: 2010, Events: ev(1, segment.EventContent, "", "")},
		{ID: "b", Founded: 2024, Orders: []segment.Order{{Time: time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC), Amount: 1}}},
	}
	m := fit(t, sophistication.Config{}, accts...)
	assert.Equal(t, 2027, m.AsOfYear, "the latest dated record")
	assert.Equal(t, 2, m.Accounts)
	m = fit(t, sophistication.Config{}, segment.Account{ID: "a", Founded: 2010}, segment.Account{ID: "b", Founded: 2021})
	assert.Equal(t, 2021, m.AsOfYear, "no dated record: the latest founding year")
	m = fit(t, sophistication.Config{AsOfYear: 2030}, accts...)
	assert.Equal(t, 2030, m.AsOfYear)
	m = fit(t, sophistication.Config{}, segment.Account{ID: "a"})
	assert.Equal(t, 0, m.AsOfYear)
	as := assign(t, m, segment.Account{ID: "x", Founded: 2020, Survey: map[string]float64{"maturity_self": 2}})
	assert.NotContains(t, fields(as), "founded", "no reference year: age is silent")
}

func TestErrors(t *testing.T) {
	s, err := sophistication.New(sophistication.Config{})
	require.NoError(t, err)
	_, err = s.Fit(context.Background(), slices.Values([]segment.Account(nil)))
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
	m := fit(t, sophistication.Config{})
	_, err = m.Assign(nil)
	assert.ErrorIs(t, err, segment.ErrInvalidAccount)
	_, err = m.Assign(&segment.Account{ID: "f", Founded: 3000})
	fe, ok := errors.AsType[*segment.FieldError](err)
	require.True(t, ok, "error %v", err)
	assert.Equal(t, "founded", fe.Field)
}

func TestDecodeModel(t *testing.T) {
	c := handConfig()
	c.Survey = []sophistication.Question{{Key: "maturity_self", Min: 1, Max: 5}, {Key: "q2", Min: 0, Max: 1, Weight: 2, Reverse: true}}
	m := fit(t, c)
	data, err := json.Marshal(m)
	require.NoError(t, err)
	s, err := sophistication.New(sophistication.Config{})
	require.NoError(t, err)
	d, err := s.DecodeModel(data)
	require.NoError(t, err)
	again, err := json.Marshal(d)
	require.NoError(t, err)
	assert.JSONEq(t, string(data), string(again))
	for _, h := range handAccounts {
		want := assign(t, m, h.a)
		got, err := d.Assign(&h.a)
		require.NoError(t, err)
		assert.Equal(t, want, got, "account %s", h.a.ID)
	}

	// A decoded Config that is invalid is refused.
	var obj map[string]any
	require.NoError(t, json.Unmarshal(data, &obj))
	obj["config"].(map[string]any)["weights"].(map[string]any)["survey"] = -3
	bad, err := json.Marshal(obj)
	require.NoError(t, err)
	_, err = s.DecodeModel(bad)
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	_, err = s.DecodeModel([]byte(`{"method":"tier","version":1}`))
	assert.ErrorIs(t, err, segment.ErrModelVersion)
}

// TestAssignValid checks that AssignValid, which skips Validate, still
// refuses a nil account and a survey answer outside its scale.
func TestAssignValid(t *testing.T) {
	m := fit(t, handConfig())
	_, err := m.AssignValid(nil)
	assert.ErrorIs(t, err, segment.ErrInvalidAccount)
	_, err = m.AssignValid(&segment.Account{ID: "s", Survey: map[string]float64{"maturity_self": 9}})
	var fe *segment.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "survey[maturity_self]", fe.Field)
	want := assign(t, m, handAccounts[1].a)
	got, err := m.AssignValid(&handAccounts[1].a)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}
