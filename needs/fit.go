package needs

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/cluster"
)

// Segmenter segments accounts by need. Make one with [New]; it is safe for
// concurrent use and never changes.
type Segmenter struct {
	cfg Config
}

var _ segment.Segmenter = (*Segmenter)(nil)

// New returns a Segmenter for the Config, after [Config.Validate]; it copies
// the Config's taxonomy and maps, so later changes to them have no effect.
func New(c Config) (*Segmenter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Segmenter{cfg: c.clone()}, nil
}

// batchSize is the number of accounts read before they are profiled in
// parallel.
const batchSize = 1024

// Fit walks accts once, reads the evidence of every account, learns the
// document frequency of each keyword and the as-of date, and, for
// [Learned], clusters the need profiles of the accounts with evidence. It
// returns a *[Model].
//
// With [Learned], Fit returns an error wrapping [segment.ErrEmptyInput] when
// no account has evidence of a need: there is nothing to learn segments
// from.
//
// Every account is checked with [segment.Account.Validate], and its survey
// answers against their questions' scales; the first invalid one ends the
// fit with its [*segment.FieldError]. Fit returns an error wrapping
// [segment.ErrEmptyInput] when accts is empty, and ctx.Err() once ctx is
// done.
func (s *Segmenter) Fit(ctx context.Context, accts iter.Seq[segment.Account]) (segment.Model, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	workers := s.cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	progress := func(stage string, done, total int) {
		if s.cfg.Progress != nil {
			s.cfg.Progress(segment.Progress{Method: method, Stage: stage, Done: done, Total: total})
		}
	}
	rc := s.cfg.resolved()
	ix := newIndex(&rc)
	// The as-of date is known now only when the Config sets it; otherwise
	// weights are relative to each account's latest event until Fit has
	// seen them all.
	dec := decay{known: !rc.AsOf.IsZero(), hasAsOf: !rc.AsOf.IsZero(), asOf: rc.AsOf.Unix(), strict: true}
	if rc.HalfLifeDays > 0 {
		dec.halfLife = rc.HalfLifeDays * 86400
	}
	scr := make([]scratch, workers)
	df := make([]int, len(ix.m.kws))
	var (
		evs      []evidence
		docs     int
		batch    []segment.Account
		firstErr error
	)
	flush := func() {
		base := len(evs)
		evs = append(evs, make([]evidence, len(batch))...)
		w := min(workers, max(1, len(batch)/64))
		dfs := make([][]int, w)
		nd := make([]int, w)
		errs := make([]error, len(batch))
		var wg sync.WaitGroup
		for g := range w {
			dfs[g] = make([]int, len(df))
			wg.Go(func() {
				for i := g; i < len(batch); i += w {
					a := &batch[i]
					if err := a.Validate(); err != nil {
						errs[i] = fmt.Errorf("needs: %w", err)
						continue
					}
					n, err := ix.extract(&evs[base+i], a, rc.SurveyWeight, &dec, dfs[g], &scr[g], false)
					if err != nil {
						errs[i] = err
						continue
					}
					nd[g] += n
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				firstErr = err
				return
			}
		}
		for g := range w {
			docs += nd[g]
			for k, v := range dfs[g] {
				df[k] += v
			}
		}
		batch = batch[:0]
		progress("reading", len(evs), 0)
	}
	for a := range accts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		batch = append(batch, a)
		if len(batch) == batchSize {
			if flush(); firstErr != nil {
				return nil, firstErr
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(batch) > 0 {
		if flush(); firstErr != nil {
			return nil, firstErr
		}
	}
	if len(evs) == 0 {
		return nil, fmt.Errorf("needs: no accounts to fit: %w", segment.ErrEmptyInput)
	}

	m := &Model{Header: segment.Header{Method: method, Version: version}, Config: rc, N: len(evs), Documents: docs}
	if !rc.AsOf.IsZero() {
		m.AsOf = rc.AsOf
	} else {
		var latest int64
		has := false
		for i := range evs {
			if evs[i].hasEvent && (!has || evs[i].latest > latest) {
				latest, has = evs[i].latest, true
			}
		}
		if has {
			m.AsOf = unixTime(latest)
		}
	}
	for k, kw := range ix.m.kws {
		if df[k] > 0 {
			if m.DocFreq == nil {
				m.DocFreq = map[string]int{}
			}
			m.DocFreq[kw.text] = df[k]
		}
	}
	m.c = m.compile()

	// Profiles.
	nn := len(rc.Needs)
	profiles := make([]Profile, len(evs))
	{
		var wg sync.WaitGroup
		chunk := max(256, (len(evs)+workers-1)/workers)
		for lo := 0; lo < len(evs); lo += chunk {
			hi := min(lo+chunk, len(evs))
			wg.Go(func() {
				pts := make([]float64, nn)
				for i := lo; i < hi; i++ {
					m.c.w.points(pts, &evs[i], nil)
					profiles[i] = makeProfile(nil, pts, rc.EvidenceScale)
				}
			})
		}
		wg.Wait()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	progress("profiles", len(evs), len(evs))

	if rc.Mode == Learned {
		if err := m.learn(ctx, profiles, workers); err != nil {
			return nil, err
		}
	} else {
		m.Segs = dominantSegments(rc.Needs)
	}
	m.c.describeCentres(m)
	m.Counts = make([]int, len(m.Segs))
	row := make([]float64, m.rowWidth())
	for i := range profiles {
		m.Counts[m.segmentOf(&profiles[i], row)]++
	}
	return m, nil
}

func noEvidenceSegment() segment.Segment {
	return segment.Segment{ID: method + "/no-evidence", Name: "No evidence", Method: method,
		Description: "Accounts with no survey answer, event topic or text that signals a need: not guessed."}
}

func dominantSegments(needs []Need) []segment.Segment {
	segs := make([]segment.Segment, 0, len(needs)+len(needs)*(len(needs)-1)/2+1)
	for _, n := range needs {
		segs = append(segs, segment.Segment{ID: method + "/" + n.ID, Name: n.Label(), Method: method,
			Description: "Accounts whose evidence is dominated by the need " + n.Label() + "."})
	}
	for i := range needs {
		for j := i + 1; j < len(needs); j++ {
			segs = append(segs, segment.Segment{
				ID:          method + "/mixed/" + needs[i].ID + "+" + needs[j].ID,
				Name:        "Mixed: " + needs[i].Label() + " & " + needs[j].Label(),
				Method:      method,
				Description: "Accounts with no dominant need whose top two needs are " + needs[i].Label() + " and " + needs[j].Label() + ".",
			})
		}
	}
	return append(segs, noEvidenceSegment())
}

// learn clusters the profiles of the accounts with evidence and sets the
// learned segments.
func (m *Model) learn(ctx context.Context, profiles []Profile, workers int) error {
	rc := &m.Config
	d := len(rc.Needs)
	var rows []int
	for i := range profiles {
		if profiles[i].Top >= 0 {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 {
		return fmt.Errorf("needs: no account has evidence of a need to learn segments from: %w", segment.ErrEmptyInput)
	}
	x := mat.NewDense(len(rows), d, nil)
	wts := make([]float64, len(rows))
	distinct := map[string]bool{}
	for r, i := range rows {
		x.SetRow(r, profiles[i].Shares)
		wts[r] = math.Max(profiles[i].Confidence, 1e-9) // > 0 even for a vanishing amount of evidence
		if len(distinct) <= maxK {
			distinct[rowKey(profiles[i].Shares)] = true
		}
	}
	// Projection.
	comps := rc.Components
	if comps == 0 && d <= AutoPCAWidth {
		comps = -1
	}
	feat := mat.Matrix(x)
	if comps != -1 && len(rows) >= 2 && len(distinct) >= 2 {
		var pc stat.PC
		if pc.PrincipalComponents(x, wts) {
			vars := pc.VarsTo(nil)
			var vecs mat.Dense
			pc.VectorsTo(&vecs)
			total := 0.0
			for _, v := range vars {
				total += v
			}
			keep := comps
			if keep <= 0 {
				// The fewest components explaining Variance of the
				// variance, and none whose variance is below the mean
				// (the Kaiser–Guttman rule: Kaiser 1960, "The application
				// of electronic computers to factor analysis", Educational
				// and Psychological Measurement 20(1)), so that noise
				// spread over a long battery is not kept as factors.
				acc, mean := 0.0, total/float64(len(vars))
				for keep = 0; keep < len(vars); {
					if keep > 0 && vars[keep] < mean {
						break
					}
					acc += vars[keep]
					keep++
					if total <= 0 || acc >= rc.Variance*total {
						break
					}
				}
			}
			keep = max(1, min(keep, len(vars)))
			p := &Projection{Mean: make([]float64, d), Vectors: make([][]float64, d)}
			var sw float64
			for r := range rows {
				sw += wts[r]
				for j := range d {
					p.Mean[j] += wts[r] * x.At(r, j)
				}
			}
			for j := range d {
				p.Mean[j] /= sw
				p.Vectors[j] = make([]float64, keep)
				for c := range keep {
					p.Vectors[j][c] = vecs.At(j, c)
				}
			}
			var kept float64
			for c := range keep {
				kept += vars[c]
			}
			if total > 0 {
				p.Explained = kept / total
			}
			// Fix the sign of each component so that its largest loading
			// is positive: the eigenvectors' signs are otherwise arbitrary.
			for c := range keep {
				big := 0
				for j := range d {
					if math.Abs(p.Vectors[j][c]) > math.Abs(p.Vectors[big][c]) {
						big = j
					}
				}
				if p.Vectors[big][c] < 0 {
					for j := range d {
						p.Vectors[j][c] = -p.Vectors[j][c]
					}
				}
			}
			proj := mat.NewDense(len(rows), keep, nil)
			buf := make([]float64, keep)
			for r := range rows {
				p.apply(buf, x.RawRowView(r))
				proj.SetRow(r, buf)
			}
			m.Projection = p
			feat = proj
		}
	}
	// Number of clusters.
	k := rc.K
	switch {
	case k > 0:
		k = min(k, len(distinct))
	case len(distinct) <= 2:
		k = len(distinct)
	default:
		sx, sw := sample(feat, wts, chooseKRows)
		res, err := cluster.ChooseK(ctx, sx, sw, cluster.ChooseKConfig{
			MinK: 2, MaxK: min(rc.MaxK, len(distinct)-1), GapReferences: -1,
			Seed: rc.Seed, Workers: workers,
		})
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			return fmt.Errorf("needs: choosing k: %w", err)
		}
		k = res.Recommended
		if k == 0 {
			k = 2
		}
	}
	km, err := cluster.KMeans(ctx, feat, wts, cluster.KMeansConfig{K: k, Seed: rc.Seed, Workers: workers})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if errors.Is(err, cluster.ErrTooFewPoints) {
			return fmt.Errorf("needs: clustering profiles: %w", segment.ErrEmptyInput)
		}
		return fmt.Errorf("needs: clustering profiles: %w", err)
	}
	km.Config.Workers = 0
	km.Config.Progress = nil
	m.KMeans = km
	labels := make([]int, len(rows))
	if err := km.PredictTo(labels, feat); err != nil {
		return fmt.Errorf("needs: clustering profiles: %w", err)
	}
	m.Centres = make([][]float64, k)
	sums := make([]float64, k)
	for c := range k {
		m.Centres[c] = make([]float64, d)
	}
	for r, i := range rows {
		c := labels[r]
		sums[c] += wts[r]
		for j, v := range profiles[i].Shares {
			m.Centres[c][j] += wts[r] * v
		}
	}
	for c := range k {
		if sums[c] > 0 {
			for j := range d {
				m.Centres[c][j] /= sums[c]
			}
		}
	}
	m.Segs = m.learnedSegments()
	return nil
}

// learnedSegments names each cluster by its top needs: the top one when it
// would dominate by the rule, the top two otherwise.
func (m *Model) learnedSegments() []segment.Segment {
	needs := m.Config.Needs
	segs := make([]segment.Segment, 0, len(m.Centres)+1)
	used := map[string]int{}
	for _, ctr := range m.Centres {
		var order [3]int
		top := order[:topNeeds(order[:], ctr)]
		var ids, names []string
		if len(top) > 0 {
			ids, names = []string{needs[top[0]].ID}, []string{needs[top[0]].Label()}
			if len(top) > 1 && (ctr[top[0]] < m.Config.MinShare || ctr[top[0]]-ctr[top[1]] < m.Config.MinMargin) {
				ids = append(ids, needs[top[1]].ID)
				names = append(names, needs[top[1]].Label())
			}
		} else {
			ids, names = []string{"none"}, []string{"No need"}
		}
		slug, name := strings.Join(ids, "+"), strings.Join(names, " & ")
		used[slug]++
		if n := used[slug]; n > 1 {
			slug += "-" + strconv.Itoa(n)
			name += " (" + strconv.Itoa(n) + ")"
		}
		segs = append(segs, segment.Segment{
			ID: method + "/learned/" + slug, Name: name, Method: method,
			Description: "Learned needs segment; mean profile " + m.describe(ctr, 3) + ".",
		})
	}
	return append(segs, noEvidenceSegment())
}

func rowKey(v []float64) string {
	b := make([]byte, 0, 8*len(v))
	for _, x := range v {
		b = strconv.AppendFloat(b, x, 'g', -1, 64)
		b = append(b, ',')
	}
	return string(b)
}

// sample returns at most n rows of x (and their weights), evenly spaced.
func sample(x mat.Matrix, w []float64, n int) (mat.Matrix, []float64) {
	r, c := x.Dims()
	if r <= n {
		return x, w
	}
	s := mat.NewDense(n, c, nil)
	sw := make([]float64, n)
	for i := range n {
		src := i * r / n
		for j := range c {
			s.Set(i, j, x.At(src, j))
		}
		sw[i] = w[src]
	}
	return s, sw
}

// DecodeModel reads back a Model from its JSON encoding. It returns an
// error wrapping [segment.ErrModelVersion] for an encoding of another
// method or version, and one wrapping [segment.ErrInvalidConfig] for a
// Model whose parts do not fit together.
func (s *Segmenter) DecodeModel(data []byte) (segment.Model, error) {
	m, err := segment.DecodeJSON[Model](data, method, version)
	if err != nil {
		return nil, err
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	m.c = m.compile()
	return m, nil
}

// check verifies that a decoded Model's parts fit together, so that Assign
// cannot fail on it.
func (m *Model) check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("needs: decoding model: "+format+": %w", append(args, segment.ErrInvalidConfig)...)
	}
	if m.Config.Needs == nil {
		return bad("the config has no taxonomy")
	}
	if err := m.Config.Validate(); err != nil {
		return fmt.Errorf("needs: decoding model: %w", err)
	}
	if m.Config.EvidenceScale <= 0 || m.Config.MinShare <= 0 {
		return bad("the config's defaults are not filled in")
	}
	d := len(m.Config.Needs)
	if len(m.Segs) == 0 || m.Segs[len(m.Segs)-1].ID != method+"/no-evidence" {
		return bad("the segments do not end with the no-evidence segment")
	}
	if len(m.Counts) != len(m.Segs) {
		return bad("%d counts for %d segments", len(m.Counts), len(m.Segs))
	}
	if m.Documents < 0 {
		return bad("documents is negative")
	}
	switch m.Config.Mode {
	case Dominant:
		if len(m.Segs) != d+d*(d-1)/2+1 {
			return bad("%d segments for %d needs", len(m.Segs), d)
		}
	case Learned:
		k := len(m.Segs) - 1
		if k == 0 || m.KMeans == nil || m.KMeans.K() != k || len(m.Centres) != k {
			return bad("the clusters do not match the %d learned segments", k)
		}
		width := d
		if p := m.Projection; p != nil {
			if len(p.Mean) != d || len(p.Vectors) != d || len(p.Vectors[0]) == 0 {
				return bad("the projection does not match the %d needs", d)
			}
			width = len(p.Vectors[0])
			for _, v := range p.Vectors {
				if len(v) != width {
					return bad("the projection's vectors are ragged")
				}
			}
		}
		for _, c := range m.KMeans.Centers {
			if len(c) != width {
				return bad("the cluster centres have %d values, not %d", len(c), width)
			}
		}
		for _, c := range m.Centres {
			if len(c) != d {
				return bad("a segment's mean profile has %d shares, not %d", len(c), d)
			}
		}
	}
	return nil
}
