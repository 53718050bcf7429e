package tier_test

import (
	"testing"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
	"github.com/strataseg/strata/tier"
)

func TestConformance(t *testing.T) {
	for _, c := range []tier.Config{
		{KeyAccounts: []string{"A-000003"}},
		{Measure: tier.MeasureCLV, Scheme: tier.Quantile, Discount: 0.01},
		{Measure: tier.MeasureContract, Scheme: tier.Threshold, Thresholds: []float64{100000, 10000}},
		{Measure: tier.MeasureCustom, Key: "intent_score"},
	} {
		t.Run(c.Measure.String(), func(t *testing.T) {
			segmenttest.Run(t, segmenttest.Config{
				New: func(workers int) segment.Segmenter {
					c.Workers = workers
					s, err := tier.New(c)
					if err != nil {
						t.Fatal(err)
					}
					return s
				},
			})
		})
	}
}
