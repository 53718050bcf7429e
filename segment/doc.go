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
// # Reading accounts
//
// [NewCSVReader] reads a CRM export: a [CSVMapping] names the columns, and
// its zero value understands the common headers of Salesforce, HubSpot and
// Dynamics exports ("Account Name", "Number of Employees", "Annual
// Revenue", "Billing Country"…). [NewJSONLReader] reads one Account JSON per
// line. Both stream: Read returns one account at a time, a bad row is a
// [*FieldError] naming the row, the column and the account, and reading goes
// on with the next row, so that rows read = accounts + errors. All and Err
// give the strict form that stops at the first error. [WriteJSONL] and
// [WriteCSV] write accounts back.
//
// # Profiles and comparisons
//
// [Profile] describes each segment of an assignment: its size, its share of
// accounts and revenue, what sets it apart from the whole (standardized
// differences of numeric fields, over-represented categories) and a
// one-line description. [Compare] sets two segmentations of the same
// accounts side by side for the periodic refresh: adjusted Rand index,
// migration matrix and the largest flows.
//
// # Combining segmentations
//
// The combinators layer segmenters, fit one within each segment of another,
// give named key accounts precedence, and merge segments that are too small;
// each is itself a Segmenter, so they nest: [Layer], [Within], [First] with
// [KeyAccounts], and [MinSize]. [NewRules] turns rule logic into a
// Segmenter, and [AssignAll] assigns a batch over all cores. Every
// Segmenter, strata's and a user's own, should pass the conformance suite
// in package segmenttest.
package segment
