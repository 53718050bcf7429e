package segment

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors. strata returns them wrapped, with the method, the account
// and the field; test for them with errors.Is.
var (
	// ErrInvalidConfig: a Config field holds a value the method refuses.
	ErrInvalidConfig = errors.New("invalid config")
	// ErrInvalidAccount: an account holds a value the method refuses. Every
	// [*FieldError] matches it.
	ErrInvalidAccount = errors.New("invalid account")
	// ErrEmptyInput: there was nothing to fit on.
	ErrEmptyInput = errors.New("empty input")
	// ErrModelVersion: a Model's encoding has a version or method this build
	// cannot read.
	ErrModelVersion = errors.New("unsupported model version")
	// ErrNoMatch: a Model declines an account. Only precedence rules (see
	// [First]) may decline; any other Model that returns it is in error.
	ErrNoMatch = errors.New("no matching segment")
)

// FieldError is a problem with one field of one account (and, when read from
// a file, one row). It matches [ErrInvalidAccount] with errors.Is, and
// unwraps to the underlying problem.
type FieldError struct {
	// AccountID is the ID of the account, if it was read.
	AccountID string
	// Row is the 1-based data row (CSV) or line (JSON Lines) the account was
	// read from, or 0 when it was not read from a file.
	Row int
	// Field names the field: the Account field in its JSON spelling
	// ("employees", "orders[3].amount"), or the file's column.
	Field string
	// Err is the problem.
	Err error
}

// Error reads like `account "A-17" (row 18): field "employees": is negative (-3)`.
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString("account ")
	if e.AccountID != "" {
		b.WriteString(strconv.Quote(e.AccountID))
	} else {
		b.WriteString("without id")
	}
	if e.Row > 0 {
		b.WriteString(" (row ")
		b.WriteString(strconv.Itoa(e.Row))
		b.WriteString(")")
	}
	if e.Field != "" {
		b.WriteString(": field ")
		b.WriteString(strconv.Quote(e.Field))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying problem.
func (e *FieldError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrInvalidAccount].
func (e *FieldError) Is(target error) bool { return target == ErrInvalidAccount }
