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

// item is one piece of time-stamped or stated evidence: an event (its
// topic's needs and its text's keywords) or a text field.
type item struct {
	unix   int64 // seconds; 0 for a text field (no age)
	weight float64
	topic  []int // needs of the event's topic (shared, read only)
	hits   []hit // keywords of its text
	src    int   // index in Events, or -1-i for text field i
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
// document frequencies and as-of date weigh it.
type evidence struct {
	survey   []float64      // points per need from the survey
	items    []item         // events and text fields that matched something
	ans      []surveyAnswer // answers that carry relative information
	flat     []flatBattery  // batteries without relative information
	latest   int64          // latest event time, seconds, when hasEvent
	hasEvent bool
}

// flatBattery records a respondent's answers on one scale that carry no
// relative information: all equal (a straight-liner), or a single answer.
type flatBattery struct {
	scale Scale
	n     int
	value float64
}

// extract reads the evidence of a valid account. It returns a
// *segment.FieldError for a survey answer outside its question's scale.
// docs, when not nil, collects the keywords each text holds once (for
// document frequencies); it reports the number of texts read.
func (ix *index) extract(a *segment.Account, surveyWeight float64, df []int) (ev evidence, ndocs int, err error) {
	ev.survey = make([]float64, len(ix.needs))
	if err := ix.extractSurvey(a, surveyWeight, &ev); err != nil {
		return ev, 0, err
	}
	var buf []hit
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
		if u := e.Time.Unix(); !ev.hasEvent || u > ev.latest {
			ev.latest, ev.hasEvent = u, true
		}
		w := ix.kindWeight(e.Kind)
		var topic []int
		buf = buf[:0]
		text := e.Text != ""
		if e.Topic != "" {
			t := normalize(e.Topic)
			var ok bool
			if topic, ok = ix.topics[t]; !ok {
				buf = ix.m.match(buf, t)
				text = true
			}
		}
		if e.Text != "" {
			buf = ix.m.match(buf, normalize(e.Text))
		}
		if text {
			count(buf)
		}
		if w == 0 || (len(topic) == 0 && len(buf) == 0) {
			continue
		}
		ev.items = append(ev.items, item{unix: e.Time.Unix(), weight: w, topic: topic, hits: slices.Clone(buf), src: i})
	}
	for fi, f := range ix.fields {
		v, ok := a.Text[f.key]
		if !ok || v == "" {
			continue
		}
		buf = ix.m.match(buf[:0], normalize(v))
		count(buf)
		if len(buf) > 0 {
			ev.items = append(ev.items, item{weight: f.weight, hits: slices.Clone(buf), src: -1 - fi})
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
			return &segment.FieldError{AccountID: a.ID, Field: "survey[" + k + "]", Err: fmt.Errorf("needs: is %v, outside the %v–%v scale of the question", v, lo, hi)}
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
	ix       *index
	idf      []float64 // by keyword
	asOf     int64     // seconds, when hasAsOf
	hasAsOf  bool      // without it, no decay
	strict   bool      // leave out events after asOf
	halfLife float64   // seconds; ≤ 0: no decay
}

// needDetail explains the points of one need.
type needDetail struct {
	eventPts, textPts, surveyPts float64
	kinds                        map[string]int
	oldest                       int64
	keywords                     []string
	textSrc                      []string
}

// points returns the points of each need into dst (len = needs), and, when
// det is not nil, the detail of each need.
func (w *weigher) points(dst []float64, ev *evidence, a *segment.Account, det []needDetail) {
	copy(dst, ev.survey)
	if det != nil {
		for j := range det {
			det[j].surveyPts = ev.survey[j]
		}
	}
	share := make([]float64, len(dst))
	for _, it := range ev.items {
		wt := it.weight
		if it.src >= 0 && w.hasAsOf {
			if it.unix > w.asOf {
				if w.strict {
					continue
				}
			} else if w.halfLife > 0 {
				wt *= math.Exp2(-float64(w.asOf-it.unix) / w.halfLife)
			}
		}
		for _, j := range it.topic {
			p := wt / float64(len(it.topic))
			dst[j] += p
			if det != nil {
				d := &det[j]
				d.eventPts += p
				w.noteEvent(d, a, it)
			}
		}
		if len(it.hits) == 0 {
			continue
		}
		clear(share)
		var tot float64
		for _, h := range it.hits {
			v := (1 + math.Log(float64(h.count))) * w.idf[h.kw]
			share[w.ix.m.kws[h.kw].need] += v
			tot += v
		}
		for j, s := range share {
			if s == 0 {
				continue
			}
			p := wt * s / tot
			dst[j] += p
			if det != nil {
				d := &det[j]
				d.textPts += p
				if it.src >= 0 && len(it.topic) == 0 {
					w.noteEvent(d, a, it)
				}
				for _, h := range it.hits {
					if k := w.ix.m.kws[h.kw]; k.need == j && !slices.Contains(d.keywords, k.raw) {
						d.keywords = append(d.keywords, k.raw)
					}
				}
				var src string
				if it.src >= 0 {
					src = kindNoun(a.Events[it.src].Kind, 1)
				} else {
					src = "text[" + w.ix.fields[-1-it.src].key + "]"
				}
				if !slices.Contains(d.textSrc, src) {
					d.textSrc = append(d.textSrc, src)
				}
			}
		}
	}
}

func (w *weigher) noteEvent(d *needDetail, a *segment.Account, it item) {
	if d.kinds == nil {
		d.kinds = map[string]int{}
	}
	d.kinds[a.Events[it.src].Kind]++
	if d.oldest == 0 || it.unix < d.oldest {
		d.oldest = it.unix
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
