package segmenttest_test

import (
	"testing"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// A Segmenter is checked in one test function. This one is a precedence
// rule, which may decline accounts; a method with a seed and workers sets
// them from New's argument.
func ExampleRun() {
	var t *testing.T // the *testing.T of a TestConformance function
	segmenttest.Run(t, segmenttest.Config{
		New: func(workers int) segment.Segmenter {
			return segment.KeyAccounts(segment.Segment{ID: "key", Name: "Key accounts"}, "A-000001", "A-000002")
		},
		Declines: true,
	})
}
