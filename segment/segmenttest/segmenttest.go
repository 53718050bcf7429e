// Package segmenttest checks that a [segment.Segmenter] keeps the contract
// of package segment, as testing/fstest does for a file system and
// testing/slogtest for a log handler. Every Segmenter of strata passes it,
// and a user's own Segmenter should too:
//
//	func TestConformance(t *testing.T) {
//		segmenttest.Run(t, segmenttest.Config{
//			New: func(workers int) segment.Segmenter {
//				return mymethod.New(mymethod.Config{Seed: 1, Workers: workers})
//			},
//		})
//	}
//
// [Run] fits the Segmenter on the accounts of [Config.Accounts] (by default
// 200 accounts from [Accounts]) and checks each clause below in a subtest
// named after it; [Config.Skip] skips a clause that does not apply, saying
// why. The clauses:
//
//   - EmptyInput: Fit on no accounts returns an error wrapping
//     segment.ErrEmptyInput.
//   - SingleAccount: Fit on one account either returns a Model that assigns
//     it to one of its segments, or an error wrapping one of segment's
//     sentinels (a method that needs more accounts says so).
//   - Deterministic: two Fits of two Segmenters from New(1) return Models
//     with the same JSON and the same assignments.
//   - Workers: New(1) and New(4) fit Models with the same JSON.
//   - ConcurrentFit: two Fits of one Segmenter at once return Models with
//     the same JSON as a Fit alone.
//   - Synchronous: Fit, run in a testing/synctest bubble, leaves no
//     goroutine blocked behind it once it has returned.
//   - InputUnchanged: Fit and Assign leave every account as they found it.
//   - Assigned: every fitted account is assigned to a segment that
//     Segments lists (equal in every field), with its AccountID, a Score
//     in [0, 1] and finite Scores. With [Config.Declines], an account may
//     instead be declined with an error wrapping segment.ErrNoMatch.
//   - Segments: Segments is not empty, is the same on every call, and its
//     segments have an ID, a Name and a Method, with no ID twice.
//   - RoundTrip: the Model's JSON, decoded by a new Segmenter's
//     DecodeModel, gives a Model with the same segments and the same
//     assignment (or error) for every fitted account, whose JSON is
//     byte-identical.
//   - DecodeErrors: DecodeModel returns an error for bytes that are not
//     JSON, and an error wrapping segment.ErrModelVersion for the Model's
//     JSON with another "method" or an unknown "version".
//   - BatchEqualsOne: segment.AssignAll with 4 workers gives what Assign
//     gives one account at a time, in reverse order.
//   - AssignValid: a Model that implements segment.ValidAssigner gives
//     from AssignValid what Assign gives, account by account (skipped for
//     a Model without it).
//   - ConcurrentAssign: 64 goroutines assigning at once (32 accounts each,
//     covering them all) get what one gets (run the tests with -race).
//   - EmptyID: Assign of an account without ID, and Fit of accounts among
//     which one has no ID, return a *segment.FieldError for field "id".
//   - NilAccount: Assign(nil) returns an error wrapping
//     segment.ErrInvalidAccount.
//   - NonFinite: an account with NaN employees, +Inf revenue, or a NaN
//     custom number makes Fit and Assign return a *segment.FieldError
//     naming that account and the field ("employees", "revenue",
//     "numbers[x]").
//   - Cancel: Fit with a cancelled context, and Fit whose context is
//     cancelled while it walks the accounts, return an error for which
//     errors.Is(err, context.Canceled) holds; in the second case Fit stops
//     walking the accounts (the sequence offers 10,000 more after the
//     cancel) and returns within [Config.CancelWithin].
//
// A call that panics fails its clause with the panic. The suite uses plain
// package testing.
package segmenttest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/strataseg/strata/segment"
)

// Config says what [Run] checks and on what data.
type Config struct {
	// New returns a new Segmenter to test, using workers goroutines to fit
	// where it has such a setting (it may ignore workers otherwise). Calls
	// with the same workers must return equally configured Segmenters
	// (the same seed). It must not be nil.
	New func(workers int) segment.Segmenter
	// Accounts are the accounts to fit and assign; nil means
	// Accounts(200, 1). They must be valid and have distinct IDs; Run does
	// not modify them.
	Accounts []segment.Account
	// Declines says that the Segmenter is a precedence rule (see
	// segment.First), whose Models may decline an account with an error
	// wrapping segment.ErrNoMatch.
	Declines bool
	// Skip maps the name of a clause that does not apply to the reason,
	// which the skipped subtest reports. Name the method's documented
	// treatment there (for instance a Model that never errs on unknown
	// values).
	Skip map[string]string
	// CancelWithin bounds how long Fit may run on once its context is
	// cancelled while it walks the accounts; 0 means 2 seconds.
	CancelWithin time.Duration
}

// Run checks s against every clause of the package doc, each in a subtest.
func Run(t *testing.T, c Config) {
	t.Helper()
	if c.New == nil {
		t.Fatal("segmenttest: Config.New is nil")
	}
	if c.Accounts == nil {
		c.Accounts = Accounts(200, 1)
	}
	if len(c.Accounts) == 0 {
		t.Fatal("segmenttest: Config.Accounts is empty")
	}
	if c.CancelWithin <= 0 {
		c.CancelWithin = 2 * time.Second
	}
	seen := make(map[string]bool, len(c.Accounts))
	for i := range c.Accounts {
		a := &c.Accounts[i]
		if err := a.Validate(); err != nil {
			t.Fatalf("segmenttest: Config.Accounts[%d] is invalid: %v", i, err)
		}
		if seen[a.ID] {
			t.Fatalf("segmenttest: Config.Accounts has ID %q twice", a.ID)
		}
		seen[a.ID] = true
	}
	r := &runner{c: c}
	for _, cl := range clauses {
		t.Run(cl.name, func(t *testing.T) {
			if why, ok := c.Skip[cl.name]; ok {
				t.Skip(why)
			}
			cl.check(r, t)
		})
	}
	for name := range c.Skip {
		if !slices.ContainsFunc(clauses, func(cl clause) bool { return cl.name == name }) {
			t.Errorf("segmenttest: Config.Skip names no clause %q", name)
		}
	}
}

type clause struct {
	name  string
	check func(*runner, *testing.T)
}

var clauses = []clause{
	{"EmptyInput", (*runner).emptyInput},
	{"SingleAccount", (*runner).singleAccount},
	{"Deterministic", (*runner).deterministic},
	{"Workers", (*runner).workers},
	{"ConcurrentFit", (*runner).concurrentFit},
	{"Synchronous", (*runner).synchronous},
	{"InputUnchanged", (*runner).inputUnchanged},
	{"Assigned", (*runner).assigned},
	{"Segments", (*runner).segments},
	{"RoundTrip", (*runner).roundTrip},
	{"DecodeErrors", (*runner).decodeErrors},
	{"BatchEqualsOne", (*runner).batchEqualsOne},
	{"AssignValid", (*runner).assignValid},
	{"ConcurrentAssign", (*runner).concurrentAssign},
	{"EmptyID", (*runner).emptyID},
	{"NilAccount", (*runner).nilAccount},
	{"NonFinite", (*runner).nonFinite},
	{"Cancel", (*runner).cancel},
}

type runner struct {
	c Config
}

// fit calls s.Fit, turning a panic into an error that fails the test.
func fit(t *testing.T, s segment.Segmenter, ctx context.Context, accts iter.Seq[segment.Account]) (m segment.Model, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Fit panicked: %v", p)
		}
	}()
	return s.Fit(ctx, accts)
}

// mustFit fits the accounts of the config with New(workers).
func (r *runner) mustFit(t *testing.T, workers int) segment.Model {
	t.Helper()
	m, err := fit(t, r.newSegmenter(t, workers), context.Background(), slices.Values(r.c.Accounts))
	if err != nil {
		t.Fatalf("Fit: %v", err)
	}
	if m == nil {
		t.Fatal("Fit returned a nil Model and no error")
	}
	return m
}

func (r *runner) newSegmenter(t *testing.T, workers int) segment.Segmenter {
	t.Helper()
	s := r.c.New(workers)
	if s == nil {
		t.Fatalf("New(%d) returned nil", workers)
	}
	return s
}

// assign calls m.Assign, turning a panic into an error.
func assign(m segment.Model, a *segment.Account) (as segment.Assignment, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("segmenttest: Assign panicked: %v", p)
		}
	}()
	return m.Assign(a)
}

// outcome is an assignment or the error text, comparable.
type outcome struct {
	as  segment.Assignment
	err string
}

func (r *runner) assignEach(m segment.Model, accts []segment.Account) []outcome {
	out := make([]outcome, len(accts))
	for i := range accts {
		as, err := assign(m, &accts[i])
		if err != nil {
			out[i].err = err.Error()
		} else {
			out[i].as = as
		}
	}
	return out
}

func marshal(t *testing.T, m segment.Model) []byte {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("json.Marshal of the Model: %v", err)
	}
	return data
}

func compareOutcomes(t *testing.T, what string, accts []segment.Account, want, got []outcome) {
	t.Helper()
	bad := 0
	for i := range want {
		if !reflect.DeepEqual(want[i], got[i]) {
			if bad < 3 {
				t.Errorf("%s: account %q: got %+v, want %+v", what, accts[i].ID, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d accounts differ in all", what, bad)
	}
}

func (r *runner) emptyInput(t *testing.T) {
	_, err := fit(t, r.newSegmenter(t, 1), context.Background(), slices.Values([]segment.Account(nil)))
	if !errors.Is(err, segment.ErrEmptyInput) {
		t.Errorf("Fit on no accounts: got error %v, want one wrapping segment.ErrEmptyInput", err)
	}
}

func (r *runner) singleAccount(t *testing.T) {
	one := []segment.Account{r.c.Accounts[0].Clone()}
	m, err := fit(t, r.newSegmenter(t, 1), context.Background(), slices.Values(one))
	if err != nil {
		for _, s := range []error{segment.ErrEmptyInput, segment.ErrInvalidConfig, segment.ErrInvalidAccount} {
			if errors.Is(err, s) {
				return
			}
		}
		t.Errorf("Fit on one account: error %v wraps none of segment's sentinels", err)
		return
	}
	if m == nil {
		t.Fatal("Fit on one account returned a nil Model and no error")
	}
	as, err := assign(m, &one[0])
	if err != nil {
		if !r.c.Declines || !errors.Is(err, segment.ErrNoMatch) {
			t.Errorf("Assign of the one fitted account: %v", err)
		}
		return
	}
	if !slices.Contains(m.Segments(), as.Segment) {
		t.Errorf("the one fitted account is in segment %+v, which Segments does not list", as.Segment)
	}
}

func (r *runner) deterministic(t *testing.T) {
	m1, m2 := r.mustFit(t, 1), r.mustFit(t, 1)
	if a, b := marshal(t, m1), marshal(t, m2); !bytes.Equal(a, b) {
		t.Errorf("two Fits with the same config give different JSON:\n%s\n%s", a, b)
	}
	compareOutcomes(t, "second Fit", r.c.Accounts, r.assignEach(m1, r.c.Accounts), r.assignEach(m2, r.c.Accounts))
}

func (r *runner) workers(t *testing.T) {
	m1, m4 := r.mustFit(t, 1), r.mustFit(t, 4)
	if a, b := marshal(t, m1), marshal(t, m4); !bytes.Equal(a, b) {
		t.Errorf("Fits with 1 and 4 workers give different JSON:\n%s\n%s", a, b)
	}
}

func (r *runner) concurrentFit(t *testing.T) {
	want := marshal(t, r.mustFit(t, 2))
	s := r.newSegmenter(t, 2)
	var (
		wg   sync.WaitGroup
		got  [2][]byte
		errs [2]error
	)
	for i := range got {
		wg.Go(func() {
			m, err := safeFit(s, context.Background(), slices.Values(r.c.Accounts))
			if err == nil {
				got[i], err = json.Marshal(m)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatalf("concurrent Fit %d: %v", i+1, errs[i])
		}
		if !bytes.Equal(want, got[i]) {
			t.Errorf("concurrent Fit %d gives other JSON than a Fit alone:\n%s\n%s", i+1, got[i], want)
		}
	}
}

func (r *runner) synchronous(t *testing.T) {
	s := r.newSegmenter(t, 4)
	synctest.Test(t, func(t *testing.T) {
		if _, err := safeFit(s, context.Background(), slices.Values(r.c.Accounts)); err != nil {
			t.Errorf("Fit: %v", err)
		}
	})
}

// safeFit calls s.Fit, turning a panic into an error.
func safeFit(s segment.Segmenter, ctx context.Context, accts iter.Seq[segment.Account]) (m segment.Model, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("segmenttest: Fit panicked: %v", p)
		}
	}()
	return s.Fit(ctx, accts)
}

func (r *runner) inputUnchanged(t *testing.T) {
	accts := make([]segment.Account, len(r.c.Accounts))
	for i := range r.c.Accounts {
		accts[i] = r.c.Accounts[i].Clone()
	}
	m, err := fit(t, r.newSegmenter(t, 2), context.Background(), slices.Values(accts))
	if err != nil {
		t.Fatalf("Fit: %v", err)
	}
	for i := range accts {
		if !reflect.DeepEqual(r.c.Accounts[i], accts[i]) {
			t.Fatalf("Fit changed account %q", r.c.Accounts[i].ID)
		}
	}
	r.assignEach(m, accts)
	for i := range accts {
		if !reflect.DeepEqual(r.c.Accounts[i], accts[i]) {
			t.Fatalf("Assign changed account %q", r.c.Accounts[i].ID)
		}
	}
}

func (r *runner) assigned(t *testing.T) {
	m := r.mustFit(t, 1)
	segs := m.Segments()
	claimed := 0
	for i := range r.c.Accounts {
		a := &r.c.Accounts[i]
		as, err := assign(m, a)
		if err != nil {
			if r.c.Declines && errors.Is(err, segment.ErrNoMatch) {
				continue
			}
			t.Fatalf("Assign of fitted account %q: %v", a.ID, err)
		}
		claimed++
		if as.AccountID != a.ID {
			t.Errorf("Assign of account %q: AccountID is %q", a.ID, as.AccountID)
		}
		if !slices.Contains(segs, as.Segment) {
			t.Errorf("Assign of account %q: segment %+v is not one Segments lists", a.ID, as.Segment)
		}
		if !(as.Score >= 0 && as.Score <= 1) {
			t.Errorf("Assign of account %q: Score %v is outside [0, 1]", a.ID, as.Score)
		}
		for k, v := range as.Scores {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("Assign of account %q: Scores[%q] is %v", a.ID, k, v)
			}
		}
	}
	if r.c.Declines && claimed == 0 {
		t.Log("the Model declined every fitted account")
	}
}

func (r *runner) segments(t *testing.T) {
	m := r.mustFit(t, 1)
	segs := m.Segments()
	if len(segs) == 0 {
		t.Fatal("Segments is empty")
	}
	want := slices.Clone(segs)
	if again := m.Segments(); !reflect.DeepEqual(want, again) {
		t.Errorf("Segments changed between two calls:\n%+v\n%+v", want, again)
	}
	ids := map[string]bool{}
	for i, s := range segs {
		if s.ID == "" || s.Name == "" || s.Method == "" {
			t.Errorf("segment %d (%+v) lacks an ID, a Name or a Method", i, s)
		}
		if ids[s.ID] {
			t.Errorf("segment ID %q is listed twice", s.ID)
		}
		ids[s.ID] = true
	}
}

func (r *runner) roundTrip(t *testing.T) {
	m := r.mustFit(t, 1)
	data := marshal(t, m)
	d, err := r.decode(t, data)
	if err != nil {
		t.Fatalf("DecodeModel of the Model's JSON: %v", err)
	}
	if d == nil {
		t.Fatal("DecodeModel returned a nil Model and no error")
	}
	if again := marshal(t, d); !bytes.Equal(data, again) {
		t.Errorf("the decoded Model marshals differently:\n%s\n%s", data, again)
	}
	if !reflect.DeepEqual(m.Segments(), d.Segments()) {
		t.Errorf("the decoded Model's Segments differ:\n%+v\n%+v", m.Segments(), d.Segments())
	}
	compareOutcomes(t, "decoded Model", r.c.Accounts, r.assignEach(m, r.c.Accounts), r.assignEach(d, r.c.Accounts))
}

func (r *runner) decode(t *testing.T, data []byte) (m segment.Model, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("DecodeModel of %.200s panicked: %v", data, p)
		}
	}()
	return r.newSegmenter(t, 1).DecodeModel(data)
}

func (r *runner) decodeErrors(t *testing.T) {
	for _, bad := range []string{"", "not json", "[]", "{"} {
		if _, err := r.decode(t, []byte(bad)); err == nil {
			t.Errorf("DecodeModel(%q) returned no error", bad)
		}
	}
	data := marshal(t, r.mustFit(t, 1))
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		t.Fatalf("the Model's JSON is not an object: %v", err)
	}
	if _, ok := obj["method"]; !ok {
		t.Fatalf(`the Model's JSON has no "method" (embed segment.Header): %.200s`, data)
	}
	for _, c := range []struct{ field, value string }{
		{"method", `"segmenttest-no-such-method"`},
		{"version", "0"},
		{"version", "1000000"},
	} {
		o := maps.Clone(obj)
		o[c.field] = json.RawMessage(c.value)
		changed, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.decode(t, changed); !errors.Is(err, segment.ErrModelVersion) {
			t.Errorf("DecodeModel with %s %s: got error %v, want one wrapping segment.ErrModelVersion", c.field, c.value, err)
		}
	}
}

func (r *runner) batchEqualsOne(t *testing.T) {
	m := r.mustFit(t, 1)
	accts := r.c.Accounts
	if r.c.Declines {
		accts = nil
		for i := range r.c.Accounts {
			if _, err := assign(m, &r.c.Accounts[i]); err == nil {
				accts = append(accts, r.c.Accounts[i])
			}
		}
	}
	res, err := segment.AssignAll(context.Background(), m, slices.Values(accts), 4)
	if err != nil {
		t.Fatalf("AssignAll: %v", err)
	}
	if len(res.Assignments) != len(accts) {
		t.Fatalf("AssignAll gave %d assignments for %d accounts", len(res.Assignments), len(accts))
	}
	want := make([]outcome, len(accts))
	for i := len(accts) - 1; i >= 0; i-- {
		as, err := assign(m, &accts[i])
		if err != nil {
			t.Fatalf("Assign of account %q: %v", accts[i].ID, err)
		}
		want[i].as = as
	}
	got := make([]outcome, len(accts))
	for i, as := range res.Assignments {
		got[i].as = as
	}
	compareOutcomes(t, "AssignAll", accts, want, got)
}

func (r *runner) assignValid(t *testing.T) {
	m := r.mustFit(t, 1)
	v, ok := m.(segment.ValidAssigner)
	if !ok {
		t.Skipf("the Model (%T) does not implement segment.ValidAssigner", m)
	}
	want := r.assignEach(m, r.c.Accounts)
	got := make([]outcome, len(r.c.Accounts))
	for i := range r.c.Accounts {
		as, err := func() (as segment.Assignment, err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("segmenttest: AssignValid panicked: %v", p)
				}
			}()
			return v.AssignValid(&r.c.Accounts[i])
		}()
		if err != nil {
			got[i].err = err.Error()
		} else {
			got[i].as = as
		}
	}
	compareOutcomes(t, "AssignValid", r.c.Accounts, want, got)
}

func (r *runner) concurrentAssign(t *testing.T) {
	m := r.mustFit(t, 1)
	want := r.assignEach(m, r.c.Accounts)
	// Each goroutine assigns a window of the accounts; together they cover
	// every account, and neighbouring windows overlap.
	const goroutines, window = 64, 32
	n := len(r.c.Accounts)
	got := make([][]outcome, goroutines)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range goroutines {
		wg.Go(func() {
			<-start
			out := make([]outcome, min(n, window))
			for k := range out {
				i := (g*max(1, n/goroutines) + k) % n
				as, err := assign(m, &r.c.Accounts[i])
				if err != nil {
					out[k].err = err.Error()
				} else {
					out[k].as = as
				}
			}
			got[g] = out
		})
	}
	close(start)
	wg.Wait()
	for g := range goroutines {
		for k, o := range got[g] {
			i := (g*max(1, n/goroutines) + k) % n
			if !reflect.DeepEqual(want[i], o) {
				t.Fatalf("goroutine %d: account %q: got %+v, want %+v", g, r.c.Accounts[i].ID, o, want[i])
			}
		}
	}
}

// wantFieldError checks that err is a *segment.FieldError for account id
// and field.
func wantFieldError(t *testing.T, what string, err error, id, field string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want a *segment.FieldError for account %q, field %q", what, id, field)
		return
	}
	if !errors.Is(err, segment.ErrInvalidAccount) {
		t.Errorf("%s: error %v does not wrap segment.ErrInvalidAccount", what, err)
	}
	var fe *segment.FieldError
	if !errors.As(err, &fe) {
		t.Errorf("%s: error %v is not a *segment.FieldError", what, err)
		return
	}
	if fe.AccountID != id || fe.Field != field {
		t.Errorf("%s: the FieldError names account %q, field %q; want account %q, field %q (%v)", what, fe.AccountID, fe.Field, id, field, err)
	}
}

func (r *runner) emptyID(t *testing.T) {
	m := r.mustFit(t, 1)
	a := r.c.Accounts[0].Clone()
	a.ID = ""
	_, err := assign(m, &a)
	wantFieldError(t, "Assign of an account without ID", err, "", "id")

	accts := slices.Clone(r.c.Accounts)
	accts[len(accts)/2] = a
	_, err = fit(t, r.newSegmenter(t, 1), context.Background(), slices.Values(accts))
	wantFieldError(t, "Fit of accounts among which one has no ID", err, "", "id")
}

func (r *runner) nilAccount(t *testing.T) {
	m := r.mustFit(t, 1)
	if _, err := assign(m, nil); !errors.Is(err, segment.ErrInvalidAccount) {
		t.Errorf("Assign(nil): got error %v, want one wrapping segment.ErrInvalidAccount", err)
	}
}

func (r *runner) nonFinite(t *testing.T) {
	m := r.mustFit(t, 1)
	for _, c := range []struct {
		field string
		set   func(*segment.Account)
	}{
		{"employees", func(a *segment.Account) { a.Employees = segment.N(math.NaN()) }},
		{"revenue", func(a *segment.Account) { a.Revenue = segment.N(math.Inf(1)) }},
		{"numbers[x]", func(a *segment.Account) {
			if a.Numbers == nil {
				a.Numbers = map[string]float64{}
			}
			a.Numbers["x"] = math.NaN()
		}},
	} {
		t.Run(c.field, func(t *testing.T) {
			k := len(r.c.Accounts) / 2
			bad := r.c.Accounts[k].Clone()
			c.set(&bad)
			_, err := assign(m, &bad)
			wantFieldError(t, "Assign", err, bad.ID, c.field)

			accts := slices.Clone(r.c.Accounts)
			accts[k] = bad
			_, err = fit(t, r.newSegmenter(t, 1), context.Background(), slices.Values(accts))
			wantFieldError(t, "Fit", err, bad.ID, c.field)
		})
	}
}

func (r *runner) cancel(t *testing.T) {
	t.Run("before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := fit(t, r.newSegmenter(t, 1), ctx, slices.Values(r.c.Accounts))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Fit with a cancelled context: got error %v, want one for which errors.Is(err, context.Canceled)", err)
		}
	})
	t.Run("during", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		const extra = 10_000
		var (
			cancelledAt time.Time
			after       int
		)
		accts := r.c.Accounts
		seq := func(yield func(segment.Account) bool) {
			for i := range accts {
				if i == len(accts)/2 {
					cancelledAt = time.Now()
					cancel()
				}
				if cancelledAt != (time.Time{}) {
					after++
				}
				if !yield(accts[i]) {
					return
				}
			}
			for k := 0; after < extra; k++ {
				a := accts[k%len(accts)]
				a.ID = fmt.Sprintf("%s#%d", a.ID, k/len(accts)+2)
				after++
				if !yield(a) {
					return
				}
			}
		}
		type result struct {
			err error
			at  time.Time
		}
		done := make(chan result, 1)
		s := r.newSegmenter(t, 1)
		go func() {
			defer func() {
				if p := recover(); p != nil {
					done <- result{err: fmt.Errorf("segmenttest: Fit panicked: %v", p), at: time.Now()}
				}
			}()
			_, err := s.Fit(ctx, seq)
			done <- result{err: err, at: time.Now()}
		}()
		var res result
		select {
		case res = <-done:
		case <-time.After(r.c.CancelWithin + 30*time.Second):
			t.Fatalf("Fit has not returned %v after its context was cancelled", r.c.CancelWithin+30*time.Second)
		}
		if !errors.Is(res.err, context.Canceled) {
			t.Errorf("Fit cancelled while it walks the accounts: got error %v, want one for which errors.Is(err, context.Canceled)", res.err)
		}
		if after >= extra {
			t.Errorf("Fit walked %d accounts after its context was cancelled; it should stop walking once ctx is done", after)
		}
		if d := res.at.Sub(cancelledAt); d > r.c.CancelWithin {
			t.Errorf("Fit returned %v after its context was cancelled, more than %v", d, r.c.CancelWithin)
		}
	})
}
