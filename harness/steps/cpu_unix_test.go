//go:build unix

package steps

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, user and system, so a
// benchmark on a shared machine can report capacity as well as wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
