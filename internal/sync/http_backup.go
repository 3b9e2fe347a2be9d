package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strconv"
	gosync "sync"
	"time"

	"github.com/calmally/practice/internal/buildinfo"
	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/sync/wire"
)

// BackupTransport is the "Backup copies" part of the protocol: sealed
// backup files stored on the backend in India. Bodies are streams: a file of
// hundreds of MiB is never held in memory. Failures are *Error like the
// rest of the protocol (Retryable for connection trouble, stalls and
// 408/429/5xx).
type BackupTransport interface {
	// UploadBackup is PUT /v1/backups/{id}: size bytes read from r, whose
	// SHA-256 is sha256 (lower-case hex). Safe to repeat: a copy already
	// stored with this digest is returned as it is.
	UploadBackup(ctx context.Context, token, id string, size int64, sha256 string, r io.Reader) (wire.BackupCopy, error)
	// ListBackups is GET /v1/backups, newest first.
	ListBackups(ctx context.Context, token string) ([]wire.BackupCopy, error)
	// DownloadBackup is GET /v1/backups/{id}. The body checks the length and
	// SHA-256 the server declared as it streams: a read that would end the
	// stream fails with CodeBackupDamaged instead when they do not match.
	DownloadBackup(ctx context.Context, token, id string) (*BackupDownload, error)
}

var _ BackupTransport = (*HTTPTransport)(nil)

// CodeBackupDamaged: a downloaded backup copy is not the length or SHA-256
// the backend declared (changed or cut in transit or in storage).
// Retryable: a fresh download may be whole.
const CodeBackupDamaged = "backup_damaged"

// BackupDownload is a backup copy being downloaded. Close it.
type BackupDownload struct {
	Copy wire.BackupCopy // ID, Size and SHA256 as the backend declared them (UploadedAt is zero)
	Body io.ReadCloser
}

// errStalled is the cause of a transfer cancelled for lack of progress.
var errStalled = errors.New("sync: no progress for the request timeout")

// stallGuard cancels a transfer that makes no progress for d. Whole
// transfers of 512 MiB cannot have a fixed deadline; a stall can.
type stallGuard struct {
	d      time.Duration
	timer  *time.Timer
	cancel context.CancelCauseFunc
}

func newStallGuard(ctx context.Context, d time.Duration) (context.Context, *stallGuard) {
	ctx, cancel := context.WithCancelCause(ctx)
	g := &stallGuard{d: d, cancel: cancel}
	g.timer = time.AfterFunc(d, func() { cancel(errStalled) })
	return ctx, g
}

func (g *stallGuard) progress() { g.timer.Reset(g.d) }

// pause stops the guard while another timeout applies (waiting for the
// answer after the body was sent: the transport's ResponseHeaderTimeout).
func (g *stallGuard) pause() { g.timer.Stop() }

// done releases the guard's context.
func (g *stallGuard) done() {
	g.timer.Stop()
	g.cancel(context.Canceled)
}

// classify turns a failed transfer into the protocol's error: a stall is a
// retryable connection failure, not the caller's cancellation.
func (g *stallGuard) classify(parent, guarded context.Context, err error) error {
	if parent.Err() == nil && errors.Is(context.Cause(guarded), errStalled) {
		return &Error{Code: CodeConnection, Retryable: true, Message: "the transfer stalled", Err: err}
	}
	return connError(parent, err)
}

// guardedReader reports progress to a stall guard and pauses it at the end
// of the stream.
type guardedReader struct {
	r io.Reader
	g *stallGuard
}

func (gr guardedReader) Read(p []byte) (int, error) {
	n, err := gr.r.Read(p)
	if n > 0 {
		gr.g.progress()
	}
	if err == io.EOF {
		gr.g.pause()
	}
	return n, err
}

// streaming returns the client for bodies of any length: no overall
// timeout (a stall guard bounds each transfer), and "Expect: 100-continue"
// honoured, so a backend that already holds a copy answers before the file
// is sent.
func (t *HTTPTransport) streaming() *http.Client {
	t.streamOnce.Do(func() {
		c := *t.client
		c.Timeout = 0
		if tr, ok := t.client.Transport.(*http.Transport); ok {
			tr = tr.Clone()
			tr.ExpectContinueTimeout = 2 * time.Second
			c.Transport = tr
		}
		t.stream = &c
	})
	return t.stream
}

func (t *HTTPTransport) backupRequest(ctx context.Context, method, id, token string, body io.Reader) (*http.Request, error) {
	u := *t.base
	u.Path += "/v1/backups"
	if id != "" {
		u.Path += "/" + url.PathEscape(id)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, &Error{Code: CodeProtocol, Message: "the backup request could not be built", Err: err}
	}
	req.Header.Set(wire.HeaderProtocol, strconv.Itoa(wire.Protocol))
	req.Header.Set("User-Agent", "CalmAlly-Practice/"+buildinfo.Version)
	req.Header.Set("Authorization", "Bearer "+token)
	return req, nil
}

// UploadBackup implements BackupTransport.
func (t *HTTPTransport) UploadBackup(ctx context.Context, token, id string, size int64, digest string, r io.Reader) (wire.BackupCopy, error) {
	switch {
	case token == "":
		return wire.BackupCopy{}, errNoToken
	case !ids.Valid(id) || !wire.ValidSHA256(digest) || size < 1:
		return wire.BackupCopy{}, &Error{Code: wire.CodeInvalid, Message: "a backup copy needs a UUID, a size and a SHA-256"}
	case size > wire.MaxBackupBytes:
		return wire.BackupCopy{}, &Error{Code: wire.CodeTooLarge, Message: "the backup is larger than the 512 MiB the backend accepts"}
	}
	gctx, guard := newStallGuard(ctx, t.timeout)
	defer guard.done()
	req, err := t.backupRequest(gctx, http.MethodPut, id, token, guardedReader{r: io.LimitReader(r, size), g: guard})
	if err != nil {
		return wire.BackupCopy{}, err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Expect", "100-continue")
	req.Header.Set(wire.HeaderBackupSHA256, digest)
	resp, err := t.streaming().Do(req)
	if err != nil {
		return wire.BackupCopy{}, guard.classify(ctx, gctx, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, wire.MaxBodyBytes+1))
	if err != nil {
		return wire.BackupCopy{}, guard.classify(ctx, gctx, err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return wire.BackupCopy{}, t.answerError(resp, b)
	}
	c, err := decodeWith(b, wire.DecodeBackupCopy)
	if err != nil {
		return wire.BackupCopy{}, err
	}
	if c.ID != id || c.Size != size || c.SHA256 != digest {
		return wire.BackupCopy{}, &Error{Code: CodeProtocol, Retryable: true, Message: "the backend acknowledged another file than the one sent"}
	}
	return c, nil
}

// answerError is the *Error of a response that is not the expected success.
func (t *HTTPTransport) answerError(resp *http.Response, b []byte) error {
	switch {
	case len(b) > wire.MaxBodyBytes:
		return &Error{Code: CodeProtocol, Status: resp.StatusCode, Retryable: true, Message: "the backend's answer is larger than 8 MiB"}
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return &Error{Code: CodeProtocol, Status: resp.StatusCode, Retryable: true, Message: "the backend answered with an unexpected success status"}
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return &Error{Code: CodeProtocol, Status: resp.StatusCode, Message: "the backend answered with a redirect, which the app does not follow"}
	}
	return t.statusError(resp, b)
}

// ListBackups implements BackupTransport.
func (t *HTTPTransport) ListBackups(ctx context.Context, token string) ([]wire.BackupCopy, error) {
	if token == "" {
		return nil, errNoToken
	}
	b, err := t.do(ctx, http.MethodGet, "/v1/backups", nil, token, nil)
	if err != nil {
		return nil, err
	}
	l, err := decodeWith(b, wire.DecodeBackupList)
	if err != nil {
		return nil, err
	}
	return l.Backups, nil
}

// DownloadBackup implements BackupTransport.
func (t *HTTPTransport) DownloadBackup(ctx context.Context, token, id string) (*BackupDownload, error) {
	if token == "" {
		return nil, errNoToken
	}
	if !ids.Valid(id) {
		return nil, &Error{Code: wire.CodeInvalid, Message: "a backup id is a lower-case UUID"}
	}
	gctx, guard := newStallGuard(ctx, t.timeout)
	guard.pause() // the transport's ResponseHeaderTimeout bounds the wait for the answer
	req, err := t.backupRequest(gctx, http.MethodGet, id, token, nil)
	if err != nil {
		guard.done()
		return nil, err
	}
	resp, err := t.streaming().Do(req)
	if err != nil {
		guard.done()
		return nil, guard.classify(ctx, gctx, err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, wire.MaxBodyBytes+1))
		resp.Body.Close()
		guard.done()
		return nil, t.answerError(resp, b)
	}
	digest := resp.Header.Get(wire.HeaderBackupSHA256)
	if resp.ContentLength < 1 || resp.ContentLength > wire.MaxBackupBytes || !wire.ValidSHA256(digest) {
		resp.Body.Close()
		guard.done()
		return nil, &Error{Code: CodeProtocol, Status: resp.StatusCode, Retryable: true,
			Message: "the backend's backup download lacks a valid length (1 byte to 512 MiB) or " + wire.HeaderBackupSHA256}
	}
	guard.progress()
	body := &verifyingBody{body: resp.Body, g: guard, parent: ctx, guarded: gctx, want: resp.ContentLength,
		digest: digest, h: sha256.New()}
	return &BackupDownload{Copy: wire.BackupCopy{ID: id, Size: resp.ContentLength, SHA256: digest}, Body: body}, nil
}

// verifyingBody streams a download while hashing and counting it. The read
// that reaches the end returns io.EOF only if exactly the declared length
// arrived and its SHA-256 is the declared one; otherwise CodeBackupDamaged
// (or a connection error for a stream cut short).
type verifyingBody struct {
	body    io.ReadCloser
	g       *stallGuard
	parent  context.Context
	guarded context.Context
	want    int64
	digest  string
	h       hash.Hash
	n       int64
	err     error
	once    gosync.Once
}

func (v *verifyingBody) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.body.Read(p)
	if n > 0 {
		v.g.progress()
		v.h.Write(p[:n])
		v.n += int64(n)
		if v.n > v.want {
			v.err = damaged("the download is longer than the backend declared")
			return 0, v.err
		}
	}
	switch {
	case err == io.EOF:
		switch {
		case v.n != v.want:
			v.err = damaged("the download ended before the length the backend declared")
		case hex.EncodeToString(v.h.Sum(nil)) != v.digest:
			v.err = damaged("the download does not have the SHA-256 the backend declared")
		default:
			v.err = io.EOF
		}
		return n, v.err
	case err != nil:
		v.err = v.g.classify(v.parent, v.guarded, err)
		return n, v.err
	}
	return n, nil
}

func (v *verifyingBody) Close() error {
	err := v.body.Close()
	v.once.Do(v.g.done)
	return err
}

func damaged(msg string) error {
	return &Error{Code: CodeBackupDamaged, Retryable: true, Message: msg}
}
