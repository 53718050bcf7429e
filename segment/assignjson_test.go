package segment

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkShortest asserts that appendShortestF, where it takes f, writes what
// strconv writes.
func checkShortest(t *testing.T, f float64) bool {
	t.Helper()
	got, ok := appendShortestF(nil, f)
	if !ok {
		return true
	}
	want := strconv.AppendFloat(nil, f, 'f', -1, 64)
	if string(want) != string(got) {
		t.Errorf("%v (%#x): got %s, strconv writes %s", f, math.Float64bits(f), got, want)
		return false
	}
	return true
}

func TestAppendShortestF(t *testing.T) {
	for _, f := range []float64{1, 2, 3, 0.5, 0.1, 0.2, 0.3, 0.30000000000000004, 1.0 / 3, 2.0 / 3, 0.1306080270584397,
		8.483549654841509, 6327.74, -0.083333, 0.84375, 1e15, 1e15 + 1, 1<<53 - 1, 1 << 52, 123456789.123456789,
		math.Ldexp(1, -17), math.Ldexp(1, -17) * 1.5, 1e-5, 7.62939453125e-06, 9.5367431640625e-07, 0.001, 0.01,
		4503599627370495.5, 4503599627370497, 1.7976931348623157e308, 5e-324, 1e-7, 0.000123, 99.99, 9.999999999999998} {
		checkShortest(t, f)
		checkShortest(t, -f)
	}
	// Every power of two in range (the gap below is half the one above),
	// and its neighbours.
	for e := -17; e <= 52; e++ {
		p := math.Ldexp(1, e)
		for _, f := range []float64{p, math.Nextafter(p, 0), math.Nextafter(p, math.Inf(1))} {
			checkShortest(t, f)
		}
	}
	n := 300_000
	if os.Getenv("STRATA_HEAVY") != "" {
		n = 30_000_000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	taken := 0
	for i := range n {
		var f float64
		switch i % 4 {
		case 0: // any bits in range
			f = math.Float64frombits(rng.Uint64()&(1<<52-1) | uint64(1075-69+rng.IntN(70))<<52)
		case 1: // a probability
			f = rng.Float64()
		case 2: // a short decimal, as amounts and rounded scores are
			f, _ = strconv.ParseFloat(strconv.FormatFloat(rng.Float64()*math.Pow10(rng.IntN(12)), 'f', rng.IntN(6), 64), 64)
		case 3: // a ratio of small integers
			f = float64(rng.IntN(1000)+1) / float64(rng.IntN(1000)+1)
		}
		if _, ok := appendShortestF(nil, f); ok {
			taken++
		}
		if !checkShortest(t, f) {
			break
		}
	}
	assert.Greater(t, taken, n*9/10, "appendShortestF takes most of these")
}

// appendJSONFloat writes what encoding/json writes, in and out of
// appendShortestF's range.
func TestAppendJSONFloat(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 1e-6, 9.99e-7, 1e-7, 1.5e-10, 1e20, 1e21, 1.5e300,
		5e-324, math.MaxFloat64, 0.1306080270584397, -0.47958265831818764, 123456789012345680000, 1 << 53, 1<<53 + 2} {
		want, err := json.Marshal(f)
		require.NoError(t, err)
		got, ok := appendJSONFloat(nil, f)
		require.True(t, ok)
		assert.Equal(t, string(want), string(got), "%v", f)
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, ok := appendJSONFloat(nil, f)
		assert.False(t, ok, "%v", f)
	}
}

func TestFormatDigits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, d := range []uint64{0, 1, 9, 10, 99, 100, 12345678, 99999999, 100000000, 100000001, 1234567890123456,
		9999999999999999, 10000000000000000, 99999999999999999, 999999999999999999} {
		var buf [24]byte
		assert.Equal(t, strconv.FormatUint(d, 10), string(formatDigits(&buf, d)))
	}
	for range 100_000 {
		d := rng.Uint64N(1e18)
		var buf [24]byte
		if got := string(formatDigits(&buf, d)); got != strconv.FormatUint(d, 10) {
			t.Fatalf("%d: got %s", d, got)
		}
	}
}

// appendJSONString escapes as encoding/json does, whatever the length and
// wherever the byte to escape is.
func TestAppendJSONString(t *testing.T) {
	specials := []string{"", "\"", "\\", "<", ">", "&", "\x00", "\x1f", "\x7f", "\n", "\t", "\b", "\f", "\r", "\u2028", "\u2029",
		"\xff", "é", "€", "😀", "\xe2\x80", "\xed\xa0\x80", "\xc0\xaf", "\ufffd"}
	for n := range 20 {
		for pos := 0; pos <= n; pos++ {
			for _, sp := range specials {
				s := strings.Repeat("a", pos) + sp + strings.Repeat("b", n-pos)
				want, err := json.Marshal(s)
				require.NoError(t, err)
				if got := appendJSONString(nil, s); string(got) != string(want) {
					t.Fatalf("%q: got %s, encoding/json writes %s", s, got, want)
				}
			}
		}
	}
}
