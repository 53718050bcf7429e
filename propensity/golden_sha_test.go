package propensity_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/propensity"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/classify"
	"github.com/strataseg/strata/segment/segmenttest"
)

// goldenConfigs covers the three kinds of model, every calibration, both
// band schemes, fixed thresholds, custom numbers (plain and logged) and
// text, recency, the leakage policies and the penalties.
var goldenConfigs = []struct {
	name string
	kind propensity.Kind
	c    propensity.Config
}{
	{"default", propensity.Conversion, propensity.Config{Seed: 1, Exclude: []string{ourProduct}}},
	{"custom-recency", propensity.Conversion, propensity.Config{Seed: 1, Cs: []float64{0.1, 1}, Numbers: []string{"intent_score"}, Text: []string{"territory"}, Recency: true, WindowDays: 90}},
	{"custom-log", propensity.Conversion, propensity.Config{C: 1, Numbers: []string{"intent_score"}, LogNumbers: []string{"intent_score"}, Text: []string{"territory"}, Leakage: propensity.LeakDrop}},
	{"deciles-isotonic", propensity.Conversion, propensity.Config{C: 1, Bands: propensity.Deciles, Calibration: propensity.Isotonic, Leakage: propensity.LeakOff}},
	{"thresholds-none-l1", propensity.Conversion, propensity.Config{C: 0.5, Thresholds: []float64{0.2, 0.5}, Calibration: propensity.NoCalib, Penalty: classify.L1, Balanced: true, MinLevelCount: 3}},
	{"lookalike", propensity.Lookalike, propensity.Config{C: 1, Exclude: []string{ourProduct}}},
	{"cross-sell", propensity.CrossSell, propensity.Config{C: 1, MinBuyers: 10, Leakage: propensity.LeakOff}},
	{"cross-sell-top1", propensity.CrossSell, propensity.Config{C: 0.1, MinBuyers: 10, TopLines: 1, Numbers: []string{"intent_score"}}},
}

// goldenAccounts returns 600 generated accounts with their histories,
// followed by lean copies of them (no records).
func goldenAccounts() []segment.Account {
	accts := segmenttest.Accounts(600, 17)
	for _, a := range accts[:600] {
		a.Orders, a.Subscriptions, a.Usage, a.Events, a.Survey = nil, nil, nil, nil, nil
		a.ID += "-lean"
		accts = append(accts, a)
	}
	return accts
}

// goldenSums are the SHA-256 of each config's model JSON and of its
// Assignments' JSON, recorded from the code as it was before Assign was
// made faster; any change to a model, a score or a reason text shows here.
var goldenSums = map[string][2]string{
	"default":            {"79f06ab45ff6c394fd957487ec1b554780c8e14951429d0252951d129c750947", "30dd2d9f6977d5f2f2d8664f00844cf93f8b84668a32749d1d8de2743dcde1b0"},
	"custom-recency":     {"8041acbee2864a6a5d7b0f856303f8ac11fc13dbacc4c1c927e8eb9a351a4247", "ac1f599e226bdee4c9d34d48a57a030b62702c406f6c5affdf1f026d6336d443"},
	"custom-log":         {"31b9ff6ffe826f9a1e486fc12696749de4b999a6d642ef8a7c84628fabd327d0", "8d3432798a95a44baa06793647e81fc2dbaa74e9a9adaf790c83a2973160cf37"},
	"deciles-isotonic":   {"0cab86133df70be0ade54f535abd9e09fe4e59922ac00f629ecc7836ca9dfa7c", "72bf676afd3c4622976ba52190347c4194483cd4def46bd5d8c02e04abc59d40"},
	"thresholds-none-l1": {"3db0c2933ad275a16397d1e1a88fac65ec43969968e6d3a5f6998017da6c9a5d", "34b14082af1bb8e9da7465acb62886c8ffdf758041dea6670ad332dde73b0e8c"},
	"lookalike":          {"a3ac72f384ee9016c2917e103599e285e87b8f9c839144500697d3bd82336566", "5b7d8506026ddbb19038986df24a345e0bfbbb7c7a7548824e5879cea6dbe125"},
	"cross-sell":         {"404944215795848a6dc7808ed246694b7a6d37e566244a5fd66e99bda4be56a1", "cf3c24896bc5337d1b6875d341ad50b5cb3b51111a2f7edb2f7704a4b859f17d"},
	"cross-sell-top1":    {"72a2849585ec130a8b2d301f3ecb34c27731d61f05f7095e1df2c80439bf92fa", "74331139cd32ef5206dff960245ba4c89b47027b0c9be3eb2d5b5b7ab97357fa"},
}

func goldenSegmenter(t *testing.T, kind propensity.Kind, c propensity.Config) *propensity.Segmenter {
	t.Helper()
	var s *propensity.Segmenter
	var err error
	switch kind {
	case propensity.Lookalike:
		s, err = propensity.NewLookalike(c, bigCustomer)
	case propensity.CrossSell:
		s, err = propensity.NewCrossSell(c)
	default:
		s, err = propensity.New(c)
	}
	require.NoError(t, err)
	return s
}

// TestAssignGoldenSHA pins the model JSON and every Assignment (JSON) of
// each config, assigned by the fitted model and by the model decoded from
// its JSON.
func TestAssignGoldenSHA(t *testing.T) {
	accts := goldenAccounts()
	for _, gc := range goldenConfigs {
		t.Run(gc.name, func(t *testing.T) {
			if raceEnabled && gc.name != "default" && gc.name != "cross-sell" {
				t.Skip("under -race only one config of each path runs (the fits take seconds there)")
			}
			s := goldenSegmenter(t, gc.kind, gc.c)
			m, err := s.Fit(context.Background(), slices.Values(accts[:600]))
			require.NoError(t, err)
			data, err := json.Marshal(m)
			require.NoError(t, err)
			dm, err := s.DecodeModel(data)
			require.NoError(t, err)
			sums := [2]string{sum(data), ""}
			for k, mm := range []segment.Model{m, dm} {
				h := sha256.New()
				for i := range accts {
					as, err := mm.Assign(&accts[i])
					require.NoError(t, err)
					b, err := json.Marshal(as)
					require.NoError(t, err)
					h.Write(b)
					h.Write([]byte{'\n'})
				}
				got := hex.EncodeToString(h.Sum(nil))
				if k == 0 {
					sums[1] = got
				} else {
					assert.Equal(t, sums[1], got, "decoded model")
				}
			}
			want, ok := goldenSums[gc.name]
			if !ok {
				t.Fatalf("no golden sums for %s; record them: %q: {%q, %q},", gc.name, gc.name, sums[0], sums[1])
			}
			assert.Equal(t, want[0], sums[0], "model JSON")
			assert.Equal(t, want[1], sums[1], "assignments")
		})
	}
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// goldenLeadsSums are the SHA-256 of the model JSON and Assignments of a
// model fitted on the first 1,500 leads' pre-sales columns: many text
// fields, whose reasons read "<field> = <level>".
var goldenLeadsSums = [2]string{"d62284320610570574a846a9454a6348491fb828839b818acbfd65720194cb0e", "1fa89a881fe8359a5f11dc6833ead7f62a13193f824c474872c669cdc5f0a2ca"}

func TestAssignGoldenLeads(t *testing.T) {
	accts := readLeads(t)[:1500]
	s, err := propensity.New(propensity.Config{C: 1, Numbers: leadsNumbers, Text: leadsText, Leakage: propensity.LeakOff})
	require.NoError(t, err)
	m, err := s.Fit(context.Background(), slices.Values(accts))
	require.NoError(t, err)
	data, err := json.Marshal(m)
	require.NoError(t, err)
	h := sha256.New()
	for i := range accts {
		as, err := m.Assign(&accts[i])
		require.NoError(t, err)
		b, err := json.Marshal(as)
		require.NoError(t, err)
		h.Write(b)
		h.Write([]byte{'\n'})
	}
	got := [2]string{sum(data), hex.EncodeToString(h.Sum(nil))}
	t.Logf("sums %q", got)
	assert.Equal(t, goldenLeadsSums, got)
}
