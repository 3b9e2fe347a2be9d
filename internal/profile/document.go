package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/calmally/practice/internal/apperr"
)

// FormatVersion is the version of the profile file (docs/profile-format.md).
const FormatVersion = 1

// MaxDocumentBytes bounds a profile file.
const MaxDocumentBytes = 64 << 10

// Document is the profile file: the practitioner, the practice, or both. A
// part left out is left as stored. Warnings appear only in output (profile
// show --json) and are ignored on input.
type Document struct {
	Version      int       `json:"version"`
	Practitioner *Profile  `json:"practitioner,omitempty"`
	Practice     *Practice `json:"practice,omitempty"`
	Warnings     []Warning `json:"warnings,omitempty"`
}

// Decode reads a profile file strictly: unknown fields, trailing data, a
// wrong version or invalid values are refused (apperr invalid). The rev and
// reviewState fields are accepted (so show --json output can be fed back)
// but reviewState and reviewComment are ignored: the service (and the
// platform) decide them.
func Decode(r io.Reader) (Document, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxDocumentBytes+1))
	if err != nil {
		return Document{}, fmt.Errorf("decode profile: %w", err)
	}
	if len(b) > MaxDocumentBytes {
		return Document{}, invalid("file: larger than %d bytes", MaxDocumentBytes)
	}
	var d Document
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return Document{}, ae
		}
		return Document{}, apperr.Wrap(apperr.Invalid, "profile: file: not valid JSON of the documented format", err)
	}
	if dec.More() {
		return Document{}, invalid("file: trailing data after the JSON object")
	}
	if d.Version != FormatVersion {
		return Document{}, invalid("file: version must be %d", FormatVersion)
	}
	if d.Practitioner == nil && d.Practice == nil {
		return Document{}, invalid("file: give practitioner, practice or both")
	}
	d.Warnings = nil
	if d.Practitioner != nil {
		d.Practitioner.ReviewState, d.Practitioner.ReviewComment = "", ""
		if err := d.Practitioner.Normalize(); err != nil {
			return Document{}, err
		}
	}
	if d.Practice != nil {
		if err := d.Practice.Normalize(); err != nil {
			return Document{}, err
		}
	}
	return d, nil
}
