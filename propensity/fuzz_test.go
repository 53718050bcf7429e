package propensity_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/strataseg/strata/propensity"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// FuzzDecodeModel checks that DecodeModel never panics, and that a model
// it accepts assigns without panicking.
func FuzzDecodeModel(f *testing.F) {
	accts := segmenttest.Accounts(120, 1)
	s, err := propensity.New(propensity.Config{C: 1, Leakage: propensity.LeakOff})
	if err != nil {
		f.Fatal(err)
	}
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		f.Fatal(err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"method":"propensity","version":1,"kind":"cross-sell","segments":[{}]}`))
	f.Add([]byte(`{"method":"propensity","version":1,"kind":"conversion","scorer":{"groups":[5]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := s.DecodeModel(data)
		if err != nil {
			return
		}
		for i := range 5 {
			if _, err := m.Assign(&accts[i]); err != nil && !errors.Is(err, segment.ErrInvalidAccount) {
				t.Errorf("Assign: %v", err)
			}
		}
	})
}
