package main

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAppendScore checks appendScore against strconv on scores of every
// kind: random ones, exact ties at the fifth decimal, the neighbours of
// each tie, tiny and subnormal values, and the edges of the fast path.
func TestAppendScore(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), -0.5, 1, 0.5, 0.03125, 0.00005, 0.00015, 0.99995, 9999.99995, 1e9, 1e9 - 1e-6,
		math.Nextafter(1e9, 0), 5e-324, 1e-300, math.SmallestNonzeroFloat64 * 3, 4.9e-5, 5.0000001e-5, math.NaN(), math.Inf(1),
		math.Inf(-1), 123456789.00005, 0.1, 0.2, 0.3, 2.5e-5, 7.5e-5}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50_000 {
		vals = append(vals, rng.Float64(), rng.Float64()*1000, math.Float64frombits(rng.Uint64()>>2))
	}
	// Decimals of five digits ending in 5, and their neighbours: half of
	// them are exact ties in binary (k/32, k/2^n).
	for k := range 50_000 {
		x := (float64(k) + 0.5) / 1e4
		vals = append(vals, x, math.Nextafter(x, 0), math.Nextafter(x, 2), float64(k)/32, float64(k)/1024)
	}
	for _, v := range vals {
		want := strconv.FormatFloat(v, 'f', 4, 64)
		if got := string(appendScore(nil, v)); got != want {
			assert.Equal(t, want, got, "%b (%g)", v, v)
			return
		}
	}
}

// TestNeedsQuotes checks appendField against encoding/csv's quoting.
func TestNeedsQuotes(t *testing.T) {
	fields := []string{"", "plain", "a,b", `say "hi"`, "line\nbreak", "cr\rhere", " lead", "\tTab", "\u00a0nbsp", "\u2003em",
		`\.`, `\.x`, "trail ", "Müller", "x;y", "\u0085next", "a\vb", "\fform"}
	for _, comma := range []rune{',', ';', '\t'} {
		for _, f := range fields {
			var b strings.Builder
			w := csv.NewWriter(&b)
			w.Comma = comma
			_ = w.Write([]string{f, "z"})
			w.Flush()
			want := strings.TrimSuffix(b.String(), string(comma)+"z\n")
			assert.Equal(t, want, string(appendField(nil, f, byte(comma))), "field %q, comma %q", f, comma)
		}
	}
}
