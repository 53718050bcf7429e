#!/usr/bin/python3
"""scikit-learn side of strata's k-means speed benchmarks.

Reads the files written by segment/cluster/bench/gen (the same bytes the Go
benchmarks read) from $STRATA_BENCH_DIR and fits scikit-learn's KMeans with
the given initial centres, n_init=1, max_iter=50 (or $STRATA_BENCH_ITERS),
tol=0, for algorithm "lloyd" and "elkan", on all cores (OpenMP and BLAS
threads as scikit-learn sets them). Prints one line per pass in Go benchmark
format, named like the Go side so benchstat can set them side by side:

  BenchmarkLloyd/n=100000/d=8/k=8-2  1  <ns> ns/op  <x> ns/pt-iter  <y> GFLOP/s  <i> iters  <v> inertia

ns/op is the whole fit (validation, the iterations, the final labels and
inertia), as on the Go side; ns/pt-iter divides it by n and the iterations
run; GFLOP/s counts 2*n*k*d per iteration.

Usage: STRATA_BENCH_DIR=/tmp/strata-bench /usr/bin/python3 sklearn_bench.py [-count N] [-shapes 100000x8x8,...]
"""
import argparse
import os
import platform
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_info

SHAPES = "100000x8x8,1000000x16x16,1000000x64x64,200000x16x256"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-count", type=int, default=3)
    ap.add_argument("-shapes", default=SHAPES)
    ap.add_argument("-algs", default="lloyd,elkan")
    args = ap.parse_args()
    root = os.environ.get("STRATA_BENCH_DIR")
    if not root:
        sys.exit("sklearn_bench: set STRATA_BENCH_DIR (see run.sh)")
    iters = int(os.environ.get("STRATA_BENCH_ITERS", "50"))
    threads = os.cpu_count()
    print("goos: linux")
    print("goarch: amd64")
    print("pkg: sklearn")
    print(f"# scikit-learn {sklearn.__version__}, numpy {np.__version__}, python {platform.python_version()}")
    for info in threadpool_info():
        print(f"# {info['internal_api']} {info.get('version')} threads={info['num_threads']} arch={info.get('architecture')}")
    for s in args.shapes.split(","):
        n, d, k = (int(v) for v in s.split("x"))
        base = os.path.join(root, f"n{n}_d{d}_k{k}")
        x = np.fromfile(base + ".x.f64", dtype="<f8").reshape(n, d)
        init = np.fromfile(base + ".init.f64", dtype="<f8").reshape(k, d)
        for alg in args.algs.split(","):
            name = f"Benchmark{alg.capitalize()}/n={n}/d={d}/k={k}-{threads}"
            for _ in range(args.count):
                km = KMeans(n_clusters=k, init=init, n_init=1, max_iter=iters, tol=0.0, algorithm=alg)
                t0 = time.perf_counter_ns()
                km.fit(x)
                ns = time.perf_counter_ns() - t0
                it = km.n_iter_
                gflops = 2.0 * n * k * d * it / ns
                print(f"{name} \t1\t{ns} ns/op\t{ns / n / it:.4g} ns/pt-iter\t{gflops:.4g} GFLOP/s\t{it} iters\t{km.inertia_:.17g} inertia", flush=True)


if __name__ == "__main__":
    main()
