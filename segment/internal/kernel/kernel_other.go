//go:build !amd64 || purego

package kernel

func impl() string { return "go" }

func nearest(labels []int32, dist, d2 []float64, x, xnorm, c, cnorm []float64, d int) {
	nearestGo(labels, dist, d2, x, xnorm, c, cnorm, d)
}
