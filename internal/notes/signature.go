package notes

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"slices"
	"strconv"
	"time"

	"github.com/calmally/practice/internal/apperr"
)

// TimeLayout is how signing times enter the signature (and how the store
// keeps them): fixed-width UTC with nanoseconds, so a round trip through the
// database reproduces the same bytes.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// Domain-separation tags. A new encoding gets a new tag; old signatures keep
// verifying under theirs.
const (
	noteSigTag     = "calmally.note.signature.v1"
	addendumSigTag = "calmally.note.addendum.v1"
)

// SignedHash is SHA-256 over the canonical encoding of exactly what a
// signature covers: the note id, client id, kind, template id and version,
// session date, booking id, title, every section as (key, text) in template
// order (keys the template does not list follow, sorted — there should be
// none), the signer and the signing time. Each field is length-prefixed
// (4-byte big-endian length, then the bytes), after a version tag, so no two
// different notes encode alike. The note id and booking id are included
// beyond the clinical content so that a signature cannot be claimed by
// another row.
func SignedHash(n Note, order []string, signer string, signedAt time.Time) []byte {
	h := sha256.New()
	var b []byte
	b = field(b, noteSigTag)
	b = field(b, n.ID)
	b = field(b, n.ClientID)
	b = field(b, string(n.Kind))
	b = field(b, n.TemplateID)
	b = field(b, strconv.Itoa(n.TemplateVersion))
	b = field(b, n.SessionDate.String())
	b = field(b, n.BookingID)
	b = field(b, n.Title)
	keys := sectionOrder(order, n.Sections)
	b = field(b, strconv.Itoa(len(keys)))
	for _, k := range keys {
		b = field(b, k)
		b = field(b, n.Sections[k])
	}
	b = field(b, signer)
	b = field(b, signedAt.UTC().Format(TimeLayout))
	h.Write(b)
	return h.Sum(nil)
}

// addendumHash covers the addendum's id, its note's id and signed hash (so the
// addendum is chained to exactly the note it corrects), body, signer and time.
func addendumHash(a Addendum, noteHash []byte) []byte {
	var b []byte
	b = field(b, addendumSigTag)
	b = field(b, a.ID)
	b = field(b, a.NoteID)
	b = field(b, string(noteHash))
	b = field(b, a.Body)
	b = field(b, a.SignedBy)
	b = field(b, a.SignedAt.UTC().Format(TimeLayout))
	sum := sha256.Sum256(b)
	return sum[:]
}

// sectionOrder is the template's order, then any other keys present, sorted.
func sectionOrder(order []string, sections map[string]string) []string {
	keys := append([]string(nil), order...)
	var extra []string
	for k := range sections {
		if !slices.Contains(order, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	return append(keys, extra...)
}

func field(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// ErrSignatureMismatch means a signed note or addendum no longer matches the
// hash recorded when it was signed.
var ErrSignatureMismatch = apperr.New(apperr.Integrity, "the signed note does not match its signature")

// verifyNote recomputes n's hash (and its addenda's) with the template order.
func verifyNote(n Note, order []string) error {
	if !n.Signed() {
		return apperr.New(apperr.Invalid, "the note is not signed")
	}
	want := SignedHash(n, order, n.SignedBy, n.SignedAt)
	if subtle.ConstantTimeCompare(want, n.SignedHash) != 1 {
		return ErrSignatureMismatch
	}
	for _, a := range n.Addenda {
		if a.NoteID != n.ID || subtle.ConstantTimeCompare(addendumHash(a, n.SignedHash), a.SignedHash) != 1 {
			return ErrSignatureMismatch
		}
	}
	return nil
}
