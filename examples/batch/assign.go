package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cheggaaa/pb/v3"
	"github.com/mattn/go-isatty"

	"github.com/strataseg/strata/segment"
)

// assignOptions configures assignFile.
type assignOptions struct {
	In, Out, Rejects string
	Model            segment.Model
	Layers           []string // the layers' method names, for the column headers
	Mapping          segment.CSVMapping
	Workers          int // 0: GOMAXPROCS
	MaxRejects       int // most rows rejected before the run fails; -1: no limit
	ChunkRows        int // rows per unit of work; 0: 1024
	Progress         io.Writer
}

// stats counts the rows of a run: Read = Written + Rejected, always.
type stats struct {
	Read, Written, Rejected int
	Elapsed                 time.Duration
}

// errTooManyRejects is the error of a run stopped by -max-rejects.
var errTooManyRejects = errors.New("too many rejected rows")

func runAssign(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("batch assign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "accounts to assign, CSV (required; - reads standard input)")
	out := fs.String("out", "", "CSV to write: the input columns plus each layer's segment, score and reasons (required)")
	rejects := fs.String("rejects", "", `CSV of the rows rejected, with row, line, column and reason; "" is the output's name with .rejects.csv`)
	modelPath := fs.String("model", "model.json", "model file that fit wrote")
	mappingPath := fs.String("mapping", "", "JSON file of a segment.CSVMapping for the CSV's columns")
	workers := fs.Int("workers", 0, "goroutines assigning (0: GOMAXPROCS)")
	maxRejects := fs.Int("max-rejects", 1000, "most rows rejected before the run fails and writes no output (-1: no limit)")
	chunk := fs.Int("chunk", 1024, "rows per unit of work")
	quiet := fs.Bool("quiet", false, "no progress bar, even on a terminal")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("assign: -in and -out are required and no arguments are taken")
	}
	if *workers < 0 || *chunk < 1 || *maxRejects < -1 {
		return fmt.Errorf("assign: -workers must be ≥ 0, -chunk ≥ 1 and -max-rejects ≥ -1")
	}
	layers, m, err := loadModel(*modelPath)
	if err != nil {
		return fmt.Errorf("assign: %w", err)
	}
	mapping, err := loadMapping(*mappingPath)
	if err != nil {
		return fmt.Errorf("assign: %w", err)
	}
	if *rejects == "" {
		*rejects = strings.TrimSuffix(*out, ".csv") + ".rejects.csv"
	}
	if os.Getenv("GOGC") == "" {
		// Half as many collections as the default for a heap of 20–40 MB
		// live: about a tenth less CPU, and peak RSS stays near 100 MB.
		debug.SetGCPercent(200)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	opts := assignOptions{In: *in, Out: *out, Rejects: *rejects, Model: m, Layers: layers, Mapping: mapping,
		Workers: *workers, MaxRejects: *maxRejects, ChunkRows: *chunk}
	if f, ok := stderr.(*os.File); ok && !*quiet && isatty.IsTerminal(f.Fd()) {
		opts.Progress = stderr
	}
	st, err := assignFile(ctx, opts)
	rate := float64(st.Read) / st.Elapsed.Seconds()
	if err != nil {
		fmt.Fprintf(stderr, "assign: stopped after %d rows read = %d assigned + %d rejected; %s not written\n",
			st.Read, st.Written, st.Rejected, *out)
		return fmt.Errorf("assign: %w", err)
	}
	fmt.Fprintf(stderr, "assign: %d rows read = %d written + %d rejected, in %s (%.0f accounts/s)\n",
		st.Read, st.Written, st.Rejected, st.Elapsed.Round(time.Millisecond), rate)
	fmt.Fprintf(stderr, "assign: wrote %s and %s\n", *out, *rejects)
	return nil
}

// chunk is a unit of work: whole records of the input.
type chunk struct {
	seq      int
	data     []byte
	lineBase int   // physical lines of the input before the chunk's first record
	bytes    int64 // input bytes of the chunk's records
	// starts and lines are the offset in data and the line (1-based,
	// counted as if the header's lines came first) of each record, so that
	// a row the reader returns can be copied to the output as it was
	// written.
	starts, lines []int
}

// raw returns the bytes of the record starting on the chunk's line, without
// its line break, or nil; k is a cursor that only moves forward.
func (c *chunk) raw(line int, k *int) []byte {
	for *k < len(c.lines) && c.lines[*k] < line {
		*k++
	}
	if *k == len(c.lines) || c.lines[*k] != line {
		return nil
	}
	end := len(c.data)
	if *k+1 < len(c.starts) {
		end = c.starts[*k+1]
	}
	b := c.data[c.starts[*k]:end]
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// chunkResult is a chunk assigned.
type chunkResult struct {
	chunk
	out     *bytes.Buffer
	rejects []reject
	read    int
	err     error
}

// reject is one problem of a rejected row; a row may have several.
type reject struct {
	row, line          int // chunk-local until the writer adds the bases
	id, column, reason string
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// linesPool holds the starts and lines slices of chunks written.
var linesPool = sync.Pool{New: func() any { return new([2][]int) }}

// assignFile assigns the accounts of o.In with o.Model and writes them to
// o.Out, the rows rejected to o.Rejects. The input is cut into chunks of
// whole records by one goroutine, each chunk parsed and assigned by one of
// o.Workers goroutines, and the results written in input order; at most
// 2 × workers + 2 chunks are in flight, so memory does not grow with the
// file. The output is renamed into place only when every row is accounted
// for; on an error (ctx done, too many rejects, I/O) there is no output file,
// and the rejects file is kept only when the rejects limit stopped the run.
func assignFile(ctx context.Context, o assignOptions) (st stats, err error) {
	start := time.Now()
	defer func() { st.Elapsed = time.Since(start) }()
	workers := o.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	chunkRows := o.ChunkRows
	if chunkRows == 0 {
		chunkRows = 1024
	}
	comma := byte(',')
	if o.Mapping.Comma != "" {
		comma = o.Mapping.Comma[0]
	}

	var in io.Reader = os.Stdin
	var size int64
	if o.In != "-" {
		f, err := os.Open(o.In)
		if err != nil {
			return st, err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		in = f
	}
	sp := newSplitter(in, comma)
	header, headerLines, err := sp.appendRecord(nil)
	if err != nil && err != io.EOF {
		return st, err
	}
	hr, err := segment.NewCSVReader(bytes.NewReader(header), o.Mapping)
	if err != nil {
		return st, fmt.Errorf("%s: %w", o.In, err)
	}
	inCols := len(hr.Header())
	outHeader := append(hr.Header(), "segment", "segment_name", "score")
	for _, l := range o.Layers {
		outHeader = append(outHeader, l+"_segment", l+"_segment_name", l+"_score", l+"_reasons")
	}

	out, err := createAtomic(o.Out)
	if err != nil {
		return st, err
	}
	defer out.Abort()
	rej, err := createAtomic(o.Rejects)
	if err != nil {
		return st, err
	}
	defer rej.Abort()
	ow := csv.NewWriter(out)
	rw := csv.NewWriter(rej)
	if o.Mapping.Comma != "" {
		ow.Comma = rune(o.Mapping.Comma[0])
	}
	ow.Write(outHeader)
	ow.Flush() // the chunks are written to out directly, after the header
	rw.Write([]string{"row", "line", "id", "column", "reason"})

	var bar *pb.ProgressBar
	if o.Progress != nil {
		bar = pb.New64(size)
		bar.Set(pb.Bytes, true)
		bar.SetTemplateString(`{{counters . }} {{bar . }} {{percent . }} {{string . "rows"}} {{rtime . "ETA %s"}}`)
		bar.SetWriter(o.Progress)
		bar.SetRefreshRate(250 * time.Millisecond)
		bar.Start()
		defer bar.Finish()
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tokens := make(chan struct{}, 2*workers+2)
	chunks := make(chan chunk, workers)
	results := make(chan chunkResult, 2*workers+2)
	var readErr error // set by the producer before it closes chunks
	go func() {
		defer close(chunks)
		lineBase := headerLines
		for seq := 0; ; seq++ {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			b := bufPool.Get().(*bytes.Buffer)
			data := b.Bytes()[:0]
			c := chunk{seq: seq, lineBase: lineBase}
			sl := linesPool.Get().(*[2][]int)
			c.starts, c.lines = sl[0][:0], sl[1][:0]
			rows, lines := 0, 0
			var err error
			for rows < chunkRows {
				var n int
				start := len(data)
				data, n, err = sp.appendRecord(data)
				if err != nil {
					break
				}
				c.starts = append(c.starts, start)
				c.lines = append(c.lines, headerLines+1+lines)
				rows++
				lines += n
			}
			c.data = data
			c.bytes = int64(len(data))
			lineBase += lines
			if rows > 0 {
				select {
				case chunks <- c:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			// Each worker resolves the header once, and its reader reads
			// chunk after chunk (Reset), as if each followed the header.
			r, err := segment.NewCSVReader(bytes.NewReader(header), o.Mapping)
			for c := range chunks {
				if err != nil { // not expected: the header was read above
					results <- chunkResult{chunk: c, err: err}
					continue
				}
				results <- assignChunk(c, r, o, inCols, headerLines)
			}
		})
	}
	go func() { wg.Wait(); close(results) }()

	// The writer: results in input order.
	pending := map[int]chunkResult{}
	next, rowBase := 0, 0
	rejectedRows := 0
	var runErr error
	for res := range results {
		if runErr == nil && ctx.Err() != nil {
			runErr = ctx.Err()
		}
		if runErr != nil {
			continue // drain, so that the workers can exit
		}
		pending[res.seq] = res
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if r.err != nil {
				runErr = r.err
				break
			}
			lastRow := -1
			for _, x := range r.rejects {
				if x.row != lastRow {
					rejectedRows++
					lastRow = x.row
				}
				rw.Write([]string{strconv.Itoa(rowBase + x.row), strconv.Itoa(r.lineBase + x.line - headerLines),
					x.id, x.column, x.reason})
				if o.MaxRejects >= 0 && rejectedRows > o.MaxRejects {
					// Count the rows up to this one: those before it in the
					// chunk were assigned or rejected, and it was rejected.
					st.Read = rowBase + x.row
					st.Rejected = rejectedRows
					st.Written = st.Read - st.Rejected
					runErr = fmt.Errorf("%w: row %d is rejected row number %d, more than -max-rejects %d; no output written",
						errTooManyRejects, rowBase+x.row, rejectedRows, o.MaxRejects)
					break
				}
			}
			if runErr != nil {
				break
			}
			if _, err := out.WriteLarge(r.out.Bytes()); err != nil {
				runErr = err
				break
			}
			rowBase += r.read
			st.Read = rowBase
			st.Rejected = rejectedRows
			st.Written = st.Read - st.Rejected
			r.out.Reset()
			bufPool.Put(r.out)
			bufPool.Put(bytes.NewBuffer(r.data[:0]))
			linesPool.Put(&[2][]int{r.starts, r.lines})
			<-tokens
			if bar != nil {
				bar.Add64(r.bytes)
				rate := float64(st.Read) / time.Since(start).Seconds()
				bar.Set("rows", fmt.Sprintf("%d accounts, %.0f/s", st.Read, rate))
			}
		}
		if runErr != nil {
			cancel()
		}
	}
	if runErr == nil {
		runErr = readErr
	}
	if runErr == nil {
		runErr = ctx.Err()
	}
	if runErr != nil {
		if errors.Is(runErr, errTooManyRejects) {
			rw.Flush()
			if err := rej.Commit(); err != nil {
				return st, errors.Join(runErr, err)
			}
		}
		return st, runErr
	}
	ow.Flush()
	rw.Flush()
	if err := errors.Join(ow.Error(), rw.Error()); err != nil {
		return st, err
	}
	if err := rej.Commit(); err != nil {
		return st, err
	}
	return st, out.Commit()
}

// assignChunk parses the records of one chunk with r, a reader made from
// the input's header, and assigns them. A row is copied to the output as the
// input has it (its quoting kept), followed by the assignment's columns; a
// row with blank extra fields is written field by field instead, so that
// every output row has the header's columns.
func assignChunk(c chunk, r *segment.CSVReader, o assignOptions, inCols, headerLines int) chunkResult {
	res := chunkResult{chunk: c, out: bufPool.Get().(*bytes.Buffer)}
	r.Reset(bytes.NewReader(c.data), headerLines)
	comma := byte(',')
	if o.Mapping.Comma != "" {
		comma = o.Mapping.Comma[0]
	}
	out := res.out.Bytes()[:0]
	k := 0
	var a segment.Account // one for the chunk: Assign takes its address
	for {
		var err error
		a, err = r.Read()
		if err == io.EOF {
			break
		}
		res.read++
		if err != nil {
			var fe *segment.FieldError
			if !errors.As(err, &fe) {
				res.err = err // an I/O error; not from a bytes.Reader
				return res
			}
			res.rejects = appendRejects(res.rejects, r.Row(), r.Line(), err, false)
			continue
		}
		as, err := o.Model.Assign(&a)
		if err != nil {
			res.rejects = appendRejects(res.rejects, r.Row(), r.Line(), err, true)
			continue
		}
		rec := r.Record()
		if raw := c.raw(r.Line(), &k); raw != nil && len(rec) == inCols {
			out = append(out, raw...)
		} else {
			for i, f := range rec[:min(len(rec), inCols)] {
				if i > 0 {
					out = append(out, comma)
				}
				out = appendField(out, f, comma)
			}
		}
		out = append(out, comma)
		out = appendField(out, as.Segment.ID, comma)
		out = append(out, comma)
		out = appendField(out, as.Segment.Name, comma)
		out = append(out, comma)
		out = appendScore(out, as.Score)
		for i := range o.Layers {
			var p segment.Assignment
			if i < len(as.Parts) {
				p = as.Parts[i]
			}
			out = append(out, comma)
			out = appendField(out, p.Segment.ID, comma)
			out = append(out, comma)
			out = appendField(out, p.Segment.Name, comma)
			out = append(out, comma)
			out = appendScore(out, p.Score)
			out = append(out, comma)
			// The reasons, joined with "; ", are always quoted: they
			// nearly always hold a comma ("1,200 employees").
			out = append(out, '"')
			for j, rs := range p.Reasons {
				if j > 0 {
					out = append(out, "; "...)
				}
				out = appendEscaped(out, rs.Text)
			}
			out = append(out, '"')
		}
		out = append(out, '\n')
	}
	res.out = bytes.NewBuffer(out)
	return res
}

// appendField appends s as one CSV field, quoted as encoding/csv quotes it:
// when it holds the separator, a quote or a line break, or starts with a
// space (or is the lone `\.`).
func appendField(dst []byte, s string, comma byte) []byte {
	if s == "" {
		return dst
	}
	if !needsQuotes(s, comma) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

// needsQuotes reports whether the non-empty field s must be quoted.
func needsQuotes(s string, comma byte) bool {
	if s == `\.` {
		return true
	}
	if c := s[0]; c < utf8.RuneSelf {
		if c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' {
			return true
		}
	} else if r, _ := utf8.DecodeRuneInString(s); unicode.IsSpace(r) {
		return true
	}
	return strings.IndexByte(s, comma) >= 0 || strings.IndexByte(s, '"') >= 0 ||
		strings.IndexByte(s, '\n') >= 0 || strings.IndexByte(s, '\r') >= 0
}

// appendScore appends s as strconv.AppendFloat(dst, s, 'f', 4, 64) does,
// byte for byte: strconv formats a fixed number of decimals with
// multiprecision arithmetic, and a score in (0, 1e9) is exactly
// mant / 2^shift, so that s × 10⁴ is a 128-bit product shifted, rounded
// half to even as strconv rounds the exact value.
func appendScore(dst []byte, s float64) []byte {
	if !(s > 0 && s < 1e9) { // zero, negative, NaN, large
		return strconv.AppendFloat(dst, s, 'f', 4, 64)
	}
	b := math.Float64bits(s)
	exp := int(b>>52) & 0x7ff
	mant := b & (1<<52 - 1)
	if exp == 0 {
		exp = 1 // subnormal
	} else {
		mant |= 1 << 52
	}
	shift := uint(1075 - exp) // s = mant / 2^shift; s < 2^30 makes shift > 22
	var q uint64
	if shift < 68 { // else mant × 10⁴ < 2^67 is below half of 2^shift: q = 0
		hi, lo := bits.Mul64(mant, 10000)
		var remHi, remLo, halfHi, halfLo uint64
		if shift < 64 {
			q = hi<<(64-shift) | lo>>shift
			remLo = lo & (1<<shift - 1)
			halfLo = 1 << (shift - 1)
		} else {
			q = hi >> (shift - 64)
			remHi, remLo = hi&(1<<(shift-64)-1), lo
			if shift == 64 {
				halfLo = 1 << 63
			} else {
				halfHi = 1 << (shift - 65)
			}
		}
		if remHi > halfHi || remHi == halfHi && (remLo > halfLo || remLo == halfLo && q&1 == 1) {
			q++
		}
	}
	dst = strconv.AppendUint(dst, q/10000, 10)
	f := q % 10000
	return append(dst, '.', byte('0'+f/1000), byte('0'+f/100%10), byte('0'+f/10%10), byte('0'+f%10))
}

// appendEscaped appends s with each quote doubled, for inside a quoted field.
func appendEscaped(dst []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i+1]...)
		dst = append(dst, '"')
		s = s[i+1:]
	}
}

func formatScore(s float64) string { return strconv.FormatFloat(s, 'f', 4, 64) }

// appendRejects adds a rejected row's problems, one per field in error.
func appendRejects(dst []reject, row, line int, err error, assigning bool) []reject {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok && !assigning {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		x := reject{row: row, line: line, reason: e.Error()}
		var fe *segment.FieldError
		if errors.As(e, &fe) {
			x.id, x.column = fe.AccountID, fe.Field
			if !assigning {
				x.reason = fe.Err.Error()
			}
			var pe *csv.ParseError
			if errors.As(fe.Err, &pe) {
				x.reason = fmt.Sprintf("not valid CSV: %v (character %d)", pe.Err, pe.Column)
			}
		}
		if assigning {
			x.reason = "assign: " + x.reason
		}
		dst = append(dst, x)
	}
	return dst
}
