package segment

import (
	"encoding/json"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// AppendAssignmentJSON appends the JSON encoding of as to dst and returns
// the extended buffer: exactly the bytes json.Marshal(as) gives, with its
// field order and omissions, map keys sorted, numbers formatted as it
// formats a float64, and strings escaped as it escapes them (<, > and &
// included, for HTML; invalid UTF-8 becomes \ufffd). It is several times
// faster than json.Marshal and allocates nothing when dst has room (and
// no Scores map has more than 32 keys).
//
// An Assignment a Model returns always encodes. For one json.Marshal
// refuses, such as a NaN or infinite score, it returns dst unchanged and
// the error json.Marshal returns.
//
// It is safe for concurrent use, and never changes as.
func AppendAssignmentJSON(dst []byte, as *Assignment) ([]byte, error) {
	if as == nil {
		return append(dst, "null"...), nil
	}
	var e assignmentEncoder
	if b, ok := e.assignment(dst, as, 0); ok {
		return b, nil
	}
	// A number JSON cannot hold, or parts nested deeper than an Assignment
	// ever is: encoding/json gives the answer, and its error.
	b, err := json.Marshal(as)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// maxPartsDepth is the deepest nesting of Parts appendAssignment encodes
// itself; a Model nests parts a few levels at most.
const maxPartsDepth = 64

// assignment appends as in the field order and with the omissions of
// its struct tags (see [Assignment]). It returns false for a number JSON
// cannot hold or parts nested deeper than maxPartsDepth.
func (e *assignmentEncoder) assignment(b []byte, as *Assignment, depth int) ([]byte, bool) {
	b = append(b, `{"account_id":`...)
	b = appendJSONString(b, as.AccountID)
	b = append(b, `,"segment":{"id":`...)
	b = appendJSONString(b, as.Segment.ID)
	b = append(b, `,"name":`...)
	b = e.string(b, as.Segment.Name)
	if as.Segment.Description != "" {
		b = append(b, `,"description":`...)
		b = e.string(b, as.Segment.Description)
	}
	b = append(b, `,"method":`...)
	b = appendJSONString(b, as.Segment.Method)
	b = append(b, `},"score":`...)
	var ok bool
	if b, ok = e.float(b, as.Score); !ok {
		return b, false
	}
	if len(as.Scores) > 0 {
		b = append(b, `,"scores":`...)
		if b, ok = e.scores(b, as.Scores); !ok {
			return b, false
		}
	}
	if len(as.Reasons) > 0 {
		b = append(b, `,"reasons":[`...)
		for i := range as.Reasons {
			r := &as.Reasons[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"text":`...)
			b = e.string(b, r.Text)
			if r.Field != "" {
				b = append(b, `,"field":`...)
				b = appendJSONString(b, r.Field)
			}
			if r.Effect != 0 { // omitempty: 0 and -0 are left out, NaN is not
				b = append(b, `,"effect":`...)
				if b, ok = e.float(b, r.Effect); !ok {
					return b, false
				}
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(as.Parts) > 0 {
		if depth >= maxPartsDepth {
			return b, false
		}
		b = append(b, `,"parts":[`...)
		for i := range as.Parts {
			if i > 0 {
				b = append(b, ',')
			}
			if b, ok = e.assignment(b, &as.Parts[i], depth+1); !ok {
				return b, false
			}
		}
		b = append(b, ']')
	}
	return append(b, '}'), true
}

// assignmentEncoder remembers where in the output each of the last
// numbers it wrote is. A layered Assignment repeats its parts' scores and
// effects, and copying a number's text is much faster than formatting it.
type assignmentEncoder struct {
	bits [128]uint64
	off  [128]int32
	n    [128]uint8

	// The same for the longer strings: a layered Assignment repeats its
	// parts' reasons too.
	strs   [64]string
	strOff [64]int32
	strN   [64]int32
}

// minCachedString is the shortest string the encoder looks for among the
// ones it wrote.
const minCachedString = 24

// string appends s as [appendJSONString] does.
func (e *assignmentEncoder) string(b []byte, s string) []byte {
	if len(s) < minCachedString {
		return appendJSONString(b, s)
	}
	h := (uint64(len(s)) ^ load64(s, 0)*0x9e3779b97f4a7c15 ^ load64(s, len(s)-8)) * 0x9e3779b97f4a7c15 >> 58
	if n := int(e.strN[h]); n != 0 && e.strs[h] == s {
		off := int(e.strOff[h])
		return append(b, b[off:off+n]...)
	}
	off := len(b)
	b = appendJSONString(b, s)
	if len(b) <= math.MaxInt32 {
		e.strs[h], e.strOff[h], e.strN[h] = s, int32(off), int32(len(b)-off)
	}
	return b
}

// float appends f as [appendJSONFloat] does.
func (e *assignmentEncoder) float(b []byte, f float64) ([]byte, bool) {
	x := math.Float64bits(f)
	h := (x * 0x9e3779b97f4a7c15) >> 57 // Fibonacci hashing
	if n := int(e.n[h]); n != 0 && e.bits[h] == x {
		off := int(e.off[h])
		return append(b, b[off:off+n]...), true
	}
	off := len(b)
	b, ok := appendJSONFloat(b, f)
	if ok && off <= math.MaxInt32 {
		e.bits[h], e.off[h], e.n[h] = x, int32(off), uint8(len(b)-off)
	}
	return b, ok
}

type scoreEntry struct {
	prefix uint64 // the key's first 8 bytes, big-endian, zero-padded
	k      string
	v      float64
}

func (x *scoreEntry) less(y *scoreEntry) bool {
	if x.prefix != y.prefix {
		return x.prefix < y.prefix
	}
	return x.k < y.k
}

// scores appends a map of scores as an object with its keys sorted
// by their bytes, as encoding/json sorts them.
func (e *assignmentEncoder) scores(b []byte, m map[string]float64) ([]byte, bool) {
	var arr [32]scoreEntry
	kv := arr[:0]
	if len(m) > len(arr) {
		kv = make([]scoreEntry, 0, len(m))
	}
	for k, v := range m {
		var p uint64
		if len(k) >= 8 {
			p = bits.ReverseBytes64(load64(k, 0))
		} else {
			for i := range 8 {
				p <<= 8
				if i < len(k) {
					p |= uint64(k[i])
				}
			}
		}
		kv = append(kv, scoreEntry{p, k, v})
	}
	var ord [len(arr)]uint8
	if len(kv) <= len(arr) {
		// Insertion sort of the indices: a few dozen keys, most told apart
		// by their prefix.
		for i := range kv {
			j := i
			for ; j > 0 && kv[i].less(&kv[ord[j-1]]); j-- {
				ord[j] = ord[j-1]
			}
			ord[j] = uint8(i)
		}
	} else {
		slices.SortFunc(kv, func(x, y scoreEntry) int { return strings.Compare(x.k, y.k) })
	}
	b = append(b, '{')
	for i := range kv {
		if i > 0 {
			b = append(b, ',')
		}
		x := &kv[i]
		if len(kv) <= len(arr) {
			x = &kv[ord[i]]
		}
		b = appendJSONString(b, x.k)
		b = append(b, ':')
		var ok bool
		if b, ok = e.float(b, x.v); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

// appendJSONFloat appends f as encoding/json writes a float64: the
// shortest decimal that reads back as f, in exponent form (without a
// leading zero in the exponent) below 1e-6 and from 1e21 in magnitude, as
// ECMAScript formats numbers. It returns false for NaN and ±Inf.
func appendJSONFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	if format == 'f' {
		if c, ok := appendShortestF(b, f); ok {
			return c, true
		}
	}
	n := len(b)
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 is written 1e-7.
		if e := b[n:]; len(e) >= 4 && e[len(e)-4] == 'e' && e[len(e)-3] == '-' && e[len(e)-2] == '0' {
			e[len(e)-2] = e[len(e)-1]
			b = b[:len(b)-1]
		}
	}
	return b, true
}

// htmlSafe marks the ASCII bytes encoding/json writes in a string as they
// are: all printable ones but the quote, the backslash and <, > and &.
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = !strings.ContainsRune("\"\\<>&", rune(c))
	}
	return t
}()

// needsEscape is 1 for the bytes appendJSONString looks at one by one:
// those htmlSafe does not mark, and every byte from 0x80.
var needsEscape = func() (t [256]uint8) {
	for c := range t {
		if c >= utf8.RuneSelf || !htmlSafe[c] {
			t[c] = 1
		}
	}
	return t
}()

// escapes8 reports whether any of the 8 bytes of w needs a look.
func escapes8(w string) bool {
	w = w[:8]
	return needsEscape[w[0]]|needsEscape[w[1]]|needsEscape[w[2]]|needsEscape[w[3]]|
		needsEscape[w[4]]|needsEscape[w[5]]|needsEscape[w[6]]|needsEscape[w[7]] != 0
}

// escapes4 reports whether any of the 4 bytes of w needs a look.
func escapes4(w string) bool {
	w = w[:4]
	return needsEscape[w[0]]|needsEscape[w[1]]|needsEscape[w[2]]|needsEscape[w[3]] != 0
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted and escaped as encoding/json escapes
// it with HTML escaping on (json.Marshal's default).
func appendJSONString(b []byte, s string) []byte {
	// A short string that needs nothing, read in two blocks that may overlap.
	if n := len(s); n >= 4 && n <= 8 && !escapes4(s[:4]) && !escapes4(s[n-4:]) ||
		n > 8 && n <= 16 && !escapes8(s[:8]) && !escapes8(s[n-8:]) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	b = append(b, '"')
	start, i := 0, 0
	for i < len(s) {
		// Skip the bytes that need nothing, 8 at a time.
		for i+8 <= len(s) && !escapes8(s[i:i+8]) {
			i += 8
		}
		if i+8 > len(s) && len(s) >= 8 && !escapes8(s[len(s)-8:]) {
			break // the tail, read again with the bytes before it
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if htmlSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default: // other control bytes, <, > and &
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		// Valid 2- and 3-byte sequences, but for U+2028 and U+2029, go
		// as they are; the rest is for utf8 to decode.
		if c >= 0xc2 && c <= 0xdf && i+1 < len(s) && s[i+1]&0xc0 == 0x80 {
			i += 2
			continue
		}
		if c >= 0xe0 && c <= 0xef && i+2 < len(s) && s[i+1]&0xc0 == 0x80 && s[i+2]&0xc0 == 0x80 &&
			(c != 0xe0 || s[i+1] >= 0xa0) && (c != 0xed || s[i+1] < 0xa0) && // not overlong, not a surrogate
			(c != 0xe2 || s[i+1] != 0x80 || s[i+2]&^1 != 0xa8) {
			i += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			// Valid JSON, but not valid JavaScript: escaped.
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// load64 reads the 8 bytes of s from i, the first in the low byte.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// appendShortestF appends f as strconv.AppendFloat(b, f, 'f', -1, 64)
// does, for 2⁻¹⁷ ≤ |f| < 2⁵³, where scores and effects are. It returns
// false for other numbers, and for the rare tie between two closest
// shortest decimals, which it leaves to strconv.
//
// It is the Schubfach method (R. Giulietti, "The Schubfach way to render
// doubles", 2020) in exact 128-bit integer arithmetic, which the range
// allows: with f = c·2^q, q ≤ 0, and K the least integer with
// 10^K ≥ 2^-q (times 4/3 when the gap below f is half the one above), the
// interval of reals that read back as f, scaled by 10^K, is 1 to 10 wide
// and its ends are not integers. So the shortest decimal in it is either
// the one multiple of 10 in it, if any, or the closer to f·10^K of its
// floor and ceiling that lie in it.
func appendShortestF(b []byte, f float64) ([]byte, bool) {
	x := math.Float64bits(f)
	neg := x>>63 != 0
	exp := int(x>>52) & 0x7ff
	q := exp - 1075
	if exp == 0 || q > 0 || q < -69 {
		return b, false
	}
	c := x&(1<<52-1) | 1<<52
	nq := uint(-q)
	boundary := c == 1<<52 && exp > 1 // the gap below f is half the one above
	K := shortestK[0][nq]
	if boundary {
		K = shortestK[1][nq]
	}
	p := pow10x128[K]
	m := mul64x128(c, p)
	a := m.shl(2)                              // 4c·10^K: f in units of 2^(q-2), scaled by 10^K
	lo, hi := a.sub(p.shl(1)), a.add(p.shl(1)) // (4c∓2)·10^K
	if boundary {
		lo = a.sub(p) // (4c-1)·10^K
	}
	// Everything is now in units of 2^-(nq+2): f·10^K is a, the interval
	// (lo, hi), and an integer n is n·unit. s is the floor of f·10^K.
	s := m.shr(nq).lo
	unit := u128{lo: 1}.shl(2 + nq)
	vs := u128{lo: s}.shl(2 + nq)
	// The ends of the interval are never integers, so strict comparisons
	// decide.
	in := func(v u128) bool { return lo.less(v) && v.less(hi) }
	var d uint64
	vDown := vs.sub(mul64x128(s%10, unit))
	if inDown, inUp := in(vDown), in(vDown.add(mul64x128(10, unit))); inDown != inUp {
		d = s - s%10
		if inUp {
			d += 10
		}
	} else {
		vt := vs.add(unit)
		inS, inT := in(vs), in(vt)
		switch {
		case !inS && !inT:
			return b, false // cannot happen: the interval is at least 1 wide
		case inS && !inT:
			d = s
		case inT && !inS:
			d = s + 1
		default:
			// Both: the closer to f·10^K, whose distance to s is a - vs.
			twice := a.sub(vs).shl(1)
			switch {
			case twice.less(unit):
				d = s
			case unit.less(twice):
				d = s + 1
			default:
				return b, false // a tie: strconv decides
			}
		}
	}
	e := -K
	for d%10 == 0 {
		d /= 10
		e++
	}
	var buf [24]byte
	digits := formatDigits(&buf, d)
	if neg {
		b = append(b, '-')
	}
	switch n := len(digits); {
	case e >= 0:
		b = append(b, digits...)
		for range e {
			b = append(b, '0')
		}
	case n > -e:
		b = append(b, digits[:n+e]...)
		b = append(b, '.')
		b = append(b, digits[n+e:]...)
	default:
		b = append(b, '0', '.')
		for range -e - n {
			b = append(b, '0')
		}
		b = append(b, digits...)
	}
	return b, true
}

// shortestK[0][n] is the least K ≥ 0 with 10^K ≥ 2^n, and shortestK[1][n]
// the least with 10^K·3/4 ≥ 2^n, for n ≤ 69.
var shortestK = func() (t [2][70]int) {
	for n := range 70 {
		for w := range 2 {
			scale := 1.0
			if w == 1 {
				scale = 0.75
			}
			K := 0
			for math.Pow10(K)*scale < math.Ldexp(1, n) { // exact: both are floats without rounding
				K++
			}
			t[w][n] = K
		}
	}
	return t
}()

// pow10x128[K] is 10^K, K ≤ 22.
var pow10x128 = func() (t [23]u128) {
	t[0] = u128{lo: 1}
	for k := 1; k < len(t); k++ {
		t[k] = mul64x128(10, t[k-1])
	}
	return t
}()

// u128 is an unsigned 128-bit integer.
type u128 struct{ hi, lo uint64 }

// mul64x128 returns a·b; the product must fit in 128 bits.
func mul64x128(a uint64, b u128) u128 {
	hi, lo := bits.Mul64(a, b.lo)
	return u128{hi: hi + a*b.hi, lo: lo}
}

func (x u128) shl(n uint) u128 {
	switch {
	case n == 0:
		return x
	case n >= 64:
		return u128{hi: x.lo << (n - 64)}
	}
	return u128{hi: x.hi<<n | x.lo>>(64-n), lo: x.lo << n}
}

func (x u128) shr(n uint) u128 {
	switch {
	case n == 0:
		return x
	case n >= 64:
		return u128{lo: x.hi >> (n - 64)}
	}
	return u128{hi: x.hi >> n, lo: x.lo>>n | x.hi<<(64-n)}
}

func (x u128) add(y u128) u128 {
	lo, carry := bits.Add64(x.lo, y.lo, 0)
	return u128{hi: x.hi + y.hi + carry, lo: lo}
}

func (x u128) sub(y u128) u128 {
	lo, borrow := bits.Sub64(x.lo, y.lo, 0)
	return u128{hi: x.hi - y.hi - borrow, lo: lo}
}

func (x u128) less(y u128) bool { return x.hi < y.hi || x.hi == y.hi && x.lo < y.lo }

const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// formatDigits writes the decimal digits of d, d < 10^18, at the end of buf
// and returns them. It is strconv.AppendUint in independent 32-bit steps,
// which the up to 17 digits of a float64 allow.
func formatDigits(buf *[24]byte, d uint64) []byte {
	i := len(buf)
	for d >= 1e8 {
		put8(buf, i, uint32(d%1e8))
		d /= 1e8
		i -= 8
	}
	v := uint32(d)
	for v >= 100 {
		r := v % 100
		v /= 100
		i -= 2
		buf[i], buf[i+1] = digitPairs[2*r], digitPairs[2*r+1]
	}
	if v >= 10 {
		i -= 2
		buf[i], buf[i+1] = digitPairs[2*v], digitPairs[2*v+1]
	} else {
		i--
		buf[i] = byte('0' + v)
	}
	return buf[i:]
}

// put8 writes the 8 digits of v, v < 10^8, leading zeros included, to
// buf[i-8:i], in pairs that do not wait on each other.
func put8(buf *[24]byte, i int, v uint32) {
	hi, lo := v/10000, v%10000
	p0, p1, p2, p3 := 2*(hi/100), 2*(hi%100), 2*(lo/100), 2*(lo%100)
	b := buf[i-8 : i]
	b[0], b[1] = digitPairs[p0], digitPairs[p0+1]
	b[2], b[3] = digitPairs[p1], digitPairs[p1+1]
	b[4], b[5] = digitPairs[p2], digitPairs[p2+1]
	b[6], b[7] = digitPairs[p3], digitPairs[p3+1]
}
