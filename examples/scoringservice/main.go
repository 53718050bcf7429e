// Command scoringservice is a CRM's scoring service: an HTTP JSON service
// that assigns B2B accounts to strata segments in the request path.
//
// It has three modes:
//
//	scoringservice fit   -out model.json [-in accounts.jsonl | -n 20000 -seed 1] [-keys]
//	scoringservice serve -model model.json [-addr :8080] [-admin 127.0.0.1:8081]
//	scoringservice sample [-n 1] [-seed 2]   # generated accounts as JSON Lines, for trying it out
//
// fit reads accounts (JSON Lines in the Account's own JSON encoding, or
// strata's generator when -in is not given), fits the layered segmentation
// — the named key accounts first, then value tier, firmographics, behavior,
// lead propensity, needs and sophistication layered — and writes the model
// as JSON. serve loads that model with the same segmentation's DecodeModel
// and serves:
//
//	POST /v1/assign        one account (application/json) → its composite segment, each layer's, scores and reasons
//	POST /v1/assign/batch  JSON Lines in → JSON Lines out, streamed, one output line per input line
//	GET  /v1/segments      the segments the model assigns
//	GET  /healthz          liveness and the loaded model
//	POST /v1/bare          decodes an account and answers a canned assignment: the baseline for measuring
//
// and, on the admin listener only (loopback by default, no token):
//
//	POST /admin/reload     reads the model file again and swaps it in
//
// SIGHUP reloads the model too. A reload decodes and checks the new model
// (it must assign canary accounts) before it swaps it in atomically; on any
// error the old model stays and the error is logged and returned. SIGINT or
// SIGTERM stops accepting connections and drains the requests in flight.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "scoringservice:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  scoringservice fit    -out model.json [-in accounts.jsonl | -n 20000 -seed 1] [-keys ID,ID]
  scoringservice serve  -model model.json [-addr :8080] [-admin 127.0.0.1:8081]
  scoringservice sample [-n 1] [-seed 2]`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "fit":
		return runFit(ctx, args[1:], stderr)
	case "serve":
		return runServe(ctx, args[1:], stderr)
	case "sample":
		return runSample(args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown mode %q\n%s", args[0], usage)
}

func runFit(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "model.json", "where to write the fitted model (JSON)")
	in := fs.String("in", "", "accounts as JSON Lines; empty: generate -n accounts")
	n := fs.Int("n", 20000, "accounts to generate when -in is empty")
	seed := fs.Uint64("seed", 1, "generator seed when -in is empty")
	keys := fs.String("keys", "", "comma-separated IDs of the named key accounts; empty: the 10 largest by revenue")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var accts []segment.Account
	if *in == "" {
		accts = segmenttest.Accounts(*n, *seed)
	} else {
		var err error
		if accts, err = readAccounts(*in); err != nil {
			return err
		}
	}
	var ids []string
	if *keys != "" {
		ids = strings.Split(*keys, ",")
	} else {
		ids = largest(accts, 10)
	}
	start := time.Now()
	data, err := fitModel(ctx, accts, ids)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(*out, data); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "fitted %d accounts (%d key accounts) in %v; wrote %s (%d bytes)\n",
		len(accts), len(ids), time.Since(start).Round(time.Millisecond), *out, len(data))
	return nil
}

// fitModel fits the service's segmentation on accts and returns the model's
// JSON encoding.
func fitModel(ctx context.Context, accts []segment.Account, keyIDs []string) ([]byte, error) {
	s, err := newSegmenter(keyIDs)
	if err != nil {
		return nil, err
	}
	m, err := s.Fit(ctx, slices.Values(accts))
	if err != nil {
		return nil, fmt.Errorf("fitting: %w", err)
	}
	return marshalModel(m)
}

// readAccounts reads a JSON Lines file of accounts; the first bad line is
// an error naming its line and field.
func readAccounts(path string) ([]segment.Account, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := segment.NewJSONLReader(f, segment.JSONLOptions{})
	if err != nil {
		return nil, err
	}
	accts := slices.Collect(r.All())
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return accts, nil
}

// largest returns the IDs of the k accounts with the largest known revenue.
func largest(accts []segment.Account, k int) []string {
	idx := make([]int, 0, len(accts))
	for i := range accts {
		if accts[i].Revenue.Known() {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(i, j int) int {
		return cmp.Or(cmp.Compare(accts[j].Revenue.Or(0), accts[i].Revenue.Or(0)), strings.Compare(accts[i].ID, accts[j].ID))
	})
	ids := make([]string, 0, k)
	for _, i := range idx[:min(k, len(idx))] {
		ids = append(ids, accts[i].ID)
	}
	return ids
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it, so that a reload never reads a half-written model.
func writeFileAtomic(path string, data []byte) error {
	dir, base := ".", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dir, base = path[:i+1], path[i+1:]
	}
	f, err := os.CreateTemp(dir, "."+base+".*")
	if err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}

// Sample accounts: sample writes them and the bare handler answers with the
// assignment of the first, so that the bare baseline encodes a response of
// the size the real one has for the same request.
const (
	sampleSeed = 2
)

func runSample(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sample", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 1, "accounts to write")
	seed := fs.Uint64("seed", sampleSeed, "generator seed")
	lean := fs.Bool("lean", false, "keep only the CRM record's own fields: no orders, subscriptions, usage, events or survey")
	if err := fs.Parse(args); err != nil {
		return err
	}
	accts := segmenttest.Accounts(*n, *seed)
	if *lean {
		for i := range accts {
			accts[i] = leanAccount(accts[i])
		}
	}
	return segment.WriteJSONL(stdout, slices.Values(accts))
}

// leanAccount keeps the fields a CRM record holds itself and drops the
// account's histories (orders, subscriptions, usage, events, survey).
func leanAccount(a segment.Account) segment.Account {
	a.Orders, a.Subscriptions, a.Usage, a.Events, a.Survey = nil, nil, nil, nil, nil
	return a
}

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := defaultConfig()
	fs.StringVar(&c.ModelPath, "model", "model.json", "the fitted model (JSON), read at start and on reload")
	addr := fs.String("addr", ":8080", "the API's address")
	admin := fs.String("admin", "127.0.0.1:8081", "the admin listener's address (POST /admin/reload); empty: none")
	fs.Int64Var(&c.MaxBody, "max-body", c.MaxBody, "largest body of /v1/assign and longest line of a batch, in bytes")
	fs.Int64Var(&c.MaxBatchBody, "max-batch-body", c.MaxBatchBody, "largest body of /v1/assign/batch, in bytes")
	quiet := fs.Bool("quiet", false, "log no line per request (errors and reloads are still logged)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.Logger = slog.New(slog.NewJSONHandler(stderr, nil))
	c.AccessLog = !*quiet
	svc, err := newService(c)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				_ = svc.reload("SIGHUP")
			}
		}
	}()
	return svc.listenAndServe(ctx, *addr, *admin)
}

// sampleAccounts returns the first n sample accounts.
func sampleAccounts(n int) []segment.Account { return segmenttest.Accounts(n, sampleSeed) }
