package firmographic

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/strataseg/strata/segment"
)

// MethodLookalike is the method name in the JSON header of a
// [LookalikeModel].
const MethodLookalike = "firmographic-lookalike"

// DefaultLookalikeFeatures are the features of [LookalikeConfig] when
// Features is empty.
var DefaultLookalikeFeatures = []Dimension{DimEmployees, DimRevenue, DimSector, DimSubRegion, DimType, DimGrowth,
	TechDimension("crm"), TechDimension("cloud")}

// Default fit cuts of [LookalikeConfig].
const (
	DefaultStrongFit   = 0.7
	DefaultModerateFit = 0.4
)

// LookalikeConfig configures the ideal-customer-profile fit of
// [NewLookalike]. It is plain data; the zero value scores accounts against
// the current customers on DefaultLookalikeFeatures.
type LookalikeConfig struct {
	// Tables are the bands, rates and table additions.
	Tables
	// Reference lists the IDs of the reference accounts (the best
	// customers, say) among those given to Fit; empty means every account
	// whose Stage is customer and which has not churned.
	Reference []string `json:"reference,omitempty"`
	// Features are the dimensions compared; empty means
	// DefaultLookalikeFeatures.
	Features []Dimension `json:"features,omitempty"`
	// Strong and Moderate cut the score into "ICP: strong fit" (score ≥
	// Strong), "moderate fit" (≥ Moderate) and "weak fit"; 0 means
	// DefaultStrongFit and DefaultModerateFit.
	Strong   float64 `json:"strong,omitempty"`
	Moderate float64 `json:"moderate,omitempty"`
}

// Validate reports every problem of the config, joined, each naming the
// field and value and wrapping [segment.ErrInvalidConfig].
func (c LookalikeConfig) Validate() error {
	errs := c.Tables.validate(Method)
	errs = append(errs, validateDims(Method, "features", c.Features, c.Tables, false)...)
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format+": %w", append(append([]any{Method}, args...), segment.ErrInvalidConfig)...))
	}
	for i, id := range c.Reference {
		if id == "" {
			bad("reference[%d] is empty", i)
		}
	}
	strong, moderate := c.cuts()
	if !(strong > 0 && strong <= 1) {
		bad("strong is %v, not in (0, 1]", c.Strong)
	}
	if !(moderate > 0 && moderate < strong) {
		bad("moderate is %v, not in (0, strong)", c.Moderate)
	}
	return errors.Join(errs...)
}

func (c LookalikeConfig) cuts() (strong, moderate float64) {
	strong, moderate = c.Strong, c.Moderate
	if strong == 0 {
		strong = DefaultStrongFit
	}
	if moderate == 0 {
		moderate = DefaultModerateFit
	}
	return
}

// Lookalike scores accounts by their similarity to a reference set. Make
// one with [NewLookalike]; it never changes afterwards and is safe for
// concurrent use.
type Lookalike struct {
	cfg LookalikeConfig
	ref map[string]bool
}

// NewLookalike returns the lookalike segmenter of c, or an error wrapping
// [segment.ErrInvalidConfig] naming every problem of c. It copies c's maps
// and slices.
func NewLookalike(c LookalikeConfig) (*Lookalike, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.Tables = cloneTables(c.Tables)
	c.Reference = slices.Clone(c.Reference)
	slices.Sort(c.Reference)
	c.Reference = slices.Compact(c.Reference)
	c.Features = slices.Clone(c.Features)
	l := &Lookalike{cfg: c, ref: map[string]bool{}}
	for _, id := range c.Reference {
		l.ref[id] = true
	}
	return l, nil
}

// FeatureProfile is what a [LookalikeModel] learnt about one feature.
type FeatureProfile struct {
	// Dimension is the feature.
	Dimension Dimension `json:"dimension"`
	// Weight is how much the feature sets the reference accounts apart:
	// the total variation distance between the feature's distribution
	// among the reference accounts and among all fitted accounts (known
	// values only), in [0, 1].
	Weight float64 `json:"weight"`
	// Reference and All hold the share of each known value among the
	// reference accounts and among all fitted accounts, in the order of
	// the dimension's values.
	Reference []float64 `json:"reference"`
	All       []float64 `json:"all"`
}

// LookalikeModel is a fitted ideal-customer-profile fit: plain data. Assign
// is a pure function, safe for concurrent use.
type LookalikeModel struct {
	segment.Header
	// Config is the configuration it was fitted with (Reference emptied:
	// the IDs are not needed to score).
	Config LookalikeConfig `json:"config"`
	// References and Accounts count the reference and all fitted accounts.
	References int `json:"references"`
	Accounts   int `json:"accounts"`
	// Features profile each feature, in the order of the config's.
	Features []FeatureProfile `json:"features"`

	v    *vocab
	dims []dim
	nd   needs
	list []segment.Segment
}

func (c LookalikeConfig) features() []Dimension {
	if len(c.Features) == 0 {
		return DefaultLookalikeFeatures
	}
	return c.Features
}

func (m *LookalikeModel) init() {
	m.v = newVocab(m.Config.Tables)
	m.dims = m.dims[:0]
	for _, d := range m.Config.features() {
		m.dims = append(m.dims, m.v.compile(d))
	}
	m.nd = m.v.needsOf(m.dims)
	strong, moderate := m.Config.cuts()
	pct := func(x float64) string { return strconv.Itoa(int(math.Round(100 * x))) }
	m.list = []segment.Segment{
		{ID: Method + "/icp-strong", Name: "ICP: strong fit", Description: "similarity to the reference accounts of " + pct(strong) + "% or more", Method: Method},
		{ID: Method + "/icp-moderate", Name: "ICP: moderate fit", Description: "similarity to the reference accounts from " + pct(moderate) + "% to under " + pct(strong) + "%", Method: Method},
		{ID: Method + "/icp-weak", Name: "ICP: weak fit", Description: "similarity to the reference accounts under " + pct(moderate) + "%", Method: Method},
		{ID: Method + "/icp-unknown", Name: "ICP: not enough data", Description: "no known value on a feature that sets the reference accounts apart", Method: Method},
	}
}

// Fit walks accts once, counting each feature's values among all the
// accounts and among the reference accounts. It returns an error wrapping
// [segment.ErrEmptyInput] when accts yields none or none is a reference
// account, the [*segment.FieldError] of the first invalid account, and an
// error matching ctx.Err() once ctx is done.
func (l *Lookalike) Fit(ctx context.Context, accts iter.Seq[segment.Account]) (segment.Model, error) {
	if l == nil {
		return nil, fmt.Errorf("%s: segmenter is nil: %w", Method, segment.ErrInvalidConfig)
	}
	if ctx == nil || accts == nil {
		return nil, fmt.Errorf("%s: fit: nil context or accounts: %w", Method, segment.ErrInvalidConfig)
	}
	mc := l.cfg
	mc.Reference = nil
	m := &LookalikeModel{Header: segment.Header{Method: MethodLookalike, Version: 1}, Config: mc}
	m.init()
	all := make([][]float64, len(m.dims))
	ref := make([][]float64, len(m.dims))
	for j, d := range m.dims {
		all[j] = make([]float64, len(d.values)-1)
		ref[j] = make([]float64, len(d.values)-1)
	}
	for a := range accts {
		if m.Accounts%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("%s: fit: %w", Method, err)
			}
		}
		m.Accounts++
		if err := a.Validate(); err != nil {
			return nil, err
		}
		f, err := m.v.read(&a, m.nd)
		if err != nil {
			return nil, err
		}
		isRef := l.ref[a.ID]
		if len(l.ref) == 0 {
			isRef = a.Stage == segment.Customer && a.Churned != segment.Yes
		}
		if isRef {
			m.References++
		}
		for j := range m.dims {
			i := m.dims[j].index(m.v, &a, &f)
			if i == len(m.dims[j].values)-1 {
				continue
			}
			all[j][i]++
			if isRef {
				ref[j][i]++
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: fit: %w", Method, err)
	}
	if m.Accounts == 0 {
		return nil, fmt.Errorf("%s: fit: no accounts: %w", Method, segment.ErrEmptyInput)
	}
	if m.References == 0 {
		what := "no account is a current customer"
		if len(l.ref) > 0 {
			what = "no account has a reference ID"
		}
		return nil, fmt.Errorf("%s: fit: %s: %w", Method, what, segment.ErrEmptyInput)
	}
	for j, d := range m.dims {
		fp := FeatureProfile{Dimension: d.d, Reference: shares(ref[j]), All: shares(all[j])}
		for i := range fp.All {
			fp.Weight += 0.5 * math.Abs(fp.Reference[i]-fp.All[i])
		}
		fp.Weight = round6(fp.Weight)
		m.Features = append(m.Features, fp)
	}
	return m, nil
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

func shares(counts []float64) []float64 {
	total := 0.0
	for _, c := range counts {
		total += c
	}
	out := make([]float64, len(counts))
	if total == 0 {
		return out
	}
	for i, c := range counts {
		out[i] = round6(c / total)
	}
	return out
}

// DecodeModel reads back a LookalikeModel from its JSON. It returns an
// error wrapping [segment.ErrModelVersion] for an encoding of another method
// or version, and [segment.ErrInvalidConfig] for one that does not hold
// together.
func (l *Lookalike) DecodeModel(data []byte) (segment.Model, error) {
	m, err := segment.DecodeJSON[LookalikeModel](data, MethodLookalike, 1)
	if err != nil {
		return nil, err
	}
	if err := m.Config.Validate(); err != nil {
		return nil, fmt.Errorf("%s: decoding model: %w", Method, err)
	}
	m.init()
	if len(m.Features) != len(m.dims) {
		return nil, fmt.Errorf("%s: decoding model: %d feature profiles for %d features: %w", Method, len(m.Features), len(m.dims), segment.ErrInvalidConfig)
	}
	for j, fp := range m.Features {
		n := len(m.dims[j].values) - 1
		inUnit := func(x float64) bool { return x >= 0 && x <= 1 }
		if fp.Dimension != m.dims[j].d || len(fp.Reference) != n || len(fp.All) != n || !inUnit(fp.Weight) ||
			slices.ContainsFunc(fp.Reference, func(x float64) bool { return !inUnit(x) }) ||
			slices.ContainsFunc(fp.All, func(x float64) bool { return !inUnit(x) }) {
			return nil, fmt.Errorf("%s: decoding model: feature %d does not match the config: %w", Method, j+1, segment.ErrInvalidConfig)
		}
	}
	return m, nil
}

// Segments lists the fit levels: strong, moderate, weak, not enough data.
func (m *LookalikeModel) Segments() []segment.Segment { return m.list }

// Assign scores a by its similarity to the reference accounts. On each
// feature whose value is known, the similarity is the share of reference
// accounts with the account's value over the share of the most common
// value (1 for the reference accounts' most common value, 0 for one none
// of them has); the score is the mean of these similarities weighted by
// each feature's Weight, over the known features (the plain mean when no
// feature sets the reference accounts apart). Scores holds "icp_fit", the
// score. Reasons give each known feature's value, its share among the
// reference accounts and among all, most decisive first; Effect is the
// feature's weighted similarity less one half, over the total weight.
func (m *LookalikeModel) Assign(a *segment.Account) (segment.Assignment, error) {
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
func (m *LookalikeModel) AssignValid(a *segment.Account) (segment.Assignment, error) {
	f, err := m.v.read(a, m.nd)
	if err != nil {
		return segment.Assignment{}, err
	}
	type term struct {
		j, i    int
		sim, wt float64
	}
	terms := make([]term, 0, len(m.dims))
	totalW := 0.0
	anyWeight := false
	for _, fp := range m.Features {
		anyWeight = anyWeight || fp.Weight > 0
	}
	var unknown []string
	for j := range m.dims {
		d := &m.dims[j]
		i := d.index(m.v, a, &f)
		if i == len(d.values)-1 {
			unknown = append(unknown, string(d.d))
			continue
		}
		fp := &m.Features[j]
		top := slices.Max(fp.Reference)
		sim := 0.0
		if top > 0 {
			sim = fp.Reference[i] / top
		}
		w := fp.Weight
		if !anyWeight {
			w = 1
		}
		totalW += w
		terms = append(terms, term{j, i, sim, w})
	}
	as := segment.Assignment{AccountID: a.ID}
	if totalW == 0 {
		as.Segment = m.list[3]
		as.Scores = map[string]float64{"icp_fit": 0}
		as.Reasons = []segment.Reason{{Text: "no known value on a feature that sets the reference accounts apart → " + m.list[3].Name}}
		return as, nil
	}
	score := 0.0
	for _, t := range terms {
		score += t.wt * t.sim
	}
	score = min(max(score/totalW, 0), 1)
	strong, moderate := m.Config.cuts()
	switch {
	case score >= strong:
		as.Segment = m.list[0]
	case score >= moderate:
		as.Segment = m.list[1]
	default:
		as.Segment = m.list[2]
	}
	as.Score = score
	as.Scores = map[string]float64{"icp_fit": score}
	head := "similarity " + strconv.Itoa(int(math.Round(100*score))) + "% to " + strconv.Itoa(m.References) + " reference accounts → " + as.Segment.Name
	as.Reasons = append(as.Reasons, segment.Reason{Text: head})
	sort.SliceStable(terms, func(x, y int) bool {
		return math.Abs(terms[x].wt*(terms[x].sim-0.5)) > math.Abs(terms[y].wt*(terms[y].sim-0.5))
	})
	for _, t := range terms {
		d := &m.dims[t.j]
		fp := &m.Features[t.j]
		r := d.reason(m.v, a, &f, t.i)
		r.Text += ": " + strconv.Itoa(int(math.Round(100*fp.Reference[t.i]))) + "% of reference accounts, " +
			strconv.Itoa(int(math.Round(100*fp.All[t.i]))) + "% of all"
		r.Effect = t.wt * (t.sim - 0.5) / totalW
		as.Reasons = append(as.Reasons, r)
	}
	if len(unknown) > 0 {
		as.Reasons = append(as.Reasons, segment.Reason{Text: "not counted, unknown: " + joinComma(unknown)})
	}
	return as, nil
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

var _ segment.Segmenter = (*Lookalike)(nil)
