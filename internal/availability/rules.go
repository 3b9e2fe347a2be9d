package availability

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/calmally/practice/internal/apperr"
)

// DefaultZone is the zone of a rule set that names none.
const DefaultZone = "Asia/Kolkata"

// FormatVersion is the version of the JSON document this package writes.
const FormatVersion = 1

// Modality is how sessions in a window happen.
type Modality string

// Modalities.
const (
	Online   Modality = "online"
	InPerson Modality = "in_person"
)

func (m Modality) valid() bool { return m == Online || m == InPerson }

// ExceptionKind is what a date exception does.
type ExceptionKind string

// Exception kinds.
const (
	// Extra opens hours on dates (in addition to the weekly hours).
	Extra ExceptionKind = "extra"
	// TimeOff closes dates, or hours on them.
	TimeOff ExceptionKind = "time_off"
	// Holiday closes dates like time off; it is shown differently.
	Holiday ExceptionKind = "holiday"
)

// Window is a weekly opening: a day of the week and wall-clock hours.
type Window struct {
	Day      Weekday  `json:"day"`
	Start    Clock    `json:"start"`
	End      Clock    `json:"end"`
	Modality Modality `json:"modality,omitempty"` // "" = the rule set's
}

// Exception changes dates From..To (inclusive; To "" = From only). Start and
// End limit it to those hours on each date; both "" means the whole day
// (time off and holidays only: extra hours need hours).
type Exception struct {
	Kind     ExceptionKind `json:"kind"`
	From     Date          `json:"from"`
	To       Date          `json:"to,omitzero"`
	Start    *Clock        `json:"start,omitempty"`
	End      *Clock        `json:"end,omitempty"`
	Modality Modality      `json:"modality,omitempty"` // extra hours only; "" = the rule set's
}

// last is the last date the exception covers.
func (e Exception) last() Date {
	if e.To.IsZero() {
		return e.From
	}
	return e.To
}

func (e Exception) wholeDay() bool { return e.Start == nil && e.End == nil }

// RuleSet is the availability of one period, in one zone.
type RuleSet struct {
	// ID and Rev identify the stored row; empty for a new rule set. They are
	// not part of the sealed document.
	ID  string `json:"id,omitempty"`
	Rev int64  `json:"rev,omitempty"`

	Zone               string      `json:"zone"`
	EffectiveFrom      Date        `json:"effectiveFrom,omitzero"`  // "" = always
	EffectiveUntil     Date        `json:"effectiveUntil,omitzero"` // inclusive; "" = open-ended
	SessionMinutes     int         `json:"sessionMinutes"`
	BufferMinutes      int         `json:"bufferMinutes"`
	MinimumNoticeHours int         `json:"minimumNoticeHours"`
	HorizonDays        int         `json:"horizonDays"`
	Modality           Modality    `json:"modality"`
	Location           string      `json:"location,omitempty"` // in-person address; practice-confidential
	Weekly             []Window    `json:"weekly"`
	Exceptions         []Exception `json:"exceptions,omitempty"`

	loc *time.Location
}

// Schedule is every rule set of the practice, ordered by effective date.
type Schedule struct {
	Version  int       `json:"version"`
	RuleSets []RuleSet `json:"ruleSets"`
}

// Clone returns a copy of s that shares no slices with it.
func (s Schedule) Clone() Schedule {
	c := Schedule{Version: s.Version, RuleSets: make([]RuleSet, len(s.RuleSets))}
	for i, r := range s.RuleSets {
		r.Weekly = slices.Clone(r.Weekly)
		r.Exceptions = slices.Clone(r.Exceptions)
		c.RuleSets[i] = r
	}
	return c
}

// Limits on a document, so a hostile file cannot make expansion slow or
// memory large.
const (
	MaxDocumentBytes  = 256 << 10
	maxRuleSets       = 20
	maxWindows        = 100
	maxExceptions     = 1000
	maxExceptionDays  = 366
	maxLocationLen    = 500
	minSessionMinutes = 10
	maxSessionMinutes = 480
	maxBufferMinutes  = 240
	maxNoticeHours    = 24 * 60
	maxHorizonDays    = 730
)

func invalid(format string, args ...any) error { return apperr.Errorf(apperr.Invalid, format, args...) }

// Decode reads a Schedule document strictly (unknown fields, trailing data
// and documents over MaxDocumentBytes are refused), fills defaults and
// validates it. Ids and revs in the document are ignored.
func Decode(r io.Reader) (Schedule, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxDocumentBytes+1))
	if err != nil {
		return Schedule{}, fmt.Errorf("decode availability: %w", err)
	}
	if len(b) > MaxDocumentBytes {
		return Schedule{}, invalid("availability document: larger than %d bytes", MaxDocumentBytes)
	}
	var s Schedule
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return Schedule{}, ae
		}
		return Schedule{}, apperr.Wrap(apperr.Invalid, "availability document: not valid JSON of the documented format", err)
	}
	if dec.More() {
		return Schedule{}, invalid("availability document: trailing data after the JSON object")
	}
	for i := range s.RuleSets {
		s.RuleSets[i].ID, s.RuleSets[i].Rev = "", 0
	}
	if err := s.Normalize(); err != nil {
		return Schedule{}, err
	}
	return s, nil
}

// Normalize fills defaults (version, zone, modality), sorts the rule sets by
// effective date and validates everything. Error messages name the rule and
// the rule set's position, never the location text.
func (s *Schedule) Normalize() error {
	if s.Version == 0 {
		s.Version = FormatVersion
	}
	if s.Version != FormatVersion {
		return invalid("availability document: version must be %d", FormatVersion)
	}
	if len(s.RuleSets) > maxRuleSets {
		return invalid("availability: at most %d rule sets", maxRuleSets)
	}
	for i := range s.RuleSets {
		if err := s.RuleSets[i].normalize(); err != nil {
			return invalid("availability: rule set %d: %s", i+1, apperr.MessageOf(err))
		}
	}
	slices.SortStableFunc(s.RuleSets, func(a, b RuleSet) int {
		switch {
		case a.EffectiveFrom.Before(b.EffectiveFrom):
			return -1
		case b.EffectiveFrom.Before(a.EffectiveFrom):
			return 1
		}
		return 0
	})
	for i := 1; i < len(s.RuleSets); i++ {
		prev, cur := s.RuleSets[i-1], s.RuleSets[i]
		if prev.EffectiveUntil.IsZero() || !prev.EffectiveUntil.Before(cur.EffectiveFrom) {
			return invalid("availability: rule sets' effective periods overlap (each must end before the next begins)")
		}
	}
	return nil
}

func (r *RuleSet) normalize() error {
	if r.Zone == "" {
		r.Zone = DefaultZone
	}
	if strings.ContainsAny(r.Zone, " \\") || strings.HasPrefix(r.Zone, "/") || strings.Contains(r.Zone, "..") || r.Zone == "Local" {
		return invalid("zone: must be an IANA zone name such as Asia/Kolkata")
	}
	loc, err := time.LoadLocation(r.Zone)
	if err != nil {
		return invalid("zone: must be an IANA zone name such as Asia/Kolkata")
	}
	r.loc = loc
	if r.Modality == "" {
		r.Modality = Online
	}
	if !r.Modality.valid() {
		return invalid("modality: must be online or in_person")
	}
	if !r.EffectiveFrom.IsZero() && !r.EffectiveUntil.IsZero() && r.EffectiveUntil.Before(r.EffectiveFrom) {
		return invalid("effectiveUntil: must not be before effectiveFrom")
	}
	switch {
	case r.SessionMinutes < minSessionMinutes || r.SessionMinutes > maxSessionMinutes:
		return invalid("sessionMinutes: must be %d to %d", minSessionMinutes, maxSessionMinutes)
	case r.BufferMinutes < 0 || r.BufferMinutes > maxBufferMinutes:
		return invalid("bufferMinutes: must be 0 to %d", maxBufferMinutes)
	case r.MinimumNoticeHours < 0 || r.MinimumNoticeHours > maxNoticeHours:
		return invalid("minimumNoticeHours: must be 0 to %d", maxNoticeHours)
	case r.HorizonDays < 1 || r.HorizonDays > maxHorizonDays:
		return invalid("horizonDays: must be 1 to %d", maxHorizonDays)
	case utf8.RuneCountInString(r.Location) > maxLocationLen || !utf8.ValidString(r.Location):
		return invalid("location: at most %d characters of text", maxLocationLen)
	case len(r.Weekly) > maxWindows:
		return invalid("weekly: at most %d windows", maxWindows)
	case len(r.Exceptions) > maxExceptions:
		return invalid("exceptions: at most %d", maxExceptions)
	}
	inPerson := r.Modality == InPerson
	for i, w := range r.Weekly {
		if w.Modality == "" {
			r.Weekly[i].Modality = r.Modality
		} else if !w.Modality.valid() {
			return invalid("weekly window %d: modality must be online or in_person", i+1)
		}
		inPerson = inPerson || r.Weekly[i].Modality == InPerson
		if w.End <= w.Start {
			return invalid("weekly window %d: end must be after start (windows do not cross midnight)", i+1)
		}
		if int(w.End-w.Start) < r.SessionMinutes {
			return invalid("weekly window %d: shorter than one session", i+1)
		}
	}
	for i := range r.Weekly {
		for j := i + 1; j < len(r.Weekly); j++ {
			a, b := r.Weekly[i], r.Weekly[j]
			if a.Day == b.Day && a.Start < b.End && b.Start < a.End {
				return invalid("weekly windows %d and %d overlap", i+1, j+1)
			}
		}
	}
	slices.SortStableFunc(r.Weekly, func(a, b Window) int {
		if a.Day != b.Day {
			return int(a.Day) - int(b.Day)
		}
		return int(a.Start) - int(b.Start)
	})
	for i := range r.Exceptions {
		e := &r.Exceptions[i]
		if err := e.normalize(r.Modality); err != nil {
			return invalid("exception %d: %s", i+1, apperr.MessageOf(err))
		}
		inPerson = inPerson || (e.Kind == Extra && e.Modality == InPerson)
	}
	if inPerson && strings.TrimSpace(r.Location) == "" {
		return invalid("location: in-person sessions need a location")
	}
	return nil
}

func (e *Exception) normalize(def Modality) error {
	switch e.Kind {
	case Extra, TimeOff, Holiday:
	default:
		return invalid("kind must be extra, time_off or holiday")
	}
	if e.From.IsZero() {
		return invalid("from: a date is required")
	}
	if e.To == e.From {
		e.To = Date{}
	}
	if !e.To.IsZero() {
		if e.To.Before(e.From) {
			return invalid("to: must not be before from")
		}
		if e.From.AddDays(maxExceptionDays).Before(e.To) {
			return invalid("covers more than %d days", maxExceptionDays)
		}
	}
	if (e.Start == nil) != (e.End == nil) {
		return invalid("start and end: give both or neither")
	}
	if e.Start != nil && *e.End <= *e.Start {
		return invalid("end must be after start")
	}
	if e.Kind == Extra {
		if e.wholeDay() {
			return invalid("extra hours need start and end")
		}
		if e.Modality == "" {
			e.Modality = def
		}
		if !e.Modality.valid() {
			return invalid("modality must be online or in_person")
		}
	} else if e.Modality != "" {
		return invalid("modality is for extra hours only")
	}
	return nil
}

// Loc returns the rule set's zone (loaded by Normalize).
func (r RuleSet) Loc() *time.Location {
	if r.loc != nil {
		return r.loc
	}
	if loc, err := time.LoadLocation(r.Zone); err == nil {
		return loc
	}
	return time.UTC
}

// covers reports whether d falls in the rule set's effective period.
func (r RuleSet) covers(d Date) bool {
	if !r.EffectiveFrom.IsZero() && d.Before(r.EffectiveFrom) {
		return false
	}
	if !r.EffectiveUntil.IsZero() && r.EffectiveUntil.Before(d) {
		return false
	}
	return true
}

// Current returns the rule set in force on the civil date of now in its
// own zone, or the next one to begin; ok is false if there is none.
func (s Schedule) Current(now time.Time) (RuleSet, bool) {
	for _, r := range s.RuleSets {
		d := DateOf(now.In(r.Loc()))
		if r.covers(d) || d.Before(r.EffectiveFrom) {
			return r, true
		}
	}
	return RuleSet{}, false
}

// Weekday is a day of the week written "mon".."sun" in JSON.
type Weekday time.Weekday

var dayNames = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func (w Weekday) String() string {
	if w < 0 || int(w) >= len(dayNames) {
		return "?"
	}
	return dayNames[w]
}

// MarshalText implements encoding.TextMarshaler.
func (w Weekday) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (w *Weekday) UnmarshalText(b []byte) error {
	for i, n := range dayNames {
		if string(b) == n {
			*w = Weekday(i)
			return nil
		}
	}
	return invalid("day: must be mon, tue, wed, thu, fri, sat or sun")
}
