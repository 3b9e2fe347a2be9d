package app

// Client methods bound to the UI (window.go.app.App.<Method>). Errors are
// "code: message" strings (invalid, not_found, conflict, locked, integrity);
// messages name the rule and never contain client data. Dates are
// "YYYY-MM-DD", instants RFC 3339 UTC, "" when unset. Every call that returns
// client data is audited (ids only).
//
//	ClientsList(filter ClientFilterDTO) (ClientListDTO, error)
//	ClientGet(id string) (ClientDTO, error)
//	ClientCreate(client ClientInputDTO) (ClientDTO, error)
//	ClientUpdate(update ClientUpdateDTO) (ClientDTO, error)
//	ClientDischarge(id string) (ClientDTO, error)
//	ClientReopen(id string) (ClientDTO, error)
//	ClientHistory(id string) ([]ClientHistoryDTO, error)   oldest first
//	ClientReasons() ([]string, error)                      reason codes for ClientUpdate
//
// JSON shapes:
//
//	ClientFilterDTO   {status: ""|"active"|"discharged", query: string}
//	ClientListDTO     {clients: ClientSummaryDTO[], unreadable: string[] /* ids */}
//	ClientSummaryDTO  {id, rev, name, preferredName, dateOfBirth, status, updatedAt, lastInteractionAt}
//	EmergencyContactDTO {name, relationship, phone}
//	ClientInputDTO    {name, preferredName, dateOfBirth, gender, phone, email,
//	                   emergencyContact: EmergencyContactDTO, presentingConcerns,
//	                   treatmentPreferences, language}
//	ClientDTO         ClientInputDTO's fields (phone normalised to E.164, e.g. "+919876543210")
//	                  + {id, rev, status: "active"|"discharged", source: "clinic"|"platform"|"import",
//	                     createdAt, updatedAt, lastInteractionAt}
//	ClientUpdateDTO   {id, rev /* as loaded */, reason: "client_request"|"data_entry_error"|"new_information",
//	                   client: ClientInputDTO /* the whole profile as it should now read */}
//	ClientHistoryDTO  {rev, at, actor, action: "correction"|"discharge"|"reopen", reason,
//	                   fields: string[] /* snake_case field names */,
//	                   previous: {[field]: string} /* old values of the changed fields */,
//	                   previousStatus}
//
// Rules the UI should expect: name and date of birth required; under 18 →
// "invalid: under 18: CalmAlly serves adults only"; an update whose rev is
// stale → "conflict: …" (reload); an update that changes nothing →
// "invalid: nothing to save: …"; discharging twice → "conflict: …".

import (
	"time"

	"github.com/calmally/practice/internal/clients"
)

func (a *App) clientService() (*clients.Service, error) {
	p, err := a.practice()
	if err != nil {
		return nil, err
	}
	return p.Clients(), nil
}

// ClientsList lists clients by name, filtered by status and a name query.
func (a *App) ClientsList(f ClientFilterDTO) (ClientListDTO, error) {
	svc, err := a.clientService()
	if err != nil {
		return ClientListDTO{}, a.uiError("clients list", err)
	}
	res, err := svc.List(a.ctx, clients.Filter{Status: clients.Status(f.Status), Query: f.Query})
	if err != nil {
		return ClientListDTO{}, a.uiError("clients list", err)
	}
	out := ClientListDTO{Clients: make([]ClientSummaryDTO, len(res.Clients)), Unreadable: append([]string{}, res.Unreadable...)}
	for i, c := range res.Clients {
		out.Clients[i] = ClientSummaryDTO{ID: c.ID, Rev: c.Rev, Name: c.Name, PreferredName: c.PreferredName,
			DateOfBirth: c.DateOfBirth.String(), Status: string(c.Status), UpdatedAt: instant(c.UpdatedAt),
			LastInteractionAt: instant(c.LastInteractionAt)}
	}
	return out, nil
}

// ClientGet opens one client.
func (a *App) ClientGet(id string) (ClientDTO, error) {
	svc, err := a.clientService()
	if err != nil {
		return ClientDTO{}, a.uiError("client get", err)
	}
	c, err := svc.Get(a.ctx, id)
	if err != nil {
		return ClientDTO{}, a.uiError("client get", err)
	}
	return clientDTO(c), nil
}

// ClientCreate adds a client entered at the clinic.
func (a *App) ClientCreate(in ClientInputDTO) (ClientDTO, error) {
	svc, err := a.clientService()
	if err != nil {
		return ClientDTO{}, a.uiError("client create", err)
	}
	c, err := svc.Create(a.ctx, clientInput(in), clients.SourceClinic)
	if err != nil {
		return ClientDTO{}, a.uiError("client create", err)
	}
	return clientDTO(c), nil
}

// ClientUpdate applies a correction and keeps the old values in history.
func (a *App) ClientUpdate(u ClientUpdateDTO) (ClientDTO, error) {
	svc, err := a.clientService()
	if err != nil {
		return ClientDTO{}, a.uiError("client update", err)
	}
	c, err := svc.Update(a.ctx, clients.Correction{ID: u.ID, Rev: u.Rev, Reason: u.Reason, Input: clientInput(u.Client)})
	if err != nil {
		return ClientDTO{}, a.uiError("client update", err)
	}
	return clientDTO(c), nil
}

// ClientDischarge marks a client discharged.
func (a *App) ClientDischarge(id string) (ClientDTO, error) {
	svc, err := a.clientService()
	if err != nil {
		return ClientDTO{}, a.uiError("client discharge", err)
	}
	c, err := svc.Discharge(a.ctx, id)
	if err != nil {
		return ClientDTO{}, a.uiError("client discharge", err)
	}
	return clientDTO(c), nil
}

// ClientReopen makes a discharged client active again.
func (a *App) ClientReopen(id string) (ClientDTO, error) {
	svc, err := a.clientService()
	if err != nil {
		return ClientDTO{}, a.uiError("client reopen", err)
	}
	c, err := svc.Reopen(a.ctx, id)
	if err != nil {
		return ClientDTO{}, a.uiError("client reopen", err)
	}
	return clientDTO(c), nil
}

// ClientHistory lists a client's corrections and status changes, oldest first.
func (a *App) ClientHistory(id string) ([]ClientHistoryDTO, error) {
	svc, err := a.clientService()
	if err != nil {
		return nil, a.uiError("client history", err)
	}
	hist, err := svc.History(a.ctx, id)
	if err != nil {
		return nil, a.uiError("client history", err)
	}
	out := make([]ClientHistoryDTO, len(hist))
	for i, h := range hist {
		fields := h.Fields
		if fields == nil {
			fields = []string{}
		}
		out[i] = ClientHistoryDTO{Rev: h.Rev, At: instant(h.At), Actor: h.Actor, Action: string(h.Action),
			Reason: h.Reason, Fields: fields, Previous: h.PreviousValues(), PreviousStatus: string(h.PreviousStatus)}
	}
	return out, nil
}

// ClientReasons lists the reason codes a correction may give.
func (a *App) ClientReasons() ([]string, error) { return clients.Reasons(), nil }

func clientInput(in ClientInputDTO) clients.Input {
	return clients.Input{
		Name: in.Name, PreferredName: in.PreferredName, DateOfBirth: in.DateOfBirth, Gender: in.Gender,
		Phone: in.Phone, Email: in.Email,
		EmergencyContact: clients.EmergencyContact{Name: in.EmergencyContact.Name,
			Relationship: in.EmergencyContact.Relationship, Phone: in.EmergencyContact.Phone},
		PresentingConcerns: in.PresentingConcerns, TreatmentPreferences: in.TreatmentPreferences, Language: in.Language,
	}
}

func clientDTO(c clients.Client) ClientDTO {
	return ClientDTO{
		ID: c.ID, Rev: c.Rev, Name: c.Name, PreferredName: c.PreferredName, DateOfBirth: c.DateOfBirth.String(),
		Gender: c.Gender, Phone: c.Phone, Email: c.Email,
		EmergencyContact: EmergencyContactDTO{Name: c.EmergencyContact.Name,
			Relationship: c.EmergencyContact.Relationship, Phone: c.EmergencyContact.Phone},
		PresentingConcerns: c.PresentingConcerns, TreatmentPreferences: c.TreatmentPreferences, Language: c.Language,
		Status: string(c.Status), Source: string(c.Source), CreatedAt: instant(c.CreatedAt),
		UpdatedAt: instant(c.UpdatedAt), LastInteractionAt: instant(c.LastInteractionAt),
	}
}

// instant formats t as RFC 3339 UTC, or "" for the zero time.
func instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
