package classify

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// logLossEps bounds probabilities away from 0 and 1 in [LogLoss], as
// scikit-learn 1.2's log_loss does.
const logLossEps = 1e-15

// checkScores checks labels, scores and weights for a metric: equal
// lengths, labels 0 or 1, finite scores (in [0, 1] when prob), finite
// non-negative weights with a positive sum, and, when both, positive
// weight in both classes. It returns the total weight and the positive
// weight.
func checkScores(what string, y []int, s, w []float64, prob, both bool) (float64, float64, error) {
	if len(y) == 0 {
		return 0, 0, fmt.Errorf("classify: %s: no rows: %w", what, ErrInvalidInput)
	}
	if len(s) != len(y) {
		return 0, 0, fmt.Errorf("classify: %s: %d scores for %d labels: %w", what, len(s), len(y), ErrInvalidInput)
	}
	if w != nil && len(w) != len(y) {
		return 0, 0, fmt.Errorf("classify: %s: %d weights for %d labels: %w", what, len(w), len(y), ErrInvalidInput)
	}
	var tot, pos float64
	for i, v := range s {
		if y[i] != 0 && y[i] != 1 {
			return 0, 0, fmt.Errorf("classify: %s: row %d: label %d is neither 0 nor 1: %w", what, i, y[i], ErrInvalidInput)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || (prob && (v < 0 || v > 1)) {
			kind := "score"
			if prob {
				kind = "probability"
			}
			return 0, 0, fmt.Errorf("classify: %s: row %d: %s %v is out of range: %w", what, i, kind, v, ErrInvalidInput)
		}
		wi := 1.0
		if w != nil {
			wi = w[i]
			if !(wi >= 0) || math.IsInf(wi, 0) {
				return 0, 0, fmt.Errorf("classify: %s: row %d: weight %v is negative or not finite: %w", what, i, wi, ErrInvalidInput)
			}
		}
		tot += wi
		if y[i] == 1 {
			pos += wi
		}
	}
	if !(tot > 0) || math.IsInf(tot, 0) {
		return 0, 0, fmt.Errorf("classify: %s: weights sum to %v: %w", what, tot, ErrInvalidInput)
	}
	if both && (!(pos > 0) || !(pos < tot)) {
		return 0, 0, fmt.Errorf("classify: %s: only one class present; both are needed: %w", what, ErrInvalidInput)
	}
	return tot, pos, nil
}

// order returns the row indices sorted by score, descending or ascending,
// ties by index.
func order(s []float64, desc bool) []int {
	type pair struct {
		s float64
		i int
	}
	ps := make([]pair, len(s))
	for i, v := range s {
		if desc {
			v = -v
		}
		ps[i] = pair{v, i}
	}
	slices.SortFunc(ps, func(a, b pair) int {
		if c := cmp.Compare(a.s, b.s); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	idx := make([]int, len(s))
	for k, p := range ps {
		idx[k] = p.i
	}
	return idx
}

func weightAt(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}

// curve walks the distinct thresholds of score from the highest down and
// calls fn with the weighted true and false positives at or above each;
// idx, when not nil, is order(score, true).
func curve(y []int, score, w []float64, idx []int, fn func(tp, fp float64)) {
	if idx == nil {
		idx = order(score, true)
	}
	var tp, fp float64
	for k := 0; k < len(idx); {
		v := score[idx[k]]
		for ; k < len(idx) && score[idx[k]] == v; k++ {
			i := idx[k]
			if y[i] == 1 {
				tp += weightAt(w, i)
			} else {
				fp += weightAt(w, i)
			}
		}
		fn(tp, fp)
	}
}

// ROCAUC returns the area under the ROC curve of scores for labels y, with
// optional sample weights w (nil: all 1): the probability that a random
// positive scores above a random negative, ties counting one half. The
// curve joins the distinct thresholds by straight lines, as scikit-learn's
// roc_auc_score does, so tied scores give the same value. Both classes
// must be present.
func ROCAUC(y []int, score, w []float64) (float64, error) {
	tot, pos, err := checkScores("roc auc", y, score, w, false, true)
	if err != nil {
		return 0, err
	}
	return rocAUC(y, score, w, nil, tot, pos), nil
}

func rocAUC(y []int, score, w []float64, idx []int, tot, pos float64) float64 {
	neg := tot - pos
	var area, tp0, fp0 float64
	curve(y, score, w, idx, func(tp, fp float64) {
		area += (fp - fp0) * (tp + tp0) / 2
		tp0, fp0 = tp, fp
	})
	return area / (pos * neg)
}

// AveragePrecision returns the area under the precision-recall curve as
// scikit-learn's average_precision_score computes it: Σₖ (Rₖ − Rₖ₋₁)·Pₖ
// over the distinct thresholds from the highest down, without
// interpolation. Both classes must be present.
func AveragePrecision(y []int, score, w []float64) (float64, error) {
	_, pos, err := checkScores("average precision", y, score, w, false, true)
	if err != nil {
		return 0, err
	}
	return averagePrecision(y, score, w, nil, pos), nil
}

func averagePrecision(y []int, score, w []float64, idx []int, pos float64) float64 {
	var ap, r0 float64
	curve(y, score, w, idx, func(tp, fp float64) {
		r := tp / pos
		if tp+fp > 0 {
			ap += (r - r0) * tp / (tp + fp)
		}
		r0 = r
	})
	return ap
}

// KS returns the Kolmogorov-Smirnov statistic of the scores: the largest
// gap between the cumulative distributions of the positives' and the
// negatives' scores, max |TPR − FPR| over thresholds. Both classes must be
// present.
func KS(y []int, score, w []float64) (float64, error) {
	tot, pos, err := checkScores("ks", y, score, w, false, true)
	if err != nil {
		return 0, err
	}
	return ks(y, score, w, nil, tot, pos), nil
}

func ks(y []int, score, w []float64, idx []int, tot, pos float64) float64 {
	neg := tot - pos
	var m float64
	curve(y, score, w, idx, func(tp, fp float64) {
		m = max(m, math.Abs(tp/pos-fp/neg))
	})
	return m
}

// LogLoss returns the weighted mean negative log-likelihood of
// probabilities p for labels y, −Σ wᵢ[yᵢ·log pᵢ + (1−yᵢ)·log(1−pᵢ)] / Σ wᵢ,
// with p clipped to [1e-15, 1−1e-15] as scikit-learn does.
func LogLoss(y []int, p, w []float64) (float64, error) {
	tot, _, err := checkScores("log loss", y, p, w, true, false)
	if err != nil {
		return 0, err
	}
	var s float64
	for i, v := range p {
		v = min(max(v, logLossEps), 1-logLossEps)
		if y[i] == 1 {
			s -= weightAt(w, i) * math.Log(v)
		} else {
			s -= weightAt(w, i) * math.Log1p(-v)
		}
	}
	return s / tot, nil
}

// Brier returns the weighted mean squared difference between
// probabilities p and labels y (Brier 1950): 0 is perfect, and always
// predicting the base rate r scores r·(1−r).
func Brier(y []int, p, w []float64) (float64, error) {
	tot, _, err := checkScores("brier", y, p, w, true, false)
	if err != nil {
		return 0, err
	}
	var s float64
	for i, v := range p {
		e := v - float64(y[i])
		s += weightAt(w, i) * e * e
	}
	return s / tot, nil
}

// Scores gathers the usual metrics of a set of predicted probabilities.
type Scores struct {
	AUC              float64 `json:"auc"`
	AveragePrecision float64 `json:"average_precision"`
	LogLoss          float64 `json:"log_loss"`
	Brier            float64 `json:"brier"`
	KS               float64 `json:"ks"`
	// BaseRate is the weighted share of positives.
	BaseRate float64 `json:"base_rate"`
}

// Evaluate computes every metric of [Scores] for probabilities p, labels y
// and optional weights w. Both classes must be present.
func Evaluate(y []int, p, w []float64) (Scores, error) {
	tot, pos, err := checkScores("evaluate", y, p, w, true, true)
	if err != nil {
		return Scores{}, err
	}
	s := Scores{BaseRate: pos / tot}
	idx := order(p, true)
	s.AUC = rocAUC(y, p, w, idx, tot, pos)
	s.AveragePrecision = averagePrecision(y, p, w, idx, pos)
	s.KS = ks(y, p, w, idx, tot, pos)
	// The inputs are checked: these cannot fail.
	s.LogLoss, _ = LogLoss(y, p, w)
	s.Brier, _ = Brier(y, p, w)
	return s, nil
}

// GainsRow is one bin of a gains table: rows ranked by score from the
// highest, cut into bins of equal weight.
type GainsRow struct {
	// Bin counts from 1, the highest scores.
	Bin int `json:"bin"`
	// Rows is the number of rows in the bin and Weight their weight.
	Rows   int     `json:"rows"`
	Weight float64 `json:"weight"`
	// Positives is the weight of the bin's positives.
	Positives float64 `json:"positives"`
	// Rate is Positives / Weight, the bin's conversion rate.
	Rate float64 `json:"rate"`
	// Lift is Rate divided by the overall rate.
	Lift float64 `json:"lift"`
	// CumShare is the share of the weight in bins 1…Bin.
	CumShare float64 `json:"cum_share"`
	// CumGain is the share of all positives in bins 1…Bin: the gains curve.
	CumGain float64 `json:"cum_gain"`
	// CumLift is CumGain / CumShare.
	CumLift float64 `json:"cum_lift"`
	// MinScore and MaxScore bound the bin's scores.
	MinScore float64 `json:"min_score"`
	MaxScore float64 `json:"max_score"`
}

// binOf returns the bin of a row whose weight starts at cum and is wi, of
// total weight tot, among bins: the bin holding its middle.
func binOf(cum, wi, tot float64, bins int) int {
	return min(bins-1, int(float64(bins)*(cum+wi/2)/tot))
}

// Gains returns the lift and cumulative gains table of scores for labels
// y, with optional weights w: rows sorted by score from the highest (ties
// in row order) and cut into bins of equal weight (10 bins: deciles). Both
// classes must be present and bins must be positive.
func Gains(y []int, score, w []float64, bins int) ([]GainsRow, error) {
	tot, pos, err := checkScores("gains", y, score, w, false, true)
	if err != nil {
		return nil, err
	}
	if bins <= 0 {
		return nil, fmt.Errorf("classify: gains: bins must be positive, got %d: %w", bins, ErrInvalidInput)
	}
	rows := make([]GainsRow, bins)
	for b := range rows {
		rows[b].Bin = b + 1
		rows[b].MinScore, rows[b].MaxScore = math.Inf(1), math.Inf(-1)
	}
	var cum float64
	for _, i := range order(score, true) {
		wi := weightAt(w, i)
		r := &rows[binOf(cum, wi, tot, bins)]
		cum += wi
		r.Rows++
		r.Weight += wi
		if y[i] == 1 {
			r.Positives += wi
		}
		r.MinScore, r.MaxScore = min(r.MinScore, score[i]), max(r.MaxScore, score[i])
	}
	rate := pos / tot
	var cw, cp float64
	out := rows[:0]
	for _, r := range rows {
		if r.Rows == 0 {
			continue
		}
		cw += r.Weight
		cp += r.Positives
		if r.Weight > 0 {
			r.Rate = r.Positives / r.Weight
		}
		r.Lift = r.Rate / rate
		r.CumShare, r.CumGain = cw/tot, cp/pos
		if r.CumShare > 0 {
			r.CumLift = r.CumGain / r.CumShare
		}
		out = append(out, r)
	}
	return out, nil
}

// ReliabilityRow is one bin of a reliability table.
type ReliabilityRow struct {
	// Bin counts from 1, the lowest probabilities.
	Bin int `json:"bin"`
	// Rows is the number of rows in the bin and Weight their weight.
	Rows   int     `json:"rows"`
	Weight float64 `json:"weight"`
	// MeanPredicted is the bin's weighted mean predicted probability.
	MeanPredicted float64 `json:"mean_predicted"`
	// Observed is the bin's weighted share of positives. A calibrated
	// model has Observed close to MeanPredicted in every bin.
	Observed float64 `json:"observed"`
	// MinPredicted and MaxPredicted bound the bin's probabilities.
	MinPredicted float64 `json:"min_predicted"`
	MaxPredicted float64 `json:"max_predicted"`
}

// Reliability returns the reliability (calibration) table of
// probabilities p for labels y, with optional weights w: rows sorted by p
// from the lowest and cut into bins of equal weight (10 bins: deciles),
// each with its mean predicted probability and its observed rate, as
// scikit-learn's calibration_curve with strategy="quantile" does.
func Reliability(y []int, p, w []float64, bins int) ([]ReliabilityRow, error) {
	tot, _, err := checkScores("reliability", y, p, w, true, false)
	if err != nil {
		return nil, err
	}
	if bins <= 0 {
		return nil, fmt.Errorf("classify: reliability: bins must be positive, got %d: %w", bins, ErrInvalidInput)
	}
	rows := make([]ReliabilityRow, bins)
	for b := range rows {
		rows[b].Bin = b + 1
		rows[b].MinPredicted, rows[b].MaxPredicted = math.Inf(1), math.Inf(-1)
	}
	var cum float64
	for _, i := range order(p, false) {
		wi := weightAt(w, i)
		r := &rows[binOf(cum, wi, tot, bins)]
		cum += wi
		r.Rows++
		r.Weight += wi
		r.MeanPredicted += wi * p[i]
		if y[i] == 1 {
			r.Observed += wi
		}
		r.MinPredicted, r.MaxPredicted = min(r.MinPredicted, p[i]), max(r.MaxPredicted, p[i])
	}
	out := rows[:0]
	for _, r := range rows {
		if r.Rows == 0 {
			continue
		}
		if r.Weight > 0 {
			r.MeanPredicted /= r.Weight
			r.Observed /= r.Weight
		}
		out = append(out, r)
	}
	return out, nil
}
