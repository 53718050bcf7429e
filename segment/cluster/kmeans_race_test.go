//go:build race

package cluster

// raceEnabled: the race detector slows fits tenfold; tests trim their data.
const raceEnabled = true
