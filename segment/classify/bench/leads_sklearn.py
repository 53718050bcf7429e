#!/usr/bin/python3
"""scikit-learn side of the leads side-by-side (see ../BENCHMARKS.md).

Reads the X Education leads (Leads.csv), draws the 5 stratified folds
(shuffle, random_state=0), writes the fold of each row so that the Go side
uses the same folds, fits scikit-learn's LogisticRegression(C=1) behind
median imputation + standardization of the numeric columns and one-hot
encoding of the categorical ones ("Select" and blanks are missing; a
missing level is its own category; no pandas here, so the column
transformer is spelled out), on the pre-sales columns and on every
column, and prints the ROC AUC of each fold and the fit times, in Go
benchmark format too.

usage: /usr/bin/python3 leads_sklearn.py [Leads.csv] [out-dir]
"""
import csv
import json
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
CSV = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../../shared/data/leads/Leads.csv")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "../testdata")

IDS = ["Prospect ID", "Lead Number"]
LABEL = "Converted"
# Written by sales after contact: they leak the outcome.
POST = ["Tags", "Lead Quality", "Last Activity", "Last Notable Activity", "Lead Profile",
        "Asymmetrique Activity Index", "Asymmetrique Profile Index",
        "Asymmetrique Activity Score", "Asymmetrique Profile Score"]
NUMERIC = ["TotalVisits", "Total Time Spent on Website", "Page Views Per Visit",
           "Asymmetrique Activity Score", "Asymmetrique Profile Score"]


def load():
    """Returns the column names, a dict of columns (float arrays with NaN for
    the numeric ones, str arrays with "missing" for the categorical ones) and
    the labels."""
    with open(CSV, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    keep = [j for j, h in enumerate(header) if h and h not in IDS and h != LABEL]
    y = np.array([int(r[header.index(LABEL)]) for r in rows[1:]])
    cols = {}
    for j in keep:
        raw = [r[j] if r[j] != "Select" else "" for r in rows[1:]]
        if header[j] in NUMERIC:
            cols[header[j]] = np.array([float(v) if v != "" else np.nan for v in raw])
        else:
            # SimpleImputer(strategy="constant", fill_value="missing"): a
            # missing level is a category of its own.
            cols[header[j]] = np.array([v if v != "" else "missing" for v in raw], dtype=object)
    return [header[j] for j in keep], cols, y


class Pre:
    """The preprocessing a ColumnTransformer would do: median imputation and
    standardization of the numeric columns, one-hot encoding of the
    categorical ones (unknown levels ignored), side by side, sparse."""

    def __init__(self, names):
        self.num = [c for c in names if c in NUMERIC]
        self.cat = [c for c in names if c not in NUMERIC]

    def fit(self, cols, rows):
        xn = np.column_stack([cols[c][rows] for c in self.num])
        self.imp = SimpleImputer(strategy="median").fit(xn)
        self.sc = StandardScaler().fit(self.imp.transform(xn))
        xc = np.column_stack([cols[c][rows] for c in self.cat])
        self.oh = OneHotEncoder(handle_unknown="ignore").fit(xc)
        return self

    def transform(self, cols, rows):
        xn = np.column_stack([cols[c][rows] for c in self.num])
        xc = np.column_stack([cols[c][rows] for c in self.cat])
        return sp.hstack([sp.csr_matrix(self.sc.transform(self.imp.transform(xn))),
                          self.oh.transform(xc)]).tocsr()


def main():
    names, cols, y = load()
    skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    fold = np.zeros(len(y), dtype=int)
    splits = list(skf.split(np.zeros(len(y)), y))
    for f, (_, test) in enumerate(splits):
        fold[test] = f
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "leads_folds.txt"), "w") as fh:
        fh.write("\n".join(str(v) for v in fold) + "\n")
    sets = {
        "presales": [c for c in names if c not in POST],
        "all": names,
    }
    out = {"sklearn": sklearn.__version__, "rows": int(len(y)), "positives": int(y.sum())}
    print(f"scikit-learn {sklearn.__version__}, {len(y)} leads, {y.mean():.3f} converted")
    for name, use in sets.items():
        aucs, fits, lrfits, iters, cpu, lrcpu, conv = [], [], [], [], [], [], []
        for f, (train, test) in enumerate(splits):
            t0, c0 = time.perf_counter(), time.process_time()
            pre = Pre(use).fit(cols, train)
            enc = pre.transform(cols, train)
            lr = LogisticRegression(C=1.0).fit(enc, y[train])
            fits.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            # The logistic regression alone, on the encoded training rows.
            t0, c0 = time.perf_counter(), time.process_time()
            LogisticRegression(C=1.0).fit(enc, y[train])
            lrfits.append(time.perf_counter() - t0)
            lrcpu.append(time.process_time() - c0)
            iters.append(int(lr.n_iter_[0]))
            xt = pre.transform(cols, test)
            aucs.append(roc_auc_score(y[test], lr.predict_proba(xt)[:, 1]))
            # The same objective solved to convergence, for reference.
            full = LogisticRegression(C=1.0, max_iter=10000, tol=1e-8).fit(enc, y[train])
            conv.append(roc_auc_score(y[test], full.predict_proba(xt)[:, 1]))
        width = enc.shape[1]
        out[name] = {"columns": use, "features": int(width), "auc": aucs, "auc_mean": float(np.mean(aucs)),
                     "auc_sd": float(np.std(aucs)),
                     "auc_converged": conv, "auc_converged_mean": float(np.mean(conv)), "fit_s": fits, "lr_fit_s": lrfits,
                     "fit_cpu_s": cpu, "lr_fit_cpu_s": lrcpu, "n_iter": iters}
        print(f"{name}: {len(use)} columns, {width} features; AUC per fold "
              + " ".join(f"{a:.4f}" for a in aucs)
              + f"; mean {np.mean(aucs):.4f} (sd {np.std(aucs):.4f}); lbfgs iterations {iters}")
        print(f"{name}: solved to convergence (max_iter=10000, tol=1e-8): AUC per fold "
              + " ".join(f"{a:.4f}" for a in conv) + f"; mean {np.mean(conv):.4f}")
        print(f"{name}: five fits with preprocessing {sum(fits):.3f} s ({sum(cpu):.3f} s CPU), "
              f"five LogisticRegression fits alone {sum(lrfits):.3f} s ({sum(lrcpu):.3f} s CPU)")
        print(f"BenchmarkLeadsSklearn/set={name}/stage=pipeline \t5\t{sum(fits) / 5 * 1e9:.0f} ns/fit\t{sum(cpu) / 5 * 1e9:.0f} cpu-ns/fit")
        print(f"BenchmarkLeadsSklearn/set={name}/stage=logistic \t5\t{sum(lrfits) / 5 * 1e9:.0f} ns/fit\t{sum(lrcpu) / 5 * 1e9:.0f} cpu-ns/fit")
    with open(os.path.join(OUT, "leads_sklearn.json"), "w") as fh:
        json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
