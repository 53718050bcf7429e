package cluster

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

func TestPipelineStatistics(t *testing.T) {
	x := mat.NewDense(5, 3, []float64{
		1, 10, 0,
		2, 20, 0,
		3, 30, 0,
		4, 40, 0,
		100, 50, 0,
	})
	p, err := FitStandardizer(x)
	require.NoError(t, err)
	assert.InDelta(t, 22, p.Columns[0].Center, 1e-12, "mean")
	assert.InDelta(t, math.Sqrt((21*21+20*20+19*19+18*18+78*78)/5.0), p.Columns[0].Divisor, 1e-12, "population sd")
	assert.InDelta(t, 1, p.Columns[2].Divisor, 0, "constant column divides by 1")
	var out mat.Dense
	require.NoError(t, p.Transform(&out, x))
	assert.InDelta(t, 0, mat.Sum(out.ColView(1)), 1e-12, "centred")
	assert.InDelta(t, 5, mat.Dot(out.ColView(1), out.ColView(1)), 1e-12, "unit variance")
	assert.InDelta(t, 0, mat.Sum(out.ColView(2)), 0, "constant column maps to 0")

	r, err := FitRobustScaler(x)
	require.NoError(t, err)
	assert.InDelta(t, 3, r.Columns[0].Center, 0, "median")
	assert.InDelta(t, 2, r.Columns[0].Divisor, 1e-12, "IQR 4-2")
	assert.InDelta(t, 30, r.Columns[1].Center, 0)
	assert.InDelta(t, 20, r.Columns[1].Divisor, 1e-12, "IQR 40-20")

	mm, err := FitMinMaxScaler(x)
	require.NoError(t, err)
	require.NoError(t, mm.Transform(&out, x))
	assert.InDelta(t, 0, out.At(0, 0), 0)
	assert.InDelta(t, 1, out.At(4, 0), 1e-12)
	assert.InDelta(t, 0.5, out.At(2, 1), 1e-12)
	row := make([]float64, 3)
	require.NoError(t, mm.TransformRow(row, []float64{199, 0, 0}))
	assert.InDelta(t, 2, row[0], 1e-12, "beyond the fitted range, not clipped")

	lg, err := FitLog1p(x, false)
	require.NoError(t, err)
	require.NoError(t, lg.TransformRow(row, []float64{math.E - 1, 0, 9}))
	assert.InDelta(t, 1, row[0], 1e-12)
	assert.InDelta(t, math.Log(10), row[2], 1e-12)
	assert.ErrorIs(t, lg.TransformRow(row, []float64{-1, 0, 0}), ErrInvalidInput, "log1p(-1)")
	slg, err := FitLog1p(x, true)
	require.NoError(t, err)
	require.NoError(t, slg.TransformRow(row, []float64{-(math.E - 1), 0, 9}))
	assert.InDelta(t, -1, row[0], 1e-12, "signed log1p is odd")
}

func TestPipelineImpute(t *testing.T) {
	nan := math.NaN()
	x := mat.NewDense(6, 2, []float64{
		1, 5,
		nan, 5,
		3, 7,
		10, nan,
		2, 1,
		nan, 7,
	})
	for _, tc := range []struct {
		s    Impute
		want []float64
	}{
		{ImputeMean, []float64{4, 5}},
		{ImputeMedian, []float64{2.5, 5}},
		{ImputeMode, []float64{1, 5}},
	} {
		p, err := FitImputer(x, tc.s, true)
		require.NoError(t, err, "%v", tc.s)
		assert.Equal(t, 4, p.OutputWidth())
		assert.Equal(t, []string{"x0", "x1", "x0_missing", "x1_missing"}, p.OutputNames())
		for j, want := range tc.want {
			assert.InDelta(t, want, p.Columns[j].Fill, 1e-12, "%v fill of column %d", tc.s, j)
		}
		var out mat.Dense
		require.NoError(t, p.Transform(&out, x))
		assert.Equal(t, []float64{tc.want[0], 5, 1, 0}, out.RawRowView(1), "%v row 1", tc.s)
		assert.Equal(t, []float64{10, tc.want[1], 0, 1}, out.RawRowView(3), "%v row 3", tc.s)
	}
	_, err := FitImputer(x, ImputeNone, false)
	assert.ErrorIs(t, err, ErrInvalidConfig)
	_, err = FitImputer(mat.NewDense(2, 1, []float64{nan, nan}), ImputeMean, false)
	assert.ErrorIs(t, err, ErrInvalidInput, "all missing")
}

func TestPipelineChain(t *testing.T) {
	nan := math.NaN()
	// revenue (heavy-tailed, some missing), employees, margin (may be negative)
	x := mat.NewDense(5, 3, []float64{
		1e3, 10, 0.1,
		1e5, 100, -0.2,
		nan, 1000, 0.3,
		1e7, nan, 0,
		1e4, 50, 0.05,
	})
	specs := []ColumnSpec{
		{Name: "revenue", Impute: ImputeMedian, Indicator: true, Log: LogLog1p, Scale: ScaleStandard},
		{Name: "employees", Impute: ImputeMedian, Log: LogLog1p, Scale: ScaleRobust},
		{Name: "margin", Log: LogSignedLog1p, Scale: ScaleMinMax},
	}
	p, err := FitPipeline(specs, x)
	require.NoError(t, err)
	assert.Equal(t, []string{"revenue", "employees", "margin", "revenue_missing"}, p.OutputNames())
	assert.InDelta(t, 5.5e4, p.Columns[0].Fill, 1e-9, "median of raw revenue")
	// Scale statistics come from the observed rows, after the log.
	logs := []float64{math.Log1p(1e3), math.Log1p(1e5), math.Log1p(1e7), math.Log1p(1e4)}
	assert.InDelta(t, ppMean(logs), p.Columns[0].Center, 1e-12)
	var out mat.Dense
	require.NoError(t, p.Transform(&out, x))
	assert.InDelta(t, (math.Log1p(5.5e4)-ppMean(logs))/p.Columns[0].Divisor, out.At(2, 0), 1e-12)
	assert.InDelta(t, 1, out.At(2, 3), 0, "indicator set")
	assert.InDelta(t, 0, out.At(0, 3), 0, "indicator clear")
	// TransformRow agrees with Transform, row by row.
	row := make([]float64, 4)
	for i := range 5 {
		require.NoError(t, p.TransformRow(row, x.RawRowView(i)))
		assert.Equal(t, out.RawRowView(i), row, "row %d", i)
	}
	// The inverse gives back the observed values, and the fill for the
	// imputed one.
	inv := make([]float64, 3)
	for i := range 5 {
		require.NoError(t, p.InverseTransformRow(inv, out.RawRowView(i)))
		for j := range 3 {
			want := x.At(i, j)
			if math.IsNaN(want) {
				want = p.Columns[j].Fill
			}
			assert.InDelta(t, want, inv[j], 1e-9*math.Max(1, math.Abs(want)), "inverse of row %d column %d", i, j)
		}
	}
	assert.ErrorIs(t, p.InverseTransformRow(inv, row[:3]), ErrInvalidInput, "short row")
	assert.ErrorIs(t, p.InverseTransformRow(inv, []float64{nan, 0, 0, 0}), ErrInvalidInput, "NaN")
	require.NoError(t, p.InverseTransformRow(inv, []float64{1e300, 0, 0, 0}))
	assert.InDelta(t, math.MaxFloat64, inv[0], 0, "overflow clamps")
	// JSON round trip.
	b, err := json.Marshal(p)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"scale":"standard"`)
	assert.Contains(t, string(b), `"log":"signed-log1p"`)
	var back Pipeline
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, *p, back)
	var out2 mat.Dense
	require.NoError(t, back.Transform(&out2, x))
	assert.Equal(t, out.RawMatrix().Data, out2.RawMatrix().Data)
	// Input unchanged.
	assert.True(t, math.IsNaN(x.At(2, 0)))
	// Concurrent use.
	var wg sync.WaitGroup
	bad := make([]int, 4)
	for g := range 4 {
		wg.Go(func() {
			r := make([]float64, 4)
			for range 100 {
				for i := range 5 {
					if p.TransformRow(r, x.RawRowView(i)) != nil || !floatsEqual(r, out.RawRowView(i)) {
						bad[g]++
					}
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, []int{0, 0, 0, 0}, bad)
}

func floatsEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPipelineErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	x := mat.NewDense(3, 2, []float64{1, 2, 3, nan, 5, 6})
	_, err := FitStandardizer(x)
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.ErrorContains(t, err, `row 1, column 1 "x1"`)
	_, err = FitStandardizer(mat.NewDense(2, 1, []float64{1, inf}))
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = FitLog1p(mat.NewDense(2, 1, []float64{1, -2}), false)
	assert.ErrorContains(t, err, "row 1, column 0")
	_, err = FitPipeline([]ColumnSpec{{}}, x)
	assert.ErrorIs(t, err, ErrInvalidConfig, "spec count")
	_, err = FitPipeline([]ColumnSpec{{Name: "a"}, {Name: "a"}}, mat.NewDense(1, 2, nil))
	assert.ErrorIs(t, err, ErrInvalidConfig, "duplicate names")
	_, err = FitPipeline([]ColumnSpec{{Indicator: true}, {Scale: 9}}, mat.NewDense(1, 2, nil))
	assert.ErrorIs(t, err, ErrInvalidConfig, "indicator without impute, unknown scale")
	_, err = FitStandardizer(nil)
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = FitStandardizer((*mat.Dense)(nil))
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = FitStandardizer(&mat.Dense{})
	assert.ErrorIs(t, err, ErrInvalidInput)

	p, err := FitStandardizer(mat.NewDense(2, 2, []float64{1, 2, 3, 4}))
	require.NoError(t, err)
	row := make([]float64, 2)
	assert.ErrorIs(t, p.TransformRow(row, []float64{1}), ErrInvalidInput, "short row")
	assert.ErrorIs(t, p.TransformRow(row[:1], []float64{1, 2}), ErrInvalidInput, "short dst")
	err = p.TransformRow(row, []float64{1, nan})
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.ErrorContains(t, err, `column 1 "x1"`)
	assert.ErrorIs(t, p.Transform(mat.NewDense(1, 2, nil), x), ErrInvalidInput, "dst size")
	err = p.Transform(&mat.Dense{}, mat.NewDense(2, 2, []float64{1, 2, inf, 4}))
	assert.ErrorContains(t, err, "row 1, column 0")

	var s Scaling
	assert.ErrorIs(t, s.UnmarshalText([]byte("zscore")), ErrInvalidConfig)
	_, err = Impute(7).MarshalText()
	assert.ErrorIs(t, err, ErrInvalidConfig)
	assert.Equal(t, "median", ImputeMedian.String())
}

// TransformValue gives, column by column, what TransformRow gives, and
// the same errors.
func TestPipelineTransformValue(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	x := mat.NewDense(4, 4, []float64{
		1, 10, -3, 0,
		2, nan, 4, 1,
		3, 1000, nan, 1,
		4, 50, 8, 0,
	})
	specs := []ColumnSpec{
		{Name: "plain"},
		{Name: "revenue", Impute: ImputeMedian, Indicator: true, Log: LogLog1p, Scale: ScaleStandard},
		{Name: "profit", Impute: ImputeMean, Log: LogSignedLog1p, Scale: ScaleRobust},
		{Name: "flag", Scale: ScaleMinMax},
	}
	p, err := FitPipeline(specs, x)
	require.NoError(t, err)
	for _, v := range []float64{0, 1, -1, -0.5, 2.5, 1e6, -1e6, nan, inf, -inf, math.MaxFloat64} {
		for j := range specs {
			in := []float64{1, 10, 4, 0}
			in[j] = v
			dst := make([]float64, p.OutputWidth())
			rowErr := p.TransformRow(dst, in)
			got, missing, err := p.TransformValue(j, v)
			if rowErr != nil && strings.Contains(rowErr.Error(), fmt.Sprintf("column %d ", j)) {
				assert.Equal(t, rowErr, err, "column %d value %v", j, v)
				continue
			}
			require.NoError(t, err, "column %d value %v", j, v)
			assert.Equal(t, math.Float64bits(dst[j]), math.Float64bits(got), "column %d value %v", j, v)
			if j == 1 {
				assert.Equal(t, dst[4] == 1, missing, "indicator of %v", v)
			}
		}
	}
	_, _, err = p.TransformValue(4, 1)
	assert.ErrorIs(t, err, ErrInvalidInput, "no column 4")
}

func TestPipelineSubmatrix(t *testing.T) {
	// A view whose stride exceeds its width is read in place, correctly.
	big := mat.NewDense(3, 4, []float64{
		1, 2, 99, 99,
		3, 4, 99, 99,
		5, 6, 99, 99,
	})
	view := big.Slice(0, 3, 0, 2)
	p, err := FitMinMaxScaler(view)
	require.NoError(t, err)
	assert.InDelta(t, 4, p.Columns[0].Divisor, 0)
	var out mat.Dense
	require.NoError(t, p.Transform(&out, view))
	assert.Equal(t, []float64{0, 0, 0.5, 0.5, 1, 1}, out.RawMatrix().Data)
	// A non-Dense matrix is copied.
	p2, err := FitMinMaxScaler(view.T().T())
	require.NoError(t, err)
	assert.Equal(t, p, p2)
}

func TestOneHot(t *testing.T) {
	cols := [][]string{
		{"Energy", "Tech", "Tech", "Retail", "", "Tech", "Energy", "Mining"},
		{"TX", "CA", "CA", "CA", "TX", "NY", "TX", "CA"},
	}
	oh, err := FitOneHot(OneHotConfig{MinCount: 2}, []string{"sector", "state"}, cols)
	require.NoError(t, err)
	assert.Equal(t, []string{"Energy", "Tech"}, oh.Columns[0].Levels)
	assert.Equal(t, []string{"Mining", "Retail"}, oh.Columns[0].Grouped)
	assert.Equal(t, []string{
		"sector=Energy", "sector=Tech", "sector=other",
		"state=CA", "state=TX", "state=other",
	}, oh.OutputNames())
	var out mat.Dense
	require.NoError(t, oh.Transform(&out, cols))
	assert.Equal(t, []float64{0, 0, 1, 1, 0, 0}, out.RawRowView(3), "Retail is grouped, CA kept")
	assert.Equal(t, []float64{0, 0, 0, 0, 1, 0}, out.RawRowView(4), "missing sector is all zeros")
	assert.Equal(t, []float64{0, 1, 0, 0, 0, 1}, out.RawRowView(5), "NY is grouped")
	row := make([]float64, 6)
	require.NoError(t, oh.TransformRow(row, []string{"Aerospace", "WA"}))
	assert.Equal(t, []float64{0, 0, 1, 0, 0, 1}, row, "unseen levels go to other")

	// Unseen as zero: the other column exists only where levels were grouped.
	cz, err := FitOneHot(OneHotConfig{Unseen: UnseenZero, MinShare: 0.2}, nil, cols)
	require.NoError(t, err)
	assert.Equal(t, []string{"c0=Energy", "c0=Tech", "c0=other", "c1=CA", "c1=TX", "c1=other"}, cz.OutputNames())
	row = make([]float64, 6)
	require.NoError(t, cz.TransformRow(row, []string{"Mining", "WA"}))
	assert.Equal(t, []float64{0, 0, 1, 0, 0, 0}, row, "grouped to other, unseen to zero")
	require.NoError(t, cz.TransformRow(row, []string{"Aerospace", "NY"}))
	assert.Equal(t, []float64{0, 0, 0, 0, 0, 1}, row, "unseen to zero, NY (12.5%) grouped")
	cz2, err := FitOneHot(OneHotConfig{Unseen: UnseenZero}, nil, cols[1:])
	require.NoError(t, err)
	assert.Equal(t, []string{"c0=CA", "c0=NY", "c0=TX"}, cz2.OutputNames(), "no other column without grouping")

	// Unseen as error, naming the column and level; grouped levels are fine.
	ce, err := FitOneHot(OneHotConfig{Unseen: UnseenError, MinCount: 2}, []string{"sector", "state"}, cols)
	require.NoError(t, err)
	row = make([]float64, ce.Width())
	require.NoError(t, ce.TransformRow(row, []string{"Mining", "NY"}))
	err = ce.TransformRow(row, []string{"Aerospace", "CA"})
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.ErrorContains(t, err, `column 0 "sector": level "Aerospace"`)

	// JSON round trip.
	b, err := json.Marshal(oh)
	require.NoError(t, err)
	var back OneHot
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, *oh, back)

	// Errors.
	_, err = FitOneHot(OneHotConfig{MinShare: 1}, nil, cols)
	assert.ErrorIs(t, err, ErrInvalidConfig)
	_, err = FitOneHot(OneHotConfig{}, nil, [][]string{{"a", "b"}, {"c"}})
	assert.ErrorIs(t, err, ErrInvalidInput, "ragged")
	_, err = FitOneHot(OneHotConfig{}, nil, [][]string{{"", ""}})
	assert.ErrorIs(t, err, ErrInvalidInput, "no value")
	_, err = FitOneHot(OneHotConfig{}, nil, [][]string{{"other", "x"}})
	assert.ErrorIs(t, err, ErrInvalidConfig, "level named like other")
	_, err = FitOneHot(OneHotConfig{}, []string{"a"}, cols)
	assert.ErrorIs(t, err, ErrInvalidInput, "names count")
	assert.ErrorIs(t, oh.TransformRow(make([]float64, 6), []string{"x"}), ErrInvalidInput)
	assert.ErrorIs(t, oh.Transform(&mat.Dense{}, cols[:1]), ErrInvalidInput)
}

// HotIndex names the column TransformRow sets to 1, for every kind of
// level and each policy for unseen levels.
func TestOneHotHotIndex(t *testing.T) {
	cols := [][]string{
		{"Energy", "Tech", "Tech", "Retail", "", "Tech", "Energy", "Mining"},
		{"TX", "CA", "CA", "CA", "TX", "NY", "TX", "CA"},
	}
	levels := [][]string{
		{"Energy", "Tech", "Retail", "Mining", "Aerospace", ""},
		{"CA", "TX", "NY", "WA", ""},
	}
	for _, cfg := range []OneHotConfig{{MinCount: 2}, {Unseen: UnseenZero, MinShare: 0.2}, {Unseen: UnseenZero}, {Unseen: UnseenError, MinCount: 2}} {
		oh, err := FitOneHot(cfg, []string{"sector", "state"}, cols)
		require.NoError(t, err)
		off := 0
		for j, lvs := range levels {
			w := len(oh.Columns[j].Levels)
			if oh.Columns[j].Other {
				w++
			}
			for _, lv := range lvs {
				row := make([]float64, oh.Width())
				in := []string{"Tech", "CA"}
				in[j] = lv
				terr := oh.TransformRow(row, in)
				k, err := oh.HotIndex(j, lv)
				if terr != nil {
					assert.ErrorIs(t, err, ErrInvalidInput, "%+v %q", cfg, lv)
					continue
				}
				require.NoError(t, err)
				want := -1
				for c, v := range row[off : off+w] {
					if v == 1 {
						want = c
					}
				}
				assert.Equal(t, want, k, "%+v %q", cfg, lv)
			}
			off += w
		}
		_, err = oh.HotIndex(2, "x")
		assert.ErrorIs(t, err, ErrInvalidInput, "no column 2")
	}
	ce, err := FitOneHot(OneHotConfig{Unseen: UnseenError}, nil, cols)
	require.NoError(t, err)
	_, err = ce.HotIndex(0, "Aerospace")
	assert.ErrorContains(t, err, `column 0 "c0": level "Aerospace"`)
}

func TestEncoder(t *testing.T) {
	cols := [][]string{
		{"Energy", "Tech", "", "Retail"},
		{"TX", "CA", "CA", "NY"},
	}
	e, err := FitEncoder([]string{"sector", "state"}, cols, UnseenOther)
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"Energy", "Retail", "Tech"}, {"CA", "NY", "TX"}}, e.Levels)
	codes, err := e.Encode(cols)
	require.NoError(t, err)
	assert.Equal(t, [][]int32{{0, 2}, {2, 0}, {-1, 0}, {1, 1}}, codes)
	dst := make([]int32, 2)
	require.NoError(t, e.EncodeRow(dst, []string{"Mining", "TX"}))
	assert.Equal(t, []int32{3, 2}, dst, "unseen gets a code of its own")
	assert.Equal(t, "other", e.Decode(0, 3))
	assert.Equal(t, "Tech", e.Decode(0, 2))
	assert.Empty(t, e.Decode(0, -1))

	e.Unseen = UnseenZero
	require.NoError(t, e.EncodeRow(dst, []string{"Mining", "TX"}))
	assert.Equal(t, []int32{-1, 2}, dst, "unseen as missing")
	e.Unseen = UnseenError
	err = e.EncodeRow(dst, []string{"Mining", "TX"})
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.ErrorContains(t, err, `"sector": level "Mining"`)
	assert.ErrorIs(t, e.EncodeRow(dst, []string{"TX"}), ErrInvalidInput)
	_, err = FitEncoder(nil, cols, Unseen(5))
	assert.ErrorIs(t, err, ErrInvalidConfig)

	b, err := json.Marshal(e)
	require.NoError(t, err)
	var back Encoder
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, *e, back)
}

func FuzzPipelineTransformRow(f *testing.F) {
	x := mat.NewDense(4, 3, []float64{1, -2, 3, 10, 0, 30, math.NaN(), 5, 300, 7, 1, 3000})
	p, err := FitPipeline([]ColumnSpec{
		{Impute: ImputeMedian, Indicator: true, Log: LogLog1p, Scale: ScaleStandard},
		{Log: LogSignedLog1p, Scale: ScaleRobust},
		{Scale: ScaleMinMax},
	}, x)
	require.NoError(f, err)
	f.Add(1.0, 2.0, 3.0)
	f.Add(math.NaN(), -1e308, math.Inf(1))
	f.Fuzz(func(t *testing.T, a, b, c float64) {
		dst := make([]float64, p.OutputWidth())
		if err := p.TransformRow(dst, []float64{a, b, c}); err != nil {
			assert.ErrorIs(t, err, ErrInvalidInput)
			return
		}
		for j, v := range dst {
			assert.True(t, ppFinite(v), "output %d is %v", j, v)
		}
	})
}
