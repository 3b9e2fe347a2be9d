package backend

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

// route is one endpoint of the sync API.
type route struct {
	method string
	auth   bool // needs a device token
	handle func(w http.ResponseWriter, r *http.Request, dev Device, body []byte) error
}

// Handler serves the sync API under /v1/ and the admin API under /admin/.
func (b *Backend) Handler() http.Handler {
	routes := map[string]route{
		"/v1/info":         {method: http.MethodGet, handle: b.handleInfo},
		"/v1/devices":      {method: http.MethodPost, handle: b.handleEnrol},
		"/v1/devices/self": {method: http.MethodDelete, auth: true, handle: b.handleRevokeSelf},
		"/v1/push":         {method: http.MethodPost, auth: true, handle: b.handlePush},
		"/v1/pull":         {method: http.MethodGet, auth: true, handle: b.handlePull},
	}
	admin := b.adminHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		switch {
		case strings.HasPrefix(r.URL.Path, "/admin/"):
			admin.ServeHTTP(rec, r)
		case strings.HasPrefix(r.URL.Path, "/v1/"):
			b.serveV1(rec, r, routes)
		default:
			writeError(rec, apiError(http.StatusNotFound, wire.CodeInvalid, "no such endpoint"))
		}
		// Method, path and status only: never bodies, tokens or query values.
		b.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", rec.status), slog.Duration("took", time.Since(start)))
	})
}

// statusRecorder remembers the status written, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (hijacking).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// serveV1 applies, in order: injected latency and failures (they stand for
// the network and the load balancer, so they come first), the method, the
// protocol header, the token, the body, then the endpoint.
func (b *Backend) serveV1(w http.ResponseWriter, r *http.Request, routes map[string]route) {
	if d := b.faults.latency(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if status, retryAfter, ok := b.faults.takeFailure(r.URL.Path); ok {
		if retryAfter > 0 {
			secs := int64((retryAfter + time.Second - 1) / time.Second)
			w.Header().Set(wire.HeaderRetryAfter, strconv.FormatInt(secs, 10))
		}
		writeError(w, apiError(status, injectedStatusCode(status), "injected fault"))
		return
	}
	rt, ok := routes[r.URL.Path]
	if !ok {
		rt, ok = b.backupRoute(r)
	}
	if !ok {
		writeError(w, apiError(http.StatusNotFound, wire.CodeInvalid, "no such endpoint"))
		return
	}
	if r.Method != rt.method {
		w.Header().Set("Allow", rt.method)
		writeError(w, apiError(http.StatusMethodNotAllowed, wire.CodeInvalid, "method not allowed: use "+rt.method))
		return
	}
	if err := b.checkProtocol(r); err != nil {
		writeError(w, err)
		return
	}
	var dev Device
	if rt.auth {
		token, ok := bearer(r)
		if !ok {
			writeError(w, errUnauthorized)
			return
		}
		var err error
		if dev, err = b.Authenticate(r.Context(), token); err != nil {
			b.writeFailure(w, r, err)
			return
		}
	}
	var body []byte
	if r.Method == http.MethodPost {
		var err *Error
		if body, err = readBody(w, r); err != nil {
			writeError(w, err)
			return
		}
	}
	if err := rt.handle(w, r, dev, body); err != nil {
		b.writeFailure(w, r, err)
	}
}

// checkProtocol: the header must be an integer; below MinProtocol the app
// is too old (426); above this server's protocol the request cannot be
// understood (400).
func (b *Backend) checkProtocol(r *http.Request) *Error {
	v := r.Header.Get(wire.HeaderProtocol)
	p, err := strconv.Atoi(v)
	if v == "" || err != nil || strconv.Itoa(p) != v {
		return invalid("the " + wire.HeaderProtocol + " header must carry the protocol version")
	}
	if p < b.minProtocol && r.URL.Path != "/v1/info" {
		return apiError(http.StatusUpgradeRequired, wire.CodeUnsupported, "this protocol version is no longer served: update the app")
	}
	if p > b.protocol() {
		return invalid("this server speaks protocol " + strconv.Itoa(b.protocol()))
	}
	return nil
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// readBody reads a JSON request body of at most wire.MaxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *Error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, invalid("the body must be application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wire.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, invalid("the body exceeds 8 MiB")
	}
	if err != nil {
		return nil, invalid("the body could not be read")
	}
	return body, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, asAPIError(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, e *Error) {
	b, _ := json.Marshal(wire.ErrorBody{Error: wire.ErrorDetail{Code: e.Code, Message: e.Message, Retryable: e.Retryable}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	w.Write(b)
}

// writeFailure answers an error; an unexpected one is logged (it carries
// no client data: store errors name tables and rules) and answered 500.
func (b *Backend) writeFailure(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return // the client went away
	}
	e := asAPIError(err)
	if e.Status == http.StatusInternalServerError {
		b.log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	}
	writeError(w, e)
}

func (b *Backend) handleInfo(w http.ResponseWriter, r *http.Request, _ Device, _ []byte) error {
	writeJSON(w, http.StatusOK, b.Info())
	return nil
}

func (b *Backend) handleEnrol(w http.ResponseWriter, r *http.Request, _ Device, body []byte) error {
	req, err := wire.DecodeEnrolRequest(body)
	if err != nil {
		return invalid(err.Error())
	}
	resp, err := b.Enrol(r.Context(), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (b *Backend) handleRevokeSelf(w http.ResponseWriter, r *http.Request, dev Device, _ []byte) error {
	if err := b.RevokeDevice(r.Context(), dev.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (b *Backend) handlePush(w http.ResponseWriter, r *http.Request, dev Device, body []byte) error {
	req, err := wire.DecodePushRequest(body)
	if err != nil {
		return invalid(err.Error())
	}
	resp, err := b.Push(r.Context(), dev, req)
	if err != nil {
		return err
	}
	if b.faults.takeDrop() {
		dropConnection(w)
		return nil
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// dropConnection closes the connection without a response: the push has
// committed, and the app must not learn it from this request.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): abort the stream instead; the server
		// resets it without writing a response.
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

func (b *Backend) handlePull(w http.ResponseWriter, r *http.Request, dev Device, _ []byte) error {
	q := r.URL.Query()
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return invalid("limit must be 1 to 1000")
		}
		limit = n
	}
	p, err := b.pull(r.Context(), dev, q.Get("cursor"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
