package sophistication_test

import (
	"testing"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
	"github.com/strataseg/strata/sophistication"
)

func TestConformance(t *testing.T) {
	for name, c := range map[string]sophistication.Config{
		"default":     {},
		"competitors": {Competitors: segmenttest.Competitors, OurProducts: []string{segmenttest.OurProduct}, AsOfYear: 2026},
		"learned":     {Competitors: segmenttest.Competitors, Clusters: 5, Seed: 3},
	} {
		t.Run(name, func(t *testing.T) {
			segmenttest.Run(t, segmenttest.Config{
				New: func(workers int) segment.Segmenter {
					c.Workers = workers
					s, err := sophistication.New(c)
					if err != nil {
						t.Fatal(err)
					}
					return s
				},
			})
		})
	}
}
