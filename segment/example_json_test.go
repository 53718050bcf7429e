package segment_test

import (
	"fmt"

	"github.com/strataseg/strata/segment"
)

// A service decodes each account it receives, assigns it and appends the
// answer to a buffer it reuses.
func ExampleDecodeAccountJSON() {
	body := []byte(`{"id":"A-17","name":"Acme","employees":1200,"country":"US","stage":"customer",
		"orders":[{"time":"2026-03-01T00:00:00Z","amount":4200}],"converted":true}`)
	var a segment.Account
	if err := segment.DecodeAccountJSON(body, &a); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.ID, a.Name, a.Employees, a.Stage, len(a.Orders), a.Orders[0].Amount, a.Converted)

	// Decoding is strict: the error names the account and the field.
	err := segment.DecodeAccountJSON([]byte(`{"id":"A-18","orders":[{"amout":5}]}`), &a)
	fmt.Println(err)
	// Output:
	// A-17 Acme 1200 customer 1 4200 yes
	// account "A-18": field "orders[0].amout": is not a field of the account's JSON encoding
}

func ExampleAppendAssignmentJSON() {
	as := segment.Assignment{
		AccountID: "A-17",
		Segment:   segment.Segment{ID: "size/enterprise", Name: "Enterprise", Method: "size"},
		Score:     1,
		Scores:    map[string]float64{"p_convert": 0.25, "churn_risk": 1e-7},
		Reasons:   []segment.Reason{{Text: "employees 1200 ≥ 1000 → Enterprise", Field: "employees"}},
	}
	buf := make([]byte, 0, 4096)
	buf, err := segment.AppendAssignmentJSON(buf[:0], &as)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(buf))
	// Output:
	// {"account_id":"A-17","segment":{"id":"size/enterprise","name":"Enterprise","method":"size"},"score":1,"scores":{"churn_risk":1e-7,"p_convert":0.25},"reasons":[{"text":"employees 1200 ≥ 1000 → Enterprise","field":"employees"}]}
}
