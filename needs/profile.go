package needs

import (
	"fmt"
	"maps"
	"math"
	"slices"
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
	topics    map[string][]int // normalized topic → needs
	kinds     map[string]float64
	fields    []textField // sorted by key
	m         *matcher
}

type qref struct {
	need  int
	scale Scale
	label string
}

type textField struct {
	key    string
	weight float64
}

func newIndex(c *Config) *index {
	ix := &index{
		needs:     c.Needs,
		questions: map[string]qref{},
		topics:    map[string][]int{},
		kinds:     c.KindWeights,
	}
	var kws []keyword
	usedScale := map[Scale]bool{}
	for i, n := range c.Needs {
		for _, q := range n.Questions {
			label := q.Label
			if label == "" {
				label = q.Key
			}
			ix.questions[q.Key] = qref{need: i, scale: q.Scale, label: label}
			usedScale[q.Scale] = true
		}
		for _, t := range n.Topics {
			t = normalize(t)
			if !slices.Contains(ix.topics[t], i) {
				ix.topics[t] = append(ix.topics[t], i)
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
			if _, ok := ix.topics[t]; !ok {
				ix.topics[t] = ix.topics[normalize(t)]
			}
		}
	}
	ix.scales = slices.Sorted(maps.Keys(usedScale))
	for _, k := range slices.Sorted(maps.Keys(c.TextFields)) {
		ix.fields = append(ix.fields, textField{k, c.TextFields[k]})
	}
	ix.m = newMatcher(kws)
	return ix
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
	topic  []int   // needs of the event's topic (shared, read only)
	src    int     // index in Events
}

// doc is one text that holds keywords: an event's text (and unmatched
// topic), or a text field.
type doc struct {
	unix   int64
	weight float64 // the event's decayed weight, or the field's weight
	fixed  bool    // a text field: never rescaled
	hits   []hit
	src    int // index in Events, or -1-i for text field i
}

// surveyAnswer is one answer to a taxonomy question, standardized within
// its respondent's answers on the same scale.
type surveyAnswer struct {
	key   string
	need  int
	scale Scale
	value float64
	z     float64
}

// evidence is what one account tells about its needs, before the Model's
// document frequencies weigh its texts.
type evidence struct {
	survey []float64      // points per need from the survey
	topic  []float64      // decayed points per need from event topics
	docs   []doc          // texts with keywords
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
	norm []byte
	hits []hit
}

// extract reads the evidence of a valid account. It returns a
// *segment.FieldError for a survey answer outside its question's scale.
// df, when not nil, counts the texts holding each keyword (for document
// frequencies); ndocs is the number of texts read. With explain, the topic
// events are kept for the reasons.
func (ix *index) extract(a *segment.Account, surveyWeight float64, dec *decay, df []int, sc *scratch, explain bool) (ev evidence, ndocs int, err error) {
	n := len(ix.needs)
	both := make([]float64, 2*n)
	ev.survey, ev.topic = both[:n:n], both[n:]
	if err := ix.extractSurvey(a, surveyWeight, &ev); err != nil {
		return ev, 0, err
	}
	for i := range a.Events {
		if u := a.Events[i].Time.Unix(); !ev.hasEvent || u > ev.latest {
			ev.latest, ev.hasEvent = u, true
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
	for i := range a.Events {
		e := &a.Events[i]
		var topic []int
		hits := sc.hits[:0]
		text := e.Text != ""
		if e.Topic != "" {
			var ok bool
			if topic, ok = ix.topics[e.Topic]; !ok {
				sc.norm = appendNormalized(sc.norm[:0], e.Topic)
				if topic, ok = ix.topics[string(sc.norm)]; !ok {
					hits = ix.m.match(hits, sc.norm)
					text = true
				}
			}
		}
		if e.Text != "" {
			sc.norm = appendNormalized(sc.norm[:0], e.Text)
			hits = ix.m.match(hits, sc.norm)
		}
		sc.hits = hits
		if text {
			count(hits)
		}
		if len(topic) == 0 && len(hits) == 0 {
			continue
		}
		w := ix.kindWeight(e.Kind)
		if w == 0 {
			continue
		}
		t := e.Time.Unix()
		f, ok := dec.factor(t, ev.latest)
		if !ok {
			continue
		}
		w *= f
		for _, j := range topic {
			ev.topic[j] += w / float64(len(topic))
		}
		if explain && len(topic) > 0 {
			ev.items = append(ev.items, item{unix: t, weight: w, topic: topic, src: i})
		}
		if len(hits) > 0 {
			ev.docs = append(ev.docs, doc{unix: t, weight: w, hits: slices.Clone(hits), src: i})
		}
	}
	for fi, f := range ix.fields {
		v, ok := a.Text[f.key]
		if !ok || v == "" {
			continue
		}
		sc.norm = appendNormalized(sc.norm[:0], v)
		sc.hits = ix.m.match(sc.hits[:0], sc.norm)
		count(sc.hits)
		if len(sc.hits) > 0 {
			ev.docs = append(ev.docs, doc{weight: f.weight, fixed: true, hits: slices.Clone(sc.hits), src: -1 - fi})
		}
	}
	return ev, ndocs, nil
}

// extractSurvey standardizes the account's answers to taxonomy questions
// within each scale (ipsatization: minus the respondent's mean, divided by
// the respondent's standard deviation) and turns the answers above the
// mean into points for their needs.
func (ix *index) extractSurvey(a *segment.Account, surveyWeight float64, ev *evidence) error {
	if len(a.Survey) == 0 || len(ix.questions) == 0 {
		return nil
	}
	var keys []string
	for k, v := range a.Survey {
		q, ok := ix.questions[k]
		if !ok {
			continue
		}
		if lo, hi, bounded := q.scale.bounds(); bounded && (v < lo || v > hi) {
			return fmt.Errorf("needs: %w", &segment.FieldError{AccountID: a.ID, Field: "survey[" + k + "]", Err: fmt.Errorf("is %v, outside the %v–%v scale of the question", v, lo, hi)})
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	sum := make([]float64, len(ix.needs))
	cnt := make([]int, len(ix.needs))
	for _, sc := range ix.scales {
		var n int
		var mean, m2 float64
		for _, k := range keys {
			if ix.questions[k].scale != sc {
				continue
			}
			n++
			v := a.Survey[k]
			d := v - mean
			mean += d / float64(n)
			m2 += d * (v - mean)
		}
		if n == 0 {
			continue
		}
		sd := math.Sqrt(m2 / float64(n))
		if n < 2 || sd < 1e-9*math.Max(1, math.Abs(mean)) {
			ev.flat = append(ev.flat, flatBattery{scale: sc, n: n, value: mean})
			continue
		}
		for _, k := range keys {
			q := ix.questions[k]
			if q.scale != sc {
				continue
			}
			z := (a.Survey[k] - mean) / sd
			ev.ans = append(ev.ans, surveyAnswer{key: k, need: q.need, scale: sc, value: a.Survey[k], z: z})
			sum[q.need] += math.Max(0, z)
			cnt[q.need]++
		}
	}
	for i := range sum {
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
	kinds                        map[string]int
	oldest                       int64
	hasOldest                    bool
	keywords                     []string
	textSrc                      []string
}

// points returns the points of each need into dst (len = needs), and, when
// det is not nil, the detail of each need (ev must then have been
// extracted with explain).
func (w *weigher) points(dst []float64, ev *evidence, a *segment.Account, det []needDetail) {
	scale := 1.0
	if ev.relative && w.dec.hasAsOf && w.dec.halfLife > 0 {
		scale = math.Exp2(-float64(w.dec.asOf-ev.rel) / w.dec.halfLife)
	}
	for j := range dst {
		dst[j] = ev.survey[j] + scale*ev.topic[j]
	}
	if det != nil {
		for j := range det {
			det[j].surveyPts = ev.survey[j]
			det[j].eventPts = scale * ev.topic[j]
		}
		for _, it := range ev.items {
			for _, j := range it.topic {
				w.noteEvent(&det[j], a, it.src, it.unix)
			}
		}
	}
	var share [maxNeeds]float64
	for _, d := range ev.docs {
		wt := d.weight
		if !d.fixed {
			wt *= scale
		}
		clear(share[:len(dst)])
		var tot float64
		for _, h := range d.hits {
			v := (1 + math.Log(float64(h.count))) * w.idf[h.kw]
			share[w.ix.m.kws[h.kw].need] += v
			tot += v
		}
		for j, s := range share[:len(dst)] {
			if s == 0 {
				continue
			}
			p := wt * s / tot
			dst[j] += p
			if det == nil {
				continue
			}
			nd := &det[j]
			nd.textPts += p
			var src string
			if d.src >= 0 {
				src = kindNoun(a.Events[d.src].Kind, 1)
				if !slices.ContainsFunc(ev.items, func(it item) bool { return it.src == d.src && slices.Contains(it.topic, j) }) {
					w.noteEvent(nd, a, d.src, d.unix)
				}
			} else {
				src = "text[" + w.ix.fields[-1-d.src].key + "]"
			}
			for _, h := range d.hits {
				if k := w.ix.m.kws[h.kw]; k.need == j && !slices.Contains(nd.keywords, k.raw) {
					nd.keywords = append(nd.keywords, k.raw)
				}
			}
			if !slices.Contains(nd.textSrc, src) {
				nd.textSrc = append(nd.textSrc, src)
			}
		}
	}
}

func (w *weigher) noteEvent(d *needDetail, a *segment.Account, src int, unix int64) {
	if d.kinds == nil {
		d.kinds = map[string]int{}
	}
	d.kinds[a.Events[src].Kind]++
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

func makeProfile(pts []float64, scale float64) Profile {
	p := Profile{Shares: make([]float64, len(pts)), Top: -1, Second: -1}
	for _, v := range pts {
		p.Evidence += v
	}
	if p.Evidence <= 0 {
		p.Evidence = 0
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
