package sophistication

import (
	"context"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"

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

var (
	_ segment.Model         = (*Model)(nil)
	_ segment.ValidAssigner = (*Model)(nil)
)

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
	m.c.learned = learnedReasons(m.Clusters, m.Config.Stages)
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

// compiled is the Model's Config in the form Assign reads: stage positions,
// lower-cased keywords and their matchers, weights by signal, and the fixed
// texts of reasons. It is built once, by Fit or DecodeModel, and only read
// afterwards.
type compiled struct {
	n         int            // stages
	pos       map[string]int // slug → position, 1 to n
	tech      []class
	noTools   int
	size, age []band
	content   []class
	tickets   []class
	activity  []activityKind // the activity table's kinds, first occurrence first
	kinds     []kindEntry    // event kind → what it is evidence of
	segments  []segment.Segment
	km        *cluster.KMeansModel // the learned variant's centres
	learned   []string             // the learned variant's "cluster" reason, by cluster

	techM, contentM, ticketsM matcher
	weights                   [len(signalOrder)]float64 // by signal index
	messages                  []string                  // "message: " + guidance by stage, then the unknown segment's
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

// activityKind is one event kind of the activity table.
type activityKind struct {
	label string // the kind with spaces for underscores
	pos   int
}

// kindInfo says what an event of a kind is evidence of.
type kindInfo struct {
	content, ticket bool
	activity        int // index in compiled.activity, or -1
}

type kindEntry struct {
	kind string
	kindInfo
}

// kind returns what an event of kind k is evidence of, and false for a
// kind of no table. The tables name few kinds: a scan beats hashing.
func (c *compiled) kind(k string) (kindInfo, bool) {
	for i := range c.kinds {
		if c.kinds[i].kind == k {
			return c.kinds[i].kindInfo, true
		}
	}
	return kindInfo{}, false
}

func compile(c *Config) compiled {
	k := compiled{n: len(c.Stages), pos: make(map[string]int, len(c.Stages))}
	for i, s := range c.Stages {
		k.pos[s.Slug] = i + 1
		k.segments = append(k.segments, segment.Segment{
			ID: method + "/" + s.Slug, Name: s.Name, Description: s.Description, Method: method,
		})
		k.messages = append(k.messages, "message: "+s.Guidance)
	}
	k.segments = append(k.segments, segment.Segment{
		ID: method + "/" + UnknownSlug, Name: "Unknown (too little evidence)",
		Description: "Too little evidence to place the account on the ladder; qualify it before choosing a message.",
		Method:      method,
	})
	k.messages = append(k.messages, "message: "+UnknownGuidance)
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
	k.techM, k.contentM, k.ticketsM = newMatcher(k.tech), newMatcher(k.content), newMatcher(k.tickets)
	info := func(kind string) *kindInfo {
		i := slices.IndexFunc(k.kinds, func(e kindEntry) bool { return e.kind == kind })
		if i < 0 {
			i = len(k.kinds)
			k.kinds = append(k.kinds, kindEntry{kind, kindInfo{activity: -1}})
		}
		return &k.kinds[i].kindInfo
	}
	for _, kd := range c.ContentKinds {
		info(kd).content = true
	}
	for _, kd := range c.TicketKinds {
		info(kd).ticket = true
	}
	for _, a := range c.Activity {
		if ki := info(a.Kind); ki.activity < 0 {
			ki.activity = len(k.activity)
			k.activity = append(k.activity, activityKind{strings.ReplaceAll(a.Kind, "_", " "), k.pos[a.Stage]})
		}
	}
	for i, s := range signalOrder {
		k.weights[i] = c.Weights[s]
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
	return m.checkSurvey(a)
}

// checkSurvey returns a [*segment.FieldError] for the first survey answer
// of a outside its question's scale.
func (m *Model) checkSurvey(a *segment.Account) error {
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

// The indices of the signals in signalOrder.
const (
	sigTechnologies = iota
	sigNoTools
	sigSurvey
	sigContent
	sigTickets
	sigActivity
	sigSize
	sigAge
)

// evidence is what one signal says about an account: a position on the
// ladder (1 to n, possibly between stages) and a weight. Its text, the
// facts without the stage, is buf[from:to] of the buffer gather wrote.
type evidence struct {
	sig      int // index in signalOrder
	pos      float64
	weight   float64
	from, to int
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
	return m.assign(a), nil
}

// AssignValid is Assign for an account whose [segment.Account.Validate]
// the caller has checked (see [segment.ValidAssigner]); the combinators
// call it. It still refuses a survey answer outside its question's scale.
func (m *Model) AssignValid(a *segment.Account) (segment.Assignment, error) {
	if a == nil {
		return segment.Assignment{}, fmt.Errorf("sophistication: nil account: %w", segment.ErrInvalidAccount)
	}
	if err := m.checkSurvey(a); err != nil {
		return segment.Assignment{}, err
	}
	return m.assign(a), nil
}

// assign places a valid account on the ladder.
func (m *Model) assign(a *segment.Account) segment.Assignment {
	// Working memory on the stack: the evidence, its texts, one lower-cased
	// text at a time, and the reason texts.
	var evs [len(signalOrder)]evidence
	var facts, lower [512]byte
	var out [1024]byte
	ev, buf, _ := m.gather(a, evs[:0], facts[:0], lower[:0])
	return m.decide(a.ID, ev, buf, out[:0])
}

// gather appends to ev the evidence of every signal with a weight, and to
// buf their texts; lower is scratch space for lower-cased texts.
func (m *Model) gather(a *segment.Account, ev []evidence, buf, lower []byte) ([]evidence, []byte, []byte) {
	c := &m.c
	w := &c.weights
	// Technologies.
	if w[sigTechnologies] > 0 || w[sigNoTools] > 0 {
		from := len(buf)
		var sig int
		var pos float64
		var ok bool
		sig, pos, buf, lower, ok = m.technologies(a.Technologies, buf, lower)
		if ok {
			ev, buf = add(ev, buf, sig, pos, w[sig], from)
		}
	}
	// Survey.
	if w[sigSurvey] > 0 && len(a.Survey) > 0 {
		from := len(buf)
		buf = append(buf, "survey "...)
		var sum, sw float64
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
			if len(buf) > from+len("survey ") {
				buf = append(buf, ", "...)
			}
			buf = append(buf, q.Key...)
			buf = append(buf, ' ')
			buf = appendNum(buf, v)
			buf = append(buf, " ("...)
			buf = appendNum(buf, q.Min)
			buf = append(buf, " to "...)
			buf = appendNum(buf, q.Max)
			buf = append(buf, ')')
		}
		if sw > 0 {
			ev, buf = add(ev, buf, sigSurvey, sum/sw, w[sigSurvey], from)
		} else {
			buf = buf[:from]
		}
	}
	// Content, support tickets and buying activity.
	if len(a.Events) > 0 {
		ev, buf, lower = m.events(a.Events, ev, buf, lower)
	}
	// Size and age.
	if v, ok := a.Employees.Get(); ok && w[sigSize] > 0 {
		from := len(buf)
		buf = append(buf, "employees "...)
		buf = appendNum(buf, v)
		var pos int
		if pos, buf = appendBand(buf, c.size, v); pos > 0 {
			ev, buf = add(ev, buf, sigSize, float64(pos), w[sigSize], from)
		} else {
			buf = buf[:from]
		}
	}
	if a.Founded != 0 && m.AsOfYear != 0 && w[sigAge] > 0 {
		age := max(0, m.AsOfYear-a.Founded)
		from := len(buf)
		buf = append(buf, "founded "...)
		buf = strconv.AppendInt(buf, int64(a.Founded), 10)
		buf = append(buf, ", "...)
		buf = appendPlural(buf, age, "year")
		buf = append(buf, " old"...)
		var pos int
		if pos, buf = appendBand(buf, c.age, float64(age)); pos > 0 {
			ev, buf = add(ev, buf, sigAge, float64(pos), w[sigAge], from)
		} else {
			buf = buf[:from]
		}
	}
	return ev, buf, lower
}

// add appends the evidence whose text is buf[from:] when it has a weight
// and a position; otherwise it drops the text.
func add(ev []evidence, buf []byte, sig int, pos, weight float64, from int) ([]evidence, []byte) {
	if weight > 0 && pos >= 1 {
		return append(ev, evidence{sig, pos, weight, from, len(buf)}), buf
	}
	return ev, buf[:from]
}

// saturate returns the share of an event signal's weight that n matching
// events earn.
func (m *Model) saturate(n int) float64 {
	return math.Min(1, float64(n)/float64(m.Config.Saturation))
}

// counts returns n zeroed counters, in arr when it is long enough.
func counts(arr []int, n int) []int {
	if n <= len(arr) {
		return arr[:n]
	}
	return make([]int, n)
}

// technologies classifies the account's technologies: each technology
// counts for the first class whose keyword it contains, and the class with
// the greatest total strength (ties: the more advanced stage) is the
// evidence. Technologies listed but in no class are evidence of no tools.
// It appends the evidence's text to buf.
func (m *Model) technologies(techs []string, buf, lower []byte) (sig int, pos float64, _, _ []byte, ok bool) {
	c := &m.c
	// The class of each technology: -1 for none, -2 for a blank.
	var clsArr [32]int32
	cls := clsArr[:0]
	if len(techs) > len(clsArr) {
		cls = make([]int32, 0, len(techs))
	}
	var totArr [16]float64
	var cntArr [16]int
	var total []float64
	if len(c.tech) <= len(totArr) {
		total = totArr[:len(c.tech)]
	} else {
		total = make([]float64, len(c.tech))
	}
	count := counts(cntArr[:], len(c.tech))
	other := 0
	for _, t := range techs {
		t = strings.TrimSpace(t)
		if t == "" {
			cls = append(cls, -2)
			continue
		}
		lower = appendLower(lower[:0], t)
		i := c.techM.classOf(lower)
		cls = append(cls, int32(i))
		if i < 0 {
			other++
			continue
		}
		total[i] += c.tech[i].strength
		count[i]++
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
	buf = append(buf, "technologies "...)
	if best < 0 {
		if other == 0 {
			return 0, 0, buf[:len(buf)-len("technologies ")], lower, false
		}
		buf = appendList(buf, techs, cls, -1, other)
		buf = append(buf, ": none in the table for the problem"...)
		return sigNoTools, float64(c.noTools), buf, lower, true
	}
	buf = appendList(buf, techs, cls, best, count[best])
	buf = append(buf, " ("...)
	buf = append(buf, c.tech[best].name...)
	buf = append(buf, ')')
	also := false
	for i := range c.tech {
		if i != best && count[i] > 0 {
			if also {
				buf = append(buf, ", "...)
			} else {
				buf = append(buf, "; also "...)
				also = true
			}
			buf = appendList(buf, techs, cls, i, count[i])
			buf = append(buf, " ("...)
			buf = append(buf, c.tech[i].name...)
			buf = append(buf, ')')
		}
	}
	return sigTechnologies, float64(c.tech[best].pos), buf, lower, true
}

// appendList appends the n technologies of class want (trimmed), at most
// 4, with the number of the rest.
func appendList(buf []byte, techs []string, cls []int32, want, n int) []byte {
	k := 0
	for i, t := range techs {
		if int(cls[i]) != want {
			continue
		}
		if k == 4 {
			break
		}
		if k > 0 {
			buf = append(buf, ", "...)
		}
		buf = append(buf, strings.TrimSpace(t)...)
		k++
	}
	if n > 4 {
		buf = append(buf, " and "...)
		buf = strconv.AppendInt(buf, int64(n-4), 10)
		buf = append(buf, " more"...)
	}
	return buf
}

// events gathers the evidence of the content read, the support questions
// and the buying activity. An event of a content or ticket kind counts for
// the first class of the table whose keyword its Topic or Text contains;
// the evidence's position is the mean position of the matching events, and
// its text a summary ("3 advanced, 1 beginner"). Buying activity has its
// full weight at the first event.
func (m *Model) events(events []segment.Event, ev []evidence, buf, lower []byte) ([]evidence, []byte, []byte) {
	c := &m.c
	w := &c.weights
	doContent := w[sigContent] > 0 && len(c.content) > 0
	doTickets := w[sigTickets] > 0 && len(c.tickets) > 0
	doActivity := w[sigActivity] > 0 && len(c.activity) > 0
	if !doContent && !doTickets && !doActivity {
		return ev, buf, lower
	}
	var ccArr, tcArr, acArr [16]int
	cc, tc, ac := counts(ccArr[:], len(c.content)), counts(tcArr[:], len(c.tickets)), counts(acArr[:], len(c.activity))
	var cn, tn, an int
	var csum, tsum, asum float64
	// The classes of the last few topic and text pairs: accounts repeat
	// them (the same support question, the same page), and comparing
	// strings costs less than lower-casing and matching them again.
	// A direct-mapped cache, by the texts' lengths.
	var memo [16]struct {
		topic, text      string
		content, tickets int // class, -1 for none, -2 for not looked for
	}
	lastKind, lastInfo, lastOK := "", kindInfo{}, false
	for i := range events {
		e := &events[i]
		if i == 0 || e.Kind != lastKind {
			lastKind = e.Kind
			lastInfo, lastOK = c.kind(e.Kind)
		}
		if !lastOK {
			continue
		}
		ki := &lastInfo
		content, ticket := doContent && ki.content, doTickets && ki.ticket
		if (content || ticket) && (e.Topic != "" || e.Text != "") {
			k := (len(e.Topic)*7 + len(e.Text)) % len(memo)
			if mk := &memo[k]; mk.topic != e.Topic || mk.text != e.Text || mk.topic == "" && mk.text == "" ||
				content && mk.content == -2 || ticket && mk.tickets == -2 {
				lower = appendLower(lower[:0], e.Topic)
				split := len(lower)
				lower = appendLower(lower, e.Text)
				topic, text := lower[:split], lower[split:]
				mk.topic, mk.text, mk.content, mk.tickets = e.Topic, e.Text, -2, -2
				if content {
					memo[k].content = c.contentM.classOf2(topic, text)
				}
				if ticket {
					memo[k].tickets = c.ticketsM.classOf2(topic, text)
				}
			}
			if j := memo[k].content; content && j >= 0 {
				cc[j]++
				csum += float64(c.content[j].pos)
				cn++
			}
			if j := memo[k].tickets; ticket && j >= 0 {
				tc[j]++
				tsum += float64(c.tickets[j].pos)
				tn++
			}
		}
		if doActivity && ki.activity >= 0 {
			ac[ki.activity]++
			asum += float64(c.activity[ki.activity].pos)
			an++
		}
	}
	if cn > 0 {
		from := len(buf)
		buf = append(buf, "content read: "...)
		buf = appendTopics(buf, cc, c.content)
		if cn == 1 {
			buf = append(buf, " topic"...)
		} else {
			buf = append(buf, " topics"...)
		}
		ev, buf = add(ev, buf, sigContent, csum/float64(cn), w[sigContent]*m.saturate(cn), from)
	}
	if tn > 0 {
		from := len(buf)
		buf = append(buf, "support questions: "...)
		buf = appendTopics(buf, tc, c.tickets)
		ev, buf = add(ev, buf, sigTickets, tsum/float64(tn), w[sigTickets]*m.saturate(tn), from)
	}
	if an > 0 {
		from := len(buf)
		buf = append(buf, "activity: "...)
		first := true
		for k, act := range c.activity {
			if ac[k] > 0 {
				if !first {
					buf = append(buf, ", "...)
				}
				first = false
				buf = appendPlural(buf, ac[k], act.label)
			}
		}
		ev, buf = add(ev, buf, sigActivity, asum/float64(an), w[sigActivity], from)
	}
	return ev, buf, lower
}

// appendTopics appends the classes with events, the most first (ties:
// table order), as "3 advanced, 1 beginner"; it zeroes counts.
func appendTopics(buf []byte, counts []int, classes []class) []byte {
	for first := true; ; first = false {
		top := -1
		for i, n := range counts {
			if n > 0 && (top < 0 || n > counts[top]) {
				top = i
			}
		}
		if top < 0 {
			return buf
		}
		if !first {
			buf = append(buf, ", "...)
		}
		buf = strconv.AppendInt(buf, int64(counts[top]), 10)
		buf = append(buf, ' ')
		buf = append(buf, classes[top].name...)
		counts[top] = 0
	}
}

// appendBand returns the position of the band holding v, and appends the
// band as text (" < 10", " ≥ 250", ", 10 to under 50"); 0 when no band
// holds it.
func appendBand(buf []byte, bands []band, v float64) (int, []byte) {
	i := -1
	for j, b := range bands {
		if v >= b.from {
			i = j
		}
	}
	switch {
	case i < 0:
		return 0, buf
	case len(bands) == 1:
		return bands[0].pos, buf
	case i == 0:
		return bands[0].pos, appendNum(append(buf, " < "...), bands[1].from)
	case i == len(bands)-1:
		return bands[i].pos, appendNum(append(buf, " ≥ "...), bands[i].from)
	}
	buf = appendNum(append(buf, ", "...), bands[i].from)
	return bands[i].pos, appendNum(append(buf, " to under "...), bands[i+1].from)
}

// decide combines the evidence, whose texts are in facts, into an
// assignment; it writes the reason texts to out, then makes them one
// string.
func (m *Model) decide(id string, ev []evidence, facts, out []byte) segment.Assignment {
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
			{Text: c.messages[c.n], Field: "guidance"},
		}
		return as
	}
	mean /= total
	maturity := (mean - 1) / float64(c.n-1)
	// ends[i] is the end in out of reason i's text, or -1 for a fixed text.
	var ends [len(signalOrder) + 3]int
	var orderArr [len(signalOrder)]int
	var keysArr [len(signalOrder)]float64
	order := orderArr[:len(ev)]
	if total < cfg.MinWeight {
		as.Segment = c.segments[c.n]
		as.Scores = map[string]float64{"evidence": total, "level": 0, "maturity": maturity}
		rs := make([]segment.Reason, 0, len(ev)+2)
		out = append(out, "too little evidence: weight "...)
		out = appendNum(out, total)
		out = append(out, " of the "...)
		out = appendNum(out, cfg.MinWeight)
		out = append(out, " needed"...)
		ends[len(rs)] = len(out)
		rs = append(rs, segment.Reason{Field: "evidence"})
		sortEvidence(order, ev, nil)
		for _, i := range order {
			e := &ev[i]
			out = append(out, facts[e.from:e.to]...)
			out = append(out, " → "...)
			out = append(out, m.stageName(e.pos)...)
			ends[len(rs)] = len(out)
			rs = append(rs, segment.Reason{Field: signalOrder[e.sig]})
		}
		ends[len(rs)] = -1
		rs = append(rs, segment.Reason{Text: c.messages[c.n], Field: "guidance"})
		as.Reasons = texts(rs, ends[:], out)
		return as
	}
	var vArr [16]float64
	var votes []float64
	if c.n+1 <= len(vArr) {
		votes = vArr[:c.n+1]
	} else {
		votes = make([]float64, c.n+1)
	}
	m.votes(votes, ev)
	best := 1
	for s := 2; s <= c.n; s++ {
		switch {
		case votes[s] > votes[best]+1e-12:
			best = s
		case math.Abs(votes[s]-votes[best]) <= 1e-12 && math.Abs(float64(s)-mean) < math.Abs(float64(best)-mean):
			best = s
		}
	}
	rs := make([]segment.Reason, 0, len(ev)+3)
	rank := 0
	if len(m.Clusters) > 0 {
		var rowArr [16]float64
		var row []float64
		if c.n <= len(rowArr) {
			row = rowArr[:c.n]
		} else {
			row = make([]float64, c.n)
		}
		for s := range row {
			row[s] = votes[s+1] / total
		}
		rank, _ = c.km.Predict(row)
		best = m.Clusters[rank].Level
		ends[len(rs)] = -1
		rs = append(rs, segment.Reason{Text: c.learned[rank], Field: "cluster"})
	}
	support := votes[best] / total
	var conflict float64
	against := false
	for _, e := range ev {
		if math.Abs(e.pos-float64(best)) >= float64(cfg.ConflictGap) {
			conflict += e.weight
			against = true
		}
	}
	conflict /= total
	as.Segment = c.segments[best-1]
	as.Score = clamp01(support * math.Min(1, total/cfg.FullWeight))
	nScores := 5
	if len(m.Clusters) > 0 {
		nScores = 6
	}
	as.Scores = make(map[string]float64, nScores)
	as.Scores["maturity"] = clamp01(maturity)
	as.Scores["conflict"] = clamp01(conflict)
	as.Scores["support"] = clamp01(support)
	as.Scores["evidence"] = total
	as.Scores["level"] = float64(best)
	if len(m.Clusters) > 0 {
		as.Scores["cluster"] = float64(rank + 1)
	}
	keys := keysArr[:len(ev)]
	for i, e := range ev {
		keys[i] = e.weight * kernel(e.pos, best)
	}
	sortEvidence(order, ev, keys)
	for _, i := range order {
		e := &ev[i]
		k := kernel(e.pos, best)
		out = append(out, facts[e.from:e.to]...)
		out = append(out, " → "...)
		out = append(out, m.stageName(e.pos)...)
		if d := e.pos - float64(best); math.Abs(d) >= float64(cfg.ConflictGap) {
			out = append(out, " (contradicts: "...)
			out = appendDirection(out, d)
			out = append(out, ')')
		}
		ends[len(rs)] = len(out)
		rs = append(rs, segment.Reason{Field: signalOrder[e.sig], Effect: round6(e.weight * (2*k - 1) / total)})
	}
	if against {
		out = append(out, "contradictory evidence ("...)
		out = appendPercent(out, conflict)
		out = append(out, " of the weight): "...)
		first := true
		for _, e := range ev {
			if d := e.pos - float64(best); math.Abs(d) >= float64(cfg.ConflictGap) {
				if !first {
					out = append(out, ", "...)
				}
				first = false
				out = append(out, signalOrder[e.sig]...)
				out = append(out, ' ')
				out = appendDirection(out, d)
			}
		}
		out = append(out, ' ')
		out = append(out, cfg.Stages[best-1].Name...)
		ends[len(rs)] = len(out)
		rs = append(rs, segment.Reason{Field: "conflict"})
	}
	if cfg.Stages[best-1].Guidance != "" {
		ends[len(rs)] = -1
		rs = append(rs, segment.Reason{Text: c.messages[best-1], Field: "guidance"})
	}
	as.Reasons = texts(rs, ends[:], out)
	return as
}

// texts sets the Text of each reason i with ends[i] ≥ 0 to its part of
// out, cut from one string.
func texts(rs []segment.Reason, ends []int, out []byte) []segment.Reason {
	s := string(out)
	from := 0
	for i := range rs {
		if ends[i] >= 0 {
			rs[i].Text = s[from:ends[i]]
			from = ends[i]
		}
	}
	return rs
}

// votes sets v[s] to stage s's weighted votes (s from 1 to n): each piece
// of evidence votes for the stages within one step of its position, in
// proportion to closeness, so that its votes sum to its weight.
func (m *Model) votes(v []float64, ev []evidence) {
	clear(v)
	for _, e := range ev {
		for s := 1; s <= m.c.n; s++ {
			v[s] += e.weight * kernel(e.pos, s)
		}
	}
}

// kernel is the share of a vote at position p that goes to stage s: 1 at
// the stage, falling linearly to 0 one stage away.
// It is math.Max(0, 1-|p-s|) without the call: 1-|p-s| is never -0.
func kernel(p float64, s int) float64 {
	k := 1 - math.Abs(p-float64(s))
	if k < 0 {
		return 0
	}
	return k
}

// sortEvidence sets order to the indices of ev sorted by keys (when not
// nil), then weight, descending, then by signal in the order of
// [Signals]; the sort is stable.
func sortEvidence(order []int, ev []evidence, keys []float64) {
	cmp := func(a, b int) int {
		if keys != nil {
			if ka, kb := keys[a], keys[b]; ka != kb {
				if ka > kb {
					return -1
				}
				return 1
			}
		}
		if ea, eb := &ev[a], &ev[b]; ea.weight != eb.weight {
			if ea.weight > eb.weight {
				return -1
			}
			return 1
		}
		return ev[a].sig - ev[b].sig
	}
	for i := range order {
		order[i] = i
	}
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && cmp(order[j], order[j-1]) < 0; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
}

// stageName names the stage nearest position p.
func (m *Model) stageName(p float64) string {
	i := int(math.Round(p)) - 1
	i = max(0, min(i, len(m.Config.Stages)-1))
	return m.Config.Stages[i].Name
}

// clamp01 is math.Max(0, math.Min(1, v)) without the calls: NaN stays
// NaN, and -0 becomes 0.
func clamp01(v float64) float64 {
	switch {
	case v != v:
		return v
	case v >= 1:
		return 1
	case v <= 0:
		return 0
	}
	return v
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// num formats a number for a reason: thousands separated, at most two
// decimals ("1,200", "2.5").
func num(v float64) string { return string(appendNum(nil, v)) }

// appendNum appends v as [num] formats it.
func appendNum(buf []byte, v float64) []byte {
	if v != math.Trunc(v) || math.Abs(v) >= 1e15 {
		start := len(buf)
		buf = strconv.AppendFloat(buf, v, 'f', 2, 64)
		for len(buf) > start && buf[len(buf)-1] == '0' {
			buf = buf[:len(buf)-1]
		}
		for len(buf) > start && buf[len(buf)-1] == '.' {
			buf = buf[:len(buf)-1]
		}
		return buf
	}
	if v > -1000 && v < 1000 {
		return strconv.AppendInt(buf, int64(v), 10)
	}
	var digits [24]byte
	s := strconv.AppendInt(digits[:0], int64(math.Abs(v)), 10)
	if v < 0 {
		buf = append(buf, '-')
	}
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, d)
	}
	return buf
}

// appendPercent appends v as a whole percentage ("40%").
func appendPercent(buf []byte, v float64) []byte {
	return append(strconv.AppendInt(buf, int64(int(math.Round(v*100))), 10), '%')
}

// appendPlural appends "1 unit" or "n units".
func appendPlural(buf []byte, n int, unit string) []byte {
	buf = strconv.AppendInt(buf, int64(n), 10)
	buf = append(buf, ' ')
	buf = append(buf, unit...)
	if n != 1 {
		buf = append(buf, 's')
	}
	return buf
}

// appendDirection appends how far and which way a position lies from the
// stage chosen: "3 stages below".
func appendDirection(buf []byte, d float64) []byte {
	word := " above"
	if d <= 0 {
		d, word = -d, " below"
	}
	if d == math.Trunc(d) {
		buf = appendPlural(buf, int(d), "stage")
	} else {
		buf = strconv.AppendFloat(buf, d, 'f', 1, 64)
		buf = append(buf, " stages"...)
	}
	return append(buf, word...)
}
