//go:build race

package cluster

// kpRace reports whether the tests run under the race detector, which
// slows the real-data fits about tenfold.
const kpRace = true
