package sophistication

import (
	"bytes"
	"encoding/binary"
	"slices"
	"unicode"
	"unicode/utf8"
)

// matcher finds the first class of a table (in table order) one of whose
// keywords occurs in a lower-cased text as a whole word: with no letter or
// digit right before or after it. It is built once from the table, so that
// Assign tokenizes each text once and looks its words up, instead of
// searching the text for every keyword.
//
// A keyword that starts with a letter or digit can only occur where a word
// of the text starts, and then that word is the keyword's first word: the
// keyword's first word ends, in the text as in the keyword, at a rune that
// is neither a letter nor a digit, or at the keyword's end, where the text
// must have no letter or digit either. So each word of the text is looked
// up among the keywords' first words, and only the keywords found there are
// compared with the text. The rare keywords that start with some other rune
// are searched for as they are.
type matcher struct {
	// words is an open-addressing hash table of the keywords' first words
	// (see slot), a power of two long, at most half full.
	words []firstWord
	// filter[b] has bit min(len(w), 63) set for each first word w starting
	// with byte b: most words of a text miss it and are never looked up.
	filter [256]uint64
	// odd are the keywords that start with neither a letter nor a digit,
	// by class.
	odd []keyword
}

// firstWord is a first word of keywords, with the keywords that start with
// it, by class.
type firstWord struct {
	word     string
	keywords []keyword
}

type keyword struct {
	text  string
	class int
	one   bool   // text is a single word
	bytes []byte // text, for the odd keywords' search
}

// newMatcher returns the matcher of the classes' (lower-case) keywords.
func newMatcher(classes []class) matcher {
	var mt matcher
	byWord := make(map[string][]keyword)
	var order []string
	for ci, cl := range classes {
		for _, kw := range cl.keywords {
			if kw == "" {
				continue
			}
			e := wordEnd(kw, 0)
			if e == 0 {
				mt.odd = append(mt.odd, keyword{text: kw, class: ci, bytes: []byte(kw)})
				continue
			}
			w := kw[:e]
			if _, ok := byWord[w]; !ok {
				order = append(order, w)
			}
			byWord[w] = append(byWord[w], keyword{text: kw, class: ci, one: e == len(kw)})
		}
	}
	size := 16
	for size < 2*len(order) {
		size *= 2
	}
	mt.words = make([]firstWord, size)
	for _, w := range order {
		i := slot(w[0], w[len(w)-1], len(w), size)
		for mt.words[i].word != "" {
			i = (i + 1) & (size - 1)
		}
		mt.words[i] = firstWord{w, byWord[w]}
		mt.filter[w[0]] |= 1 << min(len(w), 63)
	}
	return mt
}

// slot is where the hash table of size n starts looking for a word of
// length l with first byte a and last byte z.
func slot(a, z byte, l, n int) int {
	h := uint32(a)*0x9e3779b1 ^ uint32(z)*0x85ebca77 ^ uint32(l)*0xc2b2ae3d
	h ^= h >> 15
	h *= 0x2c1b3c6d
	h ^= h >> 13
	return int(h) & (n - 1)
}

// lookup returns the keywords whose first word is w.
func (mt *matcher) lookup(w []byte) []keyword {
	n := len(mt.words)
	for i := slot(w[0], w[len(w)-1], len(w), n); ; i = (i + 1) & (n - 1) {
		fw := &mt.words[i]
		if fw.word == "" {
			return nil
		}
		if len(fw.word) == len(w) && fw.word == string(w) {
			return fw.keywords
		}
	}
}

// classOf returns the first class with a keyword in the lower-cased text
// s as a whole word, or -1.
func (mt *matcher) classOf(s []byte) int {
	best := -1
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !asciiWord[c] {
				i++
				continue
			}
		} else if r, size := utf8.DecodeRune(s[i:]); !isWordRune(r) {
			i += size
			continue
		}
		e := i
		for e < len(s) && s[e] < utf8.RuneSelf && asciiWord[s[e]] {
			e++
		}
		if e < len(s) && s[e] >= utf8.RuneSelf {
			e = wordEndBytes(s, e)
		}
		if mt.filter[c]&(1<<min(e-i, 63)) != 0 {
			for _, k := range mt.lookup(s[i:e]) {
				if best >= 0 && k.class >= best {
					break
				}
				if k.one || hasWordAt(s, i, k.text) {
					best = k.class
					break
				}
			}
			if best == 0 {
				return 0
			}
		}
		i = e
	}
	for _, k := range mt.odd {
		if best >= 0 && k.class >= best {
			break
		}
		if containsWord(s, k.bytes) {
			return k.class
		}
	}
	return best
}

// classOf2 returns the first class with a keyword in a or in b.
func (mt *matcher) classOf2(a, b []byte) int {
	i := mt.classOf(a)
	if i == 0 {
		return 0
	}
	if j := mt.classOf(b); j >= 0 && (i < 0 || j < i) {
		return j
	}
	return i
}

// hasWordAt reports whether kw occurs in s at i with no letter or digit
// right after it.
func hasWordAt(s []byte, i int, kw string) bool {
	j := i + len(kw)
	if j > len(s) || string(s[i:j]) != kw {
		return false
	}
	return j == len(s) || !wordAt(s, j)
}

// containsWord reports whether kw occurs in s with no letter or digit
// right before or after it.
func containsWord(s, kw []byte) bool {
	if len(kw) == 0 {
		return false
	}
	for off := 0; off <= len(s)-len(kw); {
		i := bytes.Index(s[off:], kw)
		if i < 0 {
			return false
		}
		i += off
		j := i + len(kw)
		before, _ := utf8.DecodeLastRune(s[:i])
		after, _ := utf8.DecodeRune(s[j:])
		if (i == 0 || !isWordRune(before)) && (j == len(s) || !isWordRune(after)) {
			return true
		}
		_, size := utf8.DecodeRune(s[i:])
		off = i + size
	}
	return false
}

// asciiWord tells the ASCII letters and digits.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = isWordRune(rune(c))
	}
	return t
}()

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// wordAt reports whether the rune at s[i:] is a letter or digit.
func wordAt(s []byte, i int) bool {
	if c := s[i]; c < utf8.RuneSelf {
		return asciiWord[c]
	}
	r, _ := utf8.DecodeRune(s[i:])
	return isWordRune(r)
}

// wordEndBytes returns the end of the run of letters and digits that
// starts at s[i].
func wordEndBytes(s []byte, i int) int {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if !asciiWord[c] {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if !isWordRune(r) {
			return i
		}
		i += size
	}
	return i
}

// wordEnd returns the end of the run of letters and digits that starts at
// s[i].
func wordEnd(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			return i
		}
		i += size
	}
	return i
}

// appendLower appends s lower-cased to dst, byte for byte as
// strings.ToLower would write it (an invalid byte of a non-ASCII text
// becomes U+FFFD). ASCII goes eight bytes at a time.
func appendLower(dst []byte, s string) []byte {
	n := len(dst)
	dst = slices.Grow(dst, len(s))[:n+len(s)]
	d := dst[n:]
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&0x8080808080808080 != 0 {
			break
		}
		// A byte's high bit, once 0x3f is added, says it is ≥ 'A'; once
		// 0x25 is added, that it is > 'Z'. Neither sum carries into the
		// next byte, all bytes being below 0x80.
		upper := (w + 0x3f3f3f3f3f3f3f3f) &^ (w + 0x2525252525252525) & 0x8080808080808080
		binary.LittleEndian.PutUint64(d[i:], w|upper>>2)
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			// strings.ToLower maps the whole text rune by rune; the ASCII
			// prefix comes out the same either way.
			dst = dst[:n+i]
			for _, r := range s[i:] {
				dst = utf8.AppendRune(dst, unicode.ToLower(r))
			}
			return dst
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		d[i] = c
	}
	return dst
}
