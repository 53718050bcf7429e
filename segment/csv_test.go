package segment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAllCSV reads every row, keeping the accounts and the errors by row.
func readAllCSV(t testing.TB, r *CSVReader) (accts []Account, errs map[int][]*FieldError) {
	t.Helper()
	errs = make(map[int][]*FieldError)
	for {
		a, err := r.Read()
		if err == io.EOF {
			return accts, errs
		}
		if err != nil {
			var fe *FieldError
			require.True(t, errors.As(err, &fe), "row %d: error %v is not a *FieldError", r.Row(), err)
			forEachFieldError(err, func(fe *FieldError) { errs[r.Row()] = append(errs[r.Row()], fe) })
			require.NotEmpty(t, errs[r.Row()], "row %d: %v", r.Row(), err)
			continue
		}
		accts = append(accts, a)
	}
}

func openCSV(t *testing.T, path string, m CSVMapping) *CSVReader {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s is absent", path)
	}
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	r, err := NewCSVReader(f, m)
	require.NoError(t, err, path)
	return r
}

func errorFields(errs []*FieldError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	slices.Sort(out)
	return out
}

func TestCSVReaderSalesforce(t *testing.T) {
	r := openCSV(t, "testdata/salesforce_accounts.csv", CSVMapping{})
	assert.Equal(t, "Account ID", r.Header()[0], "BOM stripped from the first header")
	accts, errs := readAllCSV(t, r)
	assert.Equal(t, 8, r.Row())
	assert.Equal(t, r.Row(), len(accts)+len(errs), "rows = accounts + rows in error")
	require.Len(t, accts, 4)

	acme := accts[0]
	assert.Equal(t, "001A000001", acme.ID)
	assert.Equal(t, "Acme, Inc.", acme.Name, "quoted comma")
	assert.Equal(t, "Manufacturing", acme.Industry)
	assert.Equal(t, N(5.2e6), acme.Revenue, "$5,200,000")
	assert.Equal(t, N(1200), acme.Employees, "1,200")
	assert.Equal(t, "USD", acme.Currency)
	assert.Equal(t, "Chicago", acme.City)
	assert.Equal(t, "IL", acme.Region)
	assert.Equal(t, "US", acme.Country, "USA")
	assert.Equal(t, "Partner Referral", acme.Channel)
	assert.Equal(t, "Hot", acme.LeadGrade)
	assert.Equal(t, "3499", acme.SIC)
	assert.Equal(t, "332999", acme.NAICS)
	assert.Equal(t, map[string]string{"Type": "Customer - Direct"}, acme.Text, "a Salesforce Type goes to Text")

	globex := accts[1]
	assert.Equal(t, N(5.2e6), globex.Revenue, "€5.2M")
	assert.Equal(t, "DE", globex.Country, "Germany")
	assert.Equal(t, "München", globex.City)
	assert.Empty(t, globex.SIC, "blank SIC")

	initech := accts[2]
	assert.False(t, initech.Employees.Known(), "N/A is unknown")
	assert.False(t, initech.Revenue.Known(), "blank is unknown")
	assert.Empty(t, initech.Channel)

	wayne := accts[3]
	assert.Equal(t, N(1.5e9), wayne.Revenue, "$1.5B")
	assert.False(t, wayne.Employees.Known(), "a range is no count")
	assert.Equal(t, "10,001+", wayne.Text["employees_range"])

	assert.Equal(t, []string{"Annual Revenue", "Billing Country", "Employees"}, errorFields(errs[4]))
	assert.Equal(t, []string{"Employees"}, errorFields(errs[5]), "NaN")
	assert.Equal(t, []string{"Account ID"}, errorFields(errs[6]), "empty ID")
	assert.Equal(t, []string{"Annual Revenue"}, errorFields(errs[7]), `"1,2" is ambiguous`)
	for row, es := range errs {
		for _, e := range es {
			assert.Equal(t, row, e.Row, e.Error())
			assert.ErrorIs(t, e, ErrInvalidAccount)
		}
	}
	assert.Equal(t, "001A000004", errs[4][0].AccountID)
	assert.Contains(t, errs[4][0].Error(), `account "001A000004" (row 4): field `)
}

func TestCSVReaderHubSpot(t *testing.T) {
	r := openCSV(t, "testdata/hubspot_companies.csv", CSVMapping{Numbers: map[string]string{"nps": "NPS"}})
	accts, errs := readAllCSV(t, r)
	assert.Equal(t, 5, r.Row(), "an empty line is not a row")
	assert.Equal(t, r.Row(), len(accts)+len(errs))
	require.Len(t, accts, 3)

	blue := accts[0]
	assert.Equal(t, "9001", blue.ID)
	assert.Equal(t, "Blue Bottle", blue.Name)
	assert.Equal(t, "COMPUTER_SOFTWARE", blue.Industry)
	assert.Equal(t, N(250), blue.Employees)
	assert.Equal(t, N(25e6), blue.Revenue)
	assert.Equal(t, "US", blue.Country)
	assert.Equal(t, "California", blue.Region)
	assert.Equal(t, Customer, blue.Stage)
	assert.Equal(t, "Organic Search", blue.Channel)
	assert.Equal(t, []string{"Salesforce", "AWS", "Slack"}, blue.Technologies)
	assert.Equal(t, 2012, blue.Founded)
	assert.Equal(t, No, blue.Churned)
	assert.Equal(t, B2B, blue.Type)
	g, _ := blue.Growth.Get()
	assert.InDelta(t, 0.12, g, 1e-12, "12%")
	assert.Equal(t, map[string]float64{"nps": 45}, blue.Numbers)

	red := accts[1]
	assert.Equal(t, Lead, red.Stage, "Marketing Qualified Lead")
	assert.Equal(t, []string{"HubSpot", "Google Analytics"}, red.Technologies)
	assert.Equal(t, 2001, red.Founded, "a date")
	assert.Equal(t, Unset, red.Churned)
	assert.Equal(t, B2C, red.Type)
	assert.Equal(t, N(-0.05), red.Growth)
	assert.Nil(t, red.Numbers, "blank NPS")

	green := accts[2]
	assert.Equal(t, Customer, green.Stage, "Evangelist")
	assert.Equal(t, Yes, green.Churned)

	assert.Equal(t, []string{"Churned", "Customer Type", "Growth", "Lifecycle Stage", "NPS"}, errorFields(errs[4]))
	assert.Equal(t, []string{"Year Founded"}, errorFields(errs[5]))
	assert.Equal(t, 7, r.Line(), "the last row is on line 7, after a blank line")
}

func TestCSVReaderRecordAndRowIDs(t *testing.T) {
	in := "Company,Employees,Notes\nA,10,x\nB,-1,y\nC,,\n"
	r, err := NewCSVReader(strings.NewReader(in), CSVMapping{Name: "Company", RowIDs: true})
	require.NoError(t, err)
	a, err := r.Read()
	require.NoError(t, err)
	assert.Equal(t, "1", a.ID, "row number as ID")
	assert.Equal(t, []string{"A", "10", "x"}, r.Record())
	_, err = r.Read()
	require.Error(t, err)
	assert.Equal(t, []string{"B", "-1", "y"}, r.Record(), "the raw row of a rejected row")
	var fe *FieldError
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, "2", fe.AccountID)
	assert.Equal(t, "Employees", fe.Field)
	a, err = r.Read()
	require.NoError(t, err)
	assert.Equal(t, "3", a.ID)
	assert.Nil(t, a.Text, "blank values are not kept")
	_, err = r.Read()
	assert.Equal(t, io.EOF, err)
	_, err = r.Read()
	assert.Equal(t, io.EOF, err, "EOF again")
}

func TestCSVReaderHeaderErrors(t *testing.T) {
	tests := []struct {
		name, in string
		m        CSVMapping
		column   string
	}{
		{"no id", "Company,Employees\nA,1\n", CSVMapping{}, "id"},
		{"missing mapped column", "ID,Company\n1,A\n", CSVMapping{Employees: "Headcount"}, "Headcount"},
		{"missing number column", "ID,Company\n1,A\n", CSVMapping{Numbers: map[string]string{"x": "X"}}, "X"},
		{"ambiguous default", "ID,Country,country\n1,US,US\n", CSVMapping{}, "country"},
		{"unmapped in strict mode", "ID,Colour\n1,red\n", CSVMapping{Unmapped: UnmappedError}, "Colour"},
		{"duplicate text key", "ID,Colour,Colour\n1,red,blue\n", CSVMapping{}, "Colour"},
		{"column number out of range", "ID\n1\n", CSVMapping{Name: "#5"}, "#5"},
		{"empty", "", CSVMapping{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCSVReader(strings.NewReader(tt.in), tt.m)
			var he *HeaderError
			require.True(t, errors.As(err, &he), "%v", err)
			assert.Equal(t, tt.column, he.Column, err.Error())
		})
	}
	_, err := NewCSVReader(strings.NewReader(""), CSVMapping{})
	assert.ErrorIs(t, err, ErrEmptyInput)
	_, err = NewCSVReader(strings.NewReader("ID\n"), CSVMapping{RevenueScale: -1, Ranges: "guess", Comma: ";;"})
	assert.ErrorIs(t, err, ErrInvalidConfig)
	assert.Contains(t, err.Error(), "revenue_scale")
	assert.Contains(t, err.Error(), "ranges")
	assert.Contains(t, err.Error(), "comma")
}

func TestCSVReaderMapping(t *testing.T) {
	in := "Id;Name;Employees;Revenue;Country;Secret;;Size\r\n" +
		"1;A;1001 - 5000;1-2;Namibia;s;;\r\n" +
		"2;B;10001+;;na;t;extra;x\r\n"
	m := CSVMapping{Comma: ";", Ignore: []string{"secret"}, Ranges: RangeMid, RevenueScale: 1e6,
		Blanks: []string{}, Countries: map[string]string{"Namibia": "NA"}, Text: map[string]string{"size": "#8"}}
	r, err := NewCSVReader(strings.NewReader(in), m)
	require.NoError(t, err)
	a, err := r.Read()
	require.NoError(t, err)
	assert.Equal(t, N(3000.5), a.Employees, "midpoint")
	assert.Equal(t, N(1.5e6), a.Revenue, "midpoint, scaled")
	assert.Equal(t, "NA", a.Country, "Namibia from Countries")
	assert.Nil(t, a.Text, "ignored column, blank unnamed column")
	a, err = r.Read()
	require.NoError(t, err)
	assert.Equal(t, N(10001), a.Employees, "an open range reads as its lower bound")
	assert.Equal(t, "NA", a.Country, `"na" is Namibia, not a blank, by default`)
	assert.Equal(t, map[string]string{"column 7": "extra", "size": "x"}, a.Text)

	r, err = NewCSVReader(strings.NewReader("ID,Employees\n1,1001 - 5000\n2,5000-1000\n"), CSVMapping{Ranges: RangeLower})
	require.NoError(t, err)
	a, err = r.Read()
	require.NoError(t, err)
	assert.Equal(t, N(1001), a.Employees, "lower bound")
	_, err = r.Read()
	assert.ErrorContains(t, err, "neither a number nor a range")
}

func TestCSVReaderBadRows(t *testing.T) {
	in := "ID,Name,Employees\n" +
		"1,A,5\n" +
		"2,B\n" + // too few fields
		"3,C,5,,\n" + // extra blank fields are fine
		"4,D,5,x\n" + // extra non-blank field
		"5,\"E\"x,5\n" + // not CSV
		"6,F,7\n"
	r, err := NewCSVReader(strings.NewReader(in), CSVMapping{})
	require.NoError(t, err)
	accts, errs := readAllCSV(t, r)
	assert.Equal(t, 6, r.Row())
	assert.Equal(t, []string{"1", "3", "6"}, []string{accts[0].ID, accts[1].ID, accts[2].ID})
	require.Len(t, errs, 3)
	assert.Equal(t, "Employees", errs[2][0].Field, "first missing column")
	assert.Equal(t, "2", errs[2][0].AccountID)
	assert.Equal(t, "column 4", errs[4][0].Field)
	assert.Empty(t, errs[5][0].Field, "a CSV syntax error has no column")
	assert.Contains(t, errs[5][0].Error(), "line 6", "but names the line and character")
}

func TestParseNumber(t *testing.T) {
	good := []struct {
		in             string
		money, percent bool
		want           float64
	}{
		{"1200", false, false, 1200},
		{"1,200", false, false, 1200},
		{"1,234,567.5", false, false, 1234567.5},
		{"-3.5e2", false, false, -350},
		{"5.2M", false, false, 5.2e6},
		{"10k", false, false, 1e4},
		{"2bn", false, false, 2e9},
		{"$5.2M", true, false, 5.2e6},
		{"US$ 1,000", true, false, 1000},
		{"-$3", true, false, -3},
		{"£7", true, false, 7},
		{"12%", false, true, 0.12},
		{".5", false, false, 0.5},
	}
	for _, tt := range good {
		got, err := parseNumber(tt.in, tt.money, tt.percent)
		if assert.NoError(t, err, tt.in) {
			assert.InDelta(t, tt.want, got, 1e-9*max(1, tt.want), tt.in)
		}
	}
	bad := []struct {
		in             string
		money, percent bool
	}{
		{"NaN", true, true}, {"Inf", true, true}, {"-Infinity", true, true}, {"1e400", false, false},
		{"1,2", false, false}, {"1.234.567", false, false}, {"12,34,567", false, false}, {"1,234.", false, false},
		{"0x10", false, false}, {"1_000", false, false}, {"$5", false, false}, {"12%", false, false},
		{"e5", false, false}, {"M", false, false}, {"1 200", false, false}, {"", false, false}, {"--5", false, false},
	}
	for _, tt := range bad {
		_, err := parseNumber(tt.in, tt.money, tt.percent)
		assert.Error(t, err, tt.in)
	}
}

func TestCountry(t *testing.T) {
	var m CSVMapping
	for in, want := range map[string]string{
		"US": "US", "us": "US", "USA": "US", "U.S.A.": "US", "united states": "US", "United Kingdom": "GB",
		"UK": "GB", "gb": "GB", "Türkiye": "TR", "czechia": "CZ", "DEU": "DE", "Hong Kong": "HK",
	} {
		got, ok := m.country(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"Narnia", "XX", "Asia/Pacific Region", "EU", "U"} {
		_, ok := m.country(in)
		assert.False(t, ok, in)
	}
	assert.Equal(t, 250, strings.Count(isoAlpha2, " ")+1, "249 ISO codes and XK")
	for code := range strings.SplitSeq(isoAlpha2, " ") {
		assert.True(t, isISOAlpha2(code), code)
	}
	for name, code := range CountryNames() {
		assert.True(t, isISOAlpha2(code), name)
	}
}

func TestDefaultHeadersAreNormalized(t *testing.T) {
	seen := map[string]string{}
	for field, hs := range DefaultHeaders() {
		for _, h := range hs {
			assert.Equal(t, normalizeHeader(h), h, field)
			prev, dup := seen[h]
			assert.False(t, dup, "%q is a default of both %s and %s", h, prev, field)
			seen[h] = field
		}
	}
	assert.Equal(t, "noofemployees", normalizeHeader("No. of Employees"))
	assert.Equal(t, "countryregion", normalizeHeader(" Country/Region "))
}

const ingestData = "../../shared/data/"

func TestCSVReaderFortune1000(t *testing.T) {
	m := CSVMapping{ID: "company", Name: "company", Employees: "num. of employees", Revenue: "revenue",
		RevenueScale: 1e6, Industry: "sector", Region: "state", City: "city", DefaultCountry: "US"}
	r := openCSV(t, ingestData+"companies/fortune1000_2021.csv", m)
	accts, errs := readAllCSV(t, r)
	assert.Empty(t, errs)
	require.Len(t, accts, 1000)
	w := accts[0]
	assert.Equal(t, "Walmart", w.ID)
	assert.Equal(t, N(2_200_000), w.Employees)
	assert.Equal(t, N(523_964e6), w.Revenue)
	assert.Equal(t, "Retailing", w.Industry)
	assert.Equal(t, "AR", w.Region)
	assert.Equal(t, "US", w.Country)
	assert.Equal(t, "WMT", w.Text["Ticker"], "unmapped columns are kept")
	assert.Equal(t, "1", w.Text["rank"])
	marketCapBlank := 0
	for _, a := range accts {
		if _, ok := a.Text["Market Cap"]; !ok {
			marketCapBlank++
		}
	}
	assert.Equal(t, 40+10, marketCapBlank, `SOURCE.md: Market Cap 40 blank; and 10 are "-"`)
}

func TestCSVReaderLeads(t *testing.T) {
	m := CSVMapping{Blanks: append(DefaultBlanks(), "Select")}
	r := openCSV(t, ingestData+"leads/Leads.csv", m)
	accts, errs := readAllCSV(t, r)
	assert.Equal(t, 9240, r.Row())
	assert.Equal(t, 9240, len(accts)+len(errs))
	// The only rows refused: a region where a country belongs.
	require.Len(t, errs, 2)
	for _, es := range errs {
		require.Len(t, es, 1)
		assert.Equal(t, "Country", es[0].Field)
		assert.Contains(t, es[0].Error(), "Asia/Pacific Region")
	}
	yes, known := 0, 0
	for _, a := range accts {
		if a.Converted.Known() {
			known++
		}
		if a.Converted == Yes {
			yes++
		}
		assert.NotEqual(t, "Select", a.Text["Specialization"], "Select is a blank")
	}
	assert.Equal(t, len(accts), known, "every lead has an outcome")
	assert.InDelta(t, 0.385, float64(yes)/float64(known), 0.001)
	first := accts[0]
	assert.Equal(t, "7927b2df-8bba-4d29-b9a2-b6e0beafe620", first.ID, "Prospect ID")
	assert.Equal(t, "Olark Chat", first.Channel, "Lead Source")
	assert.Equal(t, "660737", first.Text["Lead Number"])
	assert.Empty(t, first.Country)
	assert.Equal(t, "IN", accts[1].Country)
}

func TestCSVReaderCompaniesSorted(t *testing.T) {
	m := CSVMapping{ID: "#1", Employees: "current employee estimate"}
	r := openCSV(t, ingestData+"companies/companies_sorted.csv", m)
	accts, errs := readAllCSV(t, r)
	assert.Equal(t, 21000, r.Row())
	assert.Equal(t, 21000, len(accts)+len(errs))
	// Countries outside the small built-in table (61 names, 257 rows) are
	// errors, not guesses.
	assert.Len(t, errs, 257)
	for row, es := range errs {
		require.Len(t, es, 1, "row %d", row)
		assert.Equal(t, "country", es[0].Field)
	}
	ibm := accts[0]
	assert.Equal(t, "5872184", ibm.ID)
	assert.Equal(t, "ibm", ibm.Name)
	assert.Equal(t, N(274047), ibm.Employees)
	assert.Equal(t, 1911, ibm.Founded)
	assert.Equal(t, "US", ibm.Country)
	assert.Equal(t, "information technology and services", ibm.Industry)
	assert.Equal(t, "10001+", ibm.Text["size range"])
	assert.Equal(t, "new york, new york, united states", ibm.Text["locality"])
	known := 0
	for _, a := range accts {
		if a.Country != "" {
			known++
		}
	}
	// SOURCE.md: 3,908 blank countries.
	assert.Equal(t, 21000-3908, known+len(errs))
}

func TestWriteCSVRoundTrip(t *testing.T) {
	in := []Account{
		{ID: "A", Name: "Acme, \"Inc\"", Industry: "Software", NAICS: "541511", SIC: "7372", Employees: N(0),
			Revenue: N(1.5e9), Currency: "EUR", Growth: N(-0.05), Founded: 1999, Country: "DE", Region: "Bavaria",
			City: "München", Type: B2B, Stage: Customer, Technologies: []string{"AWS", "Salesforce"}, Channel: "partner",
			LeadGrade: "A", Converted: Yes, Churned: No, Numbers: map[string]float64{"nps": 42, "seats": 1e21},
			Text: map[string]string{"Type": "Customer - Direct", "note": "line 1\nline 2"}},
		{ID: "B", Technologies: []string{"Acme, Inc."}, Text: map[string]string{"employees_range": "1001 - 5000"}},
		{ID: "C"},
	}
	var buf bytes.Buffer
	require.NoError(t, WriteCSV(&buf, slices.Values(in), CSVWriteOptions{Numbers: []string{"nps", "seats"}, Text: []string{"Type", "note"}}))
	r, err := NewCSVReader(&buf, CSVMapping{})
	require.NoError(t, err)
	out := slices.Collect(r.All())
	require.NoError(t, r.Err())
	assert.Equal(t, in, out)
}

func TestWriteCSVRefuses(t *testing.T) {
	tests := []struct {
		a     Account
		field string
	}{
		{Account{ID: "a", Orders: []Order{{Time: time.Now(), Amount: 1}}}, "orders"},
		{Account{ID: "a", Survey: map[string]float64{"q": 1}}, "survey"},
		{Account{ID: "a", Numbers: map[string]float64{"x": 1}}, "numbers[x]"},
		{Account{ID: "a", Text: map[string]string{"x": "y"}}, "text[x]"},
		{Account{ID: "a", Technologies: []string{"a;b"}}, "technologies"},
		{Account{ID: "a", Employees: N(math.NaN())}, "employees"},
		{Account{ID: "a", Employees: N(5), Text: map[string]string{"employees_range": "1-10"}}, "text[employees_range]"},
	}
	for _, tt := range tests {
		err := WriteCSV(io.Discard, slices.Values([]Account{{ID: "ok"}, tt.a}), CSVWriteOptions{})
		var fe *FieldError
		require.True(t, errors.As(err, &fe), tt.field)
		assert.Equal(t, tt.field, fe.Field)
		assert.Equal(t, 2, fe.Row, tt.field)
	}
	err := WriteCSV(io.Discard, slices.Values([]Account{{ID: "ok"}}), CSVWriteOptions{Comma: "\n"})
	assert.ErrorIs(t, err, ErrInvalidConfig)
}

func TestCSVReaderRangeTextTaken(t *testing.T) {
	r, err := NewCSVReader(strings.NewReader("ID,Employees,employees_range\n1,1-10,x\n2,5,x\n"), CSVMapping{})
	require.NoError(t, err)
	_, err = r.Read()
	var fe *FieldError
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, "Employees", fe.Field)
	a, err := r.Read()
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"employees_range": "x"}, a.Text)
}

func TestCSVReaderDynamicsHeaders(t *testing.T) {
	in := "(Do Not Modify) Account,Account Name,Address 1: City,Address 1: State/Province,Address 1: Country/Region,Number of Employees,Annual Revenue,Relationship Type\n" +
		"0a1b,Contoso,Redmond,WA,United States,120,\"$1,000,000.00\",Customer\n"
	r, err := NewCSVReader(strings.NewReader(in), CSVMapping{})
	require.NoError(t, err)
	a, err := r.Read()
	require.NoError(t, err)
	assert.Equal(t, Account{ID: "0a1b", Name: "Contoso", City: "Redmond", Region: "WA", Country: "US", Employees: N(120),
		Revenue: N(1e6), Text: map[string]string{"Relationship Type": "Customer"}}, a)
}

// rowSource streams n generated rows without holding them.
type rowSource struct {
	n, i int
	buf  []byte
}

func (s *rowSource) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.i > s.n {
			return 0, io.EOF
		}
		if s.i == 0 {
			s.buf = []byte("Account ID,Account Name,Employees,Country,Notes\n")
		} else {
			s.buf = fmt.Appendf(s.buf, "%d,Company %d,\"%d,%03d\",Germany,%s\n", s.i, s.i, s.i%100, s.i%1000, strings.Repeat("x", s.i%50))
		}
		s.i++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

func TestCSVReaderMemoryIsFlat(t *testing.T) {
	const n = 60_000
	r, err := NewCSVReader(&rowSource{n: n}, CSVMapping{})
	require.NoError(t, err)
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var early uint64
	for i := 0; ; i++ {
		if i == 5_000 {
			early = heap()
		}
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	assert.Equal(t, n, r.Row())
	late := heap()
	assert.Less(t, int64(late)-int64(early), int64(1<<20), "heap grew from %d to %d bytes over %d rows", early, late, n-5000)
}

func TestCSVMappingJSON(t *testing.T) {
	m := CSVMapping{ID: "#1", Employees: "Headcount", Numbers: map[string]string{"nps": "NPS"}, Ignore: []string{"x"},
		Unmapped: UnmappedIgnore, Ranges: RangeLower, RevenueScale: 1e3, Blanks: []string{"Select"}, Comma: ";",
		Countries: map[string]string{"Namibia": "NA"}, DefaultCountry: "DE", RowIDs: true}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"unmapped":"ignore"`)
	var back CSVMapping
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, m, back)
	assert.NoError(t, back.Validate())
	bad := CSVMapping{Countries: map[string]string{"Atlantis": "ZZ"}, DefaultCountry: "Atlantis2", Numbers: map[string]string{"": "x"}}
	err = bad.Validate()
	assert.ErrorIs(t, err, ErrInvalidConfig)
	for _, field := range []string{"countries", "default_country", "numbers"} {
		assert.Contains(t, err.Error(), field)
	}
}
