package vault

import "encoding/binary"

// appendField appends one length-prefixed field: a 4-byte big-endian length
// followed by the bytes. Every associated-data string in this package is a
// sequence of such fields, which makes the encoding injective: no two
// different tuples encode to the same bytes.
func appendField(b, field []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(field)))
	return append(b, field...)
}

func appendUint32Field(b []byte, v uint32) []byte {
	return appendField(b, binary.BigEndian.AppendUint32(nil, v))
}

func appendUint64Field(b []byte, v uint64) []byte {
	return appendField(b, binary.BigEndian.AppendUint64(nil, v))
}
