package cluster

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

func TestKMeansTwoBlobs(t *testing.T) {
	x := mat.NewDense(6, 2, []float64{0, 0, 0, 1, 1, 0, 10, 10, 10, 11, 11, 10})
	m, err := KMeans(context.Background(), x, nil, KMeansConfig{K: 2, Seed: 1})
	require.NoError(t, err)
	a, _ := m.Predict([]float64{0, 0})
	b, _ := m.Predict([]float64{10, 10})
	assert.NotEqual(t, a, b)
	assert.InDelta(t, 8.0/3, m.Inertia, 1e-12)
}
