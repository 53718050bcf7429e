package segment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Num is a number that may be unknown. Its zero value is unknown, so that a
// blank CRM field is never mistaken for a real 0; [N] makes a known number.
//
// In JSON a known Num is a number and an unknown one is null (or the field is
// left out, with the `omitzero` option). A Num may hold NaN or ±Inf only if
// set so in Go; [Account.Validate] rejects it, and so does JSON decoding,
// which accepts only finite numbers.
type Num struct {
	v  float64
	ok bool
}

// N returns the known number v.
func N(v float64) Num { return Num{v: v, ok: true} }

// Get returns the number and whether it is known.
func (n Num) Get() (float64, bool) { return n.v, n.ok }

// Known reports whether the number is known.
func (n Num) Known() bool { return n.ok }

// Or returns the number if it is known, def otherwise.
func (n Num) Or(def float64) float64 {
	if n.ok {
		return n.v
	}
	return def
}

// IsZero reports whether the number is unknown; it lets `omitzero` leave
// unknown numbers out of JSON.
func (n Num) IsZero() bool { return !n.ok }

// String returns the number in Go's shortest form, or "unknown".
func (n Num) String() string {
	if !n.ok {
		return "unknown"
	}
	return strconv.FormatFloat(n.v, 'g', -1, 64)
}

// MarshalJSON encodes a known number as a JSON number and an unknown one as
// null. It fails for NaN and ±Inf, which JSON cannot hold.
func (n Num) MarshalJSON() ([]byte, error) {
	if !n.ok {
		return []byte("null"), nil
	}
	if !finite(n.v) {
		return nil, fmt.Errorf("segment: cannot encode %v as JSON", n.v)
	}
	return strconv.AppendFloat(nil, n.v, 'g', -1, 64), nil
}

// UnmarshalJSON decodes a JSON number, or null for unknown.
func (n *Num) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*n = Num{}
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("segment: %s is not a number", b)
	}
	*n = N(v)
	return nil
}

// Outcome is a yes/no label that may be unknown, such as whether a lead
// converted. Its zero value, [Unset], is unknown. It marshals as JSON true,
// false or null.
type Outcome uint8

// The outcomes.
const (
	Unset Outcome = iota // not known
	No                   // known not to have happened
	Yes                  // known to have happened
)

// Known reports whether the outcome is known.
func (o Outcome) Known() bool { return o == Yes || o == No }

// IsZero reports whether the outcome is unknown.
func (o Outcome) IsZero() bool { return o == Unset }

func (o Outcome) valid() bool { return o <= Yes }

// String returns "yes", "no" or "unknown".
func (o Outcome) String() string {
	switch o {
	case Yes:
		return "yes"
	case No:
		return "no"
	case Unset:
		return "unknown"
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// MarshalJSON encodes true, false or null.
func (o Outcome) MarshalJSON() ([]byte, error) {
	switch o {
	case Yes:
		return []byte("true"), nil
	case No:
		return []byte("false"), nil
	case Unset:
		return []byte("null"), nil
	}
	return nil, fmt.Errorf("segment: invalid outcome %d", int(o))
}

// UnmarshalJSON decodes true, false or null; it also accepts the strings
// "yes", "no", "true", "false", "1", "0" and "" that CRM exports use.
func (o *Outcome) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch string(b) {
	case "true":
		*o = Yes
		return nil
	case "false":
		*o = No
		return nil
	case "null":
		*o = Unset
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("segment: %s is not an outcome (true, false or null)", b)
	}
	v, err := ParseOutcome(s)
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// ParseOutcome reads an outcome as CRM exports write it: "yes"/"no",
// "true"/"false", "y"/"n", "1"/"0", any case; an empty string is [Unset].
func ParseOutcome(s string) (Outcome, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return Unset, nil
	case "yes", "y", "true", "t", "1":
		return Yes, nil
	case "no", "n", "false", "f", "0":
		return No, nil
	}
	return Unset, fmt.Errorf("segment: %q is not an outcome (yes or no)", s)
}

// CustomerType says whom an account sells to. Its zero value is unknown.
// It marshals as its text ("B2B", "B2C", "B2G").
type CustomerType uint8

// The customer types.
const (
	TypeUnknown CustomerType = iota
	B2B                      // sells to businesses
	B2C                      // sells to consumers
	B2G                      // sells to government
)

var customerTypeNames = [...]string{"", "B2B", "B2C", "B2G"}

func (t CustomerType) valid() bool { return t <= B2G }

// IsZero reports whether the type is unknown.
func (t CustomerType) IsZero() bool { return t == TypeUnknown }

// String returns "B2B", "B2C", "B2G" or "unknown".
func (t CustomerType) String() string {
	if t == TypeUnknown {
		return "unknown"
	}
	if !t.valid() {
		return "CustomerType(" + strconv.Itoa(int(t)) + ")"
	}
	return customerTypeNames[t]
}

// MarshalText encodes the type's name; unknown is "".
func (t CustomerType) MarshalText() ([]byte, error) {
	if !t.valid() {
		return nil, fmt.Errorf("segment: invalid customer type %d", int(t))
	}
	return []byte(customerTypeNames[t]), nil
}

// UnmarshalText decodes "B2B", "B2C", "B2G" (any case; also "business",
// "consumer", "government"/"public sector"); "" and "unknown" are unknown.
func (t *CustomerType) UnmarshalText(b []byte) error {
	v, err := ParseCustomerType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// ParseCustomerType reads a customer type; see [CustomerType.UnmarshalText].
func ParseCustomerType(s string) (CustomerType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "unknown":
		return TypeUnknown, nil
	case "b2b", "business", "businesses":
		return B2B, nil
	case "b2c", "consumer", "consumers":
		return B2C, nil
	case "b2g", "government", "public sector", "public":
		return B2G, nil
	}
	return TypeUnknown, fmt.Errorf("segment: %q is not a customer type (B2B, B2C or B2G)", s)
}

// Lifecycle is an account's stage in the CRM. Its zero value is unknown. It
// marshals as its text ("lead", "opportunity", "customer", "churned").
type Lifecycle uint8

// The lifecycle stages.
const (
	StageUnknown Lifecycle = iota
	Lead
	Opportunity
	Customer
	Churned
)

var lifecycleNames = [...]string{"", "lead", "opportunity", "customer", "churned"}

func (l Lifecycle) valid() bool { return l <= Churned }

// IsZero reports whether the stage is unknown.
func (l Lifecycle) IsZero() bool { return l == StageUnknown }

// String returns the stage's name, or "unknown".
func (l Lifecycle) String() string {
	if l == StageUnknown {
		return "unknown"
	}
	if !l.valid() {
		return "Lifecycle(" + strconv.Itoa(int(l)) + ")"
	}
	return lifecycleNames[l]
}

// MarshalText encodes the stage's name; unknown is "".
func (l Lifecycle) MarshalText() ([]byte, error) {
	if !l.valid() {
		return nil, fmt.Errorf("segment: invalid lifecycle stage %d", int(l))
	}
	return []byte(lifecycleNames[l]), nil
}

// UnmarshalText decodes a stage name; see [ParseLifecycle].
func (l *Lifecycle) UnmarshalText(b []byte) error {
	v, err := ParseLifecycle(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// ParseLifecycle reads a stage as CRMs name it, any case: "lead" (also
// "prospect", "MQL", "SQL"), "opportunity", "customer" (also "client",
// "active"), "churned" (also "former customer", "lost"); "" and "unknown" are
// unknown.
func ParseLifecycle(s string) (Lifecycle, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "unknown":
		return StageUnknown, nil
	case "lead", "prospect", "mql", "sql", "subscriber":
		return Lead, nil
	case "opportunity", "opp":
		return Opportunity, nil
	case "customer", "client", "active", "evangelist":
		return Customer, nil
	case "churned", "former customer", "lost", "inactive":
		return Churned, nil
	}
	return StageUnknown, fmt.Errorf("segment: %q is not a lifecycle stage", s)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func joinErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}
