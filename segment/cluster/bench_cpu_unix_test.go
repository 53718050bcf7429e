//go:build unix

package cluster_test

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) the process has used.
// On a shared machine it is steadier than the wall clock: it counts the
// fit's work, not the time other processes held the cores.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
