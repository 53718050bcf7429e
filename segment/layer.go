package segment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
)

// Layered is the Segmenter [Layer] returns.
type Layered struct {
	layers []Segmenter
}

// Layer returns a Segmenter that places each account in one segment of
// every layer and combines them into one composite segment, such as
// "Tier A › Enterprise › At risk". Each layer is fitted on all the
// accounts, in turn.
//
// The composite assignment of an account has:
//   - Segment: ID the layers' segment IDs joined with [IDSep] ("tier/A+
//     firmographic/enterprise"), Name their names joined with [NameSep],
//     Description their descriptions joined with a space, Method "layers";
//   - Parts: each layer's assignment, in layer order;
//   - Score: the minimum of the layers' scores, as a composite is only as
//     sure as its least sure part;
//   - Scores: the union of the layers' Scores (for a name two layers share,
//     the first layer's score);
//   - Reasons: the layers' reasons, in layer order.
//
// The Model's Segments are the composites that the fitted accounts fall
// in, ordered by the positions of their parts in the layers' own segment
// lists (the first layer's order first). A new account whose combination no
// fitted account had is still assigned its composite, which Segments does
// not list; wrap the Layered in [MinSize] to send such accounts to "Other".
//
// A layer may decline an account with [ErrNoMatch] (a precedence rule used
// as a layer); the layered Model then declines it too, so that a Layered
// can be the rule of [First]; Fit leaves such accounts out of Segments. Any
// other error of a layer is returned, wrapped with the layer's position.
//
// Layer copies layers. With no layers, or a nil one, Validate, Fit and
// DecodeModel return an error wrapping [ErrInvalidConfig].
func Layer(layers ...Segmenter) *Layered {
	return &Layered{layers: slices.Clone(layers)}
}

// Validate reports every problem of the layers, wrapping [ErrInvalidConfig].
func (l *Layered) Validate() error {
	if l == nil || len(l.layers) == 0 {
		return fmt.Errorf("%s: no layers: %w", MethodLayers, ErrInvalidConfig)
	}
	var errs []error
	for i, s := range l.layers {
		errs = append(errs, checkSegmenter(MethodLayers, fmt.Sprintf("layer %d", i+1), s))
	}
	return errors.Join(errs...)
}

// Fit fits every layer on all the accounts (walking accts once and holding
// the accounts in memory) and then assigns each account with every layer to
// learn the composites. The combinators of this package nested inside one
// another share that one copy of the accounts and validate each account
// once.
func (l *Layered) Fit(ctx context.Context, accts iter.Seq[Account]) (Model, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	all, err := collect(ctx, MethodLayers, accts)
	if err != nil {
		return nil, err
	}
	return l.fitValid(ctx, all)
}

func (l *Layered) fitValid(ctx context.Context, all []Account) (Model, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if err := startValid(ctx, MethodLayers, all); err != nil {
		return nil, err
	}
	m := &layeredModel{
		Header: Header{Method: MethodLayers, Version: 1},
		Layers: make([]json.RawMessage, len(l.layers)),
		models: make([]Model, len(l.layers)),
	}
	for i, layer := range l.layers {
		lm, err := fitChild(ctx, layer, all)
		if err != nil {
			return nil, fmt.Errorf("%s: layer %d: %w", MethodLayers, i+1, err)
		}
		if lm == nil {
			return nil, fmt.Errorf("%s: layer %d: Fit returned no model: %w", MethodLayers, i+1, ErrInvalidConfig)
		}
		if m.Layers[i], _, err = encodeModel(lm); err != nil {
			return nil, fmt.Errorf("%s: layer %d: encoding its model: %w", MethodLayers, i+1, err)
		}
		m.models[i] = lm
	}
	indexes := make([]map[string]int, len(m.models))
	for i, lm := range m.models {
		indexes[i] = segmentIndex(lm)
	}
	got := make([]observation, len(all))
	err := forEach(ctx, MethodLayers, len(all), 0, func(i int) error {
		as, err := m.AssignValid(&all[i])
		if errors.Is(err, ErrNoMatch) {
			return nil
		}
		if err != nil {
			return err
		}
		key := make([]int, len(as.Parts))
		for j, p := range as.Parts {
			k, ok := indexes[j][p.Segment.ID]
			if !ok {
				return fmt.Errorf("%s: layer %d placed account %q in segment %q, which its Segments do not list: %w", MethodLayers, j+1, all[i].ID, p.Segment.ID, ErrInvalidConfig)
			}
			key[j] = k
		}
		got[i] = observation{seg: as.Segment, key: key}
		return nil
	})
	if err != nil {
		return nil, err
	}
	obs := newObserved()
	for _, o := range got {
		if o.key != nil {
			obs.add(o.seg, o.key)
		}
	}
	m.List = obs.list()
	return m, nil
}

// DecodeModel reads back a Model of this Layered, decoding each layer's
// part with that layer. It returns an error wrapping [ErrModelVersion] for
// the encoding of another method or version, or of another number of
// layers.
func (l *Layered) DecodeModel(data []byte) (Model, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	m, err := DecodeJSON[layeredModel](data, MethodLayers, 1)
	if err != nil {
		return nil, err
	}
	if len(m.Layers) != len(l.layers) {
		return nil, fmt.Errorf("%s: decoding model: it has %d layers, the segmenter %d: %w", MethodLayers, len(m.Layers), len(l.layers), ErrModelVersion)
	}
	m.models = make([]Model, len(l.layers))
	for i, layer := range l.layers {
		if m.models[i], err = layer.DecodeModel(m.Layers[i]); err != nil {
			return nil, fmt.Errorf("%s: decoding layer %d: %w", MethodLayers, i+1, err)
		}
	}
	return m, nil
}

// layeredModel is the Model of [Layer]: {"method", "version", "layers": the
// layers' models, "segments"}.
type layeredModel struct {
	Header
	Layers []json.RawMessage `json:"layers"`
	List   []Segment         `json:"segments"`
	models []Model
}

func (m *layeredModel) Segments() []Segment { return m.List }

func (m *layeredModel) Assign(a *Account) (Assignment, error) {
	if err := checkAccount(MethodLayers, a); err != nil {
		return Assignment{}, err
	}
	return m.AssignValid(a)
}

func (m *layeredModel) AssignValid(a *Account) (Assignment, error) {
	parts := make([]Assignment, len(m.models))
	for i, lm := range m.models {
		p, err := assignChild(lm, a)
		if err != nil {
			return Assignment{}, fmt.Errorf("%s: layer %d: %w", MethodLayers, i+1, err)
		}
		parts[i] = p
	}
	return composite(a.ID, MethodLayers, parts), nil
}

var _ Segmenter = (*Layered)(nil)
