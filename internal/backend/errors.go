package backend

import (
	"errors"
	"net/http"

	"github.com/calmally/practice/internal/sync/wire"
)

// Error is a refusal the API answers with a status and the protocol's error
// body. Messages name the rule, never data.
type Error struct {
	Status    int
	Code      string
	Message   string
	Retryable bool
}

func (e *Error) Error() string { return "backend: " + e.Code + ": " + e.Message }

func apiError(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message, Retryable: retryableStatus(status)}
}

// retryableStatus is the protocol's list of statuses worth trying again.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func invalid(message string) *Error {
	return apiError(http.StatusBadRequest, wire.CodeInvalid, message)
}

var (
	errUnauthorized = apiError(http.StatusUnauthorized, wire.CodeUnauthorized, "a valid device token is required")
	errRevoked      = apiError(http.StatusUnauthorized, wire.CodeTokenRevoked, "this device's token was revoked: enrol again")
	errBadEnrolment = apiError(http.StatusForbidden, wire.CodeBadEnrolment, "the enrolment code is unknown, used or expired")
	errMismatch     = apiError(http.StatusForbidden, wire.CodeDeviceMismatch, "deviceId is not the token's device")
)

// asAPIError gives any error its API form: an *Error as it is, anything
// else as a retryable internal error whose detail stays in the log.
func asAPIError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return apiError(http.StatusInternalServerError, wire.CodeInternal, "internal error")
}
