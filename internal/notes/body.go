package notes

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/calmally/practice/internal/apperr"
)

// ParseBody reads note text supplied as a file (the CLI's --body-file): either
// a JSON object whose keys are the template's section keys
// ({"subjective": "...", "plan": "..."}), or plain text, which goes into the
// template's first section ("body" for the free template).
func ParseBody(t Template, data []byte) (map[string]string, error) {
	if !utf8.Valid(data) {
		return nil, apperr.New(apperr.Invalid, "the body file must be UTF-8 text")
	}
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		var m map[string]string
		if err := json.Unmarshal(trimmed, &m); err != nil {
			return nil, apperr.New(apperr.Invalid, "the body file looks like JSON but is not an object of section key to text")
		}
		return checkSections(t, m)
	}
	if len(t.Sections) == 0 {
		return nil, apperr.New(apperr.Invalid, "the template has no sections")
	}
	return checkSections(t, map[string]string{t.Sections[0].Key: string(data)})
}
