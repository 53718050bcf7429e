package segment

import (
	"encoding/json"
	"fmt"
)

// Header is the part of a Model's JSON encoding that every Model carries:
// the method that made it and the version of its encoding. Embed it in a
// Model struct so that [DecodeJSON] can check it.
type Header struct {
	Method  string `json:"method"`
	Version int    `json:"version"`
}

// DecodeJSON decodes data, the JSON encoding of a Model of type M made by
// method, whose encoding this build reads at versions 1 to maxVersion. It
// returns an error wrapping [ErrModelVersion] when the encoding names another
// method or a version outside that range, before it decodes the rest.
// Method packages use it in their DecodeModel.
func DecodeJSON[M any](data []byte, method string, maxVersion int) (*M, error) {
	var h Header
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("%s: decoding model: %w", method, err)
	}
	if h.Method != method {
		return nil, fmt.Errorf("%s: decoding model: encoding is of method %q: %w", method, h.Method, ErrModelVersion)
	}
	if h.Version < 1 || h.Version > maxVersion {
		return nil, fmt.Errorf("%s: decoding model: version %d, this build reads 1 to %d: %w", method, h.Version, maxVersion, ErrModelVersion)
	}
	m := new(M)
	if err := json.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("%s: decoding model: %w", method, err)
	}
	return m, nil
}
