// Package needs segments accounts by what they want from the product — lower
// cost, performance, security, ease of use, integration, support — inferred
// from survey answers, the topics of the content they engage with, and free
// text.
//
// # Taxonomy
//
// A taxonomy ([Need]) names each need with the survey questions that ask
// about it (with their [Scale]), the event topics that signal it, and
// keywords per language. [DefaultNeeds] is a taxonomy for B2B software
// and distribution (cost saving, performance and productivity, security and
// compliance, ease of use, integration, support and service, scalability,
// reliability, reporting and analytics), with German, French and Spanish
// keywords beside the English ones for five of them.
//
// # Evidence and the need profile
//
// Each account's evidence becomes points per need; the need profile is each
// need's share of the points, and its confidence 1 − exp(−points /
// Config.EvidenceScale) says how much evidence there is.
//
//   - Survey answers are standardized per respondent and per scale
//     (ipsatized: the respondent's mean is subtracted and the difference
//     divided by the respondent's standard deviation, so that a respondent
//     who rates everything high and one who rates everything low but rank
//     the needs alike get the same profile; Cunningham, Cunningham and
//     Green 1977, "The ipsative process to reduce response set bias",
//     Public Opinion Quarterly 41(3)). An answer z standard deviations
//     above the mean gives its need Config.SurveyWeight·z points (averaged
//     over the need's questions); answers at or below the mean give none.
//     A respondent whose answers on a scale are all equal (a
//     straight-liner) or who answered one question of it gives that scale
//     no points: such answers carry no relative preference, and the
//     assignment says so in a reason rather than reading a need into them.
//   - Events whose topic is one of a need's topics give it the weight of
//     their kind (Config.KindWeights over [DefaultKindWeights]: a demo
//     request 5, a page view 0.25), halved every Config.HalfLifeDays of
//     age before the as-of date. A topic of several needs is shared.
//   - Free text — event texts (form answers, call notes, ticket subjects),
//     event topics that name no need, and the Account.Text fields listed in
//     Config.TextFields — is matched against the keywords of every language.
//     Each keyword found weighs (1 + ln count)·idf, with the smoothed
//     inverse document frequency learned at Fit over all the texts read
//     (Spärck Jones 1972, "A statistical interpretation of term specificity
//     and its application in retrieval", Journal of Documentation 28(1);
//     Salton and Buckley 1988, "Term-weighting approaches in automatic text
//     retrieval", Information Processing & Management 24(5)), so that a
//     keyword found everywhere counts for less; a text's points (its event
//     kind's weight, decayed, or the field's weight) are shared among the
//     needs in proportion. Case and accents are ignored.
//
// # Segments
//
// With [Dominant] (the default), an account goes to its top need's segment
// when that need holds at least Config.MinShare of the points and leads the
// second by Config.MinMargin; otherwise to the "mixed" segment of its top
// two needs. With [Learned], the profiles of the accounts with evidence are
// clustered with k-means (package segment/cluster, k chosen by its vote
// unless Config.K is set), after a principal-component projection (gonum's
// stat.PC) when the taxonomy is wide — a long survey battery with one need
// per question is so reduced to its factors, the components kept by the
// Kaiser–Guttman rule — and each cluster is named by the top needs of its
// mean profile. In both modes an account without any evidence
// goes to "needs/no-evidence": a need is never guessed. Each assignment's
// reasons name the evidence that placed it: "3 demo requests and 5 articles
// on Security & compliance in the last 65 days", "survey: importance of
// security rated 5/5, 1.3 SD above this respondent's mean".
//
// # Unknown values
//
//   - A survey question that was not answered gives no evidence, and the
//     respondent's other answers are standardized without it; questions
//     outside the taxonomy are not read. An answer outside its question's
//     scale (a Likert answer of 7) is an error naming the account and
//     "survey[<key>]", never clamped.
//   - An event without a topic or text gives no evidence; an event of a
//     kind the weights do not list weighs 1. With Config.AsOf unset, the
//     as-of date is the latest event of the fit data and an event after it
//     (seen at Assign) counts at full weight; with Config.AsOf set, events
//     after it are left out.
//   - Text fields that are absent or empty give no evidence; Text keys not
//     in Config.TextFields are not read.
//   - An account with no evidence at all goes to the no-evidence segment,
//     with Score 0.
//
// # Errors
//
// [Config.Validate] reports every problem of a Config, each wrapping
// segment.ErrInvalidConfig. Fit and Assign return a *segment.FieldError
// (wrapping segment.ErrInvalidAccount) for an account that
// segment.Account.Validate refuses or with a survey answer off its scale,
// segment.ErrEmptyInput for no accounts, and ctx.Err() once the context is
// done. DecodeModel returns segment.ErrModelVersion for another method or
// version.
//
// # Concurrency
//
// A Segmenter never changes and may Fit concurrently. Fit reads accounts in
// batches, profiled over Config.Workers goroutines; the Model is the same
// whatever Workers is. A Model is read only: Assign and Profile are pure and
// safe for concurrent use.
package needs
