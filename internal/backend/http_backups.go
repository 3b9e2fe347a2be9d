package backend

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

// The HTTP face of backup copies: GET /v1/backups, PUT and GET
// /v1/backups/{id}. They pass through serveV1 like every /v1/ endpoint
// (faults, protocol header, bearer token), and move bodies of up to 512 MiB
// as streams, never whole in memory.

const backupsPath = "/v1/backups"

// backupTransferTime bounds one upload or download: the server's two-minute
// read timeout is meant for JSON bodies, not for 512 MiB on a slow line.
const backupTransferTime = 30 * time.Minute

// backupRoute finds the route of a /v1/backups path, if it is one.
func (b *Backend) backupRoute(r *http.Request) (route, bool) {
	if r.URL.Path == backupsPath {
		return route{method: http.MethodGet, auth: true, handle: b.handleListBackups}, true
	}
	id, ok := strings.CutPrefix(r.URL.Path, backupsPath+"/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return route{}, false
	}
	switch r.Method {
	case http.MethodPut:
		return route{method: http.MethodPut, auth: true, handle: b.handlePutBackup}, true
	case http.MethodGet:
		return route{method: http.MethodGet, auth: true, handle: b.handleGetBackup}, true
	}
	return route{method: "GET, PUT", auth: true}, true
}

func backupID(r *http.Request) string { return strings.TrimPrefix(r.URL.Path, backupsPath+"/") }

func (b *Backend) handleListBackups(w http.ResponseWriter, r *http.Request, dev Device, _ []byte) error {
	list, err := b.ForTherapist(dev.TherapistID).BackupCopies(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.BackupList{Backups: list})
	return nil
}

// handlePutBackup stores a backup copy. A repeated upload (same id and
// digest) is answered from the table before the body is read, so a client
// that sent "Expect: 100-continue" does not send the file again.
func (b *Backend) handlePutBackup(w http.ResponseWriter, r *http.Request, dev Device, _ []byte) error {
	id, digest, size := backupID(r), r.Header.Get(wire.HeaderBackupSHA256), r.ContentLength
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/octet-stream" {
		return invalid("a backup copy is sent as application/octet-stream")
	}
	if size < 0 {
		return invalid("a backup copy needs a Content-Length")
	}
	if err := checkBackupArgs(id, digest, size); err != nil {
		return err
	}
	if b.region != wire.RegionIndia {
		return errBackupRegion
	}
	if c, err := b.ForTherapist(dev.TherapistID).ExistingBackup(r.Context(), id, digest, size); !IsNotFound(err) {
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, c)
		return nil
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(backupTransferTime))
	body := io.Reader(http.MaxBytesReader(w, r.Body, size))
	if b.faults.takeCutUpload() {
		io.CopyN(io.Discard, body, size/2)
		dropConnection(w)
		return nil
	}
	c, created, err := b.PutBackup(r.Context(), dev, id, digest, size, body)
	if err != nil {
		return err
	}
	if b.faults.takeDropUpload() {
		dropConnection(w)
		return nil
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, c)
	return nil
}

// handleGetBackup sends a stored copy as it was uploaded, with its length
// and digest in the headers.
func (b *Backend) handleGetBackup(w http.ResponseWriter, r *http.Request, dev Device, _ []byte) error {
	c, f, err := b.ForTherapist(dev.TherapistID).OpenBackupCopy(r.Context(), backupID(r))
	if err != nil {
		return err
	}
	defer f.Close()
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(backupTransferTime))
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.FormatInt(c.Size, 10))
	h.Set(wire.HeaderBackupSHA256, c.SHA256)
	w.WriteHeader(http.StatusOK)
	var src io.Reader = f
	switch {
	case b.faults.takeTruncate():
		io.CopyN(w, src, c.Size/2)
		http.NewResponseController(w).Flush()
		dropConnection(w)
		return nil
	case b.faults.takeCorrupt():
		src = &flipByte{r: f, at: c.Size / 2}
	}
	if _, err := io.Copy(w, src); err != nil {
		// The client went away mid-body: nothing to answer.
		b.log.Debug("backup download ended early", "id", c.ID)
	}
	return nil
}

// flipByte changes the byte at offset at of what r reads (a fault).
type flipByte struct {
	r   io.Reader
	at  int64
	off int64
}

func (f *flipByte) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if f.at >= f.off && f.at < f.off+int64(n) {
		p[f.at-f.off] ^= 0x01
	}
	f.off += int64(n)
	return n, err
}
