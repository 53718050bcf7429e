// Package propensity scores how likely a lead is to convert, learned from
// historical leads whose outcome is known.
package propensity
