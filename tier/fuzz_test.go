package tier

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
)

// FuzzDecodeModel checks that no encoding makes DecodeModel or the decoded
// Model's Assign panic, and that a decoded Model's scores stay in range.
func FuzzDecodeModel(f *testing.F) {
	accts := paretoAccounts()
	for _, c := range []Config{{}, {Measure: MeasureCLV}, {Measure: MeasureCustom, Key: "k", Scheme: Quantile}} {
		s, err := New(c)
		if err != nil {
			f.Fatal(err)
		}
		if c.Measure == MeasureCLV {
			accts = append(accts, buyer("r1", 5, 6, 7), buyer("r2", 9, 9))
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
	}
	s, _ := New(Config{})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := s.DecodeModel(data)
		if err != nil {
			return
		}
		for _, a := range accts {
			as, err := m.Assign(&a)
			if err != nil {
				t.Fatalf("assign %s: %v", a.ID, err)
			}
			if !(as.Score >= 0 && as.Score <= 1) {
				t.Fatalf("assign %s: score %v", a.ID, as.Score)
			}
		}
	})
}
