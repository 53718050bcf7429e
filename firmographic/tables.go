package firmographic

import (
	"bufio"
	"embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The embedded tables; data/SOURCES.md gives the source of each.
//
//go:embed data/*.tsv
var dataFS embed.FS

// Sector is one of the 20 NAICS 2022 sectors.
type Sector struct {
	// Code is the two-digit code, or the range of codes of the sectors that
	// span several: "11", "31-33", "44-45", "48-49".
	Code string `json:"code"`
	// Title is the official title: "Manufacturing", "Retail Trade".
	Title string `json:"title"`
}

// SICDivision is a division of the US Standard Industrial Classification
// (1987), with the NAICS sector strata rolls a major group up to.
type SICDivision struct {
	// Division is the letter, "A" to "K".
	Division string `json:"division"`
	// Title is the division's title: "Mining".
	Title string `json:"title"`
	// Sector is the code of the NAICS 2022 sector the major group is rolled
	// up to ("" for division K, nonclassifiable establishments).
	Sector string `json:"sector,omitempty"`
}

// Country is one ISO 3166-1 country or area with its UN M49 regions.
type Country struct {
	// Code is the ISO 3166-1 alpha-2 code: "US".
	Code string `json:"code"`
	// Name is the English short name: "United States".
	Name string `json:"name"`
	// Region is the M49 region: "Africa", "Americas", "Asia", "Europe",
	// "Oceania"; "" for Antarctica.
	Region string `json:"region,omitempty"`
	// SubRegion is the M49 sub-region: "Northern America", "Latin America
	// and the Caribbean", "Western Europe"…
	SubRegion string `json:"sub_region,omitempty"`
	// IntermediateRegion is the M49 intermediate region where there is one:
	// "South America", "Caribbean", "Eastern Africa", "Channel Islands".
	IntermediateRegion string `json:"intermediate_region,omitempty"`
	// Continent is derived from M49: the region, with the Americas split into
	// "North America" and "South America", and "Antarctica".
	Continent string `json:"continent"`
	// OtherNames are other names the country goes by ("USA", "UK").
	OtherNames []string `json:"other_names,omitempty"`
}

// State is a US state (or the District of Columbia) with its census region
// and division.
type State struct {
	// Code is the two-letter USPS code: "TX".
	Code string `json:"code"`
	// Name is the state's name: "Texas".
	Name string `json:"name"`
	// Region is the census region: "Northeast", "Midwest", "South", "West".
	Region string `json:"region"`
	// Division is the census division: "West South Central".
	Division string `json:"division"`
}

// tables holds the parsed embedded tables.
type tableSet struct {
	sectors     []Sector
	sectorOf2   [100]int8 // two-digit prefix → sector index, −1 none
	sic         [100]int8 // two-digit major group → sicDivs index, −1 none
	sicDivs     []SICDivision
	countries   []Country
	countryIdx  [26 * 26]int16 // alpha-2 → index, −1 none
	countryName map[string]int // normalized name or code → index
	regions     []string       // M49 regions, sorted
	subRegions  []string       // M49 sub-regions, in table order
	continents  []string       // sorted
	states      []State
	stateIdx    map[string]int // normalized code or name → index
	censusRegs  []string
	censusDivs  []string
	industries  map[string]int    // normalized value → sector index
	techs       map[string]string // normalized technology → category

	// By country index: the index of its region, sub-region and continent
	// in the lists above (−1 for none); by state index, of its census
	// region and division.
	regionOf, subRegionOf, continentOf []int8
	stateRegion, stateDivision         []int8
}

var tables = mustLoad()

func mustLoad() *tableSet {
	t, err := load()
	if err != nil {
		panic("firmographic: embedded tables: " + err.Error())
	}
	return t
}

// rows reads a TSV file of the embedded data, skipping comments.
func rows(name string, fields int) ([][]string, error) {
	f, err := dataFS.Open("data/" + name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		r := strings.Split(s, "\t")
		if len(r) != fields {
			return nil, fmt.Errorf("%s:%d: %d fields, want %d", name, line, len(r), fields)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

func twoDigits(s string) (int, bool) {
	if len(s) < 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

func load() (*tableSet, error) {
	t := &tableSet{countryName: map[string]int{}, stateIdx: map[string]int{}, industries: map[string]int{}, techs: map[string]string{}}
	for i := range t.sectorOf2 {
		t.sectorOf2[i], t.sic[i] = -1, -1
	}
	for i := range t.countryIdx {
		t.countryIdx[i] = -1
	}

	rs, err := rows("naics_sectors.tsv", 2)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rs, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	for i, r := range rs {
		t.sectors = append(t.sectors, Sector{Code: r[0], Title: r[1]})
		lo, _ := twoDigits(r[0])
		hi := lo
		if len(r[0]) == 5 {
			hi, _ = twoDigits(r[0][3:])
		}
		for c := lo; c <= hi; c++ {
			t.sectorOf2[c] = int8(i)
		}
	}

	if rs, err = rows("sic_major_groups.tsv", 5); err != nil {
		return nil, err
	}
	for _, r := range rs {
		lo, ok1 := twoDigits(r[0])
		hi, ok2 := twoDigits(r[1])
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("sic range %q-%q", r[0], r[1])
		}
		d := SICDivision{Division: r[2], Title: r[3], Sector: r[4]}
		if d.Sector != "" && t.sectorIndex(d.Sector) < 0 {
			return nil, fmt.Errorf("sic range %s-%s: sector %q", r[0], r[1], d.Sector)
		}
		j := slices.Index(t.sicDivs, d)
		if j < 0 {
			j = len(t.sicDivs)
			t.sicDivs = append(t.sicDivs, d)
		}
		for c := lo; c <= hi; c++ {
			t.sic[c] = int8(j)
		}
	}

	if rs, err = rows("countries.tsv", 6); err != nil {
		return nil, err
	}
	regions, continents := map[string]bool{}, map[string]bool{}
	for i, r := range rs {
		c := Country{Code: r[0], Name: r[1], Region: r[2], SubRegion: r[3], IntermediateRegion: r[4]}
		if r[5] != "" {
			c.OtherNames = strings.Split(r[5], ";")
		}
		switch {
		case c.Code == "AQ":
			c.Continent = "Antarctica"
		case c.Region == "Americas" && c.IntermediateRegion == "South America":
			c.Continent = "South America"
		case c.Region == "Americas":
			c.Continent = "North America"
		default:
			c.Continent = c.Region
		}
		if len(c.Code) != 2 || c.Code[0] < 'A' || c.Code[0] > 'Z' || c.Code[1] < 'A' || c.Code[1] > 'Z' {
			return nil, fmt.Errorf("country code %q", c.Code)
		}
		k := int(c.Code[0]-'A')*26 + int(c.Code[1]-'A')
		if t.countryIdx[k] >= 0 {
			return nil, fmt.Errorf("country %s twice", c.Code)
		}
		t.countryIdx[k] = int16(i)
		t.countries = append(t.countries, c)
		for _, n := range append([]string{c.Code, c.Name}, c.OtherNames...) {
			key := normalizeName(n)
			if j, dup := t.countryName[key]; dup && j != i {
				return nil, fmt.Errorf("country name %q for %s and %s", n, t.countries[j].Code, c.Code)
			}
			t.countryName[key] = i
		}
		if c.Region != "" {
			regions[c.Region] = true
			if !slices.Contains(t.subRegions, c.SubRegion) {
				t.subRegions = append(t.subRegions, c.SubRegion)
			}
		}
		continents[c.Continent] = true
	}
	t.regions = slices.Sorted(maps.Keys(regions))
	t.continents = slices.Sorted(maps.Keys(continents))
	for _, c := range t.countries {
		t.regionOf = append(t.regionOf, int8(slices.Index(t.regions, c.Region)))
		t.subRegionOf = append(t.subRegionOf, int8(slices.Index(t.subRegions, c.SubRegion)))
		t.continentOf = append(t.continentOf, int8(slices.Index(t.continents, c.Continent)))
	}

	if rs, err = rows("us_states.tsv", 4); err != nil {
		return nil, err
	}
	for i, r := range rs {
		s := State{Code: r[0], Name: r[1], Region: r[2], Division: r[3]}
		t.states = append(t.states, s)
		t.stateIdx[normalizeName(s.Code)] = i
		t.stateIdx[normalizeName(s.Name)] = i
		if !slices.Contains(t.censusRegs, s.Region) {
			t.censusRegs = append(t.censusRegs, s.Region)
		}
		if !slices.Contains(t.censusDivs, s.Division) {
			t.censusDivs = append(t.censusDivs, s.Division)
		}
	}

	for _, s := range t.states {
		t.stateRegion = append(t.stateRegion, int8(slices.Index(t.censusRegs, s.Region)))
		t.stateDivision = append(t.stateDivision, int8(slices.Index(t.censusDivs, s.Division)))
	}

	if rs, err = rows("industries.tsv", 2); err != nil {
		return nil, err
	}
	for _, r := range rs {
		i := t.sectorIndex(r[0])
		if i < 0 {
			return nil, fmt.Errorf("industry %q: sector %q", r[1], r[0])
		}
		key := normalizeName(r[1])
		if j, dup := t.industries[key]; dup && j != i {
			return nil, fmt.Errorf("industry %q in two sectors", r[1])
		}
		t.industries[key] = i
	}

	if rs, err = rows("technologies.tsv", 2); err != nil {
		return nil, err
	}
	for _, r := range rs {
		t.techs[normalizeName(r[1])] = r[0]
	}
	return t, nil
}

// sectorIndex returns the index of the sector of a code: a sector code
// ("31-33") or any code of 2 to 6 digits; −1 when there is none.
func (t *tableSet) sectorIndex(code string) int {
	for i, s := range t.sectors {
		if s.Code == code {
			return i
		}
	}
	if len(code) > 6 {
		return -1
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return -1
		}
	}
	p, ok := twoDigits(code)
	if !ok {
		return -1
	}
	return int(t.sectorOf2[p])
}

// normalizeName folds s for matching names: lower case, every run of
// characters other than letters and digits a single space, and the words
// "and" (and the sign "&") dropped. "Hospital & Health Care" and
// "HOSPITAL_HEALTH_CARE" are both "hospital health care".
func normalizeName(s string) string {
	var buf [96]byte
	return string(appendNormalized(buf[:0], s))
}

// appendNormalized appends the normalized form of s to dst.
func appendNormalized(dst []byte, s string) []byte {
	start := len(dst)
	wordStart := len(dst)
	endWord := func() {
		w := dst[wordStart:]
		if string(w) == "and" {
			dst = dst[:wordStart]
		}
	}
	inWord := false
	for i := 0; i < len(s); {
		c := s[i]
		var r rune
		size := 1
		if c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
				if !inWord {
					if len(dst) > start && dst[len(dst)-1] != ' ' {
						dst = append(dst, ' ')
					}
					wordStart = len(dst)
					inWord = true
				}
				dst = append(dst, byte(r))
				continue
			}
		} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if !inWord {
				if len(dst) > start && dst[len(dst)-1] != ' ' {
					dst = append(dst, ' ')
				}
				wordStart = len(dst)
				inWord = true
			}
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
			continue
		}
		if inWord {
			endWord()
			inWord = false
		}
	}
	if inWord {
		endWord()
	}
	for len(dst) > start && dst[len(dst)-1] == ' ' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// Sectors returns the 20 NAICS 2022 sectors in code order.
func Sectors() []Sector { return slices.Clone(tables.sectors) }

// SectorOf returns the NAICS 2022 sector of a NAICS code of 2 to 6 digits
// ("336390" is in 31-33 Manufacturing), or of a sector code ("44-45"); ok is
// false for anything else, such as a two-digit prefix no sector has ("99").
func SectorOf(naics string) (s Sector, ok bool) {
	i := tables.sectorIndex(strings.TrimSpace(naics))
	if i < 0 {
		return Sector{}, false
	}
	return tables.sectors[i], true
}

// SICDivisionOf returns the SIC division of a SIC code of 2 to 4 digits and
// the NAICS sector its major group rolls up to (see data/SOURCES.md); ok is
// false for a code in no major group.
func SICDivisionOf(sic string) (d SICDivision, ok bool) {
	sic = strings.TrimSpace(sic)
	if len(sic) > 4 {
		return SICDivision{}, false
	}
	for i := 0; i < len(sic); i++ {
		if sic[i] < '0' || sic[i] > '9' {
			return SICDivision{}, false
		}
	}
	p, ok := twoDigits(sic)
	if !ok || tables.sic[p] < 0 {
		return SICDivision{}, false
	}
	return tables.sicDivs[tables.sic[p]], true
}

// Countries returns every country of the table (the 249 ISO 3166-1 codes and
// XK, Kosovo), in M49 order.
func Countries() []Country {
	out := slices.Clone(tables.countries)
	for i := range out {
		out[i].OtherNames = slices.Clone(out[i].OtherNames)
	}
	return out
}

// CountryOf returns the country of an ISO 3166-1 alpha-2 code, a name or a
// common other name ("USA", "United States of America", "UK", "Great
// Britain", "Russia", "South Korea", "Czech Republic", "united states"),
// matched ignoring case, punctuation and the word "and"; ok is false when
// none matches.
func CountryOf(s string) (c Country, ok bool) {
	i := tables.country(s)
	if i < 0 {
		return Country{}, false
	}
	c = tables.countries[i]
	c.OtherNames = slices.Clone(c.OtherNames)
	return c, true
}

func (t *tableSet) countryByCode(code string) int {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return -1
	}
	return int(t.countryIdx[int(code[0]-'A')*26+int(code[1]-'A')])
}

func (t *tableSet) country(s string) int {
	if i := t.countryByCode(s); i >= 0 {
		return i
	}
	var buf [96]byte
	if i, ok := t.countryName[string(appendNormalized(buf[:0], s))]; ok {
		return i
	}
	return -1
}

// CountryNames returns every name, other name and code of the country
// table mapped to its alpha-2 code, for [segment.CSVMapping].Countries, so
// that a CSV file's country column may hold any of them.
func CountryNames() map[string]string {
	out := make(map[string]string, 3*len(tables.countries))
	for _, c := range tables.countries {
		out[c.Name] = c.Code
		for _, n := range c.OtherNames {
			out[n] = c.Code
		}
	}
	return out
}

// StateOf returns the US state (or DC) of a USPS code or a name, any case
// ("TX", "texas"); ok is false for anything else, territories included.
func StateOf(s string) (st State, ok bool) {
	i, ok := tables.stateIdx[normalizeName(s)]
	if !ok {
		return State{}, false
	}
	return tables.states[i], true
}

// NormalizeIndustry returns the form industry and technology values are
// matched in: lower case, each run of punctuation and spaces one space, "&"
// and the word "and" dropped ("Hospital & Health Care" and
// "HOSPITAL_HEALTH_CARE" give "hospital health care").
func NormalizeIndustry(s string) string { return normalizeName(s) }

// DefaultIndustries returns the built-in table of free-text industry values
// (normalized, see [NormalizeIndustry]) and the code of the NAICS sector
// each rolls up to: LinkedIn's industries (which HubSpot's picklist
// spells in upper snake case), Salesforce's standard Account Industry
// values, the Fortune sectors and common CRM wording. Config.Industries
// adds to it.
func DefaultIndustries() map[string]string {
	out := make(map[string]string, len(tables.industries))
	for k, i := range tables.industries {
		out[k] = tables.sectors[i].Code
	}
	return out
}

// DefaultTechnologies returns the built-in table of technologies
// (normalized, see [NormalizeIndustry]) and the category of each ("crm",
// "erp", "accounting", "cloud", "analytics", "collaboration", "marketing",
// "integration", "security", "ecommerce", "spreadsheet"). Config.Technologies
// adds to it.
func DefaultTechnologies() map[string]string { return maps.Clone(tables.techs) }
