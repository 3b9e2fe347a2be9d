package backend

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

// The admin API: what the platform's staff and the therapist's web account
// would do, for tests, e2e runs and demos. Only loopback callers holding the
// admin token get in. ?therapist=ID acts on another therapist.

const maxAdminBody = 1 << 20

// FaultsJSON is FaultState as /admin/faults reads and writes it.
type FaultsJSON struct {
	LatencyMS         int64  `json:"latencyMs"`
	FailNext          int    `json:"failNext"`
	FailStatus        int    `json:"failStatus"`
	FailPath          string `json:"failPath,omitempty"`
	RetryAfterSeconds int64  `json:"retryAfterSeconds"`
	DropAfterPush     int    `json:"dropAfterPush"`
	DuplicatePages    int    `json:"duplicatePages"`
	ReversePages      int    `json:"reversePages"`
	DropAfterUpload   int    `json:"dropAfterUpload"`
	CutUploads        int    `json:"cutUploads"`
	CorruptDownloads  int    `json:"corruptDownloads"`
	TruncateDownloads int    `json:"truncateDownloads"`
}

func faultsToJSON(s FaultState) FaultsJSON {
	return FaultsJSON{LatencyMS: s.Latency.Milliseconds(), FailNext: s.FailNext, FailStatus: s.FailStatus, FailPath: s.FailPath,
		RetryAfterSeconds: int64(s.RetryAfter / time.Second), DropAfterPush: s.DropAfterPush,
		DuplicatePages: s.DuplicatePages, ReversePages: s.ReversePages, DropAfterUpload: s.DropAfterUpload,
		CutUploads: s.CutUploads, CorruptDownloads: s.CorruptDownloads, TruncateDownloads: s.TruncateDownloads}
}

func (f FaultsJSON) state() FaultState {
	return FaultState{Latency: time.Duration(f.LatencyMS) * time.Millisecond, FailNext: f.FailNext, FailStatus: f.FailStatus,
		FailPath: f.FailPath, RetryAfter: time.Duration(f.RetryAfterSeconds) * time.Second, DropAfterPush: f.DropAfterPush,
		DuplicatePages: f.DuplicatePages, ReversePages: f.ReversePages, DropAfterUpload: f.DropAfterUpload,
		CutUploads: f.CutUploads, CorruptDownloads: f.CorruptDownloads, TruncateDownloads: f.TruncateDownloads}
}

type adminFunc func(b *Backend, w http.ResponseWriter, r *http.Request) (any, error)

func (b *Backend) adminHandler() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, fn adminFunc) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			view := b
			if t := r.URL.Query().Get("therapist"); t != "" {
				view = b.ForTherapist(t)
			}
			v, err := fn(view, w, r)
			switch {
			case err != nil:
				b.writeFailure(w, r, adminError(err))
			case v == nil:
				w.WriteHeader(http.StatusNoContent)
			default:
				writeJSON(w, http.StatusOK, v)
			}
		})
	}
	handle("POST /admin/therapists", adminAddTherapist)
	handle("POST /admin/enrolment-codes", adminIssueCode)
	handle("GET /admin/devices", func(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) { return b.Devices(r.Context()) })
	handle("POST /admin/devices/{id}/revoke", func(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
		return nil, b.RevokeDevice(r.Context(), r.PathValue("id"))
	})
	handle("GET /admin/mutations", func(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) { return b.Mutations(r.Context()) })
	handle("POST /admin/matches", adminProposeMatch)
	handle("POST /admin/matches/{id}/status", adminMatchStatus)
	handle("PUT /admin/bookings", adminPutBooking)
	handle("PATCH /admin/bookings/{id}", adminUpdateBooking)
	handle("POST /admin/grievances", adminAddGrievance)
	handle("POST /admin/takedowns", adminAddTakedown)
	handle("PUT /admin/profile-review", adminProfileReview)
	handle("POST /admin/notices", adminPublishNotice)
	handle("GET /admin/entities/{type}/{id}", func(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
		return b.Entity(r.Context(), r.PathValue("type"), r.PathValue("id"))
	})
	handle("DELETE /admin/entities/{type}/{id}", func(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
		return nil, b.DeleteEntity(r.Context(), r.PathValue("type"), r.PathValue("id"))
	})
	handle("GET /admin/schedule", func(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
		doc, err := b.Schedule(r.Context())
		if doc == nil && err == nil {
			return json.RawMessage("null"), nil
		}
		return doc, err
	})
	handle("GET /admin/busy-slots", func(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) { return b.BusySlots(r.Context()) })
	handle("GET /admin/minor-refusals", func(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
		return b.MinorRefusals(r.Context())
	})
	handle("GET /admin/faults", func(b *Backend, _ http.ResponseWriter, _ *http.Request) (any, error) {
		return faultsToJSON(b.faults.State()), nil
	})
	handle("PUT /admin/faults", adminSetFaults)
	handle("POST /admin/seed-bookings", adminSeedBookings)
	handle("POST /admin/seed-demo", func(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) { return b.SeedDemo(r.Context()) })
	handle("/admin/", func(*Backend, http.ResponseWriter, *http.Request) (any, error) {
		return nil, apiError(http.StatusNotFound, wire.CodeInvalid, "no such admin endpoint")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fromLoopback(r) {
			writeError(w, apiError(http.StatusForbidden, "forbidden", "the admin API answers loopback callers only"))
			return
		}
		token, _ := bearer(r)
		if subtle.ConstantTimeCompare([]byte(token), []byte(b.adminToken)) != 1 {
			writeError(w, apiError(http.StatusUnauthorized, wire.CodeUnauthorized, "the admin token is required"))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// adminError maps the platform methods' errors: unknown ids are 404, a
// record the app would refuse or a bad argument is 400.
func adminError(err error) error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case IsNotFound(err):
		return apiError(http.StatusNotFound, wire.CodeNotFound, "no such record")
	case errors.Is(err, wire.ErrBadData):
		return invalid(err.Error())
	}
	return err
}

// decodeAdmin reads a strict JSON body (unknown fields refused: a typo in a
// test should fail loudly).
func decodeAdmin(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody+1))
	if err != nil || len(body) > maxAdminBody {
		return invalid("the admin body must be at most 1 MiB")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid("admin body: " + err.Error())
	}
	return nil
}

func adminAddTherapist(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		return nil, err
	}
	id, err := b.AddTherapist(r.Context(), in.Name)
	if err != nil {
		return nil, invalid(err.Error())
	}
	return map[string]string{"id": id}, nil
}

func adminIssueCode(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
	code, exp, err := b.IssueEnrolmentCode(r.Context())
	if err != nil {
		return nil, err
	}
	return map[string]any{"code": code, "expiresAt": exp, "therapistId": b.therapist}, nil
}

func adminProposeMatch(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
	var p MatchProposal
	if err := decodeAdmin(r, &p); err != nil {
		return nil, err
	}
	m, err := b.ProposeMatch(r.Context(), p)
	return m, err
}

func adminMatchStatus(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
	var in struct {
		Status string `json:"status"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		return nil, err
	}
	m, err := b.SetMatchStatus(r.Context(), r.PathValue("id"), in.Status)
	return m, err
}

func adminPutBooking(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
	var bk wire.Booking
	if err := decodeAdmin(r, &bk); err != nil {
		return nil, err
	}
	out, err := b.PutBooking(r.Context(), bk)
	return out, err
}

func adminUpdateBooking(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
	var in struct {
		Status        string `json:"status"`
		PaymentStatus string `json:"paymentStatus"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		return nil, err
	}
	out, err := b.UpdateBooking(r.Context(), r.PathValue("id"), in.Status, in.PaymentStatus)
	return out, err
}

func adminAddGrievance(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
	var g wire.Grievance
	if err := decodeAdmin(r, &g); err != nil {
		return nil, err
	}
	out, err := b.AddGrievance(r.Context(), g)
	return out, err
}

func adminAddTakedown(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
	var t wire.Takedown
	if err := decodeAdmin(r, &t); err != nil {
		return nil, err
	}
	out, err := b.AddTakedown(r.Context(), t)
	return out, err
}

func adminProfileReview(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
	var p wire.Profile
	if err := decodeAdmin(r, &p); err != nil {
		return nil, err
	}
	return nil, b.SetProfileReview(r.Context(), p.ReviewState, p.Comment)
}

func adminPublishNotice(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
	var n wire.NoticeVersion
	if err := decodeAdmin(r, &n); err != nil {
		return nil, err
	}
	return b.PublishNotice(r.Context(), n)
}

func adminSetFaults(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
	var f FaultsJSON
	if err := decodeAdmin(r, &f); err != nil {
		return nil, err
	}
	if err := b.faults.Set(f.state()); err != nil {
		return nil, invalid(err.Error())
	}
	return faultsToJSON(b.faults.State()), nil
}

func adminSeedBookings(b *Backend, _ http.ResponseWriter, r *http.Request) (any, error) {
	var in struct {
		Count int       `json:"count"`
		From  time.Time `json:"from"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		return nil, err
	}
	if in.Count < 1 || in.Count > MaxSeedBookings {
		return nil, invalid("count must be 1 to 100000")
	}
	if err := b.SeedBookings(r.Context(), in.Count, in.From); err != nil {
		return nil, err
	}
	return map[string]int{"count": in.Count}, nil
}
