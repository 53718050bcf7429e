package segment

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func fullAccount() Account {
	return Account{
		ID: "A-1", Name: "Acme GmbH", Industry: "Machinery", NAICS: "333249",
		Employees: N(1200), Revenue: N(2.5e8), Currency: "EUR", Growth: N(0), Founded: 1987,
		Country: "DE", Region: "Bavaria", City: "Munich", Type: B2B, Stage: Customer,
		Technologies: []string{"SAP", "Excel"}, Channel: "partner", LeadGrade: "A",
		Orders:        []Order{{ID: "o1", Time: t0, Amount: 1200, Quantity: 3, ProductLine: "parts", Discount: 50, Margin: N(300)}},
		Subscriptions: []Subscription{{Plan: "pro", Start: t0, Monthly: 900, Seats: 20}},
		Usage:         []Usage{{Time: t0, Metric: MetricSeatsUsed, Value: 17}},
		Events:        []Event{{Time: t0, Kind: EventWebinar, Topic: "security", Channel: "web"}},
		Survey:        map[string]float64{"q_price": 0, "q_security": 5},
		Converted:     Yes, Churned: No,
		Numbers: map[string]float64{"nps": 40}, Text: map[string]string{"owner": "kim"},
	}
}

func TestValidateAcceptsFullAccount(t *testing.T) {
	a := fullAccount()
	assert.NoError(t, a.Validate())
	empty := Account{ID: "x"}
	assert.NoError(t, empty.Validate(), "an account with only an ID is valid: everything else is unknown")
}

func TestValidateNamesAccountAndField(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(a *Account)
		field string
	}{
		{"empty id", func(a *Account) { a.ID = "" }, "id"},
		{"NaN employees", func(a *Account) { a.Employees = N(math.NaN()) }, "employees"},
		{"negative employees", func(a *Account) { a.Employees = N(-3) }, "employees"},
		{"Inf revenue", func(a *Account) { a.Revenue = N(math.Inf(1)) }, "revenue"},
		{"growth below -100%", func(a *Account) { a.Growth = N(-1.5) }, "growth"},
		{"future founding", func(a *Account) { a.Founded = 3000 }, "founded"},
		{"negative founding", func(a *Account) { a.Founded = -5 }, "founded"},
		{"country name", func(a *Account) { a.Country = "Germany" }, "country"},
		{"lower-case country", func(a *Account) { a.Country = "de" }, "country"},
		{"bad type", func(a *Account) { a.Type = 9 }, "type"},
		{"bad stage", func(a *Account) { a.Stage = 9 }, "stage"},
		{"bad outcome", func(a *Account) { a.Converted = 7 }, "converted"},
		{"order without time", func(a *Account) { a.Orders[0].Time = time.Time{} }, "orders[0].time"},
		{"negative amount", func(a *Account) { a.Orders[0].Amount = -1 }, "orders[0].amount"},
		{"NaN discount", func(a *Account) { a.Orders[0].Discount = math.NaN() }, "orders[0].discount"},
		{"NaN margin", func(a *Account) { a.Orders[0].Margin = N(math.NaN()) }, "orders[0].margin"},
		{"end before start", func(a *Account) { a.Subscriptions[0].End = t0.AddDate(0, -1, 0) }, "subscriptions[0].end"},
		{"negative seats", func(a *Account) { a.Subscriptions[0].Seats = -1 }, "subscriptions[0].seats"},
		{"usage without metric", func(a *Account) { a.Usage[0].Metric = "" }, "usage[0].metric"},
		{"Inf usage", func(a *Account) { a.Usage[0].Value = math.Inf(-1) }, "usage[0].value"},
		{"event without kind", func(a *Account) { a.Events[0].Kind = "" }, "events[0].kind"},
		{"NaN survey answer", func(a *Account) { a.Survey["q_price"] = math.NaN() }, "survey[q_price]"},
		{"Inf custom number", func(a *Account) { a.Numbers["nps"] = math.Inf(1) }, "numbers[nps]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := fullAccount()
			tt.edit(&a)
			err := a.Validate()
			require.Error(t, err, tt.name)
			assert.ErrorIs(t, err, ErrInvalidAccount)
			var fe *FieldError
			require.True(t, errors.As(err, &fe), "error %v is not a *FieldError", err)
			assert.Equal(t, tt.field, fe.Field)
			assert.Equal(t, a.ID, fe.AccountID)
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	a := fullAccount()
	a.Employees = N(-1)
	a.Revenue = N(math.NaN())
	err := a.Validate()
	var fields []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *FieldError
		require.True(t, errors.As(e, &fe))
		fields = append(fields, fe.Field)
	}
	assert.Equal(t, []string{"employees", "revenue"}, fields)
}

func TestCloneIsDeep(t *testing.T) {
	a := fullAccount()
	c := a.Clone()
	require.True(t, reflect.DeepEqual(a, c))
	c.Orders[0].Amount = 1
	c.Survey["q_price"] = 4
	c.Technologies[0] = "Oracle"
	c.Text["owner"] = "lee"
	assert.Equal(t, 1200.0, a.Orders[0].Amount)
	assert.Equal(t, 0.0, a.Survey["q_price"])
	assert.Equal(t, "SAP", a.Technologies[0])
	assert.Equal(t, "kim", a.Text["owner"])
}

func TestAccountJSONRoundTrip(t *testing.T) {
	a := fullAccount()
	b, err := json.Marshal(a)
	require.NoError(t, err)
	var got Account
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, a, got)
	// Unknowns are left out; a known zero is kept.
	assert.Contains(t, string(b), `"growth":0`)
	assert.Contains(t, string(b), `"q_price":0`)

	b, err = json.Marshal(Account{ID: "x"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"x"}`, string(b))
}

func TestNumJSON(t *testing.T) {
	var a struct {
		E Num `json:"e"`
		R Num `json:"r"`
		G Num `json:"g"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"e": 12, "r": null, "g": 0}`), &a))
	assert.Equal(t, N(12), a.E)
	assert.False(t, a.R.Known())
	v, ok := a.G.Get()
	assert.True(t, ok)
	assert.Equal(t, 0.0, v)
	assert.Error(t, json.Unmarshal([]byte(`{"e": "NaN"}`), &a))
	assert.Error(t, json.Unmarshal([]byte(`{"e": "12"}`), &a))
	_, err := json.Marshal(N(math.Inf(1)))
	assert.Error(t, err)
	assert.Equal(t, "unknown", Num{}.String())
	assert.Equal(t, "1200", N(1200).String())
	assert.Equal(t, 7.0, Num{}.Or(7))
}

func TestOutcomeJSON(t *testing.T) {
	for in, want := range map[string]Outcome{`true`: Yes, `false`: No, `null`: Unset, `"Yes"`: Yes, `"0"`: No, `""`: Unset} {
		var o Outcome
		require.NoError(t, json.Unmarshal([]byte(in), &o), in)
		assert.Equal(t, want, o, in)
	}
	var o Outcome
	assert.Error(t, json.Unmarshal([]byte(`"maybe"`), &o))
	assert.Error(t, json.Unmarshal([]byte(`3`), &o))
	_, err := json.Marshal(Outcome(5))
	assert.Error(t, err)
}

func TestEnumsText(t *testing.T) {
	for in, want := range map[string]CustomerType{"B2B": B2B, "b2c": B2C, "Public Sector": B2G, "": TypeUnknown} {
		got, err := ParseCustomerType(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := ParseCustomerType("B2X")
	assert.Error(t, err)
	for in, want := range map[string]Lifecycle{"Lead": Lead, "MQL": Lead, "opportunity": Opportunity, "Customer": Customer, "former customer": Churned} {
		got, err := ParseLifecycle(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err = ParseLifecycle("vip")
	assert.Error(t, err)
	b, err := json.Marshal(struct {
		T CustomerType `json:"t"`
		S Lifecycle    `json:"s"`
	}{B2G, Opportunity})
	require.NoError(t, err)
	assert.JSONEq(t, `{"t":"B2G","s":"opportunity"}`, string(b))
	assert.Equal(t, "unknown", TypeUnknown.String())
	assert.Equal(t, "customer", Customer.String())
}

func TestFieldErrorMessage(t *testing.T) {
	err := &FieldError{AccountID: "A-17", Row: 18, Field: "employees", Err: errors.New("is negative (-3)")}
	assert.Equal(t, `account "A-17" (row 18): field "employees": is negative (-3)`, err.Error())
	assert.ErrorIs(t, err, ErrInvalidAccount)
	assert.Equal(t, `account without id: field "id": is empty`, (&FieldError{Field: "id", Err: errors.New("is empty")}).Error())
}

func TestDecodeJSONChecksHeader(t *testing.T) {
	type model struct {
		Header
		K int `json:"k"`
	}
	m, err := DecodeJSON[model]([]byte(`{"method":"tier","version":1,"k":3}`), "tier", 1)
	require.NoError(t, err)
	assert.Equal(t, 3, m.K)
	_, err = DecodeJSON[model]([]byte(`{"method":"needs","version":1}`), "tier", 1)
	assert.ErrorIs(t, err, ErrModelVersion)
	_, err = DecodeJSON[model]([]byte(`{"method":"tier","version":2}`), "tier", 1)
	assert.ErrorIs(t, err, ErrModelVersion)
	_, err = DecodeJSON[model]([]byte(`{`), "tier", 1)
	assert.Error(t, err)
}

func TestValidateValidAccountDoesNotAllocate(t *testing.T) {
	a := fullAccount()
	allocs := testing.AllocsPerRun(100, func() {
		if err := a.Validate(); err != nil {
			t.Fatal(err)
		}
	})
	assert.Equal(t, 0.0, allocs, "Validate of a valid account allocates")
}

func BenchmarkValidate(b *testing.B) {
	a := fullAccount()
	b.ReportAllocs()
	for b.Loop() {
		if err := a.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
