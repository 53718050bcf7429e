package behavior

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/strataseg/strata/segment"
)

// benchAccounts returns n accounts of 50 records each: 20 orders, 20
// usage records and 10 events over the year before asOf.
func benchAccounts(n int) []segment.Account {
	r := rand.New(rand.NewPCG(1, 2))
	at := func() time.Time {
		return asOf.Add(-time.Duration(r.Float64() * 365 * float64(day))).Truncate(time.Second)
	}
	lines := []string{"Platform", "Add-ons", "Services", "Training"}
	metrics := []string{segment.MetricLogins, segment.MetricActiveUsers, segment.MetricSeatsUsed, segment.MetricSeatsPurchased, "feature:reports", "feature:api"}
	kinds := []string{segment.EventContent, segment.EventEmail, segment.EventWebinar, segment.EventTicket, segment.EventMeeting}
	accts := make([]segment.Account, n)
	for i := range accts {
		a := &accts[i]
		a.ID = fmt.Sprintf("B-%07d", i)
		a.Subscriptions = []segment.Subscription{{Start: asOf.AddDate(-2, 0, 0), Monthly: 100 + 50*r.Float64(), Seats: 10 + r.IntN(40)}}
		for range 20 {
			a.Orders = append(a.Orders, segment.Order{Time: at(), Amount: 100 + 900*r.Float64(), Discount: 20 * r.Float64(), Quantity: float64(1 + r.IntN(20)), ProductLine: lines[r.IntN(len(lines))], Return: r.IntN(25) == 0})
			a.Usage = append(a.Usage, segment.Usage{Time: at(), Metric: metrics[r.IntN(len(metrics))], Value: float64(r.IntN(50))})
		}
		for range 10 {
			a.Events = append(a.Events, segment.Event{Time: at(), Kind: kinds[r.IntN(len(kinds))], Channel: "web"})
		}
	}
	return accts
}

// BenchmarkAssign measures features and both scores (the lifecycle
// scheme) over 100,000 accounts of 50 records (10,000 distinct accounts,
// each assigned ten times).
func BenchmarkAssign(b *testing.B) {
	const n, distinct = 100_000, 10_000
	accts := benchAccounts(distinct)
	s, err := New(Config{AsOf: asOf, Churn: ChurnHealth})
	if err != nil {
		b.Fatal(err)
	}
	mm, err := s.Fit(context.Background(), slices.Values(accts))
	if err != nil {
		b.Fatal(err)
	}
	m := mm.(*Model)
	b.Run(fmt.Sprintf("features/n=%d/records=50", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i := range n {
				_ = Features(&accts[i%distinct], m.Options)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
	})
	b.Run(fmt.Sprintf("assign/n=%d/records=50", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i := range n {
				if _, err := m.Assign(&accts[i%distinct]); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
	})
	b.Run(fmt.Sprintf("assign-all/n=%d/records=50", n), func(b *testing.B) {
		b.ReportAllocs()
		seq := func(yield func(segment.Account) bool) {
			for i := range n {
				if !yield(accts[i%distinct]) {
					return
				}
			}
		}
		for b.Loop() {
			if _, err := segment.AssignAll(context.Background(), m, seq, 0); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
	})
	b.Run(fmt.Sprintf("fit/n=%d/records=50", distinct), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Fit(context.Background(), slices.Values(accts)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(distinct)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
	})
}
