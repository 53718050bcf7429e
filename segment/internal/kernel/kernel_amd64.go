//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// useAVX512 and useAVX2 select the micro-kernel; tests switch them to
// exercise every path the machine supports.
var (
	useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ
	useAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

func impl() string {
	switch {
	case useAVX512:
		return "avx512"
	case useAVX2:
		return "avx2"
	}
	return "go"
}

func nearest(labels []int32, dist, d2 []float64, x, xnorm, c, cnorm []float64, d int) {
	nearestGo(labels, dist, d2, x, xnorm, c, cnorm, d)
}
