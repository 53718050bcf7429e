package needs

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/cluster"
)

// method is the name under which needs models are encoded.
const method = "needs"

// version is the version of the Model encoding this build writes.
const version = 1

// Model is a fitted needs segmentation: the taxonomy, the document
// frequencies of its keywords, the as-of date, and, for [Learned], the
// projection and the k-means clusters of the need profiles. It is plain
// data; json.Marshal encodes it and [Segmenter.DecodeModel] reads it back.
type Model struct {
	segment.Header
	// Config is the Config the Model was fitted with, its defaults filled
	// in (the taxonomy, the kind weights…), without Workers and Progress.
	Config Config `json:"config"`
	// AsOf is the date event ages are measured from: Config.AsOf, or the
	// latest event of the fit data; zero when neither exists (events then
	// do not decay).
	AsOf time.Time `json:"as_of,omitzero"`
	// Documents is the number of texts (event texts, unmatched event
	// topics, text fields) read at Fit, and DocFreq the number of them
	// holding each keyword (keywords found in none are left out); they
	// give each keyword its inverse document frequency.
	Documents int            `json:"documents"`
	DocFreq   map[string]int `json:"doc_freq,omitempty"`
	// Projection is the principal-component projection applied to the
	// profiles before clustering ([Learned]); nil when none is.
	Projection *Projection `json:"projection,omitempty"`
	// KMeans holds the k-means clusters of the (projected) profiles
	// ([Learned]); nil otherwise or when no account had evidence.
	KMeans *cluster.KMeansModel `json:"kmeans,omitempty"`
	// Centres holds, for each learned segment, the mean need shares of its
	// fitted accounts (weighted by confidence), in taxonomy order.
	Centres [][]float64 `json:"centres,omitempty"`
	// N is the number of accounts fitted, and Counts the number of them in
	// each segment, in the order of Segments.
	N      int   `json:"n"`
	Counts []int `json:"counts"`
	// Segs are the segments, in the order Segments lists them.
	Segs []segment.Segment `json:"segments"`

	c *compiled // built by Fit and DecodeModel; read only
}

// Projection is a principal-component projection (Pearson 1901; Jolliffe
// 2002, "Principal Component Analysis"): a profile p becomes
// (p − Mean)·Vectors, Vectors holding one column per component kept.
type Projection struct {
	Mean []float64 `json:"mean"`
	// Vectors has one row per need and one column per component.
	Vectors [][]float64 `json:"vectors"`
	// Explained is the share of the variance of the fitted profiles the
	// kept components explain.
	Explained float64 `json:"explained"`
}

func (p *Projection) apply(dst, shares []float64) {
	for c := range dst {
		var s float64
		for j, v := range shares {
			s += (v - p.Mean[j]) * p.Vectors[j][c]
		}
		dst[c] = s
	}
}

// compiled is what a Model derives from its data to assign: the matcher
// and the weigher. It never changes once built.
type compiled struct {
	ix *index
	w  weigher
	// centres describes the mean profile of each learned segment
	// (describe(Centres[k], 2)).
	centres []string
}

func (m *Model) compile() *compiled {
	ix := newIndex(&m.Config)
	w := weigher{ix: ix, idf: make([]float64, len(ix.m.kws)), dec: decay{known: true, strict: !m.Config.AsOf.IsZero()}}
	for i, k := range ix.m.kws {
		w.idf[i] = idf(m.Documents, m.DocFreq[k.text])
	}
	if !m.AsOf.IsZero() {
		w.dec.asOf, w.dec.hasAsOf = m.AsOf.Unix(), true
	}
	if m.Config.HalfLifeDays > 0 {
		w.dec.halfLife = m.Config.HalfLifeDays * 86400
	}
	c := &compiled{ix: ix, w: w}
	c.describeCentres(m)
	return c
}

// describeCentres sets the descriptions of the Model's learned segments.
func (c *compiled) describeCentres(m *Model) {
	c.centres = make([]string, len(m.Centres))
	for k, ctr := range m.Centres {
		c.centres[k] = m.describe(ctr, 2)
	}
}

// compiledOrNew returns the compiled form built by Fit or DecodeModel, or,
// for a Model decoded some other way, checks it and builds a fresh one
// (never cached: Assign stays pure).
func (m *Model) compiledOrNew() (*compiled, error) {
	if m.c != nil {
		return m.c, nil
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return m.compile(), nil
}

var _ segment.Model = (*Model)(nil)

// Segments lists the segments. With [Dominant]: one per need in taxonomy
// order ("needs/<id>"), then one per pair of needs ("needs/mixed/<a>+<b>",
// a before b in taxonomy order), then "needs/no-evidence". With [Learned]:
// the learned segments ("needs/learned/<slug>", named by their top needs),
// then "needs/no-evidence". The caller must not modify the slice.
func (m *Model) Segments() []segment.Segment { return m.Segs }

// pairIndex numbers the pair i < j of n needs from 0.
func pairIndex(i, j, n int) int { return i*(2*n-i-1)/2 + (j - i - 1) }

// Profile returns the account's need profile under the Model: the same
// profile Assign places. It returns a [*segment.FieldError] for an account
// that [segment.Account.Validate] refuses or with a survey answer outside
// its question's scale.
func (m *Model) Profile(a *segment.Account) (Profile, error) {
	if a == nil {
		return Profile{}, fmt.Errorf("needs: nil account: %w", segment.ErrInvalidAccount)
	}
	if err := a.Validate(); err != nil {
		return Profile{}, fmt.Errorf("needs: %w", err)
	}
	c, err := m.compiledOrNew()
	if err != nil {
		return Profile{}, err
	}
	w := works.Get().(*work)
	defer works.Put(w)
	if _, err := c.ix.extract(&w.ev, a, m.Config.SurveyWeight, &c.w.dec, nil, &w.sc, false); err != nil {
		return Profile{}, err
	}
	w.size(len(c.ix.needs), 0)
	c.w.points(w.pts, &w.ev, nil)
	return makeProfile(nil, w.pts, m.Config.EvidenceScale), nil
}

// work holds the buffers of one Assign or Profile call; calls take one
// from works and put it back, so that a goroutine assigning account after
// account reuses the same buffers.
type work struct {
	sc     scratch
	ev     evidence
	pts    []float64
	shares []float64
	row    []float64
	det    []needDetail
	buf    []byte           // the reason texts, one after the other
	ends   []reasonEnd      // one per reason
	a      *segment.Account // the account being assigned
}

// reasonEnd is a Reason whose text ends at end in work.buf.
type reasonEnd struct {
	end    int
	field  string
	effect float64
}

var works = sync.Pool{New: func() any { return new(work) }}

// size readies w for a taxonomy of n needs and projected rows of width
// values.
func (w *work) size(n, width int) {
	if cap(w.pts) < n {
		w.pts, w.shares = make([]float64, n), make([]float64, n)
	}
	w.pts, w.shares = w.pts[:n], w.shares[:n]
	if cap(w.row) < width {
		w.row = make([]float64, width)
	}
	w.row = w.row[:width]
	if cap(w.det) < n {
		w.det = make([]needDetail, n)
	}
	w.det = w.det[:n]
	for i := range w.det {
		w.det[i].reset()
	}
	w.buf, w.ends = w.buf[:0], w.ends[:0]
}

// end closes the reason whose text was appended to w.buf last.
func (w *work) end(field string, effect float64) {
	w.ends = append(w.ends, reasonEnd{end: len(w.buf), field: field, effect: effect})
}

// reasons returns the reasons closed so far, their texts cut from one
// string.
func (w *work) reasons() []segment.Reason {
	s := string(w.buf)
	rs := make([]segment.Reason, len(w.ends))
	start := 0
	for i, e := range w.ends {
		rs[i] = segment.Reason{Text: s[start:e.end], Field: e.field, Effect: e.effect}
		start = e.end
	}
	return rs
}

// Assign places an account in a needs segment. It is a pure function,
// safe for concurrent use.
//
// The Assignment's Score is the profile's confidence, 1 − exp(−evidence /
// EvidenceScale), in [0, 1): how much evidence there is, not how clear the
// need is (0 in "no evidence"). Scores holds "evidence" (the points),
// "confidence", and "share:<id>" for every need of the taxonomy (its share
// of the evidence) when there is evidence. Reasons give the rule that
// placed the account first, then the evidence of its top need and of the
// second (events by kind on the need's topics with their time span,
// keywords found in text, survey answers above the respondent's mean),
// then a note on survey answers without relative information, then the
// amount of evidence.
//
// It returns an error wrapping [segment.ErrInvalidAccount] (a
// [*segment.FieldError]) for an account that [segment.Account.Validate]
// refuses or with a survey answer outside its question's scale.
func (m *Model) Assign(a *segment.Account) (segment.Assignment, error) {
	if a == nil {
		return segment.Assignment{}, fmt.Errorf("needs: nil account: %w", segment.ErrInvalidAccount)
	}
	if err := a.Validate(); err != nil {
		return segment.Assignment{}, fmt.Errorf("needs: %w", err)
	}
	return m.AssignValid(a)
}

// AssignValid is Assign for an account whose Validate the caller has
// checked (see [segment.ValidAssigner]); the combinators call it.
func (m *Model) AssignValid(a *segment.Account) (segment.Assignment, error) {
	c, err := m.compiledOrNew()
	if err != nil {
		return segment.Assignment{}, err
	}
	w := works.Get().(*work)
	as, err := m.assign(a, c, w)
	w.a = nil
	works.Put(w)
	return as, err
}

func (m *Model) assign(a *segment.Account, c *compiled, w *work) (segment.Assignment, error) {
	w.a = a
	ev := &w.ev
	if _, err := c.ix.extract(ev, a, m.Config.SurveyWeight, &c.w.dec, nil, &w.sc, true); err != nil {
		return segment.Assignment{}, err
	}
	n := len(c.ix.needs)
	w.size(n, m.rowWidth())
	c.w.points(w.pts, ev, w.det)
	p := makeProfile(w.shares, w.pts, m.Config.EvidenceScale)
	for _, j := range [2]int{p.Top, p.Second} {
		if j >= 0 {
			c.w.explain(&w.det[j], j, ev, a, w.sc.kinds)
		}
	}
	k := m.segmentOf(&p, w.row)
	as := segment.Assignment{AccountID: a.ID, Segment: m.Segs[k], Score: p.Confidence}
	m.ruleReason(w, c, &p, k)
	if p.Top < 0 {
		as.Scores = map[string]float64{"evidence": p.Evidence, "confidence": p.Confidence}
		flatReasons(w, ev)
		as.Reasons = w.reasons()
		return as, nil
	}
	as.Scores = make(map[string]float64, 2+n)
	as.Scores["evidence"], as.Scores["confidence"] = p.Evidence, p.Confidence
	for j, s := range p.Shares {
		as.Scores[c.ix.shareKeys[j]] = s
	}
	evidenceReasons(w, c, ev, p.Top)
	if p.Second >= 0 {
		evidenceReasons(w, c, ev, p.Second)
	}
	flatReasons(w, ev)
	var sv, evt, txt float64
	for i := range w.det {
		d := &w.det[i]
		sv += d.surveyPts
		evt += d.eventPts
		txt += d.textPts
	}
	b := append(w.buf, "confidence "...)
	b = strconv.AppendFloat(b, p.Confidence, 'f', 2, 64)
	b = append(b, " from "...)
	b = strconv.AppendFloat(b, p.Evidence, 'f', 1, 64)
	b = append(b, " points of evidence (survey "...)
	b = strconv.AppendFloat(b, sv, 'f', 1, 64)
	b = append(b, ", event topics "...)
	b = strconv.AppendFloat(b, evt, 'f', 1, 64)
	b = append(b, ", text "...)
	b = strconv.AppendFloat(b, txt, 'f', 1, 64)
	w.buf = append(b, ')')
	w.end("evidence", p.Evidence)
	as.Reasons = w.reasons()
	return as, nil
}

// rowWidth is the number of values of a projected profile; 0 without a
// projection.
func (m *Model) rowWidth() int {
	if m.Projection == nil || len(m.Projection.Vectors) == 0 {
		return 0
	}
	return len(m.Projection.Vectors[0])
}

// segmentOf returns the index of the segment of profile p; row holds
// rowWidth values, for the projected profile.
func (m *Model) segmentOf(p *Profile, row []float64) int {
	needs := m.Config.Needs
	if p.Top < 0 {
		return len(m.Segs) - 1
	}
	if m.Config.Mode == Learned {
		r := p.Shares
		if m.Projection != nil {
			r = row[:len(m.Projection.Vectors[0])]
			m.Projection.apply(r, p.Shares)
		}
		k, _ := m.KMeans.Predict(r)
		return k
	}
	s1 := p.Shares[p.Top]
	s2 := 0.0
	if p.Second >= 0 {
		s2 = p.Shares[p.Second]
	}
	if p.Second < 0 || (s1 >= m.Config.MinShare && s1-s2 >= m.Config.MinMargin) {
		return p.Top
	}
	i, j := min(p.Top, p.Second), max(p.Top, p.Second)
	return len(needs) + pairIndex(i, j, len(needs))
}

// ruleReason adds the reason for placing p in segment k, as segmentOf
// did.
func (m *Model) ruleReason(w *work, c *compiled, p *Profile, k int) {
	needs := m.Config.Needs
	b := w.buf
	if p.Top < 0 {
		b = append(b, "no survey answer, event topic or text signals a need → "...)
		w.buf = append(b, m.Segs[k].Name...)
		w.end("evidence", 0)
		return
	}
	top := needs[p.Top].Label()
	s1 := p.Shares[p.Top]
	s2 := 0.0
	if p.Second >= 0 {
		s2 = p.Shares[p.Second]
	}
	switch {
	case m.Config.Mode == Learned:
		b = append(b, "profile "...)
		b = m.appendDescribe(b, p.Shares, 2)
		b = append(b, " nearest the learned segment "...)
		b = append(b, m.Segs[k].Name...)
		b = append(b, " ("...)
		b = append(b, c.centres[k]...)
		b = append(b, ')')
	case k == p.Top && p.Second < 0:
		b = append(b, top...)
		b = append(b, " holds all the need evidence"...)
	case k == p.Top:
		b = append(b, top...)
		b = append(b, " holds "...)
		b = appendPct(b, s1)
		b = append(b, " of the need evidence, "...)
		b = appendPts(b, s1-s2)
		b = append(b, " points ahead of "...)
		b = append(b, needs[p.Second].Label()...)
		b = append(b, " ("...)
		b = appendPct(b, s2)
		b = append(b, ')')
	default:
		b = append(b, "no need dominates: "...)
		b = append(b, top...)
		b = append(b, ' ')
		b = appendPct(b, s1)
		b = append(b, ", "...)
		b = append(b, needs[p.Second].Label()...)
		b = append(b, ' ')
		b = appendPct(b, s2)
		b = append(b, " (a need dominates with "...)
		b = appendPct(b, m.Config.MinShare)
		b = append(b, " of the evidence and a lead of "...)
		b = appendPts(b, m.Config.MinMargin)
		b = append(b, " points)"...)
	}
	b = append(b, " → "...)
	w.buf = append(b, m.Segs[k].Name...)
	w.end(c.ix.needFields[p.Top], s1)
}

// describe lists the top n needs of shares with their percentages.
func (m *Model) describe(shares []float64, n int) string {
	return string(m.appendDescribe(nil, shares, n))
}

// appendDescribe appends the top n (at most 3) needs of shares with their
// percentages.
func (m *Model) appendDescribe(b []byte, shares []float64, n int) []byte {
	var order [3]int
	for i, j := range order[:topNeeds(order[:n], shares)] {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, m.Config.Needs[j].Label()...)
		b = append(b, ' ')
		b = appendPct(b, shares[j])
	}
	return b
}

// topNeeds writes into dst the indices of the len(dst) largest positive
// shares, largest first (the first need wins ties), and returns how many
// there are.
func topNeeds(dst []int, shares []float64) int {
	n := 0
	for n < len(dst) {
		best := -1
		for j, s := range shares {
			if s > 0 && (best < 0 || s > shares[best]) && !slices.Contains(dst[:n], j) {
				best = j
			}
		}
		if best < 0 {
			break
		}
		dst[n] = best
		n++
	}
	return n
}

// appendPct appends a share as a whole percentage ("27%").
func appendPct(b []byte, s float64) []byte {
	return append(appendPts(b, s), '%')
}

// appendPts appends a share in whole percentage points ("27").
func appendPts(b []byte, s float64) []byte {
	return strconv.AppendInt(b, int64(int(math.Round(100*s))), 10)
}

// evidenceReasons adds the reasons behind need j.
func evidenceReasons(w *work, c *compiled, ev *evidence, j int) {
	label := c.ix.needs[j].Label()
	d := &w.det[j]
	if len(d.kinds) > 0 {
		evs := w.a.Events
		slices.SortFunc(d.kinds, func(x, y kindCount) int {
			if v := cmp.Compare(y.weight, x.weight); v != 0 {
				return v
			}
			if v := cmp.Compare(y.n, x.n); v != 0 {
				return v
			}
			return strings.Compare(evs[x.src].Kind, evs[y.src].Kind)
		})
		b := w.buf
		for i, k := range d.kinds {
			b = appendSep(b, i, len(d.kinds))
			b = strconv.AppendInt(b, int64(k.n), 10)
			b = append(b, ' ')
			if k.ref >= 0 && w.sc.kinds[k.ref].noun >= 0 {
				b = append(b, nounKinds[w.sc.kinds[k.ref].noun].noun...)
				if k.n != 1 {
					b = append(b, 's')
				}
			} else {
				b = appendKindNoun(b, evs[k.src].Kind, k.n)
			}
		}
		b = append(b, " on "...)
		b = append(b, label...)
		if c.w.dec.hasAsOf && d.hasOldest && d.oldest <= c.w.dec.asOf {
			days := int(math.Ceil(float64(c.w.dec.asOf-d.oldest) / 86400))
			b = append(b, " in the last "...)
			b = strconv.AppendInt(b, int64(max(days, 1)), 10)
			b = append(b, " days"...)
		}
		w.buf = b
		w.end("events", d.eventPts)
	}
	if len(d.keywords) > 0 {
		b := append(w.buf, "text: "...)
		for i, k := range d.keywords[:min(4, len(d.keywords))] {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, c.ix.m.kws[k].quoted...)
		}
		b = append(b, " in "...)
		for i, s := range d.textSrc {
			b = appendSep(b, i, len(d.textSrc))
			b = append(b, s...)
		}
		b = append(b, " → "...)
		w.buf = append(b, label...)
		field := "events.text"
		if len(d.textSrc) == 1 && strings.HasPrefix(d.textSrc[0], "text[") {
			field = d.textSrc[0]
		}
		w.end(field, d.textPts)
	}
	for i := range ev.ans {
		a := &ev.ans[i]
		if a.need != j || a.z <= 0 {
			continue
		}
		b := append(w.buf, "survey: "...)
		b = append(b, a.label...)
		b = append(b, ' ')
		b = appendRated(b, a.scale, a.value)
		b = append(b, ", "...)
		b = strconv.AppendFloat(b, a.z, 'f', 1, 64)
		w.buf = append(b, " SD above this respondent's mean"...)
		w.end(a.field, a.z)
	}
}

// appendSep appends what comes before part i of n in a list read "a, b
// and c".
func appendSep(b []byte, i, n int) []byte {
	switch {
	case i == 0:
		return b
	case i == n-1:
		return append(b, " and "...)
	}
	return append(b, ", "...)
}

func flatReasons(w *work, ev *evidence) {
	for _, f := range ev.flat {
		var b []byte
		if f.n == 1 {
			b = append(w.buf, "survey: a single answer on the "...)
			b = append(b, f.scale.String()...)
			b = append(b, " scale"...)
		} else {
			b = append(w.buf, "survey: all "...)
			b = strconv.AppendInt(b, int64(f.n), 10)
			b = append(b, " answers on the "...)
			b = append(b, f.scale.String()...)
			b = append(b, " scale "...)
			b = appendRated(b, f.scale, f.value)
		}
		w.buf = append(b, " — no relative preference, not counted"...)
		w.end("survey", 0)
	}
}

// appendRated appends an answer with its scale ("rated 4/5").
func appendRated(b []byte, s Scale, v float64) []byte {
	switch s {
	case Likert5:
		b = append(b, "rated "...)
		b = strconv.AppendFloat(b, v, 'g', 4, 64)
		return append(b, "/5"...)
	case Rating10:
		b = append(b, "rated "...)
		b = strconv.AppendFloat(b, v, 'g', 4, 64)
		return append(b, "/10"...)
	}
	b = append(b, "MaxDiff score "...)
	return strconv.AppendFloat(b, v, 'g', 4, 64)
}

// nounKinds lists the kinds of kindNouns with their nouns, in kind order.
var nounKinds = func() []struct{ kind, noun string } {
	var t []struct{ kind, noun string }
	for _, k := range slices.Sorted(maps.Keys(kindNouns)) {
		t = append(t, struct{ kind, noun string }{k, kindNouns[k]})
	}
	return t
}()

var kindNouns = map[string]string{
	segment.EventPageView:    "page view",
	segment.EventContent:     "article",
	segment.EventWebinar:     "webinar",
	segment.EventEmail:       "e-mail",
	segment.EventDemoRequest: "demo request",
	segment.EventTrial:       "trial",
	segment.EventMeeting:     "meeting",
	segment.EventCall:        "call",
	segment.EventForm:        "form",
	segment.EventTicket:      "support ticket",
}

// kindNoun names an event kind for n events ("demo requests").
func kindNoun(kind string, n int) string {
	if s, ok := kindNouns[kind]; ok && n == 1 {
		return s
	}
	return string(appendKindNoun(nil, kind, n))
}

// appendKindNoun appends the name of an event kind for n events.
func appendKindNoun(b []byte, kind string, n int) []byte {
	if s, ok := kindNouns[kind]; ok {
		b = append(b, s...)
	} else {
		for i := 0; i < len(kind); i++ {
			if c := kind[i]; c == '_' {
				b = append(b, ' ')
			} else {
				b = append(b, c)
			}
		}
		b = append(b, " event"...)
	}
	if n != 1 {
		b = append(b, 's')
	}
	return b
}
