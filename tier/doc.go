// Package tier ranks accounts by what they are worth to the business, over
// the whole relationship, and cuts the ranking into tiers, so that sales
// and marketing spend goes where the value is; named key accounts (the
// short list of account-based marketing) are always in the top tier.
//
// # Value
//
// [Config.Measure] chooses the value:
//
//   - [MeasureRevenue] (the default): net revenue to date, purchases less
//     returns;
//   - [MeasureMargin]: gross margin to date;
//   - [MeasureCLV]: predicted, discounted value over a horizon for buying
//     at will (non-contractual): the BG/NBD model of Fader, Hardie & Lee
//     (2005) for the number of future purchases and the probability that
//     the customer is still active, times the Gamma-Gamma model's spend per
//     purchase, both fitted by maximum likelihood on the fit data (L-BFGS
//     from gonum's optimize, with the analytic gradients);
//   - [MeasureContract]: discounted recurring revenue over a horizon for
//     subscriptions, from the running monthly recurring revenue and the
//     monthly retention rate (given, or estimated from the fit data);
//   - [MeasureCustom]: a number the caller computed, Account.Numbers[Key].
//
// The value is then multiplied by the lead grade's weight
// ([Config.GradeWeights]) and the acquisition channel's cost is subtracted
// ([Config.ChannelCosts]).
//
// # Tiers
//
// [Config.Scheme] cuts the ranking: [Pareto] (ABC analysis) by cumulative
// share of value, 80/15/5 by default; [Quantile] by share of accounts,
// 20/30/50 by default; [Threshold] at fixed values. Fit turns the cut into
// bounds in value units, stored in the [Model], so that any account, fitted
// or new, is tiered by comparing its value with the bounds. Each Assignment
// says why: "top 3% of accounts by predicted 3-year value: USD 1.2M ≥ USD
// 250k → Tier A (the accounts making the first 80% of value)", "key account
// → Tier A, always", "P(alive) 85%; 9.1 purchases expected in 3 years at USD
// 2866 each", "channel partner: acquisition cost USD 5k subtracted".
//
// The as-of date that recency, age and running subscriptions are measured
// at is [Config.AsOf] or, when zero, the latest order (or subscription
// start) in the fit data; it is stored in the Model, and the clock is never
// read. Orders and subscriptions after it are left out, in Fit and in
// Assign alike.
//
// # Unknown values
//
// An account with no orders by the as-of date (for the revenue, margin and
// CLV measures), or no subscription running then (contract), has value 0
// (less any channel cost) and goes to the bottom tier, with a reason that
// says so; a prospect has not bought, which is known. Orders without a
// known margin count at the account's own margin rate on the orders where
// it is known, or at the rate over all fitted orders, and the reason says
// so. An account without the custom Numbers key is in the segment
// "tier/unknown" (Unknown value), which the Model lists after the tiers.
// An empty channel or lead grade, or one not in the maps, is not adjusted.
// A key account is in the top tier whatever its value, known or not.
//
// # Errors
//
// New rejects an invalid Config with errors wrapping
// [segment.ErrInvalidConfig], one per field. Fit and Assign check each
// account with [segment.Account.Validate] and return its
// [*segment.FieldError], which wraps [segment.ErrInvalidAccount]. Fit
// returns an error wrapping [segment.ErrEmptyInput] when there is nothing
// to fit on: no accounts; for CLV, no repeat purchase; for margin, no known
// margin; for contract without a given retention, no subscription; and,
// without an as-of date, no order or subscription to date the fit by.
// DecodeModel returns an error wrapping [segment.ErrModelVersion] for an
// encoding of another method or version.
//
// # Concurrency
//
// A Segmenter never changes after New and is safe for concurrent use; Fit
// values the accounts on Config.Workers goroutines, all done before it
// returns, and its Model does not depend on their number. A Model is plain
// data; Assign is a pure function, safe for concurrent use.
//
// # The models on their own
//
// For analysts, the pieces are exported: [Summarize] reduces orders to the
// frequency/recency/T/monetary [Summary] the models take (as the `lifetimes`
// package does); [FitBGNBD] and [FitGammaGamma] fit the models, and
// [BGNBD.ExpectedPurchases], [BGNBD.PAlive], [GammaGamma.ExpectedSpend] and
// [CLV] predict; [Historical], [RevenueByPeriod] and [NetRetention] give
// the historical value, revenue by period, and expansion and net revenue
// retention between two periods; [MRR], [ContractCLV] and
// [ExpectedLifetime] serve subscriptions.
//
// On the CDNOW data, FitBGNBD reproduces the published r = 0.2426,
// α = 4.4135, a = 0.7929, b = 2.4258 (log-likelihood −9582.4) and
// FitGammaGamma p = 6.25, q = 3.74, v = 15.45; VALIDATION.md reports these
// checks and a holdout test on a wholesaler's invoices.
//
// References: P. S. Fader, B. G. S. Hardie, K. L. Lee (2005), "Counting
// Your Customers the Easy Way: An Alternative to the Pareto/NBD Model",
// Marketing Science 24(2):275–284; P. S. Fader, B. G. S. Hardie, K. L. Lee
// (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis",
// Journal of Marketing Research 42(4):415–430; R. Colombo, W. Jiang (1999),
// "A Stochastic RFM Model", Journal of Interactive Marketing 13(3):2–12;
// S. Gupta, D. R. Lehmann (2003), "Customers as Assets", Journal of
// Interactive Marketing 17(1):9–24.
package tier
