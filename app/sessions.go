package app

// The client page's sessions list, bound to the UI (window.go.app.App.<Method>).
// Errors are "code: message" strings; messages never hold client data. The
// list is audited as one view of the client.
//
//	SessionsForClient(clientID string) (ClientSessionsDTO, error)  every booking of the client, latest first
//
// JSON shapes:
//
//	ClientSessionsDTO {zone /* IANA zone of the schedule: show dates and times in it */,
//	                   bookings: BookingDTO[] /* see scheduling.go */, unreadable: string[] /* ids */}
//
// A note records a session when its bookingId (NotesForClient) is the
// booking's id.

// ClientSessionsDTO is one client's bookings, latest first.
type ClientSessionsDTO struct {
	Zone       string       `json:"zone"`
	Bookings   []BookingDTO `json:"bookings"`
	Unreadable []string     `json:"unreadable"`
}

// SessionsForClient lists every booking of a client, latest first.
func (a *App) SessionsForClient(clientID string) (ClientSessionsDTO, error) {
	p, err := a.practice()
	if err != nil {
		return ClientSessionsDTO{}, a.uiError("sessions list", err)
	}
	res, err := p.Bookings().ListForClient(a.ctx, clientID)
	if err != nil {
		return ClientSessionsDTO{}, a.uiError("sessions list", err)
	}
	return ClientSessionsDTO{Zone: p.SchedulingZone(a.ctx).String(), Bookings: bookingDTOs(res.Bookings, p.Now()),
		Unreadable: strs(res.Unreadable)}, nil
}
