package segment

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// HeaderError is a problem with a CSV file's header row, or with a
// [CSVMapping] that does not fit it: a mapped column the file lacks, a
// column two headers could be, no ID column. [NewCSVReader] returns it (or
// several, joined); no row is read after it.
type HeaderError struct {
	// Column names the column as the mapping or the header names it ("id"
	// when no ID column was found).
	Column string
	// Index is the column's 1-based position in the header, or 0 when the
	// file lacks it.
	Index int
	// Err is the problem.
	Err error
}

// Error reads like `segment: csv header: column "Employees" (3): is mapped to
// no field`.
func (e *HeaderError) Error() string {
	var b strings.Builder
	b.WriteString("segment: csv header")
	if e.Column != "" || e.Index > 0 {
		b.WriteString(": column ")
		b.WriteString(strconv.Quote(e.Column))
		if e.Index > 0 {
			b.WriteString(" (")
			b.WriteString(strconv.Itoa(e.Index))
			b.WriteString(")")
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying problem.
func (e *HeaderError) Unwrap() error { return e.Err }

// CSVReader reads accounts from a CSV file (RFC 4180, as encoding/csv reads
// it), one per data row, through a [CSVMapping]. It streams: memory does not
// grow with the file.
//
// Values are trimmed of surrounding white space. A blank value, or one of
// the mapping's blank markers, leaves its field unknown (an empty ID is an
// error). Values are read as follows; anything else is an error for the
// row, never a guess:
//   - Numbers: plain ("1200", "-0.5", "1.2e3"); with commas grouping exactly
//     three digits ("1,200", "1,234,567.89"); with a K, M, B or "bn" suffix
//     ("5.2M"). Revenue and custom numbers may start with one currency
//     symbol ($, US$, €, £, ¥), which is dropped: the currency comes from the
//     currency column. Growth and custom numbers may end in "%" (divided by
//     100); a growth without it is a fraction. Refused: NaN, ±Inf, hex, "1,5"
//     and "1.234.567" (ambiguous between conventions), negative employees or
//     revenue, growth below -100%.
//   - Employee and revenue ranges ("1001 - 5000", "5,001-10,000", "10001+",
//     "$1M-$10M") follow [CSVMapping].Ranges: by default the number stays
//     unknown and the range goes to Text["employees_range"] or
//     Text["revenue_range"].
//   - Founded: a year, "1911.0", or a date whose year is kept ("2001-03-15",
//     "3/15/2001", "15.03.2001", RFC 3339), which [Account.Validate] must
//     accept; 0 is unknown.
//   - Country: an ISO 3166-1 alpha-2 code in any case ("UK" reads as GB), a
//     name or alpha-3 code from the small built-in table ([CountryNames]),
//     or one from [CSVMapping].Countries; an unknown name is an error.
//   - NAICS (2–6 digits) and SIC (2–4 digits) codes, ".0" dropped; currency
//     as an ISO 4217 code in any case, or € or £.
//   - Technologies: split on ";", or on "," when there is no ";".
//   - Converted and Churned as [ParseOutcome]; Type as [ParseCustomerType];
//     Stage as [ParseLifecycle], also HubSpot's "Marketing Qualified Lead"
//     and "Sales Qualified Lead", read as lead.
//   - Custom text and unmapped columns keep the value as written (trimmed);
//     blank values are left out of the map.
//
// Every account returned passes [Account.Validate]. Duplicate IDs across
// rows are not detected: that would take memory growing with the file.
//
// A CSVReader is not safe for concurrent use.
type CSVReader struct {
	cr       *csv.Reader
	br       *bufio.Reader
	header   []string // as in the file, trimmed
	display  []string // the name errors use: header, or "column N"
	plans    []colPlan
	unmapped []int             // columns whose values go to Text
	textKey  []string          // by column: the Text key of an unmapped column
	fieldCol map[string]string // Account field (JSON name) → column name
	colOf    map[string]int    // column name → index
	idCol    int
	rowIDs   bool
	blanks   []string
	maxBlank int
	// blankASCII: every blank marker is ASCII, and blankLens[c] has bit n
	// set when a marker n bytes long starts with c (lower-cased).
	blankASCII   bool
	blankLens    [utf8.RuneSelf]uint64
	scale        float64
	ranges       RangePolicy
	country      string // default country code
	countryCache map[string]string
	m            CSVMapping

	rec  []string
	row  int
	line int
	// Lines: lineBase is the number of lines before the text read (see
	// Reset); crLines is the number of lines encoding/csv has read, and
	// fastLines those readFast has read (between the records encoding/csv
	// read), so that a line encoding/csv numbers L is line
	// lineBase+fastLines+L of the text.
	lineBase, crLines, fastLines int
	comma                        string // the separator, UTF-8 encoded
	fastRec                      []string
	eof                          error // io.EOF or the I/O error that ended reading
	err                          error // the error that stopped All
}

type colPlan struct {
	col int
	t   csvTarget
	key string // for tNumber and tText
}

// NewCSVReader reads the header row of r and resolves the mapping m against
// it. It returns an error wrapping [ErrInvalidConfig] for an invalid
// mapping, and [*HeaderError]s (joined when there are several) when the
// header does not fit it; a file without any row is a *HeaderError wrapping
// [ErrEmptyInput]. A UTF-8 byte-order mark before the header is skipped.
func NewCSVReader(r io.Reader, m CSVMapping) (*CSVReader, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	if m.Comma != "" {
		cr.Comma, _ = utf8.DecodeRuneInString(m.Comma)
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, &HeaderError{Err: fmt.Errorf("no header row: %w", ErrEmptyInput)}
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &HeaderError{Err: err}
		}
		return nil, fmt.Errorf("segment: reading csv header: %w", err)
	}
	cr.ReuseRecord = true
	rd := &CSVReader{cr: cr, br: br, idCol: -1, m: m, rowIDs: m.RowIDs, ranges: m.Ranges, scale: m.RevenueScale,
		countryCache: make(map[string]string), comma: string(cr.Comma), crLines: csvRecordEnd(cr, head)}
	if rd.scale == 0 {
		rd.scale = 1
	}
	if rd.ranges == "" {
		rd.ranges = RangeText
	}
	rd.m.Countries = maps.Clone(m.Countries)
	rd.blanks = slices.Clone(m.Blanks)
	if m.Blanks == nil {
		rd.blanks = DefaultBlanks()
	}
	rd.blankASCII = true
	for i, b := range rd.blanks {
		b = strings.TrimSpace(b)
		rd.blanks[i] = b
		rd.maxBlank = max(rd.maxBlank, len(b))
		rd.blankASCII = rd.blankASCII && isASCII(b)
		if b != "" && len(b) < 64 && b[0] < utf8.RuneSelf {
			rd.blankLens[lowerASCII(b[0])] |= 1 << len(b)
		}
	}
	rd.blankASCII = rd.blankASCII && rd.maxBlank < 64
	if m.DefaultCountry != "" {
		rd.country, _ = m.country(m.DefaultCountry)
	}
	if err := rd.resolve(head); err != nil {
		return nil, err
	}
	return rd, nil
}

// resolve maps the header's columns to targets.
func (r *CSVReader) resolve(head []string) error {
	n := len(head)
	r.header = make([]string, n)
	r.display = make([]string, n)
	norm := make([]string, n)
	for i, h := range head {
		r.header[i] = strings.TrimSpace(h)
		r.display[i] = r.header[i]
		if r.display[i] == "" {
			r.display[i] = "column " + strconv.Itoa(i+1)
		}
		norm[i] = normalizeHeader(h)
	}
	var errs []error
	claimed := make([]bool, n)
	ignored := make([]bool, n)
	for _, name := range r.m.Ignore {
		for i := range n {
			if r.header[i] == strings.TrimSpace(name) || norm[i] != "" && norm[i] == normalizeHeader(name) || name == "#"+strconv.Itoa(i+1) {
				ignored[i] = true
			}
		}
	}
	r.fieldCol = make(map[string]string)
	r.colOf = make(map[string]int, n)
	for i := n - 1; i >= 0; i-- {
		r.colOf[r.display[i]] = i
	}
	add := func(col int, t csvTarget, key string) {
		claimed[col] = true
		r.plans = append(r.plans, colPlan{col: col, t: t, key: key})
		switch t {
		case tNumber:
			r.fieldCol["numbers["+key+"]"] = r.display[col]
		case tText:
			r.fieldCol["text["+key+"]"] = r.display[col]
		default:
			r.fieldCol[fieldNames[t]] = r.display[col]
		}
		if t == tID {
			r.idCol = col
		}
	}
	cols := r.m.columns()
	// Explicit names first, so that defaults never take a named column.
	for t, name := range cols {
		if name == "" || name == "-" {
			continue
		}
		col, err := r.find(name, norm)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		add(col, csvTarget(t), "")
	}
	for _, k := range slicesSortedKeys(r.m.Numbers) {
		col, err := r.find(r.m.Numbers[k], norm)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		add(col, tNumber, k)
	}
	for _, k := range slicesSortedKeys(r.m.Text) {
		col, err := r.find(r.m.Text[k], norm)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		add(col, tText, k)
	}
	// Columns that WriteCSV names for custom attributes.
	numKeys := make(map[string]bool)
	for k := range r.m.Numbers {
		numKeys[k] = true
	}
	for i := range n {
		if claimed[i] || ignored[i] {
			continue
		}
		if k, ok := strings.CutPrefix(r.header[i], "numbers:"); ok && k != "" {
			if numKeys[k] {
				errs = append(errs, &HeaderError{Column: r.display[i], Index: i + 1, Err: fmt.Errorf("would go to numbers[%q], as another column does", k)})
				continue
			}
			numKeys[k] = true
			add(i, tNumber, k)
		} else if k, ok := strings.CutPrefix(r.header[i], "text:"); ok && k != "" {
			add(i, tText, k)
		}
	}
	for t, name := range cols {
		if name != "" {
			continue
		}
		for _, alias := range defaultHeaders[t] {
			var found []int
			for i := range n {
				if norm[i] == alias && !claimed[i] && !ignored[i] {
					found = append(found, i)
				}
			}
			if len(found) > 1 {
				errs = append(errs, &HeaderError{Column: r.display[found[1]], Index: found[1] + 1,
					Err: fmt.Errorf("could hold %s as well as column %d; map %s explicitly", fieldNames[t], found[0]+1, fieldNames[t])})
				break
			}
			if len(found) == 1 {
				add(found[0], csvTarget(t), "")
				break
			}
		}
	}
	if r.idCol < 0 && !r.rowIDs {
		errs = append(errs, &HeaderError{Column: "id", Err: errors.New("no ID column found; map one (CSVMapping.ID), or set RowIDs to use the row number")})
	}
	// Text keys must be unique, or a value would overwrite another.
	textCols := make(map[string]string)
	useKey := func(key, col string) {
		if prev, dup := textCols[key]; dup {
			errs = append(errs, &HeaderError{Column: col, Err: fmt.Errorf("would go to text[%q], as column %q does", key, prev)})
			return
		}
		textCols[key] = col
	}
	for _, p := range r.plans {
		if p.t == tText {
			useKey(p.key, r.display[p.col])
		}
	}
	r.textKey = make([]string, n)
	for i := range n {
		if claimed[i] || ignored[i] {
			continue
		}
		switch r.m.Unmapped {
		case UnmappedIgnore:
		case UnmappedError:
			errs = append(errs, &HeaderError{Column: r.display[i], Index: i + 1, Err: errors.New("is mapped to no field (Unmapped is \"error\")")})
		default:
			r.unmapped = append(r.unmapped, i)
			r.textKey[i] = r.display[i]
			useKey(r.display[i], r.display[i])
		}
	}
	return errors.Join(errs...)
}

func slicesSortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// find returns the column a mapping names: by exact header, by "#N", or by
// normalized header.
func (r *CSVReader) find(name string, norm []string) (int, error) {
	name = strings.TrimSpace(name)
	var found []int
	for i, h := range r.header {
		if h == name {
			found = append(found, i)
		}
	}
	if len(found) == 0 && strings.HasPrefix(name, "#") {
		if k, err := strconv.Atoi(name[1:]); err == nil {
			if k < 1 || k > len(r.header) {
				return 0, &HeaderError{Column: name, Err: fmt.Errorf("the file has %d columns", len(r.header))}
			}
			return k - 1, nil
		}
	}
	if len(found) == 0 {
		if key := normalizeHeader(name); key != "" {
			for i, h := range norm {
				if h == key {
					found = append(found, i)
				}
			}
		}
	}
	switch len(found) {
	case 0:
		return 0, &HeaderError{Column: name, Err: errors.New("is not in the file")}
	case 1:
		return found[0], nil
	}
	return 0, &HeaderError{Column: name, Index: found[1] + 1, Err: fmt.Errorf("matches columns %d and %d", found[0]+1, found[1]+1)}
}

// Read returns the account of the next data row. At the end of the file it
// returns io.EOF. A row it cannot read returns a [*FieldError] (or several,
// joined with errors.Join, one per bad column) whose Row is the data row
// (1-based, the header not counted), whose Field is the column's header and
// whose AccountID is the row's ID where it was read; the reader then goes on
// with the next row, so that rows read = accounts returned + rows in error.
// A row that is not valid CSV (a stray quote) gets a FieldError with an
// empty Field whose Err, a *csv.ParseError, gives the line and character.
// A row with fewer fields than the header is an error naming the first
// missing column; extra fields are an error unless blank. The accounts
// returned pass [Account.Validate]. Only an I/O error from the underlying
// reader is returned as is, and it ends reading.
func (r *CSVReader) Read() (Account, error) {
	if r.eof != nil {
		return Account{}, r.eof
	}
	if rec, ok := r.readFast(); ok {
		r.row++
		r.rec = rec
		r.line = r.lineBase + r.fastLines + r.crLines
		return r.convert(rec)
	}
	rec, err := r.cr.Read()
	if err != nil {
		if err == io.EOF {
			r.eof = io.EOF
			r.rec = nil
			return Account{}, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			r.crLines = pe.Line // the rest of that line is skipped
			pe.StartLine += r.lineBase + r.fastLines
			pe.Line += r.lineBase + r.fastLines
			r.row++
			r.line = pe.StartLine
			r.rec = nil
			return Account{}, &FieldError{Row: r.row, Err: err}
		}
		r.eof = fmt.Errorf("segment: reading csv: %w", err)
		r.rec = nil
		return Account{}, r.eof
	}
	r.row++
	r.rec = rec
	r.line, _ = r.cr.FieldPos(0)
	r.line += r.lineBase + r.fastLines
	r.crLines = csvRecordEnd(r.cr, rec)
	return r.convert(rec)
}

// csvRecordEnd returns the line (as cr numbers them) where the record rec,
// which cr just read, ends: where its last field begins, plus the line
// breaks inside that field (a quoted field keeps one "\n" for each).
func csvRecordEnd(cr *csv.Reader, rec []string) int {
	last := len(rec) - 1
	line, _ := cr.FieldPos(last)
	return line + strings.Count(rec[last], "\n")
}

// readFast reads the next record when it is a whole line already in the
// buffer with no quote in it, skipping empty lines before it, exactly as
// encoding/csv reads such a line: a final "\r\n" or "\n" is dropped and the
// fields are what the separators delimit. Any other record (a quote, a
// line not yet buffered, the end of the input or an error) is left to
// encoding/csv, reading from the same buffer: ok is false.
func (r *CSVReader) readFast() (rec []string, ok bool) {
	for {
		buf, _ := r.br.Peek(r.br.Buffered()) // no read: what is buffered
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			return nil, false
		}
		line := buf[:i]
		if i > 0 && line[i-1] == '\r' {
			line = line[:i-1]
		}
		if len(line) == 0 { // encoding/csv skips an empty line
			_, _ = r.br.Discard(i + 1)
			r.fastLines++
			continue
		}
		if bytes.IndexByte(line, '"') >= 0 {
			return nil, false
		}
		s := string(line) // one allocation for the record's fields, as encoding/csv makes
		_, _ = r.br.Discard(i + 1)
		r.fastLines++
		rec = r.fastRec[:0]
		if len(r.comma) == 1 {
			c, start := r.comma[0], 0
			for j := 0; j < len(s); j++ {
				if s[j] == c {
					rec = append(rec, s[start:j])
					start = j + 1
				}
			}
			s = s[start:]
		} else {
			for {
				j := strings.Index(s, r.comma)
				if j < 0 {
					break
				}
				rec = append(rec, s[:j])
				s = s[j+len(r.comma):]
			}
		}
		rec = append(rec, s)
		r.fastRec = rec
		return rec, true
	}
}

// Reset makes r read the data rows of src, a CSV text without a header
// row whose columns are those of the header r was made with, so that a
// large file cut into pieces of whole rows can be read by one reader per
// goroutine without reading the header and resolving the mapping again for
// each piece. The rows of src are read exactly as [CSVReader.Read] reads
// them after a header; Row counts from 0 again (the first row of src is
// row 1), and lines, the number of lines before src's first line, is added
// to the lines Line returns and a *csv.ParseError gives (pass the header's
// line count to get the lines of the header followed by src). src is read
// from its first byte: a byte-order mark is not skipped. An error that
// stopped All is cleared.
//
// For example, with the header on line 1 of a file and a piece of it that
// begins on line 1001 ([bytes.Reader] over the piece's bytes):
//
//	r.Reset(piece, 1000) // r.Line() is 1001 for the piece's first row
func (r *CSVReader) Reset(src io.Reader, lines int) {
	if r.br == nil {
		r.br = bufio.NewReaderSize(src, 64<<10)
	} else {
		r.br.Reset(src)
	}
	cr := csv.NewReader(r.br)
	cr.Comma = r.cr.Comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	r.cr = cr
	r.lineBase, r.crLines, r.fastLines = lines, 0, 0
	r.rec, r.row, r.line = nil, 0, 0
	r.eof, r.err = nil, nil
}

// Row returns the data row number (1-based, the header not counted) of the
// row the last Read read, good or bad; it is also the number of rows read.
func (r *CSVReader) Row() int { return r.row }

// Line returns the line of the file (1-based, the header is line 1) where
// the row the last Read read begins; a quoted field may span lines.
func (r *CSVReader) Line() int { return r.line }

// Header returns a copy of the header row, each name trimmed.
func (r *CSVReader) Header() []string { return slices.Clone(r.header) }

// Record returns the raw fields of the row the last Read read, to copy them
// to an output next to the segments assigned. The slice is reused by the
// next Read; copy it to keep it. It is nil after a row that was not valid
// CSV and at the end of the file.
func (r *CSVReader) Record() []string { return r.rec }

// All returns an iterator over the remaining accounts for callers that want
// every row good, such as a Segmenter's Fit: it stops at the end of the file
// or at the first error, which [CSVReader.Err] then returns. To skip bad
// rows and go on, call Read in a loop instead.
func (r *CSVReader) All() iter.Seq[Account] {
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

// Err returns the error that stopped [CSVReader.All], or nil if it reached
// the end of the file (or was not used).
func (r *CSVReader) Err() error { return r.err }

func (r *CSVReader) blank(v string) bool {
	if v == "" {
		return true
	}
	if len(v) > r.maxBlank {
		return false
	}
	if r.blankASCII && isASCII(v) {
		// Two ASCII strings are equal under Unicode case folding when they
		// have the same length and are equal ignoring ASCII case.
		if r.blankLens[lowerASCII(v[0])]&(1<<len(v)) == 0 {
			return false
		}
		for _, b := range r.blanks {
			if len(b) == len(v) && strings.EqualFold(v, b) {
				return true
			}
		}
		return false
	}
	for _, b := range r.blanks {
		if strings.EqualFold(v, b) {
			return true
		}
	}
	return false
}

// isASCII reports whether s holds ASCII bytes only.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// trimSpace is strings.TrimSpace, quicker for a value that neither starts
// nor ends with white space or a byte of a multi-byte character.
func trimSpace(s string) string {
	if trimmed(s) {
		return s
	}
	return trimSpaceSlow(s)
}

// trimmed reports whether s is non-empty and starts and ends with ASCII
// bytes that are not white space, so that strings.TrimSpace keeps it whole.
func trimmed(s string) bool {
	return s != "" && edgeASCII[s[0]] && edgeASCII[s[len(s)-1]]
}

// edgeASCII holds the bytes that are ASCII and not white space: a value
// that starts and ends with one is trimmed already.
var edgeASCII = func() (t [256]bool) {
	for c := '!'; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	return t
}()

// trimSpaceSlow trims ASCII white space, then leaves what is left to
// strings.TrimSpace when it starts or ends with a multi-byte character.
func trimSpaceSlow(s string) string {
	for len(s) > 0 && asciiSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && asciiSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && (s[0] >= utf8.RuneSelf || s[len(s)-1] >= utf8.RuneSelf) {
		return strings.TrimSpace(s)
	}
	return s
}

// asciiSpace reports whether c is an ASCII byte unicode.IsSpace accepts.
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// convert turns one record into an account.
func (r *CSVReader) convert(rec []string) (Account, error) {
	var a Account
	var errs []error
	var errCols []int
	bad := func(col int, err error) {
		errs = append(errs, &FieldError{Row: r.row, Field: r.display[col], Err: err})
		errCols = append(errCols, col)
	}
	if r.idCol >= 0 && r.idCol < len(rec) {
		a.ID = trimSpace(rec[r.idCol])
	} else if r.idCol < 0 {
		a.ID = strconv.Itoa(r.row)
	}
	if len(rec) < len(r.header) {
		errs = append(errs, &FieldError{AccountID: a.ID, Row: r.row, Field: r.display[len(rec)],
			Err: fmt.Errorf("is missing: the row has %d fields, the header %d", len(rec), len(r.header))})
		return Account{}, errs[0]
	}
	for i := len(r.header); i < len(rec); i++ {
		if trimSpace(rec[i]) != "" {
			return Account{}, &FieldError{AccountID: a.ID, Row: r.row, Field: "column " + strconv.Itoa(i+1),
				Err: fmt.Errorf("is %q, beyond the header's %d columns", rec[i], len(r.header))}
		}
	}
	var empRange, revRange string
	var empCol, revCol int
	for _, p := range r.plans {
		v := rec[p.col]
		if !trimmed(v) {
			v = trimSpaceSlow(v)
		}
		if r.blank(v) {
			if p.t == tID {
				bad(p.col, errors.New("is empty"))
			}
			continue
		}
		var err error
		switch p.t {
		case tID:
			a.ID = v
		case tName:
			a.Name = v
		case tIndustry:
			a.Industry = v
		case tNAICS:
			a.NAICS, err = classCode(v, "NAICS", 2, 6)
		case tSIC:
			a.SIC, err = classCode(v, "SIC", 2, 4)
		case tEmployees:
			a.Employees, empRange, err = r.amount(v, false, 1)
			empCol = p.col
		case tRevenue:
			a.Revenue, revRange, err = r.amount(v, true, r.scale)
			revCol = p.col
		case tCurrency:
			a.Currency, err = currencyCode(v)
		case tGrowth:
			var g float64
			if g, err = parseNumber(v, false, true); err == nil {
				a.Growth = N(g)
			}
		case tFounded:
			a.Founded, err = parseYear(v)
		case tCountry:
			// An upper-case ISO code reads as itself; m.country checks
			// two-letter codes before any name.
			c, ok := v, len(v) == 2 && v[0] >= 'A' && v[0] <= 'Z' && v[1] >= 'A' && v[1] <= 'Z' && isISOAlpha2(v)
			if !ok {
				c, ok = r.countryCache[v]
			}
			if !ok {
				c, ok = r.m.country(v)
				if ok && len(r.countryCache) < 4096 {
					r.countryCache[strings.Clone(v)] = c
				}
			}
			if !ok {
				err = fmt.Errorf("is %q, not a known country (give an ISO 3166-1 alpha-2 code, or add the name to CSVMapping.Countries)", v)
			}
			a.Country = c
		case tRegion:
			a.Region = v
		case tCity:
			a.City = v
		case tType:
			switch v { // the spellings ParseCustomerType reads most often
			case "B2B":
				a.Type = B2B
				continue
			case "B2C":
				a.Type = B2C
				continue
			case "B2G":
				a.Type = B2G
				continue
			}
			if a.Type, err = ParseCustomerType(v); err != nil {
				err = fmt.Errorf("is %q, not a customer type (B2B, B2C or B2G)", v)
			}
		case tStage:
			a.Stage, err = parseStage(v)
		case tTechnologies:
			a.Technologies = splitTechnologies(v)
		case tChannel:
			a.Channel = v
		case tLeadGrade:
			a.LeadGrade = v
		case tConverted, tChurned:
			o, perr := ParseOutcome(v)
			if perr != nil {
				err = fmt.Errorf("is %q, not an outcome (yes or no)", v)
			}
			if p.t == tConverted {
				a.Converted = o
			} else {
				a.Churned = o
			}
		case tNumber:
			var x float64
			if x, err = parseNumber(v, true, true); err == nil {
				if a.Numbers == nil {
					a.Numbers = make(map[string]float64)
				}
				a.Numbers[p.key] = x
			}
		case tText:
			setText(&a, p.key, v)
		}
		if err != nil {
			bad(p.col, err)
		}
	}
	if a.Country == "" && r.country != "" {
		a.Country = r.country
	}
	for _, i := range r.unmapped {
		if v := trimSpace(rec[i]); !r.blank(v) {
			setText(&a, r.textKey[i], v)
		}
	}
	for _, rg := range [...]struct {
		key, v string
		col    int
	}{{"employees_range", empRange, empCol}, {"revenue_range", revRange, revCol}} {
		if rg.v == "" {
			continue
		}
		if _, taken := a.Text[rg.key]; taken {
			bad(rg.col, fmt.Errorf("is the range %q, but text[%q] is taken by another column", rg.v, rg.key))
			continue
		}
		setText(&a, rg.key, rg.v)
	}
	// What parsing leaves to check (negative counts, implausible years) is
	// Validate's, with its fields named by their columns here.
	if err := a.Validate(); err != nil {
		forEachFieldError(err, func(fe *FieldError) {
			for _, e := range errs {
				if e.(*FieldError).Field == r.fieldCol[fe.Field] {
					return // the column has its error already
				}
			}
			if c, ok := r.fieldCol[fe.Field]; ok {
				fe.Field = c
			}
			fe.Row = r.row
			errs = append(errs, fe)
			errCols = append(errCols, r.colOf[fe.Field])
		})
	}
	if len(errs) == 0 {
		return a, nil
	}
	// Report the problems in the order of the columns.
	order := make([]int, len(errs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return errCols[i] - errCols[j] })
	sorted := make([]error, len(errs))
	for k, i := range order {
		fe := errs[i].(*FieldError)
		fe.AccountID = a.ID
		sorted[k] = fe
	}
	return Account{}, joinErrors(sorted)
}

// amount reads an employee count or a revenue, which may be a range.
// With RangeText, a range is returned as rangeText and the number is
// unknown.
func (r *CSVReader) amount(v string, money bool, scale float64) (n Num, rangeText string, err error) {
	x, err := parseNumber(v, money, false)
	if err == nil {
		return N(x * scale), "", nil
	}
	l, h, ok := parseRange(v, money)
	if !ok {
		if _, _, _, isRange := splitRange(v); !isRange {
			return Num{}, "", err
		}
		return Num{}, "", fmt.Errorf("is %q, neither a number nor a range of two numbers ≥ 0", v)
	}
	switch r.ranges {
	case RangeLower:
		return N(l * scale), "", nil
	case RangeMid:
		return N((l + h) / 2 * scale), "", nil
	}
	return Num{}, v, nil
}

// parseRange reads a range of two numbers ≥ 0, or an open one ("10001+",
// whose upper bound is then its lower).
func parseRange(v string, money bool) (lo, hi float64, ok bool) {
	los, his, open, ok := splitRange(v)
	if !ok {
		return 0, 0, false
	}
	l, lerr := parseNumber(los, money, false)
	h := l
	var herr error
	if !open {
		h, herr = parseNumber(his, money, false)
	}
	if lerr != nil || herr != nil || l > h || l < 0 {
		return 0, 0, false
	}
	return l, h, true
}

func setText(a *Account, key, v string) {
	if a.Text == nil {
		a.Text = make(map[string]string)
	}
	a.Text[key] = v
}

// classCode reads an industry classification code: digits only, from min
// to max of them ("5415", "541511"). Spreadsheet tools write codes as
// numbers: a trailing ".0" is dropped.
func classCode(v, system string, minLen, maxLen int) (string, error) {
	v = strings.TrimSuffix(v, ".0")
	ok := len(v) >= minLen && len(v) <= maxLen
	for i := 0; ok && i < len(v); i++ {
		ok = v[i]-'0' <= 9 // a byte of a multi-byte character is no digit either
	}
	if !ok {
		return "", fmt.Errorf("is %q, not a %s code (%d to %d digits)", v, system, minLen, maxLen)
	}
	return v, nil
}

// currencyCode reads an ISO 4217 code in any case, or one of the symbols
// that name a single currency (€, £).
func currencyCode(v string) (string, error) {
	switch v {
	case "€":
		return "EUR", nil
	case "£":
		return "GBP", nil
	}
	if len(v) == 3 {
		up := strings.ToUpper(v)
		if up[0] >= 'A' && up[0] <= 'Z' && up[1] >= 'A' && up[1] <= 'Z' && up[2] >= 'A' && up[2] <= 'Z' {
			return up, nil
		}
	}
	return "", fmt.Errorf("is %q, not an ISO 4217 currency code", v)
}

// forEachFieldError calls f for each *FieldError in err, a *FieldError or a
// join of them.
func forEachFieldError(err error, f func(*FieldError)) {
	if fe, ok := err.(*FieldError); ok {
		f(fe)
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			forEachFieldError(e, f)
		}
	}
}

// CSVWriteOptions configures [WriteCSV]. The zero value writes the
// Account's scalar fields only.
type CSVWriteOptions struct {
	// Numbers lists the keys of Account.Numbers to write, each in a column
	// headed "numbers:KEY".
	Numbers []string `json:"numbers,omitempty"`
	// Text lists the keys of Account.Text to write, each in a column headed
	// "text:KEY".
	Text []string `json:"text,omitempty"`
	// Comma is the field separator, one character; "" means ",".
	Comma string `json:"comma,omitempty"`
}

// csvColumns are the headers WriteCSV writes for the scalar fields; a zero
// CSVMapping reads each back into its field.
var csvColumns = [nFields]string{
	"id", "name", "industry", "naics", "sic", "employees", "revenue", "currency", "growth", "founded",
	"country", "region", "city", "customer_type", "stage", "technologies", "channel", "lead_grade", "converted", "churned",
}

// WriteCSV writes accts to w as CSV with a header row: the Account's scalar
// fields under their JSON names (customer_type for Type), then the custom
// attributes opts lists. A [CSVReader] with a zero [CSVMapping] reads the
// file back to equal accounts, as long as no text value is one of the
// blank markers or has surrounding white space (the reader trims it).
// Unknown values are written blank; numbers in Go's shortest form; growth as
// a fraction; outcomes as "yes"/"no"; technologies joined with "; " (with a
// final ";" for a single item that holds a comma). An unknown employee count
// or revenue whose range the reader kept in Text ("employees_range",
// "revenue_range") is written as that range, in its column.
//
// It walks accts once. Nothing is dropped silently: an account that fails
// [Account.Validate], holds records (orders, subscriptions, usage, events,
// survey answers), a custom attribute opts does not list, or a technology
// containing ";" stops the writing with a [*FieldError] whose Row is the
// account's 1-based position. Write them as JSON Lines instead.
func WriteCSV(w io.Writer, accts iter.Seq[Account], opts CSVWriteOptions) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	if opts.Comma != "" {
		c, n := utf8.DecodeRuneInString(opts.Comma)
		if n != len(opts.Comma) || c == 0 || c == utf8.RuneError || c == '\r' || c == '\n' || c == '"' {
			return fmt.Errorf("segment: csv write options: comma is %q, not one character other than a quote or line break: %w", opts.Comma, ErrInvalidConfig)
		}
		cw.Comma = c
	}
	numbers := slices.Clone(opts.Numbers)
	text := slices.Clone(opts.Text)
	rec := make([]string, 0, int(nFields)+len(numbers)+len(text))
	rec = append(rec, csvColumns[:]...)
	for _, k := range numbers {
		rec = append(rec, "numbers:"+k)
	}
	for _, k := range text {
		rec = append(rec, "text:"+k)
	}
	if err := cw.Write(rec); err != nil {
		return fmt.Errorf("segment: writing csv: %w", err)
	}
	num := func(n Num) string {
		if v, ok := n.Get(); ok {
			return strconv.FormatFloat(v, 'g', -1, 64)
		}
		return ""
	}
	outcome := func(o Outcome) string {
		if o.Known() {
			return o.String()
		}
		return ""
	}
	row := 0
	for a := range accts {
		row++
		if err := a.Validate(); err != nil {
			forEachFieldError(err, func(fe *FieldError) { fe.Row = row })
			return err
		}
		refuse := func(field, format string, args ...any) error {
			return &FieldError{AccountID: a.ID, Row: row, Field: field, Err: fmt.Errorf(format, args...)}
		}
		switch {
		case len(a.Orders) > 0:
			return refuse("orders", "has no CSV column; write JSON Lines")
		case len(a.Subscriptions) > 0:
			return refuse("subscriptions", "has no CSV column; write JSON Lines")
		case len(a.Usage) > 0:
			return refuse("usage", "has no CSV column; write JSON Lines")
		case len(a.Events) > 0:
			return refuse("events", "has no CSV column; write JSON Lines")
		case len(a.Survey) > 0:
			return refuse("survey", "has no CSV column; write JSON Lines")
		}
		for _, k := range slices.Sorted(maps.Keys(a.Numbers)) {
			if !slices.Contains(numbers, k) {
				return refuse("numbers["+k+"]", "has no column; list the key in CSVWriteOptions.Numbers")
			}
		}
		// A range read into Text goes back to its column.
		employees, revenue := num(a.Employees), num(a.Revenue)
		folded := func(k string) bool {
			switch {
			case k == "employees_range" && employees == "":
				_, _, ok := parseRange(a.Text[k], false)
				return ok
			case k == "revenue_range" && revenue == "":
				_, _, ok := parseRange(a.Text[k], true)
				return ok
			}
			return false
		}
		for _, k := range slices.Sorted(maps.Keys(a.Text)) {
			if folded(k) && !slices.Contains(text, k) {
				if k == "employees_range" {
					employees = a.Text[k]
				} else {
					revenue = a.Text[k]
				}
				continue
			}
			if !slices.Contains(text, k) {
				return refuse("text["+k+"]", "has no column; list the key in CSVWriteOptions.Text")
			}
		}
		var tech string
		for _, t := range a.Technologies {
			if strings.Contains(t, ";") {
				return refuse("technologies", "holds %q, which contains \";\", the separator", t)
			}
		}
		tech = strings.Join(a.Technologies, "; ")
		if len(a.Technologies) == 1 && strings.Contains(tech, ",") {
			tech += ";"
		}
		founded := ""
		if a.Founded != 0 {
			founded = strconv.Itoa(a.Founded)
		}
		typ, stage := "", ""
		if a.Type != TypeUnknown {
			typ = a.Type.String()
		}
		if a.Stage != StageUnknown {
			stage = a.Stage.String()
		}
		rec = append(rec[:0], a.ID, a.Name, a.Industry, a.NAICS, a.SIC, employees, revenue, a.Currency,
			num(a.Growth), founded, a.Country, a.Region, a.City, typ, stage, tech, a.Channel, a.LeadGrade,
			outcome(a.Converted), outcome(a.Churned))
		for _, k := range numbers {
			if v, ok := a.Numbers[k]; ok {
				rec = append(rec, strconv.FormatFloat(v, 'g', -1, 64))
			} else {
				rec = append(rec, "")
			}
		}
		for _, k := range text {
			rec = append(rec, a.Text[k])
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("segment: writing csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("segment: writing csv: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("segment: writing csv: %w", err)
	}
	return nil
}
