package segmenttest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// toy is a small Segmenter that learns the median employee count and
// splits at it; broken names a way to break the contract.
type toy struct {
	broken  string
	workers int
}

type toyModel struct {
	segment.Header
	Median float64 `json:"median"`
	Noise  float64 `json:"noise,omitempty"`
	broken string
}

var toySegments = []segment.Segment{
	{ID: "toy/small", Name: "Small", Method: "toy"},
	{ID: "toy/big", Name: "Big", Method: "toy"},
}

func (s toy) Fit(ctx context.Context, accts iter.Seq[segment.Account]) (segment.Model, error) {
	if s.broken == "leaks" {
		block := make(chan int)
		go func() { <-block }()
	}
	var sum float64
	n := 0
	for a := range accts {
		if s.broken != "ignoresCtx" {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("toy: %w", err)
			}
		}
		if s.broken != "noValidate" {
			if err := a.Validate(); err != nil {
				return nil, fmt.Errorf("toy: %w", err)
			}
		}
		sum += a.Employees.Or(0)
		n++
	}
	if n == 0 && s.broken != "noEmptyErr" {
		return nil, fmt.Errorf("toy: no accounts: %w", segment.ErrEmptyInput)
	}
	if n == 1 && s.broken == "singleNoSentinel" {
		return nil, errors.New("toy: too few accounts")
	}
	m := &toyModel{Header: segment.Header{Method: "toy", Version: 1}, Median: sum / float64(max(n, 1)), broken: s.broken}
	switch s.broken {
	case "random":
		m.Noise = rand.Float64()
	case "workersDiffer":
		m.Noise = float64(s.workers)
	}
	return m, nil
}

func (s toy) DecodeModel(data []byte) (segment.Model, error) {
	if s.broken == "noVersionCheck" {
		var m toyModel
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, err
		}
		m.broken = s.broken
		return &m, nil
	}
	m, err := segment.DecodeJSON[toyModel](data, "toy", 1)
	if err != nil {
		return nil, err
	}
	m.broken = s.broken
	return m, nil
}

func (m *toyModel) Segments() []segment.Segment {
	if m.broken == "dupSegments" {
		return append(toySegments, toySegments[0])
	}
	return toySegments
}

// MarshalJSON loses the median when the toy is broken so.
func (m *toyModel) MarshalJSON() ([]byte, error) {
	type plain toyModel
	p := plain(*m)
	if m.broken == "roundTripLoses" {
		p.Median = 0
	}
	return json.Marshal(p)
}

func (m *toyModel) Assign(a *segment.Account) (segment.Assignment, error) {
	if a == nil && m.broken != "nilPanics" {
		return segment.Assignment{}, fmt.Errorf("toy: nil account: %w", segment.ErrInvalidAccount)
	}
	if m.broken == "mutates" {
		a.Name += "!"
	}
	if m.broken != "noValidate" {
		if err := a.Validate(); err != nil {
			return segment.Assignment{}, fmt.Errorf("toy: %w", err)
		}
	}
	as := segment.Assignment{AccountID: a.ID, Segment: toySegments[0], Score: 1}
	if a.Employees.Or(0) >= m.Median {
		as.Segment = toySegments[1]
	}
	if m.broken == "badSegment" {
		as.Segment.ID = "toy/unlisted"
	}
	return as, nil
}

// AssignValid is Assign without validation, or a different answer when
// the toy is broken so.
func (m *toyModel) AssignValid(a *segment.Account) (segment.Assignment, error) {
	as := segment.Assignment{AccountID: a.ID, Segment: toySegments[0], Score: 1}
	if a.Employees.Or(0) >= m.Median && m.broken != "assignValidDiffers" {
		as.Segment = toySegments[1]
	}
	return as, nil
}

func TestRun(t *testing.T) {
	segmenttest.Run(t, segmenttest.Config{New: func(int) segment.Segmenter { return toy{} }})
}

func TestRunWithOwnAccounts(t *testing.T) {
	accts := segmenttest.Accounts(40, 3)
	segmenttest.Run(t, segmenttest.Config{
		New:      func(int) segment.Segmenter { return toy{} },
		Accounts: accts,
		Skip:     map[string]string{"ConcurrentAssign": "shown to be skippable"},
	})
}

// TestBroken runs the suite on a broken toy when the parent test asks for
// it in the environment.
func TestBroken(t *testing.T) {
	broken := os.Getenv("SEGMENTTEST_BROKEN")
	if broken == "" {
		t.Skip("run by TestRunCatches")
	}
	segmenttest.Run(t, segmenttest.Config{New: func(workers int) segment.Segmenter { return toy{broken: broken, workers: workers} }})
}

func TestRunCatches(t *testing.T) {
	for _, c := range []struct{ broken, clause string }{
		{"noEmptyErr", "EmptyInput"},
		{"random", "Deterministic"},
		{"mutates", "InputUnchanged"},
		{"badSegment", "Assigned"},
		{"noVersionCheck", "DecodeErrors"},
		{"noValidate", "EmptyID"},
		{"noValidate", "NonFinite"},
		{"ignoresCtx", "Cancel"},
		{"leaks", "Synchronous"},
		{"singleNoSentinel", "SingleAccount"},
		{"workersDiffer", "Workers"},
		{"dupSegments", "Segments"},
		{"roundTripLoses", "RoundTrip"},
		{"nilPanics", "NilAccount"},
		{"assignValidDiffers", "AssignValid"},
	} {
		t.Run(c.broken+"/"+c.clause, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBroken$/^"+c.clause+"$", "-test.v")
			cmd.Env = append(os.Environ(), "SEGMENTTEST_BROKEN="+c.broken)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("the suite passed a toy that is %s (err %v):\n%s", c.broken, err, out)
			}
			if want := "--- FAIL: TestBroken/" + c.clause; !strings.Contains(string(out), want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		})
	}
}

func TestRunSkipNamesAClause(t *testing.T) {
	if os.Getenv("SEGMENTTEST_BADSKIP") == "1" {
		segmenttest.Run(t, segmenttest.Config{
			New:  func(int) segment.Segmenter { return toy{} },
			Skip: map[string]string{"NoSuchClause": "a typo"},
		})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunSkipNamesAClause$")
	cmd.Env = append(os.Environ(), "SEGMENTTEST_BADSKIP=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), `Config.Skip names no clause "NoSuchClause"`) {
		t.Errorf("a Skip naming no clause passed (err %v):\n%s", err, out)
	}
}
