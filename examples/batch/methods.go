package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/strataseg/strata/behavior"
	"github.com/strataseg/strata/firmographic"
	"github.com/strataseg/strata/needs"
	"github.com/strataseg/strata/propensity"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/sophistication"
	"github.com/strataseg/strata/tier"
)

// methods are the segmentation methods a layer can use, by the name the
// -layers flag and the model file give them. Each builds the method with its
// default configuration (the Model stores the configuration it was fitted
// with). Adding a method is one line here.
var methods = map[string]func() (segment.Segmenter, error){
	"firmographic":   func() (segment.Segmenter, error) { return firmographic.New(firmographic.Config{}) },
	"sophistication": func() (segment.Segmenter, error) { return sophistication.New(sophistication.Config{}) },
	"propensity":     func() (segment.Segmenter, error) { return propensity.New(propensity.Config{Seed: 1}) },
	"tier":           func() (segment.Segmenter, error) { return tier.New(tier.Config{}) },
	"needs":          func() (segment.Segmenter, error) { return needs.New(needs.Config{}) },
	"behavior":       func() (segment.Segmenter, error) { return behavior.New(behavior.Config{}) },
}

// defaultLayers are the layers fit uses unless told otherwise: the methods
// that read what a flat CRM export holds (firmographics, technologies, lead
// fields and the conversion outcome). tier, needs and behavior read orders,
// survey answers and usage records, which only a JSON Lines export carries.
const defaultLayers = "firmographic,sophistication,propensity"

// layered builds the layered Segmenter of the named methods.
func layered(names []string) (*segment.Layered, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("no layers")
	}
	segs := make([]segment.Segmenter, len(names))
	for i, name := range names {
		mk, ok := methods[name]
		if !ok {
			return nil, fmt.Errorf("unknown method %q (known: %s)", name, strings.Join(slices.Sorted(maps.Keys(methods)), ", "))
		}
		s, err := mk()
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", name, err)
		}
		segs[i] = s
	}
	return segment.Layer(segs...), nil
}

// parseLayers splits a comma-separated list of method names.
func parseLayers(s string) []string {
	var names []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			names = append(names, f)
		}
	}
	return names
}
