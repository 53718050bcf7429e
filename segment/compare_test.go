package segment_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func cmpAssign(pairs ...string) []segment.Assignment {
	var as []segment.Assignment
	for i := 0; i < len(pairs); i += 2 {
		as = append(as, segment.Assignment{AccountID: pairs[i], Segment: segment.Segment{ID: pairs[i+1], Name: strings.ToUpper(pairs[i+1])}})
	}
	return as
}

func TestCompare(t *testing.T) {
	before := cmpAssign("1", "a", "2", "a", "3", "b", "4", "b", "5", "c", "gone", "c")
	after := cmpAssign("5", "c", "4", "c", "3", "b", "2", "a", "1", "a", "new", "d")
	keepB, keepA := slices.Clone(before), slices.Clone(after)

	c, err := segment.Compare(before, after)
	require.NoError(t, err)
	assert.Equal(t, keepB, before, "before is left unchanged")
	assert.Equal(t, keepA, after, "after is left unchanged")

	assert.Equal(t, 5, c.Accounts)
	// Contingency {a→a: 2, b→b: 1, b→c: 1, c→c: 1}: index 1 of 10 pairs,
	// expected 2·2/10, maximum 2, so (1 − 0.4) / (2 − 0.4).
	assert.InDelta(t, 0.375, c.AdjustedRand, 1e-12)
	assert.Greater(t, c.NMI, 0.0)
	assert.Less(t, c.NMI, 1.0)
	assert.Equal(t, 4, c.Stayed)
	assert.Equal(t, 1, c.Moved)
	require.Len(t, c.Before, 3)
	require.Len(t, c.After, 4)
	assert.Equal(t, segment.Segment{ID: "a", Name: "A"}, c.Before[0])
	assert.Equal(t, "d", c.After[3].ID, "a segment of new accounts only is a column")
	assert.Equal(t, [][]int{{2, 0, 0, 0}, {0, 1, 1, 0}, {0, 0, 1, 0}}, c.Migration)
	assert.Equal(t, []segment.Flow{{From: "b", To: "c", Accounts: 1, Share: 0.5}}, c.Flows)
	assert.Equal(t, []string{"gone"}, c.OnlyBefore)
	assert.Equal(t, []string{"new"}, c.OnlyAfter)

	var b strings.Builder
	require.NoError(t, c.WriteText(&b))
	assert.Contains(t, b.String(), "accounts in both: 5 (4 stayed, 1 moved); adjusted Rand 0.375")
	assert.Contains(t, b.String(), "accounts only before: 1, only after: 1")
	assert.Contains(t, b.String(), "b → c: 1 (50%)")
}

func TestCompareRelabelled(t *testing.T) {
	before := cmpAssign("1", "x", "2", "x", "3", "y", "4", "y")
	after := cmpAssign("1", "p", "2", "p", "3", "q", "4", "q")
	c, err := segment.Compare(before, after)
	require.NoError(t, err)
	assert.InDelta(t, 1, c.AdjustedRand, 1e-12, "the same grouping under other IDs")
	assert.InDelta(t, 1, c.NMI, 1e-12)
	assert.Equal(t, 0, c.Stayed)
	assert.Equal(t, 4, c.Moved)
	assert.Equal(t, []segment.Flow{{From: "x", To: "p", Accounts: 2, Share: 1}, {From: "y", To: "q", Accounts: 2, Share: 1}}, c.Flows)
}

func TestCompareErrors(t *testing.T) {
	ok := cmpAssign("1", "a", "2", "b")
	_, err := segment.Compare(cmpAssign("1", "a", "1", "b"), ok)
	assert.ErrorIs(t, err, segment.ErrUnmatched, "an account twice before")
	assert.ErrorContains(t, err, `"1"`)
	_, err = segment.Compare(ok, cmpAssign("2", "a", "2", "a"))
	assert.ErrorIs(t, err, segment.ErrUnmatched, "an account twice after")
	_, err = segment.Compare(ok, cmpAssign("", "a"))
	assert.ErrorIs(t, err, segment.ErrUnmatched, "no account ID")
	_, err = segment.Compare(ok, cmpAssign("3", "a"))
	assert.ErrorIs(t, err, segment.ErrEmptyInput, "no account in both")
	_, err = segment.Compare(nil, nil)
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
}

// FuzzCompare checks the invariants of a comparison on arbitrary pairs of
// segmentations: the matrix counts every matched account once, stayed and
// moved add up, the flows are the off-diagonal cells, and the adjusted Rand
// index stays in [-0.5, 1].
func FuzzCompare(f *testing.F) {
	f.Add([]byte{0x01, 0x12, 0x23}, []byte{0x01, 0x22, 0x33})
	f.Add([]byte{0x00, 0x00}, []byte{0x10})
	f.Add([]byte{}, []byte{0x45})
	f.Fuzz(func(t *testing.T, b, a []byte) {
		mk := func(data []byte) ([]segment.Assignment, bool) {
			var as []segment.Assignment
			seen := map[string]bool{}
			dup := false
			for _, x := range data {
				id := string(rune('a' + x%16))
				dup = dup || seen[id]
				seen[id] = true
				as = append(as, segment.Assignment{AccountID: id, Segment: segment.Segment{ID: string(rune('P' + x>>4%4))}})
			}
			return as, dup
		}
		before, dupB := mk(b)
		after, dupA := mk(a)
		c, err := segment.Compare(before, after)
		if dupB || dupA {
			require.ErrorIs(t, err, segment.ErrUnmatched)
			return
		}
		if err != nil {
			require.ErrorIs(t, err, segment.ErrEmptyInput)
			return
		}
		total := 0
		for _, row := range c.Migration {
			for _, v := range row {
				total += v
			}
		}
		assert.Equal(t, c.Accounts, total)
		assert.Equal(t, c.Accounts, c.Stayed+c.Moved)
		assert.Equal(t, len(before), c.Accounts+len(c.OnlyBefore))
		assert.Equal(t, len(after), c.Accounts+len(c.OnlyAfter))
		moved := 0
		for _, fl := range c.Flows {
			assert.NotEqual(t, fl.From, fl.To)
			moved += fl.Accounts
		}
		assert.Equal(t, c.Moved, moved)
		assert.GreaterOrEqual(t, c.AdjustedRand, -0.5)
		assert.LessOrEqual(t, c.AdjustedRand, 1.0+1e-12)
	})
}

// A refresh after the employee counts were updated: accounts move only
// between neighbouring size bands.
func TestCompareRefresh(t *testing.T) {
	accts := segmenttest.Accounts(3000, 9)
	band := func(e float64) string {
		switch {
		case e >= 1000:
			return "3-enterprise"
		case e >= 100:
			return "2-mid"
		}
		return "1-small"
	}
	var before, after []segment.Assignment
	for i, a := range accts {
		e, ok := a.Employees.Get()
		if !ok {
			continue
		}
		before = append(before, segment.Assignment{AccountID: a.ID, Segment: segment.Segment{ID: band(e)}})
		if i%100 == 0 {
			continue // left the CRM
		}
		grown := e * (0.8 + 0.4*float64(i%7)/6) // -20% to +20%
		after = append(after, segment.Assignment{AccountID: a.ID, Segment: segment.Segment{ID: band(grown)}})
	}
	c, err := segment.Compare(before, after)
	require.NoError(t, err)
	assert.Equal(t, len(after), c.Accounts)
	assert.Len(t, c.OnlyBefore, len(before)-len(after))
	assert.Empty(t, c.OnlyAfter)
	assert.Greater(t, c.AdjustedRand, 0.7)
	assert.Less(t, c.AdjustedRand, 1.0)
	assert.Greater(t, c.Moved, 0)
	assert.Greater(t, c.Stayed, 10*c.Moved)
	for _, f := range c.Flows {
		assert.False(t, (f.From == "1-small" && f.To == "3-enterprise") || (f.From == "3-enterprise" && f.To == "1-small"), "no jump over a band: %+v", f)
	}
}
