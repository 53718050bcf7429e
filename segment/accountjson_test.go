package segment

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// strictAccount decodes data as strict decoding did before
// DecodeAccountJSON: a json.Decoder with DisallowUnknownFields into a zero
// Account, and nothing but white space after it.
func strictAccount(data []byte) (Account, error) {
	var a Account
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return Account{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return Account{}, errors.New("data after the account")
	}
	return a, nil
}

// fastOnly runs the scanner alone: nil when it decodes data itself,
// errNotFast when it leaves data to encoding/json.
func fastOnly(data []byte) (Account, error) {
	var a Account
	d := accountDecoder{data: data}
	err := d.document(&a)
	return a, err
}

// sameAccount asserts that got is want: equal values, nil and empty slices
// and maps told apart, and the same JSON (which tells -0 from 0).
func sameAccount(t *testing.T, want, got Account, msg ...any) {
	t.Helper()
	wj, err := json.Marshal(want)
	require.NoError(t, err, msg...)
	gj, err := json.Marshal(got)
	require.NoError(t, err, msg...)
	assert.Equal(t, string(wj), string(gj), msg...)
	assert.True(t, reflect.DeepEqual(want, got), "%v: values differ:\nwant %+v\ngot  %+v", msg, want, got)
}

func TestDecodeAccountJSONCases(t *testing.T) {
	const tm = `"2024-01-02T03:04:05Z"`
	cases := []struct {
		name string
		in   string
		fast bool // the scanner decodes it itself
	}{
		{"minimal", `{"id":"a"}`, true},
		{"empty object", `{}`, true},
		{"null", `null`, true},
		{"white space", " \t\r\n{ \"id\" :\t\"a\" ,\n\"name\" : \"b\" }\r\n ", true},
		{"every field", `{"id":"A-1","name":"Acme","industry":"Software","naics":"541511","sic":"7372",
			"employees":1200,"revenue":2.5e7,"currency":"USD","growth":-0.05,"founded":1999,"country":"US",
			"region":"CA","city":"San Jose","type":"B2B","stage":"customer","technologies":["AWS","Excel"],
			"channel":"partner","lead_grade":"A","orders":[{"id":"o1","time":` + tm + `,"amount":10.5,
			"quantity":3,"product_line":"Platform","discount":1.25,"margin":4,"return":true}],
			"subscriptions":[{"id":"s1","plan":"Pro","start":` + tm + `,"end":"2025-01-02T00:00:00Z","monthly":99,"seats":5}],
			"usage":[{"time":` + tm + `,"metric":"logins","value":7},{"time":` + tm + `,"metric":"seats_used","value":3}],
			"events":[{"time":` + tm + `,"kind":"support_ticket","topic":"sso","channel":"email","text":"cannot log in"}],
			"survey":{"nps":9,"importance_cost":4},"converted":true,"churned":false,
			"numbers":{"intent_score":55.5},"text":{"territory":"West"}}`, true},
		{"zero numbers", `{"id":"a","employees":0,"revenue":-0,"growth":-0.0,"founded":0}`, true},
		{"exponents", `{"id":"a","employees":1E+2,"revenue":1.5e-7,"growth":-2e0,"numbers":{"x":0.1e-5,"y":123456789012345678901234567890,"z":1e308,"w":4.9e-324,"v":1e-400}}`, true},
		{"long fractions", `{"id":"a","numbers":{"p":0.1306080270584397,"q":8.483549654841509,"r":0.30000000000000004,"s":123456789.123456789,"t":-0.000001}}`, true},
		{"escapes", `{"id":"a\"b\\c\/d\b\f\n\r\te","name":"\u00e9\u20AC\u0000\u001f"}`, true},
		{"surrogate pair", `{"id":"\ud83d\ude00x"}`, true},
		{"lone high surrogate", `{"id":"\ud83dx","name":"\ud83d"}`, true},
		{"high surrogate then letter", `{"id":"\ud83d\u0041"}`, true},
		{"lone low surrogate", `{"id":"\ude00"}`, true},
		{"high high low", `{"id":"\ud83d\ud83d\ude00"}`, true},
		{"invalid UTF-8", "{\"id\":\"a\xffb\",\"name\":\"\xe2\x82\",\"city\":\"\xed\xa0\x80\",\"region\":\"\xc0\xaf\"}", true},
		{"valid UTF-8", `{"id":"São Paulo €","name":"日本 😀","text":{"ключ":"значение"}}`, true},
		{"U+2028 and U+FFFD", "{\"id\":\"a\u2028b\ufffd\"}", true},
		{"nulls", `{"id":"a","name":null,"employees":null,"founded":null,"type":null,"stage":null,
			"technologies":null,"orders":null,"subscriptions":null,"usage":null,"events":null,"survey":null,
			"converted":null,"churned":null,"numbers":null,"text":null}`, true},
		{"nulls in records", `{"id":"a","orders":[{"id":null,"time":null,"amount":null,"quantity":null,
			"margin":null,"return":null}],"subscriptions":[{"start":null,"end":null,"seats":null}]}`, true},
		{"null elements", `{"id":"a","orders":[null,{"amount":1}],"technologies":[null,"x"],"usage":[null],"events":[null]}`, true},
		{"null map values", `{"id":"a","survey":{"q":null},"text":{"k":null},"numbers":{"n":1,"n":null}}`, true},
		{"empty lists and maps", `{"id":"a","orders":[],"technologies":[],"survey":{},"text":{},"events":[ ]}`, true},
		{"repeated map keys", `{"id":"a","survey":{"q":1,"q":2},"text":{"k":"x","k":"y"}}`, true},
		{"escaped key", `{"\u0069d":"a","na\u006de":"b"}`, true},
		{"escaped map key", `{"id":"a","survey":{"q\u00e9\n":1,"\ud800":2}}`, true},
		{"outcome strings", `{"id":"a","converted":"yes","churned":" N "}`, true},
		{"outcome empty string", `{"id":"a","converted":""}`, true},
		{"type and stage names", `{"id":"a","type":"business","stage":"Client"}`, true},
		{"type and stage empty", `{"id":"a","type":"","stage":"unknown"}`, true},
		{"time zones", `{"id":"a","usage":[{"time":"2024-01-02T03:04:05.123456789+02:00","metric":"m","value":1},
			{"time":"2024-01-02T03:04:05.123456789+02:00","metric":"m","value":2},{"time":"2024-01-02T03:04:05-00:00","metric":"m","value":3}]}`, true},
		{"negative founded", `{"id":"a","founded":-5}`, true},
		{"long strings", `{"id":"` + strings.Repeat("x", 300) + `","name":"` + strings.Repeat("é\\n", 200) + `"}`, true},

		// encoding/json decides these; the first ones decode.
		{"key in another case", `{"ID":"a","Employees":3}`, false},
		{"repeated key", `{"id":"a","id":"b"}`, false},
		{"repeated list", `{"id":"a","orders":[{"amount":1},{"amount":2}],"orders":[{"amount":3}]}`, false},
		{"repeated map", `{"id":"a","survey":{"q":1},"survey":{"r":2}}`, false},
		{"repeated record key", `{"id":"a","usage":[{"metric":"a","metric":"b"}]}`, false},
		{"record key in another case", `{"id":"a","orders":[{"Amount":1}]}`, false},
		{"kelvin sign key", `{"id":"a","\u212aind":1}`, false},

		// Errors.
		{"empty", ``, false},
		{"blank", " \n\t", false},
		{"not JSON", `not json`, false},
		{"array", `[{"id":"a"}]`, false},
		{"string", `"a"`, false},
		{"number", `1`, false},
		{"unknown field", `{"id":"a","employes":5}`, false},
		{"unknown record field", `{"id":"a","orders":[{"amout":1}]}`, false},
		{"data after", `{"id":"a"} {"id":"b"}`, false},
		{"garbage after", `{"id":"a"}x`, false},
		{"truncated", `{"id":"a"`, false},
		{"truncated string", `{"id":"a`, false},
		{"trailing comma", `{"id":"a",}`, false},
		{"missing colon", `{"id" "a"}`, false},
		{"single quotes", `{'id':'a'}`, false},
		{"control byte", "{\"id\":\"a\x01\"}", false},
		{"bad escape", `{"id":"a\x"}`, false},
		{"bad unicode escape", `{"id":"\u12g4"}`, false},
		{"short unicode escape", `{"id":"\u12"}`, false},
		{"leading zero", `{"id":"a","employees":01}`, false},
		{"bare fraction", `{"id":"a","employees":.5}`, false},
		{"trailing dot", `{"id":"a","employees":1.}`, false},
		{"plus sign", `{"id":"a","employees":+1}`, false},
		{"minus alone", `{"id":"a","employees":-}`, false},
		{"empty exponent", `{"id":"a","employees":1e}`, false},
		{"NaN", `{"id":"a","employees":NaN}`, false},
		{"overflow", `{"id":"a","employees":1e400}`, false},
		{"overflow in map", `{"id":"a","survey":{"q":-1e309}}`, false},
		{"fractional year", `{"id":"a","founded":1999.0}`, false},
		{"exponent year", `{"id":"a","founded":2e3}`, false},
		{"huge year", `{"id":"a","founded":9223372036854775808}`, false},
		{"number as string", `{"id":"a","employees":"5"}`, false},
		{"string as number", `{"id":5}`, false},
		{"bool as string", `{"id":"a","orders":[{"return":"true"}]}`, false},
		{"object as list", `{"id":"a","orders":{}}`, false},
		{"list as map", `{"id":"a","survey":[]}`, false},
		{"string in map", `{"id":"a","survey":{"q":"4"}}`, false},
		{"number in text map", `{"id":"a","text":{"k":4}}`, false},
		{"nested list", `{"id":"a","technologies":[["x"]]}`, false},
		{"number element", `{"id":"a","orders":[1]}`, false},
		{"bad outcome", `{"id":"a","converted":"maybe"}`, false},
		{"number outcome", `{"id":"a","converted":1}`, false},
		{"bad type", `{"id":"a","type":"B2X"}`, false},
		{"number type", `{"id":"a","type":1}`, false},
		{"bool stage", `{"id":"a","stage":true}`, false},
		{"date only", `{"id":"a","orders":[{"time":"2024-01-02"}]}`, false},
		{"escaped time", `{"id":"a","orders":[{"time":"2024\u002d01-02T03:04:05Z"}]}`, false},
		{"number time", `{"id":"a","orders":[{"time":1}]}`, false},
		{"bad hour", `{"id":"a","orders":[{"time":"2024-01-02T25:04:05Z"}]}`, false},
		{"literal typo", `{"id":"a","name":nul}`, false},
		{"true typo", `{"id":"a","converted":tru}`, false},
		{"deep", `{"id":"a","text":{"k":{"k":{"k":[[[[]]]]}}}}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := []byte(c.in)
			want, werr := strictAccount(data)
			var got Account
			got.Name = "stale" // DecodeAccountJSON starts from the zero Account
			err := DecodeAccountJSON(data, &got)
			if werr != nil {
				require.Error(t, err, "encoding/json: %v", werr)
				assert.ErrorIs(t, err, ErrInvalidAccount)
				var fe *FieldError
				assert.True(t, errors.As(err, &fe), "error %v (%T) is not a *FieldError", err, err)
				assert.Equal(t, Account{}, got)
			} else {
				require.NoError(t, err)
				sameAccount(t, want, got)
			}
			fast, ferr := fastOnly(data)
			if c.fast {
				require.NoError(t, ferr, "the scanner leaves it to encoding/json")
				sameAccount(t, want, fast)
			} else {
				assert.ErrorIs(t, ferr, errNotFast, "the scanner decodes it")
			}
		})
	}
}

// The errors are those strict decoding gave, field paths included.
func TestDecodeAccountJSONErrors(t *testing.T) {
	for in, want := range map[string]struct{ id, field, err string }{
		`{"id":"A4","orders":[{"time":"2024-01-02T00:00:00Z","amout":10}]}`: {"A4", "orders[0].amout", "is not a field of the account's JSON encoding"},
		`{"id":"A5","employees":"many"}`:                                    {"A5", "employees", `segment: "many" is not a number`},
		`{"id":"A6","founded":1.5}`:                                         {"A6", "founded", "is a JSON number 1.5, not a int"},
		`{"id":"A8"} {"id":"A9"}`:                                           {"A8", "", "has data after the account, from byte 12"},
		`{"id":"A7","name":"x"`:                                             {"", "", "unexpected EOF"},
		`not json`:                                                          {"", "", "is not valid JSON at byte 2: invalid character 'o' in literal null (expecting 'u')"},
		"":                                                                  {"", "", "is empty, not a JSON object"},
		`{"id":"A3","type":"B2X"}`:                                          {"A3", "type", `segment: "B2X" is not a customer type (B2B, B2C or B2G)`},
		`{"id":"A2","survey":{"q":"4"}}`:                                    {"A2", "survey[q]", "is a JSON string, not a float64"},
		`{"id":"A1","usage":[{"value":1e999}]}`:                             {"A1", "usage[0].value", "is a JSON number 1e999, not a float64"},
	} {
		var a Account
		err := DecodeAccountJSON([]byte(in), &a)
		var fe *FieldError
		require.True(t, errors.As(err, &fe), "%s: error %v is not a *FieldError", in, err)
		assert.Equal(t, want.id, fe.AccountID, in)
		assert.Equal(t, 0, fe.Row, in)
		assert.Equal(t, want.field, fe.Field, in)
		assert.Equal(t, want.err, fe.Err.Error(), in)
		if in != "" {
			assert.Equal(t, decodeAccountStrict([]byte(in), new(Account)).Error(), err.Error(), in)
		}
	}
}

// The strings decoded do not alias the input, which the caller may reuse.
func TestDecodeAccountJSONNoAlias(t *testing.T) {
	in := `{"id":"A-1","name":"Acme","technologies":["AWS"],"events":[{"time":"2024-01-02T00:00:00Z","kind":"call","text":"notes \u00e9"}],"text":{"k":"v"},"survey":{"q":1}}`
	data := []byte(in)
	var a Account
	require.NoError(t, DecodeAccountJSON(data, &a))
	want, err := strictAccount([]byte(in))
	require.NoError(t, err)
	for i := range data {
		data[i] = 'X'
	}
	sameAccount(t, want, a)
}

// The scanner's scratch, pooled between calls, never leaks from one
// account into the next.
func TestDecodeAccountJSONReuse(t *testing.T) {
	big := `{"id":"a","orders":[{"amount":1},{"amount":2},{"amount":3}],"technologies":["x","y"],"survey":{"q":1,"r":2}}`
	small := `{"id":"b","orders":[{"amount":9}],"technologies":["z"],"survey":{"s":3}}`
	for range 3 {
		for _, in := range []string{big, small} {
			var a Account
			require.NoError(t, DecodeAccountJSON([]byte(in), &a))
			want, err := strictAccount([]byte(in))
			require.NoError(t, err)
			sameAccount(t, want, a, in)
		}
	}
}

// special8 finds the first byte that is not plain in every position.
func TestSpecial8(t *testing.T) {
	for pos := range 8 {
		for c := range 256 {
			var w [8]byte
			for i := range w {
				w[i] = 'a'
			}
			w[pos] = byte(c)
			x := uint64(0)
			for i := 7; i >= 0; i-- {
				x = x<<8 | uint64(w[i])
			}
			m := special8(x)
			if plain[c] {
				assert.Zero(t, m, "byte %#x at %d", c, pos)
			} else {
				require.NotZero(t, m, "byte %#x at %d", c, pos)
				assert.Equal(t, pos*8+7, bitsTrailing(m), "byte %#x at %d", c, pos)
			}
			assert.Equal(t, c >= 0x80 || !htmlSafe[c], escapes8(string(w[:])), "byte %#x at %d", c, pos)
		}
	}
	// Special bytes after the first do not hide it.
	x := uint64(0)
	for i, c := range []byte{'a', 0x01, '"', 0xff, '\\', 0x00, 'b', '<'} {
		x |= uint64(c) << (8 * i)
	}
	assert.Equal(t, 15, bitsTrailing(special8(x)))
}

func bitsTrailing(m uint64) int {
	n := 0
	for m&1 == 0 {
		m >>= 1
		n++
	}
	return n
}

// smallNumber agrees with strconv.ParseFloat on the numbers it takes.
func TestSmallNumber(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "-1", "0.1", "0.30000000000000004", "123456789012345",
		"999999999999999", "0.000000000000001", "6327.74", "-0.083333", "1.5", "100.25", "9007199254740993",
		"1234567890123456", "1e5", "0.1234567890123456"} {
		want, err := parseFloat(s)
		require.NoError(t, err)
		if v, ok := smallNumber([]byte(s)); ok {
			assert.Equal(t, want, v, s)
			assert.Equal(t, signbit(want), signbit(v), s)
			assert.LessOrEqual(t, len(strings.TrimLeft(s, "-")), 16, s)
		} else {
			assert.True(t, len(s) > 15 || strings.ContainsAny(s, "eE"), "%s goes to ParseFloat", s)
		}
	}
}

func signbit(f float64) bool { return (f < 0) || (f == 0 && 1/f < 0) }

func parseFloat(s string) (float64, error) {
	var f float64
	err := json.Unmarshal([]byte(s), &f)
	return f, err
}

// Times keep their zone, as encoding/json decodes them.
func TestDecodeAccountJSONTimeZone(t *testing.T) {
	var a Account
	require.NoError(t, DecodeAccountJSON([]byte(`{"id":"a","usage":[{"time":"2024-01-02T03:04:05+02:00","metric":"m","value":1},{"time":"2024-01-02T03:04:05+02:00","metric":"m","value":1}]}`), &a))
	require.Len(t, a.Usage, 2)
	_, off := a.Usage[1].Time.Zone()
	assert.Equal(t, 2*3600, off)
	assert.True(t, a.Usage[0].Time.Equal(time.Date(2024, 1, 2, 1, 4, 5, 0, time.UTC)))
}
