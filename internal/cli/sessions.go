package cli

import (
	"fmt"
	"strings"

	"github.com/calmally/practice/internal/practice"
)

// bookings record / remind: a session's recording and reminders, each gated
// by the client's consent (a refusal exits 5 naming the purpose).

type bookingsRecordCmd struct {
	ID  string `arg:"" help:"Booking id (an online session booked on CalmAlly)."`
	Off bool   `name:"off" help:"Turn recording off (needs no consent)."`
}

func (c bookingsRecordCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	s, err := p.SetRecording(rc.ctx, c.ID, !c.Off)
	if err != nil {
		return err
	}
	printSession(rc, c.ID, s)
	return nil
}

type bookingsRemindCmd struct {
	ID string `arg:"" help:"Booking id (a confirmed session booked on CalmAlly)."`
}

func (c bookingsRemindCmd) Run(rc *runCtx) error {
	p, err := rc.unlocked()
	if err != nil {
		return err
	}
	defer p.Close()
	s, err := p.Remind(rc.ctx, c.ID)
	if err != nil {
		return err
	}
	printSession(rc, c.ID, s)
	return nil
}

func printSession(rc *runCtx, id string, s practice.Session) {
	rec := "off"
	switch {
	case s.Recorded:
		rec = "on"
	case s.RecordingOn:
		rec = "off (consent withdrawn)"
	}
	var rem []string
	for _, r := range s.RemindersSent {
		rem = append(rem, r.Trigger+"@"+rfc3339(r.At))
	}
	fmt.Fprintf(rc.env.Stdout, "%s recording %s; reminders %d %s\n", id, rec, len(rem), strings.Join(rem, " "))
}
