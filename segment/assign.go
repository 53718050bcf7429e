package segment

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"slices"
)

// AssignAll assigns every account of accts with m, on workers goroutines
// (0: GOMAXPROCS), and returns m's segments and the assignments in the
// order of accts. The result equals calling m.Assign on one account at a
// time, in any order, with any number of workers.
//
// It walks accts once, in batches, and looks at ctx between batches,
// returning an error for which errors.Is(err, ctx.Err()) holds once ctx is
// done. When accounts cannot be assigned, the error of the first of them
// in the order of accts is returned, naming its position and ID; m's error
// is wrapped, so errors.Is and errors.As see through it. No account yields
// an empty Result and no error. A nil ctx, m or accts, or negative workers,
// is an error wrapping [ErrInvalidConfig]. Every goroutine has exited when
// it returns.
func AssignAll(ctx context.Context, m Model, accts iter.Seq[Account], workers int) (Result, error) {
	switch {
	case ctx == nil:
		return Result{}, fmt.Errorf("segment: assign all: context is nil: %w", ErrInvalidConfig)
	case m == nil:
		return Result{}, fmt.Errorf("segment: assign all: model is nil: %w", ErrInvalidConfig)
	case accts == nil:
		return Result{}, fmt.Errorf("segment: assign all: accounts are nil: %w", ErrInvalidConfig)
	case workers < 0:
		return Result{}, fmt.Errorf("segment: assign all: workers is %d, negative: %w", workers, ErrInvalidConfig)
	}
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("segment: assign all: %w", err)
	}
	batch := 1024 * workers
	res := Result{Segments: slices.Clone(m.Segments()), Assignments: []Assignment{}}
	buf := make([]Account, 0, batch)
	var err error
	flush := func() {
		offset := len(res.Assignments)
		res.Assignments = append(res.Assignments, make([]Assignment, len(buf))...)
		out := res.Assignments[offset:]
		err = forEach(ctx, "segment: assign all", len(buf), workers, func(i int) error {
			as, err := m.Assign(&buf[i])
			if err != nil {
				return fmt.Errorf("segment: assign all: account %d (%q): %w", offset+i+1, buf[i].ID, err)
			}
			out[i] = as
			return nil
		})
		buf = buf[:0]
	}
	for a := range accts {
		buf = append(buf, a)
		if len(buf) == batch {
			if flush(); err != nil {
				return Result{}, err
			}
		}
	}
	if len(buf) > 0 {
		if flush(); err != nil {
			return Result{}, err
		}
	}
	return res, nil
}
