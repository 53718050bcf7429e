package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/transforms/stats"

	"github.com/strataseg/strata/segment"
)

func init() {
	register.DoFn4x1[string, func(string), func(string), func(string), error](&assignFn{})
	register.Emitter1[string]()
	register.Function2x1(formatCount)
}

// Input formats of the pipeline.
const (
	formatJSONL = "jsonl"
	formatCSV   = "csv"
)

// assignFn assigns one input line, an account, with the fitted model. Its
// exported fields are what the runner ships to the workers: the model's JSON
// (decoded once per worker instance in Setup, with the same segmenter tree
// fit used) and, for CSV, the header row.
type assignFn struct {
	// Model is the fitted model's JSON, as fit wrote it.
	Model []byte `json:"model"`
	// Format is formatJSONL or formatCSV.
	Format string `json:"format"`
	// Header is the CSV header row; each line is read under it.
	Header string `json:"header,omitempty"`
	// Reasons keeps every layer's reasons in the output lines.
	Reasons bool `json:"reasons,omitempty"`

	m segment.Model
}

// Setup decodes the model.
func (f *assignFn) Setup() error {
	m, err := decodeModel(f.Model)
	if err != nil {
		return fmt.Errorf("beam: model: %w", err)
	}
	f.m = m
	return nil
}

// ProcessElement reads the account of line and emits its assignment line and
// its segment ID, or a reject line naming the line and the error. A bad line
// never fails the pipeline.
func (f *assignFn) ProcessElement(line string, assigned, segmentID, rejects func(string)) error {
	if strings.TrimSpace(line) == "" || (f.Format == formatCSV && line == f.Header) {
		return nil
	}
	a, err := f.read(line)
	if err == nil {
		var as segment.Assignment
		if as, err = f.m.Assign(&a); err == nil {
			out, err := json.Marshal(f.record(as))
			if err != nil {
				return fmt.Errorf("beam: encode assignment of %q: %w", as.AccountID, err)
			}
			assigned(string(out))
			segmentID(as.Segment.ID)
			return nil
		}
	}
	out, jerr := json.Marshal(reject{Line: line, Error: err.Error()})
	if jerr != nil {
		return fmt.Errorf("beam: encode reject: %w", jerr)
	}
	rejects(string(out))
	return nil
}

// read decodes one line into an account.
func (f *assignFn) read(line string) (segment.Account, error) {
	if f.Format == formatCSV {
		r, err := segment.NewCSVReader(strings.NewReader(f.Header+"\n"+line), segment.CSVMapping{})
		if err != nil {
			return segment.Account{}, err
		}
		return r.Read()
	}
	r, err := segment.NewJSONLReader(strings.NewReader(line), segment.JSONLOptions{})
	if err != nil {
		return segment.Account{}, err
	}
	a, err := r.Read()
	if errors.Is(err, io.EOF) {
		return a, errors.New("beam: no account on the line")
	}
	return a, err
}

// record is one line of the assignments output.
type record struct {
	AccountID string             `json:"account_id"`
	Segment   string             `json:"segment"`
	Name      string             `json:"name"`
	Score     float64            `json:"score"`
	Scores    map[string]float64 `json:"scores,omitempty"`
	Layers    []string           `json:"layers,omitempty"`
	// Assignment is the whole assignment, reasons included, with -reasons.
	Assignment *segment.Assignment `json:"assignment,omitempty"`
}

// record turns an assignment into its output line: the composite segment and
// each layer's segment ID, and with Reasons the whole assignment.
func (f *assignFn) record(as segment.Assignment) record {
	r := record{AccountID: as.AccountID, Segment: as.Segment.ID, Name: as.Segment.Name, Score: as.Score, Scores: as.Scores}
	for _, p := range layerParts(as) {
		r.Layers = append(r.Layers, p.Segment.ID)
	}
	if f.Reasons {
		r.Assignment = &as
	}
	return r
}

// layerParts finds the per-layer assignments under the MinSize wrapper.
func layerParts(as segment.Assignment) []segment.Assignment {
	for len(as.Parts) == 1 {
		as = as.Parts[0]
	}
	return as.Parts
}

// reject is one line of the rejects output.
type reject struct {
	Line  string `json:"line"`
	Error string `json:"error"`
}

// formatCount writes one per-segment count as a CSV row.
func formatCount(id string, n int) string { return fmt.Sprintf("%s,%d", id, n) }

// assignLines adds the assignment to s: lines in, assignment lines, per-segment
// count rows ("segment,count") and reject lines out.
func assignLines(s beam.Scope, lines beam.PCollection, fn *assignFn) (assigned, counts, rejects beam.PCollection) {
	s = s.Scope("strata.Assign")
	assigned, ids, rejects := beam.ParDo3(s, fn, lines)
	counts = beam.ParDo(s, formatCount, stats.Count(s, ids))
	return assigned, counts, rejects
}

// assignConfig is what the run command needs.
type assignConfig struct {
	In, Model, Out, Counts, Rejects string
	Format                          string
	Header                          string
	Reasons                         bool
	ModelJSON                       []byte
}

// buildAssign builds the whole pipeline: read, assign, write.
func buildAssign(c assignConfig) *beam.Pipeline {
	p, s := beam.NewPipelineWithRoot()
	lines := textio.Read(s, c.In)
	assigned, counts, rejects := assignLines(s, lines, &assignFn{Model: c.ModelJSON, Format: c.Format, Header: c.Header, Reasons: c.Reasons})
	textio.Write(s, c.Out, assigned)
	textio.Write(s, c.Counts, counts)
	textio.Write(s, c.Rejects, rejects)
	return p
}
