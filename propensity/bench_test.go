package propensity_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/propensity"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// benchModels are the models BenchmarkAssign times, fitted once per
// process on 5,000 generated accounts and decoded from their JSON, as a
// service loads them: the conversion model of examples/scoringservice, a
// lookalike and a cross-sell model.
var benchModels = sync.OnceValues(func() (map[string]segment.Model, error) {
	accts := segmenttest.Accounts(5000, 1)
	out := map[string]segment.Model{}
	for _, bm := range []struct {
		name string
		kind propensity.Kind
		c    propensity.Config
	}{
		{"conversion", propensity.Conversion, propensity.Config{Seed: 1, Exclude: []string{ourProduct}}},
		{"lookalike", propensity.Lookalike, propensity.Config{Seed: 1, Exclude: []string{ourProduct}}},
		{"cross-sell", propensity.CrossSell, propensity.Config{Seed: 1}},
	} {
		var s *propensity.Segmenter
		var err error
		switch bm.kind {
		case propensity.Lookalike:
			s, err = propensity.NewLookalike(bm.c, bigCustomer)
		case propensity.CrossSell:
			s, err = propensity.NewCrossSell(bm.c)
		default:
			s, err = propensity.New(bm.c)
		}
		if err != nil {
			return nil, err
		}
		m, err := s.Fit(context.Background(), slices.Values(accts))
		if err != nil {
			return nil, err
		}
		data, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		if out[bm.name], err = s.DecodeModel(data); err != nil {
			return nil, err
		}
	}
	return out, nil
})

// BenchmarkAssign times Assign of one account, full (a generated customer
// with orders, subscriptions, usage, events and survey, as
// examples/scoringservice's sample) and lean (the same without its
// records). cpu-ns/op is the process's CPU time per Assign.
func BenchmarkAssign(b *testing.B) {
	models, err := benchModels()
	require.NoError(b, err)
	full := segmenttest.Accounts(1, 2)[0]
	lean := full
	lean.Orders, lean.Subscriptions, lean.Usage, lean.Events, lean.Survey = nil, nil, nil, nil, nil
	for _, name := range []string{"conversion", "lookalike", "cross-sell"} {
		m := models[name]
		for _, acc := range []struct {
			name string
			a    *segment.Account
		}{{"full", &full}, {"lean", &lean}} {
			b.Run("model="+name+"/account="+acc.name, func(b *testing.B) {
				b.ReportAllocs()
				cpu := cpuTime()
				for b.Loop() {
					if _, err := m.Assign(acc.a); err != nil {
						b.Fatal(err)
					}
				}
				// On a shared machine the process's CPU time is a steadier
				// clock than the wall's.
				b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
