// Command beam runs strata on Apache Beam: the same fitted layered model,
// assigned by a pipeline that the prism runner executes inside this program
// (no download, no Java, no container) or that goes to Dataflow, Flink or
// Spark with --runner; and a k-means fit whose Lloyd iterations are Beam
// combines, equal to the in-process cluster.KMeans fit.
//
//	go run . gen -n 100000 -out accounts.jsonl
//	go run . fit -in accounts.jsonl -model model.json
//	go run . run -model model.json -in accounts.jsonl -out out/
//	go run . local -model model.json -in accounts.jsonl -out local/
//	go run . blobs -n 1000000 -out rows.csv
//	go run . kmeans -in rows.csv -k 8 -check
//
// See README.md for the flags, the outputs and the measured figures.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/cluster"
)

const usage = `usage: beam <command> [flags]

commands:
  gen     write generated accounts as JSON Lines
  fit     fit the layered model (firmographic, tier, propensity) in process
  run     assign accounts with a Beam pipeline (default runner: prism, in process)
  local   assign the same accounts in process, without Beam, for comparison
  blobs   write generated numeric rows (Gaussian blobs) as CSV
  kmeans  fit k-means with one Beam pipeline per Lloyd iteration (-check: and in process)

Beam's own flags (--runner, --environment_type, --project, ...) go after the command.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmd := os.Args[1]
	os.Args = append([]string{os.Args[0] + " " + cmd}, os.Args[2:]...)
	run, ok := commands[cmd]
	if !ok {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	do := run()
	flag.Parse()
	beam.Init()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := do(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "beam:", err)
		os.Exit(1)
	}
}

// commands define their flags on the global flag set (which holds Beam's
// flags too) and return what to run once the flags are parsed.
var commands = map[string]func() func(context.Context) error{
	"gen":    genCmd,
	"fit":    fitCmd,
	"run":    runCmd,
	"local":  localCmd,
	"blobs":  blobsCmd,
	"kmeans": kmeansCmd,
}

func genCmd() func(context.Context) error {
	n := flag.Int("n", 100_000, "number of accounts")
	seed := flag.Uint64("seed", 1, "generator seed")
	out := flag.String("out", "accounts.jsonl", "output JSON Lines file")
	return func(context.Context) error {
		return writeFile(*out, func(w io.Writer) error { return generateAccounts(w, *n, *seed) })
	}
}

func fitCmd() func(context.Context) error {
	in := flag.String("in", "accounts.jsonl", "JSON Lines accounts to fit on")
	limit := flag.Int("limit", 0, "fit on the first this many accounts (0: all)")
	out := flag.String("model", "model.json", "output model JSON")
	return func(ctx context.Context) error {
		f, err := os.Open(*in)
		if err != nil {
			return err
		}
		defer f.Close()
		r, err := segment.NewJSONLReader(f, segment.JSONLOptions{})
		if err != nil {
			return err
		}
		var accts []segment.Account
		for a := range r.All() {
			accts = append(accts, a)
			if *limit > 0 && len(accts) == *limit {
				break
			}
		}
		if err := r.Err(); err != nil {
			return err
		}
		s, err := segmenter()
		if err != nil {
			return err
		}
		start := time.Now()
		m, err := s.Fit(ctx, slices.Values(accts))
		if err != nil {
			return err
		}
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "fit: %d accounts in %v, %d segments\n", len(accts), time.Since(start).Round(time.Millisecond), len(m.Segments()))
		return os.WriteFile(*out, b, 0o644)
	}
}

func runCmd() func(context.Context) error {
	in := flag.String("in", "accounts.jsonl", "input file or glob (JSON Lines, or CSV with -format csv)")
	model := flag.String("model", "model.json", "fitted model JSON (from fit)")
	out := flag.String("out", "out", "output directory: assignments.jsonl, counts.csv, rejects.jsonl")
	format := flag.String("format", formatJSONL, "input format: jsonl or csv (one record per line; header row first)")
	reasons := flag.Bool("reasons", false, "write each assignment whole, reasons included")
	return func(ctx context.Context) error {
		mj, err := os.ReadFile(*model)
		if err != nil {
			return err
		}
		if _, err := decodeModel(mj); err != nil { // fail early, not on the workers
			return fmt.Errorf("model %s: %w", *model, err)
		}
		c := assignConfig{In: *in, ModelJSON: mj, Format: *format, Reasons: *reasons,
			Out: filepath.Join(*out, "assignments.jsonl"), Counts: filepath.Join(*out, "counts.csv"), Rejects: filepath.Join(*out, "rejects.jsonl")}
		switch *format {
		case formatJSONL:
		case formatCSV:
			if c.Header, err = firstLine(*in); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown format %q (jsonl or csv)", *format)
		}
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		start := time.Now()
		if err := beamx.Run(ctx, buildAssign(c)); err != nil {
			return err
		}
		// textio writes no file for an empty collection: no rejects, or
		// no account assigned, is an empty file.
		for _, path := range []string{c.Out, c.Counts, c.Rejects} {
			if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
				if err := os.WriteFile(path, nil, 0o644); err != nil {
					return err
				}
			}
		}
		n, err := countLines(c.Out)
		if err != nil {
			return err
		}
		rej, err := countLines(c.Rejects)
		if err != nil {
			return err
		}
		el := time.Since(start)
		fmt.Fprintf(os.Stderr, "run: %d assigned, %d rejected in %v: %.0f accounts/s\n", n, rej, el.Round(time.Millisecond), float64(n+rej)/el.Seconds())
		return nil
	}
}

func localCmd() func(context.Context) error {
	in := flag.String("in", "accounts.jsonl", "JSON Lines accounts")
	model := flag.String("model", "model.json", "fitted model JSON (from fit)")
	out := flag.String("out", "local", "output directory: assignments.jsonl, counts.csv")
	return func(ctx context.Context) error {
		mj, err := os.ReadFile(*model)
		if err != nil {
			return err
		}
		m, err := decodeModel(mj)
		if err != nil {
			return err
		}
		f, err := os.Open(*in)
		if err != nil {
			return err
		}
		defer f.Close()
		start := time.Now()
		r, err := segment.NewJSONLReader(f, segment.JSONLOptions{})
		if err != nil {
			return err
		}
		res, err := segment.AssignAll(ctx, m, r.All(), runtime.GOMAXPROCS(0))
		if err != nil {
			return err
		}
		if err := r.Err(); err != nil {
			return err
		}
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		counts := map[string]int{}
		fn := &assignFn{}
		err = writeFile(filepath.Join(*out, "assignments.jsonl"), func(w io.Writer) error {
			enc := json.NewEncoder(w)
			for _, as := range res.Assignments {
				counts[as.Segment.ID]++
				if err := enc.Encode(fn.record(as)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		err = writeFile(filepath.Join(*out, "counts.csv"), func(w io.Writer) error {
			for _, id := range slices.Sorted(maps.Keys(counts)) {
				fmt.Fprintln(w, formatCount(id, counts[id]))
			}
			return nil
		})
		if err != nil {
			return err
		}
		el := time.Since(start)
		n := len(res.Assignments)
		fmt.Fprintf(os.Stderr, "local: %d assigned in %v: %.0f accounts/s\n", n, el.Round(time.Millisecond), float64(n)/el.Seconds())
		return nil
	}
}

func blobsCmd() func(context.Context) error {
	n := flag.Int("n", 1_000_000, "number of rows")
	d := flag.Int("d", 8, "number of columns")
	k := flag.Int("k", 8, "number of blobs")
	seed := flag.Uint64("seed", 1, "generator seed")
	out := flag.String("out", "rows.csv", "output CSV file (no header)")
	return func(context.Context) error {
		return writeFile(*out, func(w io.Writer) error { return generateBlobs(w, *n, *d, *k, *seed) })
	}
}

func kmeansCmd() func(context.Context) error {
	in := flag.String("in", "rows.csv", "CSV file of float rows (no header)")
	k := flag.Int("k", 8, "number of clusters; the first k rows are the start")
	maxIter := flag.Int("max_iter", 300, "most Lloyd iterations")
	work := flag.String("work", "", "directory for the iterations' reductions (default: a temporary one)")
	check := flag.Bool("check", false, "also fit cluster.KMeans in process on the same rows and start, and compare")
	return func(ctx context.Context) error {
		x, err := readRows(*in)
		if err != nil {
			return err
		}
		n, _ := x.Dims()
		if *k < 1 || *k > n {
			return fmt.Errorf("k is %d, not in [1, %d]", *k, n)
		}
		init := firstRows(x, *k)
		dir := *work
		if dir == "" {
			if dir, err = os.MkdirTemp("", "strata-kmeans-"); err != nil {
				return err
			}
			defer os.RemoveAll(dir)
		}
		start := time.Now()
		res, err := distributedLloyd(ctx, kmeansConfig{In: *in, Init: init, MaxIter: *maxIter, Work: dir, Run: beamx.Run, Log: os.Stderr})
		if err != nil {
			return err
		}
		fmt.Printf("beam:      %d rows, %d iterations (converged %v), inertia %.17g in %v\n", n, res.Iterations, res.Converged, res.Inertia, time.Since(start).Round(time.Millisecond))
		if !*check {
			return nil
		}
		start = time.Now()
		m, err := localLloyd(ctx, x, init, *maxIter, 0)
		if err != nil {
			return err
		}
		fmt.Printf("in process: %d rows, %d iterations (converged %v), inertia %.17g in %v\n", n, m.Iterations, m.Converged, m.Inertia, time.Since(start).Round(time.Millisecond))
		rel, maxc := compare(res, m)
		fmt.Printf("relative inertia difference %.3g, largest centre difference %.3g, sizes equal %v\n", rel, maxc, slices.Equal(res.Sizes, m.Sizes))
		if rel > 1e-9 {
			return errors.New("kmeans: the distributed fit differs from the in-process fit")
		}
		return nil
	}
}

// compare returns the relative difference of the inertias and the largest
// absolute difference between centres.
func compare(res *kmeansResult, m *cluster.KMeansModel) (rel, maxc float64) {
	rel = math.Abs(res.Inertia-m.Inertia) / math.Abs(m.Inertia)
	for j := range m.Centers {
		for t := range m.Centers[j] {
			maxc = max(maxc, math.Abs(res.Centers[j][t]-m.Centers[j][t]))
		}
	}
	return rel, maxc
}

// writeFile writes path through write, into a temporary file renamed on
// success.
func writeFile(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// firstLine returns the first line of the first file the glob matches.
func firstLine(glob string) (string, error) {
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		return "", fmt.Errorf("no file matches %q", glob)
	}
	f, err := os.Open(files[0])
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"), nil
}

// countLines counts the lines of a file.
func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	n := 0
	for sc.Scan() {
		n++
	}
	return n, sc.Err()
}
