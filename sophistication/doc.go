// Package sophistication places accounts on a maturity ladder by their
// awareness of the problem strata's user solves: from unaware, through manual
// workarounds and evaluation, to using a competitor or being an advanced user.
//
// Status: not yet implemented; the package holds only this documentation.
package sophistication
