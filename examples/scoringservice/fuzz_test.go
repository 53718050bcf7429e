package main

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/strataseg/strata/segment"
)

var (
	fuzzOnce sync.Once
	fuzzH    http.Handler
)

// FuzzAssign posts arbitrary bodies to the single and batch endpoints: no
// input may give a 5xx (a panic would be one, through the middleware).
func FuzzAssign(f *testing.F) {
	const at = `"2026-01-02T00:00:00Z"`
	seeds := []string{
		string(sampleJSONF(f)),
		`{"id":"x"}`,
		`{"id":"x","employees":1e308,"revenue":1e308,"growth":1e300,"founded":2100}`,
		`{"id":"x","employees":5e-324,"revenue":0,"growth":-1,"founded":500,"country":"US","region":"CA"}`,
		`{"id":"x","orders":[{"time":` + at + `,"amount":1e308,"quantity":1e308,"discount":1e308,"margin":-1e308}]}`,
		`{"id":"x","subscriptions":[{"start":` + at + `,"monthly":1e308,"seats":9223372036854775807}]}`,
		`{"id":"x","usage":[{"time":` + at + `,"metric":"seats_used","value":-1e308},{"time":` + at + `,"metric":"seats_purchased","value":0}]}`,
		`{"id":"x","events":[{"time":"0001-01-01T00:00:01Z","kind":"demo_request","text":"api sso"},{"time":"9999-12-31T23:59:59Z","kind":"support_ticket"}]}`,
		`{"id":"x","survey":{"importance_security":1e308,"importance_cost":-1e308},"numbers":{"intent_score":1e308}}`,
		`{"id":"x","technologies":["","Corvana Suite","Northbeam Platform"],"lead_grade":"Z","type":"b2b","stage":"customer"}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		fuzzOnce.Do(func() {
			svc, _ := newTestService(t, nil)
			fuzzH = svc.handler()
		})
		for _, path := range []string{"/v1/assign", "/v1/assign/batch"} {
			rec := httptest.NewRecorder()
			b := body
			if path == "/v1/assign/batch" {
				b = body + "\n" + strings.ReplaceAll(body, "\n", " ")
			}
			fuzzH.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(b)))
			if rec.Code >= 500 || bytes.Contains(rec.Body.Bytes(), []byte("the model cannot assign")) {
				t.Fatalf("%s: %d for %q: %s", path, rec.Code, body, rec.Body.String())
			}
		}
	})
}

func sampleJSONF(f *testing.F) []byte {
	f.Helper()
	var b bytes.Buffer
	if err := segment.WriteJSONL(&b, slices.Values(sampleAccounts(1))); err != nil {
		f.Fatal(err)
	}
	return bytes.TrimSpace(b.Bytes())
}

// TestMutatedBodies posts the sample account with random bytes changed,
// inserted or cut (fuzzing proper is too slow here: each fuzz worker fits
// the model again): no 5xx.
func TestMutatedBodies(t *testing.T) {
	svc, logs := newTestService(t, nil)
	h := svc.handler()
	orig := sampleJSONT(t)
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(`{}[]",:-+.eE0123456789 truefalsnNaIfy\`)
	codes := map[int]int{}
	for i := range 400 {
		b := slices.Clone(orig)
		for range 1 + r.IntN(3) {
			p := r.IntN(len(b))
			switch r.IntN(3) {
			case 0:
				b[p] = alphabet[r.IntN(len(alphabet))]
			case 1:
				b = slices.Insert(b, p, alphabet[r.IntN(len(alphabet))])
			default:
				b = b[:p]
			}
		}
		path := "/v1/assign"
		if i%4 == 3 {
			path = "/v1/assign/batch"
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(b)))
		codes[rec.Code]++
		if rec.Code >= 500 {
			t.Fatalf("%s: %d for %q: %s", path, rec.Code, b, rec.Body.String())
		}
	}
	t.Logf("status codes: %v", codes)
	assert.Greater(t, codes[http.StatusBadRequest], 100, "most mutations are refused")
	assert.NotContains(t, logs.String(), `"level":"ERROR"`)
}

func sampleJSONT(t *testing.T) []byte {
	t.Helper()
	return bytes.TrimSpace(sampleJSON(t, 1))
}
