package needs

import (
	"fmt"
	"slices"
	"strings"

	"github.com/strataseg/strata/segment"
)

// Need is one need of the taxonomy: what it is called and the evidence that
// signals it.
type Need struct {
	// ID is the need's stable identifier, lower-case letters, digits, "_"
	// and "-" ("security"); segment IDs and Scores keys are built from it.
	ID string `json:"id"`
	// Name is what a person reads ("Security & compliance"); "" means ID.
	Name string `json:"name,omitempty"`
	// Questions are the survey questions (keys of Account.Survey) that ask
	// how much the need matters. A question belongs to one need only.
	Questions []Question `json:"questions,omitempty"`
	// Topics are the event topics (Event.Topic) that signal the need,
	// matched ignoring case, accents and surrounding white space. A topic
	// may signal several needs.
	Topics []string `json:"topics,omitempty"`
	// Keywords maps a language ("en", "de", "fr"…; any label) to the words
	// and phrases that signal the need in free text. A keyword is matched
	// on whole words ignoring case and accents; a trailing "*" matches any
	// word starting with it ("integrat*"); several words match as a phrase
	// ("single sign-on"). The language only groups the lists: every list is
	// matched against every text.
	Keywords map[string][]string `json:"keywords,omitempty"`
}

// Label returns Name, or ID when Name is empty.
func (n Need) Label() string {
	if n.Name != "" {
		return n.Name
	}
	return n.ID
}

// Question is one survey question of a need.
type Question struct {
	// Key is the question's key in Account.Survey ("importance_security").
	Key string `json:"key"`
	// Scale is the answer scale; the zero value is [Likert5].
	Scale Scale `json:"scale,omitempty"`
	// Label is how reasons name the question; "" means Key.
	Label string `json:"label,omitempty"`
}

// Scale is the scale of a survey question's answers. The zero value is
// [Likert5]. Scales marshal as text ("likert5", "rating10", "maxdiff").
//
// A respondent's answers are standardized within each scale they answered
// (see the package doc), so that questions of different scales never mix.
type Scale uint8

// The scales.
const (
	// Likert5 is an importance or agreement rating from 1 to 5.
	Likert5 Scale = iota
	// Rating10 is a rating from 0 to 10.
	Rating10
	// MaxDiff is a best–worst scaling score (Louviere, Flynn and Marley
	// 2015, "Best-Worst Scaling"), any finite number: a count difference, a
	// share or a utility, larger meaning more important.
	MaxDiff
)

var scaleNames = [...]string{"likert5", "rating10", "maxdiff"}

func (s Scale) valid() bool { return int(s) < len(scaleNames) }

// String returns the scale's name.
func (s Scale) String() string {
	if !s.valid() {
		return fmt.Sprintf("Scale(%d)", int(s))
	}
	return scaleNames[s]
}

// MarshalText encodes the scale's name.
func (s Scale) MarshalText() ([]byte, error) {
	if !s.valid() {
		return nil, fmt.Errorf("needs: invalid scale %d", int(s))
	}
	return []byte(scaleNames[s]), nil
}

// UnmarshalText decodes a scale's name, any case; "" is [Likert5].
func (s *Scale) UnmarshalText(b []byte) error {
	v := strings.ToLower(strings.TrimSpace(string(b)))
	if v == "" {
		*s = Likert5
		return nil
	}
	i := slices.Index(scaleNames[:], v)
	if i < 0 {
		return fmt.Errorf("needs: %q is not a scale (%s): %w", b, strings.Join(scaleNames[:], ", "), segment.ErrInvalidConfig)
	}
	*s = Scale(i)
	return nil
}

// bounds returns the range of answers the scale accepts.
func (s Scale) bounds() (lo, hi float64, bounded bool) {
	switch s {
	case Likert5:
		return 1, 5, true
	case Rating10:
		return 0, 10, true
	}
	return 0, 0, false
}

// DefaultNeeds returns the default taxonomy for B2B software and
// distribution: nine needs, each with a Likert 1–5 importance question
// "importance_<id>", content topics, and English keywords; cost, security,
// integration, ease of use and support also have German, French and Spanish
// keywords. Its IDs, questions and topics match the needs that
// segmenttest.Generate plants (security, integration, cost, ease_of_use).
// Each call returns a fresh copy.
func DefaultNeeds() []Need {
	q := func(id, label string) []Question {
		return []Question{{Key: "importance_" + id, Label: label}}
	}
	return []Need{
		{
			ID: "cost", Name: "Cost saving",
			Questions: q("cost", "importance of cost"),
			Topics:    []string{"pricing", "ROI", "total cost of ownership", "billing", "budget", "discount"},
			Keywords: map[string][]string{
				"en": {"cost*", "expensive", "cheap*", "price*", "pricing", "budget*", "discount*", "roi", "save money", "saving*", "afford*", "invoice*", "license fee*", "licence fee*"},
				"de": {"kosten*", "teuer", "preis*", "budget*", "rabatt*", "einspar*", "günstig*"},
				"fr": {"coût*", "cher", "chère", "prix", "budget*", "remise*", "économi*", "tarif*"},
				"es": {"costo*", "coste*", "caro", "precio*", "presupuesto*", "descuento*", "ahorr*"},
			},
		},
		{
			ID: "performance", Name: "Performance & productivity",
			Questions: q("performance", "importance of performance"),
			Topics:    []string{"performance", "productivity", "automation", "efficiency", "speed"},
			Keywords: map[string][]string{
				"en": {"slow*", "fast*", "faster", "speed*", "performance", "productiv*", "automat*", "efficien*", "take minutes", "takes minutes", "time saving*", "latency"},
			},
		},
		{
			ID: "security", Name: "Security & compliance",
			Questions: q("security", "importance of security"),
			Topics:    []string{"security", "compliance", "data privacy", "access", "gdpr"},
			Keywords: map[string][]string{
				"en": {"secur*", "sso", "single sign-on", "two-factor", "2fa", "mfa", "audit log*", "compliance", "complian*", "soc 2", "iso 27001", "gdpr", "hipaa", "privacy", "encrypt*", "data processing agreement", "permission*"},
				"de": {"sicherheit*", "datenschutz*", "verschlüssel*", "dsgvo", "zugriffsrecht*", "revisionssicher*"},
				"fr": {"sécurité", "confidentialité", "chiffrement", "rgpd", "conformité"},
				"es": {"seguridad", "privacidad", "cifrado", "cumplimiento", "rgpd"},
			},
		},
		{
			ID: "ease_of_use", Name: "Ease of use",
			Questions: q("ease_of_use", "importance of ease of use"),
			Topics:    []string{"ease of use", "onboarding", "getting started", "how-to", "training"},
			Keywords: map[string][]string{
				"en": {"easy", "easier", "ease of use", "intuitive", "user-friendly", "user friendly", "simple", "without training", "learning curve", "how do i", "cannot find", "onboard*", "pick up"},
				"de": {"einfach*", "benutzerfreundlich*", "intuitiv*", "ohne schulung"},
				"fr": {"facile*", "simple*", "intuiti*", "prise en main", "ergonom*"},
				"es": {"fácil*", "sencill*", "intuitiv*", "facilidad de uso"},
			},
		},
		{
			ID: "integration", Name: "Integration",
			Questions: q("integration", "importance of integration"),
			Topics:    []string{"integrations", "integration", "API", "data migration"},
			Keywords: map[string][]string{
				"en": {"integrat*", "api", "apis", "connect*", "erp", "sync*", "webhook*", "import*", "export*", "data warehouse", "migrat*", "interoperab*"},
				"de": {"schnittstelle*", "integration*", "anbindung*", "erp", "datenmigration*"},
				"fr": {"intégration*", "interface*", "connecteur*", "erp", "migration*"},
				"es": {"integración*", "conector*", "erp", "migración*"},
			},
		},
		{
			ID: "support", Name: "Support & service",
			Questions: q("support", "importance of support"),
			Topics:    []string{"support", "customer success", "service", "account review"},
			Keywords: map[string][]string{
				"en": {"support", "help desk", "helpdesk", "response time", "account manager", "customer success", "sla", "account review"},
				"de": {"kundendienst*", "support", "ansprechpartner*", "service*"},
				"fr": {"assistance", "support", "service client", "accompagnement"},
				"es": {"soporte", "asistencia", "atención al cliente"},
			},
		},
		{
			ID: "scalability", Name: "Scalability",
			Questions: q("scalability", "importance of scalability"),
			Topics:    []string{"scalability", "enterprise", "growth", "multi-site"},
			Keywords: map[string][]string{
				"en": {"scal*", "grow*", "more users", "large accounts", "multi-site", "multi-entity", "volume*", "thousands of"},
			},
		},
		{
			ID: "reliability", Name: "Reliability",
			Questions: q("reliability", "importance of reliability"),
			Topics:    []string{"reliability", "uptime", "bug", "outage"},
			Keywords: map[string][]string{
				"en": {"reliab*", "uptime", "downtime", "outage*", "bug*", "crash*", "does not load", "error*", "fails", "twice", "stable", "stability"},
			},
		},
		{
			ID: "analytics", Name: "Reporting & analytics",
			Questions: q("analytics", "importance of analytics"),
			Topics:    []string{"analytics", "reporting", "dashboards", "business intelligence"},
			Keywords: map[string][]string{
				"en": {"report*", "dashboard*", "analytic*", "insight*", "kpi*", "forecast*", "bi"},
			},
		},
	}
}
