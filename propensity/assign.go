package propensity

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/strataseg/strata/segment"
)

// This file is Assign's path: what it needs of a Model's fields is worked
// out once, when Fit returns the Model or DecodeModel reads it back (a
// prep, in an unexported field, so that the Model's JSON does not change),
// and each Assign reads an account's records once, into a view, scores it
// in scratch space from a pool and writes every reason text into one
// buffer. It gives the answers of the straightforward code it replaced
// byte for byte: the same floating-point operations in the same order, the
// same texts (see TestAssignGoldenSHA).

// fieldKind is a Field's Kind as a small number.
type fieldKind uint8

const (
	fkOther fieldKind = iota
	fkEmployees
	fkRevenue
	fkGrowth
	fkFounded
	fkNumber
	fkTechnology
	fkEvents
	fkRecency
	fkBought
	fkOrders
	fkAmount
	fkTenure
	fkIndustry
	fkNAICSSector
	fkCountry
	fkType
	fkChannel
	fkLeadGrade
	fkText
)

var fieldKinds = map[string]fieldKind{
	kEmployees: fkEmployees, kRevenue: fkRevenue, kGrowth: fkGrowth, kFounded: fkFounded,
	kNumber: fkNumber, kTechnology: fkTechnology, kEvents: fkEvents, kRecency: fkRecency,
	kBought: fkBought, kOrders: fkOrders, kAmount: fkAmount, kTenure: fkTenure,
	kIndustry: fkIndustry, kNAICSSector: fkNAICSSector, kCountry: fkCountry, kType: fkType,
	kChannel: fkChannel, kLeadGrade: fkLeadGrade, kText: fkText,
}

// prepField is what Assign needs of one field of a Scorer.
type prepField struct {
	Field
	kind    fieldKind
	numeric bool   // f.numeric()
	slot    int    // the field's technology or event kind in a view; -1
	name    string // f.name()
	label   string // f.label()
}

// prepScorer is what Assign needs of one Scorer.
type prepScorer struct {
	// fields are the Scorer's numeric fields, then its categorical ones,
	// as its contributions (and Groups) number them.
	fields []prepField
	nNum   int
	width  int
	// key is "p_buy[<target>]", a cross-sell line's score's name.
	key string
	// sparse says that the Scorer's Groups are those Fit makes (each
	// numeric field's value and indicator, then each categorical field's
	// one-hot columns), so that score can skip the one-hot zeros: numW is
	// the numeric pipeline's width, cats the one-hot columns.
	sparse bool
	numW   int
	nums   []prepNum
	cats   []prepCat
	// table holds, for each one-hot column c, from cats[c].tab on, the
	// column's contribution with no level set, then with each of its
	// levels set in turn: coefficient × (value − mean) summed over its
	// encoded columns, in their order.
	table []float64
}

// prepNum is one numeric field's encoded columns: where its indicator is
// (−1: none), and its value column's outputs for raw values 0 and 1
// (technologies, products bought and event counts are mostly one of them),
// when the pipeline takes them.
type prepNum struct {
	ind        int
	has0, has1 bool
	out0, out1 float64
}

// prepCat is one categorical field's one-hot columns: where they start,
// how many, where the table of their contributions starts, and the column
// each fitted level (kept or grouped) sets.
type prepCat struct {
	off, w, tab int
	hot         map[string]int
}

// prep is what Assign needs of a Model, worked out once.
type prep struct {
	// techs and events number the technologies and event kinds the
	// fields read, for a view's techs and events; kinds lists the event
	// kinds in that order (a short list is searched faster than the map).
	techs, events map[string]int
	kinds         []string
	scorers       []prepScorer // the Scorer, or one per Line
	width, fields int          // the largest of the scorers
}

func newPrep(m *Model) *prep {
	scs := m.Lines
	if m.Kind != CrossSell {
		scs = []*Scorer{m.Scorer}
	}
	p := &prep{techs: map[string]int{}, events: map[string]int{}, scorers: make([]prepScorer, len(scs))}
	for i, sc := range scs {
		ps := &p.scorers[i]
		ps.nNum = len(sc.Numeric)
		ps.width = sc.Features.Width()
		ps.key = "p_buy[" + sc.Target + "]"
		for _, f := range slices.Concat(sc.Numeric, sc.Categorical) {
			pf := prepField{Field: f, kind: fieldKinds[f.Kind], numeric: f.numeric(), slot: -1, name: f.name(), label: f.label()}
			var slots map[string]int
			switch pf.kind {
			case fkTechnology:
				slots = p.techs
			case fkEvents:
				slots = p.events
			}
			if slots != nil {
				k, ok := slots[f.Key]
				if !ok {
					k = len(slots)
					slots[f.Key] = k
					if pf.kind == fkEvents {
						p.kinds = append(p.kinds, f.Key)
					}
				}
				pf.slot = k
			}
			ps.fields = append(ps.fields, pf)
		}
		ps.prepSparse(sc)
		p.width = max(p.width, ps.width)
		p.fields = max(p.fields, len(ps.fields))
	}
	return p
}

// prepSparse fills the sparse path's tables when the Scorer's Groups allow
// it.
func (ps *prepScorer) prepSparse(sc *Scorer) {
	ft := sc.Features
	d := ps.width
	if !slices.Equal(sc.Groups, groups(ft)) || len(sc.Model.Coef) != d || len(sc.Means) != d {
		return
	}
	ps.sparse = true
	if ft.Numeric != nil {
		ps.numW = ft.Numeric.OutputWidth()
		ind := len(ft.Numeric.Columns)
		for j, col := range ft.Numeric.Columns {
			pn := prepNum{ind: -1}
			if col.Indicator {
				pn.ind = ind
				ind++
			}
			var err0, err1 error
			pn.out0, _, err0 = ft.Numeric.TransformValue(j, 0)
			pn.out1, _, err1 = ft.Numeric.TransformValue(j, 1)
			pn.has0, pn.has1 = err0 == nil, err1 == nil
			ps.nums = append(ps.nums, pn)
		}
	}
	if ft.Categorical == nil {
		return
	}
	coef, means := sc.Model.Coef, sc.Means
	off := ps.numW
	for c, col := range ft.Categorical.Columns {
		w := len(col.Levels)
		if col.Other {
			w++
		}
		pc := prepCat{off: off, w: w, tab: len(ps.table), hot: make(map[string]int, len(col.Levels)+len(col.Grouped))}
		for _, lv := range slices.Concat(col.Levels, col.Grouped) {
			if h, err := ft.Categorical.HotIndex(c, lv); err == nil {
				pc.hot[lv] = h
			}
		}
		ps.cats = append(ps.cats, pc)
		for h := -1; h < w; h++ {
			var sum float64
			for k := range w {
				x := 0.0
				if k == h {
					x = 1
				}
				sum += coef[off+k] * (x - means[off+k])
			}
			ps.table = append(ps.table, sum)
		}
		off += w
	}
}

// prepared returns the Model's prep; a Model made otherwise than by Fit or
// DecodeModel has none and gets one of its own at each call.
func (m *Model) prepared() *prep {
	if m.prep != nil {
		return m.prep
	}
	return newPrep(m)
}

// view is what the fields read from an account's records, gathered once
// per Assign (as summarize does for Fit).
type view struct {
	a        *segment.Account
	asOf     time.Time
	window   int
	last     time.Time // the latest event before the cut-off
	lastDays float64   // days from last to the cut-off
	techs    []bool    // whether the account uses each technology of prep.techs
	events   []float64 // events of each kind of prep.events in the window
	lines    []line    // orders by product line (cross-sell only), by name
}

type line struct {
	name string
	lineSum
}

// scratch is one Assign's working space, from scratchPool.
type scratch struct {
	view
	num     []float64
	cat     []string
	x       []float64
	contrib []float64
	hot     []int
	best    []float64
	cands   []cand
	offs    []int
	picked  []int
	buf     []byte
}

type cand struct {
	line int
	p    float64
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func getScratch(p *prep) *scratch {
	s := scratchPool.Get().(*scratch)
	s.techs = grow(s.techs, len(p.techs))
	clear(s.techs)
	s.events = grow(s.events, len(p.events))
	clear(s.events)
	s.lines = s.lines[:0]
	s.x = grow(s.x, p.width)
	s.contrib = grow(s.contrib, p.fields)
	s.best = grow(s.best, p.fields)
	s.cands = s.cands[:0]
	s.buf = s.buf[:0]
	s.offs = s.offs[:0]
	return s
}

func putScratch(s *scratch) {
	// Drop the references to the account (the lines past the length were
	// cleared when their Assign put the scratch back).
	clear(s.cat[:cap(s.cat)])
	clear(s.lines)
	s.a = nil
	if cap(s.buf) > 1<<16 {
		s.buf = nil
	}
	scratchPool.Put(s)
}

// look reads the account's records into the view, as summarize does.
func (p *prep) look(v *view, a *segment.Account, asOf time.Time, windowDays int, orders bool) {
	v.a, v.asOf, v.window = a, asOf, windowDays
	v.last, v.lastDays = time.Time{}, 0
	end := cutoff(a, asOf)
	start := end.AddDate(0, 0, -windowDays)
	for i := range a.Events {
		e := &a.Events[i]
		if !e.Time.Before(end) {
			continue
		}
		if e.Time.After(v.last) {
			v.last = e.Time
		}
		if e.Time.Before(start) {
			continue
		}
		if k := p.eventSlot(e.Kind); k >= 0 {
			v.events[k]++
		}
	}
	if len(p.techs) > 0 {
		for _, t := range a.Technologies {
			if k, ok := p.techs[t]; ok {
				v.techs[k] = true
			}
		}
	}
	if orders {
		for i := range a.Orders {
			o := &a.Orders[i]
			if o.Return || o.ProductLine == "" {
				continue
			}
			k := slices.IndexFunc(v.lines, func(l line) bool { return l.name == o.ProductLine })
			if k < 0 {
				k = len(v.lines)
				v.lines = append(v.lines, line{name: o.ProductLine})
			}
			l := &v.lines[k]
			l.count++
			l.amount += o.Amount
			if l.first.IsZero() || o.Time.Before(l.first) {
				l.first = o.Time
			}
		}
		slices.SortFunc(v.lines, func(x, y line) int { return strings.Compare(x.name, y.name) })
	}
	if !v.last.IsZero() {
		v.lastDays = end.Sub(v.last).Hours() / 24
	}
}

// eventSlot returns the slot of an event kind, −1 when no field reads it.
func (p *prep) eventSlot(kind string) int {
	if len(p.kinds) <= 16 {
		for k, s := range p.kinds {
			if s == kind {
				return k
			}
		}
		return -1
	}
	if k, ok := p.events[kind]; ok {
		return k
	}
	return -1
}

// bought returns the orders of a product line.
func (v *view) bought(name string) float64 {
	for i := range v.lines {
		if v.lines[i].name == name {
			return v.lines[i].count
		}
	}
	return 0
}

// value returns a numeric field's raw value, as Field.value does.
func (v *view) value(f *prepField, target string) float64 {
	a := v.a
	nan := math.NaN()
	switch f.kind {
	case fkEmployees:
		if x, ok := a.Employees.Get(); ok {
			return x
		}
	case fkRevenue:
		if x, ok := a.Revenue.Get(); ok {
			return x
		}
	case fkGrowth:
		if x, ok := a.Growth.Get(); ok {
			return x
		}
	case fkFounded:
		if a.Founded != 0 {
			return float64(a.Founded)
		}
	case fkNumber:
		if x, ok := a.Numbers[f.Key]; ok {
			return x
		}
	case fkTechnology:
		if v.techs[f.slot] {
			return 1
		}
		return 0
	case fkEvents:
		return v.events[f.slot]
	case fkRecency:
		if !v.last.IsZero() {
			return v.lastDays
		}
	case fkBought:
		if v.bought(f.Key) > 0 {
			return 1
		}
		return 0
	case fkOrders, fkAmount, fkTenure:
		var count, amount float64
		var first time.Time
		for i := range v.lines {
			l := &v.lines[i]
			if l.name == target {
				continue
			}
			count += l.count
			amount += l.amount
			if first.IsZero() || l.first.Before(first) {
				first = l.first
			}
		}
		switch f.kind {
		case fkOrders:
			return count
		case fkAmount:
			return amount
		}
		if !first.IsZero() && first.Before(v.asOf) {
			return v.asOf.Sub(first).Hours() / 24 / 30.436875
		}
	}
	return nan
}

// level returns a categorical field's level, as Field.level does.
func (v *view) level(f *prepField) string {
	a := v.a
	var s string
	switch f.kind {
	case fkIndustry:
		s = a.Industry
	case fkNAICSSector:
		if len(a.NAICS) >= 2 {
			s = a.NAICS[:2]
		}
	case fkCountry:
		s = a.Country
	case fkType:
		if a.Type != segment.TypeUnknown {
			s = a.Type.String()
		}
	case fkChannel:
		s = a.Channel
	case fkLeadGrade:
		s = a.LeadGrade
	case fkText:
		s = a.Text[f.Key]
	}
	if s == "" {
		return unknownLevel
	}
	return s
}

// score returns the calibrated probability of the viewed account and the
// contribution of each field, in dst (as many as the Scorer has fields).
func (sc *Scorer) score(ps *prepScorer, v *view, s *scratch, dst []float64) (float64, []float64, error) {
	s.num = grow(s.num, ps.nNum)
	for j := range s.num {
		s.num[j] = v.value(&ps.fields[j], sc.Target)
	}
	if ps.sparse {
		if p, contrib, ok := sc.scoreSparse(ps, v, s, dst); ok {
			return p, contrib, nil
		}
	}
	s.cat = grow(s.cat, len(ps.fields)-ps.nNum)
	for j := range s.cat {
		s.cat[j] = v.level(&ps.fields[ps.nNum+j])
	}
	x := s.x[:ps.width]
	if err := sc.Features.TransformRow(x, s.num, s.cat); err != nil {
		return 0, nil, err
	}
	z, err := sc.Model.DecisionRow(x)
	if err != nil {
		return 0, nil, err
	}
	contrib := dst[:len(ps.fields)]
	clear(contrib)
	coef, means, groups := sc.Model.Coef[:len(x)], sc.Means[:len(x)], sc.Groups[:len(x)]
	for j, xv := range x {
		contrib[groups[j]] += coef[j] * (xv - means[j])
	}
	return sc.Calibrator.Apply(z), contrib, nil
}

// scoreSparse is score for a Scorer whose one-hot columns it can skip; it
// returns false when the account is in error, for score's dense path to
// give the error. Adding the one-hot zeros' coefficient × 0 to the
// log-odds changes nothing (but the sign of a zero), and the one-hot
// columns' contributions come from the table: the answer is the dense
// path's.
func (sc *Scorer) scoreSparse(ps *prepScorer, v *view, s *scratch, dst []float64) (float64, []float64, bool) {
	ft := sc.Features
	xn := s.x[:ps.numW]
	for j, raw := range s.num {
		pn := &ps.nums[j]
		var out float64
		missing := false
		switch bits := math.Float64bits(raw); {
		case bits == 0 && pn.has0:
			out = pn.out0
		case bits == one && pn.has1:
			out = pn.out1
		default:
			var err error
			if out, missing, err = ft.Numeric.TransformValue(j, raw); err != nil {
				return 0, nil, false
			}
		}
		xn[j] = out
		if pn.ind >= 0 {
			xn[pn.ind] = b2f(missing)
		}
	}
	s.hot = grow(s.hot, len(ps.cats))
	for c := range ps.cats {
		lv := v.level(&ps.fields[ps.nNum+c])
		h, ok := ps.cats[c].hot[lv]
		if !ok {
			var err error
			if h, err = ft.Categorical.HotIndex(c, lv); err != nil {
				return 0, nil, false
			}
		}
		if h >= ps.cats[c].w {
			return 0, nil, false
		}
		s.hot[c] = h
	}
	coef, means, groups := sc.Model.Coef[:len(xn)], sc.Means[:len(xn)], sc.Groups[:len(xn)]
	z := sc.Model.Intercept
	for j, x := range xn {
		z += coef[j] * x
	}
	contrib := dst[:len(ps.fields)]
	clear(contrib[:ps.nNum])
	for j, x := range xn {
		contrib[groups[j]] += coef[j] * (x - means[j])
	}
	for c, h := range s.hot {
		pc := &ps.cats[c]
		if h >= 0 {
			z += sc.Model.Coef[pc.off+h]
		}
		contrib[ps.nNum+c] = ps.table[pc.tab+1+h]
	}
	return sc.Calibrator.Apply(z), contrib, true
}

// one is the bits of 1.0.
var one = math.Float64bits(1)

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// pick returns the fields with the largest contributions, up to top each
// way (3 at most), largest first: what a stable sort by decreasing
// magnitude, read until a magnitude below 0.005, gives.
func pick(dst []int, contrib []float64, top int) []int {
	dst = dst[:0]
	if top > 3 {
		return pickSorted(dst, contrib, top)
	}
	// up and down hold the largest positive and negative contributions so
	// far, by decreasing magnitude, then index.
	var up, down [3]int
	var upAbs, downAbs [3]float64
	nu, nd := 0, 0
	for g, c := range contrib {
		a := math.Abs(c)
		if a < 0.005 {
			continue
		}
		if a != a {
			return pickSorted(dst, contrib, top)
		}
		list, abs, n := &up, &upAbs, &nu
		if c < 0 {
			list, abs, n = &down, &downAbs, &nd
		}
		k := *n
		for k > 0 && abs[k-1] < a {
			k--
		}
		if k >= top {
			continue
		}
		for m := min(*n, top-1); m > k; m-- {
			list[m], abs[m] = list[m-1], abs[m-1]
		}
		list[k], abs[k] = g, a
		*n = min(*n+1, top)
	}
	i, j := 0, 0
	for i < nu || j < nd {
		if j == nd || i < nu && (upAbs[i] > downAbs[j] || upAbs[i] == downAbs[j] && up[i] < down[j]) {
			dst = append(dst, up[i])
			i++
		} else {
			dst = append(dst, down[j])
			j++
		}
	}
	return dst
}

// pickSorted is pick by a stable sort of every field.
func pickSorted(dst []int, contrib []float64, top int) []int {
	idx := make([]int, len(contrib))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int { return cmp.Compare(math.Abs(contrib[j]), math.Abs(contrib[i])) })
	up, down := 0, 0
	for _, g := range idx {
		c := contrib[g]
		if math.Abs(c) < 0.005 {
			break
		}
		if c > 0 && up == top || c < 0 && down == top {
			continue
		}
		if c > 0 {
			up++
		} else {
			down++
		}
		dst = append(dst, g)
	}
	return dst
}

// appendReason writes a field's reason text, "<description>: %+.2f
// log-odds".
func appendReason(buf []byte, f *prepField, v *view, target string, c float64) []byte {
	buf = appendDescribe(buf, f, v, target)
	buf = append(buf, ": "...)
	buf = appendPlusFloat(buf, c, 2)
	return append(buf, " log-odds"...)
}

// appendPlusFloat writes v as fmt's %+.<prec>f does.
func appendPlusFloat(buf []byte, v float64, prec int) []byte {
	at := len(buf)
	buf = append(buf, '+')
	buf = appendFixed(buf, v, prec)
	if c := buf[at+1]; c == '-' || c == '+' {
		buf = append(buf[:at], buf[at+1:]...)
	}
	return buf
}

// appendDescribe writes a field's value as Field.describe does.
func appendDescribe(buf []byte, f *prepField, v *view, target string) []byte {
	sep := " "
	if f.kind == fkText || f.kind == fkNumber {
		sep = " = "
	}
	if !f.numeric {
		buf = append(buf, f.label...)
		buf = append(buf, sep...)
		return append(buf, v.level(f)...)
	}
	x := v.value(f, target)
	switch f.kind {
	case fkTechnology:
		if x == 1 {
			buf = append(buf, "uses "...)
		} else {
			buf = append(buf, "does not use "...)
		}
		return append(buf, f.Key...)
	case fkBought:
		if x == 1 {
			buf = append(buf, "bought "...)
		} else {
			buf = append(buf, "has not bought "...)
		}
		return append(buf, f.Key...)
	case fkEvents:
		if x == 0 {
			buf = append(buf, "no "...)
			buf = append(buf, f.Key...)
			buf = append(buf, " events in "...)
		} else {
			buf = appendNumber(buf, x)
			buf = append(buf, ' ')
			buf = append(buf, f.Key...)
			if x == 1 {
				buf = append(buf, " event in "...)
			} else {
				buf = append(buf, " events in "...)
			}
		}
		buf = strconv.AppendInt(buf, int64(v.window), 10)
		return append(buf, " days"...)
	case fkFounded:
		if math.IsNaN(x) {
			return append(buf, "founding year unknown"...)
		}
		buf = append(buf, "founded "...)
		return strconv.AppendInt(buf, int64(int(x)), 10)
	case fkGrowth:
		if math.IsNaN(x) {
			return append(buf, "growth unknown"...)
		}
		buf = append(buf, "growth "...)
		buf = appendFixed(buf, 100*x, 0)
		return append(buf, '%')
	}
	buf = append(buf, f.label...)
	buf = append(buf, sep...)
	if math.IsNaN(x) {
		return append(buf, "unknown"...)
	}
	return appendNumber(buf, x)
}

// appendNumber writes v as formatNumber does: thousands separators and at
// most two decimals.
func appendNumber(buf []byte, v float64) []byte {
	if v < 0 {
		buf = append(buf, '-')
	}
	var tmp [32]byte
	s := appendFixed(tmp[:0], math.Abs(v), 2)
	s = bytes.TrimRight(bytes.TrimRight(s, "0"), ".")
	intPart, frac, _ := bytes.Cut(s, []byte{'.'})
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, c)
	}
	if len(frac) > 0 {
		buf = append(buf, '.')
		buf = append(buf, frac...)
	}
	return buf
}

// appendFixed writes v with prec decimals (0, 1 or 2), as
// strconv.AppendFloat(buf, v, 'f', prec, 64) does: the exact binary value
// rounded half to even. Below 1e15 in magnitude it works in integers,
// which is several times faster; above, and for ±Inf and NaN, it calls
// strconv.
func appendFixed(buf []byte, v float64, prec int) []byte {
	if !(math.Abs(v) < 1e15) || prec < 0 || prec > 2 {
		return strconv.AppendFloat(buf, v, 'f', prec, 64)
	}
	scale := [3]uint64{1, 10, 100}[prec]
	bits := math.Float64bits(v)
	exp := int(bits >> 52 & 0x7ff)
	mant := bits & (1<<52 - 1)
	if exp == 0 {
		exp = 1
	} else {
		mant |= 1 << 52
	}
	exp -= 1075 // |v| = mant × 2^exp
	// q is |v| × scale rounded half to even: mant × scale < 2^60, and,
	// for exp ≥ 0, |v| × scale < 1e17 < 2^63.
	var q uint64
	switch m := mant * scale; {
	case exp >= 0:
		q = m << exp
	case exp > -64:
		sh := uint(-exp)
		q = m >> sh
		r, half := m&(1<<sh-1), uint64(1)<<(sh-1)
		if r > half || r == half && q&1 == 1 {
			q++
		}
	}
	if bits>>63 != 0 {
		buf = append(buf, '-')
	}
	buf = strconv.AppendUint(buf, q/scale, 10)
	if prec > 0 {
		buf = append(buf, '.')
		f := q % scale
		for d := scale / 10; d > 0; d /= 10 {
			buf = append(buf, byte('0'+f/d%10))
		}
	}
	return buf
}

// texts turns the reason texts written in buf, ending at offs, into
// strings cut from one: a single allocation for them all.
func texts(reasons []segment.Reason, buf []byte, offs []int) {
	all := string(buf)
	start := 0
	for i, end := range offs {
		reasons[i].Text = all[start:end]
		start = end
	}
}
