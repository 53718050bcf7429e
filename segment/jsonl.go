package segment

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"reflect"
	"strconv"
	"strings"
)

// DefaultMaxLineBytes is the longest JSON Lines line a [JSONLReader] reads
// when [JSONLOptions].MaxLineBytes is 0: 16 MiB.
const DefaultMaxLineBytes = 16 << 20

// JSONLOptions configures a [JSONLReader]. The zero value works.
type JSONLOptions struct {
	// MaxLineBytes is the longest line read, not counting the line break; a
	// longer line is an error for its line and the reader goes on with the
	// next. Zero means DefaultMaxLineBytes.
	MaxLineBytes int `json:"max_line_bytes,omitempty"`
}

// JSONLReader reads accounts from JSON Lines: one account per line, in the
// Account's own JSON encoding (as [WriteJSONL] and json.Marshal write it).
// It streams: memory grows with the longest line, not with the file.
//
// Decoding is strict: a field the Account does not have is an error naming
// it by its path ("orders[2].amout"), as is a value of the wrong type, or
// anything after the account on its line. As with encoding/json, keys match
// field names ignoring case, and of a repeated key the last wins. Lines that
// are empty or white
// space are skipped but counted, so that Row is always the file's line
// number. A UTF-8 byte-order mark before the first line and "\r" before a
// line break are ignored.
//
// A JSONLReader is not safe for concurrent use.
type JSONLReader struct {
	br      *bufio.Reader
	max     int
	buf     []byte
	line    int
	started bool
	eof     error
	err     error
}

// NewJSONLReader returns a reader of the JSON Lines in r. It returns an
// error wrapping [ErrInvalidConfig] for a negative MaxLineBytes.
func NewJSONLReader(r io.Reader, opts JSONLOptions) (*JSONLReader, error) {
	if opts.MaxLineBytes < 0 {
		return nil, fmt.Errorf("segment: jsonl options: max_line_bytes is %d, not ≥ 0: %w", opts.MaxLineBytes, ErrInvalidConfig)
	}
	max := opts.MaxLineBytes
	if max == 0 {
		max = DefaultMaxLineBytes
	}
	return &JSONLReader{br: bufio.NewReaderSize(r, 64<<10), max: max}, nil
}

// Read returns the account on the next non-blank line. At the end of the
// input it returns io.EOF. A line it cannot read returns a [*FieldError]
// whose Row is the line number (1-based) and whose Field is the JSON path of
// the bad value ("employees", "orders[2].time"; empty when the line is not
// JSON at all); an account that decodes but fails [Account.Validate] returns
// Validate's errors with Row set. The reader then goes on with the next
// line, so that non-blank lines read = accounts returned + lines in error.
// Only an I/O error from the underlying reader is returned as is, and it
// ends reading.
func (r *JSONLReader) Read() (Account, error) {
	for {
		line, err := r.ReadLine()
		if err != nil {
			return Account{}, err
		}
		if len(line) == 0 {
			continue
		}
		return decodeAccountLine(line, r.line)
	}
}

// ReadLine returns the next line without decoding it: without its line
// break (and a "\r" before it), white space trimmed, and empty for a blank
// line, which Read would skip. It serves a caller that decodes the lines
// elsewhere — on other goroutines, with [DecodeAccountJSON] — and keeps the
// reader's line numbers ([JSONLReader.Row]), limit and errors: a line longer
// than MaxLineBytes returns a [*FieldError] with its Row, as Read does, the
// end of the input io.EOF and an I/O error what Read returns. The slice is
// valid until the next call.
func (r *JSONLReader) ReadLine() ([]byte, error) {
	if r.eof != nil {
		return nil, r.eof
	}
	line, tooLong, err := r.next()
	if err != nil {
		if err == io.EOF {
			r.eof = io.EOF
		} else {
			r.eof = fmt.Errorf("segment: reading jsonl: %w", err)
		}
		return nil, r.eof
	}
	r.line++
	if tooLong {
		return nil, &FieldError{Row: r.line, Err: fmt.Errorf("line is longer than %d bytes", r.max)}
	}
	return bytes.TrimSpace(line), nil
}

// next returns the next line without its line break, reading past the
// limit without keeping what is read. It returns an error (io.EOF or an I/O
// error) only when there is no line; an I/O error inside a line drops it.
func (r *JSONLReader) next() (line []byte, tooLong bool, err error) {
	r.buf = r.buf[:0]
	read := false
	for {
		chunk, err := r.br.ReadSlice('\n')
		read = read || len(chunk) > 0
		if !tooLong {
			if len(r.buf)+len(chunk) > r.max+2 { // room for "\r\n"
				tooLong = true
				r.buf = r.buf[:0]
			} else {
				r.buf = append(r.buf, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && (err != io.EOF || !read) {
			return nil, false, err
		}
		break
	}
	if !r.started {
		r.started = true
		r.buf = bytes.TrimPrefix(r.buf, []byte("\ufeff"))
	}
	line = bytes.TrimSuffix(r.buf, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if tooLong || len(line) > r.max {
		return nil, true, nil
	}
	return line, false, nil
}

// Row returns the line number of the line the last Read returned an account
// or an error for; it counts blank lines.
func (r *JSONLReader) Row() int { return r.line }

// All returns an iterator over the remaining accounts that stops at the end
// of the input or at the first error, which [JSONLReader.Err] then returns.
// To skip bad lines and go on, call Read in a loop instead.
func (r *JSONLReader) All() iter.Seq[Account] {
	return func(yield func(Account) bool) {
		for {
			a, err := r.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				r.err = err
				return
			}
			if !yield(a) {
				return
			}
		}
	}
}

// Err returns the error that stopped [JSONLReader.All], or nil.
func (r *JSONLReader) Err() error { return r.err }

var accountType = reflect.TypeFor[Account]()

// decodeAccountLine decodes and validates one line's account.
func decodeAccountLine(line []byte, row int) (Account, error) {
	var a Account
	if err := DecodeAccountJSON(line, &a); err != nil {
		forEachFieldError(err, func(fe *FieldError) { fe.Row = row })
		return Account{}, err
	}
	if verr := a.Validate(); verr != nil {
		forEachFieldError(verr, func(fe *FieldError) { fe.Row = row })
		return Account{}, verr
	}
	return a, nil
}

// decodeAccountStrict decodes data into *a, a zero Account, with
// encoding/json, strictly. It returns a [*FieldError] (Row 0) naming the
// JSON path of the first value that does not decode. [DecodeAccountJSON]
// falls back to it for what its scanner does not handle.
func decodeAccountStrict(data []byte, a *Account) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(a)
	if err == nil {
		end := dec.InputOffset()
		if _, terr := dec.Token(); terr != io.EOF {
			return &FieldError{AccountID: a.ID, Err: fmt.Errorf("has data after the account, from byte %d", end+1)}
		}
		return nil
	}
	if err == io.EOF {
		return &FieldError{Err: errors.New("is empty, not a JSON object")}
	}
	fe := &FieldError{}
	var id struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(data, &id) == nil {
		_ = json.Unmarshal(id.ID, &fe.AccountID)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		fe.Err = fmt.Errorf("is not valid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
		return fe
	}
	if path, perr := locate(data, accountType, ""); perr != nil {
		fe.Field, fe.Err = path, perr
	} else {
		fe.Err = err
	}
	return fe
}

var errUnknownField = errors.New("is not a field of the account's JSON encoding")

// locate finds the first value in data, the JSON of a value of type t at
// path, that does not decode strictly: an unknown object key, a value of the
// wrong type or one its type's decoder refuses. It returns its path and the
// problem, or a nil error when everything decodes.
func locate(data []byte, t reflect.Type, path string) (string, error) {
	data = bytes.TrimSpace(data)
	pt := reflect.PointerTo(t)
	custom := pt.Implements(reflect.TypeFor[json.Unmarshaler]()) || pt.Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
	if custom || (t.Kind() != reflect.Struct && t.Kind() != reflect.Slice && t.Kind() != reflect.Map) || string(data) == "null" {
		if err := json.Unmarshal(data, reflect.New(t).Interface()); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return path, fmt.Errorf("is a JSON %s, not a %s", te.Value, t)
			}
			return path, err
		}
		return path, nil
	}
	switch t.Kind() {
	case reflect.Struct:
		dec := json.NewDecoder(bytes.NewReader(data))
		if data[0] != '{' {
			return path, fmt.Errorf("is %s, not an object", jsonKind(data))
		}
		// Walk the keys in order, so the first problem is the one reported.
		if _, err := dec.Token(); err != nil {
			return path, err
		}
		fields := jsonFields(t)
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return path, err
			}
			key, _ := tok.(string)
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return path, err
			}
			sub := key
			if path != "" {
				sub = path + "." + key
			}
			ft, ok := fields[key]
			if !ok {
				for name, f := range fields {
					if strings.EqualFold(name, key) {
						ft, ok = f, true
						break
					}
				}
			}
			if !ok {
				return sub, errUnknownField
			}
			if p, err := locate(raw, ft, sub); err != nil {
				return p, err
			}
		}
	case reflect.Slice:
		if data[0] != '[' {
			return path, fmt.Errorf("is %s, not an array", jsonKind(data))
		}
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return path, err
		}
		for i, it := range items {
			if p, err := locate(it, t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return p, err
			}
		}
	case reflect.Map:
		if data[0] != '{' {
			return path, fmt.Errorf("is %s, not an object", jsonKind(data))
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		if _, err := dec.Token(); err != nil {
			return path, err
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return path, err
			}
			key, _ := tok.(string)
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return path, err
			}
			if p, err := locate(raw, t.Elem(), path+"["+key+"]"); err != nil {
				return p, err
			}
		}
	}
	return path, nil
}

// jsonFields returns the JSON names of t's fields and their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func jsonKind(data []byte) string {
	switch data[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// WriteJSONL writes accts to w as JSON Lines, one account per line in its
// JSON encoding, which [JSONLReader] reads back to equal accounts. It walks
// accts once. Each account must pass [Account.Validate]; the first that
// does not stops the writing, and its errors are returned with Row set to
// its 1-based position (the line it would have had).
func WriteJSONL(w io.Writer, accts iter.Seq[Account]) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	n := 0
	for a := range accts {
		n++
		if err := a.Validate(); err != nil {
			forEachFieldError(err, func(fe *FieldError) { fe.Row = n })
			return err
		}
		if err := enc.Encode(&a); err != nil {
			return &FieldError{AccountID: a.ID, Row: n, Err: err}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("segment: writing jsonl: %w", err)
	}
	return nil
}
