//go:build !race

package propensity_test

const raceEnabled = false
