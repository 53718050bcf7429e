#!/usr/bin/python3
"""Summarise strata's and scikit-learn's k-means benchmark outputs.

Usage: compare.py strata.txt sklearn.txt [peak-rss.txt]

Prints a Markdown table per shape: milliseconds per iteration (the best pass
of each; a whole fit divided by its iterations), strata's best KMeans
algorithm's time over scikit-learn's best (the kernel-only Lloyd loop of
BenchmarkKernelLloyd is shown apart and not counted), GFLOP/s (2*n*k*d per iteration) and its share of the
222 GFLOP/s two-core AVX-512 FMA peak, the relative inertia difference of
strata's algorithms (the largest) from scikit-learn's Lloyd, and strata's peak RSS over the data
size when peak-rss.txt (lines "Alg n d k KiB"; "Baseline 0 0 0 KiB" is the
test binary without data) is given.
"""
import re
import sys

PEAK = 222.0
# The scikit-learn figures on a quiet machine (ms per iteration,
# Lloyd and Elkan); the goal is at most half the better of the two.
QUIET = {(100000, 8, 8): (1.73, 4.48), (1000000, 16, 16): (46.1, 59.4),
         (1000000, 64, 64): (184.0, 166.0), (200000, 16, 256): (53.5, 204.0)}
LINE = re.compile(r"^Benchmark(\w+)/n=(\d+)/d=(\d+)/k=(\d+)(?:-\d+)?\s+\d+\s+(.*)$")


FULL = re.compile(r"inertia Benchmark(\w+)/n=(\d+)/d=(\d+)/k=(\d+) (\S+)$")


def parse(path):
    out, full = {}, {}
    for line in open(path):
        m = FULL.search(line.strip())
        if m:
            full[(m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)))] = float(m.group(5))
            continue
        m = LINE.match(line.strip())
        if not m:
            continue
        alg, n, d, k, rest = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)), m.group(5)
        f = rest.split()
        vals = {f[i + 1]: float(f[i]) for i in range(0, len(f) - 1, 2)}
        ms = vals["ns/op"] / vals["iters"] / 1e6
        key = (n, d, k)
        best = out.setdefault(key, {}).get(alg)
        if best is None or ms < best["ms"]:
            out[key][alg] = {"ms": ms, "iters": vals["iters"], "inertia": vals["inertia"]}
    for (alg, n, d, k), v in full.items():
        if alg in out.get((n, d, k), {}):
            out[(n, d, k)][alg]["inertia"] = v
    return out


def main():
    go, sk = parse(sys.argv[1]), parse(sys.argv[2])
    rss = {}
    if len(sys.argv) > 3:
        for line in open(sys.argv[3]):
            p = line.split()
            if len(p) == 5:
                rss[(p[0],) + tuple(int(v) for v in p[1:4])] = int(p[4]) * 1024
    base = rss.pop(("Baseline", 0, 0, 0), 0)
    print("| shape (n, d, k) | iters | sklearn Lloyd | sklearn Elkan | strata Lloyd | strata Hamerly | strata Elkan | strata Auto "
          "| kernel-only Lloyd loop | best strata / best sklearn | best strata / quiet sklearn (issue) | Lloyd / sklearn Lloyd | strata Lloyd GFLOP/s (% of 222) | inertia rel. diff | Go peak RSS / data |")
    print("|---" * 15 + "|")
    for key in sorted(go, key=lambda s: (s[0] * s[1] * s[2], s)):
        n, d, k = key
        g, s = go[key], sk.get(key, {})
        cell = lambda t, a: f"{t[a]['ms']:.3g}" if a in t else "–"
        best_go = min(v["ms"] for a, v in g.items() if a != "KernelLloyd")
        best_sk = min((v["ms"] for v in s.values()), default=float("nan"))
        lloyd = g.get("Lloyd")
        quiet = f"{best_go / min(QUIET[key]):.2f}" if key in QUIET else "–"
        gf = 2.0 * n * k * d / (lloyd["ms"] * 1e-3) / 1e9 if lloyd else float("nan")
        ratio_l = lloyd["ms"] / s["Lloyd"]["ms"] if lloyd and "Lloyd" in s else float("nan")
        # Every exact strata algorithm against scikit-learn's Lloyd.
        rel = max((abs(v["inertia"] - s["Lloyd"]["inertia"]) / s["Lloyd"]["inertia"] for v in g.values()),
                  default=float("nan")) if "Lloyd" in s else float("nan")
        data = 8 * n * d
        mem = "; ".join(
            f"{alg} {rss[(alg,) + key] / 2**20:.0f} MiB = {rss[(alg,) + key] / data:.2f}× data, "
            f"minus baseline {(rss[(alg,) + key] - base) / data:.2f}× data"
            for alg in ("Lloyd", "Auto", "Elkan") if (alg,) + key in rss) or "–"
        iters = "/".join(sorted({f"{v['iters']:.0f}" for v in list(g.values()) + list(s.values())}))
        print(f"| {n}, {d}, {k} | {iters} | {cell(s, 'Lloyd')} | {cell(s, 'Elkan')} | {cell(g, 'Lloyd')} | {cell(g, 'Hamerly')} "
              f"| {cell(g, 'Elkan')} | {cell(g, 'Auto')} | {cell(g, 'KernelLloyd')} | {best_go / best_sk:.2f} | {quiet} | {ratio_l:.2f} | {gf:.1f} ({100 * gf / PEAK:.0f}%) "
              f"| {rel:.1e} | {mem} |")
    print()
    print("Milliseconds per iteration, best pass; GFLOP/s counts 2·n·k·d per Lloyd iteration.")
    if base:
        print(f"Peak RSS baseline (test binary, no data): {base / 2**20:.0f} MiB.")


if __name__ == "__main__":
    main()
