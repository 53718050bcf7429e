package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// splitter cuts a CSV stream into whole records without parsing their
// fields, so that the records can be parsed on several cores. A line break
// ends a record unless it is inside a quoted field; quotes are read as
// encoding/csv reads them (a field is quoted when it starts with '"', and
// "" inside it is a quote). A row that is not valid CSV is cut where
// encoding/csv would cut it too, so that its reader reports it.
type splitter struct {
	r     *bufio.Reader
	comma byte
	// The state of the quote scanner between calls and pieces of a line.
	fieldStart, inQuote, quoteSeen bool
}

func newSplitter(r io.Reader, comma byte) *splitter {
	return &splitter{r: bufio.NewReaderSize(r, 1<<20), comma: comma, fieldStart: true}
}

// appendRecord appends the next record's bytes, with its final line break
// (added when the input lacks one), to dst. It returns the physical lines
// the record spans, and io.EOF when there is no record left.
func (s *splitter) appendRecord(dst []byte) ([]byte, int, error) {
	lines := 0
	read := false
	for {
		piece, err := s.r.ReadSlice('\n')
		if len(piece) > 0 {
			read = true
			dst = append(dst, piece...)
			if s.inQuote || bytes.IndexByte(piece, '"') >= 0 {
				s.scan(piece)
			} else {
				s.fieldStart = piece[len(piece)-1] == '\n' || piece[len(piece)-1] == s.comma
			}
		}
		switch {
		case err == nil: // a line break
			lines++
			if !s.inQuote {
				return dst, lines, nil
			}
		case errors.Is(err, bufio.ErrBufferFull):
			// a line longer than the buffer: go on with its next piece
		case err == io.EOF:
			if !read {
				return dst, 0, io.EOF
			}
			s.fieldStart, s.inQuote, s.quoteSeen = true, false, false
			return append(dst, '\n'), lines + 1, nil
		default:
			return dst, lines, err
		}
	}
}

// scan moves the quote scanner over b.
func (s *splitter) scan(b []byte) {
	for _, c := range b {
		if s.inQuote {
			if s.quoteSeen {
				s.quoteSeen = false
				if c == '"' { // "" is a quote inside the field
					continue
				}
				s.inQuote = false // the quote closed the field; c follows it
			} else {
				if c == '"' {
					s.quoteSeen = true
				}
				continue
			}
		}
		if c == '"' && s.fieldStart {
			s.inQuote, s.fieldStart = true, false
			continue
		}
		s.fieldStart = c == s.comma || c == '\n'
	}
}
