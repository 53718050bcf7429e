package cluster

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/strataseg/strata/segment/internal/enumtext"
)

// GapReference selects the region the gap statistic's reference data are
// drawn from. The zero value is [GapBoundingBox]. Values marshal as text
// ("box", "pca").
type GapReference int

const (
	// GapBoundingBox draws reference rows uniformly over the range of each
	// column (Tibshirani, Walther and Hastie 2001, method a).
	GapBoundingBox GapReference = iota
	// GapPCABox draws them uniformly over the box aligned with the data's
	// principal components, then rotates them back (method b): it follows
	// the shape of correlated data.
	GapPCABox
)

var gapReferenceNames = []string{"box", "pca"}

// String returns the reference's text form.
func (g GapReference) String() string { return enumtext.String(gapReferenceNames, g, "GapReference") }

// MarshalText encodes the reference as its name.
func (g GapReference) MarshalText() ([]byte, error) {
	return optionMarshal(gapReferenceNames, g, "gap reference")
}

// UnmarshalText decodes a reference name; the empty string is
// [GapBoundingBox].
func (g *GapReference) UnmarshalText(b []byte) error {
	return optionUnmarshal(g, gapReferenceNames, b, "gap reference")
}

// ChooseRule is the rule [ChooseK] recommends a k by. The zero value is
// [ChooseByVote]. Rules marshal as text ("vote", "elbow", "silhouette",
// "calinski-harabasz", "davies-bouldin", "gap").
type ChooseRule int

const (
	// ChooseByVote lets each criterion name one k: the knee of the inertia
	// curve, the highest silhouette, the highest Calinski–Harabasz index,
	// the lowest Davies–Bouldin index and the gap statistic's 1-SE choice.
	// The k named most often wins; a tie goes to the smallest of the tied
	// k, the simpler segmentation.
	ChooseByVote ChooseRule = iota
	// ChooseByElbow takes the knee of the inertia curve (Kneedle).
	ChooseByElbow
	// ChooseBySilhouette takes the k of highest mean silhouette.
	ChooseBySilhouette
	// ChooseByCalinskiHarabasz takes the k of highest Calinski–Harabasz
	// index.
	ChooseByCalinskiHarabasz
	// ChooseByDaviesBouldin takes the k of lowest Davies–Bouldin index.
	ChooseByDaviesBouldin
	// ChooseByGap takes the gap statistic's 1-SE choice.
	ChooseByGap
)

var chooseRuleNames = []string{"vote", "elbow", "silhouette", "calinski-harabasz", "davies-bouldin", "gap"}

// String returns the rule's text form.
func (r ChooseRule) String() string { return enumtext.String(chooseRuleNames, r, "ChooseRule") }

// MarshalText encodes the rule as its name.
func (r ChooseRule) MarshalText() ([]byte, error) {
	return optionMarshal(chooseRuleNames, r, "choose rule")
}

// UnmarshalText decodes a rule name; the empty string is [ChooseByVote].
func (r *ChooseRule) UnmarshalText(b []byte) error {
	return optionUnmarshal(r, chooseRuleNames, b, "choose rule")
}

// Defaults of ChooseKConfig's zero fields.
const (
	defaultChooseMaxK    = 10
	defaultGapReferences = 10
)

// DefaultGapRows caps the rows of each gap-statistic reference data set
// when ChooseKConfig.GapRows is 0.
const DefaultGapRows = 10000

// ChooseKConfig configures [ChooseK]. It is plain data; the zero value
// works: k from 1 to 10, default k-means, 10 bounding-box gap references,
// and the vote rule.
type ChooseKConfig struct {
	// MinK and MaxK bound the range of k tried; 0 means 1 and 10. The
	// silhouette, Calinski–Harabasz and Davies–Bouldin indices need k ≥ 2,
	// the gap statistic's rule needs k+1, and the knee needs three values
	// of k.
	MinK int `json:"minK,omitempty"`
	MaxK int `json:"maxK,omitempty"`
	// KMeans configures every k-means fit, on the data and on the gap
	// references. Its K, Seed, Workers and Progress are set by ChooseK
	// (K to each k, the others from this config); its other fields are used
	// as given.
	KMeans KMeansConfig `json:"kmeans"`
	// Silhouette configures the silhouette of each k (exact up to its
	// MaxExact rows, sampled above). Its Seed and Workers are set by
	// ChooseK.
	Silhouette SilhouetteConfig `json:"silhouette"`
	// GapReferences is the number B of reference data sets of the gap
	// statistic; 0 means 10, and a negative value skips the gap
	// statistic (it costs B extra k-means fits per k).
	GapReferences int `json:"gapReferences,omitempty"`
	// GapReference is the region the references are drawn from.
	GapReference GapReference `json:"gapReference,omitempty"`
	// GapRows is the number of rows of each reference data set; 0 means
	// the number of rows of x, capped at [DefaultGapRows]. With fewer rows
	// than x (or with weights), a reference's log inertia is shifted by
	// log(W/m), W being the total weight of x and m the reference's rows,
	// since the inertia of uniform data grows in proportion to its mass.
	GapRows int `json:"gapRows,omitempty"`
	// Sensitivity is Kneedle's sensitivity S; 0 means 1, the paper's
	// default. Larger values make the knee more conservative.
	Sensitivity float64 `json:"sensitivity,omitempty"`
	// Rule is how the recommended k is chosen.
	Rule ChooseRule `json:"rule,omitempty"`
	// Seed seeds every fit, sample and reference; the same Seed gives the
	// same result whatever Workers is.
	Seed uint64 `json:"seed"`
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int `json:"workers,omitempty"`
	// Progress, when not nil, is called from the calling goroutine after
	// each k-means fit (Stage "data" for fits on the data, "reference" for
	// the gap references).
	Progress func(Progress) `json:"-"`
}

func (c ChooseKConfig) minK() int { return max(c.MinK, 1) }

func (c ChooseKConfig) maxK() int {
	if c.MaxK == 0 {
		return max(defaultChooseMaxK, c.minK())
	}
	return c.MaxK
}

func (c ChooseKConfig) gapRefs() int {
	switch {
	case c.GapReferences < 0:
		return 0
	case c.GapReferences == 0:
		return defaultGapReferences
	}
	return c.GapReferences
}

func (c ChooseKConfig) gapRows(n int) int {
	if c.GapRows == 0 {
		return min(n, DefaultGapRows)
	}
	return c.GapRows
}

func (c ChooseKConfig) sensitivity() float64 {
	if c.Sensitivity == 0 {
		return 1
	}
	return c.Sensitivity
}

// Validate reports every problem with the config, joined, each wrapping
// [ErrInvalidConfig].
func (c ChooseKConfig) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("cluster: choose k: "+format+": %w", append(args, ErrInvalidConfig)...))
	}
	if c.MinK < 0 {
		bad("MinK must not be negative, got %d", c.MinK)
	}
	if c.MaxK < 0 {
		bad("MaxK must not be negative, got %d", c.MaxK)
	} else if c.MaxK > 0 && c.MaxK < c.minK() {
		bad("MaxK %d is below MinK %d", c.MaxK, c.minK())
	}
	if c.KMeans.Init != nil {
		bad("KMeans.Init must be nil: each k is seeded afresh")
	}
	km := c.KMeans
	km.K = 1
	if err := km.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Silhouette.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.GapReference < GapBoundingBox || c.GapReference > GapPCABox {
		bad("unknown GapReference %d", int(c.GapReference))
	}
	if c.GapRows < 0 {
		bad("GapRows must not be negative, got %d", c.GapRows)
	}
	if c.Sensitivity < 0 || math.IsNaN(c.Sensitivity) || math.IsInf(c.Sensitivity, 0) {
		bad("Sensitivity must be finite and not negative, got %v", c.Sensitivity)
	}
	if c.Rule < ChooseByVote || c.Rule > ChooseByGap {
		bad("unknown Rule %d", int(c.Rule))
	}
	if c.Rule == ChooseByGap && c.GapReferences < 0 {
		bad("Rule gap needs GapReferences ≥ 0, got %d", c.GapReferences)
	}
	if c.Workers < 0 {
		bad("Workers must not be negative, got %d", c.Workers)
	}
	return errors.Join(errs...)
}

// KScore holds the scores of one k.
type KScore struct {
	// K is the number of clusters.
	K int `json:"k"`
	// Inertia is the weighted sum of squared distances of the rows to
	// their centre.
	Inertia float64 `json:"inertia"`
	// HasIndices reports whether Silhouette, CalinskiHarabasz and
	// DaviesBouldin were computed: they need 2 ≤ k ≤ n−1 (and a sample
	// holding at least two clusters); otherwise they are 0.
	HasIndices bool `json:"hasIndices"`
	// Silhouette is the mean silhouette ([Silhouette]), exact or sampled.
	Silhouette float64 `json:"silhouette"`
	// SilhouetteScored is the number of rows the silhouette averages, and
	// SilhouetteSampled whether they were a sample.
	SilhouetteScored  int  `json:"silhouetteScored"`
	SilhouetteSampled bool `json:"silhouetteSampled"`
	// CalinskiHarabasz is the Calinski–Harabasz index (higher is better).
	CalinskiHarabasz float64 `json:"calinskiHarabasz"`
	// DaviesBouldin is the Davies–Bouldin index (lower is better).
	DaviesBouldin float64 `json:"daviesBouldin"`
	// LogW is log(Inertia), the gap statistic's log W_k.
	LogW float64 `json:"logW"`
	// Gap is E*[log W*_k] − log W_k over the references, and GapSE its
	// s_k = sd_k·√(1 + 1/B); both are 0 when the gap statistic is skipped.
	Gap   float64 `json:"gap"`
	GapSE float64 `json:"gapSE"`
	// Model is the k-means model fitted with this k.
	Model *KMeansModel `json:"model"`
}

// ChooseKResult is the outcome of [ChooseK]: the scores of every k, what
// each criterion names, and the recommendation with its reasons.
type ChooseKResult struct {
	// Scores holds one entry per k tried, in ascending k.
	Scores []KScore `json:"scores"`
	// Elbow is the knee of the inertia curve found by Kneedle, 0 when the
	// curve has none (or fewer than three k were tried).
	Elbow int `json:"elbow"`
	// BestSilhouette, BestCalinskiHarabasz and BestDaviesBouldin are the k
	// of highest silhouette, highest Calinski–Harabasz and lowest
	// Davies–Bouldin index (the smallest such k on ties), 0 when no k had
	// the indices.
	BestSilhouette       int `json:"bestSilhouette"`
	BestCalinskiHarabasz int `json:"bestCalinskiHarabasz"`
	BestDaviesBouldin    int `json:"bestDaviesBouldin"`
	// Gap is the gap statistic's choice by the 1-SE rule, 0 when it was
	// skipped or no k could be judged.
	Gap int `json:"gap"`
	// Recommended is the k the rule chose, 0 when its criterion named none.
	Recommended int `json:"recommended"`
	// Rule is the rule used.
	Rule ChooseRule `json:"rule"`
	// Reasons explains, criterion by criterion, what each named and why
	// the recommendation is what it is.
	Reasons []string `json:"reasons"`
}

// Score returns the scores of k, or nil when k was not tried.
func (r *ChooseKResult) Score(k int) *KScore {
	for i := range r.Scores {
		if r.Scores[i].K == k {
			return &r.Scores[i]
		}
	}
	return nil
}

// ChooseK fits k-means ([KMeans]) to the rows of x for every k from
// cfg.MinK to cfg.MaxK, scores each fit, and recommends a k by cfg.Rule,
// stating its reasons. The scores are the inertia, the mean silhouette
// ([Silhouette], sampled above its MaxExact rows), the Calinski–Harabasz
// and Davies–Bouldin indices ([CalinskiHarabasz], [DaviesBouldin]) and the
// gap statistic of Tibshirani, Walther and Hastie (2001): Gap(k) =
// E*[log W*_k] − log W_k, where W_k is the inertia and the expectation is
// the mean over cfg.GapReferences reference data sets of cfg.GapRows rows
// drawn uniformly over the data's bounding box (or its principal-component
// box), each clustered like the data; its 1-SE choice is made with
// [GapChoice]. The elbow of the inertia curve is found with Kneedle
// ([Knee]). The recommendation follows cfg.Rule ([ChooseByVote] unless set:
// the k named by most of the five criteria, the smallest on ties), and
// Reasons states what each criterion named, with its value.
//
// weights, when not nil, weighs each row in the k-means fits, the inertia
// and the Calinski–Harabasz and Davies–Bouldin indices; the gap
// statistic's references are unweighted, their mass matched to the total
// weight (see GapRows), and the silhouette ignores weights.
//
// When x has fewer distinct rows than MaxK, the range stops at the last k
// that can be fitted and a reason says so. The same Seed gives the same
// result whatever Workers is. Errors wrap [ErrInvalidConfig],
// [ErrInvalidInput], or [ErrTooFewPoints] when not even cfg.MinK clusters
// can be fitted; once ctx is done the error matches ctx.Err().
func ChooseK(ctx context.Context, x mat.Matrix, weights []float64, cfg ChooseKConfig) (*ChooseKResult, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if x == nil {
		return nil, fmt.Errorf("cluster: choose k: x is nil: %w", ErrInvalidInput)
	}
	n, d := x.Dims()
	labels := make([]int, n)
	data, _, _, err := validityData("choose k", x, labels)
	if err != nil {
		return nil, err
	}
	if err := validityWeights("choose k", weights, n); err != nil {
		return nil, err
	}
	xd := mat.NewDense(n, d, data) // shares data; read only

	minK, maxK := cfg.minK(), cfg.maxK()
	B := cfg.gapRefs()
	totalFits := (maxK - minK + 1) * (1 + B)
	fits := 0
	progress := func(stage string) {
		fits++
		if cfg.Progress != nil {
			cfg.Progress(Progress{Method: "choosek", Stage: stage, Done: fits, Total: totalFits})
		}
	}
	kmCfg := func(k int) KMeansConfig {
		c := cfg.KMeans
		c.K, c.Seed, c.Workers, c.Progress = k, cfg.Seed, cfg.Workers, nil
		return c
	}

	res := &ChooseKResult{Rule: cfg.Rule}
	for k := minK; k <= maxK; k++ {
		m, err := KMeans(ctx, xd, weights, kmCfg(k))
		if errors.Is(err, ErrTooFewPoints) && k > minK {
			res.Reasons = append(res.Reasons, fmt.Sprintf("k stops at %d: the data have fewer than %d distinct rows", k-1, k))
			break
		}
		if err != nil {
			return nil, fmt.Errorf("cluster: choose k: k = %d: %w", k, err)
		}
		progress("data")
		s := KScore{K: k, Inertia: m.Inertia, LogW: chooseLog(m.Inertia), Model: m}
		if err := m.PredictTo(labels, xd); err != nil {
			return nil, fmt.Errorf("cluster: choose k: k = %d: %w", k, err)
		}
		if k >= 2 && k <= n-1 {
			sc := cfg.Silhouette
			sc.Seed, sc.Workers = cfg.Seed, cfg.Workers
			sil, err := Silhouette(ctx, xd, labels, sc)
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("cluster: choose k: %w", err)
			}
			// A fit may leave fewer than k non-empty clusters, or a
			// sample may hold one cluster only; such a k gets no indices.
			if err == nil {
				ch, errCH := CalinskiHarabasz(xd, labels, weights)
				db, errDB := DaviesBouldin(xd, labels, weights)
				if errCH == nil && errDB == nil {
					s.HasIndices = true
					s.Silhouette, s.SilhouetteScored, s.SilhouetteSampled = sil.Score, sil.Scored, sil.Sampled
					s.CalinskiHarabasz, s.DaviesBouldin = ch, db
				}
			}
		}
		res.Scores = append(res.Scores, s)
	}

	if B > 0 {
		ks := make([]int, len(res.Scores))
		for i, s := range res.Scores {
			ks[i] = s.K
		}
		refLogW, err := gapReferences(ctx, data, n, d, weights, ks, B, cfg, kmCfg, progress)
		if err != nil {
			return nil, err
		}
		for i := range res.Scores {
			mean, sd := meanSD(refLogW[i])
			res.Scores[i].Gap = mean - res.Scores[i].LogW
			res.Scores[i].GapSE = sd * math.Sqrt(1+1/float64(B))
		}
	}
	res.decide(cfg, B)
	return res, nil
}

// chooseLog is log(w) kept finite: a perfect fit (w = 0) gets the log of
// the smallest positive float64.
func chooseLog(w float64) float64 {
	return math.Log(max(w, math.SmallestNonzeroFloat64))
}

// meanSD returns the mean and the standard deviation (divisor B, as in
// Tibshirani et al.) of v.
func meanSD(v []float64) (float64, float64) {
	var m float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	var s float64
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return m, math.Sqrt(s / float64(len(v)))
}

// gapReferences draws B reference data sets and returns, for each k of ks,
// the log inertia of the k-means fit to each reference.
func gapReferences(ctx context.Context, data []float64, n, d int, weights []float64, ks []int, B int, cfg ChooseKConfig, kmCfg func(int) KMeansConfig, progress func(string)) ([][]float64, error) {
	m := cfg.gapRows(n)
	mass := float64(n)
	if weights != nil {
		mass = 0
		for _, w := range weights {
			mass += w
		}
	}
	shift := math.Log(mass / float64(m))
	out := make([][]float64, len(ks))
	for i := range out {
		out[i] = make([]float64, B)
	}
	box, err := newGapBox(data, n, d, weights, cfg.GapReference)
	if err != nil {
		return nil, err
	}
	ref := make([]float64, m*d)
	for b := range B {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("cluster: choose k: %w", err)
		}
		box.draw(ref, rand.New(rand.NewPCG(cfg.Seed, 0x6a9_0000+uint64(b))))
		rm := mat.NewDense(m, d, ref)
		for i, k := range ks {
			fit, err := KMeans(ctx, rm, nil, kmCfg(k))
			if err != nil {
				return nil, fmt.Errorf("cluster: choose k: gap reference %d, k = %d: %w", b, k, err)
			}
			out[i][b] = chooseLog(fit.Inertia) + shift
			progress("reference")
		}
	}
	return out, nil
}

// gapBox is the region reference rows are drawn from: uniform over
// [lo, hi] in the coordinates given by the columns of rot (d×d, row-major;
// nil: identity), shifted by mean.
type gapBox struct {
	d          int
	lo, hi     []float64
	rot, shift []float64
}

// newGapBox finds the bounding box of the rows of positive weight, in the
// original coordinates or in those of the principal components.
func newGapBox(data []float64, n, d int, w []float64, kind GapReference) (*gapBox, error) {
	g := &gapBox{d: d, lo: make([]float64, d), hi: make([]float64, d)}
	use := func(i int) bool { return w == nil || w[i] > 0 }
	if kind == GapPCABox {
		// Centre, then rotate onto the eigenvectors of the covariance.
		g.shift = make([]float64, d)
		var cnt float64
		for i := range n {
			if use(i) {
				for j := range d {
					g.shift[j] += data[i*d+j]
				}
				cnt++
			}
		}
		for j := range d {
			g.shift[j] /= cnt
		}
		cov := mat.NewSymDense(d, nil)
		row := make([]float64, d)
		for i := range n {
			if !use(i) {
				continue
			}
			for j := range d {
				row[j] = data[i*d+j] - g.shift[j]
			}
			cov.SymRankOne(cov, 1, mat.NewVecDense(d, row))
		}
		var eig mat.EigenSym
		if !eig.Factorize(cov, true) {
			return nil, fmt.Errorf("cluster: choose k: principal components of the data could not be computed: %w", ErrInvalidInput)
		}
		var v mat.Dense
		eig.VectorsTo(&v)
		g.rot = make([]float64, d*d)
		for a := range d {
			for b := range d {
				g.rot[a*d+b] = v.At(a, b)
			}
		}
	}
	first := true
	p := make([]float64, d)
	for i := range n {
		if !use(i) {
			continue
		}
		g.project(p, data[i*d:(i+1)*d])
		for j, v := range p {
			if first || v < g.lo[j] {
				g.lo[j] = v
			}
			if first || v > g.hi[j] {
				g.hi[j] = v
			}
		}
		first = false
	}
	return g, nil
}

// project writes the box coordinates of row x into p.
func (g *gapBox) project(p, x []float64) {
	if g.rot == nil {
		copy(p, x)
		return
	}
	d := g.d
	for b := range d {
		var s float64
		for a := range d {
			s += (x[a] - g.shift[a]) * g.rot[a*d+b]
		}
		p[b] = s
	}
}

// draw fills ref (n×d, row-major) with rows uniform over the box.
func (g *gapBox) draw(ref []float64, rng *rand.Rand) {
	d := g.d
	p := make([]float64, d)
	for i := 0; i+d <= len(ref); i += d {
		for j := range d {
			p[j] = g.lo[j] + rng.Float64()*(g.hi[j]-g.lo[j])
		}
		out := ref[i : i+d]
		if g.rot == nil {
			copy(out, p)
			continue
		}
		for a := range d {
			s := g.shift[a]
			for b := range d {
				s += g.rot[a*d+b] * p[b]
			}
			out[a] = s
		}
	}
}

// GapChoice applies the 1-SE rule of Tibshirani, Walther and Hastie
// (2001, "Estimating the number of clusters in a data set via the gap
// statistic", JRSS B 63(2):411–423) to gap values and their standard errors
// s_k for consecutive k = ks[0], ks[0]+1, …: it returns the smallest k with
// Gap(k) ≥ Gap(k+1) − s_{k+1}, or 0 when no k (the last has no successor)
// satisfies it.
func GapChoice(ks []int, gap, se []float64) int {
	for i := 0; i+1 < len(ks) && i+1 < len(gap) && i+1 < len(se); i++ {
		if gap[i] >= gap[i+1]-se[i+1] {
			return ks[i]
		}
	}
	return 0
}

// Knee finds the knee (the elbow) of a decreasing convex curve such as
// inertia against k, with Kneedle (Satopää, Albrecht, Irwin and Raghavan
// 2011, "Finding a 'kneedle' in a haystack: detecting knee points in system
// behavior", ICDCS workshops): both axes are scaled to [0, 1], the
// difference curve D = (1 − y) − x (how far the curve lies below the chord
// from its first to its last point) is formed, and a local maximum of D is
// a knee once D then falls below D_max − S·mean(Δx) before the next local
// maximum (or the end). It returns the index of the first knee in xs, or
// -1 when there is none: fewer than three points, x not increasing, a flat
// curve, or no drop deep enough. The curve is not smoothed (the paper
// smooths noisy curves with a spline first). sensitivity is S; the paper's
// default is 1.
func Knee(xs, ys []float64, sensitivity float64) int {
	m := len(xs)
	if m < 3 || len(ys) != m {
		return -1
	}
	for i := 1; i < m; i++ {
		if !(xs[i] > xs[i-1]) {
			return -1
		}
	}
	ymin, ymax := ys[0], ys[0]
	for _, y := range ys {
		ymin, ymax = min(ymin, y), max(ymax, y)
	}
	if !(ymax > ymin) {
		return -1
	}
	xr := xs[m-1] - xs[0]
	diff := make([]float64, m)
	for i := range m {
		xn := (xs[i] - xs[0]) / xr
		yn := (ys[i] - ymin) / (ymax - ymin)
		diff[i] = (1 - yn) - xn
	}
	step := 1.0 / float64(m-1) // mean gap of the scaled x
	for i := 1; i+1 < m; i++ {
		if !(diff[i] >= diff[i-1] && diff[i] > diff[i+1]) {
			continue // not a local maximum
		}
		threshold := diff[i] - sensitivity*step
		for j := i + 1; j < m; j++ {
			if j+1 < m && diff[j] >= diff[j-1] && diff[j] > diff[j+1] {
				break // the next local maximum came first
			}
			if diff[j] < threshold {
				return i
			}
		}
	}
	return -1
}

// decide fills in what each criterion names and the recommendation.
func (r *ChooseKResult) decide(cfg ChooseKConfig, B int) {
	ks := make([]int, len(r.Scores))
	xs := make([]float64, len(r.Scores))
	ys := make([]float64, len(r.Scores))
	for i, s := range r.Scores {
		ks[i], xs[i], ys[i] = s.K, float64(s.K), s.Inertia
	}
	S := cfg.sensitivity()
	if i := Knee(xs, ys, S); i >= 0 {
		r.Elbow = ks[i]
		r.Reasons = append(r.Reasons, fmt.Sprintf("elbow: Kneedle (S = %g) finds the knee of the inertia curve at k = %d (inertia %.4g)", S, r.Elbow, ys[i]))
	} else {
		r.Reasons = append(r.Reasons, fmt.Sprintf("elbow: Kneedle (S = %g) finds no knee in the inertia curve", S))
	}
	var bs, bch, bdb *KScore
	for i := range r.Scores {
		s := &r.Scores[i]
		if !s.HasIndices {
			continue
		}
		if bs == nil || s.Silhouette > bs.Silhouette {
			bs = s
		}
		if bch == nil || s.CalinskiHarabasz > bch.CalinskiHarabasz {
			bch = s
		}
		if bdb == nil || s.DaviesBouldin < bdb.DaviesBouldin {
			bdb = s
		}
	}
	if bs != nil {
		r.BestSilhouette, r.BestCalinskiHarabasz, r.BestDaviesBouldin = bs.K, bch.K, bdb.K
		sampled := ""
		if bs.SilhouetteSampled {
			sampled = fmt.Sprintf(", sampled on %d rows", bs.SilhouetteScored)
		}
		r.Reasons = append(r.Reasons,
			fmt.Sprintf("silhouette: highest at k = %d (%.4f%s)", bs.K, bs.Silhouette, sampled),
			fmt.Sprintf("calinski-harabasz: highest at k = %d (%.4g)", bch.K, bch.CalinskiHarabasz),
			fmt.Sprintf("davies-bouldin: lowest at k = %d (%.4f)", bdb.K, bdb.DaviesBouldin))
	} else {
		r.Reasons = append(r.Reasons, "silhouette, calinski-harabasz, davies-bouldin: no k from 2 to n-1 was tried")
	}
	if B > 0 {
		gaps := make([]float64, len(r.Scores))
		ses := make([]float64, len(r.Scores))
		for i, s := range r.Scores {
			gaps[i], ses[i] = s.Gap, s.GapSE
		}
		r.Gap = GapChoice(ks, gaps, ses)
		if r.Gap > 0 {
			g := r.Score(r.Gap)
			nx := r.Score(r.Gap + 1)
			r.Reasons = append(r.Reasons, fmt.Sprintf("gap (B = %d, %s references): k = %d is the smallest k with Gap(k) = %.4f ≥ Gap(k+1) − s(k+1) = %.4f − %.4f", B, cfg.GapReference, r.Gap, g.Gap, nx.Gap, nx.GapSE))
		} else {
			r.Reasons = append(r.Reasons, fmt.Sprintf("gap (B = %d, %s references): no k up to %d meets the 1-SE rule; the gap is still rising", B, cfg.GapReference, ks[len(ks)-1]))
		}
	}

	switch cfg.Rule {
	case ChooseByElbow:
		r.Recommended = r.Elbow
	case ChooseBySilhouette:
		r.Recommended = r.BestSilhouette
	case ChooseByCalinskiHarabasz:
		r.Recommended = r.BestCalinskiHarabasz
	case ChooseByDaviesBouldin:
		r.Recommended = r.BestDaviesBouldin
	case ChooseByGap:
		r.Recommended = r.Gap
	default:
		r.vote()
		return
	}
	if r.Recommended > 0 {
		r.Reasons = append(r.Reasons, fmt.Sprintf("recommended: k = %d, by the %s rule", r.Recommended, cfg.Rule))
	} else {
		r.Reasons = append(r.Reasons, fmt.Sprintf("recommended: none, the %s rule named no k", cfg.Rule))
	}
}

// vote recommends the k named by most criteria, the smallest on ties.
func (r *ChooseKResult) vote() {
	names := []struct {
		k    int
		name string
	}{
		{r.Elbow, "elbow"}, {r.BestSilhouette, "silhouette"}, {r.BestCalinskiHarabasz, "calinski-harabasz"},
		{r.BestDaviesBouldin, "davies-bouldin"}, {r.Gap, "gap"},
	}
	voters := map[int][]string{}
	total := 0
	for _, v := range names {
		if v.k > 0 {
			voters[v.k] = append(voters[v.k], v.name)
			total++
		}
	}
	best := 0
	for k, v := range voters {
		if best == 0 || len(v) > len(voters[best]) || (len(v) == len(voters[best]) && k < best) {
			best = k
		}
	}
	r.Recommended = best
	if best == 0 {
		r.Reasons = append(r.Reasons, "recommended: none, no criterion named a k")
		return
	}
	tie := ""
	for k, v := range voters {
		if k != best && len(v) == len(voters[best]) {
			tie = " (a tie, broken towards the smaller k)"
		}
	}
	r.Reasons = append(r.Reasons, fmt.Sprintf("recommended: k = %d, named by %d of %d criteria (%s)%s",
		best, len(voters[best]), total, strings.Join(voters[best], ", "), tie))
}
