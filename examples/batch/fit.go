package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"time"

	"github.com/strataseg/strata/firmographic"
	"github.com/strataseg/strata/segment"
)

// modelFile is what fit writes and assign reads: the layers, by method name,
// and the layered Model's own JSON, which the Layered of those methods
// decodes.
type modelFile struct {
	Layers []string        `json:"layers"`
	Model  json.RawMessage `json:"model"`
}

// loadModel reads a model file and decodes its Model.
func loadModel(path string) ([]string, segment.Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var mf modelFile
	if err := json.Unmarshal(data, &mf); err != nil {
		return nil, nil, fmt.Errorf("model %s: %w", path, err)
	}
	l, err := layered(mf.Layers)
	if err != nil {
		return nil, nil, fmt.Errorf("model %s: %w", path, err)
	}
	m, err := l.DecodeModel(mf.Model)
	if err != nil {
		return nil, nil, fmt.Errorf("model %s: %w", path, err)
	}
	return mf.Layers, m, nil
}

func runFit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("batch fit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "accounts to fit on, CSV or JSON Lines (required)")
	format := fs.String("format", "", `"csv" or "jsonl"; "" chooses by the input's extension`)
	mappingPath := fs.String("mapping", "", "JSON file of a segment.CSVMapping for the CSV's columns (default: the CRM headers strata knows)")
	modelPath := fs.String("model", "model.json", "model file to write")
	layers := fs.String("layers", defaultLayers, "methods to layer, in order, comma-separated")
	maxRejects := fs.Int("max-rejects", 1000, "most bad rows skipped before fit gives up (-1: no limit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("fit: -in is required and no arguments are taken")
	}
	f, err := formatOf(*format, *in)
	if err != nil {
		return fmt.Errorf("fit: %w", err)
	}
	mapping, err := loadMapping(*mappingPath)
	if err != nil {
		return fmt.Errorf("fit: %w", err)
	}
	names := parseLayers(*layers)
	l, err := layered(names)
	if err != nil {
		return fmt.Errorf("fit: %w", err)
	}
	file, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("fit: %w", err)
	}
	defer file.Close()
	var read func() (segment.Account, error)
	var row func() int
	switch f {
	case formatCSV:
		r, err := segment.NewCSVReader(file, mapping)
		if err != nil {
			return fmt.Errorf("fit: %s: %w", *in, err)
		}
		read, row = r.Read, r.Row
	case formatJSONL:
		r, err := segment.NewJSONLReader(file, segment.JSONLOptions{})
		if err != nil {
			return fmt.Errorf("fit: %w", err)
		}
		read, row = r.Read, r.Row
	}
	start := time.Now()
	var good, bad int
	var readErr error
	accts := func(yield func(segment.Account) bool) {
		for {
			a, err := read()
			if err == io.EOF {
				return
			}
			if err != nil {
				var fe *segment.FieldError
				if !errors.As(err, &fe) { // an I/O error ends the file
					readErr = err
					return
				}
				bad++
				if bad <= 5 {
					fmt.Fprintf(stderr, "fit: skipped row %d: %v\n", row(), err)
				}
				if *maxRejects >= 0 && bad > *maxRejects {
					readErr = fmt.Errorf("%d bad rows, more than -max-rejects %d", bad, *maxRejects)
					return
				}
				continue
			}
			good++
			if !yield(a) {
				return
			}
		}
	}
	m, err := l.Fit(ctx, iter.Seq[segment.Account](accts))
	if readErr != nil {
		return fmt.Errorf("fit: %s: %w", *in, readErr)
	}
	if err != nil {
		return fmt.Errorf("fit: %w", err)
	}
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("fit: %w", err)
	}
	out, err := json.MarshalIndent(modelFile{Layers: names, Model: data}, "", "  ")
	if err != nil {
		return fmt.Errorf("fit: %w", err)
	}
	af, err := createAtomic(*modelPath)
	if err != nil {
		return fmt.Errorf("fit: %w", err)
	}
	defer af.Abort()
	if _, err := af.Write(append(out, '\n')); err != nil {
		return fmt.Errorf("fit: %w", err)
	}
	if err := af.Commit(); err != nil {
		return fmt.Errorf("fit: %w", err)
	}
	fmt.Fprintf(stderr, "fit: %d accounts (%d bad rows skipped) in %s: %d composite segments over %d layers → %s\n",
		good, bad, time.Since(start).Round(time.Millisecond), len(m.Segments()), len(names), *modelPath)
	return nil
}

// loadMapping reads a CSVMapping from a JSON file; "" is the zero mapping.
// A mapping without Countries reads every country name of firmographic's
// table (the CSV reader's own table holds the common ones only). Row-number
// IDs are refused: assign reads its input in chunks, where the row numbers
// would be the chunk's.
func loadMapping(path string) (segment.CSVMapping, error) {
	m, err := readMapping(path)
	if err == nil && m.Countries == nil {
		m.Countries = firmographic.CountryNames()
	}
	return m, err
}

func readMapping(path string) (segment.CSVMapping, error) {
	var m segment.CSVMapping
	if path == "" {
		return m, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("mapping %s: %w", path, err)
	}
	if len(m.Comma) > 1 {
		return m, fmt.Errorf("mapping %s: comma %q: only a one-byte separator is supported", path, m.Comma)
	}
	if m.RowIDs {
		return m, fmt.Errorf("mapping %s: row_ids is not supported; give the file an ID column", path)
	}
	return m, m.Validate()
}
