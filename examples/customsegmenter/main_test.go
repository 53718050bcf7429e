package main

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), &out, 1500, 2026))
	s := out.String()
	assert.Contains(t, s, "the decoded model assigns all")
	assert.Contains(t, s, "Expanding › Tier")
	assert.Contains(t, s, "before \\ after")
	m := regexp.MustCompile(`adjusted Rand (-?[0-9.]+)`).FindStringSubmatch(s)
	require.Len(t, m, 2, "the comparison prints the adjusted Rand index:\n%s", s)
	ari, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	// The two segmentations read the same usage: they agree more than
	// chance, and are not the same segmentation.
	assert.Greater(t, ari, 0.05)
	assert.Less(t, ari, 0.9)
}
