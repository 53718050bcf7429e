package firmographic

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/strataseg/strata/segment"
)

// Dimension is one firmographic attribute a segmentation cuts by. It
// marshals as its name.
type Dimension string

// The dimensions. A technology dimension is [Technology] followed by a
// category ("tech:crm"); see [TechDimension].
const (
	// Employees bands the number of employees ([Tables].Employees).
	DimEmployees Dimension = "employees"
	// Revenue bands the annual revenue, in the base currency
	// ([Tables].Revenue, [Tables].Rates).
	DimRevenue Dimension = "revenue"
	// Sector is the NAICS 2022 sector, from the NAICS code, else the SIC
	// code, else the free-text industry.
	DimSector Dimension = "sector"
	// Region is the UN M49 region of the country: Africa, Americas, Asia,
	// Europe, Oceania.
	DimRegion Dimension = "region"
	// SubRegion is the UN M49 sub-region: Northern America, Western
	// Europe…
	DimSubRegion Dimension = "subregion"
	// Continent is the continent: M49 regions with the Americas split into
	// North and South America.
	DimContinent Dimension = "continent"
	// CountryDim is the country itself.
	DimCountry Dimension = "country"
	// CensusRegion is the US census region of a US account's state
	// (Northeast, Midwest, South, West); accounts elsewhere are "Outside
	// the US".
	DimCensusRegion Dimension = "census-region"
	// CensusDivision is the US census division of a US account's state;
	// accounts elsewhere are "Outside the US".
	DimCensusDivision Dimension = "census-division"
	// Type is the customer type: B2B, B2C, B2G.
	DimType Dimension = "type"
	// Growth bands the year-over-year revenue growth ([Tables].Growth).
	DimGrowth Dimension = "growth"
	// Technology prefixes a technology category: "tech:crm" tells whether
	// the account uses a technology of that category.
	DimTech Dimension = "tech:"
)

// TechDimension returns the dimension telling whether an account uses a
// technology of category ("tech:crm").
func TechDimension(category string) Dimension { return DimTech + Dimension(category) }

// DefaultDimensions are the dimensions when Config.Dimensions is empty.
var DefaultDimensions = []Dimension{DimEmployees, DimSector, DimRegion}

// Bands cut a number into named bands: a value v is in band i, where i is
// the number of Cuts at or below v. Names has one more entry than Cuts.
type Bands struct {
	// Cuts are the lower bounds of every band but the first, strictly
	// increasing.
	Cuts []float64 `json:"cuts"`
	// Names name the bands, lowest first.
	Names []string `json:"names"`
}

// The default bands, used where a [Tables] field is zero.
var (
	// DefaultEmployeeBands: small business 1–99 employees, mid-market
	// 100–999, enterprise 1,000 and more (0 employees is a small business).
	DefaultEmployeeBands = Bands{Cuts: []float64{100, 1000}, Names: []string{"Small business", "Mid-market", "Enterprise"}}
	// DefaultRevenueBands: small under 10M, mid-size 10M to under 1B, large
	// 1B and more, in the base currency.
	DefaultRevenueBands = Bands{Cuts: []float64{10e6, 1e9}, Names: []string{"Small revenue", "Mid-size revenue", "Large revenue"}}
	// DefaultGrowthBands: declining below 0, stable 0 to under 10%,
	// growing 10% to under 40%, hyper-growth 40% and more, a year.
	DefaultGrowthBands = Bands{Cuts: []float64{0, 0.10, 0.40}, Names: []string{"Declining", "Stable", "Growing", "Hyper-growth"}}
)

// Tables are the vocabulary every segmenter of the package reads accounts
// with: bands, currency rates, and the additions to the built-in industry
// and technology tables. The zero value uses the defaults.
type Tables struct {
	// Employees bands the number of employees; zero: DefaultEmployeeBands.
	Employees Bands `json:"employee_bands,omitzero"`
	// Revenue bands the revenue in the base currency; zero:
	// DefaultRevenueBands.
	Revenue Bands `json:"revenue_bands,omitzero"`
	// Growth bands the revenue growth (a fraction: 0.1 is +10%); zero:
	// DefaultGrowthBands.
	Growth Bands `json:"growth_bands,omitzero"`
	// Currency is the base currency revenues are compared in, an ISO 4217
	// code; "" means "USD". It only names amounts in reasons unless Rates
	// is given.
	Currency string `json:"currency,omitempty"`
	// Rates converts revenues to the base currency: Rates["EUR"] is the
	// value of one euro in the base currency. With Rates, an account whose
	// revenue is known and whose currency is neither empty, the base
	// currency, nor in Rates is an error naming the account and field
	// "currency". Without Rates, every revenue is taken as in the base
	// currency.
	Rates map[string]float64 `json:"rates,omitempty"`
	// Industries adds free-text industry values to the built-in table
	// ([DefaultIndustries]), or overrides its entries: the value (matched
	// after [NormalizeIndustry]) and a NAICS sector code ("51", "31-33") or
	// any NAICS code of 2 to 6 digits in the sector.
	Industries map[string]string `json:"industries,omitempty"`
	// Technologies adds technologies to the built-in table
	// ([DefaultTechnologies]), or overrides its entries: the technology
	// (matched after [NormalizeIndustry]) and its category, lower-case
	// letters, digits and dashes ("crm", "data-warehouse").
	Technologies map[string]string `json:"technologies,omitempty"`
}

func (t Tables) validate(pkg string) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format+": %w", append(append([]any{pkg}, args...), segment.ErrInvalidConfig)...))
	}
	checkBands := func(field string, b Bands) {
		if len(b.Cuts) == 0 && len(b.Names) == 0 {
			return
		}
		if len(b.Names) != len(b.Cuts)+1 {
			bad("%s has %d names for %d cuts; it needs one name more than cuts", field, len(b.Names), len(b.Cuts))
		}
		for i, c := range b.Cuts {
			if math.IsNaN(c) || math.IsInf(c, 0) {
				bad("%s.cuts[%d] is %v, not a finite number", field, i, c)
			} else if i > 0 && !(c > b.Cuts[i-1]) {
				bad("%s.cuts[%d] is %v, not above the cut before it (%v)", field, i, c, b.Cuts[i-1])
			}
		}
		seen := map[string]bool{}
		for i, n := range b.Names {
			if strings.TrimSpace(n) == "" {
				bad("%s.names[%d] is empty", field, i)
			} else if seen[n] {
				bad("%s.names[%d] is %q, named twice", field, i, n)
			}
			seen[n] = true
		}
	}
	checkBands("employee_bands", t.Employees)
	checkBands("revenue_bands", t.Revenue)
	checkBands("growth_bands", t.Growth)
	if t.Currency != "" && !isCurrency(t.Currency) {
		bad("currency is %q, not an upper-case ISO 4217 code", t.Currency)
	}
	for _, k := range slices.Sorted(maps.Keys(t.Rates)) {
		v := t.Rates[k]
		if !isCurrency(k) {
			bad("rates has key %q, not an upper-case ISO 4217 code", k)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			bad("rates[%q] is %v, not a finite number > 0", k, v)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(t.Industries)) {
		if normalizeName(k) == "" {
			bad("industries has key %q, which has no letter or digit", k)
		}
		if tables.sectorIndex(t.Industries[k]) < 0 {
			bad("industries[%q] is %q, not a NAICS 2022 sector or code", k, t.Industries[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(t.Technologies)) {
		c := t.Technologies[k]
		if normalizeName(k) == "" {
			bad("technologies has key %q, which has no letter or digit", k)
		}
		if !isCategory(c) {
			bad("technologies[%q] is %q, not a category of lower-case letters, digits and dashes", k, c)
		}
	}
	if cats := categorySet(t); len(cats) > 64 {
		bad("technologies give %d categories, more than 64", len(cats))
	}
	return errs
}

func isCurrency(s string) bool {
	return len(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z'
}

func isCategory(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// MaxSegments caps the number of combinations a rule Config's dimensions
// may give: every combination is a segment the Model lists.
const MaxSegments = 100_000

// Config configures the rule segmentation of [New]. It is plain data; the
// zero value cuts by DefaultDimensions (employee band, sector, M49 region)
// with the default bands and tables.
type Config struct {
	// Tables are the bands, rates and table additions.
	Tables
	// Dimensions are the dimensions to cut by, in the order they make the
	// segment's name; empty means DefaultDimensions. Each may appear once,
	// and their values may give at most MaxSegments combinations.
	Dimensions []Dimension `json:"dimensions,omitempty"`
}

// Validate reports every problem of the config, joined, each naming the
// field and value and wrapping [segment.ErrInvalidConfig].
func (c Config) Validate() error {
	errs := c.Tables.validate(Method)
	errs = append(errs, validateDims(Method, "dimensions", c.Dimensions, c.Tables, true)...)
	return errors.Join(errs...)
}

func validateDims(pkg, field string, dims []Dimension, t Tables, capCombos bool) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format+": %w", append(append([]any{pkg}, args...), segment.ErrInvalidConfig)...))
	}
	cats := categorySet(t)
	seen := map[Dimension]bool{}
	combos := 1.0
	for i, d := range dims {
		n := dimSize(d, t)
		if n == 0 {
			bad("%s[%d] is %q, not a dimension (%s, or tech:<category>)", field, i, d, strings.Join(dimNames(), ", "))
			continue
		}
		if cat, ok := strings.CutPrefix(string(d), string(DimTech)); ok && !cats[cat] {
			bad("%s[%d] is %q, but no technology has category %q", field, i, d, cat)
		}
		if seen[d] {
			bad("%s[%d] is %q, listed twice", field, i, d)
		}
		seen[d] = true
		combos *= float64(n)
	}
	if capCombos && combos > MaxSegments {
		bad("%s give %.0f combinations, more than %d", field, combos, MaxSegments)
	}
	return errs
}

func dimNames() []string {
	return []string{string(DimEmployees), string(DimRevenue), string(DimSector), string(DimRegion), string(DimSubRegion), string(DimContinent),
		string(DimCountry), string(DimCensusRegion), string(DimCensusDivision), string(DimType), string(DimGrowth)}
}

// dimSize returns the number of values of a dimension, unknown included,
// or 0 for no dimension.
func dimSize(d Dimension, t Tables) int {
	bandsOr := func(b, def Bands) int {
		if len(b.Names) == 0 {
			return len(def.Names) + 1
		}
		return len(b.Names) + 1
	}
	switch d {
	case DimEmployees:
		return bandsOr(t.Employees, DefaultEmployeeBands)
	case DimRevenue:
		return bandsOr(t.Revenue, DefaultRevenueBands)
	case DimGrowth:
		return bandsOr(t.Growth, DefaultGrowthBands)
	case DimSector:
		return len(tables.sectors) + 1
	case DimRegion:
		return len(tables.regions) + 1
	case DimSubRegion:
		return len(tables.subRegions) + 1
	case DimContinent:
		return len(tables.continents) + 1
	case DimCountry:
		return len(tables.countries) + 1
	case DimCensusRegion:
		return len(tables.censusRegs) + 2
	case DimCensusDivision:
		return len(tables.censusDivs) + 2
	case DimType:
		return 4
	}
	if cat, ok := strings.CutPrefix(string(d), string(DimTech)); ok && isCategory(cat) {
		return 3
	}
	return 0
}

// categorySet returns the technology categories of the built-in table and
// of t.Technologies.
func categorySet(t Tables) map[string]bool {
	cats := map[string]bool{}
	for _, c := range tables.techs {
		cats[c] = true
	}
	for _, c := range t.Technologies {
		cats[c] = true
	}
	return cats
}

// Method is the name of the package's method, in Segment.Method and in
// segment IDs.
const Method = "firmographic"
