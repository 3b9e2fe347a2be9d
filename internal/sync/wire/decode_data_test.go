package wire

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/ids"
)

const (
	tID    = "0190f5a2-7c4e-7b1a-9c3d-0a1b2c3d4e5f"
	tOther = "0190f5a2-7c4e-7b1a-9c3d-0a1b2c3d4e60"
)

var (
	seedBooking = `{"id":"` + tID + `","status":"requested","start":"2026-03-02T04:30:00Z","end":"2026-03-02T05:20:00Z",
		"modality":"online","feePaise":150000,"paymentStatus":"paid","clientRef":"` + tOther + `","clientLabel":"A. K.",
		"joinLink":"https://meet.example/x","recording":true,"extraField":1}`
	seedMatch = `{"id":"` + tID + `","status":"proposed","ageBand":"25-34","concerns":["anxiety","sleep"],
		"languages":["en","hi"],"modality":"either","preferences":"evenings\nplease","proposedAt":"2026-03-01T09:00:00Z",
		"respondBy":"2026-03-03T09:00:00+05:30"}`
	seedClient = `{"id":"` + tID + `","matchId":"` + tOther + `","name":"Asha Rao","dateOfBirth":"1990-05-01",
		"email":"asha@example.in","phone":"+919876543210","concerns":["anxiety"],
		"consents":[{"purpose":"health-data","granted":true,"at":"2026-03-01T08:00:00Z","noticeVersion":"1"},
		{"purpose":"teleconsultation","granted":true,"at":"2026-03-01T08:00:00Z","noticeVersion":"v1"}]}`
	seedGrievance = `{"id":"` + tID + `","status":"open","category":"billing","summary":"charged twice",
		"receivedAt":"2026-03-01T09:00:00Z","acknowledgeBy":"2026-03-02T09:00:00Z","resolveBy":"2026-03-16T09:00:00Z"}`
	seedTakedown = `{"id":"` + tID + `","status":"open","contentRef":"profile.statement","reason":"claims a cure",
		"receivedAt":"2026-03-01T09:00:00Z","removeBy":"2026-03-02T21:00:00Z"}`
	seedProfile = `{"reviewState":"changes_requested","comment":"add your RCI number"}`
)

func change(t testing.TB, typ, doc string) (Change, bool) {
	t.Helper()
	var data map[string]any
	if err := json.Unmarshal([]byte(doc), &data); err != nil || data == nil {
		return Change{}, false
	}
	id, _ := data["id"].(string)
	if typ == TypeProfile || !ids.Valid(id) {
		id = tID
	}
	return Change{Type: typ, ID: id, Version: 1, Data: data}, true
}

// mustRefuse checks a refusal is permanent (apperr invalid), wraps
// ErrBadData and does not echo the data.
func mustRefuse(t testing.TB, err error, data string) {
	t.Helper()
	if err == nil {
		t.Fatal("accepted data outside the contract")
	}
	if apperr.CodeOf(err) != apperr.Invalid || !errors.Is(err, ErrBadData) {
		t.Fatalf("refusal is %q / %v, want invalid wrapping ErrBadData", apperr.CodeOf(err), err)
	}
	for _, secret := range []string{"Asha", "charged twice", "claims a cure", "asha@example.in"} {
		if strings.Contains(data, secret) && strings.Contains(err.Error(), secret) {
			t.Fatalf("refusal echoes the data: %v", err)
		}
	}
}

func edit(doc, old, repl string) string {
	if !strings.Contains(doc, old) {
		panic("edit: " + old + " not in seed")
	}
	return strings.Replace(doc, old, repl, 1)
}

func TestDecodeValidSeeds(t *testing.T) {
	c, _ := change(t, TypeBooking, seedBooking)
	b, err := DecodeBooking(c)
	if err != nil || b.FeePaise != 150000 || !b.Recording || b.ClientRef != tOther || b.End.Sub(b.Start) != 50*time.Minute {
		t.Fatalf("booking: %+v %v", b, err)
	}
	c, _ = change(t, TypeMatch, seedMatch)
	m, err := DecodeMatch(c)
	if err != nil || len(m.Concerns) != 2 || m.RespondBy.Location() != time.UTC || m.RespondBy.Hour() != 3 {
		t.Fatalf("match: %+v %v", m, err)
	}
	c, _ = change(t, TypeClient, seedClient)
	cl, err := DecodeClient(c)
	if err != nil || cl.MatchID != tOther || len(cl.Consents) != 2 {
		t.Fatalf("client: %+v %v", cl, err)
	}
	c, _ = change(t, TypeGrievance, seedGrievance)
	if g, err := DecodeGrievance(c); err != nil || g.Category != "billing" {
		t.Fatalf("grievance: %+v %v", g, err)
	}
	c, _ = change(t, TypeTakedown, seedTakedown)
	if tk, err := DecodeTakedown(c); err != nil || tk.ContentRef != "profile.statement" {
		t.Fatalf("takedown: %+v %v", tk, err)
	}
	c, _ = change(t, TypeProfile, seedProfile)
	if p, err := DecodeProfile(c); err != nil || p.ReviewState != "changes_requested" {
		t.Fatalf("profile: %+v %v", p, err)
	}
}

func TestDecodeRefusals(t *testing.T) {
	cases := []struct {
		name, typ, doc string
	}{
		{"booking id upper case", TypeBooking, edit(seedBooking, `"id":"`+tID, `"id":"`+strings.ToUpper(tID))},
		{"booking unknown status", TypeBooking, edit(seedBooking, `"requested"`, `"lost"`)},
		{"booking end before start", TypeBooking, edit(seedBooking, `05:20:00Z`, `04:00:00Z`)},
		{"booking end equals start", TypeBooking, edit(seedBooking, `05:20:00Z`, `04:30:00Z`)},
		{"booking negative fee", TypeBooking, edit(seedBooking, `150000`, `-1`)},
		{"booking fractional fee", TypeBooking, edit(seedBooking, `150000`, `1.5`)},
		{"booking fee as text", TypeBooking, edit(seedBooking, `150000`, `"150000"`)},
		{"booking unknown payment", TypeBooking, edit(seedBooking, `"paid"`, `"card"`)},
		{"booking http link", TypeBooking, edit(seedBooking, `https://`, `http://`)},
		{"booking bad client ref", TypeBooking, edit(seedBooking, `"clientRef":"`+tOther, `"clientRef":"x`)},
		{"booking label too long", TypeBooking, edit(seedBooking, `"A. K."`, `"`+strings.Repeat("a", 201)+`"`)},
		{"booking label control char", TypeBooking, edit(seedBooking, `"A. K."`, `"A.\u0007K."`)},
		{"booking bad time", TypeBooking, edit(seedBooking, `2026-03-02T04:30:00Z`, `yesterday`)},
		{"booking missing start", TypeBooking, edit(seedBooking, `"start":"2026-03-02T04:30:00Z",`, ``)},
		{"booking unknown modality", TypeBooking, edit(seedBooking, `"online"`, `"phone"`)},
		{"match unknown status", TypeMatch, edit(seedMatch, `"proposed"`, `"maybe"`)},
		{"match empty age band", TypeMatch, edit(seedMatch, `"25-34"`, `""`)},
		{"match respond before proposed", TypeMatch, edit(seedMatch, `2026-03-03T09:00:00+05:30`, `2026-02-01T00:00:00Z`)},
		{"match too many concerns", TypeMatch, edit(seedMatch, `["anxiety","sleep"]`, `[`+strings.Repeat(`"a",`, 50)+`"a"]`)},
		{"match empty concern", TypeMatch, edit(seedMatch, `"sleep"`, `""`)},
		{"match preferences too long", TypeMatch, edit(seedMatch, `"evenings\nplease"`, `"`+strings.Repeat("x", MaxTextLen+1)+`"`)},
		{"client bad date", TypeClient, edit(seedClient, `1990-05-01`, `1990-02-30`)},
		{"client date other form", TypeClient, edit(seedClient, `1990-05-01`, `01/05/1990`)},
		{"client no name", TypeClient, edit(seedClient, `"Asha Rao"`, `"  "`)},
		{"client bad match id", TypeClient, edit(seedClient, `"matchId":"`+tOther, `"matchId":"`+tOther+`0`)},
		{"client unknown purpose", TypeClient, edit(seedClient, `"health-data"`, `"marketing"`)},
		{"client repeated purpose", TypeClient, edit(seedClient, `"teleconsultation"`, `"health-data"`)},
		{"client bad notice version", TypeClient, edit(seedClient, `"noticeVersion":"1"`, `"noticeVersion":"latest"`)},
		{"grievance unknown status", TypeGrievance, edit(seedGrievance, `"open"`, `"closed"`)},
		{"grievance deadlines out of order", TypeGrievance, edit(seedGrievance, `2026-03-16T09:00:00Z`, `2026-03-01T10:00:00Z`)},
		{"grievance no category", TypeGrievance, edit(seedGrievance, `"billing"`, `""`)},
		{"takedown remove before received", TypeTakedown, edit(seedTakedown, `2026-03-02T21:00:00Z`, `2026-03-01T08:00:00Z`)},
		{"takedown no content", TypeTakedown, edit(seedTakedown, `"profile.statement"`, `""`)},
		{"takedown unknown status", TypeTakedown, edit(seedTakedown, `"open"`, `"ignored"`)},
		{"profile unknown state", TypeProfile, edit(seedProfile, `changes_requested`, `draft`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := change(t, tc.typ, tc.doc)
			if !ok {
				t.Fatal("test document is not JSON")
			}
			mustRefuse(t, decodeAny(c), tc.doc)
		})
	}
	// The envelope must agree with its data.
	c, _ := change(t, TypeBooking, seedBooking)
	c.ID = tOther
	mustRefuse(t, decodeAny(c), seedBooking)
	c, _ = change(t, TypeBooking, seedBooking)
	c.Type = TypeMatch
	if _, err := DecodeBooking(c); err == nil {
		t.Fatal("a match change decoded as a booking")
	}
	c, _ = change(t, TypeBooking, seedBooking)
	c.Deleted, c.Data = true, nil
	mustRefuse(t, decodeAny(c), "")
}

func TestMinorAgeBandDecodesButIsNotAdult(t *testing.T) {
	c, _ := change(t, TypeMatch, edit(seedMatch, `"25-34"`, `"under-18"`))
	m, err := DecodeMatch(c)
	if err != nil {
		t.Fatalf("a minor's match must decode so it can be refused and reported: %v", err)
	}
	if AdultAgeBand(m.AgeBand) {
		t.Fatal("under-18 reported as an adult band")
	}
	for _, b := range AdultAgeBands {
		if !AdultAgeBand(b) {
			t.Fatalf("%s not adult", b)
		}
	}
	for _, b := range []string{"13-17", "0-17", "17", "18-", "", "65 +"} {
		if AdultAgeBand(b) {
			t.Fatalf("%q taken for an adult band", b)
		}
	}
}

func TestNoticeVersionNumber(t *testing.T) {
	for in, want := range map[string]int{"1": 1, "v2": 2, "999999": 999999} {
		if n, ok := NoticeVersionNumber(in); !ok || n != want {
			t.Errorf("%q = %d %v", in, n, ok)
		}
	}
	for _, in := range []string{"", "v", "0", "01", "1.0", "1000000", "vv1", "-1"} {
		if _, ok := NoticeVersionNumber(in); ok {
			t.Errorf("%q accepted", in)
		}
	}
}

// decodeAny decodes c with the decoder of its type.
func decodeAny(c Change) error {
	var err error
	switch c.Type {
	case TypeBooking:
		_, err = DecodeBooking(c)
	case TypeMatch:
		_, err = DecodeMatch(c)
	case TypeClient:
		_, err = DecodeClient(c)
	case TypeGrievance:
		_, err = DecodeGrievance(c)
	case TypeTakedown:
		_, err = DecodeTakedown(c)
	case TypeProfile:
		_, err = DecodeProfile(c)
	}
	return err
}

// okText is what every accepted text field must satisfy.
func okText(t *testing.T, field, s string, max int) {
	t.Helper()
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		t.Fatalf("%s accepted outside its limit", field)
	}
}

func addSeeds(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add(`{}`)
	f.Add(`null`)
	f.Add(`{"id":5}`)
	f.Add(`{"id":"` + tID + `","start":"2026-03-02T04:30:00Z","end":"9999-12-31T23:59:59Z"}`)
}

func FuzzDecodeBooking(f *testing.F) {
	addSeeds(f, seedBooking, edit(seedBooking, `150000`, `-5`), edit(seedBooking, `"recording":true`, `"recording":"yes"`))
	f.Fuzz(func(t *testing.T, doc string) {
		c, ok := change(t, TypeBooking, doc)
		if !ok {
			return
		}
		b, err := DecodeBooking(c)
		if err != nil {
			mustRefuse(t, err, doc)
			return
		}
		if !ids.Valid(b.ID) || b.ID != c.ID || !b.End.After(b.Start) || b.FeePaise < 0 || b.FeePaise > MaxFeePaise ||
			!oneOf(b.Status, BookingStatuses...) || !oneOf(b.PaymentStatus, PaymentStatuses...) ||
			(b.ClientRef != "" && !ids.Valid(b.ClientRef)) || b.Start.Location() != time.UTC {
			t.Fatalf("accepted a booking outside the contract: %+v", b)
		}
		okText(t, "clientLabel", b.ClientLabel, MaxShortText)
		okText(t, "joinLink", b.JoinLink, MaxTextLen)
	})
}

func FuzzDecodeMatch(f *testing.F) {
	addSeeds(f, seedMatch, edit(seedMatch, `"25-34"`, `"under-18"`))
	f.Fuzz(func(t *testing.T, doc string) {
		c, ok := change(t, TypeMatch, doc)
		if !ok {
			return
		}
		m, err := DecodeMatch(c)
		if err != nil {
			mustRefuse(t, err, doc)
			return
		}
		if !ids.Valid(m.ID) || !m.RespondBy.After(m.ProposedAt) || !oneOf(m.Status, MatchStatuses...) ||
			m.AgeBand == "" || len(m.Concerns) > MaxListItems || len(m.Languages) > MaxListItems {
			t.Fatalf("accepted a match outside the contract: %+v", m)
		}
		for _, s := range append(append([]string{}, m.Concerns...), m.Languages...) {
			okText(t, "list item", s, MaxShortText)
		}
		okText(t, "preferences", m.Preferences, MaxTextLen)
	})
}

func FuzzDecodeClient(f *testing.F) {
	addSeeds(f, seedClient, edit(seedClient, `1990-05-01`, `2015-05-01`))
	f.Fuzz(func(t *testing.T, doc string) {
		c, ok := change(t, TypeClient, doc)
		if !ok {
			return
		}
		v, err := DecodeClient(c)
		if err != nil {
			mustRefuse(t, err, doc)
			return
		}
		if !ids.Valid(v.ID) || !ids.Valid(v.MatchID) || strings.TrimSpace(v.Name) == "" || len(v.Consents) > MaxConsents {
			t.Fatalf("accepted a client outside the contract: %+v", v)
		}
		if _, err := time.Parse("2006-01-02", v.DateOfBirth); err != nil {
			t.Fatal("accepted a date of birth that is not a date")
		}
		for _, pc := range v.Consents {
			if _, ok := NoticeVersionNumber(pc.NoticeVersion); !ok || !oneOf(pc.Purpose, ConsentPurposes...) {
				t.Fatalf("accepted a consent outside the contract: %+v", pc)
			}
		}
		okText(t, "name", v.Name, MaxShortText)
	})
}

func FuzzDecodeGrievance(f *testing.F) {
	addSeeds(f, seedGrievance)
	f.Fuzz(func(t *testing.T, doc string) {
		c, ok := change(t, TypeGrievance, doc)
		if !ok {
			return
		}
		g, err := DecodeGrievance(c)
		if err != nil {
			mustRefuse(t, err, doc)
			return
		}
		if !ids.Valid(g.ID) || !g.AcknowledgeBy.After(g.ReceivedAt) || g.ResolveBy.Before(g.AcknowledgeBy) ||
			!oneOf(g.Status, GrievanceStates...) || strings.TrimSpace(g.Category) == "" {
			t.Fatalf("accepted a grievance outside the contract: %+v", g)
		}
		okText(t, "summary", g.Summary, MaxTextLen)
	})
}

func FuzzDecodeTakedown(f *testing.F) {
	addSeeds(f, seedTakedown)
	f.Fuzz(func(t *testing.T, doc string) {
		c, ok := change(t, TypeTakedown, doc)
		if !ok {
			return
		}
		v, err := DecodeTakedown(c)
		if err != nil {
			mustRefuse(t, err, doc)
			return
		}
		if !ids.Valid(v.ID) || !v.RemoveBy.After(v.ReceivedAt) || !oneOf(v.Status, TakedownStates...) ||
			strings.TrimSpace(v.ContentRef) == "" {
			t.Fatalf("accepted a takedown outside the contract: %+v", v)
		}
		okText(t, "reason", v.Reason, MaxTextLen)
	})
}

func FuzzDecodeProfile(f *testing.F) {
	addSeeds(f, seedProfile, `{"reviewState":"approved"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		c, ok := change(t, TypeProfile, doc)
		if !ok {
			return
		}
		p, err := DecodeProfile(c)
		if err != nil {
			mustRefuse(t, err, doc)
			return
		}
		if !oneOf(p.ReviewState, ReviewStates...) {
			t.Fatalf("accepted a review state outside the contract: %q", p.ReviewState)
		}
		okText(t, "comment", p.Comment, MaxTextLen)
	})
}
