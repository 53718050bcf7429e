//go:build race

package needs_test

// raceEnabled reports a build with the race detector, under which the
// recovery checks run only the levels they assert.
const raceEnabled = true
