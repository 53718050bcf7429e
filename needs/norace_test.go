//go:build !race

package needs_test

const raceEnabled = false
