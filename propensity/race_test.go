//go:build race

package propensity_test

// raceEnabled is true under the race detector, which slows the numeric
// work of the leads checks by ten or more: they run without it.
const raceEnabled = true
