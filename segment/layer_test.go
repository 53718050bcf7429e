package segment_test

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func TestLayerConformance(t *testing.T) {
	segmenttest.Run(t, segmenttest.Config{New: func(int) segment.Segmenter {
		return segment.Layer(tierRules(t), sizeRules(t), riskRules(t))
	}})
}

func TestLayerComposite(t *testing.T) {
	l := segment.Layer(tierRules(t), sizeRules(t), riskRules(t))
	big := acct("big", 5000, 80e6)
	big.Growth = segment.N(-0.1)
	fitted := []segment.Account{big, acct("mid", 300, 8e6), acct("small", 20, 1e6), acct("blank", unknown, unknown)}
	m := mustFit(t, l, fitted)

	for _, c := range []struct {
		a      segment.Account
		id     string
		name   string
		score  float64
		scores map[string]float64
		texts  int
	}{
		{big, "tier/A+size/enterprise+risk/at-risk", "Tier A › Enterprise › At risk", 0.7, map[string]float64{"value": 1}, 1},
		{fitted[1], "tier/B+size/mid+risk/healthy", "Tier B › Mid-market › Healthy", 0.6, map[string]float64{"value": 0.5}, 1},
		{fitted[2], "tier/C+size/smb+risk/healthy", "Tier C › SMB › Healthy", 0.4, map[string]float64{"value": 0}, 1},
		{fitted[3], "tier/C+size/unknown+risk/healthy", "Tier C › Size unknown › Healthy", 0.4, map[string]float64{"value": 0}, 1},
	} {
		as := mustAssign(t, m, c.a)
		assert.Equal(t, c.a.ID, as.AccountID)
		assert.Equal(t, segment.Segment{ID: c.id, Name: c.name, Method: "layers"}, as.Segment, c.a.ID)
		assert.InDelta(t, c.score, as.Score, 1e-12, c.a.ID)
		assert.Equal(t, c.scores, as.Scores, "the first layer's score wins for %s", c.a.ID)
		assert.Len(t, as.Reasons, c.texts, c.a.ID)
		require.Len(t, as.Parts, 3, c.a.ID)
		assert.Equal(t, []string{"tier", "size", "risk"}, []string{as.Parts[0].Segment.Method, as.Parts[1].Segment.Method, as.Parts[2].Segment.Method})
	}

	// Segments: the observed composites, in the layers' order.
	assert.Equal(t, []string{
		"tier/A+size/enterprise+risk/at-risk",
		"tier/B+size/mid+risk/healthy",
		"tier/C+size/smb+risk/healthy",
		"tier/C+size/unknown+risk/healthy",
	}, segmentIDs(m.Segments()))

	// A new account in a combination no fitted account had is still
	// assigned, to a composite Segments does not list.
	as := mustAssign(t, m, acct("new", 5, 90e6))
	assert.Equal(t, "tier/A+size/smb+risk/healthy", as.Segment.ID)
	assert.NotContains(t, segmentIDs(m.Segments()), as.Segment.ID)
}

func TestLayerSegmentsOrder(t *testing.T) {
	// Fitted in reverse order, the segments still come in the layers' order.
	m := mustFit(t, segment.Layer(sizeRules(t), tierRules(t)), []segment.Account{
		acct("1", 10, 1e6), acct("2", 10, 60e6), acct("3", 5000, 1e6), acct("4", 5000, 60e6), acct("5", 10, 1e6),
	})
	assert.Equal(t, []string{
		"size/enterprise+tier/A", "size/enterprise+tier/C", "size/smb+tier/A", "size/smb+tier/C",
	}, segmentIDs(m.Segments()))
}

func TestLayerOfOne(t *testing.T) {
	m := mustFit(t, segment.Layer(sizeRules(t)), []segment.Account{acct("1", 10, 1e6)})
	as := mustAssign(t, m, acct("1", 10, 1e6))
	assert.Equal(t, segment.Segment{ID: "size/smb", Name: "SMB", Method: "layers"}, as.Segment)
	assert.Len(t, as.Parts, 1)
}

func TestLayerNests(t *testing.T) {
	m := mustFit(t, segment.Layer(segment.Layer(tierRules(t), sizeRules(t)), riskRules(t)), []segment.Account{acct("1", 10, 1e6)})
	as := mustAssign(t, m, acct("1", 10, 1e6))
	assert.Equal(t, "tier/C+size/smb+risk/healthy", as.Segment.ID)
	assert.Equal(t, "Tier C › SMB › Healthy", as.Segment.Name)
	require.Len(t, as.Parts, 2)
	assert.Len(t, as.Parts[0].Parts, 2)
}

func TestLayerDeclines(t *testing.T) {
	l := segment.Layer(segment.KeyAccounts(segment.Segment{ID: "key"}, "k"), sizeRules(t))
	m := mustFit(t, l, []segment.Account{acct("k", 10, 1), acct("x", 10, 1)})
	assert.Equal(t, []string{"key+size/smb"}, segmentIDs(m.Segments()))
	_, err := m.Assign(&segment.Account{ID: "x"})
	assert.ErrorIs(t, err, segment.ErrNoMatch)
	assert.ErrorContains(t, err, "layers: layer 1: key-accounts: ")
}

func TestLayerErrors(t *testing.T) {
	fitted := []segment.Account{{ID: "x"}}
	for _, c := range []struct {
		name string
		l    *segment.Layered
		want string
	}{
		{"no layers", segment.Layer(), "layers: no layers"},
		{"nil layer", segment.Layer(sizeRules(t), nil), "layers: layer 2 is nil"},
		{"nil typed layer", segment.Layer((*segment.Layered)(nil)), "layers: layer 1 is nil"},
		{"nil Layered", nil, "layers: no layers"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.l.Validate()
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
			assert.ErrorContains(t, err, c.want)
			_, err = c.l.Fit(context.Background(), slices.Values(fitted))
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
			_, err = c.l.DecodeModel([]byte(`{"method":"layers","version":1}`))
			assert.ErrorIs(t, err, segment.ErrInvalidConfig)
		})
	}

	// A layer's Fit error is wrapped with its position.
	_, err := segment.Layer(sizeRules(t), medianSplit{min: 5}).Fit(context.Background(), slices.Values(fitted))
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	assert.EqualError(t, err, "layers: layer 2: median: 0 accounts with known employees, need 5: invalid config")

	// Fit refuses empty input and invalid accounts itself.
	_, err = segment.Layer(sizeRules(t)).Fit(context.Background(), slices.Values([]segment.Account(nil)))
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
	_, err = segment.Layer(sizeRules(t)).Fit(context.Background(), nil)
	assert.ErrorIs(t, err, segment.ErrEmptyInput)
	//lint:ignore SA1012 a nil context is refused, and this checks it
	_, err = segment.Layer(sizeRules(t)).Fit(nil, slices.Values(fitted))
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	var fe *segment.FieldError
	_, err = segment.Layer(sizeRules(t)).Fit(context.Background(), slices.Values([]segment.Account{{ID: "a", Founded: -3}}))
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "founded", fe.Field)
	assert.ErrorContains(t, err, `layers: account "a": field "founded": is -3`)
}

func TestLayerDecodeModel(t *testing.T) {
	l := segment.Layer(tierRules(t), sizeRules(t))
	m := mustFit(t, l, []segment.Account{acct("1", 10, 1e6)})
	data, err := json.Marshal(m)
	require.NoError(t, err)
	var obj map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &obj))
	assert.JSONEq(t, `"layers"`, string(obj["method"]))
	assert.JSONEq(t, `[{"id":"tier/C+size/smb","name":"Tier C › SMB","method":"layers"}]`, string(obj["segments"]))

	for _, c := range []struct {
		name string
		s    segment.Segmenter
		data string
		want error
	}{
		{"other method", l, `{"method":"within","version":1}`, segment.ErrModelVersion},
		{"version 2", l, `{"method":"layers","version":2}`, segment.ErrModelVersion},
		{"version 0", l, `{"method":"layers","version":0}`, segment.ErrModelVersion},
		{"fewer layers", segment.Layer(tierRules(t)), string(data), segment.ErrModelVersion},
		{"layers swapped", segment.Layer(sizeRules(t), tierRules(t)), string(data), segment.ErrModelVersion},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.s.DecodeModel([]byte(c.data))
			assert.ErrorIs(t, err, c.want)
		})
	}
	_, err = l.DecodeModel([]byte(`{"method":"layers","version":1,"layers":[1,2]}`))
	assert.Error(t, err, "layers that are not models")
	_, err = l.DecodeModel([]byte(`nonsense`))
	assert.Error(t, err)
}

// failing is a Model whose Assign fails for one account.
type failing struct {
	segment.Segmenter
	id  string
	err error
}

type failingModel struct {
	segment.Model
	id  string
	err error
}

func (f failing) Fit(ctx context.Context, accts iter.Seq[segment.Account]) (segment.Model, error) {
	m, err := f.Segmenter.Fit(ctx, accts)
	if err != nil {
		return nil, err
	}
	return failingModel{Model: m, id: f.id, err: f.err}, nil
}

func (f failingModel) Assign(a *segment.Account) (segment.Assignment, error) {
	if a.ID == f.id {
		return segment.Assignment{}, f.err
	}
	return f.Model.Assign(a)
}

func (f failingModel) MarshalJSON() ([]byte, error) { return json.Marshal(f.Model) }

func TestLayerWrapsChildErrors(t *testing.T) {
	boom := errors.New("boom")
	l := segment.Layer(sizeRules(t), failing{Segmenter: tierRules(t), id: "bad", err: boom})
	_, err := l.Fit(context.Background(), slices.Values([]segment.Account{{ID: "ok"}, {ID: "bad"}}))
	assert.ErrorIs(t, err, boom)
	assert.EqualError(t, err, "layers: layer 2: boom")

	m := mustFit(t, l, []segment.Account{{ID: "ok"}})
	_, err = m.Assign(&segment.Account{ID: "bad"})
	assert.ErrorIs(t, err, boom)
	assert.EqualError(t, err, "layers: layer 2: boom")
}
