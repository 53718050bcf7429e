package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// genBlock is how many accounts gen generates at a time, so that its memory
// does not grow with -n.
const genBlock = 10_000

// corruptions are the bad values gen -bad writes, one per bad row in turn:
// each is a value the CSV reader refuses, in the column named.
var corruptions = []struct{ column, value string }{
	{"employees", "-12"},
	{"country", "Atlantis"},
	{"revenue", "1,5"},
	{"growth", "NaN"},
	{"founded", "next year"},
	{"id", ""},
}

func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("batch gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 1000, "number of accounts")
	seed := fs.Uint64("seed", 1, "generator seed")
	out := fs.String("o", "", "output file (required); .jsonl or .ndjson writes JSON Lines, anything else CSV")
	format := fs.String("format", "", `"csv" or "jsonl"; "" chooses by the output's extension`)
	bad := fs.Float64("bad", 0, "share of rows (CSV only) given a value the reader refuses, for trying the rejects")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("gen: -o is required and no arguments are taken")
	}
	if *n < 1 {
		return fmt.Errorf("gen: -n is %d, want at least 1", *n)
	}
	if *bad < 0 || *bad > 1 {
		return fmt.Errorf("gen: -bad is %v, want a share in [0, 1]", *bad)
	}
	f, err := formatOf(*format, *out)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if f == formatJSONL && *bad > 0 {
		return fmt.Errorf("gen: -bad is for CSV output only")
	}
	af, err := createAtomic(*out)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	defer af.Abort()
	if err := generate(ctx, af, *n, *seed, f, *bad); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if err := af.Commit(); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	fmt.Fprintf(stderr, "gen: wrote %d accounts to %s\n", *n, *out)
	return nil
}

// generate writes n generated accounts to w. The accounts come in blocks of
// genBlock, block b from seed+b, renamed so that IDs stay distinct
// ("A-0000001" onward). CSV gets the flat fields only (the CRM's account
// table), JSON Lines the whole account with its orders, usage and events.
func generate(ctx context.Context, w io.Writer, n int, seed uint64, f fileFormat, bad float64) error {
	rng := rand.New(rand.NewPCG(seed, 0xbad))
	opts := segment.CSVWriteOptions{Numbers: []string{"intent_score"}, Text: []string{"territory"}}
	var buf bytes.Buffer
	badCount := 0
	for start := 0; start < n; start += genBlock {
		if err := ctx.Err(); err != nil {
			return err
		}
		size := min(genBlock, n-start)
		accts, _ := segmenttest.Generate(segmenttest.GenConfig{N: size, Seed: seed + uint64(start/genBlock)})
		for i := range accts {
			a := &accts[i]
			a.ID = fmt.Sprintf("A-%07d", start+i+1)
			if f == formatCSV {
				a.Orders, a.Subscriptions, a.Usage, a.Events, a.Survey = nil, nil, nil, nil, nil
				for k := range a.Numbers {
					if !slices.Contains(opts.Numbers, k) {
						delete(a.Numbers, k)
					}
				}
				for k := range a.Text {
					if !slices.Contains(opts.Text, k) {
						delete(a.Text, k)
					}
				}
			}
		}
		if f == formatJSONL {
			if err := segment.WriteJSONL(w, slices.Values(accts)); err != nil {
				return err
			}
			continue
		}
		buf.Reset()
		if err := segment.WriteCSV(&buf, slices.Values(accts), opts); err != nil {
			return err
		}
		block := buf.Bytes()
		if bad > 0 {
			var err error
			if block, err = corrupt(block, rng, bad, &badCount); err != nil {
				return err
			}
		}
		if start > 0 { // drop the header row of every block but the first
			block = block[bytes.IndexByte(block, '\n')+1:]
		}
		if _, err := w.Write(block); err != nil {
			return err
		}
	}
	return nil
}

// corrupt rewrites a CSV block (with its header), giving each row a bad value
// with probability share.
func corrupt(block []byte, rng *rand.Rand, share float64, count *int) ([]byte, error) {
	rows, err := csv.NewReader(bytes.NewReader(block)).ReadAll()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.ToLower(h)] = i
	}
	for _, row := range rows[1:] {
		if rng.Float64() >= share {
			continue
		}
		c := corruptions[*count%len(corruptions)]
		*count++
		i, ok := col[c.column]
		if !ok {
			return nil, fmt.Errorf("no column %q to corrupt", c.column)
		}
		row[i] = c.value
	}
	var out bytes.Buffer
	cw := csv.NewWriter(&out)
	if err := cw.WriteAll(rows); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// fileFormat is the format of an accounts file.
type fileFormat int

const (
	formatCSV fileFormat = iota + 1
	formatJSONL
)

// formatOf reads a -format flag, or guesses the format from the file name.
func formatOf(flagValue, name string) (fileFormat, error) {
	switch strings.ToLower(flagValue) {
	case "csv":
		return formatCSV, nil
	case "jsonl", "ndjson":
		return formatJSONL, nil
	case "":
		lower := strings.ToLower(name)
		if strings.HasSuffix(lower, ".jsonl") || strings.HasSuffix(lower, ".ndjson") {
			return formatJSONL, nil
		}
		return formatCSV, nil
	}
	return 0, fmt.Errorf("-format is %q, want csv or jsonl", flagValue)
}
