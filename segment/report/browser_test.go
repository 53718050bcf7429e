package report_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/strataseg/strata/segment/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// browser returns the path of a Chromium or Chrome in PATH, or skips the
// test saying which were looked for.
func browser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no browser in PATH: none of chromium, chromium-browser, google-chrome (on Debian: apt-get install -y chromium)")
	return ""
}

// headless runs the browser on page with extra arguments, with a fresh
// profile, and returns its standard output.
func headless(t *testing.T, bin, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+page)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, ctx.Err(), "browser timed out; stderr: %s", stderr.String())
	require.NoError(t, err, "browser: %s", stderr.String())
	return out
}

// TestBrowser renders the report of the shared sample data in a headless
// browser and checks the DOM it built: what a reader sees.
func TestBrowser(t *testing.T) {
	bin := browser(t)
	s := newSample(t, 1000)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	f, err := os.Create(page)
	require.NoError(t, err)
	require.NoError(t, build(t, s, report.Config{Title: "Strata sample accounts"}).WriteHTML(f))
	require.NoError(t, f.Close())

	dom := headless(t, bin, page, "--dump-dom")
	require.Contains(t, string(dom), "<body>", "the browser returned no DOM")
	checkReader(t, s, string(dom))

	// With go test -artifacts -outputdir DIR, the page and its screenshot
	// are kept under DIR.
	out := t.ArtifactDir()
	copyFile(t, page, filepath.Join(out, "report.html"))
	shot := filepath.Join(out, "report.png")
	headless(t, bin, page, "--screenshot="+shot, "--window-size=1280,4000", "--hide-scrollbars")
	info, err := os.Stat(shot)
	require.NoError(t, err, "no screenshot")
	assert.Greater(t, info.Size(), int64(10_000), "the screenshot is nearly empty")
	t.Logf("report %s, screenshot %s (%d bytes)", page, shot, info.Size())
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, data, 0o644))
}
