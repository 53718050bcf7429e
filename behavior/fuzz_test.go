package behavior

import (
	"context"
	"encoding/binary"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

var fuzzModels = sync.OnceValue(func() []*Model {
	accts := segmenttest.Accounts(300, 11)
	var out []*Model
	for _, c := range []Config{{Churn: ChurnHealth}, {Churn: ChurnLearned, Seed: 1, Scheme: RFM}, {Scheme: Drivers}, {Scheme: Clusters, K: 3}} {
		s, err := New(c)
		if err != nil {
			panic(err)
		}
		m, err := s.Fit(context.Background(), slices.Values(accts))
		if err != nil {
			panic(err)
		}
		out = append(out, m.(*Model))
	}
	return out
})

// FuzzAssign builds accounts from arbitrary bytes (any times, amounts,
// metrics, including NaN and ±Inf) and checks that every scheme answers
// with an error or with scores in [0, 1], never a panic.
func FuzzAssign(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18})
	f.Add(binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.NaN())))
	f.Add(binary.LittleEndian.AppendUint64(make([]byte, 9), math.Float64bits(math.Inf(1))))
	f.Fuzz(func(t *testing.T, data []byte) {
		a := segment.Account{ID: "fuzz"}
		base := segmenttest.Reference
		for len(data) >= 9 {
			kind, v := data[0], math.Float64frombits(binary.LittleEndian.Uint64(data[1:9]))
			data = data[9:]
			at := base.Add(-time.Duration(int64(kind)*37) * time.Hour)
			switch kind % 5 {
			case 0:
				a.Orders = append(a.Orders, segment.Order{Time: at, Amount: v, Quantity: float64(kind % 7), Discount: math.Abs(v) / 3, Return: kind%2 == 1, ProductLine: "Platform"})
			case 1:
				a.Usage = append(a.Usage, segment.Usage{Time: at, Metric: segment.MetricSeatsUsed, Value: v})
			case 2:
				a.Usage = append(a.Usage, segment.Usage{Time: at, Metric: "feature:x", Value: v})
			case 3:
				a.Subscriptions = append(a.Subscriptions, segment.Subscription{Start: at, Monthly: v, Seats: int(kind)})
			case 4:
				a.Events = append(a.Events, segment.Event{Time: at, Kind: segment.EventTicket, Channel: "email"})
			}
		}
		for _, m := range fuzzModels() {
			as, err := m.Assign(&a)
			if err != nil {
				continue
			}
			if !(as.Score >= 0 && as.Score <= 1) {
				t.Fatalf("%v: score %v", m.Config.Scheme, as.Score)
			}
			for k, s := range as.Scores {
				if math.IsNaN(s) || math.IsInf(s, 0) {
					t.Fatalf("%v: Scores[%s] = %v", m.Config.Scheme, k, s)
				}
			}
			for _, k := range []string{"churn_risk", "expansion"} {
				if s := as.Scores[k]; s < 0 || s > 1 {
					t.Fatalf("%v: %s = %v", m.Config.Scheme, k, s)
				}
			}
		}
	})
}
