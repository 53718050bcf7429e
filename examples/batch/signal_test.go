package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets a test run the command itself: with BATCH_MAIN set, the test
// binary is the batch command, its arguments in BATCH_ARGS separated by
// newlines.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv("BATCH_MAIN"); ok {
		os.Args = append([]string{"batch"}, strings.Split(args, "\n")...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestInterruptLeavesNoOutput(t *testing.T) {
	dir := t.TempDir()
	in := fixture(t, dir, 10_000, 0)
	modelPath := fitModel(t, in, "firmographic")
	out := filepath.Join(dir, "out.csv")

	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "BATCH_MAIN="+strings.Join([]string{
		"assign", "-model", modelPath, "-in", in, "-out", out, "-workers", "1", "-chunk", "8"}, "\n"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	// Interrupt once the run has started writing.
	deadline := time.Now().Add(30 * time.Second)
	for len(tempFiles(t, dir)) == 0 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err := cmd.Wait()

	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "the run should fail when interrupted; stderr: %s", stderr.String())
	assert.Equal(t, 130, exit.ExitCode(), stderr.String())
	assert.Contains(t, stderr.String(), "context canceled")
	assert.NoFileExists(t, out)
	assert.Empty(t, tempFiles(t, dir), "temporary files left")
}
