package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServeSignals runs the serve mode as main does: SIGHUP reloads the
// model, SIGTERM shuts the service down.
func TestServeSignals(t *testing.T) {
	require.NoError(t, fitErr)
	path := filepath.Join(t.TempDir(), "model.json")
	require.NoError(t, os.WriteFile(path, modelA, 0o644))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	logs := &logBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"serve", "-model", path, "-addr", addr, "-admin", "", "-quiet"}, &bytes.Buffer{}, logs)
	}()
	// The handlers are installed before the service listens.
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), `"msg":"listening"`) }, 20*time.Second, 10*time.Millisecond, logs.String())

	require.NoError(t, writeFileAtomic(path, modelB))
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), `"source":"SIGHUP"`) }, 20*time.Second, 10*time.Millisecond)
	assert.Contains(t, logs.String(), `"msg":"model reloaded"`)
	resp, err := http.Get("http://" + addr + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	assert.Contains(t, logs.String(), `"msg":"stopped"`)
}
