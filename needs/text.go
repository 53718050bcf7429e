package needs

import (
	"encoding/binary"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strconv"
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

// asciiFold maps an ASCII letter or digit to its lower case, and every
// other ASCII byte to 0.
var asciiFold = func() (t [utf8.RuneSelf]byte) {
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c
	}
	for c := byte('a'); c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = c, c
	}
	return t
}()

// appendNormalized appends the normalized form of s to dst. ASCII text is
// handled without a map lookup.
func appendNormalized(dst []byte, s string) []byte {
	start := len(dst)
	space := true // at start: drop leading separators
	for i := 0; i < len(s); {
		// A run of ASCII bytes: at most one output byte each, written
		// into room made once.
		if s[i] < utf8.RuneSelf {
			dst = slices.Grow(dst, len(s)-i)
			n, buf := len(dst), dst[:cap(dst)]
			for ; i < len(s) && n < len(buf); i++ {
				c := s[i]
				if c >= utf8.RuneSelf {
					break
				}
				if l := asciiFold[c]; l != 0 {
					buf[n] = l
					n++
					space = false
				} else if !space {
					buf[n] = ' '
					n++
					space = true
				}
			}
			dst = buf[:n]
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
	quoted string   // raw, quoted with strconv.Quote
	canon  int32    // the index of the first keyword with the same raw
}

// matcher finds the keywords of a taxonomy in text.
type matcher struct {
	kws []keyword
	// words holds each first word of a keyword matched exactly (phrases,
	// and single words without "*"); slots is an open-addressing hash
	// table (linear probing) of indices into words, plus one, 0 for an
	// empty slot.
	words []word
	slots []int32
	// The single-word prefix keywords form a trie: root holds the node
	// (plus one, 0 for none) each first byte leads to, and next, an
	// open-addressing hash table (linear probing), the edges below: an
	// edge from node n on byte b has key (n+1)<<8|b, 0 marking an empty
	// slot.
	root  [256]int32
	nodes [][]int32 // the prefix keywords that end at each node
	next  []trieEdge
	shift uint // 32 − log2(len(next))
}

// word is a key of the matcher's table.
type word struct {
	hash  uint64
	key   string
	exact []int32 // keywords whose first word is key
}

type trieEdge struct {
	key  uint32
	node int32
}

// child returns the node the edge from node n on byte b leads to, or -1.
func (m *matcher) child(n int32, b byte) int32 {
	key := uint32(n+1)<<8 | uint32(b)
	mask := uint32(len(m.next) - 1)
	for i := (key * 0x9E3779B1) >> m.shift; ; i = (i + 1) & mask {
		e := m.next[i]
		if e.key == key {
			return e.node
		}
		if e.key == 0 {
			return -1
		}
	}
}

const hashPrime = 0x9E3779B97F4A7C15

// mix adds eight bytes x to the hash h.
func mix(h, x uint64) uint64 {
	h = (h ^ x) * hashPrime
	return h ^ h>>31
}

// wordHash hashes a word eight bytes at a time (the last ones padded with
// zeros), then its length.
func wordHash(b []byte) uint64 {
	var h uint64
	n := len(b)
	for len(b) >= 8 {
		h = mix(h, binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	if len(b) > 0 {
		var x uint64
		for i, c := range b {
			x |= uint64(c) << (8 * i)
		}
		h = mix(h, x)
	}
	return mix(h, uint64(n))
}

// wordAt finds the end of the word of text starting at pos (the next
// space, or the end of text) and returns it with the word's wordHash,
// reading eight bytes at a time.
func wordAt(text []byte, pos int) (end int, h uint64) {
	const spaces, ones, highs = 0x2020202020202020, 0x0101010101010101, 0x8080808080808080
	end = pos
	for len(text)-end >= 8 {
		c := binary.LittleEndian.Uint64(text[end:])
		x := c ^ spaces
		if t := (x - ones) &^ x & highs; t != 0 {
			// The lowest byte flagged is the first space.
			k := bits.TrailingZeros64(t) / 8
			if k > 0 {
				h = mix(h, c&(1<<(8*k)-1))
			}
			return end + k, mix(h, uint64(end+k-pos))
		}
		h = mix(h, c)
		end += 8
	}
	var x uint64
	k := 0
	for ; end+k < len(text) && text[end+k] != ' '; k++ {
		x |= uint64(text[end+k]) << (8 * k)
	}
	if k > 0 {
		h = mix(h, x)
	}
	return end + k, mix(h, uint64(end+k-pos))
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
	h := wordHash([]byte(k))
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
	r := strings.TrimSuffix(strings.TrimSpace(raw), "*")
	return keyword{need: need, text: text, tokens: strings.Split(n, " "), prefix: prefix, raw: r, quoted: strconv.Quote(r)}, true
}

func newMatcher(kws []keyword) *matcher {
	first := map[string]int32{}
	for i := range kws {
		if _, ok := first[kws[i].raw]; !ok {
			first[kws[i].raw] = int32(i)
		}
		kws[i].canon = first[kws[i].raw]
	}
	// At most one key per keyword: a table at most a quarter full.
	size := 16
	for size < 4*len(kws) {
		size *= 2
	}
	m := &matcher{kws: kws, slots: make([]int32, size), words: make([]word, 0, len(kws))}
	// Build the trie with maps, then flatten it breadth first.
	type tnode struct {
		next map[byte]*tnode
		pre  []int32
	}
	root := &tnode{next: map[byte]*tnode{}}
	for i, k := range kws {
		if k.prefix && len(k.tokens) == 1 {
			n := root
			for _, c := range []byte(k.tokens[0]) {
				if n.next[c] == nil {
					n.next[c] = &tnode{next: map[byte]*tnode{}}
				}
				n = n.next[c]
			}
			n.pre = append(n.pre, int32(i))
			continue
		}
		w := m.entry(k.tokens[0])
		w.exact = append(w.exact, int32(i))
	}
	queue := []*tnode{}
	for _, c := range slices.Sorted(maps.Keys(root.next)) {
		m.root[c] = int32(len(queue)) + 1
		queue = append(queue, root.next[c])
	}
	var edges []trieEdge
	for q := 0; q < len(queue); q++ {
		n := queue[q]
		m.nodes = append(m.nodes, n.pre)
		for _, c := range slices.Sorted(maps.Keys(n.next)) {
			edges = append(edges, trieEdge{key: uint32(q+1)<<8 | uint32(c), node: int32(len(queue))})
			queue = append(queue, n.next[c])
		}
	}
	// A table at most a quarter full.
	bits := uint(4)
	for 1<<bits < 4*len(edges) {
		bits++
	}
	m.next, m.shift = make([]trieEdge, 1<<bits), 32-bits
	mask := uint32(len(m.next) - 1)
	for _, e := range edges {
		i := (e.key * 0x9E3779B1) >> m.shift
		for m.next[i].key != 0 {
			i = (i + 1) & mask
		}
		m.next[i] = e
	}
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
		end, h := wordAt(text, pos)
		w := text[pos:end]
		if e := m.lookup(w, h); e != nil {
			for _, k := range e.exact {
				if m.phraseAt(text, end, &m.kws[k]) {
					add(k)
				}
			}
		}
		if len(w) > 0 && m.root[w[0]] != 0 {
			for n, i := m.root[w[0]]-1, 1; n >= 0; i++ {
				for _, k := range m.nodes[n] {
					add(k)
				}
				if i == len(w) {
					break
				}
				n = m.child(n, w[i])
			}
		}
		pos = end + 1
	}
	return dst
}

// phraseAt reports whether the words of k after its first follow in text
// from position after (just past the first word).
func (m *matcher) phraseAt(text []byte, after int, k *keyword) bool {
	pos := after
	for i := 1; i < len(k.tokens); i++ {
		if pos >= len(text) {
			return false
		}
		pos++ // the space
		t := k.tokens[i]
		if len(text)-pos < len(t) || string(text[pos:pos+len(t)]) != t {
			return false
		}
		pos += len(t)
		if i == len(k.tokens)-1 && k.prefix {
			return true // the last word only starts with t
		}
		if pos < len(text) && text[pos] != ' ' {
			return false
		}
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
