package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/strataseg/strata/firmographic"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// config is the service's configuration.
type config struct {
	// ModelPath is the model file, read at start and on each reload.
	ModelPath string
	// MaxBody is the largest body of /v1/assign and the longest line of a
	// batch, in bytes.
	MaxBody int64
	// MaxBatchBody is the largest body of /v1/assign/batch, in bytes.
	MaxBatchBody int64
	// BatchTimeout bounds the reading and the writing of one batch; it
	// replaces the server's ReadTimeout and WriteTimeout for batches.
	BatchTimeout time.Duration
	// DrainTimeout bounds the wait for requests in flight at shutdown.
	DrainTimeout time.Duration
	// Logger receives the structured logs.
	Logger *slog.Logger
	// AccessLog logs one line per request.
	AccessLog bool
}

func defaultConfig() config {
	return config{
		MaxBody:      1 << 20,
		MaxBatchBody: 256 << 20,
		BatchTimeout: 5 * time.Minute,
		DrainTimeout: 30 * time.Second,
		Logger:       slog.New(slog.NewJSONHandler(os.Stderr, nil)),
		AccessLog:    true,
	}
}

// loaded is one model as the service serves it, swapped as a whole.
type loaded struct {
	model    segment.Model
	id       string // the first 12 hex digits of the file's SHA-256
	loadedAt time.Time
	segments []byte // the body of GET /v1/segments
	// bare and bareLean are the answers of the bare baseline: the
	// assignments of the first sample account and of its lean form.
	bare, bareLean assignResponse
}

// service serves one model at a time and swaps in a new one on reload.
type service struct {
	cfg       config
	log       *slog.Logger
	seg       segment.Segmenter
	current   atomic.Pointer[loaded]
	reloadMu  sync.Mutex // one reload at a time
	countries map[string]bool
	canaries  []segment.Account
	idPrefix  string
	nextID    atomic.Uint64
}

func newService(c config) (*service, error) {
	s, err := newSegmenter(nil)
	if err != nil {
		return nil, err
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	var p [4]byte
	_, _ = rand.Read(p[:])
	svc := &service{cfg: c, log: c.Logger, seg: s, countries: map[string]bool{}, idPrefix: hex.EncodeToString(p[:]) + "-"}
	for _, k := range firmographic.Countries() {
		svc.countries[k.Code] = true
	}
	// Canaries: a new account must assign under any model the service
	// accepts; the first is also the account whose assignment the bare
	// baseline answers with.
	svc.canaries = append(segmenttest.Accounts(1, sampleSeed), segmenttest.Accounts(16, 77)...)
	svc.canaries = append(svc.canaries, segment.Account{ID: "canary-blank"})
	l, err := svc.load()
	if err != nil {
		return nil, err
	}
	svc.current.Store(l)
	svc.log.Info("model loaded", "model", l.id, "path", c.ModelPath, "segments", len(l.model.Segments()))
	return svc, nil
}

// load reads, decodes and checks the model file.
func (s *service) load() (*loaded, error) {
	data, err := os.ReadFile(s.cfg.ModelPath)
	if err != nil {
		return nil, fmt.Errorf("reading model: %w", err)
	}
	m, err := s.seg.DecodeModel(data)
	if err != nil {
		return nil, fmt.Errorf("decoding model %s: %w", s.cfg.ModelPath, err)
	}
	sum := sha256.Sum256(data)
	l := &loaded{model: m, id: hex.EncodeToString(sum[:6]), loadedAt: time.Now().UTC()}
	for i := range s.canaries {
		as, err := m.Assign(&s.canaries[i])
		if err != nil {
			return nil, fmt.Errorf("model %s refuses canary account %q: %w", l.id, s.canaries[i].ID, err)
		}
		if i == 0 {
			l.bare = assignResponse{Model: l.id, Assignment: answer(as)}
			lean := leanAccount(s.canaries[0])
			if as, err = m.Assign(&lean); err != nil {
				return nil, fmt.Errorf("model %s refuses canary account %q without histories: %w", l.id, lean.ID, err)
			}
			l.bareLean = assignResponse{Model: l.id, Assignment: answer(as)}
		}
	}
	if l.segments, err = json.Marshal(struct {
		Model    string            `json:"model"`
		LoadedAt time.Time         `json:"loaded_at"`
		Segments []segment.Segment `json:"segments"`
	}{l.id, l.loadedAt, m.Segments()}); err != nil {
		return nil, fmt.Errorf("encoding the segments of model %s: %w", l.id, err)
	}
	return l, nil
}

// reload loads the model file again and swaps it in; on error the model in
// service stays. Requests in flight finish with the model they started with.
func (s *service) reload(source string) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	old := s.current.Load()
	l, err := s.load()
	if err != nil {
		s.log.Error("reload refused; the old model stays", "source", source, "model", old.id, "error", err.Error())
		return err
	}
	s.current.Store(l)
	s.log.Info("model reloaded", "source", source, "old", old.id, "model", l.id, "segments", len(l.model.Segments()))
	return nil
}

// assignResponse is the answer for one account: the model that made it and
// the assignment, whose Parts hold each layer's.
// answer is the assignment as the service answers it: a layered
// assignment's scores and reasons are those of its parts, so they are sent
// once, with each part, and not again at the top.
func answer(as segment.Assignment) segment.Assignment {
	if len(as.Parts) > 0 {
		as.Scores, as.Reasons = nil, nil
	}
	return as
}

type assignResponse struct {
	Line  int    `json:"line,omitempty"`
	Model string `json:"model"`
	segment.Assignment
}

// apiError is an error answer: a status and a JSON body naming the field
// when there is one.
type apiError struct {
	status    int
	Line      int    `json:"line,omitempty"`
	Error     string `json:"error"`
	Field     string `json:"field,omitempty"`
	AccountID string `json:"account_id,omitempty"`
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, Error: fmt.Sprintf(format, args...)}
}

// fromError makes an apiError of an account's error, naming the first bad
// field.
func fromError(status int, err error) *apiError {
	e := &apiError{status: status, Error: err.Error()}
	if fe, ok := errors.AsType[*segment.FieldError](err); ok {
		e.Field, e.AccountID = fe.Field, fe.AccountID
	}
	return e
}

// handler returns the API's handler.
func (s *service) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/assign", s.assign)
	mux.HandleFunc("POST /v1/bare", s.bare)
	mux.HandleFunc("POST /v1/assign/batch", s.batch)
	mux.HandleFunc("GET /v1/segments", s.segments)
	mux.HandleFunc("GET /healthz", s.health)
	return s.middleware(mux)
}

// adminHandler returns the admin listener's handler.
func (s *service) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/reload", func(w http.ResponseWriter, r *http.Request) {
		if err := s.reload("admin"); err != nil {
			s.writeError(w, r, &apiError{status: http.StatusUnprocessableEntity, Error: err.Error()})
			return
		}
		l := s.current.Load()
		writeJSON(w, http.StatusOK, map[string]any{"model": l.id, "loaded_at": l.loadedAt, "segments": len(l.model.Segments())})
	})
	mux.HandleFunc("GET /healthz", s.health)
	return s.middleware(mux)
}

// buffers pools request and response buffers.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { b := buffers.Get().(*bytes.Buffer); b.Reset(); return b }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 4<<20 {
		buffers.Put(b)
	}
}

// checkType answers 415 unless the request's Content-Type, when given, is
// one of want.
func (s *service) checkType(w http.ResponseWriter, r *http.Request, want ...string) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		for _, t := range want {
			if mt == t {
				return true
			}
		}
	}
	s.writeError(w, r, &apiError{status: http.StatusUnsupportedMediaType,
		Error: fmt.Sprintf("content type %q is not accepted here; send %s", ct, want[0])})
	return false
}

// readBody reads the whole body, up to MaxBody.
func (s *service) readBody(w http.ResponseWriter, r *http.Request, buf *bytes.Buffer) *apiError {
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return &apiError{status: http.StatusRequestEntityTooLarge, Error: fmt.Sprintf("body is larger than %d bytes", s.cfg.MaxBody)}
	}
	return badRequest("reading body: %v", err)
}

// decodeAccount decodes one account strictly: an unknown field, a value of
// the wrong type, NaN or Inf, or anything after the account is an error
// naming the field's path.
func decodeAccount(body []byte, a *segment.Account) *apiError {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return badRequest("body is empty; send one account as JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(a)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return badRequest("body has data after the account, from byte %d", dec.InputOffset()+1)
		}
		return nil
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return badRequest("body is truncated: unexpected end of JSON input at byte %d", len(body))
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return badRequest("body is not valid JSON at byte %d: %v", se.Offset, se)
	}
	// Name the field: strata's JSON Lines reader locates the bad value by
	// its path. Only errors take this way.
	var line bytes.Buffer
	if json.Compact(&line, body) == nil {
		if r, rerr := segment.NewJSONLReader(&line, segment.JSONLOptions{MaxLineBytes: line.Len() + 1}); rerr == nil {
			if _, lerr := r.Read(); lerr != nil {
				if fe, ok := errors.AsType[*segment.FieldError](lerr); ok {
					fe.Row = 0
					return fromError(http.StatusBadRequest, fe)
				}
			}
		}
	}
	return badRequest("body: %v", err)
}

// checkCountry refuses a country that is not an ISO 3166-1 alpha-2 code:
// methods would read it as unknown, and the CRM should hear of it.
func (s *service) checkCountry(a *segment.Account) *apiError {
	if a.Country == "" || s.countries[a.Country] {
		return nil
	}
	return fromError(http.StatusBadRequest, &segment.FieldError{AccountID: a.ID, Field: "country",
		Err: fmt.Errorf("is %q, not an ISO 3166-1 alpha-2 country code (\"US\", \"DE\")", a.Country)})
}

// assignOne assigns a decoded account.
func (s *service) assignOne(l *loaded, a *segment.Account) (segment.Assignment, *apiError) {
	if e := s.checkCountry(a); e != nil {
		return segment.Assignment{}, e
	}
	as, err := l.model.Assign(a)
	if err == nil {
		return as, nil
	}
	if errors.Is(err, segment.ErrInvalidAccount) {
		return segment.Assignment{}, fromError(http.StatusBadRequest, err)
	}
	// The model refused a valid account: a bug, not the client's fault.
	return segment.Assignment{}, &apiError{status: http.StatusInternalServerError, Error: "the model cannot assign this account: " + err.Error(), AccountID: a.ID}
}

func (s *service) assign(w http.ResponseWriter, r *http.Request) {
	if !s.checkType(w, r, "application/json") {
		return
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if e := s.readBody(w, r, buf); e != nil {
		s.writeError(w, r, e)
		return
	}
	var a segment.Account
	if e := decodeAccount(buf.Bytes(), &a); e != nil {
		s.writeError(w, r, e)
		return
	}
	l := s.current.Load()
	as, e := s.assignOne(l, &a)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	s.writeResponse(w, r, &assignResponse{Model: l.id, Assignment: answer(as)})
}

// bare is the baseline for measuring: it reads and decodes the request as
// assign does and answers with a stored assignment of the same shape and
// size — the first sample account's, or its lean form's when the request
// has no histories — without assigning.
func (s *service) bare(w http.ResponseWriter, r *http.Request) {
	if !s.checkType(w, r, "application/json") {
		return
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if e := s.readBody(w, r, buf); e != nil {
		s.writeError(w, r, e)
		return
	}
	var a segment.Account
	if e := decodeAccount(buf.Bytes(), &a); e != nil {
		s.writeError(w, r, e)
		return
	}
	l := s.current.Load()
	resp := l.bare
	if a.Orders == nil && a.Subscriptions == nil && a.Usage == nil && a.Events == nil && a.Survey == nil {
		resp = l.bareLean // the sample account sent without its histories (sample -lean)
	}
	resp.AccountID = a.ID
	s.writeResponse(w, r, &resp)
}

// writeResponse encodes v as the 200 answer.
func (s *service) writeResponse(w http.ResponseWriter, r *http.Request, v any) {
	out := getBuffer()
	defer putBuffer(out)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.writeError(w, r, &apiError{status: http.StatusInternalServerError, Error: "encoding the answer: " + err.Error()})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(out.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out.Bytes())
}

func (s *service) segments(w http.ResponseWriter, r *http.Request) {
	l := s.current.Load()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(l.segments)
}

func (s *service) health(w http.ResponseWriter, r *http.Request) {
	l := s.current.Load()
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "model": l.id, "loaded_at": l.loadedAt, "segments": len(l.model.Segments())})
}

// bytesWriter buffers a streamed answer in 32 KiB chunks.
type bytesWriter struct {
	w   http.ResponseWriter
	buf []byte
	err error
}

func newBytesWriter(w http.ResponseWriter) *bytesWriter {
	return &bytesWriter{w: w, buf: make([]byte, 0, 32<<10)}
}

func (b *bytesWriter) Write(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	b.buf = append(b.buf, p...)
	if len(b.buf) >= 32<<10 {
		b.err = b.flush()
	}
	return len(p), b.err
}

func (b *bytesWriter) flush() error {
	if b.err != nil {
		return b.err
	}
	if len(b.buf) > 0 {
		if _, err := b.w.Write(b.buf); err != nil {
			return err
		}
		b.buf = b.buf[:0]
	}
	return http.NewResponseController(b.w).Flush()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"error":"encoding the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

func (s *service) writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	if e.status >= 500 {
		s.log.Error("request failed", "request_id", requestID(r), "path", r.URL.Path, "status", e.status, "error", e.Error)
	}
	setLogAttrs(r, slog.String("error", e.Error))
	writeJSON(w, e.status, e)
}

// listenAndServe serves the API on addr and the admin endpoints on admin
// until ctx is done, then drains the requests in flight.
func (s *service) listenAndServe(ctx context.Context, addr, admin string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	var aln net.Listener
	if admin != "" {
		if aln, err = net.Listen("tcp", admin); err != nil {
			ln.Close()
			return err
		}
	}
	return s.serve(ctx, ln, aln)
}

// newServer returns an http.Server with the service's timeouts.
func (s *service) newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second, // batches extend their own
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// serve serves on ln (and aln, the admin listener, unless nil) until ctx is
// done, then stops accepting and waits up to DrainTimeout for the requests
// in flight.
func (s *service) serve(ctx context.Context, ln, aln net.Listener) error {
	servers := []*http.Server{s.newServer(s.handler())}
	lns := []net.Listener{ln}
	if aln != nil {
		servers = append(servers, s.newServer(s.adminHandler()))
		lns = append(lns, aln)
		s.log.Info("listening", "addr", ln.Addr().String(), "admin", aln.Addr().String())
	} else {
		s.log.Info("listening", "addr", ln.Addr().String())
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(lns[i]) }()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc: // a listener failed: stop the other too
	}
	s.log.Info("shutting down; draining requests in flight", "timeout", s.cfg.DrainTimeout.String())
	dctx, cancel := context.WithTimeout(context.Background(), s.cfg.DrainTimeout)
	defer cancel()
	var serr []error
	for _, srv := range servers {
		serr = append(serr, srv.Shutdown(dctx))
	}
	if e := errors.Join(serr...); e != nil {
		s.log.Error("shutdown", "error", e.Error())
		return e
	}
	s.log.Info("stopped")
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// The request's log record: the middleware puts it in the context, and
// handlers add attributes to it.
type logRecordKey struct{}

type logRecord struct {
	id    string
	attrs []slog.Attr
}

func requestID(r *http.Request) string {
	if lr, ok := r.Context().Value(logRecordKey{}).(*logRecord); ok {
		return lr.id
	}
	return ""
}

func setLogAttrs(r *http.Request, attrs ...slog.Attr) {
	if lr, ok := r.Context().Value(logRecordKey{}).(*logRecord); ok {
		lr.attrs = append(lr.attrs, attrs...)
	}
}

// recorder remembers the status and size of an answer.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// validID reports whether a client's X-Request-Id is safe to log and echo.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// middleware gives each request an id, logs it, and turns a panic into a
// 500 with a log line.
func (s *service) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validID(id) {
			id = s.idPrefix + strconv.FormatUint(s.nextID.Add(1), 10)
		}
		w.Header().Set("X-Request-Id", id)
		lr := &logRecord{id: id}
		rec := &recorder{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), logRecordKey{}, lr))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "request_id", id, "method", r.Method, "path", r.URL.Path,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if rec.status == 0 {
					writeJSON(rec, http.StatusInternalServerError, &apiError{Error: "internal error, request " + id})
				}
			}
			if !s.cfg.AccessLog && rec.status < 500 {
				return
			}
			level := slog.LevelInfo
			if rec.status >= 500 {
				level = slog.LevelError
			}
			attrs := append([]slog.Attr{
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", rec.status),
				slog.Int64("bytes", rec.bytes),
				slog.Float64("latency_ms", float64(time.Since(start).Microseconds())/1000),
				slog.String("remote", r.RemoteAddr),
			}, lr.attrs...)
			s.log.LogAttrs(r.Context(), level, "request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// marshalModel encodes a fitted model.
func marshalModel(m segment.Model) ([]byte, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding the model: %w", err)
	}
	return data, nil
}

// clearRows sets Row to 0 in every *segment.FieldError in err's tree.
func clearRows(err error) {
	switch e := err.(type) {
	case *segment.FieldError:
		e.Row = 0
	case interface{ Unwrap() []error }:
		for _, c := range e.Unwrap() {
			clearRows(c)
		}
	case interface{ Unwrap() error }:
		clearRows(e.Unwrap())
	}
}
