package needs

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/strataseg/strata/segment"
)

// index is a taxonomy compiled for matching: question, topic and keyword
// look-ups and the kind weights. It is built from a resolved Config and
// never changes, so Models share it between goroutines.
type index struct {
	needs     []Need
	questions map[string]qref
	scales    []Scale          // the scales some question uses, ascending
	topics    map[string]int32 // normalized topic (or as the taxonomy writes it) → index in topicSets
	topicSets [][]int          // needs of each topic
	kinds     map[string]float64
	kindInfo  map[string]kindInfo // the kinds with a weight or a noun
	fields    []textField         // sorted by key
	m         *matcher
	// shareKeys and needFields are the Scores key ("share:<id>") and the
	// Reason field ("need:<id>") of each need.
	shareKeys, needFields []string
}

type qref struct {
	need  int
	scale Scale
	label string
	field string // "survey[<key>]"
}

type textField struct {
	key    string
	weight float64
	src    string // "text[<key>]"
}

func newIndex(c *Config) *index {
	ix := &index{
		needs:     c.Needs,
		questions: map[string]qref{},
		kinds:     c.KindWeights,
	}
	topics := map[string][]int{}
	var kws []keyword
	usedScale := map[Scale]bool{}
	for i, n := range c.Needs {
		for _, q := range n.Questions {
			label := q.Label
			if label == "" {
				label = q.Key
			}
			ix.questions[q.Key] = qref{need: i, scale: q.Scale, label: label, field: "survey[" + q.Key + "]"}
			usedScale[q.Scale] = true
		}
		for _, t := range n.Topics {
			t = normalize(t)
			if !slices.Contains(topics[t], i) {
				topics[t] = append(topics[t], i)
			}
		}
		seen := map[string]bool{}
		for _, lang := range slices.Sorted(maps.Keys(n.Keywords)) {
			for _, raw := range n.Keywords[lang] {
				k, ok := compileKeyword(i, raw)
				if !ok || seen[k.text] {
					continue
				}
				seen[k.text] = true
				kws = append(kws, k)
			}
		}
	}
	// Topics as the taxonomy writes them, looked up before normalizing an
	// event's topic, map to what their normalized form maps to.
	for _, n := range c.Needs {
		for _, t := range n.Topics {
			if _, ok := topics[t]; !ok {
				topics[t] = topics[normalize(t)]
			}
		}
	}
	ix.topics = make(map[string]int32, len(topics))
	for _, t := range slices.Sorted(maps.Keys(topics)) {
		ix.topics[t] = int32(len(ix.topicSets))
		ix.topicSets = append(ix.topicSets, topics[t])
	}
	ix.kindInfo = map[string]kindInfo{}
	for k := range c.KindWeights {
		ix.kindInfo[k] = kindInfo{weight: ix.kindWeight(k), noun: -1}
	}
	for i, k := range nounKinds {
		ix.kindInfo[k.kind] = kindInfo{weight: ix.kindWeight(k.kind), noun: int32(i)}
	}
	ix.scales = slices.Sorted(maps.Keys(usedScale))
	for _, k := range slices.Sorted(maps.Keys(c.TextFields)) {
		ix.fields = append(ix.fields, textField{k, c.TextFields[k], "text[" + k + "]"})
	}
	for _, n := range c.Needs {
		ix.shareKeys = append(ix.shareKeys, "share:"+n.ID)
		ix.needFields = append(ix.needFields, "need:"+n.ID)
	}
	ix.m = newMatcher(kws)
	return ix
}

// kindInfo is what the index knows of an event kind: its weight, and its
// noun, an index in nounKinds (-1 for none).
type kindInfo struct {
	weight float64
	noun   int32
}

func (ix *index) kindWeight(kind string) float64 {
	if w, ok := ix.kinds[kind]; ok {
		return w
	}
	return 1
}

// item is one event that signals a need through its topic, kept to
// explain an assignment.
type item struct {
	unix   int64
	weight float64 // decayed
	topic  int32   // index in topicSets of the event's topic
	src    int     // index in Events
	kind   int32   // index in scratch.kinds of the event's kind, or -1
}

// doc is one text that holds keywords: an event's text (and unmatched
// topic), or a text field.
type doc struct {
	unix   int64
	weight float64 // the event's decayed weight, or the field's weight
	fixed  bool    // a text field: never rescaled
	lo, hi int32   // its hits: evidence.hits[lo:hi]
	item   int32   // index in evidence.items of the same event's topic item, or -1
	kind   int32   // index in scratch.kinds of the event's kind, or -1
	src    int     // index in Events, or -1-i for text field i
}

// surveyAnswer is one answer to a taxonomy question, standardized within
// its respondent's answers on the same scale.
type surveyAnswer struct {
	key   string
	need  int
	scale Scale
	value float64
	z     float64
	label string // the question's label
	field string // "survey[<key>]"
}

// evidence is what one account tells about its needs, before the Model's
// document frequencies weigh its texts.
type evidence struct {
	both   []float64      // backs survey and topic
	survey []float64      // points per need from the survey
	topic  []float64      // decayed points per need from event topics
	docs   []doc          // texts with keywords
	hits   []hit          // the keywords of every doc
	items  []item         // topic events, when explaining
	ans    []surveyAnswer // answers that carry relative information
	flat   []flatBattery  // batteries without relative information
	// relative reports that the decayed weights are relative to the
	// account's latest event, rel, rather than to the as-of date: Fit
	// learns the as-of date only once it has seen every account, and
	// 2^(−(asOf−t)/h) = 2^(−(asOf−rel)/h)·2^(−(rel−t)/h).
	relative bool
	rel      int64
	latest   int64 // latest event time, seconds, when hasEvent
	hasEvent bool
}

// reset empties ev for an account under a taxonomy of n needs, keeping
// its buffers.
func (ev *evidence) reset(n int) {
	if cap(ev.both) < 2*n {
		ev.both = make([]float64, 2*n)
	} else {
		ev.both = ev.both[:2*n]
		clear(ev.both)
	}
	ev.survey, ev.topic = ev.both[:n:n], ev.both[n:2*n:2*n]
	ev.docs, ev.hits, ev.items, ev.ans, ev.flat = ev.docs[:0], ev.hits[:0], ev.items[:0], ev.ans[:0], ev.flat[:0]
	ev.relative, ev.rel, ev.latest, ev.hasEvent = false, 0, 0, false
}

// flatBattery records a respondent's answers on one scale that carry no
// relative information: all equal (a straight-liner), or a single answer.
type flatBattery struct {
	scale Scale
	n     int
	value float64
}

// decay says how extract weighs an event by its age.
type decay struct {
	known    bool    // asOf is known (else: relative to the account's latest event)
	hasAsOf  bool    // with known: there is an as-of date (else no decay)
	asOf     int64   // seconds
	strict   bool    // with known: events after asOf are left out
	halfLife float64 // seconds; ≤ 0: no decay
}

// factor returns the weight factor of an event at t, and false for one
// left out.
func (d *decay) factor(t, latest int64) (float64, bool) {
	if d.halfLife <= 0 {
		if d.known && d.hasAsOf && d.strict && t > d.asOf {
			return 0, false
		}
		return 1, true
	}
	if !d.known {
		return math.Exp2(-float64(latest-t) / d.halfLife), true
	}
	if !d.hasAsOf {
		return 1, true
	}
	if t > d.asOf {
		if d.strict {
			return 0, false
		}
		return 1, true
	}
	return math.Exp2(-float64(d.asOf-t) / d.halfLife), true
}

// scratch holds buffers one goroutine reuses from account to account.
type scratch struct {
	norm    []byte
	answers []answerRef
	texts   []seenText
	memo    []hit
	topics  []topicRef
	kinds   []kindRef
}

// answerRef is a survey answer to a taxonomy question, with the question.
type answerRef struct {
	key string
	q   qref
	v   float64
}

// seenText is a text already matched for the current account, and where
// its hits are in scratch.memo: accounts often repeat a text (the same
// ticket subject, the same form answer).
type seenText struct {
	src    int32 // the index in Events of the event whose Text it is
	lo, hi int32
}

// extract reads the evidence of a valid account into ev (reset first, its
// buffers reused). It returns a *segment.FieldError for a survey answer
// outside its question's scale. df, when not nil, counts the texts holding
// each keyword (for document frequencies); ndocs is the number of texts
// read. With explain, the topic events are kept for the reasons.
func (ix *index) extract(ev *evidence, a *segment.Account, surveyWeight float64, dec *decay, df []int, sc *scratch, explain bool) (ndocs int, err error) {
	ev.reset(len(ix.needs))
	if err := ix.extractSurvey(a, surveyWeight, ev, sc); err != nil {
		return 0, err
	}
	if !dec.known || df != nil {
		// Fit: the latest event gives the as-of date, or the reference of
		// relative weights.
		for i := range a.Events {
			if u := a.Events[i].Time.Unix(); !ev.hasEvent || u > ev.latest {
				ev.latest, ev.hasEvent = u, true
			}
		}
	}
	if !dec.known && ev.hasEvent && dec.halfLife > 0 {
		ev.relative, ev.rel = true, ev.latest
	}
	count := func(h []hit) {
		ndocs++
		if df != nil {
			for _, x := range h {
				df[x.kw]++
			}
		}
	}
	sc.texts, sc.memo, sc.topics, sc.kinds = sc.texts[:0], sc.memo[:0], sc.topics[:0], sc.kinds[:0]
	for i := range a.Events {
		e := &a.Events[i]
		var topic []int
		ts := int32(-1)
		lo := int32(len(ev.hits))
		text := e.Text != ""
		if e.Topic != "" {
			var th []hit
			ts, th = ix.topicOf(a, i, sc)
			if ts >= 0 {
				topic = ix.topicSets[ts]
			} else {
				ev.hits = append(ev.hits, th...)
				text = true
			}
		}
		if e.Text != "" {
			ev.hits = mergeHits(ev.hits, int(lo), ix.textHits(a, e.Text, int32(i), sc))
		}
		hits := ev.hits[lo:]
		if text {
			count(hits)
		}
		if len(topic) == 0 && len(hits) == 0 {
			continue
		}
		k := ix.kindOf(a, i, sc)
		w := k.weight
		if w == 0 {
			ev.hits = ev.hits[:lo]
			continue
		}
		t := e.Time.Unix()
		f, ok := dec.factor(t, ev.latest)
		if !ok {
			ev.hits = ev.hits[:lo]
			continue
		}
		w *= f
		for _, j := range topic {
			ev.topic[j] += w / float64(len(topic))
		}
		it := int32(-1)
		if explain && len(topic) > 0 {
			it = int32(len(ev.items))
			ev.items = append(ev.items, item{unix: t, weight: w, topic: ts, src: i, kind: k.index})
		}
		if len(hits) > 0 {
			ev.docs = append(ev.docs, doc{unix: t, weight: w, lo: lo, hi: int32(len(ev.hits)), item: it, src: i, kind: k.index})
		}
	}
	for fi, f := range ix.fields {
		v, ok := a.Text[f.key]
		if !ok || v == "" {
			continue
		}
		lo := int32(len(ev.hits))
		ev.hits = append(ev.hits, ix.textHits(a, v, -1, sc)...)
		count(ev.hits[lo:])
		if int32(len(ev.hits)) > lo {
			ev.docs = append(ev.docs, doc{weight: f.weight, fixed: true, lo: lo, hi: int32(len(ev.hits)), item: -1, src: -1 - fi, kind: -1})
		}
	}
	return ndocs, nil
}

// maxSeen bounds the texts, topics and kinds of one account whose look-ups
// are remembered (an account with more looks the others up each time).
const maxSeen = 32

// textHits returns the hits of a text on its own, remembering them for
// the account when it is the Text of event src (src ≥ 0): accounts often
// repeat a text (the same ticket subject, the same form answer). The
// result is in sc.memo.
func (ix *index) textHits(a *segment.Account, text string, src int32, sc *scratch) []hit {
	for i := range sc.texts {
		if s := &sc.texts[i]; a.Events[s.src].Text == text {
			return sc.memo[s.lo:s.hi]
		}
	}
	sc.norm = appendNormalized(sc.norm[:0], text)
	lo := len(sc.memo)
	sc.memo = ix.m.match(sc.memo, lo, sc.norm)
	if src >= 0 && len(sc.texts) < maxSeen {
		sc.texts = append(sc.texts, seenText{src: src, lo: int32(lo), hi: int32(len(sc.memo))})
	}
	return sc.memo[lo:]
}

// mergeHits adds the hits hs of one text to those in dst[from:], as if
// the text had been matched after them.
func mergeHits(dst []hit, from int, hs []hit) []hit {
	if len(dst) == from {
		return append(dst, hs...)
	}
next:
	for _, h := range hs {
		for i := from; i < len(dst); i++ {
			if dst[i].kw == h.kw {
				dst[i].count += h.count
				continue next
			}
		}
		dst = append(dst, h)
	}
	return dst
}

// topicRef is an event topic already looked up for the current account:
// the needs it signals, or, for a topic of no need, its keywords (in
// scratch.memo) as a text.
type topicRef struct {
	src    int32 // the index in Events of the event whose Topic it is
	set    int32 // index in topicSets, or -1 for a topic of no need
	lo, hi int32
}

// topicOf looks the topic of event i up: the index in topicSets of the
// needs it signals, or, when it is the topic of no need, -1 and its
// keywords as a text.
func (ix *index) topicOf(a *segment.Account, i int, sc *scratch) (set int32, hits []hit) {
	t := a.Events[i].Topic
	for j := range sc.topics {
		if r := &sc.topics[j]; a.Events[r.src].Topic == t {
			return r.set, sc.memo[r.lo:r.hi]
		}
	}
	set, ok := ix.topics[t]
	if !ok {
		sc.norm = appendNormalized(sc.norm[:0], t)
		if set, ok = ix.topics[string(sc.norm)]; !ok {
			set = -1
			lo := len(sc.memo)
			sc.memo = ix.m.match(sc.memo, lo, sc.norm)
			hits = sc.memo[lo:]
		}
	}
	if len(sc.topics) < maxSeen {
		hi := int32(len(sc.memo))
		sc.topics = append(sc.topics, topicRef{src: int32(i), set: set, lo: hi - int32(len(hits)), hi: hi})
	}
	return set, hits
}

// kindRef is an event kind already looked up for the current account.
type kindRef struct {
	src   int32 // the index in Events of an event of the kind
	index int32 // in scratch.kinds; -1 when not remembered
	kindInfo
}

// kindOf looks the kind of event i up.
func (ix *index) kindOf(a *segment.Account, i int, sc *scratch) kindRef {
	kind := a.Events[i].Kind
	for j := range sc.kinds {
		if a.Events[sc.kinds[j].src].Kind == kind {
			return sc.kinds[j]
		}
	}
	info, ok := ix.kindInfo[kind]
	if !ok {
		info = kindInfo{weight: 1, noun: -1}
	}
	k := kindRef{src: int32(i), index: -1, kindInfo: info}
	if len(sc.kinds) < maxSeen {
		k.index = int32(len(sc.kinds))
		sc.kinds = append(sc.kinds, k)
	}
	return k
}

// extractSurvey standardizes the account's answers to taxonomy questions
// within each scale (ipsatization: minus the respondent's mean, divided by
// the respondent's standard deviation) and turns the answers above the
// mean into points for their needs.
func (ix *index) extractSurvey(a *segment.Account, surveyWeight float64, ev *evidence, sc *scratch) error {
	if len(a.Survey) == 0 || len(ix.questions) == 0 {
		return nil
	}
	rs := sc.answers[:0]
	for k, v := range a.Survey {
		q, ok := ix.questions[k]
		if !ok {
			continue
		}
		if lo, hi, bounded := q.scale.bounds(); bounded && (v < lo || v > hi) {
			return fmt.Errorf("needs: %w", &segment.FieldError{AccountID: a.ID, Field: "survey[" + k + "]", Err: fmt.Errorf("is %v, outside the %v–%v scale of the question", v, lo, hi)})
		}
		rs = append(rs, answerRef{key: k, q: q, v: v})
	}
	sc.answers = rs
	slices.SortFunc(rs, func(x, y answerRef) int { return strings.Compare(x.key, y.key) })
	var sum [maxNeeds]float64
	var cnt [maxNeeds]int
	for _, scl := range ix.scales {
		var n int
		var mean, m2 float64
		for i := range rs {
			if rs[i].q.scale != scl {
				continue
			}
			n++
			v := rs[i].v
			d := v - mean
			mean += d / float64(n)
			m2 += d * (v - mean)
		}
		if n == 0 {
			continue
		}
		sd := math.Sqrt(m2 / float64(n))
		if n < 2 || sd < 1e-9*math.Max(1, math.Abs(mean)) {
			ev.flat = append(ev.flat, flatBattery{scale: scl, n: n, value: mean})
			continue
		}
		for i := range rs {
			q := &rs[i].q
			if q.scale != scl {
				continue
			}
			z := (rs[i].v - mean) / sd
			ev.ans = append(ev.ans, surveyAnswer{key: rs[i].key, need: q.need, scale: scl, value: rs[i].v, z: z, label: q.label, field: q.field})
			sum[q.need] += math.Max(0, z)
			cnt[q.need]++
		}
	}
	for i := range ix.needs {
		if cnt[i] > 0 {
			ev.survey[i] = surveyWeight * sum[i] / float64(cnt[i])
		}
	}
	return nil
}

// weigher turns evidence into points with a Model's document frequencies
// and as-of date.
type weigher struct {
	ix  *index
	idf []float64 // by keyword
	dec decay     // the Model's as-of date and half-life, known
}

// needDetail explains the points of one need.
type needDetail struct {
	eventPts, textPts, surveyPts float64
	kinds                        []kindCount // in order of first event
	oldest                       int64
	hasOldest                    bool
	keywords                     []int32 // canonical keywords (keyword.canon)
	textSrc                      []string
}

// logCounts holds ln n for the small counts of a keyword in a text.
var logCounts = func() (t [16]float64) {
	for n := range t {
		t[n] = math.Log(float64(n))
	}
	return t
}()

// logCount returns ln n.
func logCount(n int32) float64 {
	if n >= 0 && int(n) < len(logCounts) {
		return logCounts[n]
	}
	return math.Log(float64(n))
}

// kindCount counts the events of one kind behind a need.
type kindCount struct {
	src    int32 // the index in Events of an event of the kind
	ref    int32 // index in scratch.kinds, or -1
	n      int
	weight float64 // the kind's weight
}

// reset empties d, keeping its buffers.
func (d *needDetail) reset() {
	d.eventPts, d.textPts, d.surveyPts = 0, 0, 0
	d.kinds, d.keywords, d.textSrc = d.kinds[:0], d.keywords[:0], d.textSrc[:0]
	d.oldest, d.hasOldest = 0, false
}

// points returns the points of each need into dst (len = needs), and, when
// det is not nil, the points of each need by source (det's elements must
// be reset; explain adds the events and texts behind a need).
func (w *weigher) points(dst []float64, ev *evidence, det []needDetail) {
	scale := w.scale(ev)
	for j := range dst {
		dst[j] = ev.survey[j] + scale*ev.topic[j]
	}
	for j := range det {
		det[j].surveyPts = ev.survey[j]
		det[j].eventPts = scale * ev.topic[j]
	}
	var share [maxNeeds]float64
	for di := range ev.docs {
		d := &ev.docs[di]
		wt := d.weight
		if !d.fixed {
			wt *= scale
		}
		clear(share[:len(dst)])
		var tot float64
		for _, h := range ev.hits[d.lo:d.hi] {
			v := (1 + logCount(h.count)) * w.idf[h.kw]
			share[w.ix.m.kws[h.kw].need] += v
			tot += v
		}
		for j, s := range share[:len(dst)] {
			if s == 0 {
				continue
			}
			p := wt * s / tot
			dst[j] += p
			if det != nil {
				det[j].textPts += p
			}
		}
	}
}

// scale returns the factor that turns ev's decayed weights into weights
// as of the Model's as-of date.
func (w *weigher) scale(ev *evidence) float64 {
	if ev.relative && w.dec.hasAsOf && w.dec.halfLife > 0 {
		return math.Exp2(-float64(w.dec.asOf-ev.rel) / w.dec.halfLife)
	}
	return 1
}

// explain adds to nd the events and texts behind need j (ev must have been
// extracted with explain, with the kinds it looked up): the events whose
// topic signals it, then those whose text does, and the keywords and
// sources of those texts, in the order of the documents.
func (w *weigher) explain(nd *needDetail, j int, ev *evidence, a *segment.Account, kinds []kindRef) {
	for _, it := range ev.items {
		if slices.Contains(w.ix.topicSets[it.topic], j) {
			w.noteEvent(nd, a, kinds, it.src, it.kind, it.unix)
		}
	}
	for di := range ev.docs {
		d := &ev.docs[di]
		hits := ev.hits[d.lo:d.hi]
		if !slices.ContainsFunc(hits, func(h hit) bool { return w.ix.m.kws[h.kw].need == j }) {
			continue
		}
		var src string
		if d.src >= 0 {
			if d.kind >= 0 && kinds[d.kind].noun >= 0 {
				src = nounKinds[kinds[d.kind].noun].noun
			} else {
				src = kindNoun(a.Events[d.src].Kind, 1)
			}
			if d.item < 0 || !slices.Contains(w.ix.topicSets[ev.items[d.item].topic], j) {
				w.noteEvent(nd, a, kinds, d.src, d.kind, d.unix)
			}
		} else {
			src = w.ix.fields[-1-d.src].src
		}
		for _, h := range hits {
			if k := &w.ix.m.kws[h.kw]; k.need == j && !slices.Contains(nd.keywords, k.canon) {
				nd.keywords = append(nd.keywords, k.canon)
			}
		}
		if !slices.Contains(nd.textSrc, src) {
			nd.textSrc = append(nd.textSrc, src)
		}
	}
}

// noteEvent counts event src, whose kind is kinds[ki] (ki ≥ 0), in d.
func (w *weigher) noteEvent(d *needDetail, a *segment.Account, kinds []kindRef, src int, ki int32, unix int64) {
	kind := a.Events[src].Kind
	found := false
	for i := range d.kinds {
		if d.kinds[i].ref == ki && (ki >= 0 || a.Events[d.kinds[i].src].Kind == kind) {
			d.kinds[i].n++
			found = true
			break
		}
	}
	if !found {
		var wt float64
		if ki >= 0 {
			wt = kinds[ki].weight
		} else {
			wt = w.ix.kindWeight(kind)
		}
		d.kinds = append(d.kinds, kindCount{src: int32(src), ref: ki, n: 1, weight: wt})
	}
	if !d.hasOldest || unix < d.oldest {
		d.oldest, d.hasOldest = unix, true
	}
}

// Profile is an account's need profile: the share of the evidence that
// signals each need, and how much evidence there is.
type Profile struct {
	// Shares holds one share per need of the taxonomy, in its order; they
	// sum to 1, or are all 0 when there is no evidence.
	Shares []float64 `json:"shares"`
	// Evidence is the total of the evidence points: survey answers above
	// the respondent's mean, decayed event weights, text weights.
	Evidence float64 `json:"evidence"`
	// Confidence is 1 − exp(−Evidence / EvidenceScale), in [0, 1).
	Confidence float64 `json:"confidence"`
	// Top and Second index the needs of largest and second largest share
	// (the first need wins ties); -1 when there is none.
	Top, Second int `json:"-"`
}

// makeProfile returns the profile of the points pts, its Shares in
// shares (len(pts); nil: a new slice).
func makeProfile(shares, pts []float64, scale float64) Profile {
	if shares == nil {
		shares = make([]float64, len(pts))
	}
	p := Profile{Shares: shares, Top: -1, Second: -1}
	for _, v := range pts {
		p.Evidence += v
	}
	if p.Evidence <= 0 {
		p.Evidence = 0
		clear(shares)
		return p
	}
	for j, v := range pts {
		p.Shares[j] = v / p.Evidence
		switch {
		case v <= 0:
		case p.Top < 0 || v > pts[p.Top]:
			p.Second, p.Top = p.Top, j
		case p.Second < 0 || v > pts[p.Second]:
			p.Second = j
		}
	}
	p.Confidence = 1 - math.Exp(-p.Evidence/scale)
	return p
}

func unixTime(u int64) time.Time { return time.Unix(u, 0).UTC() }
