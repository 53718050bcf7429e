#!/usr/bin/python3
"""scikit-learn's LogisticRegression on 100,000 rows of 30 features, the
kind of data BenchmarkLogistic fits (15 standard normal columns, 15 0/1
flags set with probability 1/2, a logistic label), printed in Go benchmark
format. usage: /usr/bin/python3 logistic_sklearn.py [repeats]"""
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
n, d = 100_000, 30
rng = np.random.default_rng(1)
X = np.where(np.arange(d) < d // 2, rng.normal(size=(n, d)), (rng.random((n, d)) < 0.5).astype(float))
beta = rng.normal(size=d)
y = (rng.random(n) < 1 / (1 + np.exp(-(X @ beta - 0.5)))).astype(int)
cases = [
    ("penalty=l2/solver=lbfgs", dict()),
    ("penalty=l2/solver=newton-cholesky", dict(solver="newton-cholesky")),
    ("penalty=l1/solver=saga", dict(penalty="l1", C=0.001, solver="saga")),
    ("penalty=l1/solver=liblinear", dict(penalty="l1", C=0.001, solver="liblinear")),
    ("penalty=elasticnet/solver=saga", dict(penalty="elasticnet", l1_ratio=0.5, C=0.001, solver="saga")),
]
for name, kw in cases:
    wall, cpu, iters = 0.0, 0.0, 0
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        m = LogisticRegression(**kw).fit(X, y)
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
        iters += int(np.max(m.n_iter_))
    print(f"BenchmarkLogisticSklearn/n={n}/d={d}/{name} \t{reps}\t{wall / reps * 1e9:.0f} ns/op"
          f"\t{cpu / reps * 1e9:.0f} cpu-ns/op\t{iters / reps:.1f} iterations")
