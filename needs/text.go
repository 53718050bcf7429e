package needs

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fold maps the accented Latin letters of the languages strata's users
// write in to their base letters, after lower-casing, so that "Sécurité"
// matches "securite" and "Präsentation" matches "prasentation".
var fold = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ą': "a",
	'ç': "c", 'ć': "c", 'č': "c",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ę': "e", 'ě': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i",
	'ł': "l", 'ñ': "n", 'ń': "n", 'ň': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ő': "o",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ů': "u", 'ű': "u",
	'ý': "y", 'ÿ': "y", 'ś': "s", 'š': "s", 'ź': "z", 'ż': "z", 'ž': "z", 'ř': "r",
	'ß': "ss", 'œ': "oe", 'æ': "ae",
}

// normalize lower-cases s, folds accents and replaces every run of
// characters that are not letters or digits with one space, trimming the
// ends: "Single Sign-On!" becomes "single sign on".
func normalize(s string) string { return string(appendNormalized(nil, s)) }

// appendNormalized appends the normalized form of s to dst. ASCII text is
// handled without a map lookup.
func appendNormalized(dst []byte, s string) []byte {
	start := len(dst)
	space := true // at start: drop leading separators
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				dst = append(dst, c)
				space = false
			case 'A' <= c && c <= 'Z':
				dst = append(dst, c+'a'-'A')
				space = false
			default:
				if !space {
					dst = append(dst, ' ')
					space = true
				}
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			if !space {
				dst = append(dst, ' ')
				space = true
			}
			continue
		}
		r = unicode.ToLower(r)
		if f, ok := fold[r]; ok {
			dst = append(dst, f...)
		} else {
			dst = utf8.AppendRune(dst, r)
		}
		space = false
	}
	if len(dst) > start && dst[len(dst)-1] == ' ' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// keyword is one compiled keyword of one need.
type keyword struct {
	need   int
	text   string   // normalized, "*" kept: the key of the IDF table
	tokens []string // normalized words
	prefix bool     // the last word matches as a prefix
	raw    string   // as the taxonomy writes it, without "*", for reasons
}

// matcher finds the keywords of a taxonomy in text.
type matcher struct {
	kws []keyword
	// words holds each word that starts a keyword: a first word matched
	// exactly (phrases, and single words without "*"), or the prefix of a
	// single-word prefix keyword; slots is an open-addressing hash table
	// (FNV-1a, linear probing) of indices into words, plus one, 0 for an
	// empty slot.
	words []word
	slots []int32
	// prefixLens lists the prefix lengths in use, ascending.
	prefixLens []int
	// starts marks the first two bytes of every prefix (by b0<<8|b1;
	// a one-byte prefix marks all 256 second bytes), so that most words
	// skip the prefix look-ups.
	starts [1 << 16 / 64]uint64
}

// word is a key of the matcher's table.
type word struct {
	hash  uint64
	key   string
	exact []int32 // keywords whose first word is key, matched exactly
	pre   []int32 // single-word prefix keywords whose prefix is key
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// lookup returns the word of key b whose hash is h, or nil.
func (m *matcher) lookup(b []byte, h uint64) *word {
	mask := uint64(len(m.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		e := m.slots[i]
		if e == 0 {
			return nil
		}
		if w := &m.words[e-1]; w.hash == h && w.key == string(b) {
			return w
		}
	}
}

// entry returns the word of key k, adding it if needed.
func (m *matcher) entry(k string) *word {
	h := fnv([]byte(k))
	if w := m.lookup([]byte(k), h); w != nil {
		return w
	}
	m.words = append(m.words, word{hash: h, key: k})
	mask := uint64(len(m.slots) - 1)
	i := h & mask
	for m.slots[i] != 0 {
		i = (i + 1) & mask
	}
	m.slots[i] = int32(len(m.words))
	return &m.words[len(m.words)-1]
}

func (m *matcher) markStart(p string) {
	if len(p) == 1 {
		for b := range 256 {
			i := int(p[0])<<8 | b
			m.starts[i/64] |= 1 << (i % 64)
		}
		return
	}
	i := int(p[0])<<8 | int(p[1])
	m.starts[i/64] |= 1 << (i % 64)
}

func (m *matcher) mayStart(w []byte) bool {
	if len(w) < 2 {
		return len(w) == 1 && m.starts[int(w[0])<<8/64]&1 != 0
	}
	i := int(w[0])<<8 | int(w[1])
	return m.starts[i/64]&(1<<(i%64)) != 0
}

// compileKeyword splits a keyword into normalized words; it reports false
// for a keyword that normalizes to nothing or has "*" anywhere but at the
// end.
func compileKeyword(need int, raw string) (keyword, bool) {
	s := strings.TrimSpace(raw)
	prefix := strings.HasSuffix(s, "*")
	s = strings.TrimSuffix(s, "*")
	if strings.Contains(s, "*") {
		return keyword{}, false
	}
	n := normalize(s)
	if n == "" {
		return keyword{}, false
	}
	text := n
	if prefix {
		text += "*"
	}
	return keyword{need: need, text: text, tokens: strings.Split(n, " "), prefix: prefix, raw: strings.TrimSuffix(strings.TrimSpace(raw), "*")}, true
}

func newMatcher(kws []keyword) *matcher {
	// At most one key per keyword: a table at most a quarter full.
	size := 16
	for size < 4*len(kws) {
		size *= 2
	}
	m := &matcher{kws: kws, slots: make([]int32, size), words: make([]word, 0, len(kws))}
	lens := map[int]bool{}
	for i, k := range kws {
		if k.prefix && len(k.tokens) == 1 {
			w := m.entry(k.tokens[0])
			w.pre = append(w.pre, int32(i))
			lens[len(k.tokens[0])] = true
			m.markStart(k.tokens[0])
			continue
		}
		w := m.entry(k.tokens[0])
		w.exact = append(w.exact, int32(i))
	}
	for l := range lens {
		m.prefixLens = append(m.prefixLens, l)
	}
	slices.Sort(m.prefixLens)
	return m
}

// hit is a keyword found in a text, with the number of times.
type hit struct {
	kw    int32
	count int32
}

// match adds to dst the keywords found in text (already normalized) and
// how often each occurs, in order of first occurrence; a keyword already in
// dst[from:] has its count raised.
func (m *matcher) match(dst []hit, from int, text []byte) []hit {
	if len(text) == 0 {
		return dst
	}
	add := func(k int32) {
		for i := from; i < len(dst); i++ {
			if dst[i].kw == k {
				dst[i].count++
				return
			}
		}
		dst = append(dst, hit{kw: k, count: 1})
	}
	// Walk the words: the keywords a word starts exactly, then those
	// whose prefix it starts with, shortest prefix first.
	for pos := 0; pos < len(text); {
		end := bytes.IndexByte(text[pos:], ' ')
		if end < 0 {
			end = len(text)
		} else {
			end += pos
		}
		w := text[pos:end]
		if e := m.lookup(w, fnv(w)); e != nil {
			for _, k := range e.exact {
				if m.phraseAt(text, end, m.kws[k]) {
					add(k)
				}
			}
		}
		if m.mayStart(w) {
			h, n := uint64(fnvOffset), 0
			for _, l := range m.prefixLens {
				if l > len(w) {
					break
				}
				for ; n < l; n++ {
					h = (h ^ uint64(w[n])) * fnvPrime
				}
				if e := m.lookup(w[:l], h); e != nil {
					for _, k := range e.pre {
						add(k)
					}
				}
			}
		}
		pos = end + 1
	}
	return dst
}

// phraseAt reports whether the words of k after its first follow in text
// from position after (just past the first word).
func (m *matcher) phraseAt(text []byte, after int, k keyword) bool {
	pos := after
	for i := 1; i < len(k.tokens); i++ {
		if pos >= len(text) {
			return false
		}
		pos++ // the space
		end := bytes.IndexByte(text[pos:], ' ')
		if end < 0 {
			end = len(text)
		} else {
			end += pos
		}
		w := text[pos:end]
		t := k.tokens[i]
		last := i == len(k.tokens)-1
		if last && k.prefix {
			if len(w) < len(t) || string(w[:len(t)]) != t {
				return false
			}
		} else if string(w) != t {
			return false
		}
		pos = end
	}
	return true
}

// idf is the smoothed inverse document frequency of a keyword found in df
// of n documents: ln((1+n)/(1+df)) + 1, as scikit-learn's TfidfVectorizer
// computes it (Spärck Jones 1972; Salton and Buckley 1988). A keyword never
// seen at Fit gets the largest value, that of df = 0.
func idf(n, df int) float64 {
	return math.Log(float64(1+n)/float64(1+df)) + 1
}
