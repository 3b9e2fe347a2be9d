package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// notSealed lists the BLOB columns that hold no client data: MACs and the
// vault header. Every other BLOB column must be registered as sealed, so
// that rotating the data key cannot miss one.
var notSealed = map[string]bool{
	"meta.value":          true,
	"audit_log.prev_mac":  true,
	"audit_log.mac":       true,
	"audit_head.mac":      true,
	"audit_head.head_mac": true,
	// SHA-256 of what was signed: it must stay readable to verify a
	// signature, and reveals nothing of the text.
	"notes.signed_hash":        true,
	"note_addenda.signed_hash": true,
}

func TestEverySealedColumnIsListed(t *testing.T) {
	db := openTemp(t)
	// Stores register their columns when constructed.
	NewClientStore(db, nil)
	NewNoteStore(db, nil)
	ctx := context.Background()
	registered := map[string]bool{}
	for _, c := range SealedColumns() {
		registered[c.Table+"."+c.Column] = true
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND upper(p.type) = 'BLOB'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var blobs []string
	for rows.Next() {
		var table, col, typ string
		if err := rows.Scan(&table, &col, &typ); err != nil {
			t.Fatal(err)
		}
		blobs = append(blobs, table+"."+col)
	}
	sort.Strings(blobs)
	if len(blobs) < 5 {
		t.Fatalf("found only %d BLOB columns: %v", len(blobs), blobs)
	}
	for _, b := range blobs {
		if !registered[b] && !notSealed[b] && !strings.HasPrefix(b, "audit_pending.") {
			t.Errorf("BLOB column %s is neither registered as sealed nor listed as holding no client data", b)
		}
	}
	for r := range registered {
		found := false
		for _, b := range blobs {
			found = found || b == r
		}
		if !found {
			t.Errorf("registered sealed column %s does not exist in the schema", r)
		}
	}
	t.Log(fmt.Sprint(len(registered), " sealed columns"))
}
