package segment

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// DecodeAccountJSON decodes data, one account in its JSON encoding (as
// json.Marshal and [WriteJSONL] write it), into *a, which it first sets to
// the zero Account. It gives exactly what encoding/json gives when a
// json.Decoder with DisallowUnknownFields decodes data into a zero Account
// and nothing but white space follows the account: the same field values,
// and an error for every input that decoding refuses. It does not validate
// the account: call [Account.Validate] for that.
//
// Decoding is strict, as for [JSONLReader]: a field the Account does not
// have, a value of the wrong type, invalid JSON or anything after the
// account is an error. The error is a [*FieldError] (Row 0) naming the
// account, when its id can be read, and the JSON path of the bad value
// ("orders[2].time"; empty when data is not JSON at all); *a is then the
// zero Account.
//
// It is several times faster than encoding/json and allocates far less: a
// small byte scanner reads the common, well-formed encoding directly, and
// anything it does not handle itself (a key spelled in another case, which
// encoding/json matches ignoring case; a repeated key; an error) goes to
// encoding/json, so that values and errors are the same. The decoded
// strings never alias data, which the caller may reuse; the account's
// strings other than its ID share a few allocations, which stay in memory
// as long as any of those strings does.
//
// It is safe for concurrent use.
func DecodeAccountJSON(data []byte, a *Account) error {
	*a = Account{}
	d := decoderPool.Get().(*accountDecoder)
	d.data = data
	err := d.document(a)
	d.reset()
	decoderPool.Put(d)
	if err == nil {
		return nil
	}
	*a = Account{}
	if err := decodeAccountStrict(data, a); err != nil {
		*a = Account{}
		return err
	}
	return nil
}

// errNotFast reports that the scanner does not decode the input itself and
// leaves it to encoding/json. It never leaves this file.
var errNotFast = errors.New("segment: account JSON left to encoding/json")

var decoderPool = sync.Pool{New: func() any { return new(accountDecoder) }}

// accountDecoder reads one account's JSON. Its scratch slices are kept
// between uses (through decoderPool) so that each list of records is
// allocated once, at its final length; the arena of strings is never kept.
type accountDecoder struct {
	data []byte
	pos  int
	buf  []byte // unescaped text of the last string read

	lastTimeRaw []byte    // the last time read, as it is in data
	lastTime    time.Time // and as it decodes

	arena strings.Builder // the bytes of decoded strings; only ever appended to

	orders []Order
	subs   []Subscription
	usage  []Usage
	events []Event
	strs   []string
	numKV  []numEntry
	textKV []textEntry
}

type numEntry struct {
	k string
	v float64
}

type textEntry struct{ k, v string }

// maxScratch bounds the scratch slices a pooled decoder keeps.
const maxScratch = 1 << 12

// reset drops every reference into the last account's memory.
func (d *accountDecoder) reset() {
	d.data, d.pos = nil, 0
	d.lastTimeRaw, d.lastTime = nil, time.Time{}
	d.arena = strings.Builder{}
	if cap(d.buf) > maxScratch*16 {
		d.buf = nil
	}
	d.orders = resetScratch(d.orders)
	d.subs = resetScratch(d.subs)
	d.usage = resetScratch(d.usage)
	d.events = resetScratch(d.events)
	d.strs = resetScratch(d.strs)
	d.numKV = resetScratch(d.numKV)
	d.textKV = resetScratch(d.textKV)
}

func resetScratch[T any](s []T) []T {
	if cap(s) > maxScratch {
		return nil
	}
	clear(s)
	return s[:0]
}

// The bits of seen, one per Account field, that find a repeated key.
const (
	fID = 1 << iota
	fName
	fIndustry
	fNAICS
	fSIC
	fEmployees
	fRevenue
	fCurrency
	fGrowth
	fFounded
	fCountry
	fRegion
	fCity
	fType
	fStage
	fTechnologies
	fChannel
	fLeadGrade
	fOrders
	fSubscriptions
	fUsage
	fEvents
	fSurvey
	fConverted
	fChurned
	fNumbers
	fText
)

// document reads the whole of d.data: one account and white space.
func (d *accountDecoder) document(a *Account) error {
	d.ws()
	var err error
	switch d.peek() {
	case '{':
		err = d.account(a)
	case 'n':
		err = d.null()
	default:
		return errNotFast
	}
	if err != nil {
		return err
	}
	d.ws()
	if d.pos != len(d.data) {
		return errNotFast
	}
	return nil
}

func (d *accountDecoder) account(a *Account) error {
	d.pos++ // {
	d.ws()
	if d.peek() == '}' {
		d.pos++
		return nil
	}
	var seen uint32
	for {
		key, err := d.key()
		if err != nil {
			return err
		}
		var bit uint32
		switch string(key) {
		case "id":
			bit = fID
			var b []byte
			if b, err = d.text(); err == nil {
				a.ID = string(b) // its own allocation: an ID outlives the account
			}
		case "name":
			bit = fName
			a.Name, err = d.str()
		case "industry":
			bit = fIndustry
			a.Industry, err = d.str()
		case "naics":
			bit = fNAICS
			a.NAICS, err = d.str()
		case "sic":
			bit = fSIC
			a.SIC, err = d.str()
		case "employees":
			bit = fEmployees
			a.Employees, err = d.num()
		case "revenue":
			bit = fRevenue
			a.Revenue, err = d.num()
		case "currency":
			bit = fCurrency
			a.Currency, err = d.str()
		case "growth":
			bit = fGrowth
			a.Growth, err = d.num()
		case "founded":
			bit = fFounded
			a.Founded, err = d.int()
		case "country":
			bit = fCountry
			a.Country, err = d.str()
		case "region":
			bit = fRegion
			a.Region, err = d.str()
		case "city":
			bit = fCity
			a.City, err = d.str()
		case "type":
			bit = fType
			a.Type, err = d.customerType()
		case "stage":
			bit = fStage
			a.Stage, err = d.lifecycle()
		case "technologies":
			bit = fTechnologies
			a.Technologies, err = d.strings()
		case "channel":
			bit = fChannel
			a.Channel, err = d.str()
		case "lead_grade":
			bit = fLeadGrade
			a.LeadGrade, err = d.str()
		case "orders":
			bit = fOrders
			a.Orders, err = list(d, &d.orders, (*accountDecoder).order)
		case "subscriptions":
			bit = fSubscriptions
			a.Subscriptions, err = list(d, &d.subs, (*accountDecoder).subscription)
		case "usage":
			bit = fUsage
			a.Usage, err = list(d, &d.usage, (*accountDecoder).usageRecord)
		case "events":
			bit = fEvents
			a.Events, err = list(d, &d.events, (*accountDecoder).event)
		case "survey":
			bit = fSurvey
			a.Survey, err = d.numbers()
		case "converted":
			bit = fConverted
			a.Converted, err = d.outcome()
		case "churned":
			bit = fChurned
			a.Churned, err = d.outcome()
		case "numbers":
			bit = fNumbers
			a.Numbers, err = d.numbers()
		case "text":
			bit = fText
			a.Text, err = d.texts()
		default:
			// An unknown key, or one in another case: encoding/json decides.
			return errNotFast
		}
		if err != nil {
			return err
		}
		if seen&bit != 0 {
			return errNotFast
		}
		seen |= bit
		if more, err := d.next('}'); err != nil || !more {
			return err
		}
	}
}

func (d *accountDecoder) order(o *Order) error {
	var seen uint8
	return d.object(func(key []byte) (err error) {
		var bit uint8
		switch string(key) {
		case "id":
			bit = 1 << 0
			o.ID, err = d.str()
		case "time":
			bit = 1 << 1
			o.Time, err = d.time()
		case "amount":
			bit = 1 << 2
			o.Amount, err = d.float()
		case "quantity":
			bit = 1 << 3
			o.Quantity, err = d.float()
		case "product_line":
			bit = 1 << 4
			o.ProductLine, err = d.str()
		case "discount":
			bit = 1 << 5
			o.Discount, err = d.float()
		case "margin":
			bit = 1 << 6
			o.Margin, err = d.num()
		case "return":
			bit = 1 << 7
			o.Return, err = d.bool()
		default:
			return errNotFast
		}
		if err == nil && seen&bit != 0 {
			return errNotFast
		}
		seen |= bit
		return err
	})
}

func (d *accountDecoder) subscription(s *Subscription) error {
	var seen uint8
	return d.object(func(key []byte) (err error) {
		var bit uint8
		switch string(key) {
		case "id":
			bit = 1 << 0
			s.ID, err = d.str()
		case "plan":
			bit = 1 << 1
			s.Plan, err = d.str()
		case "start":
			bit = 1 << 2
			s.Start, err = d.time()
		case "end":
			bit = 1 << 3
			s.End, err = d.time()
		case "monthly":
			bit = 1 << 4
			s.Monthly, err = d.float()
		case "seats":
			bit = 1 << 5
			s.Seats, err = d.int()
		default:
			return errNotFast
		}
		if err == nil && seen&bit != 0 {
			return errNotFast
		}
		seen |= bit
		return err
	})
}

func (d *accountDecoder) usageRecord(u *Usage) error {
	var seen uint8
	return d.object(func(key []byte) (err error) {
		var bit uint8
		switch string(key) {
		case "time":
			bit = 1 << 0
			u.Time, err = d.time()
		case "metric":
			bit = 1 << 1
			u.Metric, err = d.str()
		case "value":
			bit = 1 << 2
			u.Value, err = d.float()
		default:
			return errNotFast
		}
		if err == nil && seen&bit != 0 {
			return errNotFast
		}
		seen |= bit
		return err
	})
}

func (d *accountDecoder) event(e *Event) error {
	var seen uint8
	return d.object(func(key []byte) (err error) {
		var bit uint8
		switch string(key) {
		case "time":
			bit = 1 << 0
			e.Time, err = d.time()
		case "kind":
			bit = 1 << 1
			e.Kind, err = d.str()
		case "topic":
			bit = 1 << 2
			e.Topic, err = d.str()
		case "channel":
			bit = 1 << 3
			e.Channel, err = d.str()
		case "text":
			bit = 1 << 4
			e.Text, err = d.str()
		default:
			return errNotFast
		}
		if err == nil && seen&bit != 0 {
			return errNotFast
		}
		seen |= bit
		return err
	})
}

// object reads an object whose opening brace is at d.pos, calling field for
// each key with d.pos at the key's value.
func (d *accountDecoder) object(field func(key []byte) error) error {
	d.pos++ // {
	d.ws()
	if d.peek() == '}' {
		d.pos++
		return nil
	}
	for {
		key, err := d.key()
		if err != nil {
			return err
		}
		if err := field(key); err != nil {
			return err
		}
		if more, err := d.next('}'); err != nil || !more {
			return err
		}
	}
}

// list reads a JSON array of records, or null, as encoding/json decodes it
// into a nil slice: null leaves it nil, [] makes it empty, and a null
// element is a zero record. The records are gathered in *scratch and copied
// out into a slice of the final length.
func list[T any](d *accountDecoder, scratch *[]T, elem func(*accountDecoder, *T) error) ([]T, error) {
	switch d.peek() {
	case 'n':
		return nil, d.null()
	case '[':
	default:
		return nil, errNotFast
	}
	d.pos++
	d.ws()
	if d.peek() == ']' {
		d.pos++
		return []T{}, nil
	}
	s := (*scratch)[:0]
	var zero T
	for {
		s = append(s, zero)
		var err error
		switch d.peek() {
		case '{':
			err = elem(d, &s[len(s)-1])
		case 'n':
			err = d.null()
		default:
			err = errNotFast
		}
		var more bool
		if err == nil {
			more, err = d.next(']')
		}
		if err != nil || !more {
			*scratch = s
			if err != nil {
				return nil, err
			}
			return append(make([]T, 0, len(s)), s...), nil
		}
	}
}

// strings reads an array of strings (technologies), or null.
func (d *accountDecoder) strings() ([]string, error) {
	switch d.peek() {
	case 'n':
		return nil, d.null()
	case '[':
	default:
		return nil, errNotFast
	}
	d.pos++
	d.ws()
	if d.peek() == ']' {
		d.pos++
		return []string{}, nil
	}
	s := d.strs[:0]
	for {
		v, err := d.str()
		s = append(s, v)
		var more bool
		if err == nil {
			more, err = d.next(']')
		}
		if err != nil || !more {
			d.strs = s
			if err != nil {
				return nil, err
			}
			return append(make([]string, 0, len(s)), s...), nil
		}
	}
}

// numbers reads an object of numbers (survey, numbers), or null. As
// encoding/json does, a null value stores 0 and of a repeated key the last
// value wins.
func (d *accountDecoder) numbers() (map[string]float64, error) {
	switch d.peek() {
	case 'n':
		return nil, d.null()
	case '{':
	default:
		return nil, errNotFast
	}
	kv := d.numKV[:0]
	err := d.object(func(key []byte) error {
		k := d.intern(key)
		v, err := d.float()
		kv = append(kv, numEntry{k, v})
		return err
	})
	d.numKV = kv
	if err != nil {
		return nil, err
	}
	m := make(map[string]float64, len(kv))
	for _, e := range kv {
		m[e.k] = e.v
	}
	return m, nil
}

// texts reads an object of strings (text), or null, as numbers does.
func (d *accountDecoder) texts() (map[string]string, error) {
	switch d.peek() {
	case 'n':
		return nil, d.null()
	case '{':
	default:
		return nil, errNotFast
	}
	kv := d.textKV[:0]
	err := d.object(func(key []byte) error {
		k := d.intern(key)
		v, err := d.str()
		kv = append(kv, textEntry{k, v})
		return err
	})
	d.textKV = kv
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(kv))
	for _, e := range kv {
		m[e.k] = e.v
	}
	return m, nil
}

// str reads a string, or null (""), into the arena.
func (d *accountDecoder) str() (string, error) {
	b, err := d.text()
	if err != nil {
		return "", err
	}
	return d.intern(b), nil
}

// text reads a string, or null (empty), and returns its decoded bytes,
// valid until the next string is read.
func (d *accountDecoder) text() ([]byte, error) {
	switch d.peek() {
	case '"':
		return d.string()
	case 'n':
		return nil, d.null()
	}
	return nil, errNotFast
}

// customerType reads a [CustomerType] as its UnmarshalText does; null
// leaves it unknown.
func (d *accountDecoder) customerType() (CustomerType, error) {
	b, err := d.text()
	if err != nil {
		return TypeUnknown, err
	}
	switch string(b) { // the names it marshals as, without a string to parse
	case "":
		return TypeUnknown, nil
	case "B2B":
		return B2B, nil
	case "B2C":
		return B2C, nil
	case "B2G":
		return B2G, nil
	}
	t, err := ParseCustomerType(string(b))
	if err != nil {
		return TypeUnknown, errNotFast
	}
	return t, nil
}

// lifecycle reads a [Lifecycle] as its UnmarshalText does; null leaves it
// unknown.
func (d *accountDecoder) lifecycle() (Lifecycle, error) {
	b, err := d.text()
	if err != nil {
		return StageUnknown, err
	}
	switch string(b) {
	case "":
		return StageUnknown, nil
	case "lead":
		return Lead, nil
	case "opportunity":
		return Opportunity, nil
	case "customer":
		return Customer, nil
	case "churned":
		return Churned, nil
	}
	l, err := ParseLifecycle(string(b))
	if err != nil {
		return StageUnknown, errNotFast
	}
	return l, nil
}

// outcome reads an [Outcome] as [Outcome.UnmarshalJSON] does.
func (d *accountDecoder) outcome() (Outcome, error) {
	switch d.peek() {
	case 't':
		return Yes, d.literal("true")
	case 'f':
		return No, d.literal("false")
	case 'n':
		return Unset, d.null()
	case '"':
		b, err := d.string()
		if err != nil {
			return Unset, err
		}
		o, err := ParseOutcome(string(b))
		if err != nil {
			return Unset, errNotFast
		}
		return o, nil
	}
	return Unset, errNotFast
}

// num reads a [Num]: a number is known, null unknown.
func (d *accountDecoder) num() (Num, error) {
	if d.peek() == 'n' {
		return Num{}, d.null()
	}
	v, err := d.number()
	if err != nil {
		return Num{}, err
	}
	return N(v), nil
}

// float reads a float64; null is 0, as it leaves a zero field unchanged.
func (d *accountDecoder) float() (float64, error) {
	if d.peek() == 'n' {
		return 0, d.null()
	}
	return d.number()
}

// int reads an int; null is 0.
func (d *accountDecoder) int() (int, error) {
	if d.peek() == 'n' {
		return 0, d.null()
	}
	b, err := d.numberText()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(b), 10, strconv.IntSize)
	if err != nil {
		return 0, errNotFast
	}
	return int(n), nil
}

// bool reads a bool; null is false.
func (d *accountDecoder) bool() (bool, error) {
	switch d.peek() {
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return false, d.null()
	}
	return false, errNotFast
}

// time reads a time.Time as encoding/json does: the JSON string, quotes
// and escapes as they are, goes to [time.Time.UnmarshalJSON]; null leaves
// it zero.
func (d *accountDecoder) time() (time.Time, error) {
	var t time.Time
	switch d.peek() {
	case '"':
		start := d.pos
		if _, err := d.string(); err != nil {
			return t, err
		}
		raw := d.data[start:d.pos]
		if string(raw) == string(d.lastTimeRaw) && d.lastTimeRaw != nil {
			return d.lastTime, nil // records often repeat a time: usage by month
		}
		if t.UnmarshalJSON(raw) != nil {
			return time.Time{}, errNotFast
		}
		d.lastTimeRaw, d.lastTime = raw, t
		return t, nil
	case 'n':
		return t, d.null()
	}
	return t, errNotFast
}

// number reads a JSON number as a float64, as encoding/json does.
func (d *accountDecoder) number() (float64, error) {
	b, err := d.numberText()
	if err != nil {
		return 0, err
	}
	if v, ok := smallNumber(b); ok {
		return v, nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, errNotFast
	}
	return v, nil
}

// pow10 holds the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// smallNumber converts the commonest numbers, b a valid JSON number with no
// exponent and at most 15 digits, without strconv: their digits make an
// integer below 2⁵³ and their scale a power of ten up to 1e15, both exact
// in a float64, so one division rounds correctly, to what ParseFloat gives
// (Clinger's fast path: W. D. Clinger, "How to read floating point numbers
// accurately", PLDI 1990).
func smallNumber(b []byte) (float64, bool) {
	var m uint64
	digits, scale := 0, -1
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
		case c == '.':
			scale = i
		default:
			return 0, false // an exponent
		}
	}
	if digits > 15 {
		return 0, false
	}
	v := float64(m)
	if scale >= 0 {
		v /= pow10[len(b)-1-scale]
	}
	if neg {
		v = -v
	}
	return v, true
}

// numberText reads a JSON number and returns its text.
func (d *accountDecoder) numberText() ([]byte, error) {
	data, i := d.data, d.pos
	start := i
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data):
		return nil, errNotFast
	case data[i] == '0':
		i++
	case data[i] >= '1' && data[i] <= '9':
		i++
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	default:
		return nil, errNotFast
	}
	if i < len(data) && data[i] == '.' {
		i++
		j := i
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
		if i == j {
			return nil, errNotFast
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		j := i
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
		if i == j {
			return nil, errNotFast
		}
	}
	d.pos = i
	return data[start:i], nil
}

// key reads an object key and the colon after it, and returns the key's
// decoded bytes, valid until the next string is read.
func (d *accountDecoder) key() ([]byte, error) {
	if d.peek() != '"' {
		return nil, errNotFast
	}
	k, err := d.string()
	if err != nil {
		return nil, err
	}
	d.ws()
	if d.peek() != ':' {
		return nil, errNotFast
	}
	d.pos++
	d.ws()
	return k, nil
}

// next reads what follows a value in an object or array: a comma (more
// follows) or the closing end.
func (d *accountDecoder) next(end byte) (more bool, err error) {
	d.ws()
	switch d.peek() {
	case ',':
		d.pos++
		d.ws()
		return true, nil
	case end:
		d.pos++
		return false, nil
	}
	return false, errNotFast
}

func (d *accountDecoder) null() error { return d.literal("null") }

func (d *accountDecoder) literal(lit string) error {
	if len(d.data)-d.pos < len(lit) || string(d.data[d.pos:d.pos+len(lit)]) != lit {
		return errNotFast
	}
	d.pos += len(lit)
	return nil
}

// peek returns the byte at d.pos, or 0 at the end.
func (d *accountDecoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// ws skips JSON white space.
func (d *accountDecoder) ws() {
	if d.pos < len(d.data) && d.data[d.pos] > ' ' {
		return
	}
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// plain marks the bytes a JSON string holds as they are: printable ASCII
// but the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// string reads the JSON string at d.pos and returns its text as
// encoding/json decodes it: escapes resolved (a lone surrogate, or a \u
// escape of one, is U+FFFD) and invalid UTF-8 replaced by U+FFFD, byte by
// byte. The result is a slice of d.data or of d.buf, valid until the next
// string is read.
func (d *accountDecoder) string() ([]byte, error) {
	data := d.data
	start := d.pos + 1
	i := start
	for i+8 <= len(data) {
		if m := special8(binary.LittleEndian.Uint64(data[i:])); m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			break
		}
		i += 8
	}
	for i < len(data) && plain[data[i]] {
		i++
	}
	if i < len(data) && data[i] == '"' {
		d.pos = i + 1
		return data[start:i], nil
	}
	// lit is where the text not yet copied to out starts; while nothing
	// had to change, out is unused and the text is a slice of data.
	out, lit, changed := d.buf[:0], start, false
	for i < len(data) {
		c := data[i]
		switch {
		case plain[c]:
			i++
		case c == '"':
			d.pos = i + 1
			if !changed {
				return data[start:i], nil
			}
			out = append(out, data[lit:i]...)
			d.buf = out
			return out, nil
		case c == '\\':
			out, changed = append(out, data[lit:i]...), true
			if i+1 >= len(data) {
				return nil, errNotFast
			}
			i += 2
			switch data[i-1] {
			case '"', '\\', '/':
				out = append(out, data[i-1])
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(data[i:])
				if !ok {
					return nil, errNotFast
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+1 < len(data) && data[i] == '\\' && data[i+1] == 'u' {
						if v, ok := hex4(data[i+2:]); ok {
							r2 = v
						}
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						out = utf8.AppendRune(out, dec)
						i += 6
					} else {
						out = utf8.AppendRune(out, utf8.RuneError)
					}
				} else {
					out = utf8.AppendRune(out, r)
				}
			default:
				return nil, errNotFast
			}
			lit = i
		case c < 0x20:
			return nil, errNotFast
		default: // a byte ≥ 0x80
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				out, changed = append(out, data[lit:i]...), true
				out = utf8.AppendRune(out, utf8.RuneError)
				lit = i + 1
			}
			i += size
		}
	}
	return nil, errNotFast // no closing quote
}

// special8 returns, of the 8 bytes in x (the first in its low byte), a
// mask whose lowest set bit is the high bit of the first byte that is not
// plain, or 0 when all are plain. It tests the bytes together (S. E.
// Anderson, "Bit Twiddling Hacks": "Determine if a word has a byte less
// than n"): a byte below 0x20, a quote or a backslash, or one with its high
// bit set. The borrows can set bits above the first such byte, never below.
func special8(x uint64) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q := x ^ (lo * '"')
	b := x ^ (lo * '\\')
	return ((x - lo*0x20) | (q-lo)&^q | (b-lo)&^b | x) & hi
}

// hex4 reads the four hexadecimal digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// intern returns b as a string in the arena, which only ever grows: a
// string handed out is never written again, and when the arena is full a
// new one starts, the strings in the old one keeping it alive.
func (d *accountDecoder) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if d.arena.Cap()-d.arena.Len() < len(b) {
		d.arena = strings.Builder{}
		// Strings are about a fifth of a full account's encoding, and
		// cannot be more than what is left of it but for invalid UTF-8,
		// which grows as it is replaced; a short arena starts another.
		d.arena.Grow(max(len(b), (len(d.data)-d.pos)/4, 128))
	}
	n := d.arena.Len()
	d.arena.Write(b)
	return d.arena.String()[n:]
}
