package segmenttest_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func TestGenerateDeterministic(t *testing.T) {
	a := segmenttest.Accounts(300, 7)
	b := segmenttest.Accounts(300, 7)
	require.Len(t, a, 300)
	assert.Equal(t, a, b, "same seed, same accounts")

	prefix := segmenttest.Accounts(50, 7)
	assert.Equal(t, a[:50], prefix, "a smaller n gives a prefix")

	c := segmenttest.Accounts(300, 8)
	same := 0
	for i := range a {
		if a[i].Name == c[i].Name && a[i].Employees == c[i].Employees {
			same++
		}
	}
	assert.Less(t, same, 10, "another seed gives other accounts")

	assert.Nil(t, segmenttest.Accounts(0, 1), "n = 0")
	assert.Nil(t, segmenttest.Accounts(-3, 1), "n < 0")
}

func TestGenerateValid(t *testing.T) {
	accts, truth := segmenttest.Generate(segmenttest.GenConfig{N: 3000, Seed: 1})
	require.Len(t, truth, len(accts))
	ref := segmenttest.Reference
	start := ref.AddDate(0, -24, 0)
	ids := map[string]bool{}
	for i := range accts {
		a := &accts[i]
		require.NoError(t, a.Validate(), "account %d", i)
		assert.False(t, ids[a.ID], "duplicate id %s", a.ID)
		ids[a.ID] = true
		for _, o := range a.Orders {
			assert.False(t, o.Time.Before(start) || o.Time.After(ref), "%s: order at %v outside the window", a.ID, o.Time)
		}
		for _, u := range a.Usage {
			assert.False(t, u.Time.Before(start) || u.Time.After(ref), "%s: usage at %v outside the window", a.ID, u.Time)
		}
		for _, e := range a.Events {
			assert.False(t, e.Time.Before(start) || e.Time.After(ref), "%s: event at %v outside the window", a.ID, e.Time)
		}
		for q, v := range a.Survey {
			if q == segmenttest.QuestionNPS {
				assert.True(t, v >= 0 && v <= 10, "%s: nps %v", a.ID, v)
			} else {
				assert.True(t, v >= 1 && v <= 5, "%s: %s %v", a.ID, q, v)
			}
		}
		switch a.Stage {
		case segment.Customer:
			assert.Equal(t, segment.No, a.Churned, a.ID)
			assert.Equal(t, segment.Yes, a.Converted, a.ID)
		case segment.Churned:
			assert.Equal(t, segment.Yes, a.Churned, a.ID)
			assert.Equal(t, segment.Yes, a.Converted, a.ID)
		default:
			assert.Equal(t, segment.Unset, a.Churned, a.ID)
			assert.NotEqual(t, segment.Yes, a.Converted, a.ID)
		}
	}
}

func TestGenerateJSONRoundTrip(t *testing.T) {
	accts := segmenttest.Accounts(200, 3)
	for i := range accts {
		b, err := json.Marshal(&accts[i])
		require.NoError(t, err, accts[i].ID)
		var back segment.Account
		require.NoError(t, json.Unmarshal(b, &back), accts[i].ID)
		assert.Equal(t, accts[i], back, accts[i].ID)
	}
}

func TestGenerateBlanks(t *testing.T) {
	accts := segmenttest.Accounts(5000, 2)
	var emp, rev, growth, country int
	for _, a := range accts {
		if !a.Employees.Known() {
			emp++
		}
		if !a.Revenue.Known() {
			rev++
		}
		if !a.Growth.Known() {
			growth++
		}
		if a.Country == "" {
			country++
		}
	}
	n := float64(len(accts))
	assert.InDelta(t, 0.08, float64(emp)/n, 0.02, "employees unknown")
	assert.InDelta(t, 0.15, float64(rev)/n, 0.02, "revenue unknown")
	assert.InDelta(t, 0.30, float64(growth)/n, 0.03, "growth unknown")
	assert.InDelta(t, 0.04, float64(country)/n, 0.015, "country unknown")

	full, _ := segmenttest.Generate(segmenttest.GenConfig{N: 1000, Seed: 2, Complete: true})
	for _, a := range full {
		assert.True(t, a.Employees.Known() && a.Revenue.Known() && a.Growth.Known(), "%s has a blank number", a.ID)
		assert.True(t, a.Country != "" && a.Industry != "" && a.NAICS != "" && a.Founded != 0, "%s has a blank field", a.ID)
	}
}

// The planted relations can be seen in the accounts themselves.
func TestGeneratePlanted(t *testing.T) {
	accts, truth := segmenttest.Generate(segmenttest.GenConfig{N: 20000, Seed: 5})

	// Revenue and employees correlate on logs.
	var xs, ys []float64
	for _, a := range accts {
		e, ok1 := a.Employees.Get()
		r, ok2 := a.Revenue.Get()
		if ok1 && ok2 && e > 0 && r > 0 {
			xs = append(xs, math.Log(e))
			ys = append(ys, math.Log(r))
		}
	}
	assert.Greater(t, corr(xs, ys), 0.8, "log employees vs log revenue")

	// Conversion falls with the lead grade.
	var conv, known [4]float64
	for _, a := range accts {
		if !a.Converted.Known() || a.LeadGrade == "" {
			continue
		}
		g := a.LeadGrade[0] - 'A'
		known[g]++
		if a.Converted == segment.Yes {
			conv[g]++
		}
	}
	for g := 1; g < 4; g++ {
		assert.Greater(t, conv[g-1]/known[g-1], conv[g]/known[g]+0.05, "conversion of grade %c vs %c", 'A'+g-1, 'A'+g)
	}

	// Churned accounts' seats used fell more than the others'.
	var churnSlope, staySlope, nChurn, nStay float64
	var churnTrend, stayTrend float64
	for i, a := range accts {
		if !a.Churned.Known() {
			continue
		}
		first, last, ok := seatsUsedEnds(a)
		if a.Churned == segment.Yes {
			churnTrend += truth[i].Trend
			if ok {
				churnSlope += math.Log((last + 1) / (first + 1))
				nChurn++
			}
		} else {
			stayTrend += truth[i].Trend
			if ok {
				staySlope += math.Log((last + 1) / (first + 1))
				nStay++
			}
		}
	}
	require.Greater(t, nChurn, 100.0)
	require.Greater(t, nStay, 100.0)
	assert.Less(t, churnSlope/nChurn, staySlope/nStay-0.1, "usage change of churned vs retained")
	assert.Less(t, churnTrend, 0.0, "planted trend of churned accounts")
	assert.Greater(t, stayTrend, 0.0, "planted trend of retained accounts")

	// Survey importance is highest for the planted need.
	qs := []string{segmenttest.QuestionSecurity, segmenttest.QuestionIntegration, segmenttest.QuestionCost, segmenttest.QuestionEaseOfUse}
	for q, id := range qs {
		var own, other, nOwn, nOther float64
		for i, a := range accts {
			v, ok := a.Survey[id]
			if !ok {
				continue
			}
			if truth[i].Need == q {
				own += v
				nOwn++
			} else {
				other += v
				nOther++
			}
		}
		assert.Greater(t, own/nOwn, other/nOther+1, "importance of %s", segmenttest.Needs[q])
	}

	// Larger accounts are more sophisticated.
	var small, large, nSmall, nLarge float64
	for i := range accts {
		if truth[i].Employees < 50 {
			small += float64(truth[i].Sophistication)
			nSmall++
		} else if truth[i].Employees >= 1000 {
			large += float64(truth[i].Sophistication)
			nLarge++
		}
	}
	assert.Greater(t, large/nLarge, small/nSmall+0.8, "sophistication of large vs small accounts")
}

func seatsUsedEnds(a segment.Account) (first, last float64, ok bool) {
	var vals []float64
	for _, u := range a.Usage {
		if u.Metric == segment.MetricSeatsUsed {
			vals = append(vals, u.Value)
		}
	}
	if len(vals) < 4 {
		return 0, 0, false
	}
	return vals[0], vals[len(vals)-1], true
}

func corr(x, y []float64) float64 {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				segmenttest.Accounts(n, 1)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
		})
	}
}

func TestGenerateWindow(t *testing.T) {
	ref := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	accts, _ := segmenttest.Generate(segmenttest.GenConfig{N: 1000, Seed: 4, Reference: ref, Months: 6})
	start := ref.AddDate(0, -6, 0)
	records := 0
	for _, a := range accts {
		require.NoError(t, a.Validate(), a.ID)
		for _, o := range a.Orders {
			records++
			assert.False(t, o.Time.Before(start) || o.Time.After(ref), "%s: order at %v", a.ID, o.Time)
		}
		for _, u := range a.Usage {
			records++
			assert.False(t, u.Time.Before(start) || u.Time.After(ref), "%s: usage at %v", a.ID, u.Time)
		}
		for _, e := range a.Events {
			records++
			assert.False(t, e.Time.Before(start) || e.Time.After(ref), "%s: event at %v", a.ID, e.Time)
		}
	}
	assert.Greater(t, records, 1000, "a 6-month window still has records")
}

func ExampleAccounts() {
	accts := segmenttest.Accounts(1000, 42)
	a := accts[0]
	fmt.Println(a.ID, a.Name, "|", a.Industry, a.NAICS, "|", a.Employees, "employees |", a.Country, a.City, "|", a.Stage)
	stages := map[segment.Lifecycle]int{}
	for _, a := range accts {
		stages[a.Stage]++
	}
	fmt.Println("leads", stages[segment.Lead], "opportunities", stages[segment.Opportunity],
		"customers", stages[segment.Customer], "churned", stages[segment.Churned])
	// Output:
	// A-000001 Pioneer Partners Inc. | Professional Services 541611 | 48 employees | US Detroit | lead
	// leads 677 opportunities 14 customers 246 churned 63
}

func ExampleGenerate() {
	accts, truth := segmenttest.Generate(segmenttest.GenConfig{N: 2000, Seed: 7})
	// The planted need shows in the survey: accounts whose need is security
	// rate its importance higher than the others do.
	var sum, n [2]float64
	for i, a := range accts {
		if v, ok := a.Survey[segmenttest.QuestionSecurity]; ok {
			k := 0
			if segmenttest.Needs[truth[i].Need] == "security" {
				k = 1
			}
			sum[k] += v
			n[k]++
		}
	}
	fmt.Printf("importance of security: %.1f where it is the need, %.1f elsewhere\n", sum[1]/n[1], sum[0]/n[0])
	// Output:
	// importance of security: 4.3 where it is the need, 2.6 elsewhere
}
