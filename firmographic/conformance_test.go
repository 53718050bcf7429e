package firmographic_test

import (
	"testing"

	"github.com/strataseg/strata/firmographic"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func TestConformanceRules(t *testing.T) {
	for name, c := range map[string]firmographic.Config{
		"default": {},
		"all": {Dimensions: []firmographic.Dimension{firmographic.DimEmployees, firmographic.DimRevenue,
			firmographic.DimCensusRegion, firmographic.DimType, firmographic.DimGrowth, firmographic.TechDimension("crm")}},
	} {
		t.Run(name, func(t *testing.T) {
			segmenttest.Run(t, segmenttest.Config{
				New: func(int) segment.Segmenter {
					s, err := firmographic.New(c)
					if err != nil {
						t.Fatal(err)
					}
					return s
				},
			})
		})
	}
}

func TestConformanceLearned(t *testing.T) {
	for name, c := range map[string]firmographic.LearnedConfig{
		"auto": {Seed: 1, MaxK: 4, SampleSize: 100},
		"k=4":  {K: 4, Seed: 2},
	} {
		t.Run(name, func(t *testing.T) {
			segmenttest.Run(t, segmenttest.Config{
				New: func(workers int) segment.Segmenter {
					c.Workers = workers
					s, err := firmographic.NewLearned(c)
					if err != nil {
						t.Fatal(err)
					}
					return s
				},
			})
		})
	}
}

func TestConformanceLookalike(t *testing.T) {
	for name, c := range map[string]firmographic.LookalikeConfig{
		"customers": {},
		"ids":       {Reference: []string{"A-000001", "A-000002", "A-000003", "A-000010"}, Features: []firmographic.Dimension{firmographic.DimEmployees, firmographic.DimSector}},
	} {
		t.Run(name, func(t *testing.T) {
			segmenttest.Run(t, segmenttest.Config{
				New: func(int) segment.Segmenter {
					s, err := firmographic.NewLookalike(c)
					if err != nil {
						t.Fatal(err)
					}
					return s
				},
			})
		})
	}
}
