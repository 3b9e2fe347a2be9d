package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/calmally/practice/internal/ids"
)

// The app's decoders of what the backend answers (the backend's decoders of
// requests and the per-type change data have their own files). Each one
// reads at most MaxBodyBytes, ignores unknown fields (the protocol adds
// fields within a version), refuses unknown values of the enums the app acts
// on, and checks every limit of the contract. Errors wrap ErrBadResponse and
// name the broken rule, never a value from the body.

// ErrBadResponse is wrapped by every error about a response outside the
// contract. The protocol treats such a response as retryable (a server may
// be mid-deploy) but it is logged with the rule it broke.
var ErrBadResponse = errors.New("wire: response outside the contract")

// maxServerNameLen bounds Info.Name: it is shown to the user.
const maxServerNameLen = 200

// Token bounds: opaque, at least 32 characters (the server makes it from 32
// or more random bytes), and small enough for every OS keychain.
const (
	minTokenLen = 32
	maxTokenLen = 1024
)

func respRule(doc, rule string) error {
	return fmt.Errorf("wire: %s: %s: %w", doc, rule, ErrBadResponse)
}

// respJSON decodes one JSON value from b into v: the body must fit the
// limit, parse, and hold nothing after the value.
func respJSON(doc string, b []byte, v any) error {
	if len(b) > MaxBodyBytes {
		return respRule(doc, "body larger than 8 MiB")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return respRule(doc, "not a JSON document of the expected shape")
	}
	if _, err := dec.Token(); err != io.EOF {
		return respRule(doc, "data after the JSON document")
	}
	return nil
}

// ValidCode reports whether s is a machine code of the protocol: 1 to 64
// characters of [a-z0-9_.].
func ValidCode(s string) bool {
	if s == "" || len(s) > MaxCodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func validText(s string, max int) bool { return len(s) <= max && utf8.ValidString(s) }

// ValidCursor reports whether s can be a pull cursor: at most MaxCursorLen
// printable ASCII characters without spaces (it travels in a query string).
func ValidCursor(s string) bool {
	if len(s) > MaxCursorLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// validToken accepts the characters of an HTTP bearer token (RFC 6750
// b64token), so the token can go into a header as it is.
func validToken(s string) bool {
	if len(s) < minTokenLen || len(s) > maxTokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

func validRegion(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// DecodeInfo decodes GET /v1/info.
func DecodeInfo(b []byte) (Info, error) {
	const doc = "info"
	var v Info
	if err := respJSON(doc, b, &v); err != nil {
		return Info{}, err
	}
	switch {
	case v.Name == "" || !validText(v.Name, maxServerNameLen):
		return Info{}, respRule(doc, "name must be 1 to 200 characters")
	case v.Protocol < 1:
		return Info{}, respRule(doc, "protocol must be 1 or more")
	case v.MinProtocol < 1 || v.MinProtocol > v.Protocol:
		return Info{}, respRule(doc, "minProtocol must be between 1 and protocol")
	case !validRegion(v.Region):
		return Info{}, respRule(doc, "region must be an ISO 3166-1 alpha-2 code")
	case v.ServerTime.IsZero():
		return Info{}, respRule(doc, "serverTime is required")
	}
	return v, nil
}

// DecodeEnrolResponse decodes POST /v1/devices.
func DecodeEnrolResponse(b []byte) (EnrolResponse, error) {
	const doc = "enrolment"
	var v EnrolResponse
	if err := respJSON(doc, b, &v); err != nil {
		return EnrolResponse{}, err
	}
	switch {
	case !ids.Valid(v.DeviceID):
		return EnrolResponse{}, respRule(doc, "deviceId must be a lower-case UUID")
	case !ids.Valid(v.TherapistID):
		return EnrolResponse{}, respRule(doc, "therapistId must be a lower-case UUID")
	case !validToken(v.Token):
		return EnrolResponse{}, respRule(doc, "token must be 32 to 1024 bearer-token characters")
	}
	return v, nil
}

// DecodePushResponse decodes POST /v1/push for a batch whose mutation ids
// were sent (in that order): one result per mutation, in order, with a known
// status, a code on every rejection, and lastMutationId at or above the last
// id sent (the server processed the whole batch).
func DecodePushResponse(b []byte, sent []int64) (PushResponse, error) {
	const doc = "push response"
	var v PushResponse
	if err := respJSON(doc, b, &v); err != nil {
		return PushResponse{}, err
	}
	if len(v.Results) != len(sent) {
		return PushResponse{}, respRule(doc, "one result per mutation sent")
	}
	for i, r := range v.Results {
		if r.ID != sent[i] {
			return PushResponse{}, respRule(doc, "results must follow the mutations sent, in order")
		}
		if i > 0 && r.ID <= v.Results[i-1].ID {
			return PushResponse{}, respRule(doc, "result ids must increase")
		}
		switch r.Status {
		case ResultApplied, ResultDuplicate:
		case ResultRejected:
			if r.Code == "" {
				return PushResponse{}, respRule(doc, "a rejection needs a code")
			}
		default:
			return PushResponse{}, respRule(doc, "status must be applied, duplicate or rejected")
		}
		if r.Code != "" && !ValidCode(r.Code) {
			return PushResponse{}, respRule(doc, "code must be 1 to 64 characters of [a-z0-9_.]")
		}
		if !validText(r.Message, MaxTextLen) {
			return PushResponse{}, respRule(doc, "message longer than 4000 bytes")
		}
	}
	if len(sent) > 0 && v.LastMutationID < sent[len(sent)-1] {
		return PushResponse{}, respRule(doc, "lastMutationId below the last mutation sent")
	}
	return v, nil
}

// knownChangeType reports whether t is a change type of this version.
func knownChangeType(t string) bool {
	switch t {
	case TypeBooking, TypeMatch, TypeClient, TypeGrievance, TypeTakedown, TypeProfile, TypeNotice:
		return true
	}
	return false
}

// DecodePullResponse decodes the envelope of GET /v1/pull: at most
// MaxPageChanges changes, each of a known type with a UUID, a version of 1
// or more, and data exactly when it is not a tombstone; a cursor within
// MaxCursorLen. The data of each change is decoded by type elsewhere.
func DecodePullResponse(b []byte) (PullResponse, error) {
	const doc = "pull response"
	var v PullResponse
	if err := respJSON(doc, b, &v); err != nil {
		return PullResponse{}, err
	}
	if len(v.Changes) > MaxPageChanges {
		return PullResponse{}, respRule(doc, "more than 1000 changes in a page")
	}
	if !ValidCursor(v.Cursor) {
		return PullResponse{}, respRule(doc, "cursor must be at most 512 printable characters")
	}
	for _, c := range v.Changes {
		switch {
		case !knownChangeType(c.Type):
			return PullResponse{}, respRule(doc, "unknown change type")
		case !ids.Valid(c.ID):
			return PullResponse{}, respRule(doc, "change id must be a lower-case UUID")
		case c.Version < 1:
			return PullResponse{}, respRule(doc, "change version must be 1 or more")
		case c.Deleted && c.Data != nil:
			return PullResponse{}, respRule(doc, "a tombstone carries no data")
		case !c.Deleted && len(c.Data) == 0:
			return PullResponse{}, respRule(doc, "a change carries data unless it is a tombstone")
		}
	}
	if v.Changes == nil {
		v.Changes = []Change{}
	}
	return v, nil
}

// DecodeErrorBody decodes the body of a non-2xx response.
func DecodeErrorBody(b []byte) (ErrorBody, error) {
	const doc = "error body"
	var v ErrorBody
	if err := respJSON(doc, b, &v); err != nil {
		return ErrorBody{}, err
	}
	switch {
	case !ValidCode(v.Error.Code):
		return ErrorBody{}, respRule(doc, "code must be 1 to 64 characters of [a-z0-9_.]")
	case !validText(v.Error.Message, MaxTextLen):
		return ErrorBody{}, respRule(doc, "message longer than 4000 bytes")
	}
	return v, nil
}
