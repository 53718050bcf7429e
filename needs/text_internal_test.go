package needs

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
)

// normalizeRef is appendNormalized written plainly, rune by rune: the
// reference the fast paths must agree with.
func normalizeRef(s string) string {
	var b strings.Builder
	space := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		r = unicode.ToLower(r)
		if f, ok := fold[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
		space = false
	}
	return strings.TrimSuffix(b.String(), " ")
}

func TestNormalizeMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "Z", "9", " ", "-", "!", "é", "É", "ß", "Œ", "İ", "Σ", "ǅ", "Ⅻ", "\u00a0", "\u200b", "ﬁ", "\xff", "\xc3", "abcdefgh", "SSO", "  ", "\t\n"}
	for range 2000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		want := normalizeRef(s)
		assert.Equal(t, want, normalize(s), "%q", s)
		// Appending after existing bytes gives the same bytes.
		assert.Equal(t, "x"+want, string(appendNormalized([]byte("x"), s)), "%q", s)
	}
}

func TestWordAtMatchesWordHash(t *testing.T) {
	for _, s := range []string{"a", "ab cd", "abcdefgh", "abcdefgh ij", "abcdefghijklmnop qrstuvwxyz0123456 x", "single sign on", "abcdefg", "abcdefghi", "\xc3\xa9 \xc3\x9f"} {
		text := []byte(s)
		for pos := 0; pos < len(text); {
			end, h := wordAt(text, pos)
			want := pos
			for want < len(text) && text[want] != ' ' {
				want++
			}
			assert.Equal(t, want, end, "%q at %d", s, pos)
			assert.Equal(t, wordHash(text[pos:want]), h, "%q at %d", s, pos)
			pos = end + 1
		}
	}
}
