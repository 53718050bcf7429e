package segment

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CSVMapping says which column of a CSV file holds which [Account] field,
// and how its values are read. It is plain data (it marshals to JSON) and
// its zero value reads the common CRM export headers.
//
// Each field of the first group names the column of one Account field, by
// its header. A name matches a header exactly, or else ignoring case, white
// space and punctuation ("no. of employees" matches "No. of Employees" and
// "NoOfEmployees"), or else "#N" names the N-th column (1-based), which is
// how an unnamed column is mapped. The empty string means: look for the
// field's default headers (see [DefaultHeaders]), the first one present
// wins; "-" means: no column, do not look.
//
// A column headed "numbers:KEY" or "text:KEY", as [WriteCSV] writes them,
// goes to Account.Numbers or Account.Text under KEY unless the mapping uses
// it otherwise. Columns the mapping leaves over go to Account.Text under
// their header, unless Unmapped says otherwise, so that nothing read is
// dropped silently.
type CSVMapping struct {
	// The columns of the Account fields of the same names, by header; ""
	// looks for the defaults, "-" reads no column.
	ID           string `json:"id,omitempty"`
	Name         string `json:"name,omitempty"`
	Industry     string `json:"industry,omitempty"`
	NAICS        string `json:"naics,omitempty"`
	SIC          string `json:"sic,omitempty"`
	Employees    string `json:"employees,omitempty"`
	Revenue      string `json:"revenue,omitempty"`
	Currency     string `json:"currency,omitempty"`
	Growth       string `json:"growth,omitempty"`
	Founded      string `json:"founded,omitempty"`
	Country      string `json:"country,omitempty"`
	Region       string `json:"region,omitempty"`
	City         string `json:"city,omitempty"`
	Type         string `json:"type,omitempty"`
	Stage        string `json:"stage,omitempty"`
	Technologies string `json:"technologies,omitempty"`
	Channel      string `json:"channel,omitempty"`
	LeadGrade    string `json:"lead_grade,omitempty"`
	Converted    string `json:"converted,omitempty"`
	Churned      string `json:"churned,omitempty"`

	// Numbers maps a custom numeric attribute (a key of Account.Numbers) to
	// the column it is read from.
	Numbers map[string]string `json:"numbers,omitempty"`
	// Text maps a custom text attribute (a key of Account.Text) to the
	// column it is read from.
	Text map[string]string `json:"text,omitempty"`
	// Ignore lists columns that are neither looked at for defaults nor kept
	// in Text (they stay available through [CSVReader.Record]); a field that
	// names one explicitly still reads it. A listed column that the file
	// lacks is not an error, so one mapping serves several exports.
	Ignore []string `json:"ignore,omitempty"`
	// Unmapped says what becomes of the columns no field maps:
	// [UnmappedText] (the zero value) keeps each non-blank value in
	// Account.Text under the column's header ("column N" for an unnamed
	// column); [UnmappedIgnore] leaves them out; [UnmappedError] makes any
	// such column a [*HeaderError].
	Unmapped UnmappedPolicy `json:"unmapped,omitempty"`

	// RowIDs makes the data row number ("1", "2"…) the account ID when the
	// file has no ID column; without it a missing ID column is a
	// [*HeaderError].
	RowIDs bool `json:"row_ids,omitempty"`
	// Blanks lists the values, besides the empty string, that mean unknown,
	// compared after trimming white space and ignoring case. Nil means
	// [DefaultBlanks]; an empty non-nil slice means only the empty string.
	// Blank markers apply to every column, the ID too.
	// Exports whose forms write "Select" for an unanswered field add it here.
	Blanks []string `json:"blanks,omitempty"`
	// RevenueScale multiplies every revenue read, for files that give
	// revenue in thousands (1e3) or millions (1e6). Zero means 1.
	RevenueScale float64 `json:"revenue_scale,omitempty"`
	// Ranges says how an employee or revenue range ("1001 - 5000",
	// "10001+") is read; see [RangePolicy]. The zero value is [RangeText].
	Ranges RangePolicy `json:"ranges,omitempty"`
	// Countries adds country names (or codes) to the built-in table that
	// reads the country column, mapping each to an ISO 3166-1 alpha-2 code;
	// names match ignoring case, white space and punctuation.
	Countries map[string]string `json:"countries,omitempty"`
	// DefaultCountry is the country (a code or a known name) of accounts
	// whose country is blank, or of every account when no column holds the
	// country; "" leaves them unknown.
	DefaultCountry string `json:"default_country,omitempty"`
	// Comma is the field separator, one character; "" means ",". European
	// exports often use ";".
	Comma string `json:"comma,omitempty"`
}

// UnmappedPolicy says what a [CSVReader] does with the columns that no
// field of its [CSVMapping] maps.
type UnmappedPolicy string

// The unmapped-column policies.
const (
	UnmappedText   UnmappedPolicy = "text"   // into Account.Text, by header (the default)
	UnmappedIgnore UnmappedPolicy = "ignore" // not read
	UnmappedError  UnmappedPolicy = "error"  // a *HeaderError when the reader is made
)

// RangePolicy says how a [CSVReader] reads a range where it expects a
// number of employees or a revenue: "1001 - 5000", "1,001-5,000", "$1M -
// $10M", or the open-ended "10001+".
type RangePolicy string

// The range policies.
const (
	// RangeText, the default, leaves the number unknown and keeps the range
	// as written in Account.Text under "employees_range" or "revenue_range"
	// (a row where another column fills that key is an error): a band is
	// not a count, and strata does not invent one.
	RangeText RangePolicy = "text"
	// RangeLower reads the lower bound (1001 for "1001 - 5000" and for
	// "1001+"): a number the account is known to reach.
	RangeLower RangePolicy = "lower"
	// RangeMid reads the midpoint (3000.5 for "1001 - 5000"); an open range
	// reads as its lower bound.
	RangeMid RangePolicy = "mid"
)

// DefaultBlanks returns the values that mean unknown when [CSVMapping].Blanks
// is nil, besides the empty string: "N/A", "#N/A", "-", "--", "null", "nil",
// "none", "unknown", "n.a." and "?", in any case. "NA" is not among them: it
// is Namibia's country code. Append to it to add markers of your own.
func DefaultBlanks() []string {
	return []string{"N/A", "#N/A", "-", "--", "null", "nil", "none", "unknown", "n.a.", "?"}
}

// Validate reports every problem in the mapping, joined, each wrapping
// [ErrInvalidConfig].
func (m *CSVMapping) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("segment: csv mapping: "+format+": %w", append(args, ErrInvalidConfig)...))
	}
	if !finite(m.RevenueScale) || m.RevenueScale < 0 {
		bad("revenue_scale is %v, not a finite number ≥ 0", m.RevenueScale)
	}
	switch m.Unmapped {
	case "", UnmappedText, UnmappedIgnore, UnmappedError:
	default:
		bad("unmapped is %q, not text, ignore or error", m.Unmapped)
	}
	switch m.Ranges {
	case "", RangeText, RangeLower, RangeMid:
	default:
		bad("ranges is %q, not text, lower or mid", m.Ranges)
	}
	if m.Comma != "" {
		r, n := utf8.DecodeRuneInString(m.Comma)
		if n != len(m.Comma) || r == 0 || r == utf8.RuneError || r == '\r' || r == '\n' || r == '"' {
			bad("comma is %q, not one character other than a quote or line break", m.Comma)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m.Countries)) {
		if v := m.Countries[k]; !isISOAlpha2(v) {
			bad("countries[%q] is %q, not an ISO 3166-1 alpha-2 code", k, v)
		}
	}
	if m.DefaultCountry != "" {
		if _, ok := m.country(m.DefaultCountry); !ok {
			bad("default_country is %q, not a known country", m.DefaultCountry)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m.Numbers)) {
		if k == "" || m.Numbers[k] == "" {
			bad("numbers[%q] is %q: key and column must be non-empty", k, m.Numbers[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m.Text)) {
		if k == "" || m.Text[k] == "" {
			bad("text[%q] is %q: key and column must be non-empty", k, m.Text[k])
		}
	}
	return errors.Join(errs...)
}

// csvTarget is an Account field a column can feed.
type csvTarget uint8

const (
	tID csvTarget = iota
	tName
	tIndustry
	tNAICS
	tSIC
	tEmployees
	tRevenue
	tCurrency
	tGrowth
	tFounded
	tCountry
	tRegion
	tCity
	tType
	tStage
	tTechnologies
	tChannel
	tLeadGrade
	tConverted
	tChurned
	nFields // the fields above; the two below are keyed
	tNumber
	tText
)

// fieldNames are the JSON names of the targets below nFields.
var fieldNames = [nFields]string{
	"id", "name", "industry", "naics", "sic", "employees", "revenue", "currency", "growth", "founded",
	"country", "region", "city", "type", "stage", "technologies", "channel", "lead_grade", "converted", "churned",
}

func (m *CSVMapping) columns() [nFields]string {
	return [nFields]string{
		m.ID, m.Name, m.Industry, m.NAICS, m.SIC, m.Employees, m.Revenue, m.Currency, m.Growth, m.Founded,
		m.Country, m.Region, m.City, m.Type, m.Stage, m.Technologies, m.Channel, m.LeadGrade, m.Converted, m.Churned,
	}
}

// defaultHeaders lists, for each field, the headers that Salesforce,
// HubSpot, Dynamics and LinkedIn-style exports use, normalized (see
// normalizeHeader), in order of preference.
var defaultHeaders = [nFields][]string{
	tID:        {"id", "accountid", "recordid", "companyid", "customerid", "accountnumber", "donotmodifyaccount", "prospectid", "leadid", "leadnumber"},
	tName:      {"accountname", "companyname", "company", "name", "organizationname", "organisationname", "organization", "organisation"},
	tIndustry:  {"industry", "primaryindustry", "sector", "vertical"},
	tNAICS:     {"naics", "naicscode", "primarynaics", "primarynaicscode"},
	tSIC:       {"sic", "siccode", "primarysic", "primarysiccode"},
	tEmployees: {"employees", "numberofemployees", "noofemployees", "numofemployees", "numemployees", "employeecount", "headcount", "companysize", "employeerange", "sizerange"},
	tRevenue:   {"annualrevenue", "revenue", "totalrevenue"},
	tCurrency:  {"currency", "annualrevenuecurrency", "currencycode", "currencyisocode", "accountcurrency"},
	tGrowth:    {"growth", "revenuegrowth", "yoygrowth"},
	tFounded:   {"founded", "yearfounded", "foundedyear", "foundingyear", "yearestablished"},
	tCountry:   {"country", "countryregion", "billingcountry", "billingcountrycode", "countrycode", "hqcountry", "address1countryregion", "address1country"},
	tRegion:    {"region", "state", "stateregion", "stateprovince", "province", "billingstate", "billingstateprovince", "billingstatecode", "address1stateprovince"},
	tCity:      {"city", "billingcity", "hqcity", "address1city"},
	tType:      {"customertype", "businesstype", "businessmodel"},
	tStage:     {"lifecyclestage", "lifecycle", "stage", "accountstage"},
	tTechnologies: {
		"technologies", "technologiesused", "techstack", "technology", "webtechnologies"},
	tChannel:   {"channel", "leadsource", "originalsource", "source", "accountsource", "acquisitionchannel"},
	tLeadGrade: {"leadgrade", "grade", "rating", "leadrating"},
	tConverted: {"converted", "isconverted"},
	tChurned:   {"churned", "ischurned", "churn"},
}

// DefaultHeaders returns the headers a zero [CSVMapping] looks for, by
// Account field (its JSON name), in order of preference, in the normalized
// form they are compared in: lower case, letters and digits only. A bare
// "Type" column is not among them: in Salesforce it holds the relationship
// ("Customer - Direct", "Channel Partner"), not B2B/B2C, so it goes to Text.
func DefaultHeaders() map[string][]string {
	out := make(map[string][]string, nFields)
	for t, hs := range defaultHeaders {
		out[fieldNames[t]] = slices.Clone(hs)
	}
	return out
}

// normalizeHeader lowers s and keeps its letters and digits only.
func normalizeHeader(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// parseNumber reads a number as CRM exports write it: plain ("1200",
// "1200.5", "1.2e3"), with comma thousands separators grouping exactly
// three digits ("1,200", "1,234,567.89"), with a K, M or B (or "bn")
// suffix for thousands, millions, billions ("5.2M"); money columns also
// take one leading currency symbol ($, US$, €, £, ¥) and percent columns a
// trailing "%" (divided by 100). Anything else, NaN and ±Inf included, is
// an error: "1.234.567" and "1,5" are ambiguous between conventions and
// refused rather than guessed.
func parseNumber(s string, money, percent bool) (float64, error) {
	if v, ok := parseDigits(s); ok {
		return v, nil
	}
	orig := s
	sign := 1.0
	if strings.HasPrefix(s, "-") {
		sign, s = -1, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	scale := 1.0
	if s != "" && s[0]-'0' <= 9 && s[len(s)-1]-'0' <= 9 {
		// A digit first and last: no currency symbol, no suffix.
		goto digits
	}
	if money {
		for _, sym := range [...]string{"US$", "$", "€", "£", "¥"} {
			if strings.HasPrefix(s, sym) {
				s = strings.TrimSpace(s[len(sym):])
				break
			}
		}
	}
	switch {
	case percent && strings.HasSuffix(s, "%"):
		scale, s = 0.01, strings.TrimSpace(s[:len(s)-1])
	case hasSuffixFold(s, "bn"):
		scale, s = 1e9, strings.TrimSpace(s[:len(s)-2])
	case strings.HasSuffix(s, "K"), strings.HasSuffix(s, "k"):
		scale, s = 1e3, strings.TrimSpace(s[:len(s)-1])
	case strings.HasSuffix(s, "M"), strings.HasSuffix(s, "m"):
		scale, s = 1e6, strings.TrimSpace(s[:len(s)-1])
	case strings.HasSuffix(s, "B"), strings.HasSuffix(s, "b"):
		scale, s = 1e9, strings.TrimSpace(s[:len(s)-1])
	}
	if s == "" {
		return 0, fmt.Errorf("is %q, not a number", orig)
	}
digits:
	if strings.IndexByte(s, ',') >= 0 {
		var ok bool
		if s, ok = ungroup(s); !ok {
			return 0, fmt.Errorf("is %q, not a number (a comma must separate groups of three digits)", orig)
		}
	} else {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || (c == '+' || c == '-') && i > 0 && (s[i-1] == 'e' || s[i-1] == 'E')) {
				return 0, fmt.Errorf("is %q, not a number", orig)
			}
		}
		if c := s[0]; c == 'e' || c == 'E' {
			return 0, fmt.Errorf("is %q, not a number", orig)
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("is %q, out of range", orig)
		}
		return 0, fmt.Errorf("is %q, not a number", orig)
	}
	v = sign * v * scale
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("is %q, out of range", orig)
	}
	return v, nil
}

// parseDigits reads s when it is 1 to 15 decimal digits, as
// strconv.ParseFloat reads it: any such integer is exact in a float64.
func parseDigits(s string) (float64, bool) {
	if len(s) == 0 || len(s) > 15 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		n = n*10 + uint64(c)
	}
	return float64(n), true
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// ungroup removes the thousands separators of s, which must be 1 to 3
// digits, then groups of ",ddd", then optionally a fraction.
func ungroup(s string) (string, bool) {
	intPart, frac, hasFrac := strings.Cut(s, ".")
	groups := strings.Split(intPart, ",")
	if len(groups[0]) < 1 || len(groups[0]) > 3 {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, g := range groups {
		if i > 0 && len(g) != 3 {
			return "", false
		}
		for j := 0; j < len(g); j++ {
			if g[j] < '0' || g[j] > '9' {
				return "", false
			}
		}
		b.WriteString(g)
	}
	if hasFrac {
		if frac == "" {
			return "", false
		}
		for j := 0; j < len(frac); j++ {
			if frac[j] < '0' || frac[j] > '9' {
				return "", false
			}
		}
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String(), true
}

// splitRange splits "a - b", "a-b", "a – b", "a to b" into its bounds, or
// "a+" into a and an open upper bound. ok is false when s is not a range.
func splitRange(s string) (lo, hi string, open, ok bool) {
	if len(s) > 1 && strings.HasSuffix(s, "+") {
		return strings.TrimSpace(s[:len(s)-1]), "", true, true
	}
	for _, sep := range [...]string{" to ", "–", "—", "-"} {
		// Skip a leading sign, and a sign after an exponent's e.
		for i := 1; i < len(s); i++ {
			j := strings.Index(s[i:], sep)
			if j < 0 {
				break
			}
			i += j
			if sep == "-" && (s[i-1] == 'e' || s[i-1] == 'E') {
				continue
			}
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(sep):]), false, true
		}
	}
	return "", "", false, false
}

// parseYear reads a founding year: "1911", "1911.0" (as spreadsheet tools
// write integers), or a date whose year it keeps: "2001-05-03",
// "2001-05-03T10:00:00Z", "5/3/2001", "03.05.2001".
func parseYear(s string) (int, error) {
	if y, err := strconv.Atoi(strings.TrimSuffix(s, ".0")); err == nil {
		return y, nil
	}
	for _, layout := range [...]string{"2006-01-02", time.RFC3339, "2006-01-02 15:04:05", "1/2/2006", "2/1/2006", "02.01.2006", "2006/01/02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Year(), nil
		}
	}
	return 0, fmt.Errorf("is %q, not a year", s)
}

// parseStage reads a lifecycle stage, with HubSpot's long names for the
// qualified-lead stages.
func parseStage(s string) (Lifecycle, error) {
	// Normalizing keeps or shortens an ASCII string, and a non-ASCII
	// letter that lowers to an ASCII one takes more bytes than it: a value
	// shorter than the shorter long name cannot be either.
	if len(s) >= len("salesqualifiedlead") {
		switch normalizeHeader(s) {
		case "marketingqualifiedlead", "salesqualifiedlead":
			return Lead, nil
		}
	}
	l, err := ParseLifecycle(s)
	if err != nil {
		return 0, fmt.Errorf("is %q, not a lifecycle stage (lead, opportunity, customer or churned)", s)
	}
	return l, nil
}

// splitTechnologies splits a list of technologies on ";" (and on "," when
// there is no ";"), trims each and drops empty items.
func splitTechnologies(s string) []string {
	sep := ";"
	if strings.IndexByte(s, ';') < 0 {
		sep = ","
	}
	c := sep[0]
	out := make([]string, 0, strings.Count(s, sep)+1)
	for {
		i := strings.IndexByte(s, c)
		item := s
		if i >= 0 {
			item = s[:i]
		}
		for item != "" && item[0] == ' ' { // "; " is the usual separator
			item = item[1:]
		}
		if !trimmed(item) {
			item = trimSpaceSlow(item)
		}
		if item != "" {
			out = append(out, item)
		}
		if i < 0 {
			return out
		}
		s = s[i+1:]
	}
}

// country reads a country: an ISO 3166-1 alpha-2 code in any case ("UK"
// reads as "GB"), a name or code from m.Countries, or a name or alpha-3 code
// from the built-in table (see [CountryNames]), matched ignoring case, white
// space and punctuation.
func (m *CSVMapping) country(s string) (string, bool) {
	if len(s) == 2 {
		up := strings.ToUpper(s)
		if up == "UK" {
			return "GB", true
		}
		if isISOAlpha2(up) {
			return up, true
		}
	}
	key := normalizeHeader(s)
	for k, v := range m.Countries {
		if normalizeHeader(k) == key {
			return v, true
		}
	}
	if c, ok := countryNames[key]; ok {
		return c, true
	}
	return "", false
}

// isoAlpha2 holds the officially assigned ISO 3166-1 alpha-2 codes, and XK
// (Kosovo), which is user-assigned but in wide use.
const isoAlpha2 = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
	"DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU " +
	"ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ " +
	"LA LB LC LI LK LR LS LT LU LV LY " +
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA " +
	"RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ " +
	"VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW"

var isoAlpha2Set = func() (set [26 * 26]bool) {
	for code := range strings.SplitSeq(isoAlpha2, " ") {
		set[int(code[0]-'A')*26+int(code[1]-'A')] = true
	}
	return set
}()

func isISOAlpha2(s string) bool {
	return isAlpha2(s) && isoAlpha2Set[int(s[0]-'A')*26+int(s[1]-'A')]
}

// countryNames is the small built-in table of country names and alpha-3
// codes, normalized, that CRM exports commonly hold. The firmographic
// package holds the full table.
var countryNames = func() map[string]string {
	table := map[string][]string{
		"US": {"United States", "United States of America", "USA", "U.S.", "U.S.A.", "America"},
		"GB": {"United Kingdom", "Great Britain", "Britain", "GBR", "England", "Scotland", "Wales", "Northern Ireland"},
		"CA": {"Canada", "CAN"}, "MX": {"Mexico", "MEX"}, "BR": {"Brazil", "Brasil", "BRA"},
		"AR": {"Argentina"}, "CL": {"Chile"}, "CO": {"Colombia"}, "PE": {"Peru"},
		"DE": {"Germany", "Deutschland", "DEU"}, "FR": {"France", "FRA"}, "ES": {"Spain", "España", "ESP"},
		"IT": {"Italy", "Italia", "ITA"}, "NL": {"Netherlands", "The Netherlands", "Holland", "NLD"},
		"BE": {"Belgium"}, "LU": {"Luxembourg"}, "CH": {"Switzerland", "CHE"}, "AT": {"Austria", "AUT"},
		"IE": {"Ireland", "IRL"}, "PT": {"Portugal"}, "SE": {"Sweden", "SWE"}, "NO": {"Norway"},
		"DK": {"Denmark"}, "FI": {"Finland"}, "IS": {"Iceland"}, "PL": {"Poland", "POL"},
		"CZ": {"Czechia", "Czech Republic"}, "SK": {"Slovakia"}, "HU": {"Hungary"}, "RO": {"Romania"},
		"BG": {"Bulgaria"}, "GR": {"Greece"}, "HR": {"Croatia"}, "UA": {"Ukraine"},
		"RU": {"Russia", "Russian Federation", "RUS"}, "TR": {"Turkey", "Türkiye", "Turkiye", "TUR"},
		"IL": {"Israel", "ISR"}, "AE": {"United Arab Emirates", "UAE", "U.A.E.", "ARE"},
		"SA": {"Saudi Arabia", "SAU"}, "QA": {"Qatar"}, "KW": {"Kuwait"}, "BH": {"Bahrain"}, "OM": {"Oman"},
		"EG": {"Egypt"}, "ZA": {"South Africa", "ZAF"}, "NG": {"Nigeria"}, "KE": {"Kenya"},
		"GH": {"Ghana"}, "UG": {"Uganda"}, "TZ": {"Tanzania"}, "LR": {"Liberia"}, "MA": {"Morocco"},
		"IN": {"India", "IND"}, "PK": {"Pakistan"}, "BD": {"Bangladesh"}, "LK": {"Sri Lanka"},
		"CN": {"China", "People's Republic of China", "PRC", "CHN"}, "HK": {"Hong Kong", "HKG"},
		"TW": {"Taiwan"}, "JP": {"Japan", "JPN"}, "KR": {"South Korea", "Korea", "Republic of Korea", "KOR"},
		"SG": {"Singapore", "SGP"}, "MY": {"Malaysia"}, "ID": {"Indonesia"}, "PH": {"Philippines"},
		"TH": {"Thailand"}, "VN": {"Vietnam", "Viet Nam"}, "AU": {"Australia", "AUS"},
		"NZ": {"New Zealand", "NZL"},
	}
	out := make(map[string]string, 128)
	for code, names := range table {
		for _, n := range names {
			out[normalizeHeader(n)] = code
		}
	}
	return out
}()

// CountryNames returns the built-in table of country names (and alpha-3
// codes) the CSV reader understands, normalized as they are compared (lower
// case, letters and digits only), mapped to ISO 3166-1 alpha-2 codes.
// Two-letter values are read as alpha-2 codes, with "UK" read as "GB".
func CountryNames() map[string]string { return maps.Clone(countryNames) }
