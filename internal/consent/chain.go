package consent

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SubkeyPurpose names the vault subkey that keys the ledger's MACs.
const SubkeyPurpose = "consent-mac"

// Domain-separation tags. Changing them breaks every stored ledger.
const (
	tagEvent = "calmally/consent/event/v1"
	tagHead  = "calmally/consent/head/v1"
)

// TimeLayout is how instants are stored and MACed: fixed-width UTC to the
// second, so text order is time order.
const TimeLayout = "2006-01-02T15:04:05Z"

// Chain computes and checks the ledger's MACs, keyed by the vault's
// "consent-mac" subkey.
type Chain struct{ key []byte }

// NewChain returns a Chain keyed by a copy of key.
func NewChain(key []byte) *Chain { return &Chain{key: bytes.Clone(key)} }

// Link returns the MAC of r following an event whose MAC is prev (empty for
// the first). It covers prev and, length-prefixed, every plain field of r
// including Seq; not Evidence (bound to its row by its envelope instead),
// PrevMAC or MAC.
func (c *Chain) Link(prev []byte, r Row) []byte {
	h := hmac.New(sha256.New, c.key)
	h.Write(encodeRow(prev, r))
	return h.Sum(nil)
}

// HeadMAC seals the ledger's head at (seq, mac).
func (c *Chain) HeadMAC(seq int64, mac []byte) []byte {
	b := field(nil, tagHead)
	b = binary.BigEndian.AppendUint64(b, uint64(seq))
	b = field(b, string(mac))
	h := hmac.New(sha256.New, c.key)
	h.Write(b)
	return h.Sum(nil)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

func encodeRow(prev []byte, r Row) []byte {
	b := field(make([]byte, 0, 512), tagEvent)
	b = field(b, string(prev))
	b = binary.BigEndian.AppendUint64(b, uint64(r.Seq))
	for _, s := range []string{
		r.ID, strconv.FormatInt(r.Rev, 10), r.ClientID, string(r.Purpose), string(r.Kind),
		r.NoticeID, strconv.Itoa(r.NoticeVersion), r.NoticeLanguage, r.NoticeSHA256,
		strings.Join(r.Categories, ","), string(r.Method), string(r.Channel), string(r.Source),
		r.CapturedBy, formatTime(r.At), formatTime(r.ExpiresAt), formatTime(r.RecordedAt),
	} {
		b = field(b, s)
	}
	return b
}

func field(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// Head anchors the newest event: its Seq and MAC, and a MAC over both.
type Head struct {
	Seq     int64
	MAC     []byte
	HeadMAC []byte
}

// Missing reports whether no head is stored.
func (h Head) Missing() bool { return len(h.HeadMAC) == 0 }

// Kinds of ledger damage. A *Problem wraps exactly one.
var (
	ErrEdited      = errors.New("consent ledger: event edited")
	ErrDeleted     = errors.New("consent ledger: event deleted")
	ErrReordered   = errors.New("consent ledger: events reordered")
	ErrTruncated   = errors.New("consent ledger: ledger truncated")
	ErrHeadMissing = errors.New("consent ledger: head missing")
)

// Problem is the first damage Verify found.
type Problem struct {
	Seq    int64
	Kind   error
	Reason string
}

func (p *Problem) Error() string {
	if p.Seq == 0 {
		return fmt.Sprintf("%v: %s", p.Kind, p.Reason)
	}
	return fmt.Sprintf("%v at seq %d: %s", p.Kind, p.Seq, p.Reason)
}

func (p *Problem) Unwrap() error { return p.Kind }

// Verify checks rows (the whole ledger, in any order) against head. It
// returns nil or a *Problem naming the first bad position.
func (c *Chain) Verify(rows []Row, head Head) error {
	rows = append([]Row(nil), rows...)
	sortRows(rows)
	var prev []byte
	for i, r := range rows {
		want := int64(i + 1)
		if r.Seq != want {
			if r.Seq < want { // two rows claim one position
				return &Problem{Seq: r.Seq, Kind: ErrReordered, Reason: "two events share a position"}
			}
			return &Problem{Seq: want, Kind: ErrDeleted, Reason: fmt.Sprintf("positions %d to %d missing", want, r.Seq-1)}
		}
		if !hmac.Equal(c.Link(r.PrevMAC, r), r.MAC) {
			if s := c.authenticAt(r, len(rows)); s != 0 {
				return &Problem{Seq: r.Seq, Kind: ErrReordered, Reason: fmt.Sprintf("event belongs at position %d", s)}
			}
			if c.swapped(rows, i) {
				return &Problem{Seq: r.Seq, Kind: ErrReordered, Reason: "event contents swapped with another"}
			}
			return &Problem{Seq: r.Seq, Kind: ErrEdited, Reason: "MAC does not match the event"}
		}
		if !bytes.Equal(r.PrevMAC, prev) {
			return &Problem{Seq: r.Seq, Kind: ErrDeleted, Reason: "event does not follow the one stored before it"}
		}
		prev = r.MAC
	}
	last := int64(len(rows))
	if head.Missing() {
		if last == 0 {
			return nil
		}
		return &Problem{Kind: ErrHeadMissing, Reason: "the ledger has events but no head"}
	}
	if !hmac.Equal(c.HeadMAC(head.Seq, head.MAC), head.HeadMAC) {
		return &Problem{Kind: ErrTruncated, Reason: "head MAC does not match (altered head or wrong key)"}
	}
	if head.Seq != last || !bytes.Equal(head.MAC, prev) {
		return &Problem{Seq: min(head.Seq, last) + 1, Kind: ErrTruncated, Reason: "head does not match the last event"}
	}
	return nil
}

// authenticAt returns another position at which r's MAC is valid, or 0.
func (c *Chain) authenticAt(r Row, n int) int64 {
	for s := int64(1); s <= int64(n)+1; s++ {
		if s == r.Seq {
			continue
		}
		x := r
		x.Seq = s
		if hmac.Equal(c.Link(r.PrevMAC, x), r.MAC) {
			return s
		}
	}
	return 0
}

// swapped reports whether the contents of rows[i] belong under another row's
// MAC columns (contents moved while the MAC columns stayed put).
func (c *Chain) swapped(rows []Row, i int) bool {
	for j, o := range rows {
		if j == i {
			continue
		}
		x := rows[i]
		x.Seq = o.Seq
		if hmac.Equal(c.Link(o.PrevMAC, x), o.MAC) {
			return true
		}
	}
	return false
}

// Relink renumbers rows (the ledger after events were removed under a purge
// authorization) from 1 and recomputes every MAC, returning the rows to
// write and the new head. Only the erasure engine's purge calls it, in the
// transaction that removes the events and records the purge in the audit
// trail.
func (c *Chain) Relink(rows []Row) ([]Row, Head) {
	out := append([]Row(nil), rows...)
	sortRows(out)
	var prev []byte
	for i := range out {
		out[i].Seq = int64(i + 1)
		out[i].PrevMAC = bytes.Clone(prev)
		if out[i].PrevMAC == nil {
			out[i].PrevMAC = []byte{} // the first event: empty, as Append writes it (the column is NOT NULL)
		}
		out[i].MAC = c.Link(prev, out[i])
		prev = out[i].MAC
	}
	h := Head{Seq: int64(len(out)), MAC: bytes.Clone(prev)}
	if prev == nil {
		h.MAC = []byte{}
	}
	h.HeadMAC = c.HeadMAC(h.Seq, h.MAC)
	return out, h
}

// Append places r after the ledger's current end: it checks that head
// authenticates and matches the last stored event (lastSeq, lastMAC), then
// assigns r's Seq, PrevMAC and MAC and returns the head that follows. It
// refuses to extend a damaged ledger, which would launder a truncation.
func (c *Chain) Append(head Head, lastSeq int64, lastMAC []byte, r Row) (Row, Head, error) {
	if head.Missing() {
		if lastSeq != 0 {
			return Row{}, Head{}, &Problem{Kind: ErrHeadMissing, Reason: "the ledger has events but no head"}
		}
	} else {
		if !hmac.Equal(c.HeadMAC(head.Seq, head.MAC), head.HeadMAC) {
			return Row{}, Head{}, &Problem{Kind: ErrTruncated, Reason: "head MAC does not match (altered head or wrong key)"}
		}
		if head.Seq != lastSeq || !bytes.Equal(head.MAC, lastMAC) {
			return Row{}, Head{}, &Problem{Seq: min(head.Seq, lastSeq) + 1, Kind: ErrTruncated, Reason: "head does not match the last event"}
		}
	}
	r.Seq = lastSeq + 1
	r.PrevMAC = bytes.Clone(lastMAC)
	if r.PrevMAC == nil {
		r.PrevMAC = []byte{}
	}
	r.MAC = c.Link(r.PrevMAC, r)
	return r, Head{Seq: r.Seq, MAC: r.MAC, HeadMAC: c.HeadMAC(r.Seq, r.MAC)}, nil
}
