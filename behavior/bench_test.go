package behavior

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// BenchmarkAssign times one Assign of each scheme's model (fitted on 2,000
// generated accounts, the default config otherwise, as the scoring
// service's behavior layer is) on a generated customer with its histories
// (account=full: orders, subscription, usage, events, survey) and on the
// same account without them (account=lean).
func BenchmarkAssign(b *testing.B) {
	accts := segmenttest.Accounts(2000, 2)
	full := segmenttest.Accounts(1, 2)[0]
	lean := full
	lean.Orders, lean.Subscriptions, lean.Usage, lean.Events, lean.Survey = nil, nil, nil, nil, nil
	for _, sc := range []Scheme{Lifecycle, RFM, Drivers, Clusters} {
		s, err := New(Config{Scheme: sc, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		m, err := s.Fit(context.Background(), slices.Values(accts))
		if err != nil {
			b.Fatal(err)
		}
		for _, acc := range []struct {
			name string
			a    *segment.Account
		}{{"full", &full}, {"lean", &lean}} {
			b.Run("scheme="+sc.String()+"/account="+acc.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := m.Assign(acc.a); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

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

// BenchmarkAssignBook measures features and both scores (the lifecycle
// scheme) over 100,000 accounts of 50 records (10,000 distinct accounts,
// each assigned ten times).
func BenchmarkAssignBook(b *testing.B) {
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
