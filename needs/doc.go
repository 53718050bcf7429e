// Package needs segments accounts by what they want from the product — lower
// cost, performance, security, ease of use, integration, support — inferred
// from survey answers, the topics of the content they engage with, and free
// text.
//
// Status: not yet implemented; the package holds only this documentation.
package needs
