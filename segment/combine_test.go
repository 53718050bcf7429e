package segment_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// nested is the combination of the issue:
// First(KeyAccounts, MinSize(Layer(ruleA, Within(ruleB, ruleC)))).
func nested(t testing.TB, keys ...string) segment.Segmenter {
	return segment.First(
		segment.KeyAccounts(segment.Segment{ID: "key", Name: "Key accounts"}, keys...),
		segment.MinSize(
			segment.Layer(tierRules(t), segment.Within(sizeRules(t), medianSplit{min: 15})),
			segment.MinSizeConfig{Share: 0.03},
		),
	)
}

func TestNestedConformance(t *testing.T) {
	accts := segmenttest.Accounts(200, 1)
	segmenttest.Run(t, segmenttest.Config{
		New:      func(int) segment.Segmenter { return nested(t, accts[1].ID, accts[100].ID) },
		Accounts: accts,
	})
}

func TestNested(t *testing.T) {
	accts := segmenttest.Accounts(600, 9)
	m := mustFit(t, nested(t, accts[0].ID), accts)

	as := mustAssign(t, m, accts[0])
	assert.Equal(t, "key", as.Segment.ID)

	segs := m.Segments()
	require.NotEmpty(t, segs)
	assert.Equal(t, "key", segs[0].ID)
	assert.Equal(t, "layers/other", segs[len(segs)-1].ID)
	for _, s := range segs[1 : len(segs)-1] {
		assert.Regexp(t, `^tier/[ABC]\+size/[a-z]+\+median/(lower|upper|unknown)$`, s.ID)
		assert.Regexp(t, `^Tier [ABC] › [^›]+ › [^›]+$`, s.Name)
	}

	counts := map[string]int{}
	for _, a := range accts {
		as := mustAssign(t, m, a)
		counts[as.Segment.ID]++
		if as.Segment.ID == "layers/other" {
			assert.Regexp(t, `^merged into Other: segment "Tier [ABC] › .+" had \d+ accounts?, under 3% of the 599 fitted$`, as.Reasons[0].Text)
		} else if as.Segment.ID != "key" {
			require.Len(t, as.Parts, 2, "tier and size-within parts")
			assert.Len(t, as.Parts[1].Parts, 2, "size and median parts")
		}
	}
	for id, n := range counts {
		if id != "key" && id != "layers/other" {
			assert.GreaterOrEqual(t, n, 18, "a kept segment has at least 3%% of 599 accounts: %s", id)
		}
	}

	// The JSON nests the children's encodings, and decodes back.
	data, err := json.Marshal(m)
	require.NoError(t, err)
	d, err := nested(t, accts[0].ID).DecodeModel(data)
	require.NoError(t, err)
	again, err := json.Marshal(d)
	require.NoError(t, err)
	assert.Equal(t, string(data), string(again))
	res1, err := segment.AssignAll(context.Background(), m, slices.Values(accts), 2)
	require.NoError(t, err)
	res2, err := segment.AssignAll(context.Background(), d, slices.Values(accts), 1)
	require.NoError(t, err)
	assert.Equal(t, res1, res2)
}

func TestCombinatorsHonourContext(t *testing.T) {
	accts := segmenttest.Accounts(300, 1)
	for name, s := range map[string]segment.Segmenter{
		"layers":  segment.Layer(sizeRules(t)),
		"within":  segment.Within(sizeRules(t), medianSplit{}),
		"first":   segment.First(segment.KeyAccounts(segment.Segment{ID: "k"}, accts[0].ID), sizeRules(t)),
		"minsize": segment.MinSize(sizeRules(t), segment.MinSizeConfig{Count: 2}),
		"rules":   sizeRules(t),
		"keys":    segment.KeyAccounts(segment.Segment{ID: "k"}, accts[0].ID),
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			walked := 0
			endless := func(yield func(segment.Account) bool) {
				for i := 0; ; i++ {
					if i == 100 {
						cancel()
					}
					walked++
					a := accts[i%len(accts)]
					if !yield(a) {
						return
					}
				}
			}
			_, err := s.Fit(ctx, endless)
			assert.ErrorIs(t, err, context.Canceled)
			assert.LessOrEqual(t, walked, 100+64, "Fit looks at the context every 64 accounts")
		})
	}
}

func FuzzDecodeModel(f *testing.F) {
	accts := segmenttest.Accounts(80, 2)
	segmenters := func(t testing.TB) []segment.Segmenter {
		return []segment.Segmenter{
			nested(t, accts[0].ID),
			segment.Layer(tierRules(t), sizeRules(t)),
			segment.Within(tierRules(t), medianSplit{min: 30}),
			segment.MinSize(sizeRules(t), segment.MinSizeConfig{Count: 20}),
			segment.First(segment.KeyAccounts(segment.Segment{ID: "key"}, accts[0].ID), sizeRules(t)),
		}
	}
	for _, s := range segmenters(f) {
		m, err := s.Fit(context.Background(), slices.Values(accts))
		if err != nil {
			f.Fatal(err)
		}
		data, err := json.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"method":"within","version":1,"groups":[{"outer":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, s := range segmenters(t) {
			m, err := s.DecodeModel(data)
			if err != nil {
				continue
			}
			m.Segments()
			for i := range accts[:5] {
				_, _ = m.Assign(&accts[i])
			}
		}
	})
}

func TestNestedInvalidConfig(t *testing.T) {
	accts := []segment.Account{acct("1", 10, 1), acct("2", 5000, 1)}
	for name, s := range map[string]segment.Segmenter{
		"layer of no layers":      segment.Layer(sizeRules(t), segment.Layer()),
		"key accounts without ID": segment.First(segment.KeyAccounts(segment.Segment{}, "1"), sizeRules(t)),
		"inner without threshold": segment.Within(sizeRules(t), segment.MinSize(sizeRules(t), segment.MinSizeConfig{})),
		"nested nil":              segment.MinSize(segment.Within(nil, nil), segment.MinSizeConfig{Count: 1}),
		"zero Rules inside":       segment.Layer(&segment.Rules{}),
	} {
		_, err := s.Fit(context.Background(), slices.Values(accts))
		assert.ErrorIs(t, err, segment.ErrInvalidConfig, name)
	}
}
