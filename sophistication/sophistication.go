package sophistication

import (
	"context"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/cluster"
)

// method is the name under which sophistication models are encoded.
const method = "sophistication"

// version is the version of the Model encoding this build writes.
const version = 1

// UnknownGuidance is the messaging guidance of the unknown segment.
const UnknownGuidance = "Qualify first: ask which tools they use for the problem today and how they handle it, before choosing a message."

// Segmenter places accounts on the maturity ladder. Make one with [New]; it
// is safe for concurrent use and never changes.
type Segmenter struct {
	cfg Config
}

var _ segment.Segmenter = (*Segmenter)(nil)

// New returns a Segmenter for the Config, after [Config.Validate]; it copies
// the Config's slices and maps, so later changes to them have no effect.
func New(c Config) (*Segmenter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Segmenter{cfg: c.clone()}, nil
}

// Model is a fitted maturity model: the ladder, the signal tables and
// weights with every default filled in, and the year ages are measured at.
// It is plain data; build one with [Segmenter.Fit] or
// [Segmenter.DecodeModel].
type Model struct {
	segment.Header
	// Config is the resolved Config: defaults filled in, competitors and
	// own products merged into the technologies table.
	Config Config `json:"config"`
	// AsOfYear is the year company ages are measured at; 0 when neither the
	// Config nor the fit data gave one (the age signal is then silent).
	AsOfYear int `json:"as_of_year"`
	// Accounts is the number of accounts fitted.
	Accounts int `json:"accounts"`
	// Clusters are the learned variant's clusters (Config.Clusters > 0),
	// least mature first; nil for the rule model.
	Clusters []Cluster `json:"clusters,omitempty"`

	c compiled
}

// Cluster is one cluster of the learned variant.
type Cluster struct {
	// Center is the cluster's mean vote shares, one per stage, least mature
	// first.
	Center []float64 `json:"center"`
	// Maturity is the center's maturity index: its mean position on the
	// ladder, 0 for the first stage to 1 for the last.
	Maturity float64 `json:"maturity"`
	// Level is the position of the stage the cluster's accounts go to, 1 for
	// the first.
	Level int `json:"level"`
	// Size is the number of fitted accounts in the cluster.
	Size int `json:"size"`
}

var _ segment.Model = (*Model)(nil)

// Fit walks accts once, checks every account (see [Model.Assign]) and
// returns a *[Model]. The rules learn nothing from the accounts but the
// reference year of company ages, when Config.AsOfYear is 0.
//
// It returns an error wrapping [segment.ErrEmptyInput] when accts is empty,
// a [*segment.FieldError] for the first account it refuses, and ctx.Err()
// once ctx is done.
func (s *Segmenter) Fit(ctx context.Context, accts iter.Seq[segment.Account]) (segment.Model, error) {
	m := &Model{Header: segment.Header{Method: method, Version: version}, Config: s.cfg.resolved()}
	// The Model keeps the Config as data: Workers and Progress have no
	// effect on it.
	m.Config.Workers, m.Config.Progress = 0, nil
	m.c = compile(&m.Config)
	latest, founded := 0, 0
	n := 0
	var rows []float64 // the learned variant's vote shares, row by row
	for a := range accts {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		n++
		if err := m.check(&a); err != nil {
			return nil, err
		}
		latest = max(latest, latestYear(&a))
		founded = max(founded, a.Founded)
		if m.Config.Clusters > 0 {
			rows = m.appendShares(rows, &a)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("sophistication: no accounts to fit: %w", segment.ErrEmptyInput)
	}
	m.Accounts = n
	m.AsOfYear = m.Config.AsOfYear
	if m.AsOfYear == 0 {
		m.AsOfYear = latest
		if m.AsOfYear == 0 {
			m.AsOfYear = founded
		}
	}
	if m.Config.Clusters > 0 {
		if err := m.learn(ctx, rows, s.cfg); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// latestYear returns the year of the latest dated record of a, or 0.
func latestYear(a *segment.Account) int {
	y := 0
	for _, e := range a.Events {
		y = max(y, e.Time.Year())
	}
	for _, o := range a.Orders {
		y = max(y, o.Time.Year())
	}
	for _, u := range a.Usage {
		y = max(y, u.Time.Year())
	}
	for _, s := range a.Subscriptions {
		y = max(y, s.Start.Year())
	}
	return y
}

// DecodeModel reads back a Model from its JSON encoding. It returns an
// error wrapping [segment.ErrModelVersion] for an encoding of another
// method or version, and one wrapping [segment.ErrInvalidConfig] for an
// encoding whose Config is invalid.
func (s *Segmenter) DecodeModel(data []byte) (segment.Model, error) {
	m, err := segment.DecodeJSON[Model](data, method, version)
	if err != nil {
		return nil, err
	}
	if err := m.Config.Validate(); err != nil {
		return nil, fmt.Errorf("sophistication: decoding model: %w", err)
	}
	if m.AsOfYear < 0 || m.Accounts < 0 {
		return nil, fmt.Errorf("sophistication: decoding model: as-of year %d, %d accounts: %w", m.AsOfYear, m.Accounts, segment.ErrInvalidConfig)
	}
	// A resolved Config resolves to itself; resolving again keeps the
	// decoded Model equal to the one encoded.
	m.Config = m.Config.resolved()
	if err := m.checkClusters(); err != nil {
		return nil, fmt.Errorf("sophistication: decoding model: %w", err)
	}
	m.c = compile(&m.Config)
	m.c.km = clustersModel(m.Clusters)
	return m, nil
}

// Segments lists the ladder's stages, least mature first, then the unknown
// segment. The caller must not modify the slice.
func (m *Model) Segments() []segment.Segment { return m.c.segments }

// Guidance returns the messaging guidance of the segment with the given ID
// ("sophistication/competitor"), and whether the Model has such a segment.
func (m *Model) Guidance(segmentID string) (string, bool) {
	i := slices.IndexFunc(m.c.segments, func(s segment.Segment) bool { return s.ID == segmentID })
	if i < 0 {
		return "", false
	}
	if i == len(m.Config.Stages) {
		return UnknownGuidance, true
	}
	return m.Config.Stages[i].Guidance, true
}

// compiled is the Model's Config in the form Assign reads: stage positions
// and lower-cased keywords. It is built once, by Fit or DecodeModel.
type compiled struct {
	n            int            // stages
	pos          map[string]int // slug → position, 1 to n
	tech         []class
	noTools      int
	size, age    []band
	content      []class
	tickets      []class
	contentKinds map[string]bool
	ticketKinds  map[string]bool
	activity     map[string]int
	segments     []segment.Segment
	km           *cluster.KMeansModel // the learned variant's centres
}

type class struct {
	name     string
	pos      int
	strength float64
	keywords []string // lower case
}

type band struct {
	from float64
	pos  int
}

func compile(c *Config) compiled {
	k := compiled{n: len(c.Stages), pos: make(map[string]int, len(c.Stages))}
	for i, s := range c.Stages {
		k.pos[s.Slug] = i + 1
		k.segments = append(k.segments, segment.Segment{
			ID: method + "/" + s.Slug, Name: s.Name, Description: s.Description, Method: method,
		})
	}
	k.segments = append(k.segments, segment.Segment{
		ID: method + "/" + UnknownSlug, Name: "Unknown (too little evidence)",
		Description: "Too little evidence to place the account on the ladder; qualify it before choosing a message.",
		Method:      method,
	})
	lower := func(kws []string) []string {
		out := make([]string, 0, len(kws))
		for _, kw := range kws {
			out = append(out, strings.ToLower(strings.TrimSpace(kw)))
		}
		return out
	}
	for _, t := range c.Technologies {
		k.tech = append(k.tech, class{t.Name, k.pos[t.Stage], t.Strength, lower(t.Keywords)})
	}
	k.noTools = k.pos[c.NoToolsStage]
	for _, b := range c.Size {
		k.size = append(k.size, band{b.From, k.pos[b.Stage]})
	}
	for _, b := range c.Age {
		k.age = append(k.age, band{b.From, k.pos[b.Stage]})
	}
	for _, t := range c.Content {
		k.content = append(k.content, class{t.Name, k.pos[t.Stage], 1, lower(t.Keywords)})
	}
	for _, t := range c.Tickets {
		k.tickets = append(k.tickets, class{t.Name, k.pos[t.Stage], 1, lower(t.Keywords)})
	}
	set := func(kinds []string) map[string]bool {
		m := make(map[string]bool, len(kinds))
		for _, kd := range kinds {
			m[kd] = true
		}
		return m
	}
	k.contentKinds, k.ticketKinds = set(c.ContentKinds), set(c.TicketKinds)
	k.activity = make(map[string]int, len(c.Activity))
	for _, a := range c.Activity {
		if _, ok := k.activity[a.Kind]; !ok {
			k.activity[a.Kind] = k.pos[a.Stage]
		}
	}
	return k
}

// check returns the first problem that makes the Model refuse a: any
// [segment.Account.Validate] problem, or a survey answer outside its
// question's scale.
func (m *Model) check(a *segment.Account) error {
	if a == nil {
		return fmt.Errorf("sophistication: nil account: %w", segment.ErrInvalidAccount)
	}
	if err := a.Validate(); err != nil {
		return fmt.Errorf("sophistication: %w", err)
	}
	for _, q := range m.Config.Survey {
		v, ok := a.Survey[q.Key]
		if ok && (v < q.Min || v > q.Max) {
			return fmt.Errorf("sophistication: %w", &segment.FieldError{
				AccountID: a.ID, Field: "survey[" + q.Key + "]",
				Err: fmt.Errorf("is %v, outside the scale %v to %v", v, num(q.Min), num(q.Max)),
			})
		}
	}
	return nil
}

// evidence is what one signal says about an account: a position on the
// ladder (1 to n, possibly between stages) and a weight.
type evidence struct {
	signal string
	pos    float64
	weight float64
	text   string // the facts, without the stage
}

// Assign places a on the ladder. It gathers each signal's evidence (see the
// package doc), and returns the unknown segment when the total weight is
// below Config.MinWeight; otherwise the stage with the most weighted votes.
//
// Score is the confidence in the stage: the share of the evidence's weight
// that supports it, times min(1, total weight / Config.FullWeight); it is 0
// for the unknown segment. Scores holds "maturity" (the weighted mean
// position on the ladder, 0 for the first stage to 1 for the last),
// "conflict" (the share of the weight pointing Config.ConflictGap or more
// stages away from the stage chosen), "support" (the share supporting it),
// "evidence" (the total weight) and "level" (the stage's position, 1 for
// the first; 0 for unknown); with no evidence at all, only "evidence" and
// "level". Reasons list each signal's evidence, the most supporting first,
// with Field the signal and Effect its signed share of the weight (positive
// for support, negative for contradiction), then a summary of any
// contradiction (Field "conflict"), then the stage's messaging guidance
// (Field "guidance").
//
// Assign returns a [*segment.FieldError] for an account that fails
// [segment.Account.Validate] or has a survey answer outside its question's
// scale, and an error wrapping [segment.ErrInvalidAccount] for nil.
func (m *Model) Assign(a *segment.Account) (segment.Assignment, error) {
	if err := m.check(a); err != nil {
		return segment.Assignment{}, err
	}
	ev := m.gather(a)
	return m.decide(a.ID, ev), nil
}

// gather collects the evidence of every signal with a weight.
func (m *Model) gather(a *segment.Account) []evidence {
	c, w := &m.c, m.Config.Weights
	var ev []evidence
	add := func(signal string, pos, weight float64, text string) {
		if weight > 0 && pos >= 1 {
			ev = append(ev, evidence{signal, pos, weight, text})
		}
	}
	// Technologies.
	if w[SignalTechnologies] > 0 || w[SignalNoTools] > 0 {
		if e, ok := m.technologies(a.Technologies); ok {
			add(e.signal, e.pos, w[e.signal], e.text)
		}
	}
	// Survey.
	if w[SignalSurvey] > 0 {
		var sum, sw float64
		var parts []string
		for _, q := range m.Config.Survey {
			v, ok := a.Survey[q.Key]
			if !ok || q.Weight == 0 {
				continue
			}
			f := (v - q.Min) / (q.Max - q.Min)
			if q.Reverse {
				f = 1 - f
			}
			sum += q.Weight * (1 + f*float64(c.n-1))
			sw += q.Weight
			parts = append(parts, fmt.Sprintf("%s %s (%s to %s)", q.Key, num(v), num(q.Min), num(q.Max)))
		}
		if sw > 0 {
			add(SignalSurvey, sum/sw, w[SignalSurvey], "survey "+strings.Join(parts, ", "))
		}
	}
	// Content and support tickets.
	if w[SignalContent] > 0 {
		if pos, n, text := m.topics(a.Events, c.contentKinds, c.content); n > 0 {
			add(SignalContent, pos, w[SignalContent]*m.saturate(n), "content read: "+text+map[bool]string{true: " topic", false: " topics"}[n == 1])
		}
	}
	if w[SignalTickets] > 0 {
		if pos, n, text := m.topics(a.Events, c.ticketKinds, c.tickets); n > 0 {
			add(SignalTickets, pos, w[SignalTickets]*m.saturate(n), "support questions: "+text)
		}
	}
	// Buying activity: full weight at the first event.
	if w[SignalActivity] > 0 && len(c.activity) > 0 {
		counts := map[string]int{}
		var sum float64
		n := 0
		for _, e := range a.Events {
			if p, ok := c.activity[e.Kind]; ok {
				counts[e.Kind]++
				sum += float64(p)
				n++
			}
		}
		if n > 0 {
			var parts []string
			for _, act := range m.Config.Activity {
				if k := counts[act.Kind]; k > 0 {
					parts = append(parts, plural(k, strings.ReplaceAll(act.Kind, "_", " ")))
					counts[act.Kind] = 0
				}
			}
			add(SignalActivity, sum/float64(n), w[SignalActivity], "activity: "+strings.Join(parts, ", "))
		}
	}
	// Size and age.
	if v, ok := a.Employees.Get(); ok && w[SignalSize] > 0 {
		if pos, text := inBand(c.size, v); pos > 0 {
			add(SignalSize, float64(pos), w[SignalSize], "employees "+num(v)+text)
		}
	}
	if a.Founded != 0 && m.AsOfYear != 0 && w[SignalAge] > 0 {
		age := max(0, m.AsOfYear-a.Founded)
		if pos, text := inBand(c.age, float64(age)); pos > 0 {
			add(SignalAge, float64(pos), w[SignalAge], fmt.Sprintf("founded %d, %s old%s", a.Founded, plural(age, "year"), text))
		}
	}
	return ev
}

// saturate returns the share of an event signal's weight that n matching
// events earn.
func (m *Model) saturate(n int) float64 {
	return math.Min(1, float64(n)/float64(m.Config.Saturation))
}

// technologies classifies the account's technologies: each technology
// counts for the first class whose keyword it contains, and the class with
// the greatest total strength (ties: the more advanced stage) is the
// evidence. Technologies listed but in no class are evidence of no tools.
func (m *Model) technologies(techs []string) (evidence, bool) {
	c := &m.c
	total := make([]float64, len(c.tech))
	names := make([][]string, len(c.tech))
	var other []string
	for _, t := range techs {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		lt := strings.ToLower(t)
		i := slices.IndexFunc(c.tech, func(cl class) bool { return matchAny(lt, cl.keywords) })
		if i < 0 {
			other = append(other, t)
			continue
		}
		total[i] += c.tech[i].strength
		names[i] = append(names[i], t)
	}
	best := -1
	for i := range c.tech {
		if total[i] == 0 {
			continue
		}
		if best < 0 || total[i] > total[best] || total[i] == total[best] && c.tech[i].pos > c.tech[best].pos {
			best = i
		}
	}
	if best < 0 {
		if len(other) == 0 {
			return evidence{}, false
		}
		return evidence{signal: SignalNoTools, pos: float64(c.noTools),
			text: "technologies " + list(other) + ": none in the table for the problem"}, true
	}
	text := "technologies " + list(names[best]) + " (" + c.tech[best].name + ")"
	var also []string
	for i := range c.tech {
		if i != best && len(names[i]) > 0 {
			also = append(also, list(names[i])+" ("+c.tech[i].name+")")
		}
	}
	if len(also) > 0 {
		text += "; also " + strings.Join(also, ", ")
	}
	return evidence{signal: SignalTechnologies, pos: float64(c.tech[best].pos), text: text}, true
}

// topics classifies the events of the given kinds by the first class whose
// keyword their Topic or Text contains; it returns the mean position of the
// matching events, their number and a summary ("3 advanced, 1 beginner").
func (m *Model) topics(events []segment.Event, kinds map[string]bool, classes []class) (float64, int, string) {
	if len(classes) == 0 {
		return 0, 0, ""
	}
	counts := make([]int, len(classes))
	n := 0
	var sum float64
	for _, e := range events {
		if !kinds[e.Kind] || e.Topic == "" && e.Text == "" {
			continue
		}
		topic, text := strings.ToLower(e.Topic), strings.ToLower(e.Text)
		i := slices.IndexFunc(classes, func(cl class) bool { return matchAny(topic, cl.keywords) || matchAny(text, cl.keywords) })
		if i < 0 {
			continue
		}
		counts[i]++
		sum += float64(classes[i].pos)
		n++
	}
	if n == 0 {
		return 0, 0, ""
	}
	order := make([]int, len(classes))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return counts[b] - counts[a] })
	var parts []string
	for _, i := range order {
		if counts[i] > 0 {
			parts = append(parts, strconv.Itoa(counts[i])+" "+classes[i].name)
		}
	}
	return sum / float64(n), n, strings.Join(parts, ", ")
}

// inBand returns the position of the band holding v, and the band as text
// (" < 10", " ≥ 250", ", 10 to under 50"); 0 when no band holds it.
func inBand(bands []band, v float64) (int, string) {
	i := -1
	for j, b := range bands {
		if v >= b.from {
			i = j
		}
	}
	switch {
	case i < 0:
		return 0, ""
	case len(bands) == 1:
		return bands[0].pos, ""
	case i == 0:
		return bands[0].pos, " < " + num(bands[1].from)
	case i == len(bands)-1:
		return bands[i].pos, " ≥ " + num(bands[i].from)
	}
	return bands[i].pos, ", " + num(bands[i].from) + " to under " + num(bands[i+1].from)
}

// decide combines the evidence into an assignment.
func (m *Model) decide(id string, ev []evidence) segment.Assignment {
	c, cfg := &m.c, &m.Config
	var total, mean float64
	for _, e := range ev {
		total += e.weight
		mean += e.weight * e.pos
	}
	as := segment.Assignment{AccountID: id}
	if total == 0 {
		as.Segment = c.segments[c.n]
		as.Scores = map[string]float64{"evidence": 0, "level": 0}
		as.Reasons = []segment.Reason{
			{Text: "no evidence: no technologies, survey answers, classified events, size or age", Field: "evidence"},
			{Text: "message: " + UnknownGuidance, Field: "guidance"},
		}
		return as
	}
	mean /= total
	maturity := (mean - 1) / float64(c.n-1)
	if total < cfg.MinWeight {
		as.Segment = c.segments[c.n]
		as.Scores = map[string]float64{"evidence": total, "level": 0, "maturity": maturity}
		as.Reasons = append(as.Reasons, segment.Reason{
			Text:  fmt.Sprintf("too little evidence: weight %s of the %s needed", num(total), num(cfg.MinWeight)),
			Field: "evidence",
		})
		for _, e := range sortEvidence(ev, nil) {
			as.Reasons = append(as.Reasons, segment.Reason{Text: e.text + " → " + m.stageName(e.pos), Field: e.signal})
		}
		as.Reasons = append(as.Reasons, segment.Reason{Text: "message: " + UnknownGuidance, Field: "guidance"})
		return as
	}
	votes := m.votes(ev)
	best := 1
	for s := 2; s <= c.n; s++ {
		switch {
		case votes[s] > votes[best]+1e-12:
			best = s
		case math.Abs(votes[s]-votes[best]) <= 1e-12 && math.Abs(float64(s)-mean) < math.Abs(float64(best)-mean):
			best = s
		}
	}
	var learned *segment.Reason
	rank := 0
	if len(m.Clusters) > 0 {
		row := make([]float64, c.n)
		for s := range row {
			row[s] = votes[s+1] / total
		}
		rank, _ = c.km.Predict(row)
		cl := &m.Clusters[rank]
		best = cl.Level
		learned = &segment.Reason{
			Text: fmt.Sprintf("learned: nearest cluster %d of %d by maturity (index %.2f) → %s",
				rank+1, len(m.Clusters), cl.Maturity, cfg.Stages[best-1].Name),
			Field: "cluster",
		}
	}
	support := votes[best] / total
	var conflict float64
	var against []evidence
	for _, e := range ev {
		if math.Abs(e.pos-float64(best)) >= float64(cfg.ConflictGap) {
			conflict += e.weight
			against = append(against, e)
		}
	}
	conflict /= total
	as.Segment = c.segments[best-1]
	as.Score = clamp01(support * math.Min(1, total/cfg.FullWeight))
	as.Scores = map[string]float64{
		"maturity": clamp01(maturity),
		"conflict": clamp01(conflict),
		"support":  clamp01(support),
		"evidence": total,
		"level":    float64(best),
	}
	if learned != nil {
		as.Scores["cluster"] = float64(rank + 1)
		as.Reasons = append(as.Reasons, *learned)
	}
	for _, e := range sortEvidence(ev, func(e evidence) float64 { return e.weight * kernel(e.pos, best) }) {
		k := kernel(e.pos, best)
		text := e.text + " → " + m.stageName(e.pos)
		if d := e.pos - float64(best); math.Abs(d) >= float64(cfg.ConflictGap) {
			text += " (contradicts: " + direction(d) + ")"
		}
		as.Reasons = append(as.Reasons, segment.Reason{Text: text, Field: e.signal, Effect: round6(e.weight * (2*k - 1) / total)})
	}
	if len(against) > 0 {
		var who []string
		for _, e := range against {
			who = append(who, e.signal+" "+direction(e.pos-float64(best)))
		}
		as.Reasons = append(as.Reasons, segment.Reason{
			Text: fmt.Sprintf("contradictory evidence (%s of the weight): %s %s",
				percent(conflict), strings.Join(who, ", "), cfg.Stages[best-1].Name),
			Field: "conflict",
		})
	}
	if g := cfg.Stages[best-1].Guidance; g != "" {
		as.Reasons = append(as.Reasons, segment.Reason{Text: "message: " + g, Field: "guidance"})
	}
	return as
}

// votes returns each stage's weighted votes (index 1 to n): each piece of
// evidence votes for the stages within one step of its position, in
// proportion to closeness, so that its votes sum to its weight.
func (m *Model) votes(ev []evidence) []float64 {
	v := make([]float64, m.c.n+1)
	for _, e := range ev {
		for s := 1; s <= m.c.n; s++ {
			v[s] += e.weight * kernel(e.pos, s)
		}
	}
	return v
}

// kernel is the share of a vote at position p that goes to stage s: 1 at
// the stage, falling linearly to 0 one stage away.
func kernel(p float64, s int) float64 { return math.Max(0, 1-math.Abs(p-float64(s))) }

// sortEvidence orders the evidence by key, then weight, descending, then by
// signal in the order of [Signals]; it copies ev.
func sortEvidence(ev []evidence, key func(evidence) float64) []evidence {
	out := slices.Clone(ev)
	slices.SortStableFunc(out, func(a, b evidence) int {
		if key != nil {
			if ka, kb := key(a), key(b); ka != kb {
				if ka > kb {
					return -1
				}
				return 1
			}
		}
		if a.weight != b.weight {
			if a.weight > b.weight {
				return -1
			}
			return 1
		}
		return slices.Index(signals, a.signal) - slices.Index(signals, b.signal)
	})
	return out
}

// stageName names the stage nearest position p.
func (m *Model) stageName(p float64) string {
	i := int(math.Round(p)) - 1
	i = max(0, min(i, len(m.Config.Stages)-1))
	return m.Config.Stages[i].Name
}

// matchAny reports whether text (lower case) contains one of the keywords
// as a whole word.
func matchAny(text string, keywords []string) bool {
	for _, kw := range keywords {
		if containsWord(text, kw) {
			return true
		}
	}
	return false
}

// containsWord reports whether kw occurs in s with no letter or digit
// right before or after it.
func containsWord(s, kw string) bool {
	if kw == "" {
		return false
	}
	for off := 0; off <= len(s)-len(kw); {
		i := strings.Index(s[off:], kw)
		if i < 0 {
			return false
		}
		i += off
		j := i + len(kw)
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[j:])
		if (i == 0 || !isWordRune(before)) && (j == len(s) || !isWordRune(after)) {
			return true
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		off = i + size
	}
	return false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func clamp01(v float64) float64 { return math.Max(0, math.Min(1, v)) }

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// num formats a number for a reason: thousands separated, at most two
// decimals ("1,200", "2.5").
func num(v float64) string {
	if v != math.Trunc(v) || math.Abs(v) >= 1e15 {
		s := strconv.FormatFloat(v, 'f', 2, 64)
		return strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	s := strconv.FormatInt(int64(math.Abs(v)), 10)
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func percent(v float64) string { return strconv.Itoa(int(math.Round(v*100))) + "%" }

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// direction says how far and which way a position lies from the stage
// chosen: "3 stages below".
func direction(d float64) string {
	if d > 0 {
		return steps(d) + " above"
	}
	return steps(-d) + " below"
}

func steps(d float64) string {
	if d == math.Trunc(d) {
		return plural(int(d), "stage")
	}
	return strconv.FormatFloat(d, 'f', 1, 64) + " stages"
}

// list joins names, at most 4, with the number of the rest.
func list(names []string) string {
	if len(names) <= 4 {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:4], ", ") + fmt.Sprintf(" and %d more", len(names)-4)
}
