#!/usr/bin/python3
"""Writes fixture.json: a small data set and what scikit-learn computes on
it (logistic coefficients under every penalty, metrics, calibration), for
classify's tests. usage: /usr/bin/python3 fixture.py (from testdata/)."""
import json

import numpy as np
import sklearn
from sklearn.calibration import _sigmoid_calibration
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

rng = np.random.default_rng(7)
n, d = 400, 6
X = rng.normal(size=(n, d))
X[:, 1] = X[:, 1] * 3 + 1
X[:, 5] = (rng.random(n) < 0.3).astype(float)  # a 0/1 column
beta = np.array([1.0, -0.4, 0.0, 0.7, 0.0, 1.5])
p = 1 / (1 + np.exp(-(X @ beta - 0.8)))
y = (rng.random(n) < p).astype(int)
w = rng.uniform(0.2, 3.0, size=n).round(3)

out = {"sklearn": sklearn.__version__, "x": X.round(6).tolist(), "y": y.tolist(), "w": w.tolist(), "fits": []}
X = np.array(out["x"])

def fit(name, **kw):
    sw = kw.pop("sample_weight", None)
    # newton-cholesky (L2, none) converges to the optimum; saga (L1,
    # elastic net) close to it.
    kw.setdefault("solver", "newton-cholesky")
    lr = LogisticRegression(tol=1e-12, max_iter=100000, **kw).fit(X, y, sample_weight=sw)
    cfg = {k: v for k, v in kw.items() if k not in ("solver",)}
    out["fits"].append({"name": name, "config": cfg, "weights": sw is not None,
                        "coef": lr.coef_[0].tolist(), "intercept": float(lr.intercept_[0])})

fit("l2", C=1.0)
fit("l2-c0.05", C=0.05)
fit("l2-balanced", C=0.3, class_weight="balanced")
fit("l2-classweight", C=0.3, class_weight={0: 1.0, 1: 2.5})
fit("l2-weights", C=0.5, sample_weight=w)
fit("l1", penalty="l1", C=0.05, solver="saga")
fit("elasticnet", penalty="elasticnet", l1_ratio=0.4, C=0.05, solver="saga")
fit("l1-weights-balanced", penalty="l1", C=0.1, solver="saga", class_weight="balanced", sample_weight=w)
fit("none", penalty="none")

# Scores with ties for the metrics.
s = np.round(X[:, 0] + 0.5 * X[:, 3], 1)
prob = 1 / (1 + np.exp(-s))
out["scores"] = s.tolist()
out["metrics"] = {
    "auc": roc_auc_score(y, s), "auc_w": roc_auc_score(y, s, sample_weight=w),
    "ap": average_precision_score(y, s), "ap_w": average_precision_score(y, s, sample_weight=w),
    "log_loss": log_loss(y, prob), "log_loss_w": log_loss(y, prob, sample_weight=w),
    "brier": brier_score_loss(y, prob), "brier_w": brier_score_loss(y, prob, sample_weight=w),
}
a, b = _sigmoid_calibration(s, y)
aw, bw = _sigmoid_calibration(s, y, sample_weight=w)
iso = IsotonicRegression(out_of_bounds="clip").fit(s, y)
isow = IsotonicRegression(out_of_bounds="clip").fit(s, y, sample_weight=w)
grid = np.linspace(-4, 4, 33)
out["calibration"] = {"platt_a": float(a), "platt_b": float(b), "platt_a_w": float(aw), "platt_b_w": float(bw),
                      "grid": grid.tolist(), "isotonic": iso.predict(grid).tolist(), "isotonic_w": isow.predict(grid).tolist()}
with open("fixture.json", "w") as fh:
    json.dump(out, fh)
