//go:build !amd64 || purego

package kernel

func impl() string { return "go" }

func (p *Centres) pack() {}

func (p *Centres) nearest(labels []int32, dist, d2 []float64, x, xnorm []float64) {
	nearestGo(labels, dist, d2, x, xnorm, p.c, p.cnorm, p.d)
}

func addRows(sums, counts, x []float64, labels []int32, d int) bool { return false }
