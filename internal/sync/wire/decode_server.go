package wire

// Server-side decoders: what a backend reads from a device. They are strict
// about the shapes the server acts on (ids, order, sizes) and leave the
// meaning of each mutation's payload to the server, which answers a bad
// payload with a per-mutation rejection instead of refusing the batch.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/calmally/practice/internal/ids"
)

// ErrBadRequest is wrapped by every refusal of the server-side decoders: the
// request breaks the contract and will never succeed as it is (400 invalid).
var ErrBadRequest = errors.New("wire: request outside the contract")

// Limits of the server-side decoders that the shared constants do not cover.
const (
	MaxDeviceNameLen = 200 // characters of a device's display name
	MaxEntityIDLen   = 128 // bytes of a mutation's entityId ("schedule", a UUID, ...)
)

func badRequest(what, rule string) error {
	return fmt.Errorf("%w: %s: %s", ErrBadRequest, what, rule)
}

// decodeServerBody decodes one JSON object into v: no more than
// MaxBodyBytes, nothing after it. Unknown fields are ignored (the protocol
// lets either side add fields within a version).
func decodeServerBody(what string, body []byte, v any) error {
	if len(body) > MaxBodyBytes {
		return badRequest(what, "body exceeds 8 MiB")
	}
	if !utf8.Valid(body) {
		return badRequest(what, "body is not UTF-8")
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return badRequest(what, "body is not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return badRequest(what, "body is not valid JSON of the expected shape")
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest(what, "trailing data after the JSON object")
	}
	return nil
}

// printable reports whether s has no control characters (a name shown in a
// list, a code written to a log).
func printable(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// DecodeEnrolRequest decodes and checks POST /v1/devices. The code is
// trimmed; whether it is known, unused and fresh is the server's business.
func DecodeEnrolRequest(body []byte) (EnrolRequest, error) {
	const what = "enrol request"
	var r EnrolRequest
	if err := decodeServerBody(what, body, &r); err != nil {
		return EnrolRequest{}, err
	}
	r.EnrolmentCode = strings.TrimSpace(r.EnrolmentCode)
	r.DeviceName = strings.TrimSpace(r.DeviceName)
	switch {
	case r.EnrolmentCode == "":
		return EnrolRequest{}, badRequest(what, "enrolmentCode is required")
	case len(r.EnrolmentCode) > MaxCodeLen:
		return EnrolRequest{}, badRequest(what, "enrolmentCode is longer than 64 bytes")
	case !printable(r.EnrolmentCode):
		return EnrolRequest{}, badRequest(what, "enrolmentCode has control characters")
	case r.DeviceName == "":
		return EnrolRequest{}, badRequest(what, "deviceName is required")
	case utf8.RuneCountInString(r.DeviceName) > MaxDeviceNameLen:
		return EnrolRequest{}, badRequest(what, "deviceName is longer than 200 characters")
	case !printable(r.DeviceName):
		return EnrolRequest{}, badRequest(what, "deviceName has control characters")
	}
	return r, nil
}

// DecodePushRequest decodes and checks POST /v1/push: a device id, at most
// MaxPushBatch mutations in strictly increasing positive id order, each with
// a kind, an entity id, a time and a payload object. An unknown kind is not
// refused here: the server answers it with a rejected result (unknown_kind)
// so the rest of the batch still goes through. Times are returned in UTC.
func DecodePushRequest(body []byte) (PushRequest, error) {
	const what = "push request"
	var r PushRequest
	if err := decodeServerBody(what, body, &r); err != nil {
		return PushRequest{}, err
	}
	if !ids.Valid(r.DeviceID) {
		return PushRequest{}, badRequest(what, "deviceId is not a lower-case UUID")
	}
	if len(r.Mutations) > MaxPushBatch {
		return PushRequest{}, badRequest(what, "more than 200 mutations")
	}
	if r.Mutations == nil {
		r.Mutations = []Mutation{}
	}
	var prev int64
	for i := range r.Mutations {
		m := &r.Mutations[i]
		if err := checkPushedMutation(m, prev); err != nil {
			return PushRequest{}, badRequest(fmt.Sprintf("%s: mutations[%d]", what, i), err.Error())
		}
		prev = m.ID
	}
	return r, nil
}

func checkPushedMutation(m *Mutation, prev int64) error {
	switch {
	case m.ID < 1:
		return errors.New("id must be positive")
	case m.ID <= prev:
		return errors.New("ids must be strictly increasing")
	case m.Kind == "":
		return errors.New("kind is required")
	case len(m.Kind) > MaxCodeLen:
		return errors.New("kind is longer than 64 bytes")
	case !asciiToken(m.Kind):
		return errors.New("kind must be printable ASCII without spaces")
	case m.EntityID == "":
		return errors.New("entityId is required")
	case len(m.EntityID) > MaxEntityIDLen:
		return errors.New("entityId is longer than 128 bytes")
	case !asciiToken(m.EntityID):
		return errors.New("entityId must be printable ASCII without spaces")
	case m.At.IsZero():
		return errors.New("at is required")
	case m.Payload == nil:
		return errors.New("payload must be a JSON object")
	}
	m.At = m.At.UTC()
	return nil
}

// asciiToken: kinds and entity ids are identifiers, safe to log as they are.
func asciiToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
