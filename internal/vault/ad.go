package vault

import "errors"

// AD binds a sealed field to where it lives. Revision is the row's revision
// at the time of sealing: bumping it on every write makes an older ciphertext
// replayed into the row fail to open.
type AD struct {
	Table, Column, RowID string
	Revision             int64
}

var errIncompleteAD = errors.New("associated data needs a table, a column and a row id")

func (ad AD) check() error {
	if ad.Table == "" || ad.Column == "" || ad.RowID == "" {
		return errIncompleteAD
	}
	return nil
}

// fieldAD is the AEAD associated data of an envelope: length-prefixed fields
// (format version, key version, table, column, row id, revision). ENVELOPE.md
// spells it out.
func fieldAD(format byte, keyVersion uint32, ad AD) []byte {
	b := make([]byte, 0, 4*6+1+4+len(ad.Table)+len(ad.Column)+len(ad.RowID)+8)
	b = appendField(b, []byte{format})
	b = appendUint32Field(b, keyVersion)
	b = appendField(b, []byte(ad.Table))
	b = appendField(b, []byte(ad.Column))
	b = appendField(b, []byte(ad.RowID))
	b = appendUint64Field(b, uint64(ad.Revision))
	return b
}
