package segment_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func TestFirstConformance(t *testing.T) {
	accts := segmenttest.Accounts(200, 1)
	segmenttest.Run(t, segmenttest.Config{
		New: func(int) segment.Segmenter {
			return segment.First(segment.KeyAccounts(segment.Segment{ID: "key", Name: "Key accounts"}, accts[0].ID, accts[7].ID), sizeRules(t))
		},
		Accounts: accts,
	})
}

func TestFirstPrecedence(t *testing.T) {
	fitted := []segment.Account{acct("k1", 10, 1), acct("x", 5000, 1), acct("k2", 5000, 1), acct("y", 10, 1)}
	rest := &recorder{Segmenter: sizeRules(t)}
	f := segment.First(segment.KeyAccounts(segment.Segment{ID: "key", Name: "Key accounts"}, "k1", "k2", "k3"), rest)
	m := mustFit(t, f, fitted)
	require.Len(t, rest.seen, 1)
	assert.Equal(t, []string{"x", "y"}, rest.seen[0], "rest is fitted on the declined accounts only")

	for _, c := range []struct {
		a      segment.Account
		id     string
		method string
	}{
		{fitted[0], "key", "key-accounts"},
		{fitted[1], "size/enterprise", "size"},
		{fitted[2], "key", "key-accounts"},
		{fitted[3], "size/smb", "size"},
		{acct("k3", 10, 1), "key", "key-accounts"},
		{acct("new", 500, 1), "size/mid", "size"},
	} {
		as := mustAssign(t, m, c.a)
		assert.Equal(t, c.id, as.Segment.ID, c.a.ID)
		assert.Equal(t, c.method, as.Segment.Method, c.a.ID)
		assert.Nil(t, as.Parts, "the claiming model's assignment, unchanged")
	}
	assert.Equal(t, []string{"key", "size/enterprise", "size/mid", "size/smb", "size/unknown"}, segmentIDs(m.Segments()))

	data, err := json.Marshal(m)
	require.NoError(t, err)
	var enc struct {
		Claimed int `json:"claimed"`
	}
	require.NoError(t, json.Unmarshal(data, &enc))
	assert.Equal(t, 2, enc.Claimed)
}

func TestFirstChains(t *testing.T) {
	f := segment.First(segment.KeyAccounts(segment.Segment{ID: "strategic"}, "s"),
		segment.First(segment.KeyAccounts(segment.Segment{ID: "partner"}, "p", "s"), sizeRules(t)))
	m := mustFit(t, f, []segment.Account{acct("s", 1, 1), acct("p", 1, 1), acct("x", 1, 1)})
	assert.Equal(t, "strategic", mustAssign(t, m, acct("s", 1, 1)).Segment.ID, "the first rule wins")
	assert.Equal(t, "partner", mustAssign(t, m, acct("p", 1, 1)).Segment.ID)
	assert.Equal(t, "size/smb", mustAssign(t, m, acct("x", 1, 1)).Segment.ID)
	assert.Equal(t, []string{"strategic", "partner", "size/enterprise", "size/mid", "size/smb", "size/unknown"}, segmentIDs(m.Segments()))
}

func TestFirstErrors(t *testing.T) {
	fitted := []segment.Account{acct("1", 10, 1), acct("2", 10, 1)}
	key := segment.KeyAccounts(segment.Segment{ID: "key"}, "1")
	for _, c := range []struct {
		name string
		p    *segment.Precedence
		want string
	}{
		{"nil rule", segment.First(nil, sizeRules(t)), "first: rule is nil"},
		{"nil rest", segment.First(key, nil), "first: rest is nil"},
		{"nil typed rest", segment.First(key, (*segment.Rules)(nil)), "first: rest is nil"},
		{"nil Precedence", nil, "first: segmenter is nil"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.p.Validate()
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
			assert.ErrorContains(t, err, c.want)
			_, err = c.p.Fit(context.Background(), slices.Values(fitted))
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
			_, err = c.p.DecodeModel([]byte(`{"method":"first","version":1}`))
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
		})
	}

	// The rule claims every account.
	_, err := segment.First(segment.KeyAccounts(segment.Segment{ID: "key"}, "1", "2"), sizeRules(t)).Fit(context.Background(), slices.Values(fitted))
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
	assert.EqualError(t, err, "first: the rule claimed all 2 accounts, leaving none to fit the rest on: empty input")

	// A rule error other than a decline is returned, at Fit and at Assign.
	boom := errors.New("boom")
	rule := failing{Segmenter: key, id: "2", err: boom}
	_, err = segment.First(rule, sizeRules(t)).Fit(context.Background(), slices.Values(fitted))
	assert.ErrorIs(t, err, boom)
	assert.EqualError(t, err, "first: rule: boom")
	m := mustFit(t, segment.First(rule, sizeRules(t)), []segment.Account{acct("1", 1, 1), acct("3", 1, 1)})
	_, err = m.Assign(&segment.Account{ID: "2"})
	assert.ErrorIs(t, err, boom)

	// Rule and rest share a segment ID.
	_, err = segment.First(segment.KeyAccounts(segment.Segment{ID: "size/smb"}, "1"), sizeRules(t)).Fit(context.Background(), slices.Values(fitted))
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	assert.ErrorContains(t, err, `segment ID "size/smb" is both the rule's and the rest's`)

	f := segment.First(key, sizeRules(t))
	data := mustMarshal(t, mustFit(t, f, fitted))
	for _, c := range []struct {
		name string
		s    segment.Segmenter
		data string
	}{
		{"other method", f, `{"method":"layers","version":1}`},
		{"version 9", f, `{"method":"first","version":9}`},
		{"rest of another method", segment.First(key, tierRules(t)), string(data)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.s.DecodeModel([]byte(c.data))
			assert.ErrorIs(t, err, segment.ErrModelVersion)
		})
	}
}
