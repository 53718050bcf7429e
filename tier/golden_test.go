package tier_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/strataseg/strata/segment/segmenttest"
	"github.com/strataseg/strata/tier"
)

// TestAssignGolden fixes the JSON of the assignments of 600 generated
// accounts under six configurations, so that a change meant to make Assign
// faster cannot change what it answers.
func TestAssignGolden(t *testing.T) {
	accts := segmenttest.Accounts(600, 3)
	h := sha256.New()
	for _, cfg := range []tier.Config{
		{}, {Measure: tier.MeasureCLV}, {Measure: tier.MeasureMargin, Scheme: tier.Quantile},
		{Measure: tier.MeasureContract}, {KeyAccounts: []string{accts[0].ID, accts[5].ID}},
		{GradeWeights: map[string]float64{"A": 1.5, "B": 1}, ChannelCosts: map[string]float64{"Paid": 300}},
	} {
		s, err := tier.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.Fit(context.Background(), slices.Values(accts))
		if err != nil {
			t.Fatal(err)
		}
		for i := range accts {
			as, err := m.Assign(&accts[i])
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(as)
			h.Write(b)
		}
	}
	const want = "3ec3bb7b6a63a4f5d2eb3643ddce8187304e7d4d81fce4e6dd447e4d76950e00"
	if got := fmt.Sprintf("%x", h.Sum(nil)); got != want {
		t.Errorf("SHA-256 of the assignments is %s, want %s", got, want)
	}
}
