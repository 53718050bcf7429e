package segmenttest

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/strataseg/strata/segment"
)

// Reference is the date every generated history ends at, 2026-06-30 00:00
// UTC, unless [GenConfig] names another. Generated data never depends on
// the clock.
var Reference = time.Date(2026, time.June, 30, 0, 0, 0, 0, time.UTC)

// OurProduct is the name of the product of the (fictional) vendor whose CRM
// the generated accounts come from; current customers list it among their
// Technologies.
const OurProduct = "Northbeam Platform"

// Competitors are the (fictional) competing suites that some accounts use.
// The generator keeps its own copy: changing this slice changes nothing.
var Competitors = slices.Clone(competitors)

var competitors = []string{"Corvana Suite", "Tessaly One", "Brightpath Ops"}

// Needs are the planted needs, in the order of [Truth.Need]'s values; each
// has a survey question "importance_<need>" and event topics.
var Needs = []string{"security", "integration", "cost", "ease_of_use"}

// Survey questions the generator asks: importance ratings from 1 to 5, and
// for customers a likelihood to recommend from 0 to 10.
const (
	QuestionSecurity    = "importance_security"
	QuestionIntegration = "importance_integration"
	QuestionCost        = "importance_cost"
	QuestionEaseOfUse   = "importance_ease_of_use"
	QuestionAnalytics   = "importance_analytics"
	QuestionNPS         = "nps"
)

// GenConfig configures [Generate]. The zero value generates nothing; set N.
type GenConfig struct {
	// N is the number of accounts.
	N int
	// Seed seeds the generator: the same Seed gives the same accounts, and
	// account i depends only on Seed and i, so a smaller N gives a prefix.
	Seed uint64
	// Reference is when the histories end; zero means [Reference].
	Reference time.Time
	// Months is the length of the history window before Reference, in
	// months; 0 means 24. Orders, usage, events and subscription changes
	// fall within it.
	Months int
	// Complete leaves no field blank: without it the generator blanks fields
	// at the rates real CRM exports show (employees 8%, revenue 15%,
	// growth 30%, country 4%, founded 15%, industry 5%, NAICS 20%…).
	Complete bool
}

// Truth is the planted structure behind one generated account, which a
// method can be checked against. It is never part of the Account.
type Truth struct {
	// Need indexes [Needs]: the account's dominant need.
	Need int
	// Sophistication is the account's tool maturity before it met us:
	// 1 spreadsheets and paper, 2 point tools, 3 a competitor's suite,
	// 4 a competitor's suite with an integrated data stack.
	Sophistication int
	// Employees and Revenue are the true sizes, also where the Account has
	// them blank.
	Employees, Revenue float64
	// Engagement is the latent engagement (standard normal) that drives
	// events, the survey response and conversion.
	Engagement float64
	// PConvert is the probability of conversion the label was drawn from.
	PConvert float64
	// Trend is the monthly log change of product usage (customers only):
	// below -0.03 the account is declining.
	Trend float64
	// PChurn is the probability of churn the label was drawn from
	// (customers only).
	PChurn float64
}

// Accounts returns n synthetic accounts generated from seed with the
// default configuration; see [Generate].
func Accounts(n int, seed uint64) []segment.Account {
	a, _ := Generate(GenConfig{N: n, Seed: seed})
	return a
}

// Generate returns c.N synthetic B2B accounts and the structure planted in
// each. The data is made up, deterministic for a seed, and every account
// passes [segment.Account.Validate]. It is meant to give every segmentation
// method something real to find:
//
//   - Firmographics: 16 industries with NAICS codes and free-text names in
//     the variants CRMs hold ("Computer Software", "Software"); employees
//     log-normal around an industry-specific median, revenue per employee
//     by industry times log-normal noise (so revenue and employees
//     correlate, r ≈ 0.9 on logs); founding year older for larger firms;
//     growth by industry, higher for younger and smaller firms; 20
//     countries weighted as a US vendor's base (US ≈ 36%, then GB, DE, FR…)
//     with regions, cities and a sales territory (Text["territory"]);
//     customer type by industry.
//   - Sophistication (Truth.Sophistication) rises with size and the
//     industry's digital maturity and shows in Technologies: spreadsheets
//     and paper, point tools, a [Competitors] suite, a data stack; customers
//     also list [OurProduct].
//   - Needs (Truth.Need) depend on industry and size (finance and health
//     lean to security, manufacturing and wholesale to integration, small
//     firms to cost and ease of use) and show in event topics and in the
//     survey: importance ratings 1 to 5 (questions "importance_*"), with a
//     per-respondent scale bias, answered by about 35% of accounts (more of
//     the engaged), each question skipped 8% of the time.
//   - Leads: channel and lead grade (A to D, from industry fit and size);
//     events before the decision (page views, content, e-mail, webinars,
//     demo requests, trials, meetings) grow with Engagement; Converted is
//     drawn from a logistic in size, engagement, grade, channel and
//     sophistication (Truth.PConvert), and left Unset for recent, open
//     leads (stage lead or opportunity). Converted accounts became
//     customers.
//   - Customers: a subscription (plan, seats, monthly revenue), orders
//     (amounts scale with seats; product lines, discounts, margins, 4%
//     followed by a return), monthly usage (logins, active users, seats
//     purchased and used, feature adoption by need) following Truth.Trend,
//     support tickets with subject lines (more when declining), and
//     Churned drawn from a logistic in the usage trend and tickets
//     (Truth.PChurn); a churned account's subscription, usage and orders
//     stop at the churn date and its stage is churned.
//   - Custom fields: Numbers["intent_score"] (0 to 100, third-party intent,
//     known for 60%) and Text["territory"].
//
// All amounts are in USD. Accounts are named "A-000001" onward.
func Generate(c GenConfig) ([]segment.Account, []Truth) {
	if c.N <= 0 {
		return nil, nil
	}
	g := newGen(c)
	accts := make([]segment.Account, c.N)
	truth := make([]Truth, c.N)
	for i := range accts {
		g.r = rand.New(rand.NewPCG(c.Seed, uint64(i)*0x9e3779b97f4a7c15+1))
		g.account(i, &accts[i], &truth[i])
	}
	return accts, truth
}

type industry struct {
	names     []string
	naics     []string
	weight    float64
	logEmp    float64 // mean of ln(employees)
	revPerEmp float64 // USD per employee
	growth    float64 // mean yearly growth
	tech      float64 // digital maturity, shifts sophistication
	types     [3]float64
	needs     [4]float64 // security, integration, cost, ease of use
	fit       float64    // fit to our product: grade and conversion
	roots     []string   // name roots; lower case joins the prefix
}

var industries = []industry{
	{[]string{"Computer Software", "Software", "SaaS"}, []string{"513210", "541511"}, 9, 4.0, 220e3, 0.18, 1.2, [3]float64{.85, .12, .03}, [4]float64{.3, .4, .1, .2}, 0.8, []string{"soft", "Labs", "logic", "Stack"}},
	{[]string{"Information Technology & Services", "IT Services"}, []string{"541512", "541519"}, 8, 4.2, 160e3, 0.10, 1.0, [3]float64{.8, .05, .15}, [4]float64{.3, .45, .15, .1}, 0.7, []string{"Systems", "IT", "tech", "Networks"}},
	{[]string{"Machinery", "Industrial Automation", "Mechanical or Industrial Engineering"}, []string{"333249", "333998", "333517"}, 9, 4.8, 280e3, 0.04, -0.3, [3]float64{.95, 0, .05}, [4]float64{.1, .45, .35, .1}, 0.6, []string{"werk", "Machines", "Industries", "Engineering"}},
	{[]string{"Automotive", "Automotive Parts"}, []string{"336390", "336350"}, 4, 5.6, 320e3, 0.02, -0.1, [3]float64{.95, .05, 0}, [4]float64{.15, .45, .3, .1}, 0.5, []string{"motive", "Components", "Drive", "Parts"}},
	{[]string{"Food Production", "Food & Beverages"}, []string{"311999", "311421"}, 5, 4.9, 350e3, 0.03, -0.6, [3]float64{.6, .4, 0}, [4]float64{.1, .25, .45, .2}, 0.4, []string{"Foods", "Farms", "Kitchens", "Provisions"}},
	{[]string{"Wholesale", "Industrial Distribution", "Wholesale Trade"}, []string{"423830", "423840", "424490"}, 7, 4.1, 650e3, 0.03, -0.5, [3]float64{.9, .05, .05}, [4]float64{.05, .45, .4, .1}, 0.7, []string{"Supply", "Distribution", "Trading", "Wholesale"}},
	{[]string{"Retail", "Retail Trade"}, []string{"445110", "455219"}, 6, 4.5, 210e3, 0.02, -0.2, [3]float64{.05, .95, 0}, [4]float64{.15, .25, .4, .2}, 0.3, []string{"Market", "Stores", "Outlet", "Goods"}},
	{[]string{"Hospital & Health Care", "Health Care", "Healthcare"}, []string{"622110", "621111"}, 7, 5.3, 120e3, 0.05, -0.2, [3]float64{.15, .6, .25}, [4]float64{.6, .2, .1, .1}, 0.5, []string{"Health", "Medical", "Care", "Clinic"}},
	{[]string{"Financial Services", "Banking"}, []string{"522110", "523150", "522320"}, 6, 5.0, 400e3, 0.06, 0.6, [3]float64{.6, .4, 0}, [4]float64{.7, .2, .05, .05}, 0.6, []string{"Capital", "Financial", "Partners", "Bancorp"}},
	{[]string{"Insurance"}, []string{"524126", "524210"}, 3, 5.2, 380e3, 0.04, 0.3, [3]float64{.4, .6, 0}, [4]float64{.6, .25, .1, .05}, 0.5, []string{"Assurance", "Mutual", "Insurance", "Underwriters"}},
	{[]string{"Logistics and Supply Chain", "Transportation/Trucking/Railroad"}, []string{"484121", "488510", "493110"}, 6, 4.6, 200e3, 0.05, -0.4, [3]float64{.9, .05, .05}, [4]float64{.1, .45, .35, .1}, 0.6, []string{"Freight", "Logistics", "Transport", "Cargo"}},
	{[]string{"Construction", "Building Materials"}, []string{"236220", "238210"}, 6, 3.8, 250e3, 0.04, -0.9, [3]float64{.7, .15, .15}, [4]float64{.05, .15, .45, .35}, 0.4, []string{"Builders", "Construction", "Contractors", "Build"}},
	{[]string{"Management Consulting", "Professional Services"}, []string{"541611", "541618"}, 6, 3.3, 180e3, 0.08, 0.3, [3]float64{.9, .05, .05}, [4]float64{.2, .2, .2, .4}, 0.6, []string{"Advisory", "Consulting", "Partners", "Group"}},
	{[]string{"Marketing and Advertising", "Marketing & Advertising"}, []string{"541810", "541613"}, 5, 3.0, 150e3, 0.09, 0.5, [3]float64{.85, .15, 0}, [4]float64{.1, .35, .2, .35}, 0.6, []string{"Media", "Creative", "Studio", "Agency"}},
	{[]string{"Higher Education", "Education Management"}, []string{"611310", "611710"}, 4, 5.5, 90e3, 0.01, -0.3, [3]float64{.05, .35, .6}, [4]float64{.3, .2, .35, .15}, 0.3, []string{"College", "Institute", "Academy", "University"}},
	{[]string{"Government Administration", "Public Sector"}, []string{"921190", "921110"}, 3, 5.4, 100e3, 0.01, -0.7, [3]float64{0, 0, 1}, [4]float64{.45, .2, .3, .05}, 0.2, []string{"Council", "Authority", "Agency", "Office"}},
}

type place struct{ region, city string }

type country struct {
	code      string
	weight    float64
	territory string
	legal     []string
	places    []place
}

var countries = []country{
	{"US", 38, "North America", []string{"Inc.", "LLC", "Corp."}, []place{{"CA", "San Francisco"}, {"CA", "Los Angeles"}, {"NY", "New York"}, {"TX", "Austin"}, {"TX", "Houston"}, {"IL", "Chicago"}, {"MA", "Boston"}, {"WA", "Seattle"}, {"GA", "Atlanta"}, {"OH", "Columbus"}, {"MI", "Detroit"}, {"NC", "Charlotte"}}},
	{"GB", 9, "EMEA", []string{"Ltd", "plc"}, []place{{"England", "London"}, {"England", "Manchester"}, {"England", "Birmingham"}, {"Scotland", "Edinburgh"}, {"England", "Leeds"}}},
	{"DE", 9, "EMEA", []string{"GmbH", "AG", "GmbH & Co. KG"}, []place{{"Bavaria", "Munich"}, {"Berlin", "Berlin"}, {"Hamburg", "Hamburg"}, {"Baden-Württemberg", "Stuttgart"}, {"North Rhine-Westphalia", "Cologne"}, {"Hesse", "Frankfurt"}}},
	{"FR", 6, "EMEA", []string{"SAS", "SA", "SARL"}, []place{{"Île-de-France", "Paris"}, {"Auvergne-Rhône-Alpes", "Lyon"}, {"Occitanie", "Toulouse"}, {"Provence-Alpes-Côte d'Azur", "Marseille"}}},
	{"CA", 5, "North America", []string{"Inc.", "Ltd."}, []place{{"ON", "Toronto"}, {"QC", "Montreal"}, {"BC", "Vancouver"}, {"AB", "Calgary"}}},
	{"NL", 4, "EMEA", []string{"B.V.", "N.V."}, []place{{"North Holland", "Amsterdam"}, {"South Holland", "Rotterdam"}, {"North Brabant", "Eindhoven"}}},
	{"AU", 4, "APAC", []string{"Pty Ltd"}, []place{{"NSW", "Sydney"}, {"VIC", "Melbourne"}, {"QLD", "Brisbane"}}},
	{"IN", 4, "APAC", []string{"Pvt. Ltd."}, []place{{"Karnataka", "Bengaluru"}, {"Maharashtra", "Mumbai"}, {"Telangana", "Hyderabad"}, {"Delhi", "New Delhi"}}},
	{"ES", 3, "EMEA", []string{"S.L.", "S.A."}, []place{{"Madrid", "Madrid"}, {"Catalonia", "Barcelona"}, {"Valencia", "Valencia"}}},
	{"IT", 3, "EMEA", []string{"S.r.l.", "S.p.A."}, []place{{"Lombardy", "Milan"}, {"Lazio", "Rome"}, {"Piedmont", "Turin"}}},
	{"JP", 3, "APAC", []string{"K.K."}, []place{{"Tokyo", "Tokyo"}, {"Osaka", "Osaka"}, {"Aichi", "Nagoya"}}},
	{"BR", 3, "LATAM", []string{"Ltda.", "S.A."}, []place{{"SP", "São Paulo"}, {"RJ", "Rio de Janeiro"}, {"MG", "Belo Horizonte"}}},
	{"SE", 2, "EMEA", []string{"AB"}, []place{{"Stockholm", "Stockholm"}, {"Västra Götaland", "Gothenburg"}}},
	{"CH", 2, "EMEA", []string{"AG", "GmbH", "SA"}, []place{{"Zurich", "Zurich"}, {"Geneva", "Geneva"}, {"Basel-Stadt", "Basel"}}},
	{"AT", 2, "EMEA", []string{"GmbH", "AG"}, []place{{"Vienna", "Vienna"}, {"Upper Austria", "Linz"}, {"Styria", "Graz"}}},
	{"MX", 2, "LATAM", []string{"S.A. de C.V."}, []place{{"CDMX", "Mexico City"}, {"Jalisco", "Guadalajara"}, {"Nuevo León", "Monterrey"}}},
	{"PL", 2, "EMEA", []string{"sp. z o.o.", "S.A."}, []place{{"Masovia", "Warsaw"}, {"Lesser Poland", "Kraków"}, {"Lower Silesia", "Wrocław"}}},
	{"SG", 2, "APAC", []string{"Pte. Ltd."}, []place{{"", "Singapore"}}},
	{"IE", 1, "EMEA", []string{"Ltd", "DAC"}, []place{{"Leinster", "Dublin"}, {"Munster", "Cork"}}},
	{"DK", 1, "EMEA", []string{"A/S", "ApS"}, []place{{"Capital Region", "Copenhagen"}, {"Central Denmark", "Aarhus"}}},
}

var namePrefixes = []string{"Alder", "Atlas", "Blue", "Bright", "Cedar", "Clear", "Crest", "Evergreen", "Falcon", "Golden", "Granite", "Harbor", "Iron", "Lake", "Maple", "Meridian", "Nord", "North", "Oak", "Orion", "Pine", "Pioneer", "Prime", "River", "Silver", "Stone", "Summit", "Sun", "Vertex", "West", "Apex", "Beacon", "Copper", "Delta", "Ember", "Fjord", "Helix", "Juniper", "Keystone", "Lumen"}

var channels = []struct {
	name   string
	weight float64
	effect float64 // on the log-odds of conversion
}{
	{"organic search", 28, 0},
	{"paid search", 18, -0.5},
	{"outbound", 18, -0.3},
	{"partner", 10, 0.6},
	{"referral", 8, 0.8},
	{"event", 10, 0.3},
	{"webinar", 8, 0.2},
}

var gradeEffect = [4]float64{1.0, 0.4, -0.3, -1.0} // A, B, C, D

var needTopics = [4][]string{
	{"security", "compliance", "data privacy"},
	{"integrations", "API", "data migration"},
	{"pricing", "ROI", "total cost of ownership"},
	{"ease of use", "onboarding", "getting started"},
}

var ticketTopics = []struct {
	topic, text string
	need        int // the need whose accounts raise it more often; -1 none
}{
	{"access", "SSO login fails for new users", 0},
	{"access", "Need to enforce two-factor authentication for all users", 0},
	{"security", "Request for SOC 2 report and data processing agreement", 0},
	{"integration", "Sync with ERP stops after the nightly import", 1},
	{"integration", "API returns 429 errors during bulk update", 1},
	{"integration", "Webhook payload is missing custom fields", 1},
	{"billing", "Invoice shows more seats than we use", 2},
	{"billing", "Asking for a discount at renewal", 2},
	{"how-to", "How do I build a report by region?", 3},
	{"how-to", "New team members cannot find the import button", 3},
	{"bug", "Dashboard does not load for large accounts", -1},
	{"performance", "Exports to Excel take minutes", -1},
	{"bug", "Notifications arrive twice", -1},
}

var productLines = []struct {
	name   string
	weight float64
	scale  float64 // order size relative to a platform order
	margin float64
}{
	{"Platform", 40, 1, 0.85},
	{"Add-ons", 25, 0.35, 0.8},
	{"Professional services", 18, 0.6, 0.35},
	{"Training", 10, 0.15, 0.5},
	{"Hardware", 7, 0.4, 0.2},
}

var plans = []struct {
	name     string
	maxSeats int
	price    float64 // per seat per month
}{
	{"Starter", 10, 25},
	{"Team", 50, 40},
	{"Business", 250, 55},
	{"Enterprise", math.MaxInt, 70},
}

var features = [4]string{"feature:sso", "feature:api", "feature:reports", "feature:templates"}

type gen struct {
	c         GenConfig
	ref       time.Time
	start     time.Time   // start of the window
	months    []time.Time // first day of each month in the window, after start
	indCum    []float64
	ctryCum   []float64
	chanCum   []float64
	plCum     []float64
	r         *rand.Rand
	ticketCum [4][]float64
}

func cumulative(n int, w func(int) float64) []float64 {
	c := make([]float64, n)
	s := 0.0
	for i := range c {
		s += w(i)
		c[i] = s
	}
	for i := range c {
		c[i] /= s
	}
	return c
}

func newGen(c GenConfig) *gen {
	g := &gen{c: c, ref: c.Reference}
	if g.ref.IsZero() {
		g.ref = Reference
	}
	m := c.Months
	if m <= 0 {
		m = 24
	}
	g.start = g.ref.AddDate(0, -m, 0)
	first := time.Date(g.start.Year(), g.start.Month(), 1, 0, 0, 0, 0, g.ref.Location())
	for t := first; t.Before(g.ref); t = t.AddDate(0, 1, 0) {
		if !t.Before(g.start) {
			g.months = append(g.months, t)
		}
	}
	g.indCum = cumulative(len(industries), func(i int) float64 { return industries[i].weight })
	g.ctryCum = cumulative(len(countries), func(i int) float64 { return countries[i].weight })
	g.chanCum = cumulative(len(channels), func(i int) float64 { return channels[i].weight })
	g.plCum = cumulative(len(productLines), func(i int) float64 { return productLines[i].weight })
	for n := range g.ticketCum {
		g.ticketCum[n] = cumulative(len(ticketTopics), func(i int) float64 {
			switch ticketTopics[i].need {
			case n:
				return 3
			case -1:
				return 1.5
			}
			return 1
		})
	}
	return g
}

func (g *gen) pick(cum []float64) int {
	u := g.r.Float64()
	for i, c := range cum {
		if u < c {
			return i
		}
	}
	return len(cum) - 1
}

func (g *gen) pickW(w []float64) int {
	s := 0.0
	for _, v := range w {
		s += v
	}
	u := g.r.Float64() * s
	for i, v := range w {
		if u < v {
			return i
		}
		u -= v
	}
	return len(w) - 1
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) blank(p float64) bool { return !g.c.Complete && g.r.Float64() < p }

func (g *gen) poisson(lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*g.r.NormFloat64())))
	}
	l := math.Exp(-lambda)
	k, p := 0, 1.0
	for {
		p *= g.r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// between returns a time uniformly in [a, b), to the second.
func (g *gen) between(a, b time.Time) time.Time {
	d := b.Sub(a)
	if d <= time.Second {
		return a
	}
	return a.Add(time.Duration(g.r.Int64N(int64(d/time.Second))) * time.Second)
}

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

const month = time.Duration(30.436875 * 24 * float64(time.Hour))

func monthsBetween(a, b time.Time) float64 { return float64(b.Sub(a)) / float64(month) }

func (g *gen) account(i int, a *segment.Account, t *Truth) {
	r := g.r
	ind := &industries[g.pick(g.indCum)]
	ctry := &countries[g.pick(g.ctryCum)]

	// Size: log-normal employees around the industry's median; revenue
	// per employee by industry with log-normal noise.
	lnEmp := ind.logEmp + 1.35*r.NormFloat64()
	emp := math.Round(clamp(math.Exp(lnEmp), 1, 250000))
	lnEmp = math.Log(emp)
	rev := math.Round(emp*ind.revPerEmp*math.Exp(0.45*r.NormFloat64())/1000) * 1000
	age := clamp(math.Exp(2.3+0.25*(lnEmp-4)+0.6*r.NormFloat64()), 1, 150)
	founded := g.ref.Year() - int(age)
	growth := ind.growth + 0.05*(2.5-math.Log(age)) - 0.01*(lnEmp-4) + 0.12*r.NormFloat64()
	growth = math.Round(clamp(growth, -0.6, 2)*1000) / 1000
	t.Employees, t.Revenue = emp, rev

	a.ID = "A-" + pad6(i+1)
	root := ind.roots[r.IntN(len(ind.roots))]
	sep := " "
	if root[0] >= 'a' && root[0] <= 'z' { // "soft", "werk": one word with the prefix
		root, sep = string(root[0]-'a'+'A')+root[1:], ""
	}
	a.Name = namePrefixes[r.IntN(len(namePrefixes))] + sep + root + " " + ctry.legal[r.IntN(len(ctry.legal))]
	a.Industry = ind.names[r.IntN(len(ind.names))]
	a.NAICS = ind.naics[r.IntN(len(ind.naics))]
	a.Employees = segment.N(emp)
	a.Revenue = segment.N(rev)
	a.Currency = "USD"
	a.Growth = segment.N(growth)
	a.Founded = founded
	a.Country = ctry.code
	pl := ctry.places[r.IntN(len(ctry.places))]
	a.Region, a.City = pl.region, pl.city
	a.Type = segment.CustomerType(1 + g.pickW(ind.types[:]))
	a.Text = map[string]string{"territory": ctry.territory}

	// Sophistication: size and digital maturity.
	sx := 0.55*(lnEmp-4) + 0.7*ind.tech + 0.9*r.NormFloat64()
	soph := 1
	switch {
	case sx > 1.4:
		soph = 4
	case sx > 0.3:
		soph = 3
	case sx > -0.8:
		soph = 2
	}
	t.Sophistication = soph

	// Need: industry leaning, small firms lean to cost and ease of use.
	nw := ind.needs
	small := clamp((4-lnEmp)/3, 0, 1)
	nw[2] += 0.25 * small
	nw[3] += 0.25 * small
	nw[0] += 0.1 * clamp((lnEmp-5)/3, 0, 1)
	need := g.pickW(nw[:])
	t.Need = need

	eng := r.NormFloat64()
	t.Engagement = eng
	ch := g.pick(g.chanCum)
	a.Channel = channels[ch].name
	fitScore := ind.fit*2 + 0.35*(lnEmp-4) + 0.8*r.NormFloat64()
	grade := 3
	switch {
	case fitScore > 2.1:
		grade = 0
	case fitScore > 1.3:
		grade = 1
	case fitScore > 0.5:
		grade = 2
	}
	a.LeadGrade = string(rune('A' + grade))

	sophEffect := [5]float64{0, -0.1, 0.35, 0, -0.5}[soph]
	pConv := logistic(-1.3 + 0.35*(lnEmp-4) + 0.9*eng + gradeEffect[grade] + channels[ch].effect + sophEffect)
	t.PConvert = pConv

	// Timeline: the lead arrives up to 18 months before the window starts.
	window := monthsBetween(g.start, g.ref)
	created := g.ref.Add(-time.Duration((window + 18) * r.Float64() * float64(month))).Truncate(time.Second)
	decision := created.Add(time.Duration((0.5 + 4*r.Float64()) * float64(month))).Truncate(time.Second)
	converted := false
	if decision.After(g.ref) {
		a.Stage = segment.Lead
		if eng > 0.3 && r.IntN(2) == 0 {
			a.Stage = segment.Opportunity
		}
		decision = g.ref
	} else {
		converted = g.chance(pConv)
		if converted {
			a.Converted = segment.Yes
		} else {
			a.Converted = segment.No
			a.Stage = segment.Lead
		}
	}

	// Events before the decision, within the window.
	g.leadEvents(a, created, decision, eng, need, converted)

	tech := g.technologies(soph, lnEmp, ind.tech)

	if converted {
		g.customer(a, t, decision, lnEmp, need, soph)
		if a.Stage == segment.Customer {
			tech = append(tech, OurProduct)
		}
	}
	a.Technologies = tech

	// Survey: more of the engaged answer.
	if g.chance(logistic(-0.9 + 0.6*eng + 0.4*b2f(converted))) {
		g.survey(a, need, soph, t.Trend, converted)
	}
	if g.chance(0.6) {
		intent := 45 + 15*eng + 8*b2f(need == 0 || need == 1) + 10*r.NormFloat64()
		a.Numbers = map[string]float64{"intent_score": math.Round(clamp(intent, 0, 100))}
	}

	g.blanks(a)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func pad6(n int) string {
	s := strconv.Itoa(n)
	if len(s) >= 6 {
		return s
	}
	return "000000"[:6-len(s)] + s
}

func (g *gen) technologies(soph int, lnEmp, maturity float64) []string {
	r := g.r
	tech := make([]string, 0, 8)
	if r.Float64() < 0.62 {
		tech = append(tech, "Microsoft 365")
	} else if r.Float64() < 0.9 {
		tech = append(tech, "Google Workspace")
	}
	switch soph {
	case 1:
		tech = append(tech, "Excel")
		if r.IntN(3) == 0 {
			tech = append(tech, "Paper forms")
		}
		if r.IntN(3) == 0 {
			tech = append(tech, "Google Sheets")
		}
		if r.IntN(4) == 0 {
			tech = append(tech, "QuickBooks")
		}
	case 2:
		if r.IntN(2) == 0 {
			tech = append(tech, "Excel")
		}
		point := [...]string{"HubSpot", "Trello", "QuickBooks", "Mailchimp", "Zapier", "Airtable", "Pipedrive", "Asana"}
		for k := 0; k < 2+r.IntN(3); k++ {
			tech = appendNew(tech, point[r.IntN(len(point))])
		}
	default:
		tech = append(tech, competitors[r.IntN(len(competitors))])
		if r.Float64() < logistic(lnEmp-5) {
			tech = append(tech, "Salesforce")
		} else if r.IntN(2) == 0 {
			tech = append(tech, "Microsoft Dynamics 365")
		}
		if r.IntN(3) == 0 {
			tech = append(tech, "Excel")
		}
		if soph == 4 {
			stack := [...]string{"Snowflake", "Okta", "MuleSoft", "Tableau", "Power BI", "Databricks"}
			for k := 0; k < 2+r.IntN(2); k++ {
				tech = appendNew(tech, stack[r.IntN(len(stack))])
			}
		}
	}
	if r.Float64() < logistic(maturity+0.5*(lnEmp-4)) {
		cloud := [...]string{"AWS", "AWS", "Azure", "Google Cloud"}
		tech = append(tech, cloud[r.IntN(len(cloud))])
	}
	return tech
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func appendNew(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func (g *gen) topic(need int) string {
	r := g.r
	n := need
	if r.Float64() < 0.35 {
		n = r.IntN(4)
	}
	return needTopics[n][r.IntN(len(needTopics[n]))]
}

func (g *gen) leadEvents(a *segment.Account, from, to time.Time, eng float64, need int, converted bool) {
	r := g.r
	if from.Before(g.start) {
		from = g.start
	}
	if !to.After(from) {
		return
	}
	span := monthsBetween(from, to)
	n := g.poisson(math.Exp(0.6+0.6*eng) * math.Min(span, 6) / 2)
	if n > 0 {
		a.Events = make([]segment.Event, 0, n+3)
	}
	kinds := [...]string{segment.EventPageView, segment.EventPageView, segment.EventContent, segment.EventContent, segment.EventEmail, segment.EventEmail, segment.EventWebinar, segment.EventForm}
	chans := [...]string{"web", "web", "email", "linkedin"}
	for range n {
		k := kinds[r.IntN(len(kinds))]
		e := segment.Event{Time: g.between(from, to), Kind: k}
		switch k {
		case segment.EventPageView:
			e.Channel = "web"
			if r.IntN(2) == 0 {
				e.Topic = g.topic(need)
			}
		case segment.EventEmail:
			e.Channel = "email"
			e.Topic = g.topic(need)
		case segment.EventWebinar:
			e.Channel = "web"
			e.Topic = g.topic(need)
		default:
			e.Channel = chans[r.IntN(len(chans))]
			e.Topic = g.topic(need)
		}
		a.Events = append(a.Events, e)
	}
	// Demo requests, trials and meetings mark the converting accounts more.
	pDemo := logistic(-1.5 + 0.8*eng + 1.2*b2f(converted))
	if g.chance(pDemo) {
		a.Events = append(a.Events, segment.Event{Time: g.between(from, to), Kind: segment.EventDemoRequest, Channel: "web", Topic: g.topic(need), Text: demoTexts[need]})
		if g.chance(0.5 + 0.3*b2f(converted)) {
			a.Events = append(a.Events, segment.Event{Time: g.between(from, to), Kind: segment.EventMeeting, Channel: "video"})
		}
	}
	if g.chance(logistic(-2 + 0.5*eng + 0.8*b2f(converted))) {
		a.Events = append(a.Events, segment.Event{Time: g.between(from, to), Kind: segment.EventTrial, Channel: "web"})
	}
}

var demoTexts = [4]string{
	"We need SSO and audit logs before we can roll this out",
	"Looking for something that connects to our ERP and data warehouse",
	"Our current tool is too expensive; what would this cost for our team?",
	"We want something our sales team can pick up without training",
}

func (g *gen) customer(a *segment.Account, t *Truth, since time.Time, lnEmp float64, need, soph int) {
	r := g.r
	a.Stage = segment.Customer
	a.Churned = segment.No

	seats := int(clamp(math.Round(math.Exp(0.72*lnEmp-0.6+0.5*r.NormFloat64())), 1, 5000))
	p := 0
	for seats > plans[p].maxSeats {
		p++
	}
	discount := 0.0
	if seats > 50 {
		discount = math.Round(r.Float64()*0.2*100) / 100
	}
	monthly := math.Round(float64(seats)*plans[p].price*(1-discount)*100) / 100

	trend := 0.008 + 0.035*r.NormFloat64()
	t.Trend = trend
	decline := math.Max(0, -trend)
	ticketRate := 0.25 + 0.08*lnEmp/4 + 12*decline // per month
	life := monthsBetween(since, g.ref)
	expTickets := ticketRate * life
	pChurn := logistic(-2.3 - 30*trend + 0.12*expTickets/math.Max(life, 1)*10 + 0.25*(3-float64(min(soph, 3))))
	t.PChurn = pChurn
	end := g.ref
	if life > 3 && g.chance(pChurn) {
		end = since.Add(time.Duration((2 + (life-2.5)*r.Float64()) * float64(month))).Truncate(time.Second)
		if end.After(g.ref.Add(-7 * 24 * time.Hour)) {
			end = g.ref.Add(-7 * 24 * time.Hour)
		}
		a.Stage = segment.Churned
		a.Churned = segment.Yes
	}

	sub := segment.Subscription{Plan: plans[p].name, Start: since, Monthly: monthly, Seats: seats}
	if a.Stage == segment.Churned {
		sub.End = end
	}
	// A fifth of long customers changed plan: an older, smaller contract.
	if life > 8 && r.IntN(5) == 0 && seats > 3 {
		change := since.Add(time.Duration((2 + (monthsBetween(since, end)-2)*r.Float64()) * float64(month))).Truncate(time.Second)
		if change.After(g.start) && change.Before(end) {
			old := segment.Subscription{Plan: plans[max(0, p-1)].name, Start: since, End: change, Seats: max(1, seats*2/3)}
			old.Monthly = math.Round(float64(old.Seats)*plans[max(0, p-1)].price*100) / 100
			sub.Start = change
			a.Subscriptions = append(a.Subscriptions, old)
		}
	}
	a.Subscriptions = append(a.Subscriptions, sub)

	from := since
	if from.Before(g.start) {
		from = g.start
	}
	g.orders(a, since, from, end, seats, lnEmp)
	g.usage(a, since, from, end, seats, trend, need)
	g.customerEvents(a, from, end, ticketRate, need)
}

func (g *gen) orders(a *segment.Account, since, from, end time.Time, seats int, lnEmp float64) {
	r := g.r
	if !end.After(from) {
		return
	}
	rate := 0.12 + 0.05*lnEmp // orders per month
	n := g.poisson(rate * monthsBetween(from, end))
	first := !since.Before(g.start) // the first order falls within the window
	if first {
		n++
	}
	if n == 0 {
		return
	}
	a.Orders = make([]segment.Order, 0, n+n/10+1)
	base := float64(seats) * 180
	for k := range n {
		var o segment.Order
		if k == 0 && first {
			o.Time = g.between(since, minTime(since.Add(72*time.Hour), end))
			o.ProductLine = productLines[0].name
		} else {
			o.Time = g.between(from, end)
		}
		l := 0
		if o.ProductLine == "" {
			l = g.pick(g.plCum)
			o.ProductLine = productLines[l].name
		}
		gross := math.Round(base*productLines[l].scale*math.Exp(0.6*r.NormFloat64()-0.18)*100) / 100
		gross = math.Max(gross, 50)
		o.Quantity = float64(max(1, int(float64(seats)*productLines[l].scale)))
		if r.Float64() < 0.2+0.1*clamp(lnEmp-4, 0, 3) {
			o.Discount = math.Round(gross*(0.05+0.2*r.Float64())*100) / 100
		}
		o.Amount = math.Round((gross-o.Discount)*100) / 100
		if r.Float64() < 0.7 {
			o.Margin = segment.N(math.Round(o.Amount*(productLines[l].margin+0.05*r.NormFloat64())*100) / 100)
		}
		a.Orders = append(a.Orders, o)
		if r.Float64() < 0.04 {
			ret := segment.Order{
				Time:        o.Time.Add(time.Duration(7+r.IntN(34)) * 24 * time.Hour),
				Amount:      math.Round(o.Amount*(0.2+0.8*r.Float64())*100) / 100,
				ProductLine: o.ProductLine,
				Return:      true,
			}
			if ret.Time.Before(g.ref) {
				a.Orders = append(a.Orders, ret)
			}
		}
	}
}

func (g *gen) usage(a *segment.Account, since, from, end time.Time, seats int, trend float64, need int) {
	r := g.r
	n := 0
	for _, m := range g.months {
		if !m.Before(from) && m.Before(end) {
			n++
		}
	}
	if n == 0 {
		return
	}
	// Adopted features: the need's own feature mostly, others sometimes.
	var adopted [4]bool
	adopted[need] = r.Float64() < 0.75
	for f := range adopted {
		if r.Float64() < 0.25 {
			adopted[f] = true
		}
	}
	nf := 0
	for _, ok := range adopted {
		if ok {
			nf++
		}
	}
	a.Usage = make([]segment.Usage, 0, n*(4+nf))
	util0 := clamp(0.45+0.2*r.NormFloat64(), 0.1, 1)
	noise := 0.0
	for _, m := range g.months {
		if m.Before(from) || !m.Before(end) {
			continue
		}
		age := monthsBetween(since, m)
		noise = 0.5*noise + 0.06*r.NormFloat64()
		util := clamp(util0*math.Exp(trend*age+noise), 0.01, 1)
		used := math.Max(0, math.Round(float64(seats)*util))
		active := math.Round(used * clamp(0.8+0.1*r.NormFloat64(), 0.3, 1))
		logins := math.Round(active * math.Max(0, 14+4*r.NormFloat64()))
		a.Usage = append(a.Usage,
			segment.Usage{Time: m, Metric: segment.MetricSeatsPurchased, Value: float64(seats)},
			segment.Usage{Time: m, Metric: segment.MetricSeatsUsed, Value: used},
			segment.Usage{Time: m, Metric: segment.MetricActiveUsers, Value: active},
			segment.Usage{Time: m, Metric: segment.MetricLogins, Value: logins},
		)
		for f, ok := range adopted {
			if ok {
				a.Usage = append(a.Usage, segment.Usage{Time: m, Metric: features[f], Value: math.Round(active * (1 + 3*r.Float64()))})
			}
		}
	}
}

func (g *gen) customerEvents(a *segment.Account, from, end time.Time, ticketRate float64, need int) {
	if !end.After(from) {
		return
	}
	span := monthsBetween(from, end)
	nt := g.poisson(ticketRate * span)
	for range nt {
		k := g.pick(g.ticketCum[need])
		a.Events = append(a.Events, segment.Event{Time: g.between(from, end), Kind: segment.EventTicket, Channel: "email", Topic: ticketTopics[k].topic, Text: ticketTopics[k].text})
	}
	nw := g.poisson(0.08 * span)
	for range nw {
		a.Events = append(a.Events, segment.Event{Time: g.between(from, end), Kind: segment.EventWebinar, Channel: "web", Topic: g.topic(need)})
	}
	nc := g.poisson(0.1 * span)
	for range nc {
		a.Events = append(a.Events, segment.Event{Time: g.between(from, end), Kind: segment.EventCall, Channel: "phone", Text: "Quarterly account review"})
	}
}

func (g *gen) survey(a *segment.Account, need, soph int, trend float64, customer bool) {
	r := g.r
	bias := 0.55 * r.NormFloat64()
	a.Survey = make(map[string]float64, 6)
	qs := [...]string{QuestionSecurity, QuestionIntegration, QuestionCost, QuestionEaseOfUse}
	for q, id := range qs {
		if r.Float64() < 0.08 {
			continue
		}
		v := 2.6 + 1.7*b2f(q == need) + bias + 0.6*r.NormFloat64()
		a.Survey[id] = clamp(math.Round(v), 1, 5)
	}
	if r.Float64() >= 0.08 {
		v := 2.4 + 0.3*float64(soph) + 0.6*b2f(need == 1) + bias + 0.6*r.NormFloat64()
		a.Survey[QuestionAnalytics] = clamp(math.Round(v), 1, 5)
	}
	if customer && r.Float64() >= 0.1 {
		v := 7.5 + 40*trend + 1.5*r.NormFloat64()
		a.Survey[QuestionNPS] = clamp(math.Round(v), 0, 10)
	}
	if len(a.Survey) == 0 {
		a.Survey = nil
	}
}

func (g *gen) blanks(a *segment.Account) {
	if g.blank(0.08) {
		a.Employees = segment.Num{}
	}
	if g.blank(0.15) {
		a.Revenue = segment.Num{}
	}
	if g.blank(0.30) {
		a.Growth = segment.Num{}
	}
	if g.blank(0.15) {
		a.Founded = 0
	}
	if g.blank(0.04) {
		a.Country, a.Region, a.City = "", "", ""
		delete(a.Text, "territory")
	} else if g.blank(0.06) {
		a.Region, a.City = "", ""
	}
	if g.blank(0.05) {
		a.Industry = ""
	}
	if g.blank(0.20) {
		a.NAICS = ""
	}
	if g.blank(0.10) {
		a.Type = segment.TypeUnknown
	}
	if g.blank(0.10) {
		a.Channel = ""
	}
	if g.blank(0.20) {
		a.LeadGrade = ""
	}
	if g.blank(0.05) {
		a.Technologies = nil
	}
	if len(a.Text) == 0 {
		a.Text = nil
	}
}
