package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/strataseg/strata/segment"
)

// batchChunk is the number of lines a batch reads before it hands them to
// the workers; while they decode, assign and encode one chunk, the handler
// reads the next.
const batchChunk = 128

// batchItem is one line of a batch and its answer line. The buffers are
// kept from chunk to chunk.
type batchItem struct {
	row  int
	line []byte // the line, trimmed; empty for a blank line
	err  error  // the reader's error for the line (too long)
	out  []byte
	bad  bool
}

// chunk is a batch's lines on their way through the workers.
type chunk struct {
	items []batchItem
	n     int
	done  sync.WaitGroup
}

func (c *chunk) add(row int, line []byte, err error) *batchItem {
	if c.n == len(c.items) {
		c.items = append(c.items, batchItem{})
	}
	it := &c.items[c.n]
	c.n++
	it.row, it.err, it.bad = row, err, false
	it.line = it.line[:0]
	if len(line) > 0 {
		it.line = append(it.line, line...)
	}
	return it
}

// batch assigns JSON Lines: one account per line in, one line per line out,
// in order, streamed. A bad line (not JSON, an unknown field, a bad value,
// a blank line) gets an error line naming its line number and field; the
// stream goes on. All lines of a batch use the same model.
//
// The handler only cuts the body into lines (segment.JSONLReader's
// ReadLine, which numbers them and enforces the line limit): batchChunk lines at a time go
// to GOMAXPROCS workers, which decode, assign and encode them, while the
// handler reads the next chunk; the chunks' answers are written in order.
func (s *service) batch(w http.ResponseWriter, r *http.Request) {
	if !s.checkType(w, r, "application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/json", "text/plain") {
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.EnableFullDuplex() // answer lines while the body still streams in
	deadline := time.Now().Add(s.cfg.BatchTimeout)
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline)
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBatchBody)
	rd, err := segment.NewJSONLReader(body, segment.JSONLOptions{MaxLineBytes: int(s.cfg.MaxBody)})
	if err != nil {
		s.writeError(w, r, &apiError{status: http.StatusInternalServerError, Error: err.Error()})
		return
	}
	l := s.current.Load()
	var (
		out     *bytesWriter
		started bool
		last    int // the last line read
		n, bad  int
		chunks  [2]chunk
		cur     = &chunks[0]
		running *chunk // the chunk the workers have, if any
	)
	start := func() {
		if started {
			return
		}
		started = true
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
		out = newBytesWriter(w)
	}
	finish := func() { // waits for the running chunk and writes its answers
		if running == nil {
			return
		}
		running.done.Wait()
		start()
		for i := range running.items[:running.n] {
			it := &running.items[i]
			_, _ = out.Write(it.out)
			if it.bad {
				bad++
			} else {
				n++
			}
		}
		running.n = 0
		running = nil
	}
	launch := func() { // hands cur to the workers and takes the other chunk
		if cur.n == 0 {
			return
		}
		finish()
		s.assignChunk(r, l, cur)
		running = cur
		if cur == &chunks[0] {
			cur = &chunks[1]
		} else {
			cur = &chunks[0]
		}
	}
	for {
		line, rerr := rd.ReadLine()
		if rerr == io.EOF {
			break
		}
		if rerr != nil && !errors.Is(rerr, segment.ErrInvalidAccount) {
			err = rerr // an I/O error: the body is too large, or the client went away
			break
		}
		last = rd.Row()
		cur.add(last, line, rerr)
		if cur.n == batchChunk {
			launch()
		}
	}
	launch()
	finish()
	if err != nil {
		status, msg := http.StatusBadRequest, "reading body: "+err.Error()
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status, msg = http.StatusRequestEntityTooLarge, fmt.Sprintf("body is larger than %d bytes; stopped after line %d", s.cfg.MaxBatchBody, last)
		}
		if !started {
			s.writeError(w, r, &apiError{status: status, Error: msg})
			return
		}
		b, _ := encodeLine(&apiError{Line: last + 1, Error: msg})
		_, _ = out.Write(b)
		s.log.Warn("batch stopped", "request_id", requestID(r), "after_line", last, "error", err.Error())
	}
	start() // an empty body gets an empty 200 answer
	if err := out.flush(); err != nil {
		s.log.Warn("batch answer not delivered", "request_id", requestID(r), "error", err.Error())
	}
	setLogAttrs(r, slog.Int("lines", last), slog.Int("bad_lines", bad), slog.Int("accounts", n))
}

// assignChunk starts up to GOMAXPROCS goroutines that answer c's lines;
// c.done is released when all are answered.
func (s *service) assignChunk(r *http.Request, l *loaded, c *chunk) {
	workers := min(runtime.GOMAXPROCS(0), c.n)
	var next atomic.Int64
	c.done.Add(workers)
	for range workers {
		go func() {
			defer c.done.Done()
			for i := int(next.Add(1)) - 1; i < c.n; i = int(next.Add(1)) - 1 {
				s.assignLine(r, l, &c.items[i])
			}
		}()
	}
}

// assignLine answers one batch line. It recovers from a panic itself: it
// runs outside the handler's goroutine.
func (s *service) assignLine(r *http.Request, l *loaded, it *batchItem) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic", "request_id", requestID(r), "line", it.row, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			it.out, _ = encodeLine(&apiError{Line: it.row, Error: fmt.Sprintf("line %d: internal error, request %s", it.row, requestID(r))})
			it.bad = true
		}
	}()
	var e *apiError
	switch {
	case it.err != nil:
		clearRows(it.err) // the line number leads the message
		e = fromError(http.StatusBadRequest, it.err)
	case len(it.line) == 0:
		it.out, _ = encodeLine(&apiError{Line: it.row, Error: fmt.Sprintf("line %d is blank; want one account as JSON", it.row)})
		it.bad = true
		return
	default:
		var a segment.Account
		if err := decodeLine(it.line, &a); err != nil {
			clearRows(err) // the line number leads the message
			e = fromError(http.StatusBadRequest, err)
			break
		}
		var as segment.Assignment
		if as, e = s.assignOne(l, &a); e == nil {
			// {"line":N,"model":"…", then the assignment's fields: the
			// JSON of assignResponse, written without reflection.
			b := append(it.out[:0], `{"line":`...)
			b = strconv.AppendInt(b, int64(it.row), 10)
			b = append(b, `,"model":`...)
			b = strconv.AppendQuote(b, l.id)
			b = append(b, ',')
			mark := len(b)
			as = answer(as)
			b, err := segment.AppendAssignmentJSON(b, &as)
			if err == nil {
				copy(b[mark:], b[mark+1:]) // drop the assignment's own "{"
				it.out = append(b[:len(b)-1], '\n')
				return
			}
			e = &apiError{status: http.StatusInternalServerError, Error: "encoding the answer: " + err.Error(), AccountID: a.ID}
		}
	}
	if e.status >= 500 {
		s.log.Error("batch line not assigned", "request_id", requestID(r), "line", it.row, "error", e.Error)
	}
	e.Line, e.Error = it.row, fmt.Sprintf("line %d: %s", it.row, e.Error)
	it.out, _ = encodeLine(e)
	it.bad = true
}

// decodeLine decodes one batch line strictly into a and validates it,
// with strata's JSON decoder. A line that does not decode, or whose account
// is not valid, is read again by strata's JSON Lines reader, so that its
// error is the one the reader gives, naming the bad field by its path.
func decodeLine(line []byte, a *segment.Account) error {
	if segment.DecodeAccountJSON(line, a) == nil && a.Validate() == nil {
		return nil
	}
	*a = segment.Account{}
	rd, err := segment.NewJSONLReader(bytes.NewReader(line), segment.JSONLOptions{MaxLineBytes: len(line) + 1})
	if err != nil {
		return err
	}
	if _, err = rd.Read(); err == nil || err == io.EOF {
		return errors.New("account without id: the line decodes only on a second reading") // not reached: both readings are strict
	}
	return err
}

// encodeLine encodes v as one JSON line.
func encodeLine(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return b.Bytes(), err
}
