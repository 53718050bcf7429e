// Command batch is the nightly job of an ERP or B2B e-commerce system built
// on strata: it fits a layered segmentation from a CRM-style export and
// assigns a CSV of accounts to a CSV with each layer's segment, score and
// reasons, streaming, on every core.
//
//	go run ./examples/batch gen -n 100000 -o accounts.csv
//	go run ./examples/batch fit -in accounts.csv -model model.json
//	go run ./examples/batch assign -model model.json -in accounts.csv -out segments.csv
//
// See README.md for the flags, the file formats and the measured figures.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	interrupted := ctx.Err() != nil
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "batch:", err)
		if interrupted {
			os.Exit(130)
		}
		os.Exit(1)
	}
}

const usage = `usage: batch <command> [flags]

commands:
  gen     write generated accounts as CRM-style CSV or JSON Lines
  fit     fit a layered segmentation from a CSV or JSON Lines export
  assign  assign a CSV of accounts to a CSV with each layer's segment

Run "batch <command> -h" for a command's flags.
`

// errUsage is returned for a command line that names no known command.
var errUsage = errors.New("batch: unknown command")

// run runs the command line args (without the program name).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "gen":
		return runGen(ctx, args[1:], stdout, stderr)
	case "fit":
		return runFit(ctx, args[1:], stdout, stderr)
	case "assign":
		return runAssign(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%w %q", errUsage, args[0])
}
