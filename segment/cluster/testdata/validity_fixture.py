# Generates validity_fixture.csv and validity_expected.json with
# scikit-learn (1.2.1, Debian's python3-sklearn): run with /usr/bin/python3.
import json
import numpy as np
from sklearn.metrics import silhouette_score, silhouette_samples, calinski_harabasz_score, davies_bouldin_score

rng = np.random.default_rng(20261124)
centres = np.array([[0.0, 0.0, 0.0], [4.0, 0.5, -1.0], [1.0, 5.0, 2.0], [5.0, 5.0, 5.0]])
rows, labels = [], []
for c, n in zip(range(4), (25, 18, 30, 12)):
    rows.append(centres[c] + rng.normal(scale=1.0 + 0.3 * c, size=(n, 3)))
    labels += [c * 10 - 7] * n  # arbitrary label values
x = np.vstack(rows)
# A duplicate row and a singleton cluster.
x = np.vstack([x, x[3], [9.0, -4.0, 1.5]])
labels += [labels[3], 99]
labels = np.array(labels)
# A second labeling: the same rows cut by a noisy rule.
labels2 = (x[:, 0] + 0.5 * x[:, 1] > 3).astype(int) + 2 * (x[:, 2] > 1.5)

with open("validity_fixture.csv", "w") as f:
    f.write("x0,x1,x2,label,label2\n")
    for r, l, l2 in zip(x, labels, labels2):
        f.write(",".join(repr(float(v)) for v in r) + f",{l},{l2}\n")

out = {}
for name, lab in (("label", labels), ("label2", labels2)):
    out[name] = {
        "silhouette": float(silhouette_score(x, lab)),
        "silhouette_samples": [float(v) for v in silhouette_samples(x, lab)],
        "calinski_harabasz": float(calinski_harabasz_score(x, lab)),
        "davies_bouldin": float(davies_bouldin_score(x, lab)),
    }
with open("validity_expected.json", "w") as f:
    json.dump(out, f, indent=1)
