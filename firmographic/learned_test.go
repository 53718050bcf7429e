package firmographic_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/firmographic"
	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

func TestLearnedUnknownsAndDecode(t *testing.T) {
	accts := segmenttest.Accounts(400, 5)
	s, err := firmographic.NewLearned(firmographic.LearnedConfig{K: 3, Seed: 4})
	require.NoError(t, err)
	m, err := s.Fit(context.Background(), slices.Values(accts))
	require.NoError(t, err)
	lm := m.(*firmographic.LearnedModel)
	assert.Equal(t, []string{"employees", "revenue", "growth"}, lm.Numeric)
	assert.Equal(t, []string{"sector", "subregion", "type"}, lm.Categorical[:3])
	assert.LessOrEqual(t, len(lm.Categorical), 3+firmographic.MaxTechFeatures)
	// Missing values are imputed and flagged: the pipeline has indicators
	// for the columns with blanks.
	assert.Equal(t, []string{"employees", "revenue", "growth", "employees_missing", "revenue_missing", "growth_missing"}, lm.Pipeline.OutputNames())

	// An account with nothing known is still assigned, with the imputed
	// values named.
	blank := segment.Account{ID: "blank"}
	as, err := m.Assign(&blank)
	require.NoError(t, err)
	assert.True(t, as.Score >= 0.5 && as.Score <= 1)
	var texts []string
	for _, r := range as.Reasons {
		texts = append(texts, r.Text)
	}
	assert.Contains(t, strings.Join(texts, "\n"), "unknown (imputed")

	// Decoding: the round trip, then broken encodings.
	data, err := json.Marshal(m)
	require.NoError(t, err)
	back, err := s.DecodeModel(data)
	require.NoError(t, err)
	as2, err := back.Assign(&accts[7])
	require.NoError(t, err)
	as1, err := m.Assign(&accts[7])
	require.NoError(t, err)
	assert.Equal(t, as1, as2)

	var raw map[string]any
	require.NoError(t, json.Unmarshal(data, &raw))
	for name, edit := range map[string]func(map[string]any){
		"segments":    func(r map[string]any) { r["segments"] = []any{} },
		"numeric":     func(r map[string]any) { r["numeric"] = []any{"employees", "height"} },
		"categorical": func(r map[string]any) { r["categorical"] = []any{"sector"} },
		"technology":  func(r map[string]any) { c := r["categorical"].([]any); c[len(c)-1] = "tech:telepathy" },
		"config":      func(r map[string]any) { r["config"].(map[string]any)["k"] = -3 },
	} {
		var r map[string]any
		require.NoError(t, json.Unmarshal(data, &r))
		edit(r)
		b, err := json.Marshal(r)
		require.NoError(t, err)
		_, err = s.DecodeModel(b)
		assert.ErrorIs(t, err, segment.ErrInvalidConfig, name)
	}
	_, err = s.DecodeModel([]byte(`{"method":"firmographic","version":1}`))
	assert.ErrorIs(t, err, segment.ErrModelVersion)
}

func TestLearnedCurrencyError(t *testing.T) {
	s, err := firmographic.NewLearned(firmographic.LearnedConfig{K: 2, Tables: firmographic.Tables{Rates: map[string]float64{"EUR": 1.1}}})
	require.NoError(t, err)
	_, err = s.Fit(context.Background(), slices.Values([]segment.Account{
		{ID: "a", Employees: segment.N(10)}, {ID: "b", Employees: segment.N(20), Revenue: segment.N(5), Currency: "CHF"}}))
	require.Error(t, err)
	fe, ok := errorsAs(err)
	require.True(t, ok)
	assert.Equal(t, "b", fe.AccountID)
	assert.Equal(t, "currency", fe.Field)
}

func TestLearnedKTooLarge(t *testing.T) {
	s, err := firmographic.NewLearned(firmographic.LearnedConfig{K: 5})
	require.NoError(t, err)
	_, err = s.Fit(context.Background(), slices.Values([]segment.Account{{ID: "a", Employees: segment.N(10)}, {ID: "b", Employees: segment.N(20)}}))
	assert.ErrorIs(t, err, segment.ErrInvalidConfig)
	assert.ErrorContains(t, err, "k = 5")
}
