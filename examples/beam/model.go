package main

import (
	"fmt"

	"github.com/strataseg/strata/firmographic"
	"github.com/strataseg/strata/propensity"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/tier"
)

// segmenter builds the segmenter tree that fit fits and the pipeline's DoFn
// decodes with: one function, so that both sides agree on the tree. It is a
// layered segmentation — firmographic segment, value tier, propensity band —
// whose composites with under 0.5% of the fitted accounts merge into "Other".
func segmenter() (segment.Segmenter, error) {
	f, err := firmographic.New(firmographic.Config{})
	if err != nil {
		return nil, fmt.Errorf("firmographic: %w", err)
	}
	t, err := tier.New(tier.Config{})
	if err != nil {
		return nil, fmt.Errorf("tier: %w", err)
	}
	p, err := propensity.New(propensity.Config{Seed: 1})
	if err != nil {
		return nil, fmt.Errorf("propensity: %w", err)
	}
	return segment.MinSize(segment.Layer(f, t, p), segment.MinSizeConfig{Share: 0.005}), nil
}

// decodeModel reads a model that fit wrote.
func decodeModel(data []byte) (segment.Model, error) {
	s, err := segmenter()
	if err != nil {
		return nil, err
	}
	return s.DecodeModel(data)
}
