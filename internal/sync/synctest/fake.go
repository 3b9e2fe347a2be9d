package synctest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/sync"
	"github.com/calmally/practice/internal/sync/wire"
)

// Fake is an in-memory CalmAlly backend: a sync.Transport with the
// protocol's semantics (exactly-once push by mutation id, pages after an
// opaque cursor walking one change sequence, tombstones, tokens that can be
// revoked) and the reference backend's fault injection. Every answer goes
// through JSON and the wire decoders, as over HTTP, so the fake cannot hand
// the engine anything the HTTP transport would refuse. It passes the same
// conformance suite (Run) as the HTTP transport against internal/backend.
//
// Business rules are the reference backend's for bookings (the moves and
// their booking_conflict / not_found rejections); other known kinds are
// accepted as they come, unknown kinds rejected unknown_kind.
type Fake struct {
	mu          gosync.Mutex
	region      string
	minProtocol int
	now         func() time.Time
	therapist   string
	codes       map[string]bool // unused one-time codes
	devices     map[string]*fakeDevice
	tokens      map[string]string // token → device id
	seq         int64
	entities    map[string]*fakeEntity // type + "/" + id
	faults      fakeFaults
	calls       map[string]int
}

type fakeDevice struct {
	id      string
	last    int64 // last mutation id processed
	revoked bool
}

type fakeEntity struct {
	typ, id string
	version int64
	seq     int64
	deleted bool
	data    map[string]any
}

// FakeOptions configure NewFake.
type FakeOptions struct {
	Region      string           // default "IN"
	MinProtocol int              // default wire.Protocol
	Now         func() time.Time // default time.Now
}

// NewFake returns an empty fake backend with one therapist.
func NewFake(o FakeOptions) *Fake {
	if o.Region == "" {
		o.Region = wire.RegionIndia
	}
	if o.MinProtocol == 0 {
		o.MinProtocol = wire.Protocol
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Fake{region: o.Region, minProtocol: o.MinProtocol, now: o.Now, therapist: ids.New(o.Now()),
		codes: map[string]bool{}, devices: map[string]*fakeDevice{}, tokens: map[string]string{},
		entities: map[string]*fakeEntity{}, calls: map[string]int{}}
}

var _ sync.Transport = (*Fake)(nil)

func apiErr(status int, code, msg string) *sync.Error {
	return &sync.Error{Code: code, Status: status, Retryable: retryable(status), Message: msg}
}

func retryable(status int) bool {
	switch status {
	case 408, 429, 500, 502, 503, 504:
		return true
	}
	return false
}

// enter applies, like the reference backend, injected failures first and
// then the protocol version. f.mu must be held.
func (f *Fake) enter(path string) error {
	f.calls[path]++
	if status, after, ok := f.faults.takeFailure(path); ok {
		e := apiErr(status, injectedCode(status), "injected fault")
		if after > 0 {
			e.RetryAfter = after.Round(time.Second)
		}
		return e
	}
	if wire.Protocol < f.minProtocol && path != "/v1/info" {
		return apiErr(426, wire.CodeUnsupported, "this protocol version is no longer served: update the app")
	}
	return nil
}

func injectedCode(status int) string {
	switch status {
	case 429:
		return wire.CodeRateLimited
	case 503:
		return wire.CodeUnavailable
	case 408, 504:
		return "timeout"
	case 502:
		return "bad_gateway"
	}
	if status >= 500 {
		return wire.CodeInternal
	}
	return wire.CodeInvalid
}

// viaJSON sends v through JSON and decode, as the HTTP transport would.
func viaJSON[T any](v T, decode func([]byte) (T, error)) (T, error) {
	b, err := json.Marshal(v)
	if err != nil {
		var zero T
		return zero, err
	}
	out, err := decode(b)
	if err != nil {
		var zero T
		return zero, &sync.Error{Code: sync.CodeProtocol, Retryable: true, Message: "the backend's answer broke the protocol", Err: err}
	}
	return out, nil
}

// Info implements sync.Transport.
func (f *Fake) Info(ctx context.Context) (wire.Info, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("/v1/info"); err != nil {
		return wire.Info{}, err
	}
	return viaJSON(wire.Info{Name: "CalmAlly fake backend", Protocol: max(wire.Protocol, f.minProtocol),
		MinProtocol: f.minProtocol, Region: f.region, ServerTime: f.now().UTC()}, wire.DecodeInfo)
}

// Enrol implements sync.Transport.
func (f *Fake) Enrol(ctx context.Context, req wire.EnrolRequest) (wire.EnrolResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("/v1/devices"); err != nil {
		return wire.EnrolResponse{}, err
	}
	if _, err := viaJSON(req, wire.DecodeEnrolRequest); err != nil {
		return wire.EnrolResponse{}, apiErr(400, wire.CodeInvalid, "the enrolment request breaks the protocol")
	}
	code := strings.TrimSpace(req.EnrolmentCode)
	if !f.codes[code] {
		return wire.EnrolResponse{}, apiErr(403, wire.CodeBadEnrolment, "the enrolment code is unknown, used or expired")
	}
	delete(f.codes, code)
	d := &fakeDevice{id: ids.New(f.now())}
	f.devices[d.id] = d
	token := newToken()
	f.tokens[token] = d.id
	return viaJSON(wire.EnrolResponse{DeviceID: d.id, TherapistID: f.therapist, Token: token}, wire.DecodeEnrolResponse)
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// auth finds the token's device. f.mu must be held.
func (f *Fake) auth(token string) (*fakeDevice, error) {
	id, ok := f.tokens[token]
	if !ok || token == "" {
		return nil, apiErr(401, wire.CodeUnauthorized, "no valid device token")
	}
	d := f.devices[id]
	if d.revoked {
		return nil, apiErr(401, wire.CodeTokenRevoked, "this device was revoked; enrol again")
	}
	return d, nil
}

// Revoke implements sync.Transport.
func (f *Fake) Revoke(ctx context.Context, token string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("/v1/devices/self"); err != nil {
		return err
	}
	d, err := f.auth(token)
	if err != nil {
		return err
	}
	d.revoked = true
	return nil
}

// Push implements sync.Transport.
func (f *Fake) Push(ctx context.Context, token string, req wire.PushRequest) (wire.PushResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("/v1/push"); err != nil {
		return wire.PushResponse{}, err
	}
	d, err := f.auth(token)
	if err != nil {
		return wire.PushResponse{}, err
	}
	req, err = viaJSON(req, wire.DecodePushRequest)
	if err != nil {
		return wire.PushResponse{}, apiErr(400, wire.CodeInvalid, "the push request breaks the protocol")
	}
	if req.DeviceID != d.id {
		return wire.PushResponse{}, apiErr(403, wire.CodeDeviceMismatch, "deviceId is not this token's device")
	}
	resp := wire.PushResponse{Results: []wire.MutationResult{}}
	sent := make([]int64, len(req.Mutations))
	for i, m := range req.Mutations {
		sent[i] = m.ID
		res := wire.MutationResult{ID: m.ID, Status: wire.ResultDuplicate}
		if m.ID > d.last {
			res.Status = wire.ResultApplied
			if code, msg := f.apply(m); code != "" {
				res.Status, res.Code, res.Message = wire.ResultRejected, code, msg
			}
			d.last = m.ID
		}
		resp.Results = append(resp.Results, res)
	}
	resp.LastMutationID = d.last
	if take(&f.faults.DropAfterPush) {
		return wire.PushResponse{}, &sync.Error{Code: sync.CodeConnection, Retryable: true,
			Message: "the backend could not be reached", Err: fmt.Errorf("fake: connection dropped after the push committed")}
	}
	return viaJSON(resp, func(b []byte) (wire.PushResponse, error) { return wire.DecodePushResponse(b, sent) })
}

// bookingMoves are the reference backend's: the status a move needs and
// the one it leaves.
var bookingMoves = map[string]struct{ from, to string }{
	wire.KindBookingConfirm:  {"requested", "confirmed"},
	wire.KindBookingDecline:  {"requested", "declined"},
	wire.KindBookingCancel:   {"confirmed", "cancelled_by_practitioner"},
	wire.KindBookingComplete: {"confirmed", "completed"},
	wire.KindBookingNoShow:   {"confirmed", "no_show"},
}

// apply applies one mutation; a rejection returns its code. f.mu is held.
func (f *Fake) apply(m wire.Mutation) (code, message string) {
	if !wire.KnownKind(m.Kind) {
		return wire.CodeUnknownKind, "this protocol version has no such mutation kind"
	}
	move, ok := bookingMoves[m.Kind]
	if !ok {
		return "", "" // accepted as it comes
	}
	if id, _ := m.Payload["bookingId"].(string); id != m.EntityID {
		return wire.CodeInvalid, "payload bookingId must be the mutation's entityId"
	}
	e := f.entities[wire.TypeBooking+"/"+m.EntityID]
	if e == nil || e.deleted {
		return wire.CodeNotFound, "the platform has no such booking"
	}
	status, _ := e.data["status"].(string)
	if status == move.to {
		return "", ""
	}
	if status != move.from {
		return wire.CodeBookingConflict, "the booking is " + status + " on the platform"
	}
	data := maps(e.data)
	data["status"] = move.to
	if p, _ := data["paymentStatus"].(string); (move.to == "declined" || move.to == "cancelled_by_practitioner") &&
		(p == "paid" || p == "refund_pending") {
		data["paymentStatus"] = "refunded"
	}
	f.put(wire.TypeBooking, m.EntityID, data, false)
	return "", ""
}

func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// put records a new version of an entity at the next sequence number.
// f.mu must be held.
func (f *Fake) put(typ, id string, data map[string]any, deleted bool) int64 {
	k := typ + "/" + id
	e := f.entities[k]
	if e == nil {
		e = &fakeEntity{typ: typ, id: id}
		f.entities[k] = e
	}
	f.seq++
	e.version++
	e.seq, e.deleted, e.data = f.seq, deleted, data
	if deleted {
		e.data = nil
	}
	return e.version
}

// A fake cursor is "fake.<seq>.<prev>", like the reference backend's (seq:
// the last change the app has; prev: where that page started).
func fakeCursor(seq, prev int64) string {
	return "fake." + strconv.FormatInt(seq, 10) + "." + strconv.FormatInt(prev, 10)
}

func parseFakeCursor(s string, last int64) (seq, prev int64, ok bool) {
	if s == "" {
		return 0, 0, true
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] != "fake" {
		return 0, 0, false
	}
	seq, err1 := strconv.ParseInt(parts[1], 10, 64)
	prev, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || prev < 0 || prev > seq || seq > last {
		return 0, 0, false
	}
	return seq, prev, true
}

// Pull implements sync.Transport.
func (f *Fake) Pull(ctx context.Context, token, cursor string, limit int) (wire.PullResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("/v1/pull"); err != nil {
		return wire.PullResponse{}, err
	}
	if _, err := f.auth(token); err != nil {
		return wire.PullResponse{}, err
	}
	if limit == 0 {
		limit = wire.DefaultPageSize
	}
	if limit < 1 || limit > wire.MaxPageChanges {
		return wire.PullResponse{}, apiErr(400, wire.CodeInvalid, "limit must be 1 to 1000")
	}
	seq, prev, ok := parseFakeCursor(cursor, f.seq)
	if !ok {
		return wire.PullResponse{}, apiErr(400, wire.CodeInvalid, "cursor is not one this backend made")
	}
	duplicate := take(&f.faults.DuplicatePages)
	fresh := limit
	if duplicate {
		fresh = (limit + 1) / 2
	}
	changes := f.changesAfter(seq, -1, fresh+1)
	more := len(changes) > fresh
	if more {
		changes = changes[:fresh]
	}
	next := fakeCursor(seq, prev)
	if len(changes) > 0 {
		next = fakeCursor(changes[len(changes)-1].seq, seq)
	}
	if duplicate && seq > prev {
		changes = append(f.changesAfter(prev, seq, limit-len(changes)), changes...)
	}
	if take(&f.faults.ReversePages) {
		slices.Reverse(changes)
	}
	out := wire.PullResponse{Changes: []wire.Change{}, Cursor: next, More: more}
	for _, e := range changes {
		out.Changes = append(out.Changes, wire.Change{Type: e.typ, ID: e.id, Version: e.version, Deleted: e.deleted, Data: e.data})
	}
	return viaJSON(out, wire.DecodePullResponse)
}

// changesAfter lists up to n entities whose last change is after seq (and
// at or before upTo unless upTo < 0), in sequence order. f.mu is held.
func (f *Fake) changesAfter(seq, upTo int64, n int) []fakeEntity {
	var out []fakeEntity
	for _, e := range f.entities {
		if e.seq > seq && (upTo < 0 || e.seq <= upTo) {
			out = append(out, *e)
		}
	}
	slices.SortFunc(out, func(a, b fakeEntity) int { return int(a.seq - b.seq) })
	if n < 0 {
		n = 0
	}
	return out[:min(n, len(out))]
}
