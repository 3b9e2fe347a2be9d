package audit

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is wrapped by every error about an entry that must not be
// written: unknown action, missing time, or a field that could carry client
// data.
var ErrInvalid = errors.New("audit: invalid entry")

// Limits on Detail. They keep the trail to short machine codes; anything a
// person typed does not fit.
const (
	maxDetailPairs = 16
	maxKeyLen      = 32
	maxValueLen    = 64
	maxDigitRun    = 9 // a phone or Aadhaar number has 10 or more digits
)

// Detail is a checked list of key=value machine codes, built with D. Its
// zero value is the empty detail.
type Detail struct {
	s   string
	err error
}

// D builds a Detail from key, value pairs: D("field", "phone",
// "reason", "corrected"). Keys are [a-z][a-z0-9_]{0,31}; values are
// [a-z0-9_.:-]{0,64} and may not contain ten digits in a row unless the
// value is a canonical lowercase UUID. Anything else (a name, an e-mail
// address, a phone number, a sentence) makes the Detail invalid; Err reports
// why and recording it fails. The offending value is never echoed in the error.
func D(kv ...string) Detail {
	if len(kv)%2 != 0 {
		return Detail{err: fmt.Errorf("%w: detail needs key, value pairs", ErrInvalid)}
	}
	var b strings.Builder
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(kv[i])
		b.WriteByte('=')
		b.WriteString(kv[i+1])
	}
	s := b.String()
	if err := ValidateDetail(s); err != nil {
		return Detail{err: err}
	}
	return Detail{s: s}
}

// With returns d with one more pair.
func (d Detail) With(key, value string) Detail {
	if d.err != nil {
		return d
	}
	if d.s == "" {
		return D(key, value)
	}
	s := d.s + " " + key + "=" + value
	if err := ValidateDetail(s); err != nil {
		return Detail{err: err}
	}
	return Detail{s: s}
}

// String is the stored form: pairs joined by single spaces.
func (d Detail) String() string { return d.s }

// Err is non-nil if D refused the input.
func (d Detail) Err() error { return d.err }

// ValidateDetail checks a stored-form detail string ("k=v k2=v2", or empty).
// The store calls it on every write, so an Entry built by hand is held to the
// same rules as one built with D.
func ValidateDetail(s string) error {
	if s == "" {
		return nil
	}
	pairs := strings.Split(s, " ")
	if len(pairs) > maxDetailPairs {
		return fmt.Errorf("%w: detail has more than %d pairs", ErrInvalid, maxDetailPairs)
	}
	seen := make(map[string]bool, len(pairs))
	for i, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return fmt.Errorf("%w: detail pair %d is not key=value", ErrInvalid, i+1)
		}
		if !validKey(k) {
			return fmt.Errorf("%w: detail key %d must be [a-z][a-z0-9_]{0,31}", ErrInvalid, i+1)
		}
		if seen[k] {
			return fmt.Errorf("%w: detail key %q repeated", ErrInvalid, k)
		}
		seen[k] = true
		if !validValue(v) {
			return fmt.Errorf("%w: detail value for %q must be a short lowercase code [a-z0-9_.:-]{0,64}", ErrInvalid, k)
		}
		if digitRun(v) > maxDigitRun && !isUUID(v) {
			return fmt.Errorf("%w: detail value for %q looks like a phone or identity number", ErrInvalid, k)
		}
	}
	return nil
}

// ParseDetail splits a stored detail into its pairs, in order.
func ParseDetail(s string) ([][2]string, error) {
	if err := ValidateDetail(s); err != nil {
		return nil, err
	}
	if s == "" {
		return nil, nil
	}
	var out [][2]string
	for _, p := range strings.Split(s, " ") {
		k, v, _ := strings.Cut(p, "=")
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

func validKey(k string) bool {
	if k == "" || len(k) > maxKeyLen || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for i := 1; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func validValue(v string) bool {
	if len(v) > maxValueLen {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

func digitRun(v string) int {
	longest, run := 0, 0
	for i := 0; i < len(v); i++ {
		if v[i] >= '0' && v[i] <= '9' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// isUUID reports whether v is a canonical lowercase UUID (8-4-4-4-12 hex).
func isUUID(v string) bool {
	if len(v) != 36 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}
