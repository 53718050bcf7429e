package firmographic_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/firmographic"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/cluster"
)

const dataDir = "../../shared/data/companies/"

// readCSV reads a CSV file of the shared data with mapping m, skipping the
// test when the file is absent.
func readCSV(t testing.TB, name string, m segment.CSVMapping) []segment.Account {
	t.Helper()
	f, err := os.Open(dataDir + name)
	if os.IsNotExist(err) {
		t.Skipf("%s%s is absent: the real-data checks need /work/shared/data", dataDir, name)
	}
	require.NoError(t, err)
	defer f.Close()
	r, err := segment.NewCSVReader(f, m)
	require.NoError(t, err, name)
	accts := slices.Collect(r.All())
	require.NoError(t, r.Err(), name)
	return accts
}

// fortune reads the Fortune 1000 of 2021: revenue in US$ millions, the
// Fortune sector as the industry, the state as the region.
func fortune(t testing.TB) []segment.Account {
	return readCSV(t, "fortune1000_2021.csv", segment.CSVMapping{
		ID: "rank", Name: "company", Revenue: "revenue", RevenueScale: 1e6, Industry: "sector",
		Region: "state", City: "city", DefaultCountry: "US", Unmapped: segment.UnmappedIgnore,
	})
}

// companies reads the 21,000 LinkedIn companies: the employee count is the
// current employee estimate, countries are lower-case names.
func companies(t testing.TB) []segment.Account {
	return readCSV(t, "companies_sorted.csv", segment.CSVMapping{
		ID: "#1", Name: "name", Employees: "current employee estimate", Industry: "industry",
		Country: "country", Countries: firmographic.CountryNames(), Unmapped: segment.UnmappedText,
	})
}

func assignAll(t testing.TB, s segment.Segmenter, accts []segment.Account) (segment.Model, []segment.Assignment) {
	t.Helper()
	m, err := s.Fit(t.Context(), slices.Values(accts))
	require.NoError(t, err)
	res, err := segment.AssignAll(t.Context(), m, slices.Values(accts), 0)
	require.NoError(t, err)
	return m, res.Assignments
}

func find(t testing.TB, accts []segment.Account, name string) int {
	t.Helper()
	i := slices.IndexFunc(accts, func(a segment.Account) bool { return a.Name == name })
	require.GreaterOrEqual(t, i, 0, "no account named %q", name)
	return i
}

func TestFortuneSectors(t *testing.T) {
	accts := fortune(t)
	require.Len(t, accts, 1000)
	assert.Empty(t, firmographic.UnmatchedIndustries(slices.Values(accts), firmographic.Tables{}), "every Fortune sector is mapped")
	want := map[string]string{
		"Financials": "52", "Energy": "21", "Technology": "51", "Retailing": "44-45", "Health Care": "62",
		"Business Services": "56", "Industrials": "31-33", "Materials": "31-33", "Transportation": "48-49",
		"Food, Beverages & Tobacco": "31-33", "Wholesalers": "42", "Engineering & Construction": "23",
		"Chemicals": "31-33", "Hotels, Restaurants & Leisure": "72", "Household Products": "31-33", "Media": "51",
		"Motor Vehicles & Parts": "31-33", "Aerospace & Defense": "31-33", "Apparel": "31-33",
		"Telecommunications": "51", "Food & Drug Stores": "44-45",
	}
	seen := map[string]bool{}
	for _, a := range accts {
		seen[a.Industry] = true
	}
	assert.Len(t, seen, 21)
	for sector := range seen {
		s, ok := firmographic.IndustrySector(sector, firmographic.Tables{})
		if assert.True(t, ok, sector) {
			assert.Equal(t, want[sector], s.Code, sector)
		}
	}
}

func TestLinkedInIndustries(t *testing.T) {
	accts := companies(t)
	require.Len(t, accts, 21000)
	distinct := map[string]bool{}
	withIndustry := 0
	for _, a := range accts {
		if a.Industry != "" {
			distinct[a.Industry] = true
			withIndustry++
		}
	}
	assert.Len(t, distinct, 147)
	// The two LinkedIn industries with no main activity are reported, by
	// decision (data/industries.tsv), and nothing else.
	got := firmographic.UnmatchedIndustries(slices.Values(accts), firmographic.Tables{})
	assert.Equal(t, []firmographic.IndustryCount{{Industry: "international trade and development", Accounts: 49}, {Industry: "consumer services", Accounts: 48}}, got)
	assert.Equal(t, 21000, withIndustry)
	for text, code := range map[string]string{
		"hospital & health care": "62", "higher education": "61", "computer software": "51", "oil & energy": "21",
		"government administration": "92", "information technology and services": "54", "banking": "52",
		"retail": "44-45", "utilities": "22", "construction": "23", "restaurants": "72", "staffing and recruiting": "56",
		"airlines/aviation": "48-49", "real estate": "53", "farming": "11", "wholesale": "42", "sports": "71",
		"religious institutions": "81", "automotive": "31-33", "HOSPITAL_HEALTH_CARE": "62", "COMPUTER_SOFTWARE": "51",
	} {
		s, ok := firmographic.IndustrySector(text, firmographic.Tables{})
		if assert.True(t, ok, text) {
			assert.Equal(t, code, s.Code, text)
		}
	}
	// The unmatched ones land in the unknown sector, with the reason.
	m, as := assignAll(t, must(firmographic.New(firmographic.Config{Dimensions: []firmographic.Dimension{firmographic.DimSector}})), accts)
	unknown := 0
	for i, a := range as {
		if a.Segment.ID == "firmographic/sector-unknown" {
			unknown++
			assert.Contains(t, a.Reasons[0].Text, "not recognised", accts[i].Industry)
		}
	}
	assert.Equal(t, 97, unknown)
	assert.Len(t, m.Segments(), 21)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestWalmart(t *testing.T) {
	accts := fortune(t)
	w := find(t, accts, "Walmart")
	_, as := assignAll(t, must(firmographic.New(firmographic.Config{})), accts)
	assert.Equal(t, "Enterprise · Retail Trade · Americas", as[w].Segment.Name)
	assert.Equal(t, "firmographic/enterprise.naics-44-45.americas", as[w].Segment.ID)
	assert.InDelta(t, 1.0, as[w].Score, 1e-12)
	assert.Equal(t, "employees 2,200,000 ≥ 1,000 → Enterprise", as[w].Reasons[0].Text)
	assert.Equal(t, `industry "Retailing" → sector 44-45 Retail Trade`, as[w].Reasons[1].Text)
	assert.Equal(t, "country US (Northern America) → Americas", as[w].Reasons[2].Text)

	_, as = assignAll(t, must(firmographic.New(firmographic.Config{Dimensions: []firmographic.Dimension{
		firmographic.DimEmployees, firmographic.DimRevenue, firmographic.DimSector, firmographic.DimSubRegion, firmographic.DimCensusRegion}})), accts)
	assert.Equal(t, "Enterprise · Large revenue · Retail Trade · Northern America · US South", as[w].Segment.Name)
	assert.Equal(t, "revenue USD 524B ≥ USD 1B → Large revenue", as[w].Reasons[1].Text)
	assert.Equal(t, "state AR (census division West South Central) → US South", as[w].Reasons[4].Text)
}

func TestFortuneBandsAndCensus(t *testing.T) {
	accts := fortune(t)
	_, as := assignAll(t, must(firmographic.New(firmographic.Config{Dimensions: []firmographic.Dimension{
		firmographic.DimEmployees, firmographic.DimRevenue, firmographic.DimCensusRegion}})), accts)
	bands := map[string]int{}
	regions := map[string]int{}
	want := map[string]int{}
	wantRegions := map[string]int{}
	for i, a := range accts {
		parts := strings.Split(as[i].Segment.Name, " · ")
		require.Len(t, parts, 3)
		bands[parts[0]]++
		regions[parts[2]]++
		e := a.Employees.Or(-1)
		switch {
		case e < 0:
			want["Size unknown"]++
		case e < 100:
			want["Small business"]++
		case e < 1000:
			want["Mid-market"]++
		default:
			want["Enterprise"]++
		}
		// Every Fortune 1000 company of 2021 had over US$ 1B of revenue.
		assert.Equal(t, "Large revenue", parts[1], a.Name)
		if st, ok := firmographic.StateOf(a.Region); ok {
			wantRegions["US "+st.Region]++
		} else {
			wantRegions["US region unknown"]++
		}
	}
	assert.Equal(t, want, bands)
	assert.Equal(t, wantRegions, regions)
	assert.Equal(t, 2, regions["US region unknown"], "two companies in Puerto Rico, which is not a state")
	assert.Positive(t, bands["Small business"], "the file holds companies of 51 employees")
	pr := slices.IndexFunc(accts, func(a segment.Account) bool { return a.Region == "PR" })
	require.GreaterOrEqual(t, pr, 0)
	assert.Equal(t, `US state "PR" not a state → US region unknown`, as[pr].Reasons[2].Text)
}

func TestCompaniesGeographyAndSize(t *testing.T) {
	accts := companies(t)
	_, as := assignAll(t, must(firmographic.New(firmographic.Config{Dimensions: []firmographic.Dimension{
		firmographic.DimEmployees, firmographic.DimSubRegion, firmographic.DimRegion}})), accts)
	unknownRegion, enterprise, mid := 0, 0, 0
	for i, a := range accts {
		parts := strings.Split(as[i].Segment.Name, " · ")
		if a.Country == "" {
			unknownRegion++
			assert.Equal(t, "Region unknown", parts[2], a.Name)
			assert.Equal(t, "country unknown → Sub-region unknown", as[i].Reasons[1].Text)
		} else {
			assert.NotEqual(t, "Region unknown", parts[2], a.Name)
		}
		switch a.Country {
		case "IN":
			assert.Equal(t, "Southern Asia", parts[1], a.Name)
		case "US", "CA":
			assert.Equal(t, "Northern America", parts[1], a.Name)
		case "GB", "IE":
			assert.Equal(t, "Northern Europe", parts[1], a.Name)
		case "BR":
			assert.Equal(t, "Latin America and the Caribbean", parts[1], a.Name)
		case "AE":
			assert.Equal(t, "Western Asia", parts[1], a.Name)
		case "CZ":
			assert.Equal(t, "Eastern Europe", parts[1], a.Name)
		}
		if a.Employees.Or(0) >= 1000 {
			enterprise++
			assert.Equal(t, "Enterprise", parts[0])
		} else {
			mid++
			assert.Equal(t, "Mid-market", parts[0], "estimates run from 555 employees")
		}
	}
	assert.Equal(t, 3908, unknownRegion, "blank countries (SOURCE.md)")
	assert.Equal(t, 21000, enterprise+mid)
	// IBM, the first row.
	assert.Equal(t, "Enterprise · Northern America · Americas", as[0].Segment.Name)
}

func TestLearnedFortune(t *testing.T) {
	accts := fortune(t)
	m, as := assignAll(t, must(firmographic.NewLearned(firmographic.LearnedConfig{K: 6, Gamma: 1, Seed: 1})), accts)
	lm := m.(*firmographic.LearnedModel)
	require.Len(t, lm.List, 6)
	assert.Equal(t, []string{"employees", "revenue"}, lm.Numeric, "growth is unknown throughout")
	assert.Equal(t, []string{"sector", "subregion"}, lm.Categorical)
	total := 0
	names := map[string]bool{}
	manufacturing := false
	largest := 0
	for i, p := range lm.Profiles {
		total += p.Size
		assert.False(t, names[lm.List[i].Name], "names are unique: %q", lm.List[i].Name)
		names[lm.List[i].Name] = true
		assert.True(t, strings.HasPrefix(lm.List[i].Name, "Enterprise"), "Fortune 1000 segments are enterprises: %q", lm.List[i].Name)
		assert.Equal(t, "Northern America", p.Modes[1])
		if p.Modes[0] == "Manufacturing" && p.Shares[0] >= 0.5 {
			manufacturing = true
		}
		if p.Centre[0] > lm.Profiles[largest].Centre[0] {
			largest = i
		}
		if i > 0 {
			assert.GreaterOrEqual(t, lm.Profiles[i-1].Size, p.Size, "largest first")
		}
	}
	assert.Equal(t, 1000, total)
	assert.True(t, manufacturing, "a segment is mostly manufacturers")
	// Walmart, Amazon and the other giants are in the segment of the
	// largest median headcount.
	for _, name := range []string{"Walmart", "Amazon", "Apple"} {
		assert.Equal(t, lm.List[largest].ID, as[find(t, accts, name)].Segment.ID, name)
	}
	r := as[find(t, accts, "Walmart")].Reasons
	assert.Equal(t, "nearest profile → "+lm.List[largest].Name, r[0].Text)
	assert.Contains(t, []string{"employees", "revenue"}, r[1].Field, "size decides for Walmart")
	assert.Positive(t, r[1].Effect)
}

func TestLearnedCompaniesChoosesK(t *testing.T) {
	accts := companies(t)
	// By default, the knee of the cost curve.
	m, _ := assignAll(t, must(firmographic.NewLearned(firmographic.LearnedConfig{Seed: 1, SampleSize: 600})), accts)
	lm := m.(*firmographic.LearnedModel)
	require.Len(t, lm.KCosts, firmographic.DefaultMaxK-1, "k from 2 to 8 tried")
	ks := []float64{2, 3, 4, 5, 6, 7, 8}
	knee := cluster.Knee(ks, lm.KCosts, 1)
	require.GreaterOrEqual(t, knee, 0, "costs %v", lm.KCosts)
	assert.Len(t, lm.List, knee+2, "the knee of %v", lm.KCosts)
	assert.Greater(t, len(lm.List), 2, "more than a split by size")
	for i := 1; i < len(lm.KCosts); i++ {
		assert.Less(t, lm.KCosts[i], lm.KCosts[i-1], "cost falls with k")
	}

	// With the silhouette rule, the k of highest silhouette: a split by
	// size on this data.
	m, as := assignAll(t, must(firmographic.NewLearned(firmographic.LearnedConfig{Seed: 1, SampleSize: 600, ChooseBy: firmographic.ChooseSilhouette})), accts)
	lm = m.(*firmographic.LearnedModel)
	require.Len(t, lm.KScores, firmographic.DefaultMaxK-1, "k from 2 to 8 tried")
	best := slices.Index(lm.KScores, slices.Max(lm.KScores))
	assert.Len(t, lm.List, best+2, "the k of highest silhouette")
	assert.Equal(t, []string{"employees"}, lm.Numeric, "no revenue or growth in the file")
	for _, s := range lm.KScores {
		assert.True(t, s > -1 && s <= 1, "silhouette %v", s)
	}
	// The segment of larger median headcount is the enterprise one, and
	// holds IBM (row 1).
	big := 0
	for i, p := range lm.Profiles {
		if p.Centre[0] > lm.Profiles[big].Centre[0] {
			big = i
		}
	}
	assert.True(t, strings.HasPrefix(lm.List[big].Name, "Enterprise"), lm.List[big].Name)
	assert.Equal(t, lm.List[big].ID, as[0].Segment.ID)
	for _, a := range as {
		assert.True(t, a.Score >= 0.5 && a.Score <= 1, "score %v of %s", a.Score, a.AccountID)
	}
}

func TestLookalikeFortune(t *testing.T) {
	accts := fortune(t)
	// The reference set: the 100 largest companies.
	var top []string
	for _, a := range accts[:100] {
		top = append(top, a.ID)
	}
	m, as := assignAll(t, must(firmographic.NewLookalike(firmographic.LookalikeConfig{Reference: top,
		Features: []firmographic.Dimension{firmographic.DimEmployees, firmographic.DimRevenue, firmographic.DimSector, firmographic.DimCensusRegion}})), accts)
	lm := m.(*firmographic.LookalikeModel)
	assert.Equal(t, 100, lm.References)
	assert.Equal(t, 1000, lm.Accounts)
	var inTop, rest float64
	for i, a := range as {
		if i < 100 {
			inTop += a.Score
		} else {
			rest += a.Score
		}
		assert.InDelta(t, a.Score, a.Scores["icp_fit"], 1e-12)
	}
	assert.Greater(t, inTop/100, rest/900, "the reference accounts fit their own profile better")
	// Revenue bands are all "Large" in the Fortune 1000: no weight.
	assert.InDelta(t, 0.0, lm.Features[1].Weight, 1e-9)
	w := as[find(t, accts, "Walmart")]
	assert.NotEqual(t, "firmographic/icp-weak", w.Segment.ID, "Walmart: %v", w.Reasons)
	assert.True(t, strings.HasPrefix(w.Reasons[0].Text, "similarity "), w.Reasons[0].Text)
	assert.Contains(t, w.Reasons[len(w.Reasons)-1].Text, "% of reference accounts")
}
