// Package behavior segments existing customers by how they act — how they
// buy, how they use the product, how they engage and how much support they
// need — and scores, for every account, its churn risk and its expansion
// potential, each with the features that drive it.
//
// # Features
//
// [Features] turns an account's raw records (orders, subscriptions, usage
// records, events including support tickets) into a [Vector] of documented
// features over windows that end at an as-of date: recency, frequency and
// monetary value; spend, usage and MRR trends (the last 90 days against the
// 90 before) and the least-squares slope of monthly usage; seat
// utilization; breadth of feature adoption; engagement by content and
// channel; ticket rate; return, discount and premium shares. The [Feature]
// constants define each one and say when it is unknown. The as-of date is
// Config.AsOf, or the latest record time in the fitted accounts, stored in
// the Model; the clock is never read, so Assign is a pure function.
//
// # Scores
//
// Each feature is standardized on the fitted accounts (ln(1+x) first for
// counts, days and money; z-scores over the accounts where it is known;
// the clustering core's [cluster.Pipeline]). Churn risk and expansion
// potential are then, without labels, transparent health models: the
// log-odds are logit(base) + Σ weight × z, with z clipped to ±4, through
// the logistic link, with the weights of [DefaultChurnWeights] and
// [DefaultExpansionWeights] unless Config sets them. When the fitted
// accounts carry enough Churned labels (Config.MinLabels, Config.MinClass;
// or Config.Churn = [ChurnLearned]), churn risk is instead a regularized
// logistic regression learned with the supervised core
// ([classify.CrossValidate]: 5 stratified folds, C chosen by AUC), Platt-
// calibrated on the out-of-fold scores (Platt 1999); its out-of-fold
// metrics are kept in Model.Churn.Validation. Expansion has no label and
// stays a health model.
//
// Every assignment carries both scores in Scores ("churn_risk",
// "expansion", in [0, 1]) and, after the reason of its segment, the
// features that move each score most for this account, as Reasons whose
// Field is the feature's name and Effect its signed contribution to the
// score's log-odds: weight × z for a health model, coefficient × (value −
// fitted mean) for the learned one, the missing indicator included.
//
// # Schemes
//
// Config.Scheme selects the segmentation:
//
//   - [Lifecycle] (the default): Dormant when inactive for
//     Thresholds.DormantDays (180) or with no activity at all; else At risk
//     when churn risk ≥ Thresholds.AtRisk (0.5); Watch when ≥
//     Thresholds.Watch (0.3); Expand when expansion potential ≥
//     Thresholds.Expand (0.5); Healthy otherwise. Score is the churn risk
//     for Dormant, At risk and Watch, the expansion potential for Expand,
//     and 1 − churn risk for Healthy.
//   - [RFM]: R, F and M are scored 1 to 5 by the quintile boundaries fitted
//     on the accounts with purchases (stored in Model.RFM; a value on a
//     boundary takes the lower score; R is 5 for the most recent), and
//     R and FM = ⌈(F + M) / 2⌉ map onto the usual eleven segments (see RFM
//     below). Accounts without a purchase go to No purchases. Score is
//     (R + FM − 2) / 8; Scores adds "r", "f", "m" and "fm". Frequency and
//     monetary value count the window, 365 days by default.
//   - [Drivers]: the standardized discount share, premium share and ticket
//     rate (unknown counts as average); the largest, when at least
//     Thresholds.Driver (0.75) standard deviations above the mean, makes
//     the account Price-driven, Quality-driven or Support-driven, and
//     Balanced otherwise. Score is the top driver's share of the positive
//     standardized drivers, or for Balanced 1 − top / threshold.
//   - [Clusters]: k-means (the clustering core's [cluster.KMeans]:
//     k-means++ seeding, Arthur and Vassilvitskii 2007; Lloyd 1982) on the
//     standardized features, the net spend per product line and the
//     interactions per channel (Config.ClusterFeatures), k chosen by [cluster.ChooseK] unless
//     Config.K is set; clusters are numbered by size, largest first, and
//     described by their most distinctive columns. Score is 1 − d₁/d₂, the
//     distances to the nearest and the second-nearest centre.
//
// # RFM
//
// RFM segmentation follows Hughes (1994, "Strategic Database Marketing").
// The map of R (rows) and FM (columns) is the common one of eleven
// segments:
//
//	R\FM  1               2                    3                    4          5
//	5     New             Potential loyalists  Potential loyalists  Champions  Champions
//	4     Promising       Potential loyalists  Potential loyalists  Loyal      Loyal
//	3     About to sleep  About to sleep       Need attention       Loyal      Loyal
//	2     Hibernating     Hibernating          At risk              At risk    Can't lose
//	1     Lost            Hibernating          At risk              At risk    Can't lose
//
// Segment IDs are stable: "behavior/expand", "behavior/healthy",
// "behavior/watch", "behavior/at-risk", "behavior/dormant";
// "behavior/rfm-champions" … "behavior/rfm-lost" and
// "behavior/rfm-no-purchases"; "behavior/price-driven",
// "behavior/quality-driven", "behavior/support-driven",
// "behavior/balanced"; "behavior/cluster-1" … in order of size.
//
// # Unknown values
//
// Unknown is never 0. A feature is unknown when the records to compute it
// are missing (no usage records: seat utilization, feature breadth and the
// usage trend and slope are unknown, not 0). In a health model an unknown
// feature contributes nothing (z = 0, the average account). In the learned
// churn model and in the clusters it is imputed with the fitted median,
// and the learned model also reads a 0/1 missing indicator per feature, so
// that "no usage data" can carry its own weight. A feature unknown for
// every fitted account is left out of the Model (Model.Columns). Accounts
// without a purchase have their own RFM segment; accounts without any
// activity are Dormant. Unlabelled accounts are scored but not learned
// from.
//
// # Errors
//
// [New] returns an error wrapping [segment.ErrInvalidConfig] for a config
// that [Config.Validate] refuses, naming every bad field. Fit and Assign
// check every account with [segment.Account.Validate] and return its
// [*segment.FieldError], naming the account and the field. Fit returns an
// error wrapping [segment.ErrEmptyInput] without accounts, or for
// ChurnLearned without ten labelled accounts of each class, and
// [segment.ErrInvalidConfig] when Config.ClusterFeatures names a feature no
// fitted account has. Fit walks the accounts once and checks its context
// between chunks of work; once it is done, the error matches ctx.Err().
// DecodeModel returns an error wrapping [segment.ErrModelVersion] for
// another method's or version's encoding, or one whose parts do not fit
// together. Nothing panics on data.
//
// # Concurrency and determinism
//
// Fit computes features over Config.Workers goroutines and returns a new
// Model that depends only on the accounts and the Config (its Seed seeds
// the folds and the k-means fits), never on Workers. The Model is plain
// data; Assign is pure and safe for concurrent use.
package behavior
