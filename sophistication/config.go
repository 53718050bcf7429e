package sophistication

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/strataseg/strata/segment"
)

// Stage is one rung of the maturity ladder.
type Stage struct {
	// Slug names the stage in segment IDs ("sophistication/" + Slug) and in
	// the signal tables: lower-case letters, digits, '-' and '_', not
	// "unknown".
	Slug string `json:"slug"`
	// Name is what a person reads ("Evaluating solutions").
	Name string `json:"name"`
	// Description says in a sentence what the accounts at this stage have in
	// common; it becomes the Segment's Description.
	Description string `json:"description,omitempty"`
	// Guidance is the messaging advice for the stage: why the problem matters
	// for the unaware, how we differ for competitor users. Assignments carry
	// it as their last reason, and [Model.Guidance] returns it.
	Guidance string `json:"guidance,omitempty"`
}

// The slugs of the default ladder, least mature first.
const (
	Unaware    = "unaware"
	Manual     = "manual"
	Evaluating = "evaluating"
	Competitor = "competitor"
	Advanced   = "advanced"
)

// UnknownSlug is the slug of the segment of accounts with too little
// evidence to place on the ladder: "sophistication/unknown".
const UnknownSlug = "unknown"

// DefaultStages returns the default five-stage ladder, least mature first.
func DefaultStages() []Stage {
	return []Stage{
		{Slug: Unaware, Name: "Unaware",
			Description: "Has not met the problem yet, or does not see it as one: no tool for it, often a young or small firm.",
			Guidance:    "Tell them why: show the cost of the problem they will meet as they grow, with a peer's story; do not pitch features yet."},
		{Slug: Manual, Name: "Problem-aware, working manually",
			Description: "Feels the problem and works around it by hand, with spreadsheets, paper or e-mail.",
			Guidance:    "Tell them why now: quantify the hours and errors of the manual process and show the first step off spreadsheets."},
		{Slug: Evaluating, Name: "Evaluating solutions",
			Description: "Has outgrown manual work, patches it with point tools, and is looking at dedicated solutions.",
			Guidance:    "Help them choose: comparisons, ROI, a trial or a demo on their own data; make the buying criteria ours."},
		{Slug: Competitor, Name: "Using an alternative or a competitor",
			Description: "Already solves the problem with a competitor's product or an alternative suite.",
			Guidance:    "Tell them how we differ: where we beat their current product, what switching costs and how we carry it."},
		{Slug: Advanced, Name: "Advanced user, ready for more",
			Description: "Runs a mature, integrated stack for the problem (or our product) and asks for more.",
			Guidance:    "Offer more: integrations, automation, advanced modules and an expert contact; speak their technical language."},
	}
}

// TechClass is one class of the technologies table: the technologies whose
// names contain one of Keywords point to Stage.
type TechClass struct {
	// Name names the class in reasons ("manual tools", "competitor product").
	Name string `json:"name"`
	// Stage is the slug of the ladder stage the class points to.
	Stage string `json:"stage"`
	// Strength is how much one matching technology counts when an account's
	// technologies fall in several classes (see the package doc); it must
	// be > 0.
	Strength float64 `json:"strength"`
	// Keywords match technology names case-insensitively, as whole words
	// ("paper" matches "Paper forms" but not "Paperless Inc").
	Keywords []string `json:"keywords,omitempty"`
}

// The names of the default technology classes. [Config.Competitors] add
// keywords to the class named ClassCompetitor and [Config.OurProducts] to
// ClassOurs; both classes are created (at the competitor and advanced
// stages) when the table lacks them.
const (
	ClassManual     = "manual tools"
	ClassPoint      = "point tools"
	ClassStack      = "integrated data stack"
	ClassCompetitor = "competitor product"
	ClassOurs       = "our product"
)

// DefaultTechnologies returns the default technologies table: manual tools
// point to [Manual], point tools to [Evaluating], an integrated data stack to
// [Advanced]. The competitor and own-product classes come from
// [Config.Competitors] and [Config.OurProducts].
func DefaultTechnologies() []TechClass {
	return []TechClass{
		{Name: ClassManual, Stage: Manual, Strength: 1, Keywords: []string{
			"excel", "spreadsheet", "spreadsheets", "google sheets", "libreoffice calc", "csv",
			"paper", "paper forms", "paper archives", "filing cabinet", "fax",
			"e-mail", "email", "whiteboard"}},
		{Name: ClassPoint, Stage: Evaluating, Strength: 1, Keywords: []string{
			"hubspot", "trello", "quickbooks", "xero", "mailchimp", "zapier", "airtable",
			"pipedrive", "asana", "monday.com", "notion", "zoho", "freshdesk", "zendesk",
			"basecamp", "calendly", "typeform"}},
		{Name: ClassStack, Stage: Advanced, Strength: 1.5, Keywords: []string{
			"snowflake", "databricks", "bigquery", "redshift", "fivetran", "dbt",
			"mulesoft", "boomi", "workato", "okta", "auth0", "tableau", "power bi", "looker"}},
	}
}

// Band is one band of a numeric signal: values from From (inclusive) up to
// the next band's From point to Stage.
type Band struct {
	From  float64 `json:"from"`
	Stage string  `json:"stage"`
}

// DefaultSize returns the default employee bands: under 10 [Unaware], 10 to
// 49 [Manual], 50 to 249 [Evaluating], 250 and more [Competitor].
func DefaultSize() []Band {
	return []Band{{0, Unaware}, {10, Manual}, {50, Evaluating}, {250, Competitor}}
}

// DefaultAge returns the default company-age bands, in years since
// founding: under 3 [Unaware], 3 to 9 [Manual], 10 and more [Evaluating].
func DefaultAge() []Band {
	return []Band{{0, Unaware}, {3, Manual}, {10, Evaluating}}
}

// Question maps one survey question (self-assessment or questionnaire) onto
// the ladder: an answer of Min points to the first stage, Max to the last,
// and the answers between linearly to the stages between.
type Question struct {
	// Key is the question's key in Account.Survey.
	Key string `json:"key"`
	// Min and Max are the ends of the answer scale, Min < Max. An answer
	// outside them is refused with a *segment.FieldError.
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	// Weight weighs the question against the account's other answered
	// questions; 0 means 1.
	Weight float64 `json:"weight,omitempty"`
	// Reverse maps Min to the last stage and Max to the first.
	Reverse bool `json:"reverse,omitempty"`
}

// DefaultSurvey returns the default questionnaire: "maturity_self", a
// self-assessment from 1 (we have not thought about it) to 5 (we run an
// advanced, integrated setup).
func DefaultSurvey() []Question {
	return []Question{{Key: "maturity_self", Min: 1, Max: 5}}
}

// Topic is one class of a topic table: events whose Topic or Text contains
// one of Keywords point to Stage. An event counts for the first class it
// matches, in table order.
type Topic struct {
	// Name names the class in reasons ("advanced", "beginner").
	Name string `json:"name"`
	// Stage is the slug of the ladder stage the class points to.
	Stage string `json:"stage"`
	// Keywords match case-insensitively, as whole words.
	Keywords []string `json:"keywords"`
}

// DefaultContent returns the default content-depth table: advanced topics
// (API, integrations, SSO…) point to [Advanced], evaluation topics (pricing,
// ROI, comparisons…) to [Evaluating], beginner topics (getting started,
// "what is"…) to [Manual].
func DefaultContent() []Topic {
	return []Topic{
		{Name: "advanced", Stage: Advanced, Keywords: []string{
			"api", "apis", "integration", "integrations", "sso", "single sign-on", "saml", "scim",
			"webhook", "webhooks", "data migration", "sandbox", "automation", "architecture",
			"data warehouse", "etl", "advanced", "custom fields", "developer", "developers"}},
		{Name: "evaluation", Stage: Evaluating, Keywords: []string{
			"pricing", "price", "roi", "total cost of ownership", "tco", "comparison", "compare",
			"vs", "versus", "alternative", "alternatives", "case study", "case studies", "demo",
			"buyer's guide", "buyers guide", "evaluation", "rfp", "checklist"}},
		{Name: "beginner", Stage: Manual, Keywords: []string{
			"getting started", "what is", "introduction", "intro", "basics", "beginner",
			"beginners", "101", "why", "onboarding", "template", "templates", "spreadsheet"}},
	}
}

// DefaultTickets returns the default support-question table: advanced
// questions (API, integration, SSO, ERP sync…) point to [Advanced], basic
// "how do I" questions to [Manual].
func DefaultTickets() []Topic {
	return []Topic{
		{Name: "advanced", Stage: Advanced, Keywords: []string{
			"api", "integration", "integrations", "sso", "single sign-on", "saml", "scim",
			"webhook", "webhooks", "erp", "bulk", "sandbox", "two-factor", "2fa", "audit",
			"soc 2", "data processing agreement", "custom fields", "sync"}},
		{Name: "basic", Stage: Manual, Keywords: []string{
			"how do i", "how to", "how can i", "cannot find", "can't find", "where is",
			"password", "reset", "getting started", "button", "tutorial"}},
	}
}

// Activity maps an event kind to a stage: an account with such events points
// to Stage.
type Activity struct {
	Kind  string `json:"kind"`
	Stage string `json:"stage"`
}

// DefaultActivity returns the default activity table: demo requests and
// trials point to [Evaluating].
func DefaultActivity() []Activity {
	return []Activity{{segment.EventDemoRequest, Evaluating}, {segment.EventTrial, Evaluating}}
}

// DefaultContentKinds returns the event kinds read as content consumed:
// content, webinars, page views and e-mails.
func DefaultContentKinds() []string {
	return []string{segment.EventContent, segment.EventWebinar, segment.EventPageView, segment.EventEmail}
}

// DefaultTicketKinds returns the event kinds read as support questions:
// support tickets.
func DefaultTicketKinds() []string { return []string{segment.EventTicket} }

// The signals, as keys of [Config.Weights] and as the Field of reasons.
const (
	SignalTechnologies = "technologies" // the technologies table
	SignalNoTools      = "no_tools"     // technologies listed, none in the table
	SignalSize         = "employees"    // employee bands
	SignalAge          = "founded"      // company-age bands
	SignalSurvey       = "survey"       // questionnaire answers
	SignalContent      = "content"      // depth of content consumed
	SignalTickets      = "tickets"      // complexity of support questions
	SignalActivity     = "activity"     // buying activity (demo requests, trials)
)

// Signals returns the signals, in the order reasons break ties.
func Signals() []string { return slices.Clone(signals) }

// signalOrder lists the signals in the order of [Signals]; the sig*
// constants index it.
var signalOrder = [...]string{SignalTechnologies, SignalNoTools, SignalSurvey, SignalContent, SignalTickets, SignalActivity, SignalSize, SignalAge}

var signals = signalOrder[:]

// DefaultWeights returns the default weight of each signal: technologies 3,
// survey 2, content 1.5, tickets 1.5, activity 1, no tools 1, employees 0.5,
// founded 0.5. Event signals reach their weight at [Config.Saturation]
// matching events.
func DefaultWeights() map[string]float64 {
	return map[string]float64{
		SignalTechnologies: 3, SignalNoTools: 1, SignalSize: 0.5, SignalAge: 0.5,
		SignalSurvey: 2, SignalContent: 1.5, SignalTickets: 1.5, SignalActivity: 1,
	}
}

// Defaults of the numeric settings.
const (
	DefaultMinWeight   = 1.5
	DefaultFullWeight  = 4
	DefaultConflictGap = 2
	DefaultSaturation  = 3
)

// Config configures the maturity model. It is plain data; the zero value
// works: the default ladder, tables and weights, with no competitor and no
// own product named.
type Config struct {
	// Stages is the ladder, least mature first, at least 2 stages; nil:
	// [DefaultStages]. A custom ladder needs its own tables: every table's
	// stages must be slugs of the ladder.
	Stages []Stage `json:"stages,omitempty"`

	// Technologies classifies Account.Technologies; nil:
	// [DefaultTechnologies].
	Technologies []TechClass `json:"technologies,omitempty"`
	// Competitors names the competitors' products ("Corvana Suite"); they
	// join the class [ClassCompetitor].
	Competitors []string `json:"competitors,omitempty"`
	// OurProducts names the user's own products; they join the class
	// [ClassOurs].
	OurProducts []string `json:"our_products,omitempty"`
	// NoToolsStage is where an account points whose technologies are listed
	// but none is in the table; "": the first stage.
	NoToolsStage string `json:"no_tools_stage,omitempty"`

	// Size bands Account.Employees; nil: [DefaultSize]. Bands are in
	// increasing order of From, the first From 0.
	Size []Band `json:"size,omitempty"`
	// Age bands the company's age in years (AsOfYear − Founded); nil:
	// [DefaultAge].
	Age []Band `json:"age,omitempty"`
	// AsOfYear is the year ages are measured at; 0: the latest year of any
	// event, order, usage record or subscription start in the fit data (or,
	// with none, the latest founding year), stored in the Model. The clock
	// is never read.
	AsOfYear int `json:"as_of_year,omitempty"`

	// Survey maps questionnaire answers onto the ladder; nil:
	// [DefaultSurvey].
	Survey []Question `json:"survey,omitempty"`

	// Content classifies the topics of content consumed; nil:
	// [DefaultContent].
	Content []Topic `json:"content,omitempty"`
	// ContentKinds are the event kinds read as content; nil:
	// [DefaultContentKinds].
	ContentKinds []string `json:"content_kinds,omitempty"`
	// Tickets classifies support questions; nil: [DefaultTickets].
	Tickets []Topic `json:"tickets,omitempty"`
	// TicketKinds are the event kinds read as support questions; nil:
	// [DefaultTicketKinds].
	TicketKinds []string `json:"ticket_kinds,omitempty"`
	// Activity maps event kinds to stages; nil: [DefaultActivity].
	Activity []Activity `json:"activity,omitempty"`

	// Weights maps a signal (see [Signals]) to its weight, finite and ≥ 0;
	// a signal absent from the map has its [DefaultWeights] weight, and 0
	// turns it off.
	Weights map[string]float64 `json:"weights,omitempty"`
	// Saturation is the number of matching events at which an event signal
	// (content, tickets, activity) reaches its full weight; fewer events
	// weigh proportionally less. 0: [DefaultSaturation].
	Saturation int `json:"saturation,omitempty"`
	// MinWeight is the total weight of evidence below which an account is
	// placed in the unknown segment; 0: [DefaultMinWeight].
	MinWeight float64 `json:"min_weight,omitempty"`
	// FullWeight is the total weight at which the evidence is deemed
	// sufficient: the confidence is scaled by min(1, weight/FullWeight);
	// 0: [DefaultFullWeight]. It must not be below MinWeight.
	FullWeight float64 `json:"full_weight,omitempty"`
	// ConflictGap is the distance, in stages, from the stage chosen at which
	// a signal's evidence is reported as contradictory; 0:
	// [DefaultConflictGap].
	ConflictGap int `json:"conflict_gap,omitempty"`

	// Clusters, when ≥ 2, turns on the learned variant: Fit clusters the
	// accounts' evidence into Clusters k-means clusters ordered by maturity
	// (see the package doc), and Assign places an account by its nearest
	// cluster instead of by its most voted stage; as many clusters as
	// stages is a good start. 0: the rule model.
	Clusters int `json:"clusters,omitempty"`
	// Seed seeds the learned variant's k-means; the same Seed gives the same
	// Model.
	Seed uint64 `json:"seed,omitempty"`
	// Workers is the number of goroutines of the learned variant's k-means;
	// 0: GOMAXPROCS. It has no effect on the Model.
	Workers int `json:"workers,omitempty"`
	// Progress, when not nil, is called as the learned variant's k-means
	// advances; nil: silent.
	Progress func(segment.Progress) `json:"-"`
}

// resolved returns the Config with every default filled in and the
// competitor and own-product classes merged into the technologies table,
// with slices and maps copied.
func (c Config) resolved() Config {
	r := c
	r.Stages = orDefault(c.Stages, DefaultStages)
	r.Technologies = cloneClasses(orDefault(c.Technologies, DefaultTechnologies))
	r.Size = orDefault(c.Size, DefaultSize)
	r.Age = orDefault(c.Age, DefaultAge)
	r.Survey = orDefault(c.Survey, DefaultSurvey)
	for i := range r.Survey {
		if r.Survey[i].Weight == 0 {
			r.Survey[i].Weight = 1
		}
	}
	r.Content = cloneTopics(orDefault(c.Content, DefaultContent))
	r.Tickets = cloneTopics(orDefault(c.Tickets, DefaultTickets))
	r.ContentKinds = orDefault(c.ContentKinds, DefaultContentKinds)
	r.TicketKinds = orDefault(c.TicketKinds, DefaultTicketKinds)
	r.Activity = orDefault(c.Activity, DefaultActivity)
	r.Weights = DefaultWeights()
	maps.Copy(r.Weights, c.Weights)
	if r.Saturation == 0 {
		r.Saturation = DefaultSaturation
	}
	if r.MinWeight == 0 {
		r.MinWeight = DefaultMinWeight
	}
	if r.FullWeight == 0 {
		r.FullWeight = max(DefaultFullWeight, r.MinWeight)
	}
	if r.ConflictGap == 0 {
		r.ConflictGap = DefaultConflictGap
	}
	if r.NoToolsStage == "" && len(r.Stages) > 0 {
		r.NoToolsStage = r.Stages[0].Slug
	}
	last := ""
	if len(r.Stages) > 0 {
		last = r.Stages[len(r.Stages)-1].Slug
	}
	merge := func(class, stage string, strength float64, names []string) {
		if len(names) == 0 {
			return
		}
		i := slices.IndexFunc(r.Technologies, func(t TechClass) bool { return t.Name == class })
		if i < 0 {
			r.Technologies = append(r.Technologies, TechClass{Name: class, Stage: stage, Strength: strength})
			i = len(r.Technologies) - 1
		}
		for _, n := range names {
			if !slices.Contains(r.Technologies[i].Keywords, n) {
				r.Technologies[i].Keywords = append(r.Technologies[i].Keywords, n)
			}
		}
	}
	competitorStage := Competitor
	if c.Stages != nil && len(r.Stages) > 1 {
		competitorStage = r.Stages[len(r.Stages)-2].Slug
	}
	merge(ClassCompetitor, competitorStage, 3, c.Competitors)
	merge(ClassOurs, last, 4, c.OurProducts)
	r.Competitors, r.OurProducts = nil, nil
	return r
}

func orDefault[T any](s []T, def func() []T) []T {
	if s == nil {
		return def()
	}
	return slices.Clone(s)
}

func cloneClasses(s []TechClass) []TechClass {
	s = slices.Clone(s)
	for i := range s {
		s[i].Keywords = slices.Clone(s[i].Keywords)
	}
	return s
}

func cloneTopics(s []Topic) []Topic {
	s = slices.Clone(s)
	for i := range s {
		s[i].Keywords = slices.Clone(s[i].Keywords)
	}
	return s
}

// clone copies the Config's slices and maps.
func (c Config) clone() Config {
	r := c
	r.Stages = slices.Clone(c.Stages)
	if c.Technologies != nil {
		r.Technologies = cloneClasses(c.Technologies)
	}
	r.Competitors = slices.Clone(c.Competitors)
	r.OurProducts = slices.Clone(c.OurProducts)
	r.Size = slices.Clone(c.Size)
	r.Age = slices.Clone(c.Age)
	r.Survey = slices.Clone(c.Survey)
	if c.Content != nil {
		r.Content = cloneTopics(c.Content)
	}
	if c.Tickets != nil {
		r.Tickets = cloneTopics(c.Tickets)
	}
	r.ContentKinds = slices.Clone(c.ContentKinds)
	r.TicketKinds = slices.Clone(c.TicketKinds)
	r.Activity = slices.Clone(c.Activity)
	r.Weights = maps.Clone(c.Weights)
	return r
}

// Validate reports every problem in the Config, each naming the field and
// value and wrapping [segment.ErrInvalidConfig], joined with errors.Join.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("sophistication: config %s: %s: %w", field, fmt.Sprintf(format, args...), segment.ErrInvalidConfig))
	}
	if c.Stages != nil && len(c.Stages) < 2 {
		bad("stages", "%d stages, at least 2 needed", len(c.Stages))
	}
	for i, s := range c.Stages {
		f := fmt.Sprintf("stages[%d]", i)
		if !validSlug(s.Slug) {
			bad(f+".slug", "%q is not a slug (lower-case letters, digits, '-', '_')", s.Slug)
		} else if s.Slug == UnknownSlug {
			bad(f+".slug", "%q is reserved for accounts with too little evidence", s.Slug)
		}
		if strings.TrimSpace(s.Name) == "" {
			bad(f+".name", "is empty")
		}
		for j := range i {
			if c.Stages[j].Slug == s.Slug && s.Slug != "" {
				bad(f+".slug", "%q is also stages[%d]", s.Slug, j)
			}
		}
	}
	for i, n := range c.Competitors {
		if strings.TrimSpace(n) == "" {
			bad(fmt.Sprintf("competitors[%d]", i), "is empty")
		}
	}
	for i, n := range c.OurProducts {
		if strings.TrimSpace(n) == "" {
			bad(fmt.Sprintf("our_products[%d]", i), "is empty")
		}
	}
	for k, v := range c.Weights {
		if !slices.Contains(signals, k) {
			bad("weights", "%q is not a signal (%s)", k, strings.Join(signals, ", "))
		} else if !finite(v) || v < 0 {
			bad("weights["+k+"]", "is %v, not a finite weight ≥ 0", v)
		}
	}
	if c.Saturation < 0 {
		bad("saturation", "is negative (%d)", c.Saturation)
	}
	if !finite(c.MinWeight) || c.MinWeight < 0 {
		bad("min_weight", "is %v, not a finite weight ≥ 0", c.MinWeight)
	}
	if !finite(c.FullWeight) || c.FullWeight < 0 {
		bad("full_weight", "is %v, not a finite weight ≥ 0", c.FullWeight)
	} else if c.FullWeight != 0 && c.FullWeight < c.MinWeight {
		bad("full_weight", "is %v, below min_weight %v", c.FullWeight, c.MinWeight)
	}
	if c.ConflictGap < 0 {
		bad("conflict_gap", "is negative (%d)", c.ConflictGap)
	}
	if c.Clusters < 0 || c.Clusters == 1 {
		bad("clusters", "is %d, not 0 (rules) or at least 2", c.Clusters)
	}
	if c.Workers < 0 {
		bad("workers", "is negative (%d)", c.Workers)
	}
	for i, k := range c.ContentKinds {
		if k == "" {
			bad(fmt.Sprintf("content_kinds[%d]", i), "is empty")
		}
	}
	for i, k := range c.TicketKinds {
		if k == "" {
			bad(fmt.Sprintf("ticket_kinds[%d]", i), "is empty")
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	// The tables are checked against the ladder once the defaults are in.
	return c.resolved().validateTables()
}

// validateTables checks a resolved Config's tables against its ladder.
func (r Config) validateTables() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("sophistication: config %s: %s: %w", field, fmt.Sprintf(format, args...), segment.ErrInvalidConfig))
	}
	stages := make(map[string]bool, len(r.Stages))
	for _, s := range r.Stages {
		stages[s.Slug] = true
	}
	stage := func(field, slug string) {
		if !stages[slug] {
			bad(field, "%q is not a stage of the ladder", slug)
		}
	}
	keywords := func(field string, kws []string) {
		for j, k := range kws {
			if strings.TrimSpace(k) == "" {
				bad(fmt.Sprintf("%s.keywords[%d]", field, j), "is empty")
			}
		}
	}
	stage("no_tools_stage", r.NoToolsStage)
	for i, t := range r.Technologies {
		f := fmt.Sprintf("technologies[%d]", i)
		if strings.TrimSpace(t.Name) == "" {
			bad(f+".name", "is empty")
		}
		stage(f+".stage", t.Stage)
		if !finite(t.Strength) || t.Strength <= 0 {
			bad(f+".strength", "is %v, not a finite number > 0", t.Strength)
		}
		keywords(f, t.Keywords)
	}
	bands := func(name string, bs []Band) {
		for i, b := range bs {
			f := fmt.Sprintf("%s[%d]", name, i)
			stage(f+".stage", b.Stage)
			switch {
			case !finite(b.From):
				bad(f+".from", "is %v", b.From)
			case i == 0 && b.From != 0:
				bad(f+".from", "is %v; the first band starts at 0", b.From)
			case i > 0 && b.From <= bs[i-1].From:
				bad(f+".from", "is %v, not above the previous band's %v", b.From, bs[i-1].From)
			}
		}
	}
	bands("size", r.Size)
	bands("age", r.Age)
	for i, q := range r.Survey {
		f := fmt.Sprintf("survey[%d]", i)
		if q.Key == "" {
			bad(f+".key", "is empty")
		}
		if !finite(q.Min) || !finite(q.Max) || q.Min >= q.Max {
			bad(f, "scale %v to %v is not finite and increasing", q.Min, q.Max)
		}
		if !finite(q.Weight) || q.Weight < 0 {
			bad(f+".weight", "is %v, not a finite weight ≥ 0", q.Weight)
		}
		for j := range i {
			if r.Survey[j].Key == q.Key {
				bad(f+".key", "%q is also survey[%d]", q.Key, j)
			}
		}
	}
	topics := func(name string, ts []Topic) {
		for i, t := range ts {
			f := fmt.Sprintf("%s[%d]", name, i)
			if strings.TrimSpace(t.Name) == "" {
				bad(f+".name", "is empty")
			}
			stage(f+".stage", t.Stage)
			keywords(f, t.Keywords)
		}
	}
	topics("content", r.Content)
	topics("tickets", r.Tickets)
	for i, a := range r.Activity {
		f := fmt.Sprintf("activity[%d]", i)
		if a.Kind == "" {
			bad(f+".kind", "is empty")
		}
		stage(f+".stage", a.Stage)
	}
	for k, v := range r.Weights {
		if !slices.Contains(signals, k) || !finite(v) || v < 0 {
			bad("weights["+k+"]", "is %v", v)
		}
	}
	if r.Saturation < 1 || r.ConflictGap < 1 || !finite(r.MinWeight) || !finite(r.FullWeight) || r.FullWeight < r.MinWeight || r.MinWeight < 0 {
		bad("settings", "saturation %d, conflict gap %d, weights %v to %v", r.Saturation, r.ConflictGap, r.MinWeight, r.FullWeight)
	}
	return errors.Join(errs...)
}

func validSlug(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
