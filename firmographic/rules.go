package firmographic

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/strataseg/strata/segment"
)

// Segmenter is the rule segmentation: each account's segment is the
// combination of its values on the configured dimensions. Make one with
// [New]; it never changes afterwards and is safe for concurrent use.
type Segmenter struct {
	cfg Config
}

// New returns the rule segmenter of c, or an error wrapping
// [segment.ErrInvalidConfig] naming every problem of c. It copies c's
// slices and maps.
func New(c Config) (*Segmenter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Segmenter{cfg: cloneConfig(c)}, nil
}

func cloneTables(t Tables) Tables {
	t.Employees = cloneBands(t.Employees)
	t.Revenue = cloneBands(t.Revenue)
	t.Growth = cloneBands(t.Growth)
	t.Rates = maps.Clone(t.Rates)
	t.Industries = maps.Clone(t.Industries)
	t.Technologies = maps.Clone(t.Technologies)
	return t
}

func cloneBands(b Bands) Bands {
	return Bands{Cuts: slices.Clone(b.Cuts), Names: slices.Clone(b.Names)}
}

func cloneConfig(c Config) Config {
	c.Tables = cloneTables(c.Tables)
	c.Dimensions = slices.Clone(c.Dimensions)
	return c
}

// Fit checks every account (it walks accts once) and returns the Model of
// the rules; the rules learn nothing from the accounts. It returns an error
// wrapping [segment.ErrEmptyInput] when accts yields none, the
// [*segment.FieldError] of the first invalid account (a revenue in a
// currency without a rate included), and an error matching ctx.Err() once
// ctx is done.
func (s *Segmenter) Fit(ctx context.Context, accts iter.Seq[segment.Account]) (segment.Model, error) {
	if s == nil {
		return nil, fmt.Errorf("%s: segmenter is nil: %w", Method, segment.ErrInvalidConfig)
	}
	if ctx == nil || accts == nil {
		return nil, fmt.Errorf("%s: fit: nil context or accounts: %w", Method, segment.ErrInvalidConfig)
	}
	m := newModel(s.cfg)
	n := 0
	var err error
	for a := range accts {
		if n%256 == 0 {
			if err = ctx.Err(); err != nil {
				break
			}
		}
		n++
		if err = a.Validate(); err != nil {
			break
		}
		if _, err = m.v.read(&a, m.needs); err != nil {
			break
		}
	}
	if err != nil {
		if isCtx(err) {
			return nil, fmt.Errorf("%s: fit: %w", Method, err)
		}
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: fit: %w", Method, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: fit: no accounts: %w", Method, segment.ErrEmptyInput)
	}
	return m, nil
}

func isCtx(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// DecodeModel reads back a Model of the rule segmentation from its JSON.
// The Model's own Config is used, whatever the Segmenter's. It returns an
// error wrapping [segment.ErrModelVersion] for an encoding of another
// method or version, and [segment.ErrInvalidConfig] for an invalid Config.
func (s *Segmenter) DecodeModel(data []byte) (segment.Model, error) {
	m, err := segment.DecodeJSON[Model](data, Method, 1)
	if err != nil {
		return nil, err
	}
	if err := m.Config.Validate(); err != nil {
		return nil, fmt.Errorf("%s: decoding model: %w", Method, err)
	}
	return newModel(m.Config), nil
}

// Model is a fitted rule segmentation: plain data, its Config. Assign is a
// pure function, safe for concurrent use.
type Model struct {
	segment.Header
	// Config is the configuration of the rules.
	Config Config `json:"config"`

	v      *vocab
	dims   []dim
	needs  needs
	stride []int
	list   []segment.Segment
}

func newModel(c Config) *Model {
	m := &Model{Header: segment.Header{Method: Method, Version: 1}, Config: c, v: newVocab(c.Tables)}
	ds := c.Dimensions
	if len(ds) == 0 {
		ds = DefaultDimensions
	}
	for _, d := range ds {
		m.dims = append(m.dims, m.v.compile(d))
	}
	m.needs = m.v.needsOf(m.dims)
	m.stride = make([]int, len(m.dims))
	total := 1
	for i := len(m.dims) - 1; i >= 0; i-- {
		m.stride[i] = total
		total *= len(m.dims[i].values)
	}
	m.list = make([]segment.Segment, total)
	idx := make([]int, len(m.dims))
	var id, name, desc strings.Builder
	for k := range m.list {
		id.Reset()
		name.Reset()
		desc.Reset()
		id.WriteString(Method + "/")
		for j, d := range m.dims {
			val := &d.values[idx[j]]
			if j > 0 {
				id.WriteByte('.')
				name.WriteString(" · ")
				desc.WriteString("; ")
			}
			id.WriteString(val.slug)
			name.WriteString(val.name)
			desc.WriteString(val.desc)
		}
		m.list[k] = segment.Segment{ID: id.String(), Name: name.String(), Description: desc.String(), Method: Method}
		for j := len(idx) - 1; j >= 0; j-- {
			if idx[j]++; idx[j] < len(m.dims[j].values) {
				break
			}
			idx[j] = 0
		}
	}
	return m
}

// Segments lists every combination of the dimensions' values, unknown
// values included, in the order of the dimensions' values (the first
// dimension varying slowest).
func (m *Model) Segments() []segment.Segment { return m.list }

// Assign places a in the combination of its values. Score is the share of
// the dimensions whose value is known (1 when all are); Reasons name each
// dimension's value and why, in the order of the dimensions. It returns the
// [*segment.FieldError] of an invalid account, and one for field "currency"
// when the revenue is needed and its currency has no rate.
func (m *Model) Assign(a *segment.Account) (segment.Assignment, error) {
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
func (m *Model) AssignValid(a *segment.Account) (segment.Assignment, error) {
	f, err := m.v.read(a, m.needs)
	if err != nil {
		return segment.Assignment{}, err
	}
	k, known := 0, 0
	reasons := make([]segment.Reason, len(m.dims))
	buf := make([]byte, 0, 80*len(m.dims))
	for j := range m.dims {
		d := &m.dims[j]
		i := d.index(m.v, a, &f)
		if i < len(d.values)-1 {
			known++
		}
		k += i * m.stride[j]
		reasons[j], buf = d.appendReason(buf, m.v, a, &f, i)
	}
	return segment.Assignment{
		AccountID: a.ID,
		Segment:   m.list[k],
		Score:     float64(known) / float64(len(m.dims)),
		Reasons:   reasons,
	}, nil
}

var _ segment.Segmenter = (*Segmenter)(nil)
