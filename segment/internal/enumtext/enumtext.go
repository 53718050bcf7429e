// Package enumtext holds the text form shared by the small enums of strata's
// segment packages: an integer type whose values 0, 1, … len(names)-1 are
// named by a slice of names. Each package keeps its own error texts and
// sentinels; this package only looks names and values up.
package enumtext

import "strconv"

// Integer is the underlying type of an enum.
type Integer interface {
	~int | ~uint8
}

// Name returns the name of v and whether v has one.
func Name[T Integer](names []string, v T) (string, bool) {
	if i := int(v); i >= 0 && i < len(names) {
		return names[i], true
	}
	return "", false
}

// String returns the name of v, or typ followed by v in parentheses, such
// as "Algorithm(9)", when v has none.
func String[T Integer](names []string, v T, typ string) string {
	if s, ok := Name(names, v); ok {
		return s
	}
	return typ + "(" + strconv.Itoa(int(v)) + ")"
}

// Value returns the value that s names and whether s names one. The names
// are compared exactly.
func Value[T Integer](names []string, s string) (T, bool) {
	for i, n := range names {
		if n == s {
			return T(i), true
		}
	}
	return 0, false
}
