package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAssignGolden fixes the bytes assign writes: the SHA-256 of the output
// and of the rejects file for a fixed input and model, whatever the workers
// and the chunk size. The input (testdata/golden_accounts.csv) is 1,000
// generated accounts with 3% of them corrupted (gen -seed 3 -bad 0.03) and
// hand-written rows in the middle and at the end: quoted separators and
// quotes, quoted line breaks (LF and CRLF), a CRLF row, blank and non-blank
// extra fields, a short row, a stray quote, blank markers, ranges, currency
// symbols, dates, country names and codes, a lone `\.`, a leading space, a
// tab, an empty line and no final newline. The models were fitted on it by
// `batch fit`; they are files so that a change to fitting does not move the
// hashes. A change to what a method assigns does: check the new output, then
// update the hashes.
func TestAssignGolden(t *testing.T) {
	in := filepath.Join("testdata", "golden_accounts.csv")
	golden := []struct {
		model, out, rejects string
	}{
		{"golden_firmographic.json",
			"8eba260a223943d54e10bf94ca4db2b292cfcd54dc6771189ee5f28755b45685",
			"1e36d6c7f55361d9f9567a151042729f86ddd53a8cfa7ea064909e7d77ac97a3"},
		{"golden_firmographic_sophistication.json",
			"822cdaf2c9140b9eb7d731e7945ad974831a34c593546a929af156c37bb230c1",
			"1e36d6c7f55361d9f9567a151042729f86ddd53a8cfa7ea064909e7d77ac97a3"},
	}
	for _, g := range golden {
		layers, m, err := loadModel(filepath.Join("testdata", g.model))
		require.NoError(t, err)
		for _, cfg := range []struct{ workers, chunk int }{{1, 1024}, {4, 7}, {3, 50}, {2, 1}} {
			t.Run(fmt.Sprintf("%s/workers=%d/chunk=%d", g.model, cfg.workers, cfg.chunk), func(t *testing.T) {
				dir := t.TempDir()
				o := assignOptions{In: in, Out: filepath.Join(dir, "out.csv"), Rejects: filepath.Join(dir, "out.rejects.csv"),
					Model: m, Layers: layers, MaxRejects: -1, Workers: cfg.workers, ChunkRows: cfg.chunk}
				st, err := assignFile(t.Context(), o)
				require.NoError(t, err)
				assert.Equal(t, 1016, st.Read, "rows read")
				assert.Equal(t, 34, st.Rejected, "rows rejected")
				assert.Equal(t, g.out, sha256File(t, o.Out), "SHA-256 of the output")
				assert.Equal(t, g.rejects, sha256File(t, o.Rejects), "SHA-256 of the rejects")
			})
		}
	}
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
