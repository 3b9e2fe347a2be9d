package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/ids"
)

// Decoders of a pulled change's data, one per change type (the envelope is
// DecodePullResponse's). Data crossed the network: each decoder checks every
// field the app acts on against the contract — lower-case UUID ids, known
// enum values, real times in order, text within MaxTextLen and free of
// control characters, fees not negative — and ignores fields it does not
// know. A refusal is an apperr invalid error wrapping ErrBadData whose
// message names the rule, never the data: the change will never apply as it
// is, so the engine records and skips it.

// ErrBadData is wrapped by every refusal of a change's data.
var ErrBadData = errors.New("wire: change data outside the contract")

// Limits on change data beyond the shared ones.
const (
	MaxShortText = 200         // names, labels, categories, list items
	MaxListItems = 50          // concerns, languages
	MaxConsents  = 20          // platform consents on a client
	MaxFeePaise  = 100_000_000 // ₹10 lakh for one session: more is a bug upstream
	MaxSession   = 24 * time.Hour
)

func dataRule(doc, rule string) error {
	return apperr.Wrap(apperr.Invalid, fmt.Sprintf("sync %s: %s", doc, rule), ErrBadData)
}

// decodeData re-reads c.Data as the typed document v. The change must be of
// type typ, carry data (not a tombstone), and name the same id as its data
// (when the document has one).
func decodeData(c Change, typ string, v any) error {
	if c.Type != typ {
		return dataRule(typ, "change is of another type")
	}
	if c.Deleted || c.Data == nil {
		return dataRule(typ, "a tombstone has no data to decode")
	}
	b, err := json.Marshal(c.Data)
	if err != nil || len(b) > MaxBodyBytes {
		return dataRule(typ, "data is not a JSON object within 8 MiB")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return dataRule(typ, "data does not have the shape of the contract")
	}
	return nil
}

// dataID checks a required id; it must equal the change's id when want is set.
func dataID(doc, field, s, want string) error {
	if !ids.Valid(s) {
		return dataRule(doc, field+" must be a lower-case UUID")
	}
	if want != "" && s != want {
		return dataRule(doc, field+" must be the change's id")
	}
	return nil
}

func optionalID(doc, field, s string) error {
	if s != "" && !ids.Valid(s) {
		return dataRule(doc, field+" must be empty or a lower-case UUID")
	}
	return nil
}

// dataText checks text: valid UTF-8, at most max characters, no control
// characters (line breaks and tabs only where multiline), and present when
// required.
func dataText(doc, field, s string, max int, required, multiline bool) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return dataRule(doc, fmt.Sprintf("%s must be at most %d characters of text", field, max))
	}
	if required && strings.TrimSpace(s) == "" {
		return dataRule(doc, field+" is required")
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r')) {
			return dataRule(doc, field+" contains a control character")
		}
	}
	return nil
}

func dataList(doc, field string, items []string) error {
	if len(items) > MaxListItems {
		return dataRule(doc, fmt.Sprintf("%s has more than %d items", field, MaxListItems))
	}
	for _, s := range items {
		if err := dataText(doc, field+" item", s, MaxShortText, true, false); err != nil {
			return err
		}
	}
	return nil
}

func dataTime(doc, field string, t time.Time) error {
	if t.IsZero() || t.Year() < 2000 || t.Year() > 2200 {
		return dataRule(doc, field+" must be an RFC 3339 time")
	}
	return nil
}

func oneOf(s string, allowed ...string) bool {
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	return false
}

func utc(ts ...*time.Time) {
	for _, t := range ts {
		*t = t.UTC()
	}
}

// Enum values of change data.
var (
	BookingStatuses = []string{"requested", "confirmed", "completed", "no_show", "cancelled_by_client",
		"cancelled_by_practitioner", "declined", "rescheduled"}
	PaymentStatuses  = []string{"pending", "paid", "refund_pending", "refunded"}
	MatchStatuses    = []string{"proposed", "accepted", "declined", "expired", "withdrawn"}
	GrievanceStates  = []string{"open", "acknowledged", "resolved"}
	TakedownStates   = []string{"open", "removed", "disputed"}
	ReviewStates     = []string{"submitted", "approved", "changes_requested"}
	ConsentPurposes  = []string{"health-data", "teleconsultation", "recording", "summary-sharing", "reminders", "cross-border", "representative-disclosure"}
	AdultAgeBands    = []string{"18-24", "25-34", "35-44", "45-54", "55-64", "65+"}
	maxAgeBandLength = 16
)

// AdultAgeBand reports whether band is one of the adult bands. A match in
// any other band (including "under-18") is refused as a minor; it decodes,
// so that the refusal can be reported.
func AdultAgeBand(band string) bool { return oneOf(band, AdultAgeBands...) }

// DecodeBooking decodes a "booking" change.
func DecodeBooking(c Change) (Booking, error) {
	const doc = "booking"
	var v Booking
	if err := decodeData(c, TypeBooking, &v); err != nil {
		return Booking{}, err
	}
	utc(&v.Start, &v.End)
	switch {
	case dataID(doc, "id", v.ID, c.ID) != nil:
		return Booking{}, dataID(doc, "id", v.ID, c.ID)
	case !oneOf(v.Status, BookingStatuses...):
		return Booking{}, dataRule(doc, "status is not a booking status of this protocol")
	case dataTime(doc, "start", v.Start) != nil:
		return Booking{}, dataTime(doc, "start", v.Start)
	case dataTime(doc, "end", v.End) != nil:
		return Booking{}, dataTime(doc, "end", v.End)
	case !v.End.After(v.Start) || v.End.Sub(v.Start) > MaxSession:
		return Booking{}, dataRule(doc, "end must be after start, within 24 hours")
	case !oneOf(v.Modality, "online", "in_person"):
		return Booking{}, dataRule(doc, "modality must be online or in_person")
	case v.FeePaise < 0 || v.FeePaise > MaxFeePaise:
		return Booking{}, dataRule(doc, "feePaise must be 0 to 100000000")
	case !oneOf(v.PaymentStatus, PaymentStatuses...):
		return Booking{}, dataRule(doc, "paymentStatus must be pending, paid, refund_pending or refunded")
	case v.RescheduledFrom == v.ID:
		return Booking{}, dataRule(doc, "rescheduledFrom must name another booking")
	}
	for _, err := range []error{
		optionalID(doc, "clientRef", v.ClientRef),
		optionalID(doc, "rescheduledFrom", v.RescheduledFrom),
		dataText(doc, "clientLabel", v.ClientLabel, MaxShortText, false, false),
		dataText(doc, "joinLink", v.JoinLink, MaxTextLen, false, false),
	} {
		if err != nil {
			return Booking{}, err
		}
	}
	if v.JoinLink != "" && !strings.HasPrefix(v.JoinLink, "https://") {
		return Booking{}, dataRule(doc, "joinLink must be an https:// address")
	}
	return v, nil
}

// DecodeMatch decodes a "match" change. An age band outside the adult
// bands decodes (the caller refuses it as a minor); it must still be a
// short code.
func DecodeMatch(c Change) (Match, error) {
	const doc = "match"
	var v Match
	if err := decodeData(c, TypeMatch, &v); err != nil {
		return Match{}, err
	}
	utc(&v.ProposedAt, &v.RespondBy)
	switch {
	case dataID(doc, "id", v.ID, c.ID) != nil:
		return Match{}, dataID(doc, "id", v.ID, c.ID)
	case !oneOf(v.Status, MatchStatuses...):
		return Match{}, dataRule(doc, "status must be proposed, accepted, declined, expired or withdrawn")
	case v.AgeBand == "" || len(v.AgeBand) > maxAgeBandLength:
		return Match{}, dataRule(doc, "ageBand is required, at most 16 bytes")
	case !oneOf(v.Modality, "online", "in_person", "either"):
		return Match{}, dataRule(doc, "modality must be online, in_person or either")
	case dataTime(doc, "proposedAt", v.ProposedAt) != nil:
		return Match{}, dataTime(doc, "proposedAt", v.ProposedAt)
	case dataTime(doc, "respondBy", v.RespondBy) != nil:
		return Match{}, dataTime(doc, "respondBy", v.RespondBy)
	case !v.RespondBy.After(v.ProposedAt):
		return Match{}, dataRule(doc, "respondBy must be after proposedAt")
	}
	for _, err := range []error{
		dataText(doc, "ageBand", v.AgeBand, maxAgeBandLength, true, false),
		dataList(doc, "concerns", v.Concerns),
		dataList(doc, "languages", v.Languages),
		dataText(doc, "preferences", v.Preferences, MaxTextLen, false, true),
	} {
		if err != nil {
			return Match{}, err
		}
	}
	return v, nil
}

// DecodeClient decodes a "client" change: the minimal record of an
// accepted match's client. The date of birth must be a real date; whether
// the person is an adult is the caller's rule (clients.CheckAdult, in
// India's calendar), so that a minor can be refused and reported.
func DecodeClient(c Change) (Client, error) {
	const doc = "client"
	var v Client
	if err := decodeData(c, TypeClient, &v); err != nil {
		return Client{}, err
	}
	if err := dataID(doc, "id", v.ID, c.ID); err != nil {
		return Client{}, err
	}
	if err := dataID(doc, "matchId", v.MatchID, ""); err != nil {
		return Client{}, err
	}
	if d, err := time.Parse("2006-01-02", v.DateOfBirth); err != nil || d.Format("2006-01-02") != v.DateOfBirth {
		return Client{}, dataRule(doc, "dateOfBirth must be a real date written YYYY-MM-DD")
	}
	for _, err := range []error{
		dataText(doc, "name", v.Name, MaxShortText, true, false),
		dataText(doc, "preferredName", v.PreferredName, MaxShortText, false, false),
		dataText(doc, "gender", v.Gender, MaxShortText, false, false),
		dataText(doc, "language", v.Language, MaxShortText, false, false),
		dataText(doc, "email", v.Email, 254, false, false),
		dataText(doc, "phone", v.Phone, 32, false, false),
		dataList(doc, "concerns", v.Concerns),
	} {
		if err != nil {
			return Client{}, err
		}
	}
	if len(v.Consents) > MaxConsents {
		return Client{}, dataRule(doc, "more than 20 consents")
	}
	seen := map[string]bool{}
	for i := range v.Consents {
		pc := &v.Consents[i]
		pc.At = pc.At.UTC()
		switch {
		case !oneOf(pc.Purpose, ConsentPurposes...):
			return Client{}, dataRule(doc, "consent purpose is not a purpose of this protocol")
		case seen[pc.Purpose]:
			return Client{}, dataRule(doc, "a consent purpose appears twice")
		case dataTime(doc, "consent at", pc.At) != nil:
			return Client{}, dataTime(doc, "consent at", pc.At)
		}
		if _, ok := NoticeVersionNumber(pc.NoticeVersion); !ok {
			return Client{}, dataRule(doc, "consent noticeVersion must be a version number such as 1 or v1")
		}
		seen[pc.Purpose] = true
	}
	if v.Consents == nil {
		v.Consents = []PlatformConsent{}
	}
	return v, nil
}

// NoticeVersionNumber reads a platform consent's notice version ("3" or
// "v3") as a number from 1 to 999999.
func NoticeVersionNumber(s string) (int, bool) {
	s = strings.TrimPrefix(s, "v")
	if s == "" || len(s) > 6 || s[0] == '0' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// DecodeGrievance decodes a "grievance" change.
func DecodeGrievance(c Change) (Grievance, error) {
	const doc = "grievance"
	var v Grievance
	if err := decodeData(c, TypeGrievance, &v); err != nil {
		return Grievance{}, err
	}
	utc(&v.ReceivedAt, &v.AcknowledgeBy, &v.ResolveBy)
	switch {
	case dataID(doc, "id", v.ID, c.ID) != nil:
		return Grievance{}, dataID(doc, "id", v.ID, c.ID)
	case !oneOf(v.Status, GrievanceStates...):
		return Grievance{}, dataRule(doc, "status must be open, acknowledged or resolved")
	case dataTime(doc, "receivedAt", v.ReceivedAt) != nil:
		return Grievance{}, dataTime(doc, "receivedAt", v.ReceivedAt)
	case dataTime(doc, "acknowledgeBy", v.AcknowledgeBy) != nil:
		return Grievance{}, dataTime(doc, "acknowledgeBy", v.AcknowledgeBy)
	case dataTime(doc, "resolveBy", v.ResolveBy) != nil:
		return Grievance{}, dataTime(doc, "resolveBy", v.ResolveBy)
	case !v.AcknowledgeBy.After(v.ReceivedAt) || v.ResolveBy.Before(v.AcknowledgeBy):
		return Grievance{}, dataRule(doc, "deadlines must follow receivedAt: acknowledgeBy, then resolveBy")
	}
	for _, err := range []error{
		dataText(doc, "category", v.Category, MaxShortText, true, false),
		dataText(doc, "summary", v.Summary, MaxTextLen, false, true),
	} {
		if err != nil {
			return Grievance{}, err
		}
	}
	return v, nil
}

// DecodeTakedown decodes a "takedown" change.
func DecodeTakedown(c Change) (Takedown, error) {
	const doc = "takedown"
	var v Takedown
	if err := decodeData(c, TypeTakedown, &v); err != nil {
		return Takedown{}, err
	}
	utc(&v.ReceivedAt, &v.RemoveBy)
	switch {
	case dataID(doc, "id", v.ID, c.ID) != nil:
		return Takedown{}, dataID(doc, "id", v.ID, c.ID)
	case !oneOf(v.Status, TakedownStates...):
		return Takedown{}, dataRule(doc, "status must be open, removed or disputed")
	case dataTime(doc, "receivedAt", v.ReceivedAt) != nil:
		return Takedown{}, dataTime(doc, "receivedAt", v.ReceivedAt)
	case dataTime(doc, "removeBy", v.RemoveBy) != nil:
		return Takedown{}, dataTime(doc, "removeBy", v.RemoveBy)
	case !v.RemoveBy.After(v.ReceivedAt):
		return Takedown{}, dataRule(doc, "removeBy must be after receivedAt")
	}
	for _, err := range []error{
		dataText(doc, "contentRef", v.ContentRef, MaxTextLen, true, false),
		dataText(doc, "reason", v.Reason, MaxTextLen, false, true),
	} {
		if err != nil {
			return Takedown{}, err
		}
	}
	return v, nil
}

// DecodeProfile decodes a "profile" change (its id is the therapist's).
func DecodeProfile(c Change) (Profile, error) {
	const doc = "profile"
	var v Profile
	if err := decodeData(c, TypeProfile, &v); err != nil {
		return Profile{}, err
	}
	if !oneOf(v.ReviewState, ReviewStates...) {
		return Profile{}, dataRule(doc, "reviewState must be submitted, approved or changes_requested")
	}
	if err := dataText(doc, "comment", v.Comment, MaxTextLen, false, true); err != nil {
		return Profile{}, err
	}
	return v, nil
}
