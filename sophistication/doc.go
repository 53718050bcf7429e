// Package sophistication places accounts on a maturity ladder by their
// awareness of the problem strata's user solves, so that each gets the
// right message: an unaware lead is told why the problem matters, a lead on
// a competitor's product is told how the user's product differs.
//
// # The ladder
//
// The ladder is configurable ([Config.Stages]): each [Stage] has a slug, a
// name, a description and messaging guidance. The default ladder
// ([DefaultStages]) has five stages, least mature first: unaware;
// problem-aware, working manually; evaluating solutions; using an
// alternative or a competitor; advanced user ready for more. Each stage is
// a segment "sophistication/<slug>"; a sixth segment,
// "sophistication/unknown", holds the accounts with too little evidence.
// The guidance is the last reason of every assignment and is returned by
// [Model.Guidance].
//
// # Signals
//
// Each signal turns what an account shows into evidence: a position on the
// ladder (stage 1 to n, possibly between two stages) with a weight
// ([Config.Weights], defaults in [DefaultWeights]). How each moves the stage:
//
//   - technologies (weight 3): each of Account.Technologies counts for the
//     first class of the technologies table whose keyword it contains
//     (whole words, any case); the class with the greatest total strength
//     is the evidence (ties: the more advanced). Defaults: spreadsheets,
//     paper and e-mail are manual tools → manual (strength 1); point tools
//     (HubSpot, Trello, QuickBooks…) → evaluating (1); an integrated data
//     stack (Snowflake, Okta, MuleSoft…) → advanced (1.5); the products
//     named in [Config.Competitors] → competitor (3, so one competitor
//     outweighs a few spreadsheets); [Config.OurProducts] → advanced (4).
//   - no_tools (weight 1): technologies are listed but none is in the
//     table (say only "Microsoft 365" and "Slack") → the first stage
//     ([Config.NoToolsStage]): the account has no tool for the problem.
//   - survey (weight 2): each answered question of [Config.Survey] maps its
//     scale linearly onto the ladder (default "maturity_self", 1 → first
//     stage, 5 → last); several answers are averaged by question weight.
//   - content (weight 1.5): events of [Config.ContentKinds] (content,
//     webinars, page views, e-mails) whose Topic or Text holds a keyword of
//     the content table: advanced topics (API, integrations, SSO…) →
//     advanced, evaluation topics (pricing, ROI, comparisons…) →
//     evaluating, beginner topics (getting started, "what is"…) → manual;
//     the evidence is the mean position of the matching events.
//   - tickets (weight 1.5): support tickets ([Config.TicketKinds]) by the
//     same rule with the tickets table: advanced questions (API,
//     integration, SSO, ERP sync…) → advanced, basic "how do I" questions →
//     manual.
//   - activity (weight 1): demo requests and trials → evaluating
//     ([Config.Activity]); full weight at the first such event.
//   - employees (weight 0.5): employee bands, default under 10 → unaware,
//     10 to 49 → manual, 50 to 249 → evaluating, 250 and more →
//     competitor.
//   - founded (weight 0.5): company-age bands in years at the Model's
//     AsOfYear, default under 3 → unaware, 3 to 9 → manual, 10 and more →
//     evaluating.
//
// Content and tickets reach their full weight at [Config.Saturation]
// matching events (default 3); fewer weigh proportionally less.
//
// # Combining the evidence
//
// Each piece of evidence votes for the stages within one step of its
// position, in proportion to closeness; the stage with the most votes wins
// (ties: the one nearest the weighted mean position). The confidence
// (Assignment.Score) is the share of the weight supporting the stage times
// min(1, total weight / [Config.FullWeight]). Evidence pointing
// [Config.ConflictGap] (default 2) or more stages away from the stage
// chosen is contradictory: its reason says so, a "conflict" reason sums it
// up, and Scores["conflict"] is its share of the weight. When the total
// weight is below [Config.MinWeight] (default 1.5: employees and age alone
// are not enough) the account goes to the unknown segment, never to a
// default stage. The rules are a weighted-evidence scoring of a maturity
// model in the sense of capability maturity models (Paulk et al. 1993,
// "Capability Maturity Model for Software") and of Schwartz's stages of
// market awareness (Breakthrough Advertising, 1966).
//
// # The learned variant
//
// With [Config.Clusters] ≥ 2, Fit also learns: every fitted account with
// enough evidence becomes the vector of its stages' vote shares, k-means
// (package cluster: k-means++ seeding, Arthur and Vassilvitskii 2007;
// Lloyd 1982) groups the vectors, and the clusters are ordered by their
// maturity index, the mean ladder position of their centre; each goes to
// the stage nearest that position. Assign then places an account by its
// nearest cluster (reason field "cluster", Scores["cluster"] its rank by
// maturity, from 1); the evidence, the confidence, the conflict and the
// unknown segment are as in the rule model. The Model stores the centres
// ([Model.Clusters]); Seed makes the fit deterministic whatever Workers is.
//
// # Unknown values
//
// A signal without data gives no evidence and weighs nothing: nil or blank
// Technologies, unknown Employees, Founded 0 (or no reference year: the
// Model's AsOfYear is Config.AsOfYear, else the latest year of any dated
// record in the fit data, else the latest founding year), an unanswered
// survey question, no event matching a table. Technologies not in the
// table are ignored unless none matches (then no_tools). A company founded
// after AsOfYear is aged 0. Nothing is imputed; an account with too little
// evidence is in the unknown segment.
//
// # Errors
//
// [Config.Validate] reports every problem of a Config, each wrapping
// [segment.ErrInvalidConfig]. Fit and Assign refuse, with a
// [*segment.FieldError], an account that fails [segment.Account.Validate]
// and one whose survey answer lies outside its question's scale (field
// "survey[<key>]"). No input is modified.
//
// # Concurrency
//
// A Segmenter and a Model never change once made; Fit and Assign are safe
// for concurrent use, and Assign is a pure function of the Model and the
// account.
package sophistication
