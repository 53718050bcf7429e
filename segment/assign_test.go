package segment_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func TestAssignAllEqualsOneAtATime(t *testing.T) {
	accts := segmenttest.Accounts(1500, 2)
	m := mustFit(t, segment.MinSize(segment.Layer(tierRules(t), sizeRules(t), riskRules(t)), segment.MinSizeConfig{Share: 0.02}), accts)
	want := make([]segment.Assignment, len(accts))
	for i := len(accts) - 1; i >= 0; i-- {
		want[i] = mustAssign(t, m, accts[i])
	}
	for _, workers := range []int{0, 1, 3, 8} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			res, err := segment.AssignAll(context.Background(), m, slices.Values(accts), workers)
			require.NoError(t, err)
			assert.Equal(t, m.Segments(), res.Segments)
			assert.Equal(t, want, res.Assignments)
		})
	}
}

func TestAssignAllFirstErrorWins(t *testing.T) {
	accts := segmenttest.Accounts(2500, 3)
	m := mustFit(t, sizeRules(t), accts)
	bad := slices.Clone(accts)
	bad[1700].Employees = segment.N(math.NaN())
	bad[2100].Revenue = segment.N(-1)
	bad[2400].ID = ""
	for _, workers := range []int{1, 2, 7} {
		_, err := segment.AssignAll(context.Background(), m, slices.Values(bad), workers)
		var fe *segment.FieldError
		require.ErrorAs(t, err, &fe, "workers=%d", workers)
		assert.Equal(t, bad[1700].ID, fe.AccountID, "workers=%d", workers)
		assert.Equal(t, "employees", fe.Field, "workers=%d", workers)
		assert.ErrorContains(t, err, fmt.Sprintf("segment: assign all: account 1701 (%q): size: ", bad[1700].ID))
	}

	// A decline is an error too, and stays one.
	km := mustFit(t, segment.KeyAccounts(segment.Segment{ID: "k"}, accts[0].ID), accts)
	_, err := segment.AssignAll(context.Background(), km, slices.Values(accts), 2)
	assert.ErrorIs(t, err, segment.ErrNoMatch)
	assert.ErrorContains(t, err, "account 2 ")
}

func TestAssignAllContext(t *testing.T) {
	accts := segmenttest.Accounts(100, 4)
	m := mustFit(t, sizeRules(t), accts)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := segment.AssignAll(ctx, m, slices.Values(accts), 2)
	assert.ErrorIs(t, err, context.Canceled)

	// Cancelled while the accounts are walked: AssignAll stops at the next
	// batch.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	walked := 0
	endless := func(yield func(segment.Account) bool) {
		for i := 0; ; i++ {
			if i == 50 {
				cancel()
			}
			walked++
			if !yield(accts[i%len(accts)]) {
				return
			}
		}
	}
	_, err = segment.AssignAll(ctx, m, endless, 1)
	assert.ErrorIs(t, err, context.Canceled)
	assert.LessOrEqual(t, walked, 1024, "one batch of 1024 accounts per worker")
}

func TestAssignAllArguments(t *testing.T) {
	m := mustFit(t, sizeRules(t), []segment.Account{{ID: "x"}})
	one := slices.Values([]segment.Account{{ID: "x"}})
	for _, c := range []struct {
		name    string
		ctx     context.Context
		m       segment.Model
		accts   iter.Seq[segment.Account]
		workers int
	}{
		{"nil context", nil, m, one, 1},
		{"nil model", context.Background(), nil, one, 1},
		{"nil accounts", context.Background(), m, nil, 1},
		{"negative workers", context.Background(), m, one, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := segment.AssignAll(c.ctx, c.m, c.accts, c.workers)
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
		})
	}

	res, err := segment.AssignAll(context.Background(), m, slices.Values([]segment.Account(nil)), 0)
	require.NoError(t, err)
	assert.Empty(t, res.Assignments)
	assert.Equal(t, m.Segments(), res.Segments)

	_, err = segment.AssignAll(context.Background(), m, slices.Values([]segment.Account{{ID: "x"}, {}}), 0)
	assert.True(t, errors.Is(err, segment.ErrInvalidAccount))
	_, err = segment.AssignAll(context.Background(), m, slices.Values([]segment.Account{{ID: "x"}, {}}), 0)
	assert.ErrorContains(t, err, `account 2 (""): size: account without id: field "id": is empty`)
}

func BenchmarkAssignAll(b *testing.B) {
	accts := segmenttest.Accounts(20000, 5)
	m := mustFitB(b, segment.MinSize(segment.Layer(tierRules(b), sizeRules(b), riskRules(b)), segment.MinSizeConfig{Share: 0.02}), accts)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("n=%d/workers=%d", len(accts), workers), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := segment.AssignAll(context.Background(), m, slices.Values(accts), workers); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(accts))*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
		})
	}
}

func BenchmarkAssign(b *testing.B) {
	accts := segmenttest.Accounts(1000, 5)
	for _, c := range []struct {
		name string
		s    segment.Segmenter
	}{
		{"rules", sizeRules(b)},
		{"layers=3", segment.Layer(tierRules(b), sizeRules(b), riskRules(b))},
		{"nested", segment.First(segment.KeyAccounts(segment.Segment{ID: "key"}, accts[0].ID),
			segment.MinSize(segment.Layer(tierRules(b), segment.Within(sizeRules(b), medianSplit{min: 5})), segment.MinSizeConfig{Count: 10}))},
	} {
		m := mustFitB(b, c.s, accts)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := m.Assign(&accts[i%len(accts)]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		})
	}
}

func mustFitB(b *testing.B, s segment.Segmenter, accts []segment.Account) segment.Model {
	b.Helper()
	m, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func BenchmarkFit(b *testing.B) {
	accts := segmenttest.Accounts(20000, 6)
	for _, c := range []struct {
		name string
		s    segment.Segmenter
	}{
		{"layers=3", segment.Layer(tierRules(b), sizeRules(b), riskRules(b))},
		{"within", segment.Within(tierRules(b), medianSplit{min: 5})},
		{"nested", nested(b, accts[0].ID)},
	} {
		b.Run(fmt.Sprintf("n=%d/%s", len(accts), c.name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				mustFitB(b, c.s, accts)
			}
			b.ReportMetric(float64(len(accts))*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
		})
	}
}
