package behavior

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strataseg/strata/segment"
)

// saasCounts counts the records the loader mapped.
type saasCounts struct {
	subs, usage, tickets, churnEvents, churnFlags int
}

// readSaaS loads the synthetic SaaS book (SOURCE.md: simulated, labels
// inconsistent) into accounts: subscriptions with seats and MRR, feature
// usage as "feature:<name>" usage records (joined through the
// subscription), support tickets as EventTicket events, churn events as
// "churn" events, and churn_flag as Churned.
func readSaaS(t *testing.T) ([]segment.Account, saasCounts) {
	t.Helper()
	dir := filepath.Join(dataDir, "saas-synthetic")
	read := func(name string, want []string) [][]string {
		f, err := os.Open(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			t.Skip("saas-synthetic data absent: " + dir)
		}
		require.NoError(t, err)
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		require.NoError(t, err)
		require.Equal(t, want, recs[0], name)
		return recs[1:]
	}
	date := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		d, err := time.Parse(time.DateOnly, s[:min(len(s), 10)])
		require.NoError(t, err, s)
		return d
	}
	flag := func(s string) bool { return strings.EqualFold(s, "true") }
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err, s)
		return v
	}
	var c saasCounts
	idx := map[string]int{}
	var accts []segment.Account
	for _, r := range read("ravenstack_accounts.csv", []string{"account_id", "account_name", "industry", "country", "signup_date", "referral_source", "plan_tier", "seats", "is_trial", "churn_flag"}) {
		a := segment.Account{ID: r[0], Name: r[1], Industry: r[2], Country: r[3], Channel: r[5], Stage: segment.Customer, Churned: segment.No}
		if flag(r[9]) {
			a.Churned = segment.Yes
			c.churnFlags++
		}
		idx[a.ID] = len(accts)
		accts = append(accts, a)
	}
	subAcct := map[string]int{}
	for _, r := range read("ravenstack_subscriptions.csv", []string{"subscription_id", "account_id", "start_date", "end_date", "plan_tier", "seats", "mrr_amount", "arr_amount", "is_trial", "upgrade_flag", "downgrade_flag", "churn_flag", "billing_frequency", "auto_renew_flag"}) {
		i, ok := idx[r[1]]
		require.True(t, ok, "subscription %s of unknown account %s", r[0], r[1])
		seats, err := strconv.Atoi(r[5])
		require.NoError(t, err)
		accts[i].Subscriptions = append(accts[i].Subscriptions, segment.Subscription{ID: r[0], Plan: r[4], Start: date(r[2]), End: date(r[3]), Monthly: num(r[6]), Seats: seats})
		subAcct[r[0]] = i
		c.subs++
	}
	for _, r := range read("ravenstack_feature_usage.csv", []string{"usage_id", "subscription_id", "usage_date", "feature_name", "usage_count", "usage_duration_secs", "error_count", "is_beta_feature"}) {
		i, ok := subAcct[r[1]]
		require.True(t, ok, "usage %s of unknown subscription %s", r[0], r[1])
		accts[i].Usage = append(accts[i].Usage, segment.Usage{Time: date(r[2]), Metric: segment.MetricFeaturePrefix + r[3], Value: num(r[4])})
		c.usage++
	}
	for _, r := range read("ravenstack_support_tickets.csv", []string{"ticket_id", "account_id", "submitted_at", "closed_at", "resolution_time_hours", "priority", "first_response_time_minutes", "satisfaction_score", "escalation_flag"}) {
		i, ok := idx[r[1]]
		require.True(t, ok, "ticket %s of unknown account %s", r[0], r[1])
		accts[i].Events = append(accts[i].Events, segment.Event{Time: date(r[2]), Kind: segment.EventTicket, Topic: r[5]})
		c.tickets++
	}
	for _, r := range read("ravenstack_churn_events.csv", []string{"churn_event_id", "account_id", "churn_date", "reason_code", "refund_amount_usd", "preceding_upgrade_flag", "preceding_downgrade_flag", "is_reactivation", "feedback_text"}) {
		i, ok := idx[r[1]]
		require.True(t, ok, "churn event %s of unknown account %s", r[0], r[1])
		accts[i].Events = append(accts[i].Events, segment.Event{Time: date(r[2]), Kind: "churn", Topic: r[3], Text: r[8]})
		c.churnEvents++
	}
	return accts, c
}

// The SaaS record types map onto Account and the features read them. No
// claim on scores: the data is simulated and its labels inconsistent.
func TestSaaSLoad(t *testing.T) {
	accts, c := readSaaS(t)
	require.Len(t, accts, 500)
	assert.Equal(t, saasCounts{subs: 5000, usage: 25000, tickets: 2000, churnEvents: 600, churnFlags: 110}, c)
	for i := range accts {
		require.NoError(t, accts[i].Validate())
	}
	s, err := New(Config{Seed: 1})
	require.NoError(t, err)
	m, err := s.Fit(context.Background(), slices.Values(accts))
	require.NoError(t, err)
	mm := m.(*Model)
	assert.Len(t, mm.KnownFeatures, 40, "distinct feature_name values")
	withUsage, breadth, mrr := 0, 0, 0
	for i := range accts {
		v := mm.Features(&accts[i])
		_, ok := v.Get(SeatUtilization)
		assert.False(t, ok, "account %s: no seats_used records, so utilization is unknown, not 0", accts[i].ID)
		if len(accts[i].Usage) > 0 {
			withUsage++
		}
		if _, ok := v.Get(FeatureBreadth); ok {
			breadth++
		}
		if _, ok := v.Get(MRR); ok {
			mrr++
		}
		_, err := m.Assign(&accts[i])
		require.NoError(t, err)
	}
	assert.Equal(t, 500, mrr, "every account has subscriptions")
	assert.Positive(t, breadth)
	assert.LessOrEqual(t, breadth, withUsage)
	assert.True(t, mm.Churn.Learned, "110 churn flags on 500 accounts are enough labels to learn from (no claim on its accuracy)")
	t.Logf("%d accounts with usage, %d with feature breadth in the window ending %s", withUsage, breadth, mm.Options.AsOf.Format(time.DateOnly))
}
