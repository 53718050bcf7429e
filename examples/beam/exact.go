package main

import (
	"math"
	"math/big"
)

// exactSum is the exact sum of float64s as a nonoverlapping expansion, the
// partials of Shewchuk ("Adaptive precision floating-point arithmetic and fast
// robust geometric predicates", Discrete & Computational Geometry 18, 1997),
// as Python's math.fsum keeps them. Adding never rounds, so the sum does not
// depend on the order of the additions or on how they are split between
// workers and merged: a distributed reduction gives the same bits every run.
type exactSum []float64

// add adds x exactly.
func (p exactSum) add(x float64) exactSum {
	i := 0
	for _, y := range p {
		if math.Abs(x) < math.Abs(y) {
			x, y = y, x
		}
		hi := x + y
		lo := y - (hi - x)
		if lo != 0 {
			p[i] = lo
			i++
		}
		x = hi
	}
	return append(p[:i], x)
}

// merge adds the partials of q exactly.
func (p exactSum) merge(q exactSum) exactSum {
	for _, x := range q {
		p = p.add(x)
	}
	return p
}

// value returns the exact sum rounded to the nearest float64.
func (p exactSum) value() float64 {
	// 2200 bits hold any sum of finite float64s exactly.
	s := new(big.Float).SetPrec(2200)
	for _, x := range p {
		s.Add(s, big.NewFloat(x))
	}
	v, _ := s.Float64()
	return v
}
