// Package firmographic segments accounts by what they are: industry, size by
// employees and revenue, location, customer type (B2B, B2C, B2G), growth and
// the technologies they use.
//
// Status: not yet implemented; the package holds only this documentation.
package firmographic
