// Package segment is strata's shared vocabulary for segmenting B2B accounts:
// the [Account] and its records, the [Segment] an account is placed in, the
// [Assignment] that explains the placement, and the two interfaces every
// method implements, [Segmenter] (learns from accounts) and [Model] (assigns
// any one account).
//
// # Fit once, assign anywhere
//
// A Segmenter's Fit walks a set of accounts once and returns a Model. A Model
// is plain data: it marshals to JSON, and the Segmenter's DecodeModel reads it
// back with identical assignments. Model.Assign is a pure function, safe for
// concurrent use, so a CRM can score an account in its request path while a
// batch job shards millions of accounts over machines.
//
// # Unknown values
//
// CRM exports are full of blanks, and a blank is not a zero. Numbers whose
// zero is a real value (employees, revenue, growth, margins) are [Num]s,
// whose zero value is unknown; labels are [Outcome]s, whose zero value is
// [Unset]; enums ([CustomerType], [Lifecycle]) have an unknown zero value;
// text is unknown when empty; a survey question or custom attribute is
// unknown when absent from its map. Each method documents what it does with
// unknowns: a segment of their own, imputation, or an error.
//
// # Errors
//
// Bad input is answered with an error, never a panic: a wrapped sentinel
// ([ErrInvalidConfig], [ErrInvalidAccount], [ErrEmptyInput],
// [ErrModelVersion]) to test with errors.Is, and for account problems a
// [*FieldError] naming the account, the row where it was read, and the
// field. Nothing a caller passes in is modified.
//
// # Combining segmentations
//
// The combinators layer segmenters, fit one within each segment of another,
// give named key accounts precedence, and merge segments that are too small;
// each is itself a Segmenter, so they nest.
package segment
