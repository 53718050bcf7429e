package firmographic

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/cluster"
)

// MethodLearned is the method name in the JSON header of a [LearnedModel].
const MethodLearned = "firmographic-learned"

// Defaults of [LearnedConfig].
const (
	// DefaultMaxK is the largest k tried when LearnedConfig.K and MaxK are 0.
	DefaultMaxK = 8
	// DefaultSampleSize is the number of accounts k is chosen on when
	// LearnedConfig.SampleSize is 0.
	DefaultSampleSize = 2000
	// DefaultGamma is the weight of one categorical mismatch against the
	// squared distance of the standardized numeric features when
	// LearnedConfig.Gamma is 0.
	DefaultGamma = 0.5
)

// The rules that choose k ([LearnedConfig].ChooseBy).
const (
	// ChooseElbow takes the knee of the k-prototypes cost against k
	// (Kneedle, [cluster.Knee]), the point past which more segments buy
	// little; where the curve has no knee, the silhouette decides.
	ChooseElbow = "elbow"
	// ChooseSilhouette takes the k of highest mean silhouette.
	ChooseSilhouette = "silhouette"
)

// LearnedConfig configures the learned segmentation of [NewLearned]. It is
// plain data; the zero value chooses k from 2 to DefaultMaxK.
type LearnedConfig struct {
	// Tables are the bands (which name the segments), rates and table
	// additions.
	Tables
	// K is the number of segments; 0 chooses it (see the package doc).
	K int `json:"k,omitempty"`
	// MaxK is the largest k tried when K is 0; 0 means DefaultMaxK. The
	// smallest is 2.
	MaxK int `json:"max_k,omitempty"`
	// ChooseBy is the rule that chooses k when K is 0: ChooseElbow (the
	// default, "") or ChooseSilhouette.
	ChooseBy string `json:"choose_by,omitempty"`
	// SampleSize is the number of accounts, drawn at random, on which k is
	// chosen; 0 means DefaultSampleSize.
	SampleSize int `json:"sample_size,omitempty"`
	// Gamma weighs one categorical mismatch against the squared distance
	// of the standardized numeric features; 0 means DefaultGamma.
	Gamma float64 `json:"gamma,omitempty"`
	// Seed seeds the sample and the clustering; the same Seed gives the
	// same Model whatever Workers is.
	Seed uint64 `json:"seed"`
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int `json:"workers,omitempty"`
	// Progress, when not nil, is called from the calling goroutine as the
	// fit advances.
	Progress func(segment.Progress) `json:"-"`
}

// Validate reports every problem of the config, joined, each naming the
// field and value and wrapping [segment.ErrInvalidConfig].
func (c LearnedConfig) Validate() error {
	errs := c.Tables.validate(Method)
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format+": %w", append(append([]any{Method}, args...), segment.ErrInvalidConfig)...))
	}
	if c.K < 0 || c.K > 1000 {
		bad("k is %d, not from 0 to 1000", c.K)
	}
	if c.MaxK != 0 && (c.MaxK < 2 || c.MaxK > 100) {
		bad("max_k is %d, not 0 or from 2 to 100", c.MaxK)
	}
	if c.ChooseBy != "" && c.ChooseBy != ChooseElbow && c.ChooseBy != ChooseSilhouette {
		bad("choose_by is %q, not %q or %q", c.ChooseBy, ChooseElbow, ChooseSilhouette)
	}
	if c.SampleSize != 0 && (c.SampleSize < 50 || c.SampleSize > 20000) {
		bad("sample_size is %d, not 0 or from 50 to 20,000", c.SampleSize)
	}
	if math.IsNaN(c.Gamma) || math.IsInf(c.Gamma, 0) || c.Gamma < 0 {
		bad("gamma is %v, not a finite number ≥ 0", c.Gamma)
	}
	if c.Workers < 0 {
		bad("workers is %d, negative", c.Workers)
	}
	return errors.Join(errs...)
}

// Learned is the learned segmentation: k-prototypes clusters of the
// accounts' firmographics, each named from its profile. Make one with
// [NewLearned]; it never changes afterwards and is safe for concurrent use.
type Learned struct {
	cfg LearnedConfig
}

// NewLearned returns the learned segmenter of c, or an error wrapping
// [segment.ErrInvalidConfig] naming every problem of c. It copies c's maps
// and slices.
func NewLearned(c LearnedConfig) (*Learned, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.Tables = cloneTables(c.Tables)
	return &Learned{cfg: c}, nil
}

// The learned features.
const (
	featEmployees = "employees"
	featRevenue   = "revenue"
	featGrowth    = "growth"
	featSector    = "sector"
	featRegion    = "subregion"
	featType      = "type"
	techPrefix    = "tech:"
)

var learnedNeeds = needs{size: true, rev: true, growth: true, sector: true, geo: true, tech: true}

// Profile describes one learned segment: what its accounts have in common.
type Profile struct {
	// Size is the number of fitted accounts in the segment.
	Size int `json:"size"`
	// Centre holds the prototype's numeric features in their units
	// (employees, revenue in the base currency, growth as a fraction), by
	// the names of LearnedModel.Numeric.
	Centre []float64 `json:"centre"`
	// Modes holds the prototype's categorical values, by the names of
	// LearnedModel.Categorical ("" where its accounts all miss it).
	Modes []string `json:"modes"`
	// Shares holds, for each categorical feature, the share of the
	// segment's accounts with a known value that have the mode.
	Shares []float64 `json:"shares"`
	// Region is the M49 region most of the segment's accounts with a known
	// country are in, and RegionShare their share.
	Region      string  `json:"region,omitempty"`
	RegionShare float64 `json:"region_share,omitempty"`
}

// LearnedModel is a fitted learned segmentation: plain data. Assign is a
// pure function, safe for concurrent use.
type LearnedModel struct {
	segment.Header
	// Config is the configuration it was fitted with.
	Config LearnedConfig `json:"config"`
	// Numeric names the numeric features used, in column order
	// ("employees", "revenue", "growth"); a feature no fitted account had
	// is left out.
	Numeric []string `json:"numeric"`
	// Categorical names the categorical features used ("sector",
	// "subregion", "type", "tech:<category>").
	Categorical []string `json:"categorical"`
	// Pipeline turns the numeric features into the clustered columns:
	// median imputation with a missing indicator, log1p (employees,
	// revenue), standardization.
	Pipeline *cluster.Pipeline `json:"pipeline"`
	// Clusters is the k-prototypes model; cluster i is segment i.
	Clusters *cluster.KPrototypesModel `json:"clusters"`
	// Profiles describes each segment, in the order of List.
	Profiles []Profile `json:"profiles"`
	// List holds the segments, largest first.
	List []segment.Segment `json:"segments"`
	// KScores holds the mean silhouette of each k tried when k was chosen
	// (index 0 is k = 2), and KCosts the k-prototypes cost on the sample;
	// nil when K was given.
	KScores []float64 `json:"k_scores,omitempty"`
	KCosts  []float64 `json:"k_costs,omitempty"`

	v        *vocab
	techCats []int // by categorical column: vocab category index, −1 for non-tech
}

// Fit walks accts once, keeping their features, clusters them with
// k-prototypes and names each cluster from its profile. It returns an error
// wrapping [segment.ErrEmptyInput] when accts yields none, the
// [*segment.FieldError] of the first invalid account, and an error
// matching ctx.Err() once ctx is done.
func (l *Learned) Fit(ctx context.Context, accts iter.Seq[segment.Account]) (segment.Model, error) {
	if l == nil {
		return nil, fmt.Errorf("%s: segmenter is nil: %w", Method, segment.ErrInvalidConfig)
	}
	if ctx == nil || accts == nil {
		return nil, fmt.Errorf("%s: fit: nil context or accounts: %w", Method, segment.ErrInvalidConfig)
	}
	c := l.cfg
	v := newVocab(c.Tables)
	// Walk: raw numeric features (NaN unknown) and categorical codes.
	const nNum = 3
	var raw []float64
	var sector, region, typ []int32
	var techs []uint64 // mask, with bit 63 set when technologies are known
	n := 0
	for a := range accts {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("%s: fit: %w", Method, err)
			}
		}
		n++
		if err := a.Validate(); err != nil {
			return nil, err
		}
		f, err := v.read(&a, learnedNeeds)
		if err != nil {
			return nil, err
		}
		raw = append(raw, numRaw(&f)...)
		s, r, t, m := catRaw(&a, &f)
		sector, region, typ, techs = append(sector, s), append(region, r), append(typ, t), append(techs, m)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: fit: %w", Method, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: fit: no accounts: %w", Method, segment.ErrEmptyInput)
	}
	// The Model keeps the Config as data: Workers and Progress are not part
	// of what was learnt.
	mc := c
	mc.Workers, mc.Progress = 0, nil
	m := &LearnedModel{Header: segment.Header{Method: MethodLearned, Version: 1}, Config: mc, v: v}

	// Numeric columns with at least one known value.
	names := [nNum]string{featEmployees, featRevenue, featGrowth}
	var keep []int
	var specs []cluster.ColumnSpec
	for j := range nNum {
		known, missing := 0, 0
		for i := range n {
			if math.IsNaN(raw[i*nNum+j]) {
				missing++
			} else {
				known++
			}
		}
		if known == 0 {
			continue
		}
		keep = append(keep, j)
		spec := cluster.ColumnSpec{Name: names[j], Impute: cluster.ImputeMedian, Indicator: missing > 0, Scale: cluster.ScaleStandard}
		if j != 2 {
			spec.Log = cluster.LogLog1p
		}
		specs = append(specs, spec)
		m.Numeric = append(m.Numeric, names[j])
	}
	var num *mat.Dense
	if len(keep) > 0 {
		x := mat.NewDense(n, len(keep), nil)
		for i := range n {
			for jj, j := range keep {
				x.Set(i, jj, raw[i*nNum+j])
			}
		}
		p, err := cluster.FitPipeline(specs, x)
		if err != nil {
			return nil, fmt.Errorf("%s: fit: %w", Method, err)
		}
		m.Pipeline = p
		num = new(mat.Dense)
		if err := p.Transform(num, x); err != nil {
			return nil, fmt.Errorf("%s: fit: %w", Method, err)
		}
	}
	// Categorical columns with at least one known value; technology
	// categories used by some but not all accounts with known technologies.
	cols := [][]int32{}
	addCol := func(name string, col []int32, tech int) {
		if slices.ContainsFunc(col, func(c int32) bool { return c >= 0 }) {
			m.Categorical = append(m.Categorical, name)
			m.techCats = append(m.techCats, tech)
			cols = append(cols, col)
		}
	}
	addCol(featSector, sector, -1)
	addCol(featRegion, region, -1)
	addCol(featType, typ, -1)
	for _, ci := range pickTech(techs, len(v.cats)) {
		cat := v.cats[ci]
		col := make([]int32, n)
		for i, t := range techs {
			col[i] = techCode(t, ci)
		}
		addCol(techPrefix+cat, col, ci)
	}
	var cat [][]int32
	if len(cols) > 0 {
		cat = make([][]int32, n)
		flat := make([]int32, n*len(cols))
		for i := range cat {
			cat[i] = flat[i*len(cols) : (i+1)*len(cols) : (i+1)*len(cols)]
			for j, col := range cols {
				cat[i][j] = col[i]
			}
		}
	}
	if num == nil && cat == nil {
		return nil, fmt.Errorf("%s: fit: no account has a known employee count, revenue, growth, sector, country, type or technology: %w", Method, segment.ErrEmptyInput)
	}

	gamma := c.Gamma
	if gamma == 0 {
		gamma = DefaultGamma
	}
	kcfg := cluster.KPrototypesConfig{Gamma: gamma, Seed: c.Seed, Workers: c.Workers}
	if c.Progress != nil {
		kcfg.Progress = func(p cluster.Progress) {
			c.Progress(segment.Progress{Method: Method, Stage: p.Stage, Done: p.Done, Total: p.Total})
		}
	}
	k := c.K
	if k == 0 {
		var err error
		k, m.KScores, m.KCosts, err = chooseK(ctx, num, cat, kcfg, c)
		if err != nil {
			return nil, err
		}
	}
	kcfg.K = k
	km, err := cluster.KPrototypes(ctx, matOrNil(num), cat, nil, kcfg)
	if errors.Is(err, cluster.ErrTooFewPoints) && c.K == 0 {
		kcfg.K = 1
		km, err = cluster.KPrototypes(ctx, matOrNil(num), cat, nil, kcfg)
	}
	if err != nil {
		if isCtx(err) {
			return nil, fmt.Errorf("%s: fit: %w", Method, err)
		}
		if errors.Is(err, cluster.ErrTooFewPoints) {
			return nil, fmt.Errorf("%s: fit: k = %d, more than the accounts' distinct feature rows: %w: %w", Method, k, segment.ErrInvalidConfig, err)
		}
		return nil, fmt.Errorf("%s: fit: %w", Method, err)
	}
	labels := make([]int, n)
	if err := km.PredictTo(labels, matOrNil(num), cat); err != nil {
		return nil, fmt.Errorf("%s: fit: %w", Method, err)
	}
	km.Config.Workers, km.Config.Progress = 0, nil
	m.Clusters = km
	m.reorder(labels)
	m.profile(labels, raw, keep, cat)
	return m, nil
}

const techKnownBit = 1 << 63

// MaxTechFeatures is the number of technology categories the learned
// segmentation clusters on at most: those whose share of the accounts with
// known technologies is nearest 50%, within 10% to 90%.
const MaxTechFeatures = 3

// pickTech returns the indices of the technology categories to cluster on,
// in category order.
func pickTech(techs []uint64, ncats int) []int {
	type cand struct {
		ci   int
		dist float64
	}
	var cs []cand
	for ci := range ncats {
		yes, known := 0, 0
		for _, t := range techs {
			if t&techKnownBit != 0 {
				known++
				if t&(1<<uint(ci)) != 0 {
					yes++
				}
			}
		}
		if known == 0 {
			continue
		}
		share := float64(yes) / float64(known)
		if share < 0.1 || share > 0.9 {
			continue
		}
		cs = append(cs, cand{ci, math.Abs(share - 0.5)})
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].dist < cs[b].dist })
	cs = cs[:min(len(cs), MaxTechFeatures)]
	out := make([]int, len(cs))
	for i, c := range cs {
		out[i] = c.ci
	}
	slices.Sort(out)
	return out
}

func techCode(mask uint64, ci int) int32 {
	if mask&techKnownBit == 0 {
		return -1
	}
	if mask&(1<<uint(ci)) != 0 {
		return 1
	}
	return 0
}

func matOrNil(d *mat.Dense) mat.Matrix {
	if d == nil {
		return nil
	}
	return d
}

// numRaw returns the raw numeric features (NaN for unknown): employees,
// revenue in the base currency, growth clipped to [-1, 3].
func numRaw(f *facts) []float64 {
	out := []float64{math.NaN(), math.NaN(), math.NaN()}
	if f.empOK {
		out[0] = f.emp
	}
	if f.revOK {
		out[1] = f.rev
	}
	if f.growthOK {
		out[2] = min(max(f.growth, -1), 3)
	}
	return out
}

// catRaw returns the categorical codes: sector, M49 sub-region, type (−1
// unknown) and the technology mask.
func catRaw(a *segment.Account, f *facts) (sector, region, typ int32, techs uint64) {
	sector, region, typ = int32(f.sector), -1, int32(a.Type)-1
	if f.country >= 0 {
		region = int32(tables.subRegionOf[f.country])
	}
	if f.techKnown {
		techs = f.techMask | techKnownBit
	}
	return
}

// chooseK fits k-prototypes for k = 2…MaxK on a random sample and returns
// the k its rule chooses, with the silhouettes and costs.
func chooseK(ctx context.Context, num *mat.Dense, cat [][]int32, kcfg cluster.KPrototypesConfig, c LearnedConfig) (int, []float64, []float64, error) {
	n := len(cat)
	if num != nil {
		n, _ = num.Dims()
	}
	maxK := c.MaxK
	if maxK == 0 {
		maxK = DefaultMaxK
	}
	size := c.SampleSize
	if size == 0 {
		size = DefaultSampleSize
	}
	if n < 4 {
		return 1, nil, nil, nil
	}
	// The sample: a seeded partial shuffle, in row order.
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if size < n {
		r := rand.New(rand.NewPCG(c.Seed, 0x66697267))
		for i := range size {
			j := i + r.IntN(n-i)
			idx[i], idx[j] = idx[j], idx[i]
		}
		idx = idx[:size]
		slices.Sort(idx)
	}
	var snum *mat.Dense
	if num != nil {
		_, d := num.Dims()
		snum = mat.NewDense(len(idx), d, nil)
		for i, r := range idx {
			snum.SetRow(i, num.RawRowView(r))
		}
	}
	var scat [][]int32
	if cat != nil {
		scat = make([][]int32, len(idx))
		for i, r := range idx {
			scat[i] = cat[r]
		}
	}
	emb := embedMixed(snum, scat, kcfg.Gamma)
	var scores, costs []float64
	best, bestK := math.Inf(-1), 1
	labels := make([]int, len(idx))
	for k := 2; k <= maxK && k < len(idx); k++ {
		kc := kcfg
		kc.K = k
		kc.Progress = nil
		km, err := cluster.KPrototypes(ctx, matOrNil(snum), scat, nil, kc)
		if errors.Is(err, cluster.ErrTooFewPoints) {
			break
		}
		if err != nil {
			if isCtx(err) {
				return 0, nil, nil, fmt.Errorf("%s: fit: choosing k: %w", Method, err)
			}
			return 0, nil, nil, fmt.Errorf("%s: fit: choosing k: %w", Method, err)
		}
		if err := km.PredictTo(labels, matOrNil(snum), scat); err != nil {
			return 0, nil, nil, fmt.Errorf("%s: fit: choosing k: %w", Method, err)
		}
		sil, err := cluster.Silhouette(ctx, emb, labels, cluster.SilhouetteConfig{MaxExact: len(idx), Seed: c.Seed, Workers: c.Workers})
		if err != nil {
			if isCtx(err) {
				return 0, nil, nil, fmt.Errorf("%s: fit: choosing k: %w", Method, err)
			}
			break // fewer than 2 clusters among the labels
		}
		scores = append(scores, sil.Score)
		costs = append(costs, km.Cost)
		if sil.Score > best {
			best, bestK = sil.Score, k
		}
		if c.Progress != nil {
			c.Progress(segment.Progress{Method: Method, Stage: "choose-k", Done: k - 1, Total: maxK - 1})
		}
	}
	if c.ChooseBy != ChooseSilhouette && len(costs) >= 3 {
		xs := make([]float64, len(costs))
		for i := range xs {
			xs[i] = float64(i + 2)
		}
		if i := cluster.Knee(xs, costs, 1); i >= 0 {
			bestK = i + 2
		}
	}
	return bestK, scores, costs, nil
}

// embedMixed returns the rows in a Euclidean space whose squared distance is the
// k-prototypes cost: the numeric columns, then each categorical column
// one-hot with entries √(γ/2), so that two known, different levels are γ
// apart; a missing level is all zeros.
func embedMixed(num *mat.Dense, cat [][]int32, gamma float64) *mat.Dense {
	n, d := 0, 0
	if num != nil {
		n, d = num.Dims()
	} else {
		n = len(cat)
	}
	var offs []int
	width := d
	if len(cat) > 0 {
		for j := range cat[0] {
			hi := int32(-1)
			for _, row := range cat {
				hi = max(hi, row[j])
			}
			offs = append(offs, width)
			width += int(hi) + 1
		}
	}
	out := mat.NewDense(n, max(width, 1), nil)
	w := math.Sqrt(gamma / 2)
	for i := range n {
		row := out.RawRowView(i)
		if num != nil {
			copy(row, num.RawRowView(i))
		}
		if cat != nil {
			for j, c := range cat[i] {
				if c >= 0 {
					row[offs[j]+int(c)] = w
				}
			}
		}
	}
	return out
}

// reorder renumbers the clusters largest first (ties by index) and relabels.
func (m *LearnedModel) reorder(labels []int) {
	k := m.Clusters.K()
	sizes := make([]int, k)
	for _, l := range labels {
		sizes[l]++
	}
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return sizes[order[a]] > sizes[order[b]] })
	newOf := make([]int, k)
	for newI, old := range order {
		newOf[old] = newI
	}
	km := m.Clusters
	perm := func(centers [][]float64) [][]float64 {
		out := make([][]float64, k)
		for newI, old := range order {
			out[newI] = centers[old]
		}
		return out
	}
	km.Centers = perm(km.Centers)
	modes := make([][]int32, k)
	sz := make([]float64, k)
	for newI, old := range order {
		modes[newI] = km.Modes[old]
		sz[newI] = km.Sizes[old]
	}
	km.Modes, km.Sizes = modes, sz
	for i, l := range labels {
		labels[i] = newOf[l]
	}
}

// profile computes each segment's profile, name and description.
func (m *LearnedModel) profile(labels []int, raw []float64, keep []int, cat [][]int32) {
	k := m.Clusters.K()
	const nNum = 3
	m.Profiles = make([]Profile, k)
	counts := make([][]map[int32]int, k)
	for c := range k {
		m.Profiles[c].Centre = make([]float64, len(keep))
		counts[c] = make([]map[int32]int, len(m.Categorical))
		for j := range counts[c] {
			counts[c][j] = map[int32]int{}
		}
	}
	for i, l := range labels {
		m.Profiles[l].Size++
		if cat != nil {
			for j, code := range cat[i] {
				if code >= 0 {
					counts[l][j][code]++
				}
			}
		}
	}
	// Numeric centres: the median of the known values of the segment (in
	// units), so that a name reads like the accounts it holds.
	for c := range k {
		p := &m.Profiles[c]
		for jj, j := range keep {
			var vals []float64
			for i, l := range labels {
				if l == c && !math.IsNaN(raw[i*nNum+j]) {
					vals = append(vals, raw[i*nNum+j])
				}
			}
			if len(vals) == 0 {
				p.Centre[jj] = m.Pipeline.Columns[jj].Fill
				continue
			}
			slices.Sort(vals)
			p.Centre[jj] = vals[len(vals)/2]
		}
		if j := slices.Index(m.Categorical, featRegion); j >= 0 {
			byRegion := map[string]int{}
			total := 0
			for code, n := range counts[c][j] {
				byRegion[regionOfSub(code)] += n
				total += n
			}
			for _, r := range tables.regions {
				if byRegion[r] > 0 && float64(byRegion[r])/float64(total) > p.RegionShare {
					p.Region, p.RegionShare = r, round6(float64(byRegion[r])/float64(total))
				}
			}
		}
		p.Modes = make([]string, len(m.Categorical))
		p.Shares = make([]float64, len(m.Categorical))
		for j := range m.Categorical {
			mode := m.Clusters.Modes[c][j]
			total := 0
			for _, n := range counts[c][j] {
				total += n
			}
			p.Modes[j] = m.levelName(j, mode)
			if total > 0 {
				p.Shares[j] = float64(counts[c][j][mode]) / float64(total)
			}
		}
	}
	m.List = make([]segment.Segment, k)
	seen := map[string]int{}
	for c := range k {
		name, desc := m.describe(c)
		seen[name]++
		m.List[c] = segment.Segment{ID: Method + "/learned-" + strconv.Itoa(c+1), Name: name, Description: desc, Method: Method}
	}
	// Segments whose profiles read alike are told apart by their median
	// size, then by number.
	again := map[string]int{}
	for c := range m.List {
		sg := &m.List[c]
		if seen[sg.Name] < 2 {
			continue
		}
		if j := slices.Index(m.Numeric, featEmployees); j >= 0 {
			sg.Name += ", ~" + formatAmount(roundSig(m.Profiles[c].Centre[j]), false, "", false) + " employees"
		} else if j := slices.Index(m.Numeric, featRevenue); j >= 0 {
			sg.Name += ", ~" + formatAmount(m.Profiles[c].Centre[j], true, m.v.currency, false) + " revenue"
		}
		if again[sg.Name]++; again[sg.Name] > 1 {
			sg.Name += " (" + strconv.Itoa(again[sg.Name]) + ")"
		}
	}
}

// levelName returns the name of code in categorical column j.
func (m *LearnedModel) levelName(j int, code int32) string {
	if code < 0 {
		return ""
	}
	switch m.Categorical[j] {
	case featSector:
		return tables.sectors[code].Title
	case featRegion:
		return tables.subRegions[code]
	case featType:
		return segment.CustomerType(code + 1).String()
	}
	if code == 1 {
		return "yes"
	}
	return "no"
}

// describe names segment c from its profile: the employee band of its
// median size, its sector and region where most share them, and the
// technology categories most of it uses.
func (m *LearnedModel) describe(c int) (name, desc string) {
	p := &m.Profiles[c]
	var parts, facts []string
	if j := slices.Index(m.Numeric, featEmployees); j >= 0 {
		b := &m.v.emp
		parts = append(parts, b.Names[band(b, p.Centre[j])])
		facts = append(facts, "median "+formatAmount(math.Round(p.Centre[j]), false, "", false)+" employees")
	} else if j := slices.Index(m.Numeric, featRevenue); j >= 0 {
		b := &m.v.rev
		parts = append(parts, b.Names[band(b, p.Centre[j])])
	}
	if j := slices.Index(m.Numeric, featRevenue); j >= 0 {
		facts = append(facts, "median revenue "+formatAmount(p.Centre[j], true, m.v.currency, false))
	}
	if j := slices.Index(m.Numeric, featGrowth); j >= 0 {
		facts = append(facts, "median growth "+formatAmount(p.Centre[j], false, "", true))
	}
	catPart := func(feat, mixed string) {
		j := slices.Index(m.Categorical, feat)
		if j < 0 {
			return
		}
		if p.Modes[j] != "" && p.Shares[j] >= NameShare {
			parts = append(parts, p.Modes[j])
		} else if mixed != "" {
			parts = append(parts, mixed)
		}
		if p.Modes[j] != "" {
			facts = append(facts, strconv.Itoa(int(math.Round(100*p.Shares[j])))+"% "+p.Modes[j])
		}
	}
	catPart(featSector, "Mixed sectors")
	if j := slices.Index(m.Categorical, featRegion); j >= 0 && p.Shares[j] < NameShare && p.RegionShare >= NameShare {
		parts = append(parts, p.Region)
		facts = append(facts, strconv.Itoa(int(math.Round(100*p.RegionShare)))+"% "+p.Region)
	} else {
		catPart(featRegion, "Mixed regions")
	}
	catPart(featType, "")
	var heavy []string
	for j, f := range m.Categorical {
		cat, ok := strings.CutPrefix(f, techPrefix)
		if !ok || p.Modes[j] != "yes" || p.Shares[j] < 0.6 {
			continue
		}
		heavy = append(heavy, categoryLabel(cat))
		facts = append(facts, strconv.Itoa(int(math.Round(100*p.Shares[j])))+"% use "+categoryLabel(cat))
	}
	name = strings.Join(parts, " · ")
	if len(heavy) > 0 {
		if len(heavy) > 2 {
			heavy = heavy[:2]
		}
		name += ", " + strings.ToLower(strings.Join(heavy, " and ")) + "-heavy"
		name = strings.ReplaceAll(name, "crm", "CRM")
		name = strings.ReplaceAll(name, "erp", "ERP")
	}
	if name == "" {
		name = "Segment " + strconv.Itoa(c+1)
	}
	return name, strings.Join(facts, "; ")
}

// DecodeModel reads back a LearnedModel from its JSON. It returns an error
// wrapping [segment.ErrModelVersion] for an encoding of another method or
// version, and [segment.ErrInvalidConfig] for one that does not hold
// together.
func (l *Learned) DecodeModel(data []byte) (segment.Model, error) {
	m, err := segment.DecodeJSON[LearnedModel](data, MethodLearned, 1)
	if err != nil {
		return nil, err
	}
	bad := func(what string) (segment.Model, error) {
		return nil, fmt.Errorf("%s: decoding model: %s: %w", Method, what, segment.ErrInvalidConfig)
	}
	if err := m.Config.Validate(); err != nil {
		return nil, fmt.Errorf("%s: decoding model: %w", Method, err)
	}
	m.v = newVocab(m.Config.Tables)
	if m.Clusters == nil || m.Clusters.K() == 0 || len(m.List) != m.Clusters.K() || len(m.Profiles) != m.Clusters.K() {
		return bad("clusters, segments and profiles do not match")
	}
	if (m.Pipeline == nil) != (len(m.Numeric) == 0) || (m.Pipeline != nil && (m.Pipeline.InputWidth() != len(m.Numeric) || m.Pipeline.OutputWidth() != m.Clusters.NumericWidth())) {
		return bad("numeric features and pipeline do not match")
	}
	if len(m.Categorical) != m.Clusters.CategoricalWidth() {
		return bad("categorical features and clusters do not match")
	}
	for _, f := range m.Numeric {
		if f != featEmployees && f != featRevenue && f != featGrowth {
			return bad("unknown numeric feature " + strconv.Quote(f))
		}
	}
	for _, f := range m.Categorical {
		tech := -1
		if cat, ok := strings.CutPrefix(f, techPrefix); ok {
			if tech = slices.Index(m.v.cats, cat); tech < 0 {
				return bad("unknown technology category " + strconv.Quote(cat))
			}
		} else if f != featSector && f != featRegion && f != featType {
			return bad("unknown categorical feature " + strconv.Quote(f))
		}
		m.techCats = append(m.techCats, tech)
	}
	for c, p := range m.Profiles {
		if len(p.Centre) != len(m.Numeric) || len(p.Modes) != len(m.Categorical) || len(p.Shares) != len(m.Categorical) {
			return bad("profile " + strconv.Itoa(c+1) + " does not match the features")
		}
	}
	for c, modes := range m.Clusters.Modes {
		for j, code := range modes {
			if code < -1 || int(code) >= m.levels(j) {
				return bad("mode of cluster " + strconv.Itoa(c+1) + " in " + m.Categorical[j] + " is " + strconv.Itoa(int(code)) + ", not a level")
			}
		}
	}
	return m, nil
}

// levels returns the number of levels of categorical column j.
func (m *LearnedModel) levels(j int) int {
	switch m.Categorical[j] {
	case featSector:
		return len(tables.sectors)
	case featRegion:
		return len(tables.subRegions)
	case featType:
		return 3
	}
	return 2
}

// Segments lists the learned segments, largest first.
func (m *LearnedModel) Segments() []segment.Segment { return m.List }

// features returns the account's transformed numeric row (nil without
// numeric features), its categorical codes and which numeric features were
// unknown.
func (m *LearnedModel) features(a *segment.Account) (num []float64, cat []int32, rawNum []float64, err error) {
	f, err := m.v.read(a, learnedNeeds)
	if err != nil {
		return nil, nil, nil, err
	}
	all := numRaw(&f)
	rawNum = make([]float64, len(m.Numeric))
	for j, name := range m.Numeric {
		switch name {
		case featEmployees:
			rawNum[j] = all[0]
		case featRevenue:
			rawNum[j] = all[1]
		default:
			rawNum[j] = all[2]
		}
	}
	if m.Pipeline != nil {
		num = make([]float64, m.Pipeline.OutputWidth())
		if err := m.Pipeline.TransformRow(num, rawNum); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: account %q: %w", Method, a.ID, err)
		}
	}
	s, r, t, mask := catRaw(a, &f)
	cat = make([]int32, len(m.Categorical))
	for j, name := range m.Categorical {
		switch name {
		case featSector:
			cat[j] = s
		case featRegion:
			cat[j] = r
		case featType:
			cat[j] = t
		default:
			cat[j] = techCode(mask, m.techCats[j])
		}
	}
	return num, cat, rawNum, nil
}

// NameShare is the share of a learned segment's accounts (with a known
// value) that must share a sector or region for it to name the segment.
const NameShare = 0.4

// MaxReasons is the number of feature reasons a learned assignment gives
// at most, after the segment's.
const MaxReasons = 5

// Assign places a in the segment of the nearest prototype (lowest
// k-prototypes cost). Score is c₂ / (c₁ + c₂), where c₁ is the cost to the
// segment and c₂ to the next nearest: 1 on the prototype, 0.5 on the
// border (1 with a single segment). Scores holds "cost" (c₁). Reasons: the
// segment, then up to MaxReasons features with their values against the
// segment's, most decisive first (those that do not tell the segment from
// the next nearest left out); Effect is how much the feature favours the segment over
// the next nearest (the next's cost term less the segment's), in cost
// units.
func (m *LearnedModel) Assign(a *segment.Account) (segment.Assignment, error) {
	if a == nil {
		return segment.Assignment{}, fmt.Errorf("%s: account is nil: %w", Method, segment.ErrInvalidAccount)
	}
	if err := a.Validate(); err != nil {
		return segment.Assignment{}, err
	}
	return m.AssignValid(a)
}

// AssignValid is Assign for an account whose Validate the caller has
// checked (see [segment.ValidAssigner]); the combinators call it.
func (m *LearnedModel) AssignValid(a *segment.Account) (segment.Assignment, error) {
	num, cat, rawNum, err := m.features(a)
	if err != nil {
		return segment.Assignment{}, err
	}
	km := m.Clusters
	costs := make([]float64, km.K())
	if err := km.CostsTo(costs, num, cat); err != nil {
		return segment.Assignment{}, fmt.Errorf("%s: account %q: %w", Method, a.ID, err)
	}
	best, next := 0, -1
	for c := 1; c < len(costs); c++ {
		if costs[c] < costs[best] {
			best = c
		}
	}
	for c := range costs {
		if c != best && (next < 0 || costs[c] < costs[next]) {
			next = c
		}
	}
	score := 1.0
	if next >= 0 {
		if s := costs[best] + costs[next]; s > 0 {
			score = costs[next] / s
		} else {
			score = 0.5
		}
	}
	seg := m.List[best]
	reasons := []segment.Reason{{Text: "nearest profile → " + seg.Name}}
	var feats []segment.Reason
	prof := &m.Profiles[best]
	for j, name := range m.Numeric {
		var eff float64
		if next >= 0 {
			eff = sq(num[j]-km.Centers[next][j]) - sq(num[j]-km.Centers[best][j])
		}
		var b []byte
		b = append(b, name...)
		money := name == featRevenue
		pct := name == featGrowth
		if math.IsNaN(rawNum[j]) {
			b = append(b, " unknown (imputed "...)
			b = appendAmount(b, m.Pipeline.Columns[j].Fill, money, m.v.currency, pct)
			b = append(b, ')')
		} else {
			b = append(b, ' ')
			b = appendAmount(b, roundFor(rawNum[j], money, pct), money, m.v.currency, pct)
		}
		b = append(b, "; segment median "...)
		b = appendAmount(b, roundFor(prof.Centre[j], money, pct), money, m.v.currency, pct)
		feats = append(feats, segment.Reason{Text: string(b), Field: name, Effect: eff})
	}
	for j, name := range m.Categorical {
		code := cat[j]
		var eff float64
		if next >= 0 && code >= 0 {
			if km.Modes[next][j] != code {
				eff += km.Gamma
			}
			if km.Modes[best][j] != code {
				eff -= km.Gamma
			}
		}
		label := name
		if cat, ok := strings.CutPrefix(name, techPrefix); ok {
			label = "uses " + categoryLabel(cat)
		}
		text := label + " "
		switch {
		case code < 0:
			text += "unknown"
		case km.Modes[best][j] == code:
			text += m.levelName(j, code) + ", as the segment"
		default:
			text += m.levelName(j, code) + "; segment: " + prof.Modes[j]
		}
		field := name
		if strings.HasPrefix(name, techPrefix) {
			field = "technologies"
		} else if name == featRegion {
			field = "country"
		}
		feats = append(feats, segment.Reason{Text: text, Field: field, Effect: eff})
	}
	sort.SliceStable(feats, func(x, y int) bool { return math.Abs(feats[x].Effect) > math.Abs(feats[y].Effect) })
	if next >= 0 {
		feats = slices.DeleteFunc(feats, func(r segment.Reason) bool { return r.Effect == 0 })
	}
	reasons = append(reasons, feats[:min(len(feats), MaxReasons)]...)
	return segment.Assignment{
		AccountID: a.ID,
		Segment:   seg,
		Score:     score,
		Scores:    map[string]float64{"cost": costs[best]},
		Reasons:   reasons,
	}, nil
}

// regionOfSub returns the M49 region of a sub-region code.
func regionOfSub(code int32) string {
	for i, c := range tables.countries {
		if int32(tables.subRegionOf[i]) == code {
			return c.Region
		}
	}
	return ""
}

func sq(x float64) float64 { return x * x }

func roundFor(x float64, money, pct bool) float64 {
	if money || pct {
		return x
	}
	return math.Round(x)
}

var _ segment.Segmenter = (*Learned)(nil)
