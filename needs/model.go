package needs

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
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
	return &compiled{ix: ix, w: w}
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
	var sc scratch
	ev, _, err := c.ix.extract(a, m.Config.SurveyWeight, &c.w.dec, nil, &sc, false)
	if err != nil {
		return Profile{}, err
	}
	pts := make([]float64, len(c.ix.needs))
	c.w.points(pts, &ev, a, nil)
	return makeProfile(pts, m.Config.EvidenceScale), nil
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
	c, err := m.compiledOrNew()
	if err != nil {
		return segment.Assignment{}, err
	}
	var sc scratch
	ev, _, err := c.ix.extract(a, m.Config.SurveyWeight, &c.w.dec, nil, &sc, true)
	if err != nil {
		return segment.Assignment{}, err
	}
	n := len(c.ix.needs)
	pts := make([]float64, n)
	det := make([]needDetail, n)
	c.w.points(pts, &ev, a, det)
	p := makeProfile(pts, m.Config.EvidenceScale)
	as := segment.Assignment{AccountID: a.ID}
	seg, rule := m.place(&p)
	as.Segment = m.Segs[seg]
	as.Score = p.Confidence
	as.Scores = map[string]float64{"evidence": p.Evidence, "confidence": p.Confidence}
	as.Reasons = append(as.Reasons, rule)
	if p.Top < 0 {
		m.flatReasons(&as, &ev)
		return as, nil
	}
	for j, s := range p.Shares {
		as.Scores["share:"+c.ix.needs[j].ID] = s
	}
	for _, j := range []int{p.Top, p.Second} {
		if j >= 0 {
			m.evidenceReasons(&as, c, &ev, &det[j], j)
		}
	}
	m.flatReasons(&as, &ev)
	var sv, evt, txt float64
	for _, d := range det {
		sv += d.surveyPts
		evt += d.eventPts
		txt += d.textPts
	}
	as.Reasons = append(as.Reasons, segment.Reason{
		Text:   fmt.Sprintf("confidence %.2f from %.1f points of evidence (survey %.1f, event topics %.1f, text %.1f)", p.Confidence, p.Evidence, sv, evt, txt),
		Field:  "evidence",
		Effect: p.Evidence,
	})
	return as, nil
}

// place returns the index of the account's segment and the reason.
func (m *Model) place(p *Profile) (int, segment.Reason) {
	needs := m.Config.Needs
	noEvidence := len(m.Segs) - 1
	if p.Top < 0 {
		return noEvidence, segment.Reason{Text: "no survey answer, event topic or text signals a need → " + m.Segs[noEvidence].Name, Field: "evidence"}
	}
	top := needs[p.Top]
	s1 := p.Shares[p.Top]
	s2 := 0.0
	if p.Second >= 0 {
		s2 = p.Shares[p.Second]
	}
	if m.Config.Mode == Learned {
		row := p.Shares
		if m.Projection != nil {
			row = make([]float64, len(m.Projection.Vectors[0]))
			m.Projection.apply(row, p.Shares)
		}
		k, _ := m.KMeans.Predict(row)
		txt := fmt.Sprintf("profile %s nearest the learned segment %s (%s)", m.describe(p.Shares, 2), m.Segs[k].Name, m.describe(m.Centres[k], 2))
		return k, segment.Reason{Text: txt + " → " + m.Segs[k].Name, Field: "need:" + top.ID, Effect: s1}
	}
	if p.Second < 0 || (s1 >= m.Config.MinShare && s1-s2 >= m.Config.MinMargin) {
		var txt string
		if p.Second < 0 {
			txt = fmt.Sprintf("%s holds all the need evidence", top.Label())
		} else {
			txt = fmt.Sprintf("%s holds %s of the need evidence, %s points ahead of %s (%s)", top.Label(), pct(s1), pts100(s1-s2), needs[p.Second].Label(), pct(s2))
		}
		return p.Top, segment.Reason{Text: txt + " → " + m.Segs[p.Top].Name, Field: "need:" + top.ID, Effect: s1}
	}
	i, j := min(p.Top, p.Second), max(p.Top, p.Second)
	k := len(needs) + pairIndex(i, j, len(needs))
	txt := fmt.Sprintf("no need dominates: %s %s, %s %s (a need dominates with %s of the evidence and a lead of %s points) → %s",
		top.Label(), pct(s1), needs[p.Second].Label(), pct(s2), pct(m.Config.MinShare), pts100(m.Config.MinMargin), m.Segs[k].Name)
	return k, segment.Reason{Text: txt, Field: "need:" + top.ID, Effect: s1}
}

// describe lists the top n needs of shares with their percentages.
func (m *Model) describe(shares []float64, n int) string {
	order := topNeeds(shares, n)
	parts := make([]string, len(order))
	for i, j := range order {
		parts[i] = m.Config.Needs[j].Label() + " " + pct(shares[j])
	}
	return strings.Join(parts, ", ")
}

// topNeeds returns the indices of the n largest positive shares, largest
// first (the first need wins ties).
func topNeeds(shares []float64, n int) []int {
	idx := make([]int, 0, len(shares))
	for j, s := range shares {
		if s > 0 {
			idx = append(idx, j)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(shares[b], shares[a]) })
	return idx[:min(n, len(idx))]
}

func pct(s float64) string    { return strconv.Itoa(int(math.Round(100*s))) + "%" }
func pts100(s float64) string { return strconv.Itoa(int(math.Round(100 * s))) }

// evidenceReasons adds the reasons behind need j.
func (m *Model) evidenceReasons(as *segment.Assignment, c *compiled, ev *evidence, d *needDetail, j int) {
	need := c.ix.needs[j]
	if len(d.kinds) > 0 {
		kinds := slices.Collect(maps.Keys(d.kinds))
		slices.SortFunc(kinds, func(a, b string) int {
			if x := cmp.Compare(c.ix.kindWeight(b), c.ix.kindWeight(a)); x != 0 {
				return x
			}
			if x := cmp.Compare(d.kinds[b], d.kinds[a]); x != 0 {
				return x
			}
			return strings.Compare(a, b)
		})
		parts := make([]string, len(kinds))
		for i, k := range kinds {
			parts[i] = strconv.Itoa(d.kinds[k]) + " " + kindNoun(k, d.kinds[k])
		}
		txt := joinAnd(parts) + " on " + need.Label()
		if c.w.dec.hasAsOf && d.hasOldest && d.oldest <= c.w.dec.asOf {
			days := int(math.Ceil(float64(c.w.dec.asOf-d.oldest) / 86400))
			txt += fmt.Sprintf(" in the last %d days", max(days, 1))
		}
		as.Reasons = append(as.Reasons, segment.Reason{Text: txt, Field: "events", Effect: d.eventPts})
	}
	if len(d.keywords) > 0 {
		q := make([]string, 0, 4)
		for _, k := range d.keywords[:min(4, len(d.keywords))] {
			q = append(q, strconv.Quote(k))
		}
		field := "events.text"
		if len(d.textSrc) == 1 && strings.HasPrefix(d.textSrc[0], "text[") {
			field = d.textSrc[0]
		}
		as.Reasons = append(as.Reasons, segment.Reason{
			Text:   fmt.Sprintf("text: %s in %s → %s", strings.Join(q, ", "), joinAnd(d.textSrc), need.Label()),
			Field:  field,
			Effect: d.textPts,
		})
	}
	for _, a := range ev.ans {
		if a.need != j || a.z <= 0 {
			continue
		}
		as.Reasons = append(as.Reasons, segment.Reason{
			Text:   fmt.Sprintf("survey: %s %s, %.1f SD above this respondent's mean", c.ix.questions[a.key].label, rated(a.scale, a.value), a.z),
			Field:  "survey[" + a.key + "]",
			Effect: a.z,
		})
	}
}

func (m *Model) flatReasons(as *segment.Assignment, ev *evidence) {
	for _, f := range ev.flat {
		var txt string
		if f.n == 1 {
			txt = fmt.Sprintf("survey: a single answer on the %s scale — no relative preference, not counted", f.scale)
		} else {
			txt = fmt.Sprintf("survey: all %d answers on the %s scale %s — no relative preference, not counted", f.n, f.scale, rated(f.scale, f.value))
		}
		as.Reasons = append(as.Reasons, segment.Reason{Text: txt, Field: "survey"})
	}
}

func rated(s Scale, v float64) string {
	f := strconv.FormatFloat(v, 'g', 4, 64)
	switch s {
	case Likert5:
		return "rated " + f + "/5"
	case Rating10:
		return "rated " + f + "/10"
	}
	return "MaxDiff score " + f
}

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
	s, ok := kindNouns[kind]
	if !ok {
		s = strings.ReplaceAll(kind, "_", " ") + " event"
	}
	if n != 1 {
		s += "s"
	}
	return s
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
