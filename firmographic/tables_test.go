package firmographic_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/firmographic"
)

func TestSectors(t *testing.T) {
	ss := firmographic.Sectors()
	require.Len(t, ss, 20)
	assert.Equal(t, firmographic.Sector{Code: "11", Title: "Agriculture, Forestry, Fishing and Hunting"}, ss[0])
	assert.Equal(t, firmographic.Sector{Code: "92", Title: "Public Administration"}, ss[19])
	for code, want := range map[string]string{
		"111110": "11", "211120": "21", "221111": "22", "236220": "23", "311111": "31-33", "325412": "31-33", "339999": "31-33",
		"423830": "42", "445110": "44-45", "455219": "44-45", "481111": "48-49", "493110": "48-49", "513210": "51",
		"522110": "52", "531110": "53", "541511": "54", "551111": "55", "561320": "56", "611310": "61", "622110": "62",
		"711110": "71", "722511": "72", "811111": "81", "921110": "92", "44-45": "44-45", "32": "31-33", " 5415 ": "54",
	} {
		s, ok := firmographic.SectorOf(code)
		if assert.True(t, ok, code) {
			assert.Equal(t, want, s.Code, code)
		}
	}
	for _, code := range []string{"", "5", "99", "10", "1234567", "54a", "abc", "43"} {
		_, ok := firmographic.SectorOf(code)
		assert.False(t, ok, code)
	}
}

func TestSICDivisions(t *testing.T) {
	for code, want := range map[string][2]string{
		"0111": {"A", "11"}, "1311": {"B", "21"}, "1521": {"C", "23"}, "2834": {"D", "31-33"}, "3571": {"D", "31-33"},
		"4011": {"E", "48-49"}, "4813": {"E", "51"}, "4911": {"E", "22"}, "5045": {"F", "42"}, "5411": {"G", "44-45"},
		"5812": {"G", "72"}, "6021": {"H", "52"}, "6512": {"H", "53"}, "7011": {"I", "72"}, "7372": {"I", "54"},
		"8062": {"I", "62"}, "8221": {"I", "61"}, "9111": {"J", "92"}, "9999": {"K", ""},
	} {
		d, ok := firmographic.SICDivisionOf(code)
		if assert.True(t, ok, code) {
			assert.Equal(t, want[0], d.Division, code)
			assert.Equal(t, want[1], d.Sector, code)
		}
	}
	for _, code := range []string{"", "1", "66", "98", "12345", "x1"} {
		_, ok := firmographic.SICDivisionOf(code)
		assert.False(t, ok, code)
	}
}

func TestCountries(t *testing.T) {
	cs := firmographic.Countries()
	require.Len(t, cs, 250)
	seen := map[string]bool{}
	for _, c := range cs {
		assert.False(t, seen[c.Code], c.Code)
		seen[c.Code] = true
		if c.Code != "AQ" {
			assert.NotEmpty(t, c.Region, c.Code)
			assert.NotEmpty(t, c.SubRegion, c.Code)
		}
	}
	// Known M49 assignments: code → region, sub-region, intermediate region, continent.
	for code, want := range map[string][4]string{
		"US": {"Americas", "Northern America", "", "North America"},
		"CA": {"Americas", "Northern America", "", "North America"},
		"MX": {"Americas", "Latin America and the Caribbean", "Central America", "North America"},
		"BR": {"Americas", "Latin America and the Caribbean", "South America", "South America"},
		"JM": {"Americas", "Latin America and the Caribbean", "Caribbean", "North America"},
		"GB": {"Europe", "Northern Europe", "", "Europe"},
		"IE": {"Europe", "Northern Europe", "", "Europe"},
		"DE": {"Europe", "Western Europe", "", "Europe"},
		"FR": {"Europe", "Western Europe", "", "Europe"},
		"IT": {"Europe", "Southern Europe", "", "Europe"},
		"PL": {"Europe", "Eastern Europe", "", "Europe"},
		"RU": {"Europe", "Eastern Europe", "", "Europe"},
		"CZ": {"Europe", "Eastern Europe", "", "Europe"},
		"JE": {"Europe", "Northern Europe", "Channel Islands", "Europe"},
		"TR": {"Asia", "Western Asia", "", "Asia"},
		"CY": {"Asia", "Western Asia", "", "Asia"},
		"IL": {"Asia", "Western Asia", "", "Asia"},
		"AE": {"Asia", "Western Asia", "", "Asia"},
		"IN": {"Asia", "Southern Asia", "", "Asia"},
		"IR": {"Asia", "Southern Asia", "", "Asia"},
		"KZ": {"Asia", "Central Asia", "", "Asia"},
		"CN": {"Asia", "Eastern Asia", "", "Asia"},
		"JP": {"Asia", "Eastern Asia", "", "Asia"},
		"SG": {"Asia", "South-eastern Asia", "", "Asia"},
		"VN": {"Asia", "South-eastern Asia", "", "Asia"},
		"EG": {"Africa", "Northern Africa", "", "Africa"},
		"SD": {"Africa", "Northern Africa", "", "Africa"},
		"NG": {"Africa", "Sub-Saharan Africa", "Western Africa", "Africa"},
		"KE": {"Africa", "Sub-Saharan Africa", "Eastern Africa", "Africa"},
		"ZA": {"Africa", "Sub-Saharan Africa", "Southern Africa", "Africa"},
		"CD": {"Africa", "Sub-Saharan Africa", "Middle Africa", "Africa"},
		"AU": {"Oceania", "Australia and New Zealand", "", "Oceania"},
		"FJ": {"Oceania", "Melanesia", "", "Oceania"},
		"GU": {"Oceania", "Micronesia", "", "Oceania"},
		"WS": {"Oceania", "Polynesia", "", "Oceania"},
		"AQ": {"", "", "", "Antarctica"},
	} {
		c, ok := firmographic.CountryOf(code)
		if assert.True(t, ok, code) {
			assert.Equal(t, want, [4]string{c.Region, c.SubRegion, c.IntermediateRegion, c.Continent}, code)
		}
	}
	for name, want := range map[string]string{
		"USA": "US", "United States of America": "US", "united states": "US", "U.S.A.": "US", "UK": "GB",
		"Great Britain": "GB", "united kingdom": "GB", "Russia": "RU", "South Korea": "KR", "Czechia": "CZ",
		"Czech Republic": "CZ", "czechia": "CZ", "Türkiye": "TR", "turkey": "TR", "Viet Nam": "VN", "vietnam": "VN",
		"hong kong": "HK", "macau": "MO", "palestine": "PS", "syria": "SY", "iran": "IR", "brunei": "BN",
		"cayman islands": "KY", "isle of man": "IM", "trinidad and tobago": "TT", "saint lucia": "LC", "de": "DE",
		"Ivory Coast": "CI", "Côte d'Ivoire": "CI",
	} {
		c, ok := firmographic.CountryOf(name)
		if assert.True(t, ok, name) {
			assert.Equal(t, want, c.Code, name)
		}
	}
	for _, name := range []string{"", "Atlantis", "ZZ", "Europe"} {
		_, ok := firmographic.CountryOf(name)
		assert.False(t, ok, name)
	}
	names := firmographic.CountryNames()
	assert.Equal(t, "US", names["USA"])
	assert.Equal(t, "GB", names["UK"])
}

func TestStates(t *testing.T) {
	for s, want := range map[string][3]string{
		"TX": {"TX", "South", "West South Central"}, "texas": {"TX", "South", "West South Central"},
		"CA": {"CA", "West", "Pacific"}, "NY": {"NY", "Northeast", "Middle Atlantic"}, "MA": {"MA", "Northeast", "New England"},
		"IL": {"IL", "Midwest", "East North Central"}, "MN": {"MN", "Midwest", "West North Central"},
		"DC": {"DC", "South", "South Atlantic"}, "District of Columbia": {"DC", "South", "South Atlantic"},
		"KY": {"KY", "South", "East South Central"}, "CO": {"CO", "West", "Mountain"}, "ar": {"AR", "South", "West South Central"},
	} {
		st, ok := firmographic.StateOf(s)
		if assert.True(t, ok, s) {
			assert.Equal(t, want, [3]string{st.Code, st.Region, st.Division}, s)
		}
	}
	for _, s := range []string{"PR", "GU", "", "Bavaria"} {
		_, ok := firmographic.StateOf(s)
		assert.False(t, ok, s)
	}
}

func TestNormalizeIndustry(t *testing.T) {
	for in, want := range map[string]string{
		"Hospital & Health Care":                "hospital health care",
		"HOSPITAL_HEALTH_CARE":                  "hospital health care",
		"hospital and health care":              "hospital health care",
		"  Information Technology and Services": "information technology services",
		"E-Learning":                            "e learning",
		"Glass, Ceramics & Concrete":            "glass ceramics concrete",
		"Android":                               "android",
		"&":                                     "",
		"Bâtiment":                              "bâtiment",
	} {
		assert.Equal(t, want, firmographic.NormalizeIndustry(in), in)
	}
	for text, want := range map[string]string{
		"COMPUTER_SOFTWARE": "51", "Technology": "51", "Healthcare": "62", "Manufacturing": "31-33", "Banking": "52",
		"Not For Profit": "81", "Food & Beverage": "31-33", "Hospitality": "72", "Software": "51",
		"INFORMATION_TECHNOLOGY_AND_SERVICES": "54", "NONPROFIT_ORGANIZATION_MANAGEMENT": "81",
	} {
		s, ok := firmographic.IndustrySector(text, firmographic.Tables{})
		if assert.True(t, ok, text) {
			assert.Equal(t, want, s.Code, text)
		}
	}
	_, ok := firmographic.IndustrySector("Other", firmographic.Tables{})
	assert.False(t, ok, "Other is not guessed")
	s, ok := firmographic.IndustrySector("quantum widgets", firmographic.Tables{Industries: map[string]string{"Quantum Widgets": "334413"}})
	assert.True(t, ok)
	assert.Equal(t, "31-33", s.Code)
	assert.Equal(t, "51", firmographic.DefaultIndustries()["computer software"])
	assert.Equal(t, "crm", firmographic.DefaultTechnologies()["salesforce"])
}

func TestSalesforceIndustries(t *testing.T) {
	// Salesforce's standard Account Industry picklist: every value but
	// "Other" has a sector.
	for _, v := range []string{"Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
		"Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering", "Entertainment",
		"Environmental", "Finance", "Food & Beverage", "Government", "Healthcare", "Hospitality", "Insurance",
		"Machinery", "Manufacturing", "Media", "Not For Profit", "Recreation", "Retail", "Shipping", "Technology",
		"Telecommunications", "Transportation", "Utilities"} {
		_, ok := firmographic.IndustrySector(v, firmographic.Tables{})
		assert.True(t, ok, v)
	}
	_, ok := firmographic.IndustrySector("Other", firmographic.Tables{})
	assert.False(t, ok)
}
