// Package firmographic segments accounts by what they are: industry, size by
// employees and revenue, location, customer type (B2B, B2C, B2G), growth and
// the technologies they use. It offers three segmenters:
//
//   - [New]: rules. Each account's segment is the combination of its values
//     on the dimensions of [Config] ("Mid-market · Manufacturing · Europe"),
//     with a reason for each ("employees 1,200 ≥ 1,000 → Enterprise").
//   - [NewLearned]: k-prototypes clusters of the firmographics, each named
//     from its profile ("Enterprise · Health Care and Social Assistance ·
//     Northern America, cloud-heavy").
//   - [NewLookalike]: the ideal-customer-profile fit, scoring any account by
//     its similarity to a reference set (the best customers) into "ICP:
//     strong / moderate / weak fit", with the features that drive it.
//
// # Dimensions and tables
//
// Sizes are cut into [Bands]: by default small business 1–99 employees,
// mid-market 100–999, enterprise 1,000 and more; revenue under 10M, 10M to
// under 1B, 1B and more; growth declining (< 0), stable (0 to under 10%),
// growing (10% to under 40%), hyper-growth (≥ 40%). Revenue is compared in
// the base currency of [Tables]; with Tables.Rates, other currencies are
// converted.
//
// The sector is the NAICS 2022 sector ([Sectors], 20 of them, with the
// ranges 31–33, 44–45 and 48–49), taken, in order of precedence, from the
// NAICS code, the SIC code (rolled up by major group, [SICDivisionOf]), or
// the free-text industry, matched after normalisation ([NormalizeIndustry]:
// case, punctuation, "&" and "and") against a table of LinkedIn, HubSpot,
// Salesforce, Fortune and common values ([DefaultIndustries]) that
// Tables.Industries extends. Text the table does not hold is never guessed:
// the sector is unknown and the reason says "industry "X" not recognised";
// [UnmatchedIndustries] lists such values in a data set.
//
// Geography reads the ISO 3166-1 country ([Countries], [CountryOf], with
// common names; [CountryNames] feeds a [segment.CSVMapping]) and its UN M49
// region, sub-region and continent; for US accounts, the state's census
// region and division ([StateOf]). Technologies are filed in categories
// (crm, erp, cloud, analytics, collaboration, spreadsheet…) by a table
// ([DefaultTechnologies]) that Tables.Technologies extends. Each embedded
// table's source is in data/SOURCES.md.
//
// The rule Model lists every combination of the dimensions' values as a
// segment, unknown values included, so Config.Dimensions may give at most
// [MaxSegments] combinations.
//
// # Learned segments
//
// [Learned] clusters the accounts with k-prototypes (Huang 1998, from
// [cluster.KPrototypes]) on the numeric features employees and revenue
// (log1p), and growth (clipped to −100%…+300%), each median-imputed with a
// missing indicator and standardized ([cluster.FitPipeline]); and the
// categorical features sector, M49 sub-region, customer type, and at most
// [MaxTechFeatures] technology categories (uses / does not use), those
// whose share of accounts is nearest one half. One categorical mismatch
// costs Gamma (0.5 by default). When K is 0, k-prototypes is fitted for k
// from 2 to MaxK (8) on a seeded sample of SampleSize accounts (2,000), and
// k is the knee of the cost curve (Kneedle, Satopää et al. 2011,
// [cluster.Knee]); with ChooseBy [ChooseSilhouette], or when the curve has
// no knee, the k of highest mean silhouette (Rousseeuw 1987,
// [cluster.Silhouette]), taken on the distance whose square is the
// k-prototypes cost. On strata's real and generated data the silhouette,
// Calinski–Harabasz and Davies–Bouldin indices all peak at k = 2 (a split by
// size: firmographics form a continuum, not separated clusters), while the
// knee falls at 4 or 5, which also separates sectors and regions; hence the
// default. The final fit is on all the accounts.
//
// Segments are numbered largest first and named from their profile: the
// employee band of their median size, the sector and sub-region (or else
// region) held by at least [NameShare] (40%) of them (else "Mixed sectors",
// "Mixed regions"), the customer type, and the technology categories at
// least 60% of them use ("cloud-heavy"); segments that would read alike add
// their median size ("Enterprise · Mixed sectors · Northern America,
// ~11,100 employees").
//
// # Lookalikes
//
// [Lookalike] learns, for each feature, the distribution of its values
// among the reference accounts and among all fitted accounts. An account's
// similarity on a feature is the reference share of its value over that of
// the most common reference value; its score is the mean similarity,
// weighted by how far each feature's reference distribution is from all
// accounts' (total variation distance), so that the features that set the
// best customers apart drive the fit. It is a frequency-weighted form of
// Gower's (1971) mixed-data similarity, with features banded as the rules
// band them.
//
// # Unknown values
//
//   - Rules: an unknown employee count, revenue, growth, sector, country,
//     US state, customer type or technology list is a value of its own on
//     its dimension ("Size unknown", "Sector unknown"), never a zero. An
//     unrecognised industry text, a NAICS or SIC code in no sector, a
//     country code outside ISO 3166-1 and a US region that is not a state
//     are unknown too, and the reason names the value. Technologies listed
//     but none in a category give "No CRM"; no list gives "CRM unknown".
//     Score is the share of dimensions whose value is known.
//   - Learned: unknown numbers are imputed with the median and flagged by a
//     missing indicator; unknown categories are missing codes, which cost
//     nothing against any prototype. A feature no fitted account has is
//     left out.
//   - Lookalike: an unknown feature is not counted; an account with no
//     known feature of positive weight is "ICP: not enough data".
//
// # Errors
//
// New, NewLearned and NewLookalike reject an invalid config with errors
// wrapping [segment.ErrInvalidConfig], one per problem. Fit and Assign
// check every account with [segment.Account.Validate] and return its
// [*segment.FieldError]; a known revenue in a currency missing from a
// non-nil Tables.Rates is a FieldError for field "currency". Fit returns an
// error wrapping [segment.ErrEmptyInput] for no accounts (and, for
// Lookalike, no reference account). DecodeModel returns an error wrapping
// [segment.ErrModelVersion] for another method's or version's encoding.
//
// # Concurrency
//
// Segmenters never change after they are made and are safe for concurrent
// use. Fit is synchronous; the learned Fit runs k-prototypes and the
// silhouette on Workers goroutines, and its Model does not depend on their
// number. Models are plain data; Assign is a pure function, safe for
// concurrent use.
package firmographic
