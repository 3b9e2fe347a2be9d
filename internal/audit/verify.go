package audit

import (
	"bytes"
	"crypto/hmac"
	"errors"
	"fmt"
	"hash"
	"iter"
	"slices"
)

// ErrLocked is returned when an entry must be MACed but no key is held.
var ErrLocked = errors.New("audit: the vault is locked")

// Kinds of verification failure. A *Problem wraps exactly one of them.
var (
	// ErrEdited: an entry's MAC does not match its contents.
	ErrEdited = errors.New("audit: entry edited")
	// ErrDeleted: a sequence number is missing, or an entry does not follow
	// the one stored before it.
	ErrDeleted = errors.New("audit: entry deleted")
	// ErrReordered: an authentic entry sits at the wrong sequence number.
	ErrReordered = errors.New("audit: entries reordered")
	// ErrTruncated: the head says the trail is longer than it is, or the
	// head itself was altered.
	ErrTruncated = errors.New("audit: trail truncated")
	// ErrHeadMissing: no head is stored, so truncation cannot be ruled out.
	ErrHeadMissing = errors.New("audit: head missing")
	// ErrWrongKey: neither the first entry nor the head authenticates; the
	// trail was written with another key (another vault), or wholly forged.
	ErrWrongKey = errors.New("audit: wrong key")
)

// Problem is the first verification failure: where it is and what kind.
type Problem struct {
	Seq    int64 // first bad sequence number; 0 when it concerns the head alone
	Kind   error // one of ErrEdited, ErrDeleted, ... ; errors.Is matches it
	Reason string
}

func (p *Problem) Error() string {
	if p.Seq == 0 {
		return fmt.Sprintf("%v: %s", p.Kind, p.Reason)
	}
	return fmt.Sprintf("%v at seq %d: %s", p.Kind, p.Seq, p.Reason)
}

func (p *Problem) Unwrap() error { return p.Kind }

// reorderWindow bounds how far Verifier looks, only after a MAC mismatch, to
// tell an entry moved or swapped from one edited: that many sequence numbers
// either side, and that many entries ahead.
const reorderWindow = 1024

// Verifier checks a trail fed to it one entry at a time, in sequence order,
// keeping only the previous entry (and, after a MAC mismatch, the suspect
// entry) in memory.
type Verifier struct {
	c        *Chain
	h        hash.Hash
	buf      []byte   // reused encoding buffer
	sum      [32]byte // reused MAC output
	n        int64
	lastSeq  int64
	lastMAC  []byte
	problem  *Problem
	suspect  *Entry // first entry whose MAC failed, held to look for a swap partner
	ahead    int
	firstBad bool
}

// NewVerifier starts verifying a trail from seq 1.
func (c *Chain) NewVerifier() *Verifier { return &Verifier{c: c, h: c.mac()} }

// Add checks the next entry. It returns false once the verdict is known; the
// caller then stops reading and calls Finish.
func (v *Verifier) Add(e Entry) bool {
	if v.problem != nil {
		return false
	}
	if v.suspect != nil {
		v.lookAhead(e)
		return v.problem == nil
	}
	want := v.lastSeq + 1
	switch {
	case e.Seq < want:
		v.fail(e.Seq, ErrReordered, "sequence numbers out of order")
		return false
	case e.Seq > want:
		v.fail(want, ErrDeleted, fmt.Sprintf("seq %d to %d missing", want, e.Seq-1))
		return false
	}
	if !hmac.Equal(v.link(e.PrevMAC, e), e.MAC) {
		if s := v.authenticAt(e); s != 0 {
			v.fail(e.Seq, ErrReordered, fmt.Sprintf("entry belongs at seq %d", s))
			return false
		}
		// Edited, or its contents swapped with a later entry's: look ahead.
		v.firstBad = v.n == 0
		s := e
		s.PrevMAC, s.MAC = slices.Clone(e.PrevMAC), slices.Clone(e.MAC)
		v.suspect, v.ahead = &s, reorderWindow
		return true
	}
	if !bytes.Equal(e.PrevMAC, v.lastMAC) {
		v.fail(e.Seq, ErrDeleted, "entry does not follow the one stored before it")
		return false
	}
	v.n++
	v.lastSeq = e.Seq
	v.lastMAC = append(v.lastMAC[:0], e.MAC...)
	return true
}

// link is Chain.Link without allocating; the result is valid until the next
// call.
func (v *Verifier) link(prev []byte, e Entry) []byte {
	v.buf = encode(v.buf[:0], tagEntry, prev, e)
	v.h.Reset()
	v.h.Write(v.buf)
	return v.h.Sum(v.sum[:0])
}

// authenticAt returns the nearby seq at which e's MAC would be valid, or 0.
func (v *Verifier) authenticAt(e Entry) int64 {
	for d := int64(1); d <= reorderWindow; d++ {
		for _, s := range [2]int64{e.Seq - d, e.Seq + d} {
			if s < 1 {
				continue
			}
			c := e
			c.Seq = s
			if hmac.Equal(v.link(e.PrevMAC, c), e.MAC) {
				return s
			}
		}
	}
	return 0
}

// lookAhead checks whether e holds the contents that belong at the suspect's
// place (the MAC columns stayed put while the rest was swapped).
func (v *Verifier) lookAhead(e Entry) {
	s := v.suspect
	c := e
	c.Seq = s.Seq
	if hmac.Equal(v.link(s.PrevMAC, c), s.MAC) {
		v.fail(s.Seq, ErrReordered, fmt.Sprintf("contents swapped with seq %d", e.Seq))
		return
	}
	if v.ahead--; v.ahead == 0 {
		v.fail(s.Seq, ErrEdited, "MAC does not match the entry")
	}
}

func (v *Verifier) fail(seq int64, kind error, reason string) {
	v.problem = &Problem{Seq: seq, Kind: kind, Reason: reason}
	v.suspect = nil
}

// Count is the number of entries verified so far.
func (v *Verifier) Count() int64 { return v.n }

// Finish checks the end of the trail against head and returns nil or the
// first *Problem.
func (v *Verifier) Finish(head Head) error {
	if v.suspect != nil {
		v.fail(v.suspect.Seq, ErrEdited, "MAC does not match the entry")
	}
	headOK := !head.Missing() && hmac.Equal(v.c.HeadMAC(head.Seq, head.MAC), head.HeadMAC)
	if p := v.problem; p != nil {
		if v.firstBad && p.Kind == ErrEdited && !head.Missing() && !headOK {
			return &Problem{Kind: ErrWrongKey, Reason: "neither the first entry nor the head authenticates with this key"}
		}
		return p
	}
	switch {
	case head.Missing():
		return &Problem{Kind: ErrHeadMissing, Reason: "no head is stored"}
	case !headOK:
		return &Problem{Seq: v.lastSeq + 1, Kind: ErrTruncated, Reason: "head MAC does not match"}
	case head.Seq > v.lastSeq:
		return &Problem{Seq: v.lastSeq + 1, Kind: ErrTruncated,
			Reason: fmt.Sprintf("head records %d entries, found %d", head.Seq, v.lastSeq)}
	case head.Seq < v.lastSeq:
		return &Problem{Seq: head.Seq + 1, Kind: ErrTruncated, Reason: "head is older than the trail"}
	case !bytes.Equal(head.MAC, v.lastMAC):
		return &Problem{Seq: head.Seq, Kind: ErrTruncated, Reason: "head does not match the last entry"}
	}
	return nil
}

// Verify checks a whole trail, streamed in sequence order, against its head.
// It returns nil, an error from entries, or the first *Problem.
func (c *Chain) Verify(entries iter.Seq2[Entry, error], head Head) error {
	v := c.NewVerifier()
	for e, err := range entries {
		if err != nil {
			return err
		}
		if !v.Add(e) {
			break
		}
	}
	return v.Finish(head)
}
