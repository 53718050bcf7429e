// Package classify is strata's supervised core: regularized logistic
// regression, calibration, classification metrics and cross-validation,
// on matrices and 0/1 labels only, never on accounts. A method package
// (propensity's conversion score, behavior's churn score) turns its
// accounts into a matrix — with [FitFeatures], which reuses the clustering
// core's preprocessing (imputation with missing indicators, logarithms,
// scaling, one-hot encoding with rare levels grouped) — and calls in here.
//
// # Logistic regression
//
// [Logistic] minimizes scikit-learn's objective, penalty(w) + C·Σ
// weighted log loss, with an L2, L1 or elastic-net penalty and an
// unpenalized intercept, class weights ("balanced" or explicit) and sample
// weights; on the same data its coefficients equal scikit-learn's
// LogisticRegression's to the solvers' tolerance. L2 is fitted by Newton's
// method (exact Hessian, Cholesky, chord steps that reuse it; Kelley 2003)
// up to [NewtonMaxFeatures] features and by gonum's L-BFGS (Liu and
// Nocedal 1989) above; L1 and elastic net by a
// proximal Newton method with coordinate descent (Friedman, Hastie and
// Tibshirani 2010; Yuan, Ho and Lin 2012). Mostly-zero inputs (one-hot
// columns) are stored row-compressed inside the fit.
//
// # Calibration and metrics
//
// A [Calibrator] (Platt 1999 with Lin, Lin and Weng 2007; isotonic
// regression by pool adjacent violators) maps log-odds to probabilities;
// fit it on out-of-fold scores. [ROCAUC], [AveragePrecision], [LogLoss],
// [Brier], [KS], [Gains] (lift and cumulative gains by decile) and
// [Reliability] (mean predicted against observed rate by decile) follow
// scikit-learn's definitions, ties included.
//
// # Cross-validation
//
// [StratifiedFolds] deals each class's shuffled rows to k folds;
// [CrossValidate] fits every fold and every C of a grid, chooses C by a
// [Metric], returns the out-of-fold predictions and refits on every row.
// With a [FeatureSpec], the encoding is fitted on each fold's training
// rows only.
//
// # Unknown values
//
// [Logistic] and the metrics take finite numbers only: a NaN or ±Inf is an
// error naming its row and column, never a silent zero. Blanks are handled
// before, by a [FeatureSpec]: a numeric column's spec says whether a
// missing value is imputed (mean, median, mode; optionally with a 0/1
// missing indicator so the model can tell imputed from observed) or an
// error; a missing categorical value ("") encodes as all zeros, or as a
// level of its own if the caller writes one (say "missing") before
// encoding; a level unseen when fitting goes to the column's "other"
// indicator by default.
//
// # Use from a method package
//
// Turn the accounts into raw columns — a numeric matrix with NaN for
// blanks, categorical columns with "" for blanks — and 0/1 labels; call
// [CrossValidate] with a [FeatureSpec], a grid of C and a [Calibration].
// Keep the result's Features, Model and Calibrator in the method's model
// (all plain JSON). To score one account: Features.TransformRow, then
// Model.DecisionRow for the log-odds (Coef[j]·x[j] is feature j's push on
// them, for reasons), then Calibrator.Apply for the probability. Report
// the out-of-fold probabilities (OutOfFoldP) through [Evaluate], [Gains]
// and [Reliability]; calibrated ones (Calibrator.Apply of OutOfFold) are
// slightly optimistic, the calibrator having been fitted on them.
//
// # Errors
//
// Bad input is answered with an error, never a panic: a wrapped sentinel
// ([ErrInvalidConfig], [ErrInvalidInput], [ErrModelVersion]) whose message
// names the row, column or field at fault. Inputs are never modified.
//
// # Concurrency and determinism
//
// Fits run over Workers goroutines (0 means GOMAXPROCS) in fixed chunks of
// rows whose partial sums are combined in chunk order, so a fit gives the
// same model, bit for bit, whatever the number of workers. Randomness
// (the fold shuffle) comes only from math/rand/v2 PCG generators seeded
// from a config's Seed. Fits check their context between chunks and
// return an error matching ctx.Err() when it is done; no goroutine
// outlives a call. Fitted models, calibrators and feature encodings are
// plain data: they marshal to JSON and back unchanged, and their methods
// are pure and safe for concurrent use.
package classify
