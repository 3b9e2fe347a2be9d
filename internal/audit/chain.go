package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"time"
)

// Domain-separation tags, so an entry MAC, a head MAC and a pending hash can
// never be mistaken for one another. Changing them breaks every stored trail.
const (
	tagEntry   = "calmally/audit/entry/v1"
	tagHead    = "calmally/audit/head/v1"
	tagPending = "calmally/audit/pending/v1"
)

// Chain computes and checks the trail's MACs. It is keyed by the vault's
// audit subkey and is safe for concurrent use.
type Chain struct{ key []byte }

// NewChain returns a Chain keyed by a copy of key, which should be a 32-byte
// HKDF subkey of the vault key used for nothing else.
func NewChain(key []byte) *Chain {
	return &Chain{key: append([]byte(nil), key...)}
}

func (c *Chain) mac() hash.Hash { return hmac.New(sha256.New, c.key) }

// Link returns the MAC of e following an entry whose MAC is prev (nil for the
// first entry). It covers prev and, length-prefixed, e's Seq, At (UTC,
// RFC 3339 with nanoseconds), Actor, Action, RecordType, RecordID and Detail;
// e.PrevMAC and e.MAC are ignored.
func (c *Chain) Link(prev []byte, e Entry) []byte {
	return link(c.mac(), prev, e)
}

func link(h hash.Hash, prev []byte, e Entry) []byte {
	h.Reset()
	h.Write(encode(make([]byte, 0, 256), tagEntry, prev, e))
	return h.Sum(nil)
}

// HeadMAC returns the MAC that seals a head at (seq, mac).
func (c *Chain) HeadMAC(seq int64, mac []byte) []byte {
	b := appendField(make([]byte, 0, 96), tagHead)
	b = binary.BigEndian.AppendUint64(b, uint64(seq))
	b = appendField(b, string(mac))
	h := c.mac()
	h.Write(b)
	return h.Sum(nil)
}

// PendingHash returns the unkeyed SHA-256 link for an entry written while the
// vault was locked, following the pending entry whose hash is prev. e.Seq is
// the entry's position in the pending list.
func PendingHash(prev []byte, e Entry) []byte {
	sum := sha256.Sum256(encode(make([]byte, 0, 256), tagPending, prev, e))
	return sum[:]
}

// TimeFormat is how At enters the MAC: RFC 3339 in UTC with nanoseconds.
const TimeFormat = time.RFC3339Nano

func encode(b []byte, tag string, prev []byte, e Entry) []byte {
	b = appendField(b, tag)
	b = appendField(b, string(prev))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	n := len(b)
	b = e.At.UTC().AppendFormat(binary.BigEndian.AppendUint32(b, 0), TimeFormat)
	binary.BigEndian.PutUint32(b[n:], uint32(len(b)-n-4))
	b = appendField(b, e.Actor)
	b = appendField(b, string(e.Action))
	b = appendField(b, e.RecordType)
	b = appendField(b, e.RecordID)
	b = appendField(b, e.Detail)
	return b
}

func appendField(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}
