//go:build race

package classify_test

// raceEnabled: the race detector slows fits tenfold; tests trim their data.
const raceEnabled = true
