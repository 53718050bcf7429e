package kernel

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzPathsAgree feeds arbitrary finite values (including huge and tiny
// magnitudes, ties and signed zeros) to every implementation and requires
// bit-identical results.
func FuzzPathsAgree(f *testing.F) {
	f.Add(uint8(3), uint8(2), uint8(5), []byte("0123456789abcdef0123456789abcdef"))
	f.Add(uint8(1), uint8(1), uint8(1), []byte{0, 0, 0, 0, 0, 0, 0, 0x80})
	f.Add(uint8(9), uint8(17), uint8(4), make([]byte, 64))
	f.Fuzz(func(t *testing.T, n8, k8, d8 uint8, raw []byte) {
		n, k, d := int(n8%40), 1+int(k8%70), 1+int(d8%40)
		vals := make([]float64, (n+k)*d)
		for i := range vals {
			var b [8]byte
			for j := range b {
				if len(raw) > 0 {
					b[j] = raw[(i*8+j)%len(raw)]
				}
			}
			v := math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
			// Keep squares finite: fold into ±1e150.
			if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e150 {
				v = math.Mod(float64(binary.LittleEndian.Uint64(b[:])%2001), 2001) - 1000
			}
			vals[i] = v
		}
		x, c := vals[:n*d], vals[n*d:]
		sh := shape{n, d, k}
		xn, cn := norms(x, d), norms(c, d)
		p := paths()
		restore := p["go"]()
		want := run(sh, x, xn, c, cn)
		restore()
		for name, sel := range p {
			restore := sel()
			got := run(sh, x, xn, c, cn)
			restore()
			require.Equal(t, want.labels, got.labels, name)
			assert.Equal(t, want.d1, got.d1, name)
			assert.Equal(t, want.d2, got.d2, name)
			assert.Equal(t, want.labels, got.labelsNo, name)
		}
	})
}
