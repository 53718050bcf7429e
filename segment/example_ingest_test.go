package segment_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/strataseg/strata/segment"
)

// A CRM export read row by row: good rows become accounts, bad rows are
// reported with their row and column, and reading goes on.
func ExampleNewCSVReader() {
	export := `Account ID,Account Name,Industry,Number of Employees,Annual Revenue,Billing Country,Lead Source
001,"Acme, Inc.",Software,"1,200",$5.2M,USA,Web
002,Globex,Manufacturing,N/A,,Germany,Partner
003,Initech,Banking,-5,,Narnia,
`
	r, err := segment.NewCSVReader(strings.NewReader(export), segment.CSVMapping{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		a, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("rejected:", err)
			continue
		}
		fmt.Printf("%s %q %s employees=%v revenue=%v %s\n", a.ID, a.Name, a.Country, a.Employees, a.Revenue, a.Channel)
	}
	fmt.Println("rows read:", r.Row())
	// Output:
	// 001 "Acme, Inc." US employees=1200 revenue=5.2e+06 Web
	// 002 "Globex" DE employees=unknown revenue=unknown Partner
	// rejected: account "003" (row 3): field "Number of Employees": is negative (-5)
	// account "003" (row 3): field "Billing Country": is "Narnia", not a known country (give an ISO 3166-1 alpha-2 code, or add the name to CSVMapping.Countries)
	// rows read: 3
}

// A mapping for a file whose headers are not a CRM's: revenue in millions,
// a fixed country, the company name as ID, and a form's "Select" as blank.
func ExampleCSVMapping() {
	data := `company,num. of employees,revenue,sector,state,CEO
Walmart,2200000,523964,Retailing,AR,Select
`
	m := segment.CSVMapping{
		ID: "company", Name: "company", Employees: "num. of employees", Revenue: "revenue",
		RevenueScale: 1e6, Industry: "sector", Region: "state", DefaultCountry: "US",
		Blanks: append(segment.DefaultBlanks(), "Select"),
	}
	r, err := segment.NewCSVReader(strings.NewReader(data), m)
	if err != nil {
		fmt.Println(err)
		return
	}
	for a := range r.All() {
		fmt.Println(a.Name, a.Employees, a.Revenue, a.Industry, a.Region, a.Country, a.Text)
	}
	if err := r.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Walmart 2.2e+06 5.23964e+11 Retailing AR US map[]
}

// A header that does not fit the mapping is refused before any row is read.
func ExampleHeaderError() {
	_, err := segment.NewCSVReader(strings.NewReader("Company,Employees\nAcme,10\n"), segment.CSVMapping{})
	var he *segment.HeaderError
	fmt.Println(errors.As(err, &he), he.Column)
	fmt.Println(err)
	// Output:
	// true id
	// segment: csv header: column "id": no ID column found; map one (CSVMapping.ID), or set RowIDs to use the row number
}

// Accounts written as JSON Lines and read back; a line with a misspelled
// field is reported by its line and the field's path.
func ExampleNewJSONLReader() {
	accts := []segment.Account{
		{ID: "A-1", Name: "Acme", Employees: segment.N(1200), Country: "US", Converted: segment.Yes},
		{ID: "A-2", Technologies: []string{"AWS", "Salesforce"}},
	}
	var b strings.Builder
	if err := segment.WriteJSONL(&b, slices.Values(accts)); err != nil {
		fmt.Println(err)
		return
	}
	b.WriteString(`{"id":"A-3","employes":5}` + "\n")
	fmt.Print(b.String())

	r, err := segment.NewJSONLReader(strings.NewReader(b.String()), segment.JSONLOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		a, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("rejected:", err)
			continue
		}
		fmt.Println("read", a.ID)
	}
	// Output:
	// {"id":"A-1","name":"Acme","employees":1200,"country":"US","converted":true}
	// {"id":"A-2","technologies":["AWS","Salesforce"]}
	// {"id":"A-3","employes":5}
	// read A-1
	// read A-2
	// rejected: account "A-3" (row 3): field "employes": is not a field of the account's JSON encoding
}

// WriteJSONL refuses an account that the reader would refuse.
func ExampleWriteJSONL() {
	bad := []segment.Account{{ID: "ok"}, {ID: "neg", Revenue: segment.N(-1)}}
	err := segment.WriteJSONL(os.Stdout, slices.Values(bad))
	fmt.Println(err)
	// Output:
	// account "neg" (row 2): field "revenue": is negative (-1)
}

// Accounts written as CSV, with one custom number; a zero mapping reads the
// file back.
func ExampleWriteCSV() {
	accts := []segment.Account{
		{ID: "A-1", Name: "Acme, Inc.", Employees: segment.N(1200), Country: "US", Stage: segment.Customer,
			Technologies: []string{"AWS", "Salesforce"}, Numbers: map[string]float64{"nps": 42}},
		{ID: "A-2", Text: map[string]string{"employees_range": "1001 - 5000"}},
	}
	var b strings.Builder
	err := segment.WriteCSV(&b, slices.Values(accts), segment.CSVWriteOptions{Numbers: []string{"nps"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(b.String())
	r, err := segment.NewCSVReader(strings.NewReader(b.String()), segment.CSVMapping{})
	if err != nil {
		fmt.Println(err)
		return
	}
	back := slices.Collect(r.All())
	fmt.Println(r.Err(), len(back), back[0].Numbers["nps"], back[1].Text["employees_range"])
	// Output:
	// id,name,industry,naics,sic,employees,revenue,currency,growth,founded,country,region,city,customer_type,stage,technologies,channel,lead_grade,converted,churned,numbers:nps
	// A-1,"Acme, Inc.",,,,1200,,,,,US,,,,customer,AWS; Salesforce,,,,,42
	// A-2,,,,,1001 - 5000,,,,,,,,,,,,,,,
	// <nil> 2 42 1001 - 5000
}

// Raw lines with the reader's numbering and line limit, for a caller that
// decodes them elsewhere (on worker goroutines, say) with DecodeAccountJSON.
func ExampleJSONLReader_ReadLine() {
	in := `{"id":"A-1","employees":40}

{"id":"A-2","employees":-3}
`
	r, err := segment.NewJSONLReader(strings.NewReader(in), segment.JSONLOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		line, err := r.ReadLine()
		if err == io.EOF {
			break
		}
		if len(line) == 0 {
			fmt.Printf("line %d: blank\n", r.Row())
			continue
		}
		var a segment.Account
		if err := segment.DecodeAccountJSON(line, &a); err == nil {
			err = a.Validate()
			fmt.Printf("line %d: %s %v\n", r.Row(), a.ID, err)
		}
	}
	// Output:
	// line 1: A-1 <nil>
	// line 2: blank
	// line 3: A-2 account "A-2": field "employees": is negative (-3)
}
