package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// The tests share one model fitted on a few generated accounts; modelA is
// its file, modelB the same model indented (another file, another id).
var (
	testDir        string
	modelA, modelB []byte
	fitErr         error
)

// testAccounts is the number of accounts the shared model is fitted on.
const testAccounts = 600

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "scoringservice")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testDir = dir
	accts := segmenttest.Accounts(testAccounts, 1)
	if modelA, fitErr = fitModel(context.Background(), accts, largest(accts, 5)); fitErr == nil {
		var b bytes.Buffer
		fitErr = json.Indent(&b, modelA, "", " ")
		modelB = b.Bytes()
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newTestService writes modelA to a file of its own and serves it.
func newTestService(t *testing.T, edit func(*config)) (*service, *logBuffer) {
	t.Helper()
	require.NoError(t, fitErr, "fitting the test model")
	path := filepath.Join(t.TempDir(), "model.json")
	require.NoError(t, os.WriteFile(path, modelA, 0o644))
	logs := &logBuffer{}
	c := defaultConfig()
	c.ModelPath = path
	c.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	if edit != nil {
		edit(&c)
	}
	svc, err := newService(c)
	require.NoError(t, err)
	return svc, logs
}

func post(t *testing.T, url, contentType string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, data
}

func sampleJSON(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, segment.WriteJSONL(&b, slices.Values(segmenttest.Accounts(n, sampleSeed))))
	return b.Bytes()
}

func TestAssign(t *testing.T) {
	svc, _ := newTestService(t, nil)
	srv := httptest.NewServer(svc.handler())
	defer srv.Close()
	one := sampleJSON(t, 1)

	status, h, body := post(t, srv.URL+"/v1/assign", "application/json", bytes.NewReader(one))
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	assert.NotEmpty(t, h.Get("X-Request-Id"))
	var got assignResponse
	require.NoError(t, json.Unmarshal(body, &got))
	assert.Equal(t, "A-000001", got.AccountID)
	assert.Equal(t, svc.current.Load().id, got.Model)
	require.Len(t, got.Parts, len(methods), "one part per layer")
	for i, p := range got.Parts {
		assert.Equal(t, methods[i].name, p.Segment.Method, "layer %d", i+1)
		assert.NotEmpty(t, p.Reasons, "layer %d has reasons", i+1)
	}
	assert.Empty(t, got.Reasons, "the reasons come with each layer, not again at the top")
	assert.Empty(t, got.Scores, "the scores come with each layer, not again at the top")

	// The same account assigned in the program gives the same answer.
	var a segment.Account
	require.NoError(t, json.Unmarshal(one, &a))
	want, err := svc.current.Load().model.Assign(&a)
	require.NoError(t, err)
	assert.Equal(t, want.Segment, got.Segment)
	assert.InDelta(t, want.Score, got.Score, 1e-12)

	// The bare baseline answers the same bytes for the sample account.
	status, _, bare := post(t, srv.URL+"/v1/bare", "application/json", bytes.NewReader(one))
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, string(body), string(bare), "bare answer for the sample account")

	// And for its lean form, without histories.
	lean, err := json.Marshal(leanAccount(sampleAccounts(1)[0]))
	require.NoError(t, err)
	status, _, la := post(t, srv.URL+"/v1/assign", "application/json", bytes.NewReader(lean))
	require.Equal(t, http.StatusOK, status)
	status, _, lb := post(t, srv.URL+"/v1/bare", "application/json", bytes.NewReader(lean))
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, string(la), string(lb), "bare answer for the lean sample account")
	assert.Less(t, len(lean), len(one)/5, "the lean account is small")

	// A named key account takes precedence over the layers.
	accts := segmenttest.Accounts(testAccounts, 1)
	key := largest(accts, 1)[0]
	i := slices.IndexFunc(accts, func(a segment.Account) bool { return a.ID == key })
	kb, err := json.Marshal(accts[i])
	require.NoError(t, err)
	status, _, body = post(t, srv.URL+"/v1/assign", "", bytes.NewReader(kb))
	require.Equal(t, http.StatusOK, status, string(body))
	require.NoError(t, json.Unmarshal(body, &got))
	assert.Equal(t, keySegment.ID, got.Segment.ID, "key account %s", key)
}

func TestSegmentsAndHealth(t *testing.T) {
	svc, _ := newTestService(t, nil)
	srv := httptest.NewServer(svc.handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/v1/segments")
	require.NoError(t, err)
	var segs struct {
		Model    string            `json:"model"`
		Segments []segment.Segment `json:"segments"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&segs))
	resp.Body.Close()
	assert.Equal(t, svc.current.Load().model.Segments(), segs.Segments)
	assert.Equal(t, keySegment.ID, segs.Segments[0].ID)

	resp, err = http.Get(srv.URL + "/healthz")
	require.NoError(t, err)
	var health map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&health))
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "ok", health["status"])
	assert.Equal(t, svc.current.Load().id, health["model"])
}

func TestBadRequests(t *testing.T) {
	svc, logs := newTestService(t, nil)
	srv := httptest.NewServer(svc.handler())
	defer srv.Close()
	one := sampleJSON(t, 1)
	big := append([]byte(`{"id":"big","name":"`), bytes.Repeat([]byte("x"), 10<<20)...)
	big = append(big, `"}`...)
	const at = `"time":"2026-01-02T00:00:00Z"`
	cases := []struct {
		name, path, ctype, body string
		status                  int
		text, field             string
	}{
		{"malformed JSON", "/v1/assign", "", `{"id":"x",}`, 400, "not valid JSON at byte 11", ""},
		{"not an object", "/v1/assign", "", `[1,2]`, 400, "is an array, not an object", ""},
		{"truncated body", "/v1/assign", "", string(one[:len(one)/2]), 400, "body is truncated", ""},
		{"empty body", "/v1/assign", "", ``, 400, "body is empty", ""},
		{"white space body", "/v1/assign", "", " \n ", 400, "body is empty", ""},
		{"two accounts", "/v1/assign", "", `{"id":"x"} {"id":"y"}`, 400, "data after the account", ""},
		{"NaN as a number", "/v1/assign", "", `{"id":"x","employees":NaN}`, 400, "not valid JSON at byte 23", ""},
		{"Infinity as a number", "/v1/assign", "", `{"id":"x","revenue":Infinity}`, 400, "not valid JSON", ""},
		{"NaN as a string", "/v1/assign", "", `{"id":"x","employees":"NaN"}`, 400, `"NaN" is not a number`, "employees"},
		{"Inf as a string", "/v1/assign", "", `{"id":"x","revenue":"+Inf"}`, 400, "is not a number", "revenue"},
		{"overflowing number", "/v1/assign", "", `{"id":"x","growth":-1e999}`, 400, "is not a number", "growth"},
		{"NaN string in a record", "/v1/assign", "", `{"id":"x","orders":[{` + at + `,"amount":"NaN"}]}`, 400, "not a float64", "orders[0].amount"},
		{"Infinity string in the survey", "/v1/assign", "", `{"id":"x","survey":{"q1":"Infinity"}}`, 400, "not a float64", "survey[q1]"},
		{"negative employees", "/v1/assign", "", `{"id":"x","employees":-3}`, 400, "is negative (-3)", "employees"},
		{"negative order amount", "/v1/assign", "", `{"id":"x","orders":[{` + at + `,"amount":-5}]}`, 400, "not a finite amount", "orders[0].amount"},
		{"unknown country", "/v1/assign", "", `{"id":"x","country":"ZZ"}`, 400, "not an ISO 3166-1 alpha-2", "country"},
		{"country name", "/v1/assign", "", `{"id":"x","country":"Germany"}`, 400, "not an ISO 3166-1 alpha-2", "country"},
		{"unknown field", "/v1/assign", "", `{"id":"x","emploees":3}`, 400, "is not a field", "emploees"},
		{"unknown nested field", "/v1/assign", "", `{"id":"x","orders":[{` + at + `,"amout":3}]}`, 400, "is not a field", "orders[0].amout"},
		{"wrong type", "/v1/assign", "", `{"id":"x","name":3}`, 400, "not a string", "name"},
		{"wrong type for a list", "/v1/assign", "", `{"id":"x","technologies":"AWS"}`, 400, "technologies", "technologies"},
		{"bad time", "/v1/assign", "", `{"id":"x","orders":[{"time":"yesterday","amount":1}]}`, 400, "", "orders[0].time"},
		{"bad outcome", "/v1/assign", "", `{"id":"x","churned":"perhaps"}`, 400, "", "churned"},
		{"no id", "/v1/assign", "", `{"name":"Acme"}`, 400, "is empty", "id"},
		{"null", "/v1/assign", "", `null`, 400, "is empty", "id"},
		{"10 MB body", "/v1/assign", "", string(big), 413, "body is larger than 1048576 bytes", ""},
		{"wrong content type", "/v1/assign", "text/csv", string(one), 415, `content type "text/csv" is not accepted`, ""},
		{"form content type", "/v1/assign", "application/x-www-form-urlencoded", string(one), 415, "send application/json", ""},
		{"bare: unknown field", "/v1/bare", "", `{"id":"x","emploees":3}`, 400, "is not a field", "emploees"},
		{"batch: wrong content type", "/v1/assign/batch", "text/csv", string(one), 415, "send application/x-ndjson", ""},
		{"batch: 10 MB line", "/v1/assign/batch", "", string(big), 200, "line 1: account without id: line is longer than 1048576 bytes", ""},
		{"batch: blank lines", "/v1/assign/batch", "", "\n \n", 200, "line 1 is blank", ""},
		{"batch: NaN", "/v1/assign/batch", "", `{"id":"x","employees":NaN}`, 200, "line 1: account without id: is not valid JSON", ""},
		{"batch: negative employees", "/v1/assign/batch", "", `{"id":"x","employees":-3}`, 200, `line 1: account "x": field "employees": is negative`, "employees"},
		{"batch: unknown country", "/v1/assign/batch", "", `{"id":"x","country":"ZZ"}`, 200, "line 1: ", "country"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, h, body := post(t, srv.URL+c.path, c.ctype, strings.NewReader(c.body))
			require.Equal(t, c.status, status, "%s: %s", c.name, body)
			var e apiError
			require.NoError(t, json.Unmarshal(bytes.SplitN(body, []byte("\n"), 2)[0], &e), "%s: %s", c.name, body)
			assert.Contains(t, e.Error, c.text, c.name)
			assert.Equal(t, c.field, e.Field, "%s: %s", c.name, body)
			if c.status == 200 {
				assert.Equal(t, "application/x-ndjson", h.Get("Content-Type"))
				assert.Equal(t, 1, e.Line, c.name)
			} else {
				assert.Equal(t, "application/json", h.Get("Content-Type"))
			}
		})
	}
	status, _, _ := post(t, srv.URL+"/v1/segments", "", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, status, "POST /v1/segments")
	assert.NotContains(t, logs.String(), `"level":"ERROR"`, "no request fails on the server's side")
}

// batchLines posts body to the batch endpoint and returns the answer's
// lines.
func batchLines(t *testing.T, url string, body io.Reader) (int, []map[string]any) {
	t.Helper()
	status, _, data := post(t, url+"/v1/assign/batch", "application/x-ndjson", body)
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "answer line %d", len(out)+1)
		out = append(out, m)
	}
	require.NoError(t, sc.Err())
	return status, out
}

func TestBatch(t *testing.T) {
	svc, _ := newTestService(t, nil)
	srv := httptest.NewServer(svc.handler())
	defer srv.Close()
	const n = 300
	accts := segmenttest.Accounts(n, 5)
	// Every tenth line is bad in some way; the others are accounts.
	var in bytes.Buffer
	bad := map[int]string{}
	for i := range accts {
		line := i + 1
		switch {
		case line%30 == 10:
			in.WriteString("\n")
			bad[line] = "is blank"
		case line%30 == 20:
			fmt.Fprintf(&in, `{"id":%q,"employees":-1}`+"\n", accts[i].ID)
			bad[line] = "is negative"
		case line%30 == 0:
			fmt.Fprintf(&in, `{"id":%q,"employes":1}`+"\r\n", accts[i].ID)
			bad[line] = "is not a field"
		default:
			b, err := json.Marshal(accts[i])
			require.NoError(t, err)
			in.Write(b)
			in.WriteString("\n")
		}
	}
	status, out := batchLines(t, srv.URL, &in)
	require.Equal(t, http.StatusOK, status)
	require.Len(t, out, n, "one answer line per input line")
	m := svc.current.Load()
	for i, o := range out {
		line := i + 1
		assert.InDelta(t, float64(line), o["line"], 0, "answer %d", line)
		if want, ok := bad[line]; ok {
			assert.Contains(t, o["error"], want, "line %d", line)
			assert.Contains(t, o["error"], fmt.Sprintf("line %d", line), "line %d", line)
			continue
		}
		require.Nil(t, o["error"], "line %d", line)
		assert.Equal(t, accts[i].ID, o["account_id"], "line %d", line)
		want, err := m.model.Assign(&accts[i])
		require.NoError(t, err)
		assert.Equal(t, want.Segment.ID, o["segment"].(map[string]any)["id"], "line %d", line)
		assert.Equal(t, m.id, o["model"], "line %d", line)
	}

	// An empty body gets an empty answer.
	status, out = batchLines(t, srv.URL, strings.NewReader(""))
	assert.Equal(t, http.StatusOK, status)
	assert.Empty(t, out)
}

func TestBatchBodyLimit(t *testing.T) {
	svc, _ := newTestService(t, func(c *config) { c.MaxBatchBody = 100 << 10 })
	srv := httptest.NewServer(svc.handler())
	defer srv.Close()
	body := sampleJSON(t, 200) // about 600 kB
	require.Greater(t, len(body), 300<<10)
	status, out := batchLines(t, srv.URL, bytes.NewReader(body))
	require.Equal(t, http.StatusOK, status)
	require.NotEmpty(t, out)
	last := out[len(out)-1]
	assert.Contains(t, last["error"], "body is larger than 102400 bytes; stopped after line")
	for i, o := range out[:len(out)-1] {
		assert.InDelta(t, float64(i+1), o["line"], 0)
		assert.Nil(t, o["error"], "line %d", i+1)
	}

	// Over the limit before the first answer line: a plain 413.
	svc, _ = newTestService(t, func(c *config) { c.MaxBatchBody = 100 })
	srv2 := httptest.NewServer(svc.handler())
	defer srv2.Close()
	code, _, data := post(t, srv2.URL+"/v1/assign/batch", "", bytes.NewReader(body))
	assert.Equal(t, http.StatusRequestEntityTooLarge, code, string(data))
}

func TestReloadUnderLoad(t *testing.T) {
	svc, logs := newTestService(t, nil)
	srv := httptest.NewServer(svc.handler())
	defer srv.Close()
	admin := httptest.NewServer(svc.adminHandler())
	defer admin.Close()
	one := sampleJSON(t, 1)
	batch := sampleJSON(t, 20)
	idA := svc.current.Load().id

	// A bad model file is refused and the old model stays.
	for _, bad := range [][]byte{[]byte("{"), []byte(`{"method":"tier","version":1}`), modelA[:len(modelA)/2]} {
		require.NoError(t, writeFileAtomic(svc.cfg.ModelPath, bad))
		status, _, body := post(t, admin.URL+"/admin/reload", "", nil)
		assert.Equal(t, http.StatusUnprocessableEntity, status, string(body))
		assert.Equal(t, idA, svc.current.Load().id, "the old model stays")
	}

	var (
		stop           atomic.Bool
		done, failures atomic.Int64
		seen           sync.Map
		wg             sync.WaitGroup
	)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for g := range 6 {
		wg.Go(func() {
			for !stop.Load() {
				path, ctype, body := "/v1/assign", "application/json", one
				if g%4 == 3 {
					path, ctype, body = "/v1/assign/batch", "application/x-ndjson", batch
				}
				resp, err := client.Post(srv.URL+path, ctype, bytes.NewReader(body))
				if err != nil {
					failures.Add(1)
					continue
				}
				data, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				done.Add(1)
				if err != nil || resp.StatusCode != http.StatusOK || bytes.Contains(data, []byte(`"error"`)) {
					failures.Add(1)
					t.Logf("%s: %d %.200s", path, resp.StatusCode, data)
					continue
				}
				var r assignResponse
				if json.Unmarshal(bytes.SplitN(data, []byte("\n"), 2)[0], &r) != nil {
					failures.Add(1)
					continue
				}
				seen.Store(r.Model, true)
			}
		})
	}
	reloads := 0
	for i := range 6 {
		data := modelA
		switch i % 3 {
		case 1:
			data = modelB
		case 2:
			data = []byte(`{"method":"first","version":1}`) // refused
		}
		require.NoError(t, writeFileAtomic(svc.cfg.ModelPath, data))
		var status int
		if i%2 == 0 {
			status, _, _ = post(t, admin.URL+"/admin/reload", "", nil)
		} else {
			if svc.reload("test") == nil {
				status = http.StatusOK
			}
		}
		if i%3 == 2 {
			assert.NotEqual(t, http.StatusOK, status, "reload %d of a bad model", i)
		} else {
			assert.Equal(t, http.StatusOK, status, "reload %d", i)
			reloads++
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	assert.Equal(t, int64(0), failures.Load(), "failed requests out of %d", done.Load())
	assert.Greater(t, done.Load(), int64(20))
	assert.Equal(t, 4, reloads)
	_, okA := seen.Load(idA)
	assert.True(t, okA, "answers from model A")
	assert.Contains(t, logs.String(), `"msg":"reload refused; the old model stays"`)
	assert.Contains(t, logs.String(), `"msg":"model reloaded"`)
}

func TestGracefulShutdownDrains(t *testing.T) {
	svc, logs := newTestService(t, func(c *config) { c.DrainTimeout = 10 * time.Second })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- svc.serve(ctx, ln, nil) }()
	url := "http://" + ln.Addr().String()

	// A batch whose body is still streaming in when the shutdown starts.
	lines := bytes.SplitAfter(sampleJSON(t, 10), []byte("\n"))
	pr, pw := io.Pipe()
	type answer struct {
		status int
		out    []map[string]any
	}
	answered := make(chan answer, 1)
	go func() {
		status, out := batchLines(t, url, pr)
		answered <- answer{status, out}
	}()
	_, err = pw.Write(lines[0])
	require.NoError(t, err)
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "listening") }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(200 * time.Millisecond) // the request is in the handler
	cancel()
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "draining") }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-served:
		t.Fatalf("serve returned %v with a request in flight", err)
	default:
	}
	for _, l := range lines[1:] {
		_, err = pw.Write(l)
		require.NoError(t, err)
	}
	require.NoError(t, pw.Close())
	a := <-answered
	assert.Equal(t, http.StatusOK, a.status)
	assert.Len(t, a.out, 10, "every line of the in-flight batch answered")
	for i, o := range a.out {
		assert.Nil(t, o["error"], "line %d", i+1)
	}
	select {
	case err := <-served:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after the drain")
	}
	_, err = net.DialTimeout("tcp", ln.Addr().String(), time.Second)
	assert.Error(t, err, "no new connections after shutdown")
}

func TestPanicBecomes500(t *testing.T) {
	svc, logs := newTestService(t, nil)
	h := svc.middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Contains(t, rec.Body.String(), "internal error")
	assert.Contains(t, logs.String(), `"msg":"panic"`)
	assert.Contains(t, logs.String(), `"panic":"boom"`)
}

func TestRequestLog(t *testing.T) {
	svc, logs := newTestService(t, nil)
	srv := httptest.NewServer(svc.handler())
	defer srv.Close()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/assign", strings.NewReader(`{"id":"x","employees":-1}`))
	require.NoError(t, err)
	req.Header.Set("X-Request-Id", "req-42")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "req-42", resp.Header.Get("X-Request-Id"))
	var rec map[string]any
	for line := range strings.Lines(logs.String()) {
		if strings.Contains(line, `"request_id":"req-42"`) {
			require.NoError(t, json.Unmarshal([]byte(line), &rec))
		}
	}
	require.NotNil(t, rec, "a log line for the request")
	assert.Equal(t, "request", rec["msg"])
	assert.InDelta(t, 400, rec["status"], 0)
	assert.Contains(t, rec["error"], "is negative")
	assert.Contains(t, rec, "latency_ms")
}

func TestFitThenServe(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.json")
	var stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"fit", "-n", "400", "-seed", "3", "-keys", "A-000007", "-out", path}, io.Discard, &stderr))
	assert.Contains(t, stderr.String(), "fitted 400 accounts (1 key accounts)")
	c := defaultConfig()
	c.ModelPath = path
	c.Logger = slog.New(slog.DiscardHandler)
	svc, err := newService(c)
	require.NoError(t, err, "serve decodes what fit wrote")
	a := segmenttest.Accounts(7, 3)[6]
	as, err := svc.current.Load().model.Assign(&a)
	require.NoError(t, err)
	assert.Equal(t, keySegment.ID, as.Segment.ID)

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"sample", "-n", "3"}, &out, io.Discard))
	assert.Equal(t, 3, strings.Count(out.String(), "\n"))
	assert.Error(t, run(context.Background(), []string{"nonsense"}, io.Discard, io.Discard))
}

// panicModel panics for the account "boom" and assigns the others with m.
type panicModel struct{ segment.Model }

func (p panicModel) Assign(a *segment.Account) (segment.Assignment, error) {
	if a.ID == "boom" {
		panic("boom")
	}
	return p.Model.Assign(a)
}

func TestBatchLinePanicRecovered(t *testing.T) {
	svc, logs := newTestService(t, nil)
	l := *svc.current.Load()
	l.model = panicModel{l.model}
	svc.current.Store(&l)
	srv := httptest.NewServer(svc.handler())
	defer srv.Close()
	body := string(sampleJSON(t, 3)) + `{"id":"boom"}` + "\n" + string(sampleJSON(t, 1))
	status, out := batchLines(t, srv.URL, strings.NewReader(body))
	require.Equal(t, http.StatusOK, status)
	require.Len(t, out, 5)
	assert.Contains(t, out[3]["error"], "line 4: internal error")
	for _, i := range []int{0, 1, 2, 4} {
		assert.Nil(t, out[i]["error"], "line %d", i+1)
	}
	assert.Contains(t, logs.String(), `"msg":"panic"`)

	status, _, data := post(t, srv.URL+"/v1/assign", "", strings.NewReader(`{"id":"boom"}`))
	assert.Equal(t, http.StatusInternalServerError, status, string(data))
}
