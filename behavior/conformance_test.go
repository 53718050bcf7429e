package behavior

import (
	"testing"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func TestConformance(t *testing.T) {
	for _, sc := range []Scheme{Lifecycle, RFM, Drivers, Clusters} {
		t.Run(sc.String(), func(t *testing.T) {
			segmenttest.Run(t, segmenttest.Config{
				New: func(workers int) segment.Segmenter {
					s, err := New(Config{Scheme: sc, Seed: 1, Workers: workers})
					if err != nil {
						t.Fatal(err)
					}
					return s
				},
			})
		})
	}
}

// With labels on every customer, the learned churn model passes too.
func TestConformanceLearned(t *testing.T) {
	segmenttest.Run(t, segmenttest.Config{
		New: func(workers int) segment.Segmenter {
			s, err := New(Config{Churn: ChurnLearned, MinLabels: 20, Seed: 1, Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	})
}
