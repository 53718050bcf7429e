package behavior

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// The texts Assign writes with strconv, against fmt's verbs, which wrote
// them before.
func TestFormatMatchesFmt(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	vals := []float64{0, math.Copysign(0, -1), 0.05, -0.05, 0.049999, 0.25, 0.35, 0.45, 2.5, -2.5, 9.95, 9.949999,
		-9.95, 10, 99.5, 999.5, 1000, 1234.5, 999999.5, -1234567.49, 1e21, -1e21, 1e300, math.MaxFloat64,
		math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1), math.Inf(-1), 0.999, -0.999, 1, -1, 3, 12.0}
	for range 2000 {
		vals = append(vals, (r.Float64()-0.5)*math.Pow(10, float64(r.IntN(12)-3)), float64(r.IntN(20000)-10000)/8)
	}
	// Ties and near-ties at every precision: k/2, k/20, k/200 and their
	// neighbours one ulp away.
	for k := -700; k <= 700; k++ {
		for _, d := range []float64{2, 20, 200, 2000} {
			v := float64(k) / d
			vals = append(vals, v, math.Nextafter(v, math.Inf(1)), math.Nextafter(v, math.Inf(-1)))
		}
	}
	for _, e := range []float64{1 << 39, 1 << 40, 1 << 41, 1e12, 1e13, 1e15} {
		vals = append(vals, e, e+0.5, e-0.5, e/100+0.005, -e)
	}
	for _, v := range vals {
		for _, prec := range []int{0, 1, 2} {
			assert.Equal(t, fmt.Sprintf("%.*f", prec, v), string(appendF(nil, v, prec)), "%%.%df of %v", prec, v)
			assert.Equal(t, fmt.Sprintf("%+.*f", prec, v), string(appendSigned([]byte("x"), v, prec))[1:], "%%+.%df of %v", prec, v)
		}
		assert.Equal(t, fmtNum(v), string(appendNum(nil, v)), "num %v", v)
		assert.Equal(t, fmtChange(v), string(appendChange(nil, v)), "change %v", v)
	}
}

// fmtNum and fmtChange are num and change as they were written with fmt.
func fmtNum(v float64) string {
	if math.Abs(v) < 10 && v != math.Trunc(v) {
		return fmt.Sprintf("%.1f", v)
	}
	s := fmt.Sprintf("%.0f", math.Abs(v))
	var b strings.Builder
	if v < 0 && s != "0" {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func fmtChange(s float64) string {
	switch {
	case s >= 1:
		return "started"
	case s <= -1:
		return "stopped (−100%)"
	}
	return fmt.Sprintf("%+.0f%%", 100*2*s/(1-s))
}

// topN gives the first n of a stable sort by decreasing magnitude.
func TestTopNStable(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		n := 1 + r.IntN(3)
		mags := make([]float64, r.IntN(25))
		for i := range mags {
			mags[i] = float64(r.IntN(6)) // many ties
		}
		var top topN
		for j, a := range mags {
			top.add(j, a, n)
		}
		idx := make([]int, len(mags))
		for j := range idx {
			idx[j] = j
		}
		slices.SortStableFunc(idx, func(p, q int) int { return cmp.Compare(mags[q], mags[p]) })
		want := idx[:min(n, len(idx))]
		assert.Equal(t, want, append([]int{}, top.idx[:top.n]...), "mags %v n %d", mags, n)
	}
}

// The cutoffs make the same comparisons as the floats of featuresRef.
func TestCutoffs(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, o := range []Options{{}, {WindowDays: 180, TrendDays: 60, SlopeMonths: 6}, {WindowDays: 36600, TrendDays: 18300, SlopeMonths: 36}, {WindowDays: 7, TrendDays: 3, SlopeMonths: 3}} {
		k := newCutoffs(&o)
		window, trend := float64(o.windowDays()), float64(o.trendDays())
		check := func(d time.Duration) {
			ago := days(d)
			require.Equal(t, ago < window, d < k.window, "window at %d", d)
			require.Equal(t, ago < trend, d < k.trend, "trend at %d", d)
			require.Equal(t, ago < 2*trend, d < k.trend2, "2×trend at %d", d)
			require.Equal(t, min(int(ago/month), k.slopeMonths), k.bucket(d), "bucket at %d", d)
		}
		cuts := []time.Duration{k.window, k.trend, k.trend2}
		for b := 1; b <= k.slopeMonths; b++ {
			cuts = append(cuts, k.month[b])
		}
		for _, c := range cuts {
			for dd := -100; dd <= 100; dd++ {
				if d := c + time.Duration(dd); d >= 0 {
					check(d)
				}
			}
		}
		for range 3000 {
			check(time.Duration(r.Int64N(int64(2 * k.window))))
		}
		check(clockRange * time.Second)
	}
}

// fastFeatures gives featuresRef's Vector (and line and channel sums), bit
// for bit, on generated accounts read at several as-of dates and windows,
// and falls back where it cannot.
func TestFastFeaturesMatchRef(t *testing.T) {
	accts := goldenAccounts()
	latest := time.Time{}
	for i := range accts {
		if l := latestRecord(&accts[i]); l.After(latest) {
			latest = l
		}
	}
	// Records exactly at the as-of date, a nanosecond either side, and far
	// outside the clock's range.
	odd := accts[0]
	odd.Orders = slices.Clone(odd.Orders)
	odd.Usage = slices.Clone(odd.Usage)
	odd.Events = slices.Clone(odd.Events)
	odd.Orders = append(odd.Orders, segment.Order{Time: latest, Amount: 5, ProductLine: "Platform"}, segment.Order{Time: latest.Add(time.Nanosecond), Amount: 7})
	odd.Usage = append(odd.Usage, segment.Usage{Time: latest.Add(-time.Nanosecond), Metric: segment.MetricLogins, Value: 3})
	for i := range 40 { // more features than fastFeatures keeps in an array, each twice
		odd.Usage = append(odd.Usage, segment.Usage{Time: latest.AddDate(0, 0, -i), Metric: fmt.Sprintf("feature:f%d", i%20), Value: 1})
	}
	far := odd
	far.Events = append(far.Events, segment.Event{Time: latest.AddDate(-200, 0, 0), Kind: segment.EventEmail, Channel: "email"})
	accts = append(accts, odd, far)
	lines := []string{"Platform", "Add-ons", "Training", "none"}
	chans := []string{"web", "email", "phone"}
	fell := 0
	for _, o := range []Options{
		{AsOf: latest, KnownFeatures: 5},
		{AsOf: latest.AddDate(0, -5, -3).Add(1234567 * time.Nanosecond), WindowDays: 180, TrendDays: 60, SlopeMonths: 6},
		{AsOf: latest.AddDate(-1, 0, 0), PremiumLines: []string{"Platform"}, SlopeMonths: 36, KnownFeatures: 2},
		{AsOf: latest.In(time.FixedZone("x", 3600)), LinePrices: map[string]float64{"Platform": 100, "Add-ons": 10}},
	} {
		k := newCutoffs(&o)
		c, ok := newClock(o.AsOf)
		require.True(t, ok)
		for i := range accts {
			a := &accts[i]
			var want, got Vector
			ex := newExtras()
			featuresRef(a, o.AsOf, &o, &want, ex)
			x := slotSums{lines: lines, chans: chans, lineSum: make([]float64, len(lines)), chanSum: make([]float64, len(chans))}
			var us usageScan
			if !fastFeatures(a, c, k, &o, &got, &x, &us) {
				fell++
				continue
			}
			for f := range NumFeatures {
				wv, wok := want[f].Get()
				gv, gok := got[f].Get()
				assert.Equal(t, wok, gok, "%s %s", a.ID, Feature(f))
				assert.Equal(t, math.Float64bits(wv), math.Float64bits(gv), "%s %s: %v, want %v", a.ID, Feature(f), gv, wv)
			}
			for j, l := range lines {
				assert.Equal(t, math.Float64bits(ex.lines[l]), math.Float64bits(x.lineSum[j]), "%s line %s", a.ID, l)
			}
			for j, ch := range chans {
				assert.Equal(t, math.Float64bits(ex.channels[ch]), math.Float64bits(x.chanSum[j]), "%s channel %s", a.ID, ch)
			}
			// features, through the fast path or not, agrees too.
			var v Vector
			features(a, o.AsOf, &o, &v, nil, k)
			assert.Equal(t, want, v, a.ID)
		}
	}
	assert.Equal(t, 4, fell, "only the account with a record 200 years back falls back")
	_, ok := newClock(time.Now())
	assert.False(t, ok, "a monotonic reading")
	_, ok = newClock(time.Time{})
	assert.False(t, ok, "the zero time")
}

// A Model decoded with encoding/json alone, without DecodeModel's
// precomputation, assigns the same; so does one whose windows were changed
// after Fit.
func TestAssignWithoutPrep(t *testing.T) {
	accts := segmenttest.Accounts(200, 4)
	for _, c := range []Config{{Seed: 1}, {Scheme: Clusters, K: 3, Seed: 1}, {Scheme: Drivers, Churn: ChurnHealth}} {
		m := fitModel(t, c, accts)
		bare := *m
		bare.pre = nil
		for i := range accts {
			want, err := m.Assign(&accts[i])
			require.NoError(t, err)
			got, err := bare.Assign(&accts[i])
			require.NoError(t, err)
			assert.Equal(t, want, got)
		}
		changed, bareChanged := *m, bare
		changed.Options.WindowDays, bareChanged.Options.WindowDays = 200, 200
		differ := 0
		for i := range accts {
			want, err := bareChanged.Assign(&accts[i])
			require.NoError(t, err)
			got, err := changed.Assign(&accts[i])
			require.NoError(t, err)
			assert.Equal(t, want, got)
			if before, _ := m.Assign(&accts[i]); !assert.ObjectsAreEqual(before, got) {
				differ++
			}
		}
		assert.Positive(t, differ, "the window changes some assignments")
	}
}
