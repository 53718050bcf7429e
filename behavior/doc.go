// Package behavior segments existing customers by how they act — channels,
// content, product usage and purchases — and scores their expansion
// potential and churn risk.
//
// Status: not yet implemented; the package holds only this documentation.
package behavior
