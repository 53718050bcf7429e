package main

import (
	"bufio"
	"fmt"
	"io"
	"slices"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// genBlock is the number of accounts generated at once: memory holds one
// block, not the file.
const genBlock = 10_000

// generateAccounts writes n generated accounts to w as JSON Lines, in blocks
// of genBlock, block b from seed+b, renamed "A-0000001" onward so that IDs
// stay distinct.
func generateAccounts(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	for start := 0; start < n; start += genBlock {
		size := min(genBlock, n-start)
		accts, _ := segmenttest.Generate(segmenttest.GenConfig{N: size, Seed: seed + uint64(start/genBlock)})
		for i := range accts {
			accts[i].ID = fmt.Sprintf("A-%07d", start+i+1)
		}
		if err := segment.WriteJSONL(bw, slices.Values(accts)); err != nil {
			return err
		}
	}
	return bw.Flush()
}
