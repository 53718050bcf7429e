//go:build !amd64 || purego

package kernel

func paths() map[string]func() func() {
	return map[string]func() func(){"go": func() func() { return func() {} }}
}
