package wire

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

const (
	goodInfo  = `{"name":"CalmAlly","protocol":1,"minProtocol":1,"region":"IN","serverTime":"2026-03-01T09:00:00Z","extra":true}`
	goodEnrol = `{"deviceId":"0195f3a2-7b1c-7d00-8000-000000000001","therapistId":"0195f3a2-7b1c-7d00-8000-000000000002","token":"tok_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789"}`
	goodPush  = `{"lastMutationId":7,"results":[{"id":5,"status":"applied"},{"id":6,"status":"duplicate"},{"id":7,"status":"rejected","code":"booking_conflict","message":"the client cancelled first"}]}`
	goodPull  = `{"changes":[{"type":"booking","id":"0195f3a2-7b1c-7d00-8000-0000000000b1","version":3,"data":{"id":"x"}},` +
		`{"type":"match","id":"0195f3a2-7b1c-7d00-8000-0000000000c1","version":1,"deleted":true}],"cursor":"c:42","more":true}`
	goodError = `{"error":{"code":"rate_limited","message":"slow down","retryable":true}}`
)

func wantRule(t *testing.T, err error, rule string) {
	t.Helper()
	if !errors.Is(err, ErrBadResponse) {
		t.Fatalf("err = %v, want ErrBadResponse", err)
	}
	if !strings.Contains(err.Error(), rule) {
		t.Fatalf("err = %v, want it to name %q", err, rule)
	}
}

func TestDecodeInfo(t *testing.T) {
	v, err := DecodeInfo([]byte(goodInfo))
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "CalmAlly" || v.Protocol != 1 || v.Region != "IN" || v.ServerTime.IsZero() {
		t.Fatalf("decoded %+v", v)
	}
	tests := []struct{ name, body, rule string }{
		{"not json", `{"name":`, "not a JSON document"},
		{"trailing", goodInfo + `{}`, "data after"},
		{"array", `[]`, "not a JSON document"},
		{"no name", strings.Replace(goodInfo, `"CalmAlly"`, `""`, 1), "name"},
		{"protocol zero", strings.Replace(goodInfo, `"protocol":1`, `"protocol":0`, 1), "protocol must be"},
		{"min above protocol", strings.Replace(goodInfo, `"minProtocol":1`, `"minProtocol":2`, 1), "minProtocol"},
		{"region lower", strings.Replace(goodInfo, `"IN"`, `"in"`, 1), "region"},
		{"region long", strings.Replace(goodInfo, `"IN"`, `"IND"`, 1), "region"},
		{"no time", strings.Replace(goodInfo, `,"serverTime":"2026-03-01T09:00:00Z"`, ``, 1), "serverTime"},
		{"bad time", strings.Replace(goodInfo, `2026-03-01T09:00:00Z`, `yesterday`, 1), "not a JSON document"},
		{"huge", `{"name":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, "larger than 8 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeInfo([]byte(tt.body))
			wantRule(t, err, tt.rule)
		})
	}
}

func TestDecodeEnrolResponse(t *testing.T) {
	v, err := DecodeEnrolResponse([]byte(goodEnrol))
	if err != nil {
		t.Fatal(err)
	}
	if v.DeviceID == "" || v.TherapistID == "" || len(v.Token) < 32 {
		t.Fatalf("decoded %+v", v)
	}
	tests := []struct{ name, body, rule string }{
		{"device upper", strings.Replace(goodEnrol, "0195f3a2-7b1c-7d00-8000-000000000001", "0195F3A2-7B1C-7D00-8000-000000000001", 1), "deviceId"},
		{"therapist missing", strings.Replace(goodEnrol, `"therapistId":"0195f3a2-7b1c-7d00-8000-000000000002",`, ``, 1), "therapistId"},
		{"short token", strings.Replace(goodEnrol, "tok_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789", "short", 1), "token"},
		{"token with space", strings.Replace(goodEnrol, "tok_ABCDEFGHIJ", "tok ABCDEFGHIJ", 1), "token"},
		{"token with newline", strings.Replace(goodEnrol, "tok_ABCDEFGHIJ", `tok\nABCDEFGHIJ`, 1), "token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeEnrolResponse([]byte(tt.body))
			wantRule(t, err, tt.rule)
		})
	}
}

func TestDecodePushResponse(t *testing.T) {
	sent := []int64{5, 6, 7}
	v, err := DecodePushResponse([]byte(goodPush), sent)
	if err != nil {
		t.Fatal(err)
	}
	if v.LastMutationID != 7 || len(v.Results) != 3 || v.Results[2].Code != CodeBookingConflict {
		t.Fatalf("decoded %+v", v)
	}
	tests := []struct {
		name, body string
		sent       []int64
		rule       string
	}{
		{"fewer results", goodPush, []int64{5, 6, 7, 8}, "one result per mutation"},
		{"other ids", goodPush, []int64{4, 6, 7}, "in order"},
		{"reordered", `{"lastMutationId":7,"results":[{"id":6,"status":"applied"},{"id":5,"status":"applied"}]}`, []int64{6, 5}, "increase"},
		{"unknown status", strings.Replace(goodPush, `"applied"`, `"queued"`, 1), sent, "status must be"},
		{"rejected without code", strings.Replace(goodPush, `"code":"booking_conflict",`, ``, 1), sent, "needs a code"},
		{"bad code", strings.Replace(goodPush, `booking_conflict`, `Booking Conflict`, 1), sent, "code must be"},
		{"long message", strings.Replace(goodPush, `the client cancelled first`, strings.Repeat("x", MaxTextLen+1), 1), sent, "message"},
		{"last below", strings.Replace(goodPush, `"lastMutationId":7`, `"lastMutationId":6`, 1), sent, "lastMutationId"},
		{"null results", `{"lastMutationId":7,"results":null}`, sent, "one result per mutation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodePushResponse([]byte(tt.body), tt.sent)
			wantRule(t, err, tt.rule)
		})
	}
}

func TestDecodePullResponse(t *testing.T) {
	v, err := DecodePullResponse([]byte(goodPull))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Changes) != 2 || !v.More || v.Cursor != "c:42" || !v.Changes[1].Deleted || v.Changes[0].Data == nil {
		t.Fatalf("decoded %+v", v)
	}
	notice := strings.Replace(goodPull, `"booking"`, `"notice"`, 1)
	if _, err := DecodePullResponse([]byte(notice)); err != nil {
		t.Fatalf("a notice change: %v", err)
	}
	if e, err := DecodePullResponse([]byte(`{"cursor":"","more":false}`)); err != nil || e.Changes == nil {
		t.Fatalf("empty page: %+v, %v", e, err)
	}
	many := `{"changes":[` + strings.TrimSuffix(strings.Repeat(`{"type":"match","id":"0195f3a2-7b1c-7d00-8000-0000000000c1","version":1,"deleted":true},`, MaxPageChanges+1), ",") + `],"cursor":"x"}`
	tests := []struct{ name, body, rule string }{
		{"unknown type", strings.Replace(goodPull, `"booking"`, `"invoice"`, 1), "unknown change type"},
		{"bad id", strings.Replace(goodPull, `0195f3a2-7b1c-7d00-8000-0000000000b1`, `b1`, 1), "change id"},
		{"version zero", strings.Replace(goodPull, `"version":3`, `"version":0`, 1), "version"},
		{"tombstone with data", strings.Replace(goodPull, `"deleted":true`, `"deleted":true,"data":{}`, 1), "tombstone"},
		{"change without data", strings.Replace(goodPull, `,"data":{"id":"x"}`, ``, 1), "carries data"},
		{"change with empty data", strings.Replace(goodPull, `{"id":"x"}`, `{}`, 1), "carries data"},
		{"long cursor", strings.Replace(goodPull, `c:42`, strings.Repeat("c", MaxCursorLen+1), 1), "cursor"},
		{"cursor with space", strings.Replace(goodPull, `c:42`, `c 42`, 1), "cursor"},
		{"too many", many, "more than 1000"},
		{"changes not a list", `{"changes":{},"cursor":"x"}`, "not a JSON document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodePullResponse([]byte(tt.body))
			wantRule(t, err, tt.rule)
		})
	}
}

func TestDecodeErrorBody(t *testing.T) {
	v, err := DecodeErrorBody([]byte(goodError))
	if err != nil {
		t.Fatal(err)
	}
	if v.Error.Code != CodeRateLimited || !v.Error.Retryable {
		t.Fatalf("decoded %+v", v)
	}
	for _, body := range []string{`{}`, `{"error":{"code":""}}`, `{"error":{"code":"Not Found"}}`, `<html>`, `{"error":"x"}`} {
		if _, err := DecodeErrorBody([]byte(body)); !errors.Is(err, ErrBadResponse) {
			t.Errorf("%s: err = %v", body, err)
		}
	}
}

// TestErrorsNameRulesNotData: a refused value never appears in the error.
func TestErrorsNameRulesNotData(t *testing.T) {
	secret := "Priya-Sharma-9876543210"
	bodies := []string{
		strings.Replace(goodInfo, `"IN"`, `"`+secret+`"`, 1),
		strings.Replace(goodEnrol, "0195f3a2-7b1c-7d00-8000-000000000001", secret, 1),
		strings.Replace(goodPull, `"booking"`, `"`+secret+`"`, 1),
		`{"error":{"code":"` + secret + `"}}`,
	}
	decoders := []func([]byte) error{
		func(b []byte) error { _, err := DecodeInfo(b); return err },
		func(b []byte) error { _, err := DecodeEnrolResponse(b); return err },
		func(b []byte) error { _, err := DecodePullResponse(b); return err },
		func(b []byte) error { _, err := DecodeErrorBody(b); return err },
	}
	for i, body := range bodies {
		err := decoders[i]([]byte(body))
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("decoder %d: err = %v", i, err)
		}
	}
}

// roundTrip checks that an accepted document, encoded again, decodes to the
// same value: the decoders accept exactly what they can describe.
func roundTrip[T any](t *testing.T, v T, decode func([]byte) (T, error)) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("re-encode: %v", err)
	}
	w, err := decode(b)
	if err != nil {
		t.Fatalf("re-decode of an accepted value failed: %v", err)
	}
	if !reflect.DeepEqual(normalize(t, v), normalize(t, w)) {
		t.Fatalf("round trip changed the value:\n%+v\n%+v", v, w)
	}
}

// normalize compares through JSON, so float64 data and time zones compare by
// their encoded form.
func normalize(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func FuzzDecodeInfo(f *testing.F) {
	f.Add([]byte(goodInfo))
	f.Add([]byte(`{"name":"x","protocol":9,"minProtocol":9,"region":"DE","serverTime":"2026-01-01T00:00:00+05:30"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeInfo(b)
		if err == nil {
			roundTrip(t, v, DecodeInfo)
		}
	})
}

func FuzzDecodeEnrolResponse(f *testing.F) {
	f.Add([]byte(goodEnrol))
	f.Add([]byte(`{"deviceId":"","token":"` + strings.Repeat("a", 2000) + `"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeEnrolResponse(b)
		if err == nil {
			roundTrip(t, v, DecodeEnrolResponse)
		}
	})
}

func FuzzDecodePushResponse(f *testing.F) {
	f.Add([]byte(goodPush), int64(5), uint8(3))
	f.Add([]byte(`{"lastMutationId":1,"results":[{"id":1,"status":"applied"}]}`), int64(1), uint8(1))
	f.Add([]byte(`{"results":[]}`), int64(0), uint8(0))
	f.Fuzz(func(t *testing.T, b []byte, first int64, n uint8) {
		sent := make([]int64, int(n)%(MaxPushBatch+1))
		for i := range sent {
			sent[i] = first + int64(i)
		}
		v, err := DecodePushResponse(b, sent)
		if err != nil {
			return
		}
		for i, r := range v.Results {
			if r.ID != sent[i] || (r.Status == ResultRejected && !ValidCode(r.Code)) {
				t.Fatalf("accepted result %d: %+v", i, r)
			}
		}
		roundTrip(t, v, func(b []byte) (PushResponse, error) { return DecodePushResponse(b, sent) })
	})
}

func FuzzDecodePullResponse(f *testing.F) {
	f.Add([]byte(goodPull))
	f.Add([]byte(`{"changes":[],"cursor":"","more":false}`))
	f.Add([]byte(`{"changes":[{"type":"profile","id":"0195f3a2-7b1c-7d00-8000-0000000000d1","version":9007199254740993,"data":{"reviewState":"approved"}}],"cursor":"z"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodePullResponse(b)
		if err != nil {
			return
		}
		if len(v.Changes) > MaxPageChanges || len(v.Cursor) > MaxCursorLen {
			t.Fatalf("accepted a page outside the limits")
		}
		for _, c := range v.Changes {
			if c.Version < 1 || c.Deleted == (c.Data != nil) {
				t.Fatalf("accepted change %+v", c)
			}
		}
		roundTrip(t, v, DecodePullResponse)
	})
}

func FuzzDecodeErrorBody(f *testing.F) {
	f.Add([]byte(goodError))
	f.Add([]byte(`{"error":{"code":"internal","message":"","retryable":false}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeErrorBody(b)
		if err == nil {
			roundTrip(t, v, DecodeErrorBody)
		}
	})
}
