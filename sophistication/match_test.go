package sophistication

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// refContainsWord is the whole-word search the matcher replaces: kw occurs
// in s with no letter or digit right before or after it.
func refContainsWord(s, kw string) bool {
	if kw == "" {
		return false
	}
	for off := 0; off <= len(s)-len(kw); {
		i := strings.Index(s[off:], kw)
		if i < 0 {
			return false
		}
		i += off
		j := i + len(kw)
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[j:])
		if (i == 0 || !isWordRune(before)) && (j == len(s) || !isWordRune(after)) {
			return true
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		off = i + size
	}
	return false
}

// refClassOf is the first class with a keyword in the lower-cased text.
func refClassOf(classes []class, text string) int {
	lt := strings.ToLower(text)
	return slices.IndexFunc(classes, func(cl class) bool {
		return slices.ContainsFunc(cl.keywords, func(kw string) bool { return refContainsWord(lt, kw) })
	})
}

// matchTables are the default tables plus one with keywords that start or
// end with punctuation, repeat across classes or are not ASCII.
func matchTables() [][]class {
	r := Config{Competitors: []string{"Corvana Suite", "Excel Pro"}, OurProducts: []string{"Northbeam"}}.resolved()
	k := compile(&r)
	odd := []class{
		{name: "a", keywords: []string{".net", "c++", "-x-", "straße", "excel", "ǆ"}},
		{name: "b", keywords: []string{"excel", "google sheets", "e-mail", "'quoted'", "k", "i̇"}},
		{name: "c", keywords: []string{"net", "sheets", "mail", "x", "١٢"}},
	}
	return [][]class{k.tech, k.content, k.tickets, odd}
}

var matchWords = []string{"excel", "Excel Pro", "google", "sheets", "Google Sheets", "e-mail", "email", "mail", ".NET", "net",
	"C++", "c", "x", "-x-", "straße", "STRASSE", "ǅ", "ǆ", "İ", "K", "k", "١٢", "api", "API²", "sso", "how do i", "HOW", "do",
	"getting started", "soc 2", "'quoted'", "corvana suite", "Corvana", "monday.com", "can't find", "2fa", "101"}

var matchSeps = []string{" ", "  ", "-", ".", "/", "_", "'", ",", "é", "ß", "1", "\u00a0", "\u2003", "\xff", "\xe2\x82", "😀", "", "x", "İ"}

func randomText(r *rand.Rand) string {
	var b strings.Builder
	for k := r.IntN(5); k >= 0; k-- {
		if r.IntN(3) == 0 {
			b.WriteString(matchSeps[r.IntN(len(matchSeps))])
		}
		w := matchWords[r.IntN(len(matchWords))]
		if r.IntN(3) == 0 {
			w = strings.ToUpper(w)
		}
		b.WriteString(w)
		if r.IntN(2) == 0 {
			b.WriteString(matchSeps[r.IntN(len(matchSeps))])
		}
	}
	return b.String()
}

func TestMatcherAgreesWithSearch(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, classes := range matchTables() {
		mt := newMatcher(classes)
		for range 5000 {
			s := randomText(r)
			assert.Equal(t, refClassOf(classes, s), mt.classOf(appendLower(nil, s)), "text %q", s)
		}
	}
}

func TestAppendLower(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range []string{"", "A", "HubSpot", "ABCDEFGHIJKLMNOPQRSTUVWXYZ@[`{", "Straße", "ÉXCEL", "İ", "K", "\xff", "ab\xffCD", "ONE TWO THREE FOUR ß"} {
		assert.Equal(t, strings.ToLower(s), string(appendLower([]byte("x"), s)[1:]), "text %q", s)
	}
	for range 5000 {
		s := randomText(r)
		assert.Equal(t, strings.ToLower(s), string(appendLower(nil, s)), "text %q", s)
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.IntN(256))
			if r.IntN(2) == 0 {
				b[i] &= 0x7f
			}
		}
		assert.Equal(t, strings.ToLower(string(b)), string(appendLower(nil, string(b))), "bytes %q", b)
	}
}

func FuzzMatcher(f *testing.F) {
	f.Add("Google Sheets, .NET and C++")
	f.Add("straße İ\xff excel")
	tables := matchTables()
	matchers := make([]matcher, len(tables))
	for i, classes := range tables {
		matchers[i] = newMatcher(classes)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ToLower(s) != string(appendLower(nil, s)) {
			t.Fatalf("appendLower(%q) = %q, strings.ToLower %q", s, appendLower(nil, s), strings.ToLower(s))
		}
		for i, classes := range tables {
			if want, got := refClassOf(classes, s), matchers[i].classOf(appendLower(nil, s)); want != got {
				t.Fatalf("table %d, text %q: class %d, want %d", i, s, got, want)
			}
		}
	})
}
