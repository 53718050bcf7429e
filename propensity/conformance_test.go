package propensity_test

import (
	"testing"

	"github.com/strataseg/strata/propensity"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func TestConformance(t *testing.T) {
	segmenttest.Run(t, segmenttest.Config{
		New: func(workers int) segment.Segmenter {
			s, err := propensity.New(propensity.Config{Seed: 1, Workers: workers, Cs: []float64{0.1, 1}, Numbers: []string{"intent_score"}, Text: []string{"territory"}})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	})
}

func TestConformanceLookalike(t *testing.T) {
	segmenttest.Run(t, segmenttest.Config{
		New: func(workers int) segment.Segmenter {
			s, err := propensity.NewLookalike(propensity.Config{Seed: 1, Workers: workers, C: 1}, bigCustomer)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	})
}

func TestConformanceCrossSell(t *testing.T) {
	segmenttest.Run(t, segmenttest.Config{
		New: func(workers int) segment.Segmenter {
			s, err := propensity.NewCrossSell(propensity.Config{Seed: 1, Workers: workers, MinBuyers: 10, C: 1, Leakage: propensity.LeakOff})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		Accounts: segmenttest.Accounts(400, 1),
	})
}

// bigCustomer marks the customers whose subscriptions bring the most: the
// "best customers" of the lookalike tests.
func bigCustomer(a *segment.Account) bool {
	var monthly float64
	for _, s := range a.Subscriptions {
		if s.End.IsZero() {
			monthly += s.Monthly
		}
	}
	return a.Stage == segment.Customer && monthly >= 2000
}
