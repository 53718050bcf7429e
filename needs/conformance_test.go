package needs_test

import (
	"testing"

	"github.com/strataseg/strata/needs"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func TestConformance(t *testing.T) {
	for name, c := range map[string]needs.Config{
		"dominant": {},
		"learned":  {Mode: needs.Learned, Seed: 7},
		"learned-k3-pca": {Mode: needs.Learned, K: 3, Components: 3, Seed: 7,
			TextFields: map[string]float64{"territory": 1}},
	} {
		t.Run(name, func(t *testing.T) {
			segmenttest.Run(t, segmenttest.Config{
				New: func(workers int) segment.Segmenter {
					c.Workers = workers
					s, err := needs.New(c)
					if err != nil {
						t.Fatal(err)
					}
					return s
				},
			})
		})
	}
}
