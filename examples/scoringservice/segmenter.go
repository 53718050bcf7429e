package main

import (
	"fmt"

	"github.com/strataseg/strata/behavior"
	"github.com/strataseg/strata/firmographic"
	"github.com/strataseg/strata/needs"
	"github.com/strataseg/strata/propensity"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
	"github.com/strataseg/strata/sophistication"
	"github.com/strataseg/strata/tier"
)

// keySegment is the segment the named key accounts go to, ahead of the
// layers.
var keySegment = segment.Segment{ID: "key/named", Name: "Named key account",
	Description: "an account sales manages by name, taken out of the layered segmentation"}

// method is one layer of the service's segmentation.
type method struct {
	name string
	new  func() (segment.Segmenter, error)
}

// methods lists the layers, in the order their segments compose the
// composite name. Adding a method package is one line here.
var methods = []method{
	{"tier", func() (segment.Segmenter, error) { return tier.New(tier.Config{}) }},
	{"firmographic", func() (segment.Segmenter, error) { return firmographic.New(firmographic.Config{}) }},
	{"behavior", func() (segment.Segmenter, error) { return behavior.New(behavior.Config{Seed: 1}) }},
	{"propensity", func() (segment.Segmenter, error) {
		return propensity.New(propensity.Config{Seed: 1,
			Exclude: []string{"technologies[" + segmenttest.OurProduct + "]"}})
	}},
	{"needs", func() (segment.Segmenter, error) { return needs.New(needs.Config{}) }},
	{"sophistication", func() (segment.Segmenter, error) {
		return sophistication.New(sophistication.Config{Competitors: segmenttest.Competitors,
			OurProducts: []string{segmenttest.OurProduct}})
	}},
}

// newSegmenter builds the service's segmentation: the named key accounts
// first, then every method layered. fit and serve both call it, so that the
// model serve decodes is the model fit wrote. The key account IDs are part
// of the fitted model; DecodeModel reads them from it, so serve passes none.
func newSegmenter(keyIDs []string) (segment.Segmenter, error) {
	layers := make([]segment.Segmenter, 0, len(methods))
	for _, m := range methods {
		s, err := m.new()
		if err != nil {
			return nil, fmt.Errorf("scoringservice: %s: %w", m.name, err)
		}
		layers = append(layers, s)
	}
	if len(keyIDs) == 0 {
		keyIDs = []string{"-"} // any rule decodes a key-account model
	}
	return segment.First(segment.KeyAccounts(keySegment, keyIDs...), segment.Layer(layers...)), nil
}
