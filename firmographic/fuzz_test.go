package firmographic_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/strataseg/strata/firmographic"
	"github.com/strataseg/strata/segment"
)

// FuzzAssign feeds free text to the tables and the rule Model: no panic,
// normalisation is idempotent, and every assignment is a listed segment.
func FuzzAssign(f *testing.F) {
	for _, s := range []string{"Hospital & Health Care", "COMPUTER_SOFTWARE", "united states", "Texas", "Bâtiment ÉLECTRIQUE", "", " and ", "\xff"} {
		f.Add(s, "US", "5415", 1200.0)
	}
	s, err := firmographic.New(firmographic.Config{Dimensions: []firmographic.Dimension{firmographic.DimEmployees, firmographic.DimSector,
		firmographic.DimCensusRegion, firmographic.TechDimension("crm")}})
	if err != nil {
		f.Fatal(err)
	}
	m, err := s.DecodeModel([]byte(`{"method":"firmographic","version":1,"config":{"dimensions":["employees","sector","census-region","tech:crm"]}}`))
	if err != nil {
		f.Fatal(err)
	}
	listed := map[string]bool{}
	for _, sg := range m.Segments() {
		listed[sg.ID] = true
	}
	f.Fuzz(func(t *testing.T, text, country, code string, emp float64) {
		n := firmographic.NormalizeIndustry(text)
		if utf8.ValidString(text) && firmographic.NormalizeIndustry(n) != n {
			t.Errorf("NormalizeIndustry(%q) = %q is not idempotent", text, n)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") {
			t.Errorf("NormalizeIndustry(%q) = %q has outer spaces", text, n)
		}
		firmographic.CountryOf(text)
		firmographic.StateOf(text)
		firmographic.SectorOf(code)
		firmographic.SICDivisionOf(code)
		a := segment.Account{ID: "f", Industry: text, Region: text, Country: country, NAICS: code, SIC: code, Employees: segment.N(emp), Technologies: []string{text}}
		as, err := m.Assign(&a)
		if err != nil {
			if a.Validate() == nil {
				t.Errorf("valid account refused: %v", err)
			}
			return
		}
		if !listed[as.Segment.ID] {
			t.Errorf("segment %q not listed", as.Segment.ID)
		}
	})
}
