package app

// A session's recording and reminders, bound to the UI (the booking details
// panel). Each is gated by its own consent; refusals are
// "consent_required: consent required: recording|reminders".
//
//	BookingSession(id string) (SessionDTO, error)
//	BookingSetRecording(id string, on bool) (SessionDTO, error)   on needs recording consent
//	BookingRemind(id string) (SessionDTO, error)                  needs reminders consent
//
// JSON shape:
//
//	SessionDTO {recordingRequested /* the client asked on the platform */, recordingOn /* the decision */,
//	            recorded /* on AND consent in force now */, recordingAt, recordingConsent, remindersConsent,
//	            reminders: [{at, trigger: "manual"|"auto"}] /* oldest first */}

import (
	"github.com/calmally/practice/internal/practice"
)

// SentReminderDTO is one reminder queued for the platform.
type SentReminderDTO struct {
	At      string `json:"at"`
	Trigger string `json:"trigger"`
}

// SessionDTO is what is decided about a session.
type SessionDTO struct {
	RecordingRequested bool              `json:"recordingRequested"`
	RecordingOn        bool              `json:"recordingOn"`
	Recorded           bool              `json:"recorded"`
	RecordingAt        string            `json:"recordingAt"`
	RecordingConsent   bool              `json:"recordingConsent"`
	RemindersConsent   bool              `json:"remindersConsent"`
	Reminders          []SentReminderDTO `json:"reminders"`
}

func sessionDTO(s practice.Session) SessionDTO {
	d := SessionDTO{RecordingRequested: s.RecordingRequested, RecordingOn: s.RecordingOn, Recorded: s.Recorded,
		RecordingAt: instant(s.RecordingAt), RecordingConsent: s.RecordingConsent, RemindersConsent: s.RemindersConsent,
		Reminders: make([]SentReminderDTO, 0, len(s.RemindersSent))}
	for _, r := range s.RemindersSent {
		d.Reminders = append(d.Reminders, SentReminderDTO{At: instant(r.At), Trigger: r.Trigger})
	}
	return d
}

// BookingSession returns a session's recording and reminders.
func (a *App) BookingSession(id string) (SessionDTO, error) {
	return a.session("booking session", func(p *practice.Practice) (practice.Session, error) { return p.Session(a.ctx, id) })
}

// BookingSetRecording turns a session's recording on or off.
func (a *App) BookingSetRecording(id string, on bool) (SessionDTO, error) {
	return a.session("recording", func(p *practice.Practice) (practice.Session, error) { return p.SetRecording(a.ctx, id, on) })
}

// BookingRemind asks the platform to remind the client of a session now.
func (a *App) BookingRemind(id string) (SessionDTO, error) {
	return a.session("reminder", func(p *practice.Practice) (practice.Session, error) { return p.Remind(a.ctx, id) })
}

func (a *App) session(what string, fn func(p *practice.Practice) (practice.Session, error)) (SessionDTO, error) {
	p, err := a.practice()
	if err != nil {
		return SessionDTO{}, a.uiError(what, err)
	}
	s, err := fn(p)
	if err != nil {
		return SessionDTO{}, a.uiError(what, err)
	}
	return sessionDTO(s), nil
}
