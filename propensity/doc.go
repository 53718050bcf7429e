// Package propensity scores how likely a lead is to convert, learned from
// historical leads whose outcome is known, so that sales knows whom to call
// first. It also scores how much a prospect looks like the best customers
// (lookalike), which product line a customer is likely to buy next
// (cross-sell), and the conversion rate and lift of each segment of another
// layer (group propensity).
//
// # Conversion
//
// [New] returns a Segmenter whose Fit learns P(convert) from the accounts
// whose Converted is Yes or No. Accounts whose outcome is unknown (open
// leads) are not used for fitting — their outcome would be a guess — but
// Assign scores them like any other; they do count in Config.AsOf's default.
//
// Each account becomes a row of fields:
//   - firmographics: employees and revenue (log, standardized), growth and
//     founding year (standardized), industry, NAICS sector (the first two
//     digits), country, customer type, channel and lead grade (one-hot);
//     the technologies used by at least Config.MinLevelCount fitted accounts
//     (the Config.MaxTechnologies most common, one 0/1 column each);
//   - engagement: the number of events of each kind (log, standardized)
//     over the Config.WindowDays before the account's cut-off: its first
//     purchase (earliest order or subscription start), so that what a
//     customer does after buying does not explain its conversion, or for an
//     account that has not bought, its last interaction; and, with
//     Config.Recency, the days since the last interaction;
//   - custom fields: the Account.Numbers keys of Config.Numbers
//     (standardized; Config.LogNumbers takes a signed log first) and the
//     Account.Text keys of Config.Text (one-hot).
//
// The encoding is the clustering core's preprocessing, through
// [classify.FeatureSpec]: median imputation with a missing indicator and
// scaling for the numeric fields, one-hot encoding with the levels seen
// fewer than Config.MinLevelCount times grouped into "other". The model
// is the supervised core's L2 (or L1, elastic-net) logistic regression,
// [classify.CrossValidate] over Config.Folds stratified folds choosing C
// from Config.Cs by ROC AUC (or Config.C fixed), the encoding fitted on
// each fold's training accounts only, then refitted on all of them; a
// calibrator (Platt 1999, or isotonic regression by pool adjacent
// violators) is fitted on the out-of-fold log-odds.
//
// Assign gives Score = the calibrated probability, Scores "p_convert"
// (the same) and "band_rate", and a band: hot, warm and cold (the top 20%
// and next 30% of the fitted accounts' out-of-fold probabilities by
// default, or fixed Config.Thresholds), or deciles. A band's rate is the
// share of its fitted accounts that converted, their probabilities measured
// out of fold, so it is what a new account in the band can expect. The
// reasons start with the probability and band, then name the fields that
// push the score up or down most, three each way, with their contribution
// in log-odds from the average fitted account, coefficient × (encoded
// value − mean) summed over the field's columns: "lead grade A: +0.80
// log-odds". Model.Scorer.Validation holds the out-of-fold AUC, PR AUC,
// log loss, Brier score, KS, gains and reliability tables.
//
// # Leakage
//
// A field filled in after the outcome ("Tags" that sales writes after a
// call, our own product among a customer's technologies) predicts the label
// from itself. Fit screens every field alone — a categorical field by a
// cross-validated logistic regression on its levels, a numeric one by the
// ROC AUC of its value, either way round — on the accounts where it is
// known (a field sales fills in only after contact is blank for the rest,
// and the blanks would hide it). A field at or above Config.LeakageAUC
// (0.8 by default) is named in Model.Leakage, and kept (LeakWarn), dropped (LeakDrop)
// or refused (LeakRefuse: Fit returns an error wrapping [ErrLeakage]).
// Scorer.Screen lists every field's single-field AUC, highest first, for a
// look at the suspects below the threshold.
//
// # Lookalike, cross-sell and groups
//
// [NewLookalike] fits best customers against every other account, on the
// same fields; see its doc for why a classifier and not a distance.
// [NewCrossSell] fits one model per product line, on the accounts with
// orders, and assigns each account the line it has not bought that it is
// most likely to buy. [RateByGroup] and [RateByAssignment] give the
// conversion rate of each segment of another layer with Wilson intervals
// and its lift, by lift.
//
// # Unknown values
//
//   - employees, revenue, growth, founded, custom numbers: imputed with the
//     fitted accounts' median, and a missing indicator tells the model
//     (and the reasons: "employees unknown: +0.10 log-odds");
//   - industry, NAICS, country, type, channel, lead grade, custom text: an
//     unknown value is a level of its own, "unknown"; a level not seen in
//     fitting is "other";
//   - technologies, events, orders: an account without them has none (0);
//   - Converted: not fitted (conversion), assigned.
//
// # Errors and concurrency
//
// Fit returns an error wrapping segment.ErrEmptyInput without accounts or
// with fewer than Config.Folds positive or negative labelled accounts,
// a [*segment.FieldError] for an invalid account, ErrLeakage under
// LeakRefuse, and ctx.Err() when ctx is done (it looks between accounts
// and inside the fits). Config.Validate names every bad field, wrapping
// segment.ErrInvalidConfig. A Model is plain data (JSON); Assign is pure,
// allocates a little, and is safe for concurrent use. Fit is deterministic
// given Config.Seed, whatever Config.Workers.
package propensity
