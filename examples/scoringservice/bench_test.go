package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
)

// benchService serves the model in $SCORINGSERVICE_MODEL (bench.sh fits
// one on 20,000 accounts), or the tests' model.
func benchService(b *testing.B) *service {
	b.Helper()
	c := defaultConfig()
	c.Logger = slog.New(slog.DiscardHandler)
	c.AccessLog = false
	if p := os.Getenv("SCORINGSERVICE_MODEL"); p != "" {
		c.ModelPath = p
	} else {
		require.NoError(b, fitErr)
		c.ModelPath = b.TempDir() + "/model.json"
		require.NoError(b, os.WriteFile(c.ModelPath, modelA, 0o644))
	}
	svc, err := newService(c)
	require.NoError(b, err)
	return svc
}

// BenchmarkAssignPath splits the cost of one request: decoding the
// account, validating it, the model's Assign (which validates again),
// encoding the answer, and the two handlers whole.
func BenchmarkAssignPath(b *testing.B) {
	svc := benchService(b)
	body := sampleJSONB(b)
	var a segment.Account
	require.Nil(b, decodeAccount(body, &a))
	l := svc.current.Load()
	as, err := l.model.Assign(&a)
	require.NoError(b, err)
	b.Run("step=decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var a segment.Account
			if e := decodeAccount(body, &a); e != nil {
				b.Fatal(e.Error)
			}
		}
	})
	b.Run("step=validate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := a.Validate(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("step=assign", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := l.model.Assign(&a); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("step=encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var buf bytes.Buffer
			if err := json.NewEncoder(&buf).Encode(&assignResponse{Model: l.id, Assignment: as}); err != nil {
				b.Fatal(err)
			}
		}
	})
	h := svc.handler()
	for _, path := range []string{"/v1/bare", "/v1/assign"} {
		b.Run("handler="+path[4:], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Body.String())
				}
			}
		})
	}
}

// BenchmarkLayers times each layer's Assign alone on the sample account.
func BenchmarkLayers(b *testing.B) {
	svc := benchService(b)
	body := sampleJSONB(b)
	var a segment.Account
	require.Nil(b, decodeAccount(body, &a))
	// Decode each layer's model from the file through its own segmenter.
	data, err := os.ReadFile(svc.cfg.ModelPath)
	require.NoError(b, err)
	var first struct {
		Rest json.RawMessage `json:"rest"`
	}
	require.NoError(b, json.Unmarshal(data, &first))
	var layered struct {
		Layers []json.RawMessage `json:"layers"`
	}
	require.NoError(b, json.Unmarshal(first.Rest, &layered))
	lean := leanAccount(a)
	for i, m := range methods {
		seg, err := m.new()
		require.NoError(b, err)
		lm, err := seg.DecodeModel(layered.Layers[i])
		require.NoError(b, err)
		for _, acc := range []struct {
			name string
			a    *segment.Account
		}{{"full", &a}, {"lean", &lean}} {
			b.Run("account="+acc.name+"/layer="+m.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := lm.Assign(acc.a); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
	for _, acc := range []struct {
		name string
		a    *segment.Account
	}{{"full", &a}, {"lean", &lean}} {
		b.Run("account="+acc.name+"/layer=all", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.current.Load().model.Assign(acc.a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func sampleJSONB(b *testing.B) []byte {
	b.Helper()
	var buf bytes.Buffer
	require.NoError(b, segment.WriteJSONL(&buf, func(yield func(segment.Account) bool) {
		for _, a := range svc0Canary() {
			yield(a)
		}
	}))
	return bytes.TrimSpace(buf.Bytes())
}

func svc0Canary() []segment.Account { return sampleAccounts(1) }

// BenchmarkBatch times the batch handler on 1,000 accounts, full and lean,
// beside the single-assign handler on the same accounts.
func BenchmarkBatch(b *testing.B) {
	svc := benchService(b)
	h := svc.handler()
	for _, lean := range []bool{false, true} {
		accts := sampleAccounts(1000)
		if lean {
			for i := range accts {
				accts[i] = leanAccount(accts[i])
			}
		}
		var body bytes.Buffer
		require.NoError(b, segment.WriteJSONL(&body, slices.Values(accts)))
		lines := bytes.SplitAfter(body.Bytes(), []byte("\n"))
		name := map[bool]string{false: "full", true: "lean"}[lean]
		b.Run("accounts="+name+"/endpoint=batch", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/assign/batch", bytes.NewReader(body.Bytes())))
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Body.String())
				}
			}
			b.ReportMetric(float64(b.N*len(accts))/b.Elapsed().Seconds(), "accounts/s")
		})
		b.Run("accounts="+name+"/endpoint=assign", func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				for _, l := range lines[:100] {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/assign", bytes.NewReader(l)))
					if rec.Code != http.StatusOK {
						b.Fatal(rec.Body.String())
					}
					n++
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "accounts/s")
		})
	}
}
