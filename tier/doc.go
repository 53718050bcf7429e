// Package tier ranks accounts by their value to the business — historical
// revenue, predicted lifetime value, acquisition channel and lead quality —
// into tiers, with named key accounts always on top.
//
// Status: not yet implemented; the package holds only this documentation.
package tier
