// Command gendata writes the quickstart's sample accounts: synthetic B2B
// accounts from strata's generator (segmenttest.Accounts) with a fixed
// seed, as JSON Lines. Run it with go generate in examples/quickstart.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func main() {
	out := flag.String("o", "accounts.jsonl", "output file")
	n := flag.Int("n", 600, "number of accounts")
	seed := flag.Uint64("seed", 2026, "generator seed")
	flag.Parse()
	if err := write(*out, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(1)
	}
}

func write(path string, n int, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := segment.WriteJSONL(f, slices.Values(segmenttest.Accounts(n, seed))); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
