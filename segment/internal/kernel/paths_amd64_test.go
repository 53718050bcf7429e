//go:build !purego

package kernel

// paths lists the implementations this machine can run, each with a
// function that selects it and returns a function restoring the default.
func paths() map[string]func() func() {
	sel := func(avx512, avx2 bool) func() func() {
		return func() func() {
			old512, old2 := useAVX512, useAVX2
			useAVX512, useAVX2 = avx512, avx2
			return func() { useAVX512, useAVX2 = old512, old2 }
		}
	}
	p := map[string]func() func(){"go": sel(false, false)}
	if useAVX2 {
		p["avx2"] = sel(false, true)
	}
	if useAVX512 {
		p["avx512"] = sel(true, true)
	}
	return p
}
