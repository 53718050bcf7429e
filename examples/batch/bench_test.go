package main

import (
	"path/filepath"
	"testing"
)

// BenchmarkAssign measures assignFile, CSV to CSV, on generated accounts
// with a one-layer and the default three-layer model.
func BenchmarkAssign(b *testing.B) {
	const n = 20_000
	for _, layers := range []string{"firmographic", defaultLayers} {
		b.Run("layers="+itoa(len(parseLayers(layers)))+"/n=20000", func(b *testing.B) {
			dir := b.TempDir()
			in := benchFixture(b, dir, n)
			o := benchOptions(b, in, layers)
			b.ReportAllocs()
			for b.Loop() {
				st, err := assignFile(b.Context(), o)
				if err != nil || st.Written != n {
					b.Fatal(st, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
		})
	}
}

func benchFixture(b *testing.B, dir string, n int) string {
	path := filepath.Join(dir, "accounts.csv")
	if err := run(b.Context(), []string{"gen", "-n", itoa(n), "-o", path}, discard{}, discard{}); err != nil {
		b.Fatal(err)
	}
	return path
}

func benchOptions(b *testing.B, in, layers string) assignOptions {
	dir := filepath.Dir(in)
	modelPath := filepath.Join(dir, "model.json")
	if err := run(b.Context(), []string{"fit", "-in", in, "-model", modelPath, "-layers", layers}, discard{}, discard{}); err != nil {
		b.Fatal(err)
	}
	names, m, err := loadModel(modelPath)
	if err != nil {
		b.Fatal(err)
	}
	return assignOptions{In: in, Out: filepath.Join(dir, "out.csv"), Rejects: filepath.Join(dir, "rejects.csv"),
		Model: m, Layers: names, MaxRejects: -1}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
