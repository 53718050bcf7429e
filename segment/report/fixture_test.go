package report_test

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
	"github.com/stretchr/testify/require"
)

// netOrders is an account's order value net of returns.
func netOrders(a *segment.Account) float64 {
	var v float64
	for _, o := range a.Orders {
		if o.Return {
			v -= o.Amount
		} else {
			v += o.Amount
		}
	}
	return v
}

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func count(a *segment.Account, kind string) int {
	n := 0
	for _, e := range a.Events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// rules returns a rule segmenter or fails the test.
func rules(t testing.TB, method string, ids []string, f segment.AssignFunc) segment.Segmenter {
	segs := make([]segment.Segment, len(ids))
	for i, id := range ids {
		segs[i] = segment.Segment{ID: method + "/" + id, Name: id}
	}
	r, err := segment.NewRules(method, segs, f)
	require.NoError(t, err)
	return r
}

func firmographic(t testing.TB, enterprise float64) segment.Segmenter {
	return rules(t, "firmographic", []string{"Small", "Mid-market", "Enterprise", "Unknown size"}, func(a *segment.Account) (segment.Assignment, error) {
		id := "Unknown size"
		if e, ok := a.Employees.Get(); ok {
			switch {
			case e >= enterprise:
				id = "Enterprise"
			case e >= 50:
				id = "Mid-market"
			default:
				id = "Small"
			}
		}
		return segment.Assignment{Segment: segment.Segment{ID: "firmographic/" + id}, Score: 1}, nil
	})
}

// layered returns the stand-ins of the tier, propensity and behavior
// methods: rules that put the scores those methods carry ("value",
// "p_convert", "churn_risk" and "expansion") in their assignments.
func layered(t testing.TB) segment.Segmenter {
	tier := rules(t, "tier", []string{"A", "B", "C"}, func(a *segment.Account) (segment.Assignment, error) {
		v := netOrders(a)
		id := "C"
		switch {
		case v >= 200000:
			id = "A"
		case v >= 20000:
			id = "B"
		}
		return segment.Assignment{Segment: segment.Segment{ID: "tier/" + id}, Score: 0.5, Scores: map[string]float64{"value": v}}, nil
	})
	propensity := rules(t, "propensity", []string{"Hot", "Warm", "Cold"}, func(a *segment.Account) (segment.Assignment, error) {
		e := float64(len(a.Events))
		p := logistic(-2.5 + 0.25*e + 0.6*math.Log1p(a.Employees.Or(0))/3)
		id := "Cold"
		switch {
		case p >= 0.6:
			id = "Hot"
		case p >= 0.3:
			id = "Warm"
		}
		return segment.Assignment{Segment: segment.Segment{ID: "propensity/" + id}, Score: p, Scores: map[string]float64{"p_convert": p}}, nil
	})
	behavior := rules(t, "behavior", []string{"At risk", "Expanding", "Steady"}, func(a *segment.Account) (segment.Assignment, error) {
		churn := logistic(-1 + 0.5*float64(count(a, segment.EventTicket)) - 0.08*float64(len(a.Usage)))
		exp := 1 - math.Exp(-float64(len(a.Orders))/6)
		id := "Steady"
		switch {
		case churn >= 0.5:
			id = "At risk"
		case exp >= 0.5:
			id = "Expanding"
		}
		return segment.Assignment{Segment: segment.Segment{ID: "behavior/" + id}, Score: 1, Scores: map[string]float64{"churn_risk": churn, "expansion": exp}}, nil
	})
	return segment.Layer(firmographic(t, 1000), tier, propensity, behavior)
}

// sample is the shared sample data with a layered segmentation and the
// comparison of two firmographic runs.
type sample struct {
	accts   []segment.Account
	assigns []segment.Assignment
	cmp     *segment.Comparison
}

func assignAll(t testing.TB, s segment.Segmenter, accts []segment.Account) []segment.Assignment {
	m, err := s.Fit(context.Background(), slices.Values(accts))
	require.NoError(t, err)
	res, err := segment.AssignAll(context.Background(), m, slices.Values(accts), 0)
	require.NoError(t, err)
	return res.Assignments
}

var (
	samplesMu sync.Mutex
	samples   = map[int]sample{}
)

// newSample returns the sample of n accounts, made once per n; callers
// must not change it.
func newSample(t testing.TB, n int) sample {
	samplesMu.Lock()
	defer samplesMu.Unlock()
	if s, ok := samples[n]; ok {
		return s
	}
	s := makeSample(t, n)
	samples[n] = s
	return s
}

func makeSample(t testing.TB, n int) sample {
	accts := segmenttest.Accounts(n, 7)
	s := sample{accts: accts, assigns: assignAll(t, layered(t), accts)}
	before := assignAll(t, firmographic(t, 1000), accts)
	after := assignAll(t, firmographic(t, 500), accts)
	var err error
	s.cmp, err = segment.Compare(before, after)
	require.NoError(t, err)
	return s
}

// expectedCounts returns, per layer name, the number of accounts in each
// segment ID.
func expectedCounts(as []segment.Assignment) map[string]map[string]int {
	out := map[string]map[string]int{}
	add := func(layer, id string) {
		if out[layer] == nil {
			out[layer] = map[string]int{}
		}
		out[layer][id]++
	}
	for _, a := range as {
		add("composite", a.Segment.ID)
		for _, p := range a.Parts {
			add(p.Segment.Method, p.Segment.ID)
		}
	}
	return out
}
