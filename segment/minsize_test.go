package segment_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func TestMinSizeConformance(t *testing.T) {
	segmenttest.Run(t, segmenttest.Config{New: func(int) segment.Segmenter {
		return segment.MinSize(segment.Layer(sizeRules(t), tierRules(t)), segment.MinSizeConfig{Count: 10})
	}})
}

// sized returns n accounts of each size band: enterprise, mid, smb.
func sized(enterprise, mid, smb int) []segment.Account {
	var out []segment.Account
	for i := range enterprise {
		out = append(out, acct(fmt.Sprintf("e%d", i), 5000, 1))
	}
	for i := range mid {
		out = append(out, acct(fmt.Sprintf("m%d", i), 500, 1))
	}
	for i := range smb {
		out = append(out, acct(fmt.Sprintf("s%d", i), 5, 1))
	}
	return out
}

func TestMinSizeMerges(t *testing.T) {
	for _, c := range []struct {
		name   string
		cfg    segment.MinSizeConfig
		want   []string
		reason string // of an enterprise account
	}{
		{"count", segment.MinSizeConfig{Count: 5}, []string{"size/mid", "size/smb", "size/other"},
			`merged into Other: segment "Enterprise" had 3 accounts, fewer than 5`},
		{"share", segment.MinSizeConfig{Share: 0.3}, []string{"size/smb", "size/other"},
			`merged into Other: segment "Enterprise" had 3 accounts, under 30% of the 20 fitted`},
		{"both", segment.MinSizeConfig{Count: 4, Share: 0.1}, []string{"size/mid", "size/smb", "size/other"},
			`merged into Other: segment "Enterprise" had 3 accounts, fewer than 4`},
		{"named", segment.MinSizeConfig{Count: 5, OtherID: "rest", OtherName: "Long tail"}, []string{"size/mid", "size/smb", "rest"},
			`merged into Long tail: segment "Enterprise" had 3 accounts, fewer than 5`},
		{"all", segment.MinSizeConfig{Count: 100}, []string{"size/other"},
			`merged into Other: segment "Enterprise" had 3 accounts, fewer than 100`},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := mustFit(t, segment.MinSize(sizeRules(t), c.cfg), sized(3, 5, 12))
			assert.Equal(t, c.want, segmentIDs(m.Segments()))
			other := m.Segments()[len(m.Segments())-1]

			as := mustAssign(t, m, acct("e0", 5000, 1))
			assert.Equal(t, other, as.Segment)
			require.Len(t, as.Reasons, 2)
			assert.Equal(t, segment.Reason{Text: c.reason, Field: "segment"}, as.Reasons[0])
			assert.Equal(t, "employees 5000 ≥ 1000 → Enterprise", as.Reasons[1].Text, "the wrapped model's reasons follow")
			assert.InDelta(t, 1.0, as.Score, 1e-12)

			as = mustAssign(t, m, acct("s0", 5, 1))
			if c.name == "all" {
				assert.Equal(t, other, as.Segment, "every segment was merged")
				return
			}
			assert.Equal(t, "size/smb", as.Segment.ID, "a kept segment is unchanged")
			assert.Len(t, as.Reasons, 1)
		})
	}
}

func TestMinSizeOtherSegment(t *testing.T) {
	m := mustFit(t, segment.MinSize(sizeRules(t), segment.MinSizeConfig{Count: 5}), sized(3, 5, 12))
	segs := m.Segments()
	assert.Equal(t, segment.Segment{
		ID:          "size/other",
		Name:        "Other",
		Description: "Accounts of segments too small to stand alone: Enterprise, Size unknown.",
		Method:      "size",
	}, segs[len(segs)-1])

	// An account of a segment no fitted account was in counted 0.
	as := mustAssign(t, m, acct("blank", unknown, 1))
	assert.Equal(t, "size/other", as.Segment.ID)
	assert.Equal(t, `merged into Other: segment "Size unknown" had 0 accounts, fewer than 5`, as.Reasons[0].Text)
}

func TestMinSizeUnseenComposite(t *testing.T) {
	m := mustFit(t, segment.MinSize(segment.Layer(sizeRules(t), tierRules(t)), segment.MinSizeConfig{Count: 1}), sized(3, 5, 12))
	assert.Equal(t, []string{"size/enterprise+tier/C", "size/mid+tier/C", "size/smb+tier/C"}, segmentIDs(m.Segments()), "nothing to merge")
	as := mustAssign(t, m, acct("new", 5, 90e6))
	assert.Equal(t, "layers/other", as.Segment.ID)
	assert.Equal(t, "merged into Other: segment \"SMB › Tier A\" had no account at fit", as.Reasons[0].Text)
	require.Len(t, as.Parts, 2, "the wrapped assignment's parts are kept")
}

func TestMinSizeErrors(t *testing.T) {
	fitted := sized(1, 1, 1)
	for _, c := range []struct {
		name string
		g    *segment.Merged
		want string
	}{
		{"no threshold", segment.MinSize(sizeRules(t), segment.MinSizeConfig{}), "min-size: Count and Share are both 0"},
		{"negative count", segment.MinSize(sizeRules(t), segment.MinSizeConfig{Count: -1}), "min-size: Count is -1, negative"},
		{"share 1", segment.MinSize(sizeRules(t), segment.MinSizeConfig{Share: 1}), "min-size: Share is 1, outside [0, 1)"},
		{"share NaN", segment.MinSize(sizeRules(t), segment.MinSizeConfig{Share: math.NaN()}), "min-size: Share is NaN, outside [0, 1)"},
		{"nil segmenter", segment.MinSize(nil, segment.MinSizeConfig{Count: 1}), "min-size: wrapped segmenter is nil"},
		{"nil Merged", nil, "min-size: segmenter is nil"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.g.Validate()
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
			assert.ErrorContains(t, err, c.want)
			_, err = c.g.Fit(context.Background(), slices.Values(fitted))
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
			_, err = c.g.DecodeModel([]byte(`{"method":"min-size","version":1}`))
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
		})
	}

	// The Other ID is a kept segment's.
	_, err := segment.MinSize(sizeRules(t), segment.MinSizeConfig{Count: 1, OtherID: "size/smb"}).Fit(context.Background(), slices.Values(fitted))
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	assert.ErrorContains(t, err, `the Other segment's ID "size/smb" is the ID of a kept segment`)

	g := segment.MinSize(sizeRules(t), segment.MinSizeConfig{Count: 1})
	data := mustMarshal(t, mustFit(t, g, fitted))
	for _, c := range []struct {
		name string
		s    segment.Segmenter
		data string
		want error
	}{
		{"other method", g, `{"method":"layers","version":1}`, segment.ErrModelVersion},
		{"version 2", g, `{"method":"min-size","version":2}`, segment.ErrModelVersion},
		{"wrapped of another method", segment.MinSize(tierRules(t), segment.MinSizeConfig{Count: 1}), string(data), segment.ErrModelVersion},
		{"bad config", g, `{"method":"min-size","version":1,"config":{"count":-2}}`, segment.ErrInvalidConfig},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.s.DecodeModel([]byte(c.data))
			assert.ErrorIs(t, err, c.want)
		})
	}
}

func TestMinSizeConfigValidateJoinsProblems(t *testing.T) {
	err := segment.MinSizeConfig{Count: -1, Share: 2}.Validate()
	assert.ErrorContains(t, err, "Count is -1")
	assert.ErrorContains(t, err, "Share is 2")
	assert.NoError(t, segment.MinSizeConfig{Share: 0.5}.Validate())
}
