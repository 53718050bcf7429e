package segment

import (
	"context"
	"iter"
)

// Segment is one group of accounts that a Model assigns.
type Segment struct {
	// ID is stable across fits with the same Config and data, and unique
	// within its Model: "firmographic/enterprise", "tier/A". Layered models
	// join their layers' IDs with "+".
	ID string `json:"id"`
	// Name is what a person reads: "Enterprise", "Tier A › Enterprise".
	Name string `json:"name"`
	// Description says in a sentence what the accounts in it have in common.
	Description string `json:"description,omitempty"`
	// Method names the method that made it ("firmographic", "tier", "layers").
	Method string `json:"method"`
}

// Reason is one piece of an assignment's explanation.
type Reason struct {
	// Text is a sentence a salesperson can read: "employees 1,200 ≥ 1,000 →
	// Enterprise".
	Text string `json:"text"`
	// Field names the account field or feature behind it, if any
	// ("employees", "seats_used_share").
	Field string `json:"field,omitempty"`
	// Effect is the signed contribution of the field to the score, where the
	// method has one (a driver of churn risk, a coefficient times a value);
	// 0 when it does not apply.
	Effect float64 `json:"effect,omitempty"`
}

// Assignment is a Model's answer for one account.
type Assignment struct {
	// AccountID is the ID of the account assigned.
	AccountID string `json:"account_id"`
	// Segment is the segment the account belongs to.
	Segment Segment `json:"segment"`
	// Score is in [0, 1]: the method's confidence in the segment, or the
	// score that placed the account there (a conversion probability, a value
	// percentile). Each method documents which.
	Score float64 `json:"score"`
	// Scores holds the method's named scores for the account, such as
	// "churn_risk", "expansion", "ltv", "p_convert"; nil when it has none.
	Scores map[string]float64 `json:"scores,omitempty"`
	// Reasons explain the assignment, most important first.
	Reasons []Reason `json:"reasons,omitempty"`
	// Parts holds the assignment of each layer, in order, when the Model
	// combines several (see [Layer] and [Within]); nil otherwise.
	Parts []Assignment `json:"parts,omitempty"`
}

// Result is a segmentation of a set of accounts: the segments and the
// assignment of each account, in the order the accounts came.
type Result struct {
	Segments    []Segment    `json:"segments"`
	Assignments []Assignment `json:"assignments"`
}

// Segmenter learns a segmentation from a set of accounts.
//
// Fit walks accts once, returns a new Model and never changes the Segmenter
// or the accounts; it is safe to call concurrently. It returns an error
// wrapping [ErrEmptyInput] when there are no accounts, [ErrInvalidAccount]
// (a [*FieldError]) for an account it refuses, and ctx.Err() promptly once
// ctx is done.
//
// DecodeModel reads back a Model that this Segmenter's Fit returned, from its
// JSON encoding (json.Marshal of the Model). The decoded Model assigns every
// account exactly as the original did. It returns an error wrapping
// [ErrModelVersion] for an encoding of another method or version.
type Segmenter interface {
	Fit(ctx context.Context, accts iter.Seq[Account]) (Model, error)
	DecodeModel(data []byte) (Model, error)
}

// Model is a fitted segmentation. It is plain data: it marshals to JSON and
// back (see [Segmenter.DecodeModel]) with identical assignments.
//
// Assign places one account, fitted or new, in a segment. It is a pure
// function, safe for concurrent use, and never changes a. It returns an error
// wrapping [ErrInvalidAccount] (a [*FieldError]) for an account it cannot
// assign.
//
// Segments lists the segments the Model assigns, in a stable order; the
// caller must not modify the slice.
type Model interface {
	Assign(a *Account) (Assignment, error)
	Segments() []Segment
}

// ValidAssigner is implemented by Models that can skip validating an
// account their caller has already validated: AssignValid(a) returns what
// Assign(a) returns for an account a whose [Account.Validate] returned nil,
// without calling Validate again. The combinators ([Layer], [Within],
// [First], [MinSize]) validate each account once and call AssignValid on
// their children when they have it, so that a model of six layers does not
// validate an account seven times. Calling AssignValid on an account that
// has not been validated is a programming error: the answer for an invalid
// account is undefined.
type ValidAssigner interface {
	AssignValid(a *Account) (Assignment, error)
}

// Progress reports how far a long Fit has come, through a Config's Progress
// callback.
type Progress struct {
	// Method is the method reporting ("cluster", "tier").
	Method string
	// Stage names the step ("seeding", "iteration", "restart").
	Stage string
	// Done and Total count the work of the step; Total is 0 when unknown.
	Done, Total int
}
