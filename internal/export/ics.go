package export

import (
	"strings"

	ics "github.com/arran4/golang-ical"

	"github.com/calmally/practice/internal/export/record"
)

// Calendar renders the sessions as iCalendar (RFC 5545): one VEVENT per
// booking, in UTC, with the booking's status and revision (SEQUENCE). The
// summary names no one: the file may be imported into a shared calendar.
func Calendar(rec record.Record) []byte {
	cal := ics.NewCalendarFor("CalmAlly Practice")
	cal.SetMethod(ics.MethodPublish)
	cal.SetXWRCalName("Sessions")
	for _, s := range rec.Sessions {
		ev := cal.AddEvent(s.ID + "@calmally.in")
		ev.SetDtStampTime(rec.ExportedAt.UTC())
		ev.SetCreatedTime(s.CreatedAt.UTC())
		ev.SetModifiedAt(s.UpdatedAt.UTC())
		ev.SetStartAt(s.Start.UTC())
		ev.SetEndAt(s.End.UTC())
		ev.SetSequence(s.Sequence)
		ev.SetSummary("Therapy session (" + strings.ReplaceAll(s.Modality, "_", "-") + ")")
		ev.SetClass(ics.ClassificationConfidential)
		switch s.Status {
		case "confirmed", "completed", "no_show":
			ev.SetStatus(ics.ObjectStatusConfirmed)
		case "requested":
			ev.SetStatus(ics.ObjectStatusTentative)
		default:
			ev.SetStatus(ics.ObjectStatusCancelled)
		}
	}
	return []byte(cal.Serialize())
}
