// Package propensity scores how likely a lead is to convert, learned from
// historical leads whose outcome is known.
//
// Status: not yet implemented; the package holds only this documentation.
package propensity
