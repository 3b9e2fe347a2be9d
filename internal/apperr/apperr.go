// Package apperr is the project's error vocabulary: every error a user can see
// carries a code (what kind of refusal it is) and a message that names the rule,
// never a client's data. The CLI maps codes to exit codes, the app/ layer maps
// them to "code: message" strings for the UI, and anything without a code is
// shown as "Internal error." (its detail goes to the log only).
package apperr

import (
	"errors"
	"fmt"
)

// Codes. Keep them few: callers branch on them.
const (
	Internal        = "internal"
	Invalid         = "invalid"
	NotFound        = "not_found"
	Conflict        = "conflict"
	Locked          = "locked"
	Forbidden       = "forbidden"
	ConsentRequired = "consent_required"
	Integrity       = "integrity"
)

// Error is an error with a code and a user-facing message.
type Error struct {
	Code    string
	Message string
	Err     error // optional cause, for errors.Is; never shown to users
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Message + ": " + e.Err.Error()
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with code and a constant message.
func New(code, message string) *Error { return &Error{Code: code, Message: message} }

// Errorf returns an error with code and a formatted message. Arguments must
// be ids, counts or rule names — never client data.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap gives cause a code and a user-facing message while keeping it for
// errors.Is/As.
func Wrap(code, message string, cause error) *Error {
	return &Error{Code: code, Message: message, Err: cause}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// MessageOf returns what a user may be shown for err.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
