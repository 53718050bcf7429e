"""Fit times and centroid index of scikit-learn's KMeans on the benchmark sets.

Run from segment/cluster with Debian's scikit-learn (python3-sklearn):
    /usr/bin/python3 kmeans_quality_sklearn.py [set ...]
Prints, per set, the CI of each of seeds 0-9 (n_init=10, k-means++) and the
mean wall-clock and CPU time per fit, in the format of QUALITY.md. Run with
OMP_NUM_THREADS=1 on a shared machine: OpenMP threads that spin while other
processes hold the cores make the wall-clock times meaningless.
"""
import gzip
import os
import sys
import time

import numpy as np
from sklearn.cluster import KMeans

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/data")
SETS = ["s1", "s2", "s3", "s4", "a1", "a2", "a3", "unbalance", "d31", "r15", "birch1"]


def load(name):
    x = np.loadtxt(gzip.open(f"{DATA}/clustering/{name}.data.gz"))
    labels = np.loadtxt(gzip.open(f"{DATA}/clustering/{name}.labels0.gz")).astype(int)
    cb = f"{DATA}/franti/{name}-cb.txt"
    if os.path.exists(cb):
        truth = np.loadtxt(cb)
    else:
        truth = np.array([x[labels == c].mean(axis=0) for c in range(1, labels.max() + 1)])
    return x, truth


def orphans(a, b):
    """CI1(a -> b): rows of b that no row of a is nearest to."""
    d = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    return len(b) - len(set(d.argmin(axis=1)))


def ci(a, b):
    return max(orphans(a, b), orphans(b, a))


for name in sys.argv[1:] or SETS:
    x, truth = load(name)
    k = len(truth)
    cis, wall, cpu = [], 0.0, 0.0
    for seed in range(10):
        start, start_cpu = time.perf_counter(), time.process_time()
        m = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(x)
        wall += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        cis.append(ci(m.cluster_centers_, truth))
    zero = sum(c == 0 for c in cis)
    print(f"| {name} | {' '.join(map(str, cis))} | {zero}/10 | {wall / 10:.3f} s | {cpu / 10:.3f} s |", flush=True)
