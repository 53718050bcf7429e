package kernel

import "math"

// nearestGo is the portable assignment kernel: rows one at a time, centres
// four at a time (four independent FMA chains), each chain in column order.
// d2 may be nil; dist may be nil only when d2 is nil.
func nearestGo(labels []int32, dist, d2 []float64, x, xnorm, c, cnorm []float64, d int) {
	k := len(cnorm)
	inf := math.Inf(1)
	for i := range labels {
		row := x[i*d : i*d+d]
		b1, b2 := inf, inf
		best := 0
		j := 0
		for ; j+4 <= k; j += 4 {
			c0 := c[j*d : j*d+d]
			c1 := c[(j+1)*d : (j+1)*d+d]
			c2 := c[(j+2)*d : (j+2)*d+d]
			c3 := c[(j+3)*d : (j+3)*d+d]
			var s0, s1, s2, s3 float64
			for l, v := range row {
				s0 = math.FMA(v, c0[l], s0)
				s1 = math.FMA(v, c1[l], s1)
				s2 = math.FMA(v, c2[l], s2)
				s3 = math.FMA(v, c3[l], s3)
			}
			for q, s := range [4]float64{s0, s1, s2, s3} {
				t := cnorm[j+q] - 2*s
				if t < b1 {
					b2, b1, best = b1, t, j+q
				} else if t < b2 {
					b2 = t
				}
			}
		}
		for ; j < k; j++ {
			t := cnorm[j] - 2*dot(row, c[j*d:j*d+d])
			if t < b1 {
				b2, b1, best = b1, t, j
			} else if t < b2 {
				b2 = t
			}
		}
		labels[i] = int32(best)
		if dist != nil {
			xn := rowNorm(row, xnorm, i)
			dist[i] = max(xn+b1, 0)
			if d2 != nil {
				dist2 := xn + b2
				d2[i] = max(dist2, 0)
			}
		}
	}
}
