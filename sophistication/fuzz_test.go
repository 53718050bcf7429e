package sophistication_test

import (
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/sophistication"
)

func FuzzAssign(f *testing.F) {
	f.Add("Corvana Suite", "API reference", "How do I reset my password?", 3.0, int64(40), 2001)
	f.Add("", "", "", 0.0, int64(-1), 0)
	f.Add("Paper archives", "ßü api", "sso\x00", 5.5, int64(1e9), 3000)
	m := fit(f, sophistication.Config{Competitors: competitors, AsOfYear: 2026})
	f.Fuzz(func(t *testing.T, tech, topic, ticket string, answer float64, employees int64, founded int) {
		a := segment.Account{ID: "f", Technologies: []string{tech, tech + " x"}, Founded: founded,
			Survey: map[string]float64{"maturity_self": answer},
			Events: slices.Concat(ev(1, segment.EventContent, topic, ticket), ev(2, segment.EventTicket, ticket, topic))}
		if employees >= 0 {
			a.Employees = segment.N(float64(employees))
		}
		as, err := m.Assign(&a)
		if err != nil {
			if a.Validate() == nil && answer >= 1 && answer <= 5 {
				t.Fatalf("valid account refused: %v", err)
			}
			return
		}
		if !(as.Score >= 0 && as.Score <= 1) {
			t.Fatalf("score %v", as.Score)
		}
		for k, v := range as.Scores {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("Scores[%s] = %v", k, v)
			}
		}
		if len(as.Reasons) == 0 || as.Reasons[len(as.Reasons)-1].Field != "guidance" {
			t.Fatalf("reasons %v", as.Reasons)
		}
	})
}

func FuzzDecodeModel(f *testing.F) {
	m := fit(f, sophistication.Config{Competitors: competitors})
	data, err := json.Marshal(m)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"method":"sophistication","version":1,"config":{"stages":[{"slug":"a","name":"A"}]}}`))
	f.Add([]byte(`{"method":"sophistication","version":1,"config":{"clusters":2},"clusters":[{"center":[1],"level":9}]}`))
	s, err := sophistication.New(sophistication.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := s.DecodeModel(data)
		if err != nil {
			return
		}
		for _, h := range handAccounts {
			as, err := d.Assign(&h.a)
			if err != nil {
				continue
			}
			if !(as.Score >= 0 && as.Score <= 1) {
				t.Fatalf("score %v", as.Score)
			}
		}
	})
}
