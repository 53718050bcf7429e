package firmographic_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/firmographic"
	"github.com/strataseg/strata/segment"
)

func model(t *testing.T, c firmographic.Config) segment.Model {
	t.Helper()
	s, err := firmographic.New(c)
	require.NoError(t, err)
	m, err := s.Fit(context.Background(), slices.Values([]segment.Account{{ID: "x"}}))
	require.NoError(t, err)
	return m
}

func dims(d ...firmographic.Dimension) firmographic.Config { return firmographic.Config{Dimensions: d} }

func TestBandBoundaries(t *testing.T) {
	m := model(t, dims(firmographic.DimEmployees, firmographic.DimRevenue, firmographic.DimGrowth))
	cases := []struct {
		emp, rev, growth segment.Num
		want             string
	}{
		{segment.N(0), segment.N(0), segment.N(-0.01), "Small business · Small revenue · Declining"},
		{segment.N(99), segment.N(9_999_999), segment.N(0), "Small business · Small revenue · Stable"},
		{segment.N(100), segment.N(10e6), segment.N(0.0999), "Mid-market · Mid-size revenue · Stable"},
		{segment.N(999), segment.N(999_999_999), segment.N(0.10), "Mid-market · Mid-size revenue · Growing"},
		{segment.N(1000), segment.N(1e9), segment.N(0.3999), "Enterprise · Large revenue · Growing"},
		{segment.N(250000), segment.N(5e11), segment.N(0.40), "Enterprise · Large revenue · Hyper-growth"},
		{segment.Num{}, segment.Num{}, segment.Num{}, "Size unknown · Revenue unknown · Growth unknown"},
	}
	for _, c := range cases {
		a := segment.Account{ID: "a", Employees: c.emp, Revenue: c.rev, Growth: c.growth}
		as, err := m.Assign(&a)
		require.NoError(t, err)
		assert.Equal(t, c.want, as.Segment.Name, "%v %v %v", c.emp, c.rev, c.growth)
	}
	a := segment.Account{ID: "a", Employees: segment.N(1200), Revenue: segment.N(50e6)}
	as, err := m.Assign(&a)
	require.NoError(t, err)
	assert.Equal(t, "employees 1,200 ≥ 1,000 → Enterprise", as.Reasons[0].Text)
	assert.Equal(t, "employees", as.Reasons[0].Field)
	assert.Equal(t, "revenue USD 50M in USD 10M to under USD 1B → Mid-size revenue", as.Reasons[1].Text)
	assert.Equal(t, "revenue growth unknown → Growth unknown", as.Reasons[2].Text)
	assert.InDelta(t, 2.0/3, as.Score, 1e-12)

	custom := model(t, firmographic.Config{Tables: firmographic.Tables{
		Employees: firmographic.Bands{Cuts: []float64{50, 500, 5000}, Names: []string{"Micro", "SMB", "Mid", "Large"}}},
		Dimensions: []firmographic.Dimension{firmographic.DimEmployees}})
	a = segment.Account{ID: "a", Employees: segment.N(500)}
	as, err = custom.Assign(&a)
	require.NoError(t, err)
	assert.Equal(t, "Mid", as.Segment.Name)
	assert.Equal(t, "firmographic/mid", as.Segment.ID)
	assert.Len(t, custom.Segments(), 5)
}

func TestCurrency(t *testing.T) {
	m := model(t, firmographic.Config{Tables: firmographic.Tables{Currency: "USD", Rates: map[string]float64{"EUR": 1.1}},
		Dimensions: []firmographic.Dimension{firmographic.DimRevenue}})
	a := segment.Account{ID: "eu", Revenue: segment.N(9.5e6), Currency: "EUR"}
	as, err := m.Assign(&a)
	require.NoError(t, err)
	assert.Equal(t, "Mid-size revenue", as.Segment.Name, "EUR 9.5M is USD 10.45M")
	assert.Equal(t, "revenue EUR 9.5M = USD 10.4M in USD 10M to under USD 1B → Mid-size revenue", as.Reasons[0].Text)

	a = segment.Account{ID: "uk-17", Revenue: segment.N(5e6), Currency: "GBP"}
	_, err = m.Assign(&a)
	require.Error(t, err)
	assert.ErrorIs(t, err, segment.ErrInvalidAccount)
	fe, ok := errors.AsType[*segment.FieldError](err)
	require.True(t, ok)
	assert.Equal(t, "uk-17", fe.AccountID)
	assert.Equal(t, "currency", fe.Field)
	assert.Contains(t, err.Error(), `"GBP"`)

	// Unknown revenue needs no rate; the base currency and no currency
	// need none either.
	for _, a := range []segment.Account{{ID: "1", Currency: "GBP"}, {ID: "2", Revenue: segment.N(1), Currency: "USD"}, {ID: "3", Revenue: segment.N(1)}} {
		_, err := m.Assign(&a)
		assert.NoError(t, err, a.ID)
	}
	s, err := firmographic.New(firmographic.Config{Tables: firmographic.Tables{Rates: map[string]float64{"EUR": 1.1}}, Dimensions: []firmographic.Dimension{firmographic.DimRevenue}})
	require.NoError(t, err)
	_, err = s.Fit(context.Background(), slices.Values([]segment.Account{{ID: "ok"}, {ID: "bad", Revenue: segment.N(1), Currency: "JPY"}}))
	assert.ErrorIs(t, err, segment.ErrInvalidAccount)
}

func TestSectorPrecedence(t *testing.T) {
	m := model(t, firmographic.Config{Tables: firmographic.Tables{Industries: map[string]string{"Quantum Widgets": "334413"}},
		Dimensions: []firmographic.Dimension{firmographic.DimSector}})
	for _, c := range []struct {
		a      segment.Account
		sector string
		reason string
	}{
		{segment.Account{ID: "1", NAICS: "541511", Industry: "Retail"}, "Professional, Scientific, and Technical Services", "NAICS 541511 → sector 54 Professional, Scientific, and Technical Services"},
		{segment.Account{ID: "2", SIC: "5812", Industry: "Software"}, "Accommodation and Food Services", "SIC 5812 (division G) → sector 72 Accommodation and Food Services"},
		{segment.Account{ID: "3", NAICS: "99", Industry: "Software"}, "Information", `NAICS 99 in no 2022 sector; industry "Software" → sector 51 Information`},
		{segment.Account{ID: "4", Industry: "quantum widgets"}, "Manufacturing", `industry "quantum widgets" → sector 31-33 Manufacturing`},
		{segment.Account{ID: "5", Industry: "Underwater basket weaving"}, "Sector unknown", `industry "Underwater basket weaving" not recognised → Sector unknown`},
		{segment.Account{ID: "6"}, "Sector unknown", "no NAICS, SIC or industry → Sector unknown"},
	} {
		as, err := m.Assign(&c.a)
		require.NoError(t, err)
		assert.Equal(t, c.sector, as.Segment.Name, c.a.ID)
		assert.Equal(t, c.reason, as.Reasons[0].Text, c.a.ID)
	}
}

func TestGeographyAndTechnology(t *testing.T) {
	m := model(t, firmographic.Config{Tables: firmographic.Tables{Technologies: map[string]string{"Acme Ledger": "erp"}},
		Dimensions: []firmographic.Dimension{firmographic.DimContinent, firmographic.DimCensusDivision, firmographic.DimType,
			firmographic.TechDimension("erp"), firmographic.TechDimension("cloud")}})
	for _, c := range []struct {
		a    segment.Account
		want string
	}{
		{segment.Account{ID: "1", Country: "US", Region: "California", Type: segment.B2B, Technologies: []string{"acme ledger", "AWS"}},
			"North America · US Pacific · B2B · Uses ERP · Uses Cloud"},
		{segment.Account{ID: "2", Country: "BR", Type: segment.B2G, Technologies: []string{"Excel"}},
			"South America · Outside the US · B2G · No ERP · No Cloud"},
		{segment.Account{ID: "3", Country: "US"}, "North America · US division unknown · Type unknown · ERP unknown · Cloud unknown"},
		{segment.Account{ID: "4", Country: "ZZ"}, "Continent unknown · US division unknown · Type unknown · ERP unknown · Cloud unknown"},
		{segment.Account{ID: "5", Country: "AQ", Technologies: []string{}}, "Antarctica · Outside the US · Type unknown · No ERP · No Cloud"},
	} {
		as, err := m.Assign(&c.a)
		require.NoError(t, err)
		assert.Equal(t, c.want, as.Segment.Name, c.a.ID)
	}
	a := segment.Account{ID: "1", Country: "ZZ"}
	as, err := m.Assign(&a)
	require.NoError(t, err)
	assert.Equal(t, "country ZZ not in ISO 3166-1 → Continent unknown", as.Reasons[0].Text)
	assert.InDelta(t, 0.0, as.Score, 1e-12)
}

func TestConfigErrors(t *testing.T) {
	bad := []firmographic.Config{
		dims("size"),
		dims(firmographic.DimSector, firmographic.DimSector),
		dims(firmographic.TechDimension("telepathy")),
		dims(firmographic.DimCountry, firmographic.DimCountry+"", firmographic.DimSector, firmographic.DimEmployees, firmographic.DimGrowth, firmographic.DimType),
		{Tables: firmographic.Tables{Employees: firmographic.Bands{Cuts: []float64{100, 50}, Names: []string{"a", "b", "c"}}}},
		{Tables: firmographic.Tables{Revenue: firmographic.Bands{Cuts: []float64{1}, Names: []string{"a"}}}},
		{Tables: firmographic.Tables{Growth: firmographic.Bands{Cuts: []float64{0}, Names: []string{"a", "a"}}}},
		{Tables: firmographic.Tables{Rates: map[string]float64{"eur": 1, "GBP": -1}}},
		{Tables: firmographic.Tables{Currency: "dollars"}},
		{Tables: firmographic.Tables{Industries: map[string]string{"Widgets": "99"}}},
		{Tables: firmographic.Tables{Technologies: map[string]string{"Foo": "Not A Category"}}},
	}
	for i, c := range bad {
		_, err := firmographic.New(c)
		assert.ErrorIs(t, err, segment.ErrInvalidConfig, "config %d", i)
	}
	err := firmographic.Config{Dimensions: []firmographic.Dimension{"size", "sector", "sector"}, Tables: firmographic.Tables{Currency: "usd"}}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `dimensions[0] is "size"`)
	assert.Contains(t, err.Error(), `dimensions[2] is "sector", listed twice`)
	assert.Contains(t, err.Error(), `currency is "usd"`)
	err = dims(firmographic.DimCountry, firmographic.DimSector, firmographic.DimEmployees, firmographic.DimGrowth, firmographic.DimType).Validate()
	assert.ErrorContains(t, err, "more than 100000")
	assert.NoError(t, firmographic.Config{}.Validate())

	for i, c := range []firmographic.LearnedConfig{{K: -1}, {MaxK: 1}, {SampleSize: 10}, {Gamma: -1}, {Workers: -2}, {ChooseBy: "vote"}} {
		_, err := firmographic.NewLearned(c)
		assert.ErrorIs(t, err, segment.ErrInvalidConfig, "learned config %d", i)
	}
	for i, c := range []firmographic.LookalikeConfig{{Reference: []string{""}}, {Strong: 1.5}, {Strong: 0.5, Moderate: 0.6}, {Features: []firmographic.Dimension{"x"}}} {
		_, err := firmographic.NewLookalike(c)
		assert.ErrorIs(t, err, segment.ErrInvalidConfig, "lookalike config %d", i)
	}
}

func TestConfigCopied(t *testing.T) {
	d := []firmographic.Dimension{firmographic.DimEmployees}
	rates := map[string]float64{"EUR": 1.1}
	s, err := firmographic.New(firmographic.Config{Dimensions: d, Tables: firmographic.Tables{Rates: rates}})
	require.NoError(t, err)
	d[0] = firmographic.DimSector
	rates["EUR"] = 100
	m, err := s.Fit(context.Background(), slices.Values([]segment.Account{{ID: "a", Employees: segment.N(5)}}))
	require.NoError(t, err)
	assert.Len(t, m.Segments(), 4, "employee bands, not sectors")
}

func TestLookalikeNoReference(t *testing.T) {
	s, err := firmographic.NewLookalike(firmographic.LookalikeConfig{Reference: []string{"nobody"}})
	require.NoError(t, err)
	_, err = s.Fit(context.Background(), slices.Values([]segment.Account{{ID: "a"}}))
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
	s, err = firmographic.NewLookalike(firmographic.LookalikeConfig{Reference: []string{"a"}})
	require.NoError(t, err)
	m, err := s.Fit(context.Background(), slices.Values([]segment.Account{{ID: "a", Employees: segment.N(10)}, {ID: "b", Employees: segment.N(5000)}, {ID: "c"}}))
	require.NoError(t, err)
	for id, want := range map[string]string{"a": "ICP: strong fit", "b": "ICP: weak fit", "c": "ICP: not enough data"} {
		a := segment.Account{ID: id}
		switch id {
		case "a":
			a.Employees = segment.N(10)
		case "b":
			a.Employees = segment.N(5000)
		}
		as, err := m.Assign(&a)
		require.NoError(t, err)
		assert.Equal(t, want, as.Segment.Name, id)
	}
}

func errorsAs(err error) (*segment.FieldError, bool) { return errors.AsType[*segment.FieldError](err) }
