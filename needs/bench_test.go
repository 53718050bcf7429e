package needs_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/strataseg/strata/needs"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// benchAccounts returns n accounts with e events each (a third with a
// text), over the panel's topics and texts, and a survey for half.
func benchAccounts(n, e int) []segment.Account {
	r := rand.New(rand.NewPCG(1, 2))
	kinds := []string{segment.EventPageView, segment.EventContent, segment.EventEmail, segment.EventWebinar, segment.EventDemoRequest, segment.EventForm, segment.EventTicket}
	accts := make([]segment.Account, n)
	events := make([]segment.Event, n*e) // one backing array: less GC
	for i := range accts {
		need := panelNeeds[r.IntN(len(panelNeeds))]
		a := segment.Account{ID: "B-" + strconv.Itoa(i), Events: events[i*e : (i+1)*e : (i+1)*e]}
		for k := range a.Events {
			nd := need
			if r.IntN(4) == 0 {
				nd = panelNeeds[r.IntN(len(panelNeeds))]
			}
			ev := segment.Event{Time: panelRef.Add(-time.Duration(r.IntN(365*24)) * time.Hour), Kind: kinds[r.IntN(len(kinds))]}
			ts := panelTopics[nd]
			ev.Topic = ts[r.IntN(len(ts))]
			if r.IntN(3) == 0 {
				tx := panelTexts[nd]
				ev.Text = tx[r.IntN(len(tx))]
			}
			a.Events[k] = ev
		}
		if r.IntN(2) == 0 {
			a.Survey = survey(float64(1+r.IntN(5)), float64(1+r.IntN(5)), float64(1+r.IntN(5)), float64(1+r.IntN(5)))
		}
		accts[i] = a
	}
	return accts
}

var (
	benchOnce  sync.Once
	benchAccts []segment.Account
)

func bench100k() []segment.Account {
	benchOnce.Do(func() { benchAccts = benchAccounts(100_000, 30) })
	return benchAccts
}

// BenchmarkFit fits 100,000 accounts with 30 events each: reading the
// evidence, learning the document frequencies and profiling every account
// (and clustering the profiles for the learned mode).
func BenchmarkFit(b *testing.B) {
	accts := bench100k()
	for _, c := range []struct {
		name string
		cfg  needs.Config
	}{
		{"n=100000/events=30/dominant", needs.Config{}},
		{"n=100000/events=30/learned-k5", needs.Config{Mode: needs.Learned, K: 5}},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, err := needs.New(c.cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Fit(context.Background(), slices.Values(accts)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(accts))*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
		})
	}
}

// BenchmarkProfile computes need profiles of accounts with 30 events each
// one at a time, on all cores, as a request path would.
func BenchmarkProfile(b *testing.B) {
	accts := bench100k()
	s, err := needs.New(needs.Config{})
	if err != nil {
		b.Fatal(err)
	}
	fm, err := s.Fit(context.Background(), slices.Values(accts[:10000]))
	if err != nil {
		b.Fatal(err)
	}
	m := fm.(*needs.Model)
	b.Run("events=30/profile", func(b *testing.B) {
		b.ReportAllocs()
		var mu sync.Mutex
		next := 0
		b.RunParallel(func(pb *testing.PB) {
			mu.Lock()
			i := next * 7919
			next++
			mu.Unlock()
			for pb.Next() {
				if _, err := m.Profile(&accts[i%len(accts)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
	})
	b.Run("events=30/assign", func(b *testing.B) {
		b.ReportAllocs()
		var mu sync.Mutex
		next := 0
		b.RunParallel(func(pb *testing.PB) {
			mu.Lock()
			i := next * 7919
			next++
			mu.Unlock()
			for pb.Next() {
				if _, err := m.Assign(&accts[i%len(accts)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
	})
}

// BenchmarkAssign times one Assign of each mode's model (fitted on 2,000
// generated accounts, the default config otherwise, as the scoring
// service's needs layer is) on a generated customer with its histories
// (account=full: events with texts and topics, survey answers…) and on the
// same account without them (account=lean).
func BenchmarkAssign(b *testing.B) {
	accts := segmenttest.Accounts(2000, 2)
	full := segmenttest.Accounts(1, 2)[0]
	lean := full
	lean.Orders, lean.Subscriptions, lean.Usage, lean.Events, lean.Survey = nil, nil, nil, nil, nil
	for _, mode := range []needs.Mode{needs.Dominant, needs.Learned} {
		s, err := needs.New(needs.Config{Mode: mode})
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
			b.Run("scheme="+mode.String()+"/account="+acc.name, func(b *testing.B) {
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
