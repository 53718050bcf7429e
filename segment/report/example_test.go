package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/report"
	"github.com/strataseg/strata/segment/segmenttest"
)

// Example segments accounts by size with a rule, then writes the report as
// HTML (to a file in real use), and as CSV.
func Example() {
	ctx := context.Background()
	accts := segmenttest.Accounts(500, 1)
	size, err := segment.NewRules("size", []segment.Segment{{ID: "size/small", Name: "Small"}, {ID: "size/large", Name: "Large"}},
		func(a *segment.Account) (segment.Assignment, error) {
			id := "size/small"
			if a.Employees.Or(0) >= 200 {
				id = "size/large"
			}
			return segment.Assignment{Segment: segment.Segment{ID: id}, Score: 1}, nil
		})
	if err != nil {
		log.Fatal(err)
	}
	m, err := size.Fit(ctx, slices.Values(accts))
	if err != nil {
		log.Fatal(err)
	}
	res, err := segment.AssignAll(ctx, m, slices.Values(accts), 0)
	if err != nil {
		log.Fatal(err)
	}

	r, err := report.New(report.Config{Title: "Accounts by size"})
	if err != nil {
		log.Fatal(err)
	}
	if err := r.Add(ctx, "Q3", accts, res.Assignments); err != nil {
		log.Fatal(err)
	}
	var page bytes.Buffer // os.Create("report.html") in real use
	if err := r.WriteHTML(&page); err != nil {
		log.Fatal(err)
	}
	fmt.Println("bars:", strings.Count(page.String(), `class="bar"`))

	var table bytes.Buffer
	if err := r.WriteCSV(&table); err != nil {
		log.Fatal(err)
	}
	rows, err := csv.NewReader(&table).ReadAll()
	if err != nil {
		log.Fatal(err)
	}
	w := csv.NewWriter(os.Stdout)
	for _, row := range rows {
		w.Write(row[:8]) // leave out revenue and the description
	}
	w.Flush()
	// Output:
	// bars: 2
	// kind,section,layer,segment_id,segment_name,to_segment_id,accounts,account_share
	// segment,Q3,size,size/small,Small,,365,0.73
	// segment,Q3,size,size/large,Large,,135,0.27
}
