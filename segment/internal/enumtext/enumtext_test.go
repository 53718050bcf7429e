package enumtext

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

type color uint8

type mode int

var colorNames = []string{"red", "green"}

func TestName(t *testing.T) {
	s, ok := Name(colorNames, color(1))
	assert.True(t, ok)
	assert.Equal(t, "green", s)
	_, ok = Name(colorNames, color(2))
	assert.False(t, ok, "one past the last name")
	_, ok = Name(colorNames, mode(-1))
	assert.False(t, ok, "negative value")
}

func TestString(t *testing.T) {
	assert.Equal(t, "red", String(colorNames, color(0), "color"))
	assert.Equal(t, "color(7)", String(colorNames, color(7), "color"))
	assert.Equal(t, "mode(-3)", String(colorNames, mode(-3), "mode"))
}

func TestValue(t *testing.T) {
	v, ok := Value[mode](colorNames, "green")
	assert.True(t, ok)
	assert.Equal(t, mode(1), v)
	_, ok = Value[mode](colorNames, "Green")
	assert.False(t, ok, "names compare exactly")
	_, ok = Value[color](colorNames, "")
	assert.False(t, ok, "the empty string names nothing")
}
