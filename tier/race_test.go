//go:build race

package tier

// raceEnabled reports a build with the race detector, under which the
// line-level online-retail checks (18 s of CSV reading) run only with
// STRATA_HEAVY=1.
const raceEnabled = true
