package firmographic

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/strataseg/strata/segment"
)

// vocab is a compiled [Tables]: the merged industry and technology tables,
// the bands with their defaults, the rates.
type vocab struct {
	emp, rev, growth Bands
	currency         string
	rates            map[string]float64
	industries       map[string]int // normalized value → sector index
	techs            map[string]int // normalized technology → category index
	cats             []string       // categories, sorted
}

func newVocab(t Tables) *vocab {
	v := &vocab{emp: t.Employees, rev: t.Revenue, growth: t.Growth, currency: t.Currency, rates: maps.Clone(t.Rates)}
	if len(v.emp.Names) == 0 {
		v.emp = DefaultEmployeeBands
	}
	if len(v.rev.Names) == 0 {
		v.rev = DefaultRevenueBands
	}
	if len(v.growth.Names) == 0 {
		v.growth = DefaultGrowthBands
	}
	if v.currency == "" {
		v.currency = "USD"
	}
	v.industries = maps.Clone(tables.industries)
	for k, code := range t.Industries {
		v.industries[normalizeName(k)] = tables.sectorIndex(code)
	}
	techs := maps.Clone(tables.techs)
	for k, c := range t.Technologies {
		techs[normalizeName(k)] = c
	}
	v.cats = slices.Sorted(maps.Keys(categorySet(t)))
	v.techs = make(map[string]int, len(techs))
	for k, c := range techs {
		v.techs[k] = slices.Index(v.cats, c)
	}
	return v
}

// Where an account's sector came from.
const (
	srcNone uint8 = iota
	srcNAICS
	srcSIC
	srcIndustry
)

// facts are what the dimensions read from one account, computed once.
type facts struct {
	emp, rev, revRaw, growth float64
	empOK, revOK, growthOK   bool
	sector                   int   // −1 unknown
	sectorSrc                uint8 // srcNAICS…
	naicsBad, sicBad         bool  // a code was given but is in no sector
	industryBad              bool  // industry text given but not recognised
	country                  int   // −1 unknown
	state                    int   // −1 unknown
	techKnown                bool
	techMask                 uint64
	techCat                  [16]int8 // category of the first 16 technologies, −1 none
}

// needs says which facts the dimensions read.
type needs struct{ size, rev, growth, sector, geo, state, tech bool }

// read computes the facts of a valid account. The only error is a revenue in
// a currency without a rate.
func (v *vocab) read(a *segment.Account, n needs) (facts, error) {
	f := facts{sector: -1, country: -1, state: -1}
	if n.size {
		f.emp, f.empOK = a.Employees.Get()
	}
	if n.rev {
		f.revRaw, f.revOK = a.Revenue.Get()
		f.rev = f.revRaw
		if f.revOK && v.rates != nil && a.Currency != "" && a.Currency != v.currency {
			r, ok := v.rates[a.Currency]
			if !ok {
				return f, &segment.FieldError{AccountID: a.ID, Field: "currency",
					Err: fmt.Errorf("is %q, with no rate to %s in the config's rates", a.Currency, v.currency)}
			}
			f.rev = f.revRaw * r
		}
	}
	if n.growth {
		f.growth, f.growthOK = a.Growth.Get()
	}
	if n.sector {
		v.readSector(a, &f)
	}
	if n.geo || n.state {
		f.country = tables.countryByCode(a.Country)
		if n.state && a.Country == "US" && a.Region != "" {
			var buf [64]byte
			if i, ok := tables.stateIdx[string(appendNormalized(buf[:0], a.Region))]; ok {
				f.state = i
			}
		}
	}
	if n.tech && a.Technologies != nil {
		f.techKnown = true
		var buf [64]byte
		for k, t := range a.Technologies {
			c, ok := v.techs[string(appendNormalized(buf[:0], t))]
			if !ok {
				c = -1
			}
			if k < len(f.techCat) {
				f.techCat[k] = int8(c)
			}
			if c >= 0 {
				f.techMask |= 1 << uint(c)
			}
		}
	}
	return f, nil
}

func (v *vocab) readSector(a *segment.Account, f *facts) {
	if a.NAICS != "" {
		if i := tables.sectorIndex(a.NAICS); i >= 0 && len(a.NAICS) >= 2 {
			f.sector, f.sectorSrc = i, srcNAICS
			return
		}
		f.naicsBad = true
	}
	if a.SIC != "" {
		if d, ok := SICDivisionOf(a.SIC); ok && d.Sector != "" {
			f.sector, f.sectorSrc = tables.sectorIndex(d.Sector), srcSIC
			return
		}
		f.sicBad = true
	}
	if a.Industry != "" {
		var buf [96]byte
		if i, ok := v.industries[string(appendNormalized(buf[:0], a.Industry))]; ok {
			f.sector, f.sectorSrc = i, srcIndustry
			return
		}
		f.industryBad = true
	}
}

// band returns the band of x.
func band(b *Bands, x float64) int {
	i := 0
	for i < len(b.Cuts) && x >= b.Cuts[i] {
		i++
	}
	return i
}

// value is one value of a dimension.
type value struct {
	name, slug, desc string
}

// dim is a compiled dimension: its values, the unknown one last.
type dim struct {
	d      Dimension
	cat    int    // tech: category index
	label  string // tech: the category's display name
	values []value
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		} else {
			dash = true
		}
	}
	return b.String()
}

// categoryLabel is how a technology category reads in names.
func categoryLabel(c string) string {
	switch c {
	case "crm", "erp":
		return strings.ToUpper(c)
	case "ecommerce":
		return "E-commerce"
	}
	return strings.ToUpper(c[:1]) + strings.ReplaceAll(c[1:], "-", " ")
}

func bandValues(b Bands, field, unit string, money bool, cur string, unknown string) []value {
	out := make([]value, 0, len(b.Names)+1)
	for i, n := range b.Names {
		var desc string
		f := func(x float64) string { return formatAmount(x, money, cur, unit == "%") }
		switch {
		case len(b.Cuts) == 0:
			desc = "any " + field
		case i == 0:
			desc = field + " below " + f(b.Cuts[0])
		case i == len(b.Cuts):
			desc = field + " of " + f(b.Cuts[i-1]) + " or more"
		default:
			desc = field + " from " + f(b.Cuts[i-1]) + " to under " + f(b.Cuts[i])
		}
		out = append(out, value{name: n, slug: slug(n), desc: desc})
	}
	return append(out, value{name: unknown, slug: slug(unknown), desc: field + " unknown"})
}

// compile returns the compiled dimension d, which validateDims accepted.
func (v *vocab) compile(d Dimension) dim {
	c := dim{d: d, cat: -1}
	geo := func(names []string, what, unknown string) []value {
		out := make([]value, 0, len(names)+1)
		for _, n := range names {
			out = append(out, value{name: n, slug: slug(n), desc: what + " " + n})
		}
		return append(out, value{name: unknown, slug: slug(unknown), desc: strings.ToLower(unknown[:1]) + unknown[1:]})
	}
	switch d {
	case DimEmployees:
		c.values = bandValues(v.emp, "employees", "", false, "", "Size unknown")
	case DimRevenue:
		c.values = bandValues(v.rev, "revenue", "", true, v.currency, "Revenue unknown")
	case DimGrowth:
		c.values = bandValues(v.growth, "revenue growth", "%", false, "", "Growth unknown")
	case DimSector:
		for _, s := range tables.sectors {
			c.values = append(c.values, value{name: s.Title, slug: "naics-" + s.Code, desc: "NAICS sector " + s.Code + " " + s.Title})
		}
		c.values = append(c.values, value{name: "Sector unknown", slug: "sector-unknown", desc: "sector unknown"})
	case DimRegion:
		c.values = geo(tables.regions, "UN M49 region", "Region unknown")
	case DimSubRegion:
		c.values = geo(tables.subRegions, "UN M49 sub-region", "Sub-region unknown")
	case DimContinent:
		c.values = geo(tables.continents, "continent", "Continent unknown")
	case DimCountry:
		for _, k := range tables.countries {
			c.values = append(c.values, value{name: k.Name, slug: strings.ToLower(k.Code), desc: "country " + k.Code})
		}
		c.values = append(c.values, value{name: "Country unknown", slug: "country-unknown", desc: "country unknown"})
	case DimCensusRegion, DimCensusDivision:
		names, what := tables.censusRegs, "US census region"
		if d == DimCensusDivision {
			names, what = tables.censusDivs, "US census division"
		}
		for _, n := range names {
			c.values = append(c.values, value{name: "US " + n, slug: "us-" + slug(n), desc: what + " " + n})
		}
		c.values = append(c.values, value{name: "Outside the US", slug: "outside-us", desc: "country other than the US"},
			value{name: "US region unknown", slug: "us-region-unknown", desc: "country or US state unknown"})
		if d == DimCensusDivision {
			c.values[len(c.values)-1] = value{name: "US division unknown", slug: "us-division-unknown", desc: "country or US state unknown"}
		}
	case DimType:
		c.values = []value{
			{name: "B2B", slug: "b2b", desc: "sells to businesses"},
			{name: "B2C", slug: "b2c", desc: "sells to consumers"},
			{name: "B2G", slug: "b2g", desc: "sells to government"},
			{name: "Type unknown", slug: "type-unknown", desc: "customer type unknown"},
		}
	default:
		cat := strings.TrimPrefix(string(d), string(DimTech))
		c.cat = slices.Index(v.cats, cat)
		c.label = categoryLabel(cat)
		c.values = []value{
			{name: "Uses " + c.label, slug: cat + "-yes", desc: "uses " + c.label},
			{name: "No " + c.label, slug: cat + "-no", desc: "lists technologies, none of them " + c.label},
			{name: c.label + " unknown", slug: cat + "-unknown", desc: "technologies unknown"},
		}
	}
	return c
}

func (v *vocab) needsOf(dims []dim) needs {
	var n needs
	for _, d := range dims {
		switch d.d {
		case DimEmployees:
			n.size = true
		case DimRevenue:
			n.rev = true
		case DimGrowth:
			n.growth = true
		case DimSector:
			n.sector = true
		case DimRegion, DimSubRegion, DimContinent, DimCountry:
			n.geo = true
		case DimCensusRegion, DimCensusDivision:
			n.geo, n.state = true, true
		case DimType:
		default:
			n.tech = true
		}
	}
	return n
}

// index returns the index of the account's value in d.values.
func (d *dim) index(v *vocab, a *segment.Account, f *facts) int {
	unknown := len(d.values) - 1
	switch d.d {
	case DimEmployees:
		if f.empOK {
			return band(&v.emp, f.emp)
		}
	case DimRevenue:
		if f.revOK {
			return band(&v.rev, f.rev)
		}
	case DimGrowth:
		if f.growthOK {
			return band(&v.growth, f.growth)
		}
	case DimSector:
		if f.sector >= 0 {
			return f.sector
		}
	case DimRegion, DimSubRegion, DimContinent:
		if f.country >= 0 {
			var i int8
			switch d.d {
			case DimRegion:
				i = tables.regionOf[f.country]
			case DimSubRegion:
				i = tables.subRegionOf[f.country]
			default:
				i = tables.continentOf[f.country]
			}
			if i >= 0 {
				return int(i)
			}
		}
	case DimCountry:
		if f.country >= 0 {
			return f.country
		}
	case DimCensusRegion, DimCensusDivision:
		if f.country >= 0 && a.Country != "US" {
			return unknown - 1
		}
		if f.state >= 0 {
			if d.d == DimCensusRegion {
				return int(tables.stateRegion[f.state])
			}
			return int(tables.stateDivision[f.state])
		}
	case DimType:
		switch a.Type {
		case segment.B2B:
			return 0
		case segment.B2C:
			return 1
		case segment.B2G:
			return 2
		}
	default:
		if f.techKnown {
			if d.cat >= 0 && f.techMask&(1<<uint(d.cat)) != 0 {
				return 0
			}
			return 1
		}
	}
	return unknown
}

// reason explains the account's value i of d.
func (d *dim) reason(v *vocab, a *segment.Account, f *facts, i int) segment.Reason {
	r, _ := d.appendReason(nil, v, a, f, i)
	return r
}

// appendReason explains the account's value i of d, writing the text at
// the end of buf, and returns buf extended. The text shares buf's memory:
// the bytes written must never change, and buf is only ever appended to.
func (d *dim) appendReason(buf []byte, v *vocab, a *segment.Account, f *facts, i int) (segment.Reason, []byte) {
	val := &d.values[i]
	unknown := i == len(d.values)-1
	start := len(buf)
	b := buf
	field := string(d.d)
	bandReason := func(name string, x float64, bs *Bands, money, pct bool) {
		if name != "" {
			b = append(b, name...)
			b = append(b, ' ')
		}
		b = appendAmount(b, x, money, v.currency, pct)
		switch {
		case len(bs.Cuts) == 0:
		case i == 0:
			b = append(b, " < "...)
			b = appendAmount(b, bs.Cuts[0], money, v.currency, pct)
		case i == len(bs.Cuts):
			b = append(b, " ≥ "...)
			b = appendAmount(b, bs.Cuts[i-1], money, v.currency, pct)
		default:
			b = append(b, " in "...)
			b = appendAmount(b, bs.Cuts[i-1], money, v.currency, pct)
			b = append(b, " to under "...)
			b = appendAmount(b, bs.Cuts[i], money, v.currency, pct)
		}
	}
	switch d.d {
	case DimEmployees:
		if unknown {
			b = append(b, "employees unknown"...)
		} else {
			bandReason("employees", f.emp, &v.emp, false, false)
		}
	case DimRevenue:
		switch {
		case unknown:
			b = append(b, "revenue unknown"...)
		case a.Currency != "" && a.Currency != v.currency:
			b = append(b, "revenue "...)
			b = appendAmount(b, f.revRaw, true, a.Currency, false)
			if v.rates == nil {
				b = append(b, " (no rates given: read as "...)
				b = append(b, v.currency...)
				b = append(b, ") = "...)
			} else {
				b = append(b, " = "...)
			}
			bandReason("", f.rev, &v.rev, true, false)
		default:
			bandReason("revenue", f.rev, &v.rev, true, false)
		}
	case DimGrowth:
		if unknown {
			b = append(b, "revenue growth unknown"...)
		} else {
			bandReason("revenue growth", f.growth, &v.growth, false, true)
		}
	case DimSector:
		if f.naicsBad {
			b = append(b, "NAICS "...)
			b = append(b, a.NAICS...)
			b = append(b, " in no 2022 sector; "...)
		}
		if f.sicBad {
			b = append(b, "SIC "...)
			b = append(b, a.SIC...)
			b = append(b, " in no sector; "...)
		}
		switch f.sectorSrc {
		case srcNAICS:
			field = "naics"
			b = append(b, "NAICS "...)
			b = append(b, a.NAICS...)
		case srcSIC:
			field = "sic"
			sd, _ := SICDivisionOf(a.SIC)
			b = append(b, "SIC "...)
			b = append(b, a.SIC...)
			b = append(b, " (division "...)
			b = append(b, sd.Division...)
			b = append(b, ')')
		case srcIndustry:
			field = "industry"
			b = append(b, "industry "...)
			b = strconv.AppendQuote(b, a.Industry)
		default:
			if f.industryBad {
				field = "industry"
				b = append(b, "industry "...)
				b = strconv.AppendQuote(b, a.Industry)
				b = append(b, " not recognised"...)
			} else if !f.naicsBad && !f.sicBad {
				field = "industry"
				b = append(b, "no NAICS, SIC or industry"...)
			}
		}
		if !unknown {
			b = append(b, " → sector "...)
			b = append(b, tables.sectors[i].Code...)
			b = append(b, ' ')
			b = append(b, val.name...)
		} else {
			b = append(b, " → "...)
			b = append(b, val.name...)
		}
		return segment.Reason{Text: bytesString(b[start:]), Field: field}, b
	case DimRegion, DimSubRegion, DimContinent, DimCountry, DimCensusRegion, DimCensusDivision:
		field = "country"
		switch {
		case a.Country == "":
			b = append(b, "country unknown"...)
		case f.country < 0:
			b = append(b, "country "...)
			b = append(b, a.Country...)
			b = append(b, " not in ISO 3166-1"...)
		case (d.d == DimCensusRegion || d.d == DimCensusDivision) && a.Country == "US":
			field = "region"
			if f.state < 0 {
				b = append(b, "US state "...)
				if a.Region == "" {
					b = append(b, "unknown"...)
				} else {
					b = strconv.AppendQuote(b, a.Region)
					b = append(b, " not a state"...)
				}
			} else {
				s := &tables.states[f.state]
				b = append(b, "state "...)
				b = append(b, s.Code...)
				if d.d == DimCensusDivision {
					b = append(b, " (census region "...)
					b = append(b, s.Region...)
					b = append(b, ')')
				} else {
					b = append(b, " (census division "...)
					b = append(b, s.Division...)
					b = append(b, ')')
				}
			}
		default:
			c := &tables.countries[f.country]
			b = append(b, "country "...)
			b = append(b, c.Code...)
			if d.d != DimCountry && d.d != DimSubRegion && c.SubRegion != "" {
				b = append(b, " ("...)
				b = append(b, c.SubRegion...)
				b = append(b, ')')
			} else if d.d == DimSubRegion && c.Region != "" {
				b = append(b, " ("...)
				b = append(b, c.Region...)
				b = append(b, ')')
			} else if d.d == DimCountry {
				b = append(b, " ("...)
				b = append(b, c.Region...)
				b = append(b, ')')
			}
			if unknown {
				b = append(b, " in no UN M49 region"...)
			}
		}
	case DimType:
		if unknown {
			b = append(b, "customer type unknown"...)
		} else {
			b = append(b, "customer type "...)
			b = append(b, a.Type.String()...)
		}
	default:
		field = "technologies"
		switch i {
		case 0:
			b = append(b, "technologies "...)
			n := 0
			var buf [64]byte
			for k, t := range a.Technologies {
				c := -1
				if k < len(f.techCat) {
					c = int(f.techCat[k])
				} else if cc, ok := v.techs[string(appendNormalized(buf[:0], t))]; ok {
					c = cc
				}
				if c == d.cat {
					if n > 0 {
						b = append(b, ", "...)
					}
					b = append(b, t...)
					n++
				}
			}
			b = append(b, " ("...)
			b = append(b, d.label...)
			b = append(b, ')')
		case 1:
			b = append(b, "no "...)
			b = append(b, d.label...)
			b = append(b, " among "...)
			b = strconv.AppendInt(b, int64(len(a.Technologies)), 10)
			b = append(b, " technologies"...)
		default:
			b = append(b, "technologies unknown"...)
		}
	}
	b = append(b, " → "...)
	b = append(b, val.name...)
	return segment.Reason{Text: bytesString(b[start:]), Field: field}, b
}

// bytesString returns b as a string without copying it; b must not change
// afterwards (as strings.Builder does).
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// appendAmount appends x as reasons write it: employees grouped ("1,200"),
// money with its currency and a unit ("USD 2.3B"), a fraction as a percent
// ("+12%"), to 3 significant digits.
func appendAmount(b []byte, x float64, money bool, cur string, pct bool) []byte {
	if pct {
		p := x * 100
		if p > 0 {
			b = append(b, '+')
		}
		return append(append3(b, p), '%')
	}
	if money {
		if cur != "" {
			b = append(b, cur...)
			b = append(b, ' ')
		}
		ax := math.Abs(x)
		switch {
		case ax >= 999.5e6:
			return append(append3(b, x/1e9), 'B')
		case ax >= 999.5e3:
			return append(append3(b, x/1e6), 'M')
		case ax >= 999.5:
			return append(append3(b, x/1e3), 'k')
		}
		return append3(b, x)
	}
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return appendGrouped(b, int64(x))
	}
	return append3(b, x)
}

// append3 appends x to 3 significant digits (whole below 1,000, grouped
// above), without trailing zeros.
func append3(b []byte, x float64) []byte {
	ax := math.Abs(x)
	prec := 0
	switch {
	case ax >= 999.5:
		return appendGrouped(b, int64(math.Round(roundSig(x))))
	case ax >= 99.95:
		prec = 0
	case ax >= 9.995:
		prec = 1
	case ax >= 0.9995:
		prec = 2
	default:
		return strconv.AppendFloat(b, roundSig(x), 'f', -1, 64)
	}
	start := len(b)
	b = strconv.AppendFloat(b, x, 'f', prec, 64)
	if prec > 0 {
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		if b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
	}
	if string(b[start:]) == "-0" {
		b = append(b[:start], '0')
	}
	return b
}

func formatAmount(x float64, money bool, cur string, pct bool) string {
	return string(appendAmount(nil, x, money, cur, pct))
}

// roundSig rounds x to 3 significant digits (keeping integers below 1,000
// whole).
func roundSig(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	e := math.Floor(math.Log10(math.Abs(x)))
	p := math.Pow(10, 2-e)
	return math.Round(x*p) / p
}

func appendGrouped(b []byte, n int64) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var d [24]byte
	s := strconv.AppendInt(d[:0], n, 10)
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, c)
	}
	return b
}
