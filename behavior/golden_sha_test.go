package behavior

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
	"github.com/strataseg/strata/segment/segmenttest"
)

// goldenConfigs covers every scheme and churn model, the default config,
// other windows, fixed premium lines and chosen cluster columns.
var goldenConfigs = []struct {
	name string
	c    Config
}{
	{"default", Config{Seed: 1}},
	{"lifecycle-health", Config{Churn: ChurnHealth}},
	{"lifecycle-learned", Config{Churn: ChurnLearned, Seed: 1}},
	{"rfm", Config{Scheme: RFM, Seed: 1}},
	{"rfm-windows", Config{Scheme: RFM, Churn: ChurnHealth, WindowDays: 180, TrendDays: 60, SlopeMonths: 6}},
	{"drivers", Config{Scheme: Drivers, Seed: 1}},
	{"drivers-premium", Config{Scheme: Drivers, Churn: ChurnHealth, PremiumLines: []string{"Platform", "Add-ons"}, Thresholds: Thresholds{Driver: 0.3}}},
	{"lifecycle-asof", Config{Churn: ChurnHealth, AsOf: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), KnownFeatures: []string{"feature:a", "feature:b", "feature:c"}}},
	{"drivers-asof", Config{Scheme: Drivers, Churn: ChurnHealth, AsOf: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}},
	{"clusters-k3", Config{Scheme: Clusters, K: 3, Seed: 1}},
	{"clusters-auto", Config{Scheme: Clusters, Churn: ChurnHealth, MaxK: 5, Seed: 2}},
	{"clusters-columns", Config{Scheme: Clusters, Churn: ChurnHealth, K: 4, Seed: 3, ClusterFeatures: []string{"frequency", "spend:Platform", "spend:Add-ons", "channel:web", "channel:email", "ticket_rate"}}},
}

// goldenAccounts returns 300 generated accounts with their histories,
// followed by lean copies of them (no records).
func goldenAccounts() []segment.Account {
	accts := segmenttest.Accounts(300, 17)
	for _, a := range accts[:300] {
		a.Orders, a.Subscriptions, a.Usage, a.Events, a.Survey = nil, nil, nil, nil, nil
		a.ID += "-lean"
		accts = append(accts, a)
	}
	return accts
}

// goldenSums are the SHA-256 of each config's model JSON and of its
// Assignments' JSON, recorded from the code as it was before Assign was
// made faster; any change to a model, a score or a reason text shows here.
var goldenSums = map[string][2]string{
	"default":           {"09b46c42a6ae51e019c6d89a8f76259a8f7827b4ee05c09281e8632a0737884b", "92f86ec1a84ba4c6e90af2e1d4e5add557be6f5ae4d65cd483937d61db7c34de"},
	"lifecycle-health":  {"790a256652bd5f1835849bc9598991b19906b491218991ccd2355d66e58f7624", "a1d8637e9827f39f341b59bf7a9e4da8dfd0397e314b0bc01e932695d5e160cc"},
	"lifecycle-learned": {"907415c2fdc5252cd659e293eeb3de7e3a28e988bfa5bf0d7331c46f7daba75a", "92f86ec1a84ba4c6e90af2e1d4e5add557be6f5ae4d65cd483937d61db7c34de"},
	"rfm":               {"8a0c8444d05ca58be2290fd68e805d0d857d584b7433760258549391d7ad9d5e", "7d85065665b530f715c1e0324b72cfcb07bf3fc5877c47f4f129277c85afb8de"},
	"rfm-windows":       {"dcfca2f417af5acfa477115124af3f132ccd4382aaa32267ec3766b066aa8a7c", "1da9b2447c7b23fb9523bd076d5c34fbfe2100a8ac037d661994004eac2e6e20"},
	"drivers":           {"151d70e246dc45439f70eb0ab85991821752349a60954884d18dd3c53b031c10", "b178770bb544c1d12cd8659153a033f204bb0127b9bfd02b6465c2ece06dfc67"},
	"drivers-premium":   {"9ecda382b69251dcb4d2d7a6701de9b3fbf4afc06a741a6b9653b7950eefc3d9", "ba4a9e0cd0099ad246bf3998c621bc71ca511bbd3baf5266f0526806b9c2dcea"},
	"lifecycle-asof":    {"440f42b471c9affc00e4e30d30c1d6bd19d1fe518f465a053411fd52e75c6a47", "b4aa119648ad3f3d3017800a7685ff6ad36ff97afb76dd055f87094794d172b2"},
	"drivers-asof":      {"a4772db9d42d4ddc0489ebe361d63e48e9e0215c0455a5fe1808bdd15fb67df6", "8f890ec4c53a8330c1b1882d4d80e04a3b53b7d6434a220ce4b60f9e6fea9519"},
	"clusters-k3":       {"30f49e45b7b8a7163f454b77c0706ae5b6aeeea2ba1782649123494b1a576dde", "44b6d08a49d896688ac4d9a326edb2ce94f9d5522facfa4f3aa9c0cce3cd3c7a"},
	"clusters-auto":     {"50f37b2059709724d0b69cdc003731a2b1324b5112397a3729f0c1940f788479", "c8c8fe58cec9f18d39cf67b5d1136adf0775e88d959836a62d3a69449fe18cc3"},
	"clusters-columns":  {"47452f43b21039376e7950b1078b8d90c394ac9ae846632bf689f014300ae02a", "642d3feb275149ffb5f71e610c75dbbfa256cb369b13c2f7bdbeb3e4fbd4687b"},
}

// TestAssignGoldenSHA pins the model JSON and every Assignment (JSON) of
// each config, assigned by the fitted model and by the model decoded from
// its JSON.
func TestAssignGoldenSHA(t *testing.T) {
	accts := goldenAccounts()
	for _, gc := range goldenConfigs {
		t.Run(gc.name, func(t *testing.T) {
			m := fitModel(t, gc.c, accts)
			data, err := json.Marshal(m)
			require.NoError(t, err)
			s, err := New(gc.c)
			require.NoError(t, err)
			dm, err := s.DecodeModel(data)
			require.NoError(t, err)
			sums := [2]string{sum(data), ""}
			for k, mm := range []segment.Model{m, dm} {
				h := sha256.New()
				for i := range accts {
					as, err := mm.Assign(&accts[i])
					require.NoError(t, err)
					b, err := json.Marshal(as)
					require.NoError(t, err)
					h.Write(b)
					h.Write([]byte{'\n'})
				}
				got := hex.EncodeToString(h.Sum(nil))
				if k == 0 {
					sums[1] = got
				} else {
					assert.Equal(t, sums[1], got, "decoded model")
				}
			}
			want, ok := goldenSums[gc.name]
			if !ok {
				t.Fatalf("no golden sums for %s; record them: %q: {%q, %q},", gc.name, gc.name, sums[0], sums[1])
			}
			assert.Equal(t, want[0], sums[0], "model JSON")
			assert.Equal(t, want[1], sums[1], "assignments")
		})
	}
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
