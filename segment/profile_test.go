package segment_test

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

var profRef = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

func profAccounts() ([]segment.Account, []segment.Assignment) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	old := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	accts := []segment.Account{
		{ID: "A1", Employees: segment.N(10), Industry: "Retail", Country: "US", Orders: []segment.Order{{Time: at, Amount: 100}}},
		{ID: "A2", Employees: segment.N(20), Industry: "Retail", Country: "US", Orders: []segment.Order{{Time: at, Amount: 300}, {Time: old, Amount: 5000}}},
		{ID: "A3", Employees: segment.N(1000), Industry: "Software", Country: "DE", Orders: []segment.Order{{Time: at, Amount: 700}, {Time: at.AddDate(0, 0, 10), Amount: 100, Return: true}},
			Subscriptions: []segment.Subscription{{Start: old, Monthly: 50, Seats: 5}}},
		{ID: "A4", Industry: "Software", Country: "DE", Survey: map[string]float64{"q": 4}},
	}
	small := segment.Segment{ID: "size/small", Name: "Small"}
	large := segment.Segment{ID: "size/large", Name: "Large"}
	as := []segment.Assignment{
		{AccountID: "A4", Segment: large},
		{AccountID: "A1", Segment: small},
		{AccountID: "A2", Segment: small},
		{AccountID: "A3", Segment: large},
	}
	return accts, as
}

func findNumeric(t *testing.T, sp segment.SegmentProfile, field string) segment.NumericTrait {
	t.Helper()
	for _, n := range sp.Numeric {
		if n.Field == field {
			return n
		}
	}
	require.Failf(t, "no numeric field", "%s in %s", field, sp.Segment.ID)
	return segment.NumericTrait{}
}

func TestProfileSmall(t *testing.T) {
	accts, as := profAccounts()
	r, err := segment.Profile(context.Background(), slices.Values(accts), as, segment.ProfileConfig{Reference: profRef, MinSupport: 1})
	require.NoError(t, err)
	assert.Equal(t, 4, r.Accounts)
	assert.Equal(t, 12, r.Months)
	// Billed: A1 100, A2 300 (the 2024 order is outside the window),
	// A3 700 − 100 returned + 12 months × 50.
	assert.InDelta(t, 100+300+600+600, r.Revenue, 1)
	require.Len(t, r.Segments, 2)
	// Equal sizes: ordered by ID.
	large, small := r.Segments[0], r.Segments[1]
	assert.Equal(t, "size/large", large.Segment.ID)
	assert.Equal(t, "size/small", small.Segment.ID)
	assert.Equal(t, 2, small.Accounts)
	assert.InDelta(t, 0.5, small.Share, 1e-12)
	assert.InDelta(t, 400.0/1600, small.RevenueShare, 1e-3)
	assert.InDelta(t, 1200.0/1600, large.RevenueShare, 1e-3)

	// Employees: A4's is unknown, counted apart, never as 0.
	le := findNumeric(t, large, "employees")
	assert.Equal(t, 1, le.Known)
	assert.Equal(t, 1, le.Unknown)
	assert.InDelta(t, 1000, le.Mean, 1e-9)
	assert.InDelta(t, 20, le.OverallMedian, 1e-9)
	assert.True(t, le.Log)
	x := []float64{math.Log(11), math.Log(21), math.Log(1001)}
	mean := (x[0] + x[1] + x[2]) / 3
	sd := math.Sqrt(((x[0]-mean)*(x[0]-mean) + (x[1]-mean)*(x[1]-mean) + (x[2]-mean)*(x[2]-mean)) / 2)
	assert.InDelta(t, (x[2]-mean)/sd, le.D, 1e-12)
	se := findNumeric(t, small, "employees")
	assert.InDelta(t, ((x[0]+x[1])/2-mean)/sd, se.D, 1e-12)
	assert.InDelta(t, 15, se.Median, 1e-12)

	// Orders are counted in the window; a return is not an order.
	so := findNumeric(t, small, "orders")
	assert.InDelta(t, 1, so.Mean, 1e-12)
	lo := findNumeric(t, large, "order_value")
	assert.InDelta(t, 300, lo.Mean, 1e-12, "(600 + 0) / 2")

	// A survey answer known for one account only.
	q := findNumeric(t, large, "survey[q]")
	assert.Equal(t, 1, q.Known)
	assert.InDelta(t, 0, q.D, 1e-12, "a field that does not vary")

	// Categories.
	require.NotEmpty(t, small.Categories)
	assert.Equal(t, segment.CategoryTrait{Field: "country", Value: "US", Count: 2, Known: 2, Share: 1, OverallShare: 0.5, Lift: 2}, small.Categories[0])
	assert.Equal(t, "industry", small.Categories[1].Field)
	assert.Equal(t, "Retail", small.Categories[1].Value)

	assert.Equal(t, "2 accounts (50%, 25% of revenue): smaller (employees d=-0.6), lower MRR (mrr d=-0.5), more orders (orders d=+0.5); more often country US (2.0×), industry Retail (2.0×)", small.Description)
	assert.Equal(t, "2 accounts (50%, 75% of revenue): larger (employees d=+1.1), higher MRR (mrr d=+0.5), fewer orders (orders d=-0.5); more often country DE (2.0×), industry Software (2.0×)", large.Description)
}

func TestProfileErrors(t *testing.T) {
	accts, as := profAccounts()
	cfg := segment.ProfileConfig{Reference: profRef}

	_, err := segment.Profile(context.Background(), slices.Values(accts), as[:3], cfg)
	assert.ErrorIs(t, err, segment.ErrUnmatched, "an account without an assignment")
	assert.ErrorContains(t, err, `"A3"`)

	_, err = segment.Profile(context.Background(), slices.Values(accts[:3]), as, cfg)
	assert.ErrorIs(t, err, segment.ErrUnmatched, "an assignment without an account")
	assert.ErrorContains(t, err, `"A4"`)

	_, err = segment.Profile(context.Background(), slices.Values(accts), append(slices.Clone(as), as[0]), cfg)
	assert.ErrorIs(t, err, segment.ErrUnmatched, "an account assigned twice")

	_, err = segment.Profile(context.Background(), slices.Values(append(slices.Clone(accts), accts[0])), as, cfg)
	assert.ErrorIs(t, err, segment.ErrUnmatched, "an account given twice")

	_, err = segment.Profile(context.Background(), slices.Values([]segment.Account(nil)), nil, cfg)
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
	_, err = segment.Profile(context.Background(), nil, nil, cfg)
	assert.ErrorIs(t, err, segment.ErrEmptyInput)

	badAccts := slices.Clone(accts)
	badAccts[1].Employees = segment.N(math.NaN())
	_, err = segment.Profile(context.Background(), slices.Values(badAccts), as, cfg)
	assert.ErrorIs(t, err, segment.ErrInvalidAccount)
	var fe *segment.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "A2", fe.AccountID)
	assert.Equal(t, "employees", fe.Field)

	badAccts = slices.Clone(accts)
	badAccts[0].Orders = []segment.Order{{Time: profRef, Amount: -5}}
	_, err = segment.Profile(context.Background(), slices.Values(badAccts), as, cfg)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "orders[0].amount", fe.Field)

	for _, c := range []segment.ProfileConfig{{Months: -1}, {MinLift: 0.5}, {MinShare: 2}, {MinEffect: math.NaN()}, {Top: -1}, {MinSupport: -1}, {Revenue: 9}} {
		_, err = segment.Profile(context.Background(), slices.Values(accts), as, c)
		assert.ErrorIs(t, err, segment.ErrInvalidConfig, "%+v", c)
	}
}

func TestProfileDefaultReference(t *testing.T) {
	accts, as := profAccounts()
	r, err := segment.Profile(context.Background(), slices.Values(accts), as, segment.ProfileConfig{})
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC), r.Reference, "the latest date in the data")

	none := []segment.Account{{ID: "x", Founded: 2000}}
	r, err = segment.Profile(context.Background(), slices.Values(none), []segment.Assignment{{AccountID: "x", Segment: segment.Segment{ID: "all"}}}, segment.ProfileConfig{})
	require.NoError(t, err)
	assert.True(t, r.Reference.IsZero())
	for _, n := range r.Segments[0].Numeric {
		assert.NotEqual(t, "age", n.Field, "no age without a reference")
	}
	assert.Equal(t, "1 account (100%): close to the whole", r.Segments[0].Description)
}

// On generated accounts, the profiles find what was planted.
func TestProfileGenerated(t *testing.T) {
	accts := segmenttest.Accounts(4000, 11)
	before := make([]segment.Account, len(accts))
	for i := range accts {
		before[i] = accts[i].Clone()
	}
	as := make([]segment.Assignment, len(accts))
	for i, a := range accts {
		id := "other"
		switch {
		case a.Stage == segment.Churned:
			id = "churned"
		case a.Employees.Or(0) >= 1000:
			id = "enterprise"
		}
		as[i] = segment.Assignment{AccountID: a.ID, Segment: segment.Segment{ID: id}}
	}
	r, err := segment.Profile(context.Background(), slices.Values(accts), as, segment.ProfileConfig{})
	require.NoError(t, err)
	assert.Equal(t, before, accts, "accounts are left unchanged")

	again, err := segment.Profile(context.Background(), slices.Values(accts), as, segment.ProfileConfig{})
	require.NoError(t, err)
	assert.Equal(t, r, again, "deterministic")

	sum, share := 0, 0.0
	for _, sp := range r.Segments {
		sum += sp.Accounts
		share += sp.RevenueShare
	}
	assert.Equal(t, len(accts), sum)
	assert.InDelta(t, 1, share, 1e-9)
	assert.Equal(t, "other", r.Segments[0].Segment.ID, "largest first")

	byID := map[string]segment.SegmentProfile{}
	for _, sp := range r.Segments {
		byID[sp.Segment.ID] = sp
	}
	ent := byID["enterprise"]
	assert.Greater(t, findNumeric(t, ent, "employees").D, 1.0)
	assert.Greater(t, ent.RevenueShare, 3*ent.Share, "enterprise accounts bring more revenue")
	assert.Contains(t, ent.Description, "larger (employees d=+")

	ch := byID["churned"]
	assert.Less(t, findNumeric(t, ch, "mrr").D, -0.5, "churned accounts pay nothing now")
	found := false
	for _, c := range ch.Categories {
		if c.Field == "stage" && c.Value == "churned" {
			found = true
			assert.InDelta(t, 1, c.Share, 1e-12)
		}
	}
	assert.True(t, found, "stage churned is over-represented in %v", ch.Categories)

	b, err := json.Marshal(r)
	require.NoError(t, err, "a report encodes to JSON")
	assert.NotContains(t, string(b), "NaN")
}

func TestRevenueSourceText(t *testing.T) {
	for _, s := range []segment.RevenueSource{segment.RevenueBilled, segment.RevenueOrders, segment.RevenueSubscriptions, segment.RevenueAnnual} {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var back segment.RevenueSource
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
		assert.Equal(t, string(b), s.String())
	}
	var r segment.RevenueSource
	assert.Error(t, r.UnmarshalText([]byte("profit")))
	_, err := segment.RevenueSource(9).MarshalText()
	assert.Error(t, err)
}

func BenchmarkProfile(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		accts := segmenttest.Accounts(n, 1)
		as := make([]segment.Assignment, n)
		for i, a := range accts {
			as[i] = segment.Assignment{AccountID: a.ID, Segment: segment.Segment{ID: a.Stage.String()}}
		}
		b.Run("n="+strconv.Itoa(n)+"/k=5", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := segment.Profile(context.Background(), slices.Values(accts), as, segment.ProfileConfig{Reference: segmenttest.Reference}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
		})
	}
}

// Profile walks the accounts once, with or without a Reference.
func TestProfileWalksOnce(t *testing.T) {
	accts, as := profAccounts()
	for _, ref := range []time.Time{profRef, {}} {
		walks := 0
		seq := func(yield func(segment.Account) bool) {
			walks++
			for _, a := range accts {
				if !yield(a) {
					return
				}
			}
		}
		r, err := segment.Profile(context.Background(), seq, as, segment.ProfileConfig{Reference: ref})
		require.NoError(t, err)
		assert.Equal(t, 1, walks, "reference %v", ref)
		assert.Equal(t, len(accts), r.Accounts)
	}
}

func TestProfileContext(t *testing.T) {
	accts := segmenttest.Accounts(3000, 3)
	as := make([]segment.Assignment, len(accts))
	for i, a := range accts {
		as[i] = segment.Assignment{AccountID: a.ID, Segment: segment.Segment{ID: a.Stage.String()}}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, ref := range []time.Time{profRef, {}} {
		_, err := segment.Profile(ctx, slices.Values(accts), as, segment.ProfileConfig{Reference: ref})
		assert.ErrorIs(t, err, context.Canceled, "reference %v", ref)
	}
	//lint:ignore SA1012 a nil context is refused, and this checks it
	_, err := segment.Profile(nil, slices.Values(accts), as, segment.ProfileConfig{})
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
}

// Past 16,384 values a median is estimated from a sample, still
// deterministically.
func TestProfileLargeMedian(t *testing.T) {
	const n = 50000
	accts := make([]segment.Account, n)
	as := make([]segment.Assignment, n)
	for i := range accts {
		id := "A" + strconv.Itoa(i)
		accts[i] = segment.Account{ID: id, Employees: segment.N(float64(i))}
		as[i] = segment.Assignment{AccountID: id, Segment: segment.Segment{ID: strconv.Itoa(i % 2)}}
	}
	r, err := segment.Profile(context.Background(), slices.Values(accts), as, segment.ProfileConfig{Reference: profRef})
	require.NoError(t, err)
	e := findNumeric(t, r.Segments[0], "employees")
	assert.Equal(t, n/2, e.Known)
	assert.InDelta(t, n/2, e.OverallMedian, 0.02*n, "overall median")
	assert.InDelta(t, n/2, e.Median, 0.02*n, "segment median")
	assert.InDelta(t, (n-1)/2.0, e.OverallMean, 1e-6, "means stay exact")
	again, err := segment.Profile(context.Background(), slices.Values(accts), as, segment.ProfileConfig{Reference: profRef})
	require.NoError(t, err)
	assert.Equal(t, r, again)
}
