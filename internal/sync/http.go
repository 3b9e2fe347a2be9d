package sync

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/calmally/practice/internal/buildinfo"
	"github.com/calmally/practice/internal/sync/wire"
)

// HTTPOptions configures an HTTPTransport.
type HTTPOptions struct {
	// BaseURL is the backend, e.g. https://sync.calmally.in (paths /v1/...
	// are added to it).
	BaseURL string
	// DevMode allows plain http:// to a loopback address, for a reference
	// backend on this machine. Never set it in a release build's defaults.
	DevMode bool
	// CAFile names a PEM file of extra trusted roots (the reference
	// backend's self-signed certificate; env CALMALLY_SYNC_CA). The system
	// roots stay trusted.
	CAFile string
	// RootCAs, when set, replaces the system roots (tests).
	RootCAs *x509.CertPool
	// Timeout bounds each request, body included. Default 30 s.
	Timeout time.Duration
	// Now is the clock for Retry-After dates. Default time.Now.
	Now func() time.Time
}

// maxRetryAfter caps a server's Retry-After: a hostile or broken server
// must not be able to switch sync off for days.
const maxRetryAfter = time.Hour

// HTTPTransport is the Transport over HTTPS.
type HTTPTransport struct {
	base    *url.URL
	client  *http.Client
	now     func() time.Time
	timeout time.Duration // per request; for backup transfers, per stall

	streamOnce gosync.Once
	stream     *http.Client // backup transfers (http_backup.go)
}

var _ Transport = (*HTTPTransport)(nil)

// CheckURL refuses a backend URL the app must not talk to: anything but
// https, except http to a loopback address (127.0.0.0/8, ::1, localhost)
// when devMode is set. It never resolves names or connects.
func CheckURL(raw string, devMode bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, &Error{Code: CodeInsecureURL, Message: "the backend address must be a URL like https://sync.calmally.in"}
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, &Error{Code: CodeInsecureURL, Message: "the backend address must not carry credentials, a query or a fragment"}
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return u, nil
	case "http":
		if !devMode {
			return nil, &Error{Code: CodeInsecureURL, Message: "plain http is refused; the backend must use https"}
		}
		if !isLoopback(u.Hostname()) {
			return nil, &Error{Code: CodeInsecureURL, Message: "plain http is allowed only to a loopback address, in development mode"}
		}
		return u, nil
	}
	return nil, &Error{Code: CodeInsecureURL, Message: "the backend must use https"}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewHTTPTransport checks the URL (CheckURL) and the CA file and returns a
// transport that speaks TLS 1.2 or newer, follows no redirects and reads at
// most wire.MaxBodyBytes of any answer.
func NewHTTPTransport(o HTTPOptions) (*HTTPTransport, error) {
	u, err := CheckURL(o.BaseURL, o.DevMode)
	if err != nil {
		return nil, err
	}
	roots := o.RootCAs
	if o.CAFile != "" {
		if roots, err = poolWithFile(roots, o.CAFile); err != nil {
			return nil, err
		}
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: o.Timeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
	}
	client := &http.Client{
		Transport: tr,
		Timeout:   o.Timeout,
		// A redirect could lead to plain http or another host: never follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &HTTPTransport{base: u, client: client, now: o.Now, timeout: o.Timeout}, nil
}

func poolWithFile(base *x509.CertPool, path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Code: "ca_file", Message: "the extra CA file could not be read", Err: err}
	}
	pool := base
	if pool == nil {
		if pool, err = x509.SystemCertPool(); err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
	} else {
		pool = pool.Clone()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &Error{Code: "ca_file", Message: "the extra CA file holds no PEM certificate"}
	}
	return pool, nil
}

// Close releases idle connections.
func (t *HTTPTransport) Close() { t.client.CloseIdleConnections() }

// Info implements Transport.
func (t *HTTPTransport) Info(ctx context.Context) (wire.Info, error) {
	b, err := t.do(ctx, http.MethodGet, "/v1/info", nil, "", nil)
	if err != nil {
		return wire.Info{}, err
	}
	return decodeWith(b, wire.DecodeInfo)
}

// Enrol implements Transport.
func (t *HTTPTransport) Enrol(ctx context.Context, req wire.EnrolRequest) (wire.EnrolResponse, error) {
	b, err := t.do(ctx, http.MethodPost, "/v1/devices", nil, "", req)
	if err != nil {
		return wire.EnrolResponse{}, err
	}
	return decodeWith(b, wire.DecodeEnrolResponse)
}

// Revoke implements Transport.
func (t *HTTPTransport) Revoke(ctx context.Context, token string) error {
	if token == "" {
		return errNoToken
	}
	_, err := t.do(ctx, http.MethodDelete, "/v1/devices/self", nil, token, nil)
	return err
}

// Push implements Transport.
func (t *HTTPTransport) Push(ctx context.Context, token string, req wire.PushRequest) (wire.PushResponse, error) {
	if token == "" {
		return wire.PushResponse{}, errNoToken
	}
	b, err := t.do(ctx, http.MethodPost, "/v1/push", nil, token, req)
	if err != nil {
		return wire.PushResponse{}, err
	}
	sent := make([]int64, len(req.Mutations))
	for i, m := range req.Mutations {
		sent[i] = m.ID
	}
	return decodeWith(b, func(b []byte) (wire.PushResponse, error) { return wire.DecodePushResponse(b, sent) })
}

// Pull implements Transport.
func (t *HTTPTransport) Pull(ctx context.Context, token, cursor string, limit int) (wire.PullResponse, error) {
	if token == "" {
		return wire.PullResponse{}, errNoToken
	}
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	b, err := t.do(ctx, http.MethodGet, "/v1/pull", q, token, nil)
	if err != nil {
		return wire.PullResponse{}, err
	}
	return decodeWith(b, wire.DecodePullResponse)
}

var errNoToken = &Error{Code: CodeNotEnrolled, Message: "this profile has no device token; enrol first"}

func decodeWith[T any](b []byte, decode func([]byte) (T, error)) (T, error) {
	v, err := decode(b)
	if err != nil {
		var zero T
		return zero, &Error{Code: CodeProtocol, Retryable: true, Message: "the backend's answer broke the protocol", Err: err}
	}
	return v, nil
}

// do sends one request and returns the body of a 2xx answer, or an *Error.
func (t *HTTPTransport) do(ctx context.Context, method, path string, q url.Values, token string, body any) ([]byte, error) {
	u := *t.base
	u.Path += path
	u.RawQuery = q.Encode()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("sync: encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("sync: build request: %w", err)
	}
	req.Header.Set(wire.HeaderProtocol, strconv.Itoa(wire.Protocol))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "CalmAlly-Practice/"+buildinfo.Version)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, connError(ctx, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, wire.MaxBodyBytes+1))
	if err != nil {
		return nil, connError(ctx, err)
	}
	if len(b) > wire.MaxBodyBytes {
		return nil, &Error{Code: CodeProtocol, Status: resp.StatusCode, Retryable: true, Message: "the backend's answer is larger than 8 MiB"}
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return b, nil
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return nil, &Error{Code: CodeProtocol, Status: resp.StatusCode, Message: "the backend answered with a redirect, which the app does not follow"}
	}
	return nil, t.statusError(resp, b)
}

func (t *HTTPTransport) statusError(resp *http.Response, b []byte) *Error {
	e := &Error{Code: defaultCode(resp.StatusCode), Status: resp.StatusCode, Retryable: retryableStatus(resp.StatusCode)}
	if eb, err := wire.DecodeErrorBody(b); err == nil {
		e.Code, e.Message = eb.Error.Code, eb.Error.Message
	} else {
		e.Message = "the backend answered HTTP " + strconv.Itoa(resp.StatusCode) + " without a valid error document"
	}
	e.RetryAfter = parseRetryAfter(resp.Header.Get(wire.HeaderRetryAfter), t.now())
	return e
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date; anything
// else, or a time already past, is 0. The result is capped at an hour.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		d = at.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

// connError classifies a failure before an answer arrived: the context's
// end is returned as it is; a certificate the app does not trust is not
// worth retrying; anything else (refused, reset, timed out) is.
func connError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var tlsRec tls.RecordHeaderError
	if errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &host) {
		return &Error{Code: "certificate", Message: "the backend's certificate is not trusted", Err: err}
	}
	if errors.As(err, &tlsRec) {
		return &Error{Code: CodeProtocol, Message: "the backend does not speak TLS at that address", Err: err}
	}
	return &Error{Code: CodeConnection, Retryable: true, Message: "the backend could not be reached", Err: err}
}
