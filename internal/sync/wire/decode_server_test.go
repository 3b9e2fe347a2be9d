package wire

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

const testDevice = "0190f5a4-7c1e-7aaa-8bbb-0123456789ab"

func validPushJSON() string {
	return `{"deviceId":"` + testDevice + `","mutations":[
	 {"id":3,"kind":"booking.confirm","entityId":"0190f5a4-7c1e-7aaa-8bbb-00000000000a","at":"2025-03-01T10:00:00+05:30",
	  "payload":{"bookingId":"0190f5a4-7c1e-7aaa-8bbb-00000000000a","rev":2,"status":"confirmed","paymentStatus":"paid","at":"2025-03-01T04:30:00Z"}},
	 {"id":7,"kind":"availability.publish","entityId":"schedule","at":"2025-03-01T04:31:00Z","payload":{"version":1,"ruleSets":[]}},
	 {"id":8,"kind":"some.future_kind","entityId":"x","at":"2025-03-01T04:32:00Z","payload":{}}
	],"addedLater":true}`
}

func TestDecodePushRequestAcceptsTheContract(t *testing.T) {
	r, err := DecodePushRequest([]byte(validPushJSON()))
	if err != nil {
		t.Fatal(err)
	}
	if r.DeviceID != testDevice || len(r.Mutations) != 3 {
		t.Fatalf("got %+v", r)
	}
	m := r.Mutations[0]
	if m.ID != 3 || m.Kind != KindBookingConfirm || m.Payload["status"] != "confirmed" {
		t.Fatalf("first mutation: %+v", m)
	}
	if want := time.Date(2025, 3, 1, 4, 30, 0, 0, time.UTC); !m.At.Equal(want) || m.At.Location() != time.UTC {
		t.Fatalf("at = %v, want %v in UTC", m.At, want)
	}
	if r.Mutations[2].Kind != "some.future_kind" {
		t.Fatal("an unknown kind must reach the server, which rejects it per mutation")
	}
}

func TestDecodePushRequestEmptyBatch(t *testing.T) {
	r, err := DecodePushRequest([]byte(`{"deviceId":"` + testDevice + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Mutations == nil || len(r.Mutations) != 0 {
		t.Fatalf("mutations = %#v, want an empty slice", r.Mutations)
	}
}

func pushWith(mutations string) string {
	return `{"deviceId":"` + testDevice + `","mutations":[` + mutations + `]}`
}

func mutationJSON(id int, kind, entity, at, payload string) string {
	return `{"id":` + itoa(id) + `,"kind":"` + kind + `","entityId":"` + entity + `","at":"` + at + `","payload":` + payload + `}`
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestDecodePushRequestRefusals(t *testing.T) {
	const at = "2025-03-01T04:30:00Z"
	ok := func(id int) string { return mutationJSON(id, "booking.confirm", "b1", at, "{}") }
	var many []string
	for i := 1; i <= MaxPushBatch+1; i++ {
		many = append(many, ok(i))
	}
	cases := []struct {
		name, body, rule string
	}{
		{"not json", `deviceId=1`, "not a JSON object"},
		{"array", `[]`, "not a JSON object"},
		{"trailing", pushWith(ok(1)) + `{}`, "trailing data"},
		{"bad device", `{"deviceId":"ABC","mutations":[]}`, "deviceId"},
		{"upper-case device", `{"deviceId":"` + strings.ToUpper(testDevice) + `"}`, "deviceId"},
		{"wrong type", `{"deviceId":"` + testDevice + `","mutations":{}}`, "expected shape"},
		{"too many", pushWith(strings.Join(many, ",")), "more than 200"},
		{"zero id", pushWith(ok(0)), "positive"},
		{"same id twice", pushWith(ok(2) + "," + ok(2)), "strictly increasing"},
		{"decreasing", pushWith(ok(5) + "," + ok(4)), "strictly increasing"},
		{"no kind", pushWith(mutationJSON(1, "", "b1", at, "{}")), "kind is required"},
		{"kind with space", pushWith(mutationJSON(1, "booking confirm", "b1", at, "{}")), "kind must be"},
		{"long kind", pushWith(mutationJSON(1, strings.Repeat("k", 65), "b1", at, "{}")), "longer than 64"},
		{"no entity", pushWith(mutationJSON(1, "booking.confirm", "", at, "{}")), "entityId is required"},
		{"long entity", pushWith(mutationJSON(1, "booking.confirm", strings.Repeat("e", 129), at, "{}")), "longer than 128"},
		{"no time", `{"deviceId":"` + testDevice + `","mutations":[{"id":1,"kind":"k","entityId":"e","payload":{}}]}`, "at is required"},
		{"bad time", pushWith(mutationJSON(1, "k", "e", "yesterday", "{}")), "expected shape"},
		{"null payload", pushWith(mutationJSON(1, "k", "e", at, "null")), "payload must be"},
		{"array payload", pushWith(mutationJSON(1, "k", "e", at, "[1]")), "expected shape"},
		{"not utf-8", "{\"deviceId\":\"\xff\"}", "UTF-8"},
		{"too big", `{"deviceId":"` + testDevice + `","pad":"` + strings.Repeat("x", MaxBodyBytes) + `"}`, "8 MiB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodePushRequest([]byte(c.body))
			if !errors.Is(err, ErrBadRequest) {
				t.Fatalf("err = %v, want ErrBadRequest", err)
			}
			if !strings.Contains(err.Error(), c.rule) {
				t.Fatalf("err = %q, want it to name %q", err, c.rule)
			}
		})
	}
}

func TestDecodeEnrolRequest(t *testing.T) {
	r, err := DecodeEnrolRequest([]byte(`{"enrolmentCode":"  CALM-DEMO ","deviceName":"Meera's laptop","os":"linux"}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.EnrolmentCode != "CALM-DEMO" || r.DeviceName != "Meera's laptop" {
		t.Fatalf("got %+v", r)
	}
	cases := []struct{ name, body, rule string }{
		{"empty", `{}`, "enrolmentCode is required"},
		{"blank code", `{"enrolmentCode":"   ","deviceName":"d"}`, "enrolmentCode is required"},
		{"long code", `{"enrolmentCode":"` + strings.Repeat("A", 65) + `","deviceName":"d"}`, "longer than 64"},
		{"control in code", `{"enrolmentCode":"A\u0007B","deviceName":"d"}`, "control characters"},
		{"no name", `{"enrolmentCode":"A"}`, "deviceName is required"},
		{"long name", `{"enrolmentCode":"A","deviceName":"` + strings.Repeat("é", 201) + `"}`, "longer than 200"},
		{"newline in name", `{"enrolmentCode":"A","deviceName":"a\nb"}`, "control characters"},
		{"number code", `{"enrolmentCode":12,"deviceName":"d"}`, "expected shape"},
		{"two objects", `{"enrolmentCode":"A","deviceName":"d"} {}`, "trailing data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeEnrolRequest([]byte(c.body))
			if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), c.rule) {
				t.Fatalf("err = %v, want ErrBadRequest naming %q", err, c.rule)
			}
		})
	}
}

// FuzzDecodePushRequest: the decoder never panics, and whatever it accepts
// keeps its promises and survives a round trip through JSON unchanged.
func FuzzDecodePushRequest(f *testing.F) {
	f.Add([]byte(validPushJSON()))
	f.Add([]byte(pushWith(mutationJSON(1, "match.accept", "m", "2025-01-01T00:00:00Z", `{"matchId":"m","n":1e308}`))))
	f.Add([]byte(`{"deviceId":"` + testDevice + `","mutations":null}`))
	f.Add([]byte(`{"deviceId":"` + testDevice + `","mutations":[{"id":9223372036854775807}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodePushRequest(body)
		if err != nil {
			if !errors.Is(err, ErrBadRequest) {
				t.Fatalf("refusal does not wrap ErrBadRequest: %v", err)
			}
			return
		}
		if len(r.Mutations) > MaxPushBatch {
			t.Fatalf("accepted %d mutations", len(r.Mutations))
		}
		var prev int64
		for _, m := range r.Mutations {
			if m.ID <= prev || m.Payload == nil || m.At.IsZero() || m.At.Location() != time.UTC {
				t.Fatalf("accepted a mutation that breaks the rules: %+v", m)
			}
			prev = m.ID
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		r2, err := DecodePushRequest(again)
		if err != nil {
			t.Fatalf("re-encoded request refused: %v", err)
		}
		if !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip changed the request:\n%+v\n%+v", r, r2)
		}
	})
}

// FuzzDecodeEnrolRequest: never panics; an accepted request is trimmed,
// within its limits, and stable under a round trip.
func FuzzDecodeEnrolRequest(f *testing.F) {
	f.Add([]byte(`{"enrolmentCode":"CALM-DEMO","deviceName":"Clinic desktop"}`))
	f.Add([]byte(`{"enrolmentCode":" a ","deviceName":"\u00e9\u0301"}`))
	f.Add([]byte(`{"enrolmentCode":null}`))
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeEnrolRequest(body)
		if err != nil {
			if !errors.Is(err, ErrBadRequest) {
				t.Fatalf("refusal does not wrap ErrBadRequest: %v", err)
			}
			return
		}
		if r.EnrolmentCode == "" || len(r.EnrolmentCode) > MaxCodeLen || r.DeviceName == "" ||
			strings.TrimSpace(r.DeviceName) != r.DeviceName || !printable(r.DeviceName) {
			t.Fatalf("accepted %+v", r)
		}
		again, _ := json.Marshal(r)
		r2, err := DecodeEnrolRequest(again)
		if err != nil || r2 != r {
			t.Fatalf("round trip: %+v, %v", r2, err)
		}
	})
}
