package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/vault"
)

// clientEnv is a real database, real vault keys, a started audit trail and
// a client service on them, with a clock the test moves.
type clientEnv struct {
	db     *DB
	keys   *vault.Keys
	chain  *audit.Chain
	svc    *clients.Service
	now    time.Time
	locked bool
}

var (
	testKeysOnce sync.Once
	testKeysVal  *vault.Keys
	testKeysErr  error
)

// testKeys returns one set of real vault keys for the whole test binary:
// creating a vault runs Argon2id, which would dominate every test.
func testKeys(t testing.TB) *vault.Keys {
	t.Helper()
	testKeysOnce.Do(func() {
		_, testKeysVal, _, testKeysErr = vault.Create([]byte("correct horse battery staple"), nil, vault.MinimumKDF())
	})
	if testKeysErr != nil {
		t.Fatal(testKeysErr)
	}
	return testKeysVal
}

func newClientEnv(t testing.TB) *clientEnv {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, t.TempDir()+"/"+FileName)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keys := testKeys(t)
	env := &clientEnv{db: db, keys: keys, chain: audit.NewChain(keys.Subkey("audit-mac")),
		now: time.Date(2024, 6, 15, 6, 30, 0, 0, time.UTC)}
	first, err := audit.Event{Action: audit.ActionVaultCreated}.Entry(env.now, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AppendAudit(ctx, env.chain, first); err != nil {
		t.Fatal(err)
	}
	locked := apperr.New(apperr.Locked, "the vault is locked")
	env.svc = clients.NewService(clients.Config{
		Store: NewClientStore(db, func() (*audit.Chain, error) {
			if env.locked {
				return nil, locked
			}
			return env.chain, nil
		}),
		Keys: func() (clients.Sealer, error) {
			if env.locked {
				return nil, locked
			}
			return env.keys, nil
		},
		Now:   func() time.Time { return env.now },
		Actor: "tester",
	})
	return env
}

func (env *clientEnv) create(t testing.TB, in clients.Input) clients.Client {
	t.Helper()
	c, err := env.svc.Create(context.Background(), in, clients.SourceClinic)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return c
}

// auditEntries returns the trail, oldest first.
func (env *clientEnv) auditEntries(t testing.TB) []audit.Entry {
	t.Helper()
	es, _, err := env.db.ListAudit(context.Background(), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(es)
	return es
}

func fullInput() clients.Input {
	return clients.Input{
		Name:                 "Asha Kumar",
		PreferredName:        "Ashu",
		DateOfBirth:          "1990-05-01",
		Gender:               "woman",
		Phone:                "98765 43210",
		Email:                "asha@example.com",
		EmergencyContact:     clients.EmergencyContact{Name: "Ravi Kumar", Relationship: "brother", Phone: "+91 91234 56789"},
		PresentingConcerns:   "sleep; work stress",
		TreatmentPreferences: "evening sessions, online",
		Language:             "Hindi",
	}
}

func TestClientCreateAndGet(t *testing.T) {
	env := newClientEnv(t)
	ctx := context.Background()
	c := env.create(t, fullInput())
	if c.Rev != 1 || c.Status != clients.StatusActive || c.Phone != "+919876543210" || c.EmergencyContact.Phone != "+919123456789" {
		t.Fatalf("created %+v", c)
	}
	env.now = env.now.Add(time.Hour)
	got, err := env.svc.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Profile != c.Profile || got.ID != c.ID || got.Rev != 1 || !got.CreatedAt.Equal(c.CreatedAt) || got.Source != clients.SourceClinic {
		t.Fatalf("Get = %+v\nwant %+v", got, c)
	}
	es := env.auditEntries(t)
	want := []audit.Action{audit.ActionVaultCreated, audit.ActionCreate, audit.ActionView}
	if len(es) != len(want) {
		t.Fatalf("audit has %d entries, want %d", len(es), len(want))
	}
	for i, e := range es {
		if e.Action != want[i] {
			t.Errorf("entry %d: %s, want %s", i, e.Action, want[i])
		}
		if i > 0 && (e.RecordType != clients.RecordType || e.RecordID != c.ID || e.Actor != "tester") {
			t.Errorf("entry %d: %+v", i, e)
		}
	}
	if _, err := env.db.VerifyAudit(ctx, env.chain); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
}

func TestClientCreateRefusals(t *testing.T) {
	env := newClientEnv(t)
	ctx := context.Background()
	tests := []struct {
		name string
		edit func(*clients.Input)
		code string
		msg  string
	}{
		// env.now is 2024-06-15 12:00 in India.
		{"17 years 364 days", func(in *clients.Input) { in.DateOfBirth = "2006-06-16" }, apperr.Invalid, clients.MsgUnder18},
		{"future", func(in *clients.Input) { in.DateOfBirth = "2024-06-16" }, apperr.Invalid, "date of birth: cannot be in the future"},
		{"no name", func(in *clients.Input) { in.Name = "" }, apperr.Invalid, "name: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fullInput()
			tt.edit(&in)
			_, err := env.svc.Create(ctx, in, clients.SourceClinic)
			if apperr.CodeOf(err) != tt.code || apperr.MessageOf(err) != tt.msg {
				t.Fatalf("Create = %v, want %s %q", err, tt.code, tt.msg)
			}
		})
	}
	in := fullInput()
	in.DateOfBirth = "2006-06-15" // 18 today
	if _, err := env.svc.Create(ctx, in, clients.SourceClinic); err != nil {
		t.Fatalf("18 today refused: %v", err)
	}
	var n int
	if err := env.db.SQL().QueryRow(`SELECT COUNT(*) FROM clients`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("clients rows = %d, %v; want only the adult", n, err)
	}
	env.locked = true
	if _, err := env.svc.Create(ctx, fullInput(), clients.SourceClinic); apperr.CodeOf(err) != apperr.Locked {
		t.Fatalf("Create while locked = %v, want locked", err)
	}
	if _, err := env.svc.List(ctx, clients.Filter{}); apperr.CodeOf(err) != apperr.Locked {
		t.Fatalf("List while locked = %v, want locked", err)
	}
}

// rawValues returns every value of every row of every table, as bytes.
func rawValues(t *testing.T, db *DB) map[string][][]byte {
	t.Helper()
	tables, err := db.SQL().Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	out := map[string][][]byte{}
	for _, table := range names {
		rows, err := db.SQL().Query(fmt.Sprintf(`SELECT * FROM %q`, table))
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				key := table + "." + cols[i]
				switch v := v.(type) {
				case []byte:
					out[key] = append(out[key], v)
				case string:
					out[key] = append(out[key], []byte(v))
				case nil:
				default:
					out[key] = append(out[key], fmt.Append(nil, v))
				}
			}
		}
		rows.Close()
	}
	return out
}

func TestClientFieldsAreSealed(t *testing.T) {
	env := newClientEnv(t)
	ctx := context.Background()
	const marker = "Zqx7Marker"
	in := clients.Input{
		Name:                 marker + "Name",
		PreferredName:        marker + "Pref",
		DateOfBirth:          "1987-11-23",
		Gender:               marker + "Gender",
		Phone:                "+91 93456 71234",
		Email:                strings.ToLower(marker) + "@example.org",
		EmergencyContact:     clients.EmergencyContact{Name: marker + "Ec", Relationship: marker + "Rel", Phone: "+44 20 7946 0321"},
		PresentingConcerns:   marker + "Concerns",
		TreatmentPreferences: marker + "Prefs",
		Language:             marker + "Lang",
	}
	c := env.create(t, in)
	// A correction moves the old values into history: they must be sealed there too.
	corr := in
	corr.Name, corr.Phone, corr.DateOfBirth = marker+"Renamed", "+91 93456 70000", "1987-11-24"
	if _, err := env.svc.Update(ctx, clients.Correction{ID: c.ID, Rev: 1, Reason: clients.ReasonClientRequest, Input: corr}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.Get(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.List(ctx, clients.Filter{Query: marker}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.History(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	needles := [][]byte{
		[]byte(marker), []byte(strings.ToLower(marker)), []byte("9345671234"), []byte("9345670000"),
		[]byte("2079460321"), []byte("1987-11-23"), []byte("1987-11-24"),
	}
	for col, vals := range rawValues(t, env.db) {
		for _, v := range vals {
			for _, n := range needles {
				if bytes.Contains(v, n) {
					t.Errorf("%s holds %q in the clear", col, n)
				}
			}
		}
	}
	// And on disk: database file and WAL.
	if err := env.db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{env.db.Path(), env.db.Path() + "-wal"} {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range needles {
			if bytes.Contains(b, n) {
				t.Errorf("%s holds %q in the clear", f, n)
			}
		}
	}
}

func TestClientTamperingIsAnIntegrityError(t *testing.T) {
	ctx := context.Background()
	exec := func(t *testing.T, db *DB, q string, args ...any) {
		t.Helper()
		if _, err := db.SQL().Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		tamper func(t *testing.T, env *clientEnv, a, b clients.Client)
	}{
		{"envelope swapped in from another client", func(t *testing.T, env *clientEnv, a, b clients.Client) {
			exec(t, env.db, `UPDATE clients SET name = (SELECT name FROM clients WHERE id = ?) WHERE id = ?`, b.ID, a.ID)
		}},
		{"envelopes swapped between columns", func(t *testing.T, env *clientEnv, a, b clients.Client) {
			exec(t, env.db, `UPDATE clients SET name = preferred_name, preferred_name = name WHERE id = ?`, a.ID)
		}},
		{"older revision replayed", func(t *testing.T, env *clientEnv, a, b clients.Client) {
			var old []byte
			if err := env.db.SQL().QueryRow(`SELECT phone FROM clients WHERE id = ?`, a.ID).Scan(&old); err != nil {
				t.Fatal(err)
			}
			in := fullInput()
			in.Phone = "+91 90000 00001"
			if _, err := env.svc.Update(ctx, clients.Correction{ID: a.ID, Rev: a.Rev, Reason: clients.ReasonNewInformation, Input: in}); err != nil {
				t.Fatal(err)
			}
			exec(t, env.db, `UPDATE clients SET phone = ? WHERE id = ?`, old, a.ID)
		}},
		{"revision rolled back", func(t *testing.T, env *clientEnv, a, b clients.Client) {
			exec(t, env.db, `UPDATE clients SET rev = rev + 1 WHERE id = ?`, a.ID)
		}},
		{"a byte flipped", func(t *testing.T, env *clientEnv, a, b clients.Client) {
			var b2 []byte
			if err := env.db.SQL().QueryRow(`SELECT date_of_birth FROM clients WHERE id = ?`, a.ID).Scan(&b2); err != nil {
				t.Fatal(err)
			}
			b2[len(b2)-3] ^= 0x01
			exec(t, env.db, `UPDATE clients SET date_of_birth = ? WHERE id = ?`, b2, a.ID)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newClientEnv(t)
			a := env.create(t, fullInput())
			other := fullInput()
			other.Name = "Bhavna Rao"
			b := env.create(t, other)
			tt.tamper(t, env, a, b)

			_, err := env.svc.Get(ctx, a.ID)
			if apperr.CodeOf(err) != apperr.Integrity || !errors.Is(err, vault.ErrIntegrity) {
				t.Fatalf("Get tampered = %v, want integrity", err)
			}
			if strings.Contains(apperr.MessageOf(err), "Asha") {
				t.Fatalf("message shows client data: %q", apperr.MessageOf(err))
			}
			res, err := env.svc.List(ctx, clients.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Clients) != 1 || res.Clients[0].ID != b.ID || !slices.Equal(res.Unreadable, []string{a.ID}) {
				t.Fatalf("List = %d clients, unreadable %v; want only b readable", len(res.Clients), res.Unreadable)
			}
			in := fullInput()
			in.Name = "Someone Else"
			if _, err := env.svc.Update(ctx, clients.Correction{ID: a.ID, Rev: 2, Reason: clients.ReasonDataEntryError, Input: in}); apperr.CodeOf(err) != apperr.Integrity {
				t.Fatalf("Update tampered = %v, want integrity", err)
			}
			var integrity []audit.Entry
			for _, e := range env.auditEntries(t) {
				if e.Action == audit.ActionIntegrityError {
					integrity = append(integrity, e)
				}
			}
			if len(integrity) != 3 {
				t.Fatalf("%d integrity_error entries, want 3 (get, list, update)", len(integrity))
			}
			for _, e := range integrity {
				if e.RecordID != a.ID || e.RecordType != clients.RecordType || !strings.Contains(e.Detail, "table=clients") {
					t.Errorf("integrity entry %+v", e)
				}
			}
			if _, err := env.db.VerifyAudit(ctx, env.chain); err != nil {
				t.Fatalf("audit chain: %v", err)
			}
		})
	}
}

func TestClientCorrectionKeepsHistory(t *testing.T) {
	env := newClientEnv(t)
	ctx := context.Background()
	c := env.create(t, fullInput())

	env.now = env.now.Add(24 * time.Hour)
	in := fullInput()
	in.Name = "Asha K. Menon"
	in.Phone = "+91 90000 11111"
	in.EmergencyContact.Relationship = "sibling"
	up, err := env.svc.Update(ctx, clients.Correction{ID: c.ID, Rev: 1, Reason: clients.ReasonClientRequest, Input: in})
	if err != nil {
		t.Fatal(err)
	}
	if up.Rev != 2 || up.Name != "Asha K. Menon" || up.Phone != "+919000011111" || !up.UpdatedAt.Equal(env.now) {
		t.Fatalf("Update = %+v", up)
	}
	got, err := env.svc.Get(ctx, c.ID)
	if err != nil || got.Profile != up.Profile || got.Rev != 2 {
		t.Fatalf("Get after update = %+v, %v", got, err)
	}

	// Refusals: stale revision, nothing changed, under 18, unknown reason.
	if _, err := env.svc.Update(ctx, clients.Correction{ID: c.ID, Rev: 1, Reason: clients.ReasonClientRequest, Input: fullInput()}); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("stale revision: %v, want conflict", err)
	}
	if _, err := env.svc.Update(ctx, clients.Correction{ID: c.ID, Rev: 2, Reason: clients.ReasonClientRequest, Input: in}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("no change: %v, want invalid", err)
	}
	minor := in
	minor.DateOfBirth = "2010-01-01"
	if _, err := env.svc.Update(ctx, clients.Correction{ID: c.ID, Rev: 2, Reason: clients.ReasonDataEntryError, Input: minor}); apperr.MessageOf(err) != clients.MsgUnder18 {
		t.Errorf("under-18 correction: %v", err)
	}
	if _, err := env.svc.Update(ctx, clients.Correction{ID: c.ID, Rev: 2, Reason: "because", Input: fullInput()}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("unknown reason: %v, want invalid", err)
	}

	env.now = env.now.Add(time.Hour)
	if _, err := env.svc.Discharge(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.Discharge(ctx, c.ID); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("second discharge: %v, want conflict", err)
	}
	re, err := env.svc.Reopen(ctx, c.ID)
	if err != nil || re.Status != clients.StatusActive || re.Rev != 4 || re.Name != "Asha K. Menon" {
		t.Fatalf("Reopen = %+v, %v", re, err)
	}

	hist, err := env.svc.History(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 {
		t.Fatalf("history has %d entries, want 3", len(hist))
	}
	h := hist[0]
	if h.Action != clients.HistoryCorrection || h.Rev != 2 || h.Actor != "tester" || h.Reason != clients.ReasonClientRequest ||
		!h.At.Equal(time.Date(2024, 6, 16, 6, 30, 0, 0, time.UTC)) {
		t.Errorf("history[0] = %+v", h)
	}
	if want := []string{"name", "phone", "emergency_contact"}; !slices.Equal(h.Fields, want) {
		t.Errorf("fields = %v, want %v", h.Fields, want)
	}
	if h.Previous.Name != "Asha Kumar" || h.Previous.Phone != "+919876543210" || h.Previous.EmergencyContact.Relationship != "brother" ||
		h.Previous.Email != "" {
		t.Errorf("previous = %+v (only changed fields, with their old values)", h.Previous)
	}
	if hist[1].Action != clients.HistoryDischarge || hist[1].PreviousStatus != clients.StatusActive || hist[1].Rev != 3 {
		t.Errorf("history[1] = %+v", hist[1])
	}
	if hist[2].Action != clients.HistoryReopen || hist[2].PreviousStatus != clients.StatusDischarged {
		t.Errorf("history[2] = %+v", hist[2])
	}
	var edits []string
	for _, e := range env.auditEntries(t) {
		if e.Action == audit.ActionEdit {
			edits = append(edits, e.Detail)
		}
	}
	want := []string{"reason=client_request changed=3 rev=2", "status=discharged rev=3", "status=active rev=4"}
	if !slices.Equal(edits, want) {
		t.Errorf("edit entries = %q, want %q", edits, want)
	}

	// A history row moved to another client does not open there.
	other := env.create(t, fullInput())
	if _, err := env.db.SQL().Exec(`UPDATE client_history SET client_id = ?, rev = 2 WHERE rev = 3 AND client_id = ?`, other.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.History(ctx, other.ID); apperr.CodeOf(err) != apperr.Integrity {
		t.Fatalf("moved history = %v, want integrity", err)
	}
}

func TestClientList(t *testing.T) {
	env := newClientEnv(t)
	ctx := context.Background()
	names := []string{"Zoya Khan", "arjun Mehta", "Renée D'Souza", "Bhavna Rao", "स्नेहा पाटील"}
	ids := map[string]string{}
	for _, n := range names {
		in := fullInput()
		in.Name, in.PreferredName = n, ""
		ids[n] = env.create(t, in).ID
	}
	if _, err := env.svc.Discharge(ctx, ids["Bhavna Rao"]); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    clients.Filter
		want []string
	}{
		{"all, by name", clients.Filter{}, []string{"arjun Mehta", "Bhavna Rao", "Renée D'Souza", "Zoya Khan", "स्नेहा पाटील"}},
		{"active", clients.Filter{Status: clients.StatusActive}, []string{"arjun Mehta", "Renée D'Souza", "Zoya Khan", "स्नेहा पाटील"}},
		{"discharged", clients.Filter{Status: clients.StatusDischarged}, []string{"Bhavna Rao"}},
		{"case-insensitive", clients.Filter{Query: "ZOYA"}, []string{"Zoya Khan"}},
		{"accent-insensitive", clients.Filter{Query: "renee"}, []string{"Renée D'Souza"}},
		{"every word", clients.Filter{Query: "khan zo"}, []string{"Zoya Khan"}},
		{"devanagari", clients.Filter{Query: "स्नेहा"}, []string{"स्नेहा पाटील"}},
		{"query and status", clients.Filter{Query: "rao", Status: clients.StatusActive}, nil},
		{"nothing", clients.Filter{Query: "nobody"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := env.svc.List(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range res.Clients {
				got = append(got, c.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("List(%+v) = %q, want %q", tt.f, got, tt.want)
			}
		})
	}
	if _, err := env.svc.List(ctx, clients.Filter{Status: "gone"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("bad status: %v", err)
	}
	last := env.auditEntries(t)
	e := last[len(last)-1]
	if e.Action != audit.ActionView || e.RecordID != "" || e.Detail != "scope=list query=1" {
		t.Fatalf("list audit entry = %+v", e)
	}
}

func TestClientNotFound(t *testing.T) {
	env := newClientEnv(t)
	ctx := context.Background()
	for _, id := range []string{"0190a2b4-0000-7000-8000-000000000000", "not-an-id", "", "'; DROP TABLE clients; --"} {
		if _, err := env.svc.Get(ctx, id); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("Get(%q) = %v, want not_found", id, err)
		}
		if _, err := env.svc.History(ctx, id); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("History(%q) = %v, want not_found", id, err)
		}
		if _, err := env.svc.Discharge(ctx, id); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("Discharge(%q) = %v, want not_found", id, err)
		}
		if err := env.svc.MarkInteraction(ctx, id, env.now); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("MarkInteraction(%q) = %v, want not_found", id, err)
		}
	}
	// A failed view leaves no audit entry behind (the transaction rolled back).
	if es := env.auditEntries(t); len(es) != 1 {
		t.Fatalf("%d audit entries, want only vault_created", len(es))
	}
}

func TestClientMarkInteraction(t *testing.T) {
	env := newClientEnv(t)
	ctx := context.Background()
	c := env.create(t, fullInput())
	t1 := time.Date(2024, 7, 1, 10, 0, 0, 0, time.UTC)
	if err := env.svc.MarkInteraction(ctx, c.ID, t1.In(clients.India)); err != nil {
		t.Fatal(err)
	}
	if err := env.svc.MarkInteraction(ctx, c.ID, t1.Add(-time.Hour)); err != nil { // older: ignored
		t.Fatal(err)
	}
	got, err := env.svc.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastInteractionAt.Equal(t1) || got.Rev != 1 {
		t.Fatalf("last interaction %v rev %d, want %v rev 1", got.LastInteractionAt, got.Rev, t1)
	}
	var raw string
	if err := env.db.SQL().QueryRow(`SELECT last_interaction_at FROM clients WHERE id = ?`, c.ID).Scan(&raw); err != nil || raw != "2024-07-01T10:00:00Z" {
		t.Fatalf("stored %q, %v", raw, err)
	}
	// Inside another service's transaction.
	t2 := t1.Add(48 * time.Hour)
	if err := env.db.Tx(ctx, func(tx *sql.Tx) error { return MarkClientInteractionTx(ctx, tx, c.ID, t2) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := env.svc.Get(ctx, c.ID); !got.LastInteractionAt.Equal(t2) {
		t.Fatalf("last interaction %v, want %v", got.LastInteractionAt, t2)
	}
}

func TestClientSealedColumnsRegistered(t *testing.T) {
	if !slices.Equal(clientSealed, clients.SealedFields) {
		t.Fatalf("store lists %v, domain seals %v", clientSealed, clients.SealedFields)
	}
	db := openTemp(t)
	registered := SealedColumns()
	for _, table := range []string{"clients", "client_history"} {
		rows, err := db.SQL().Query(`SELECT name, type FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name, typ string
			if err := rows.Scan(&name, &typ); err != nil {
				t.Fatal(err)
			}
			isReg := slices.Contains(registered, SealedColumn{Table: table, Column: name})
			if (typ == "BLOB") != isReg {
				t.Errorf("%s.%s (%s): registered=%v; every BLOB column is sealed and registered, nothing else", table, name, typ, isReg)
			}
		}
		rows.Close()
	}
}

func TestClientDataKeyRotation(t *testing.T) {
	env := newClientEnv(t)
	ctx := context.Background()
	c := env.create(t, fullInput())
	in := fullInput()
	in.Email = "new@example.com"
	if _, err := env.svc.Update(ctx, clients.Correction{ID: c.ID, Rev: 1, Reason: clients.ReasonNewInformation, Input: in}); err != nil {
		t.Fatal(err)
	}
	cols := SealedColumns()
	reseal := func(col SealedColumn, id string, rev int64, env2 []byte) ([]byte, error) {
		ad := vault.AD{Table: col.Table, Column: col.Column, RowID: id, Revision: rev}
		plain, err := env.keys.Open(ad, env2)
		if err != nil {
			return nil, err
		}
		return env.keys.SealWith(2, ad, plain)
	}
	if err := env.db.Reseal(ctx, cols, 2, reseal, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := env.db.CountNotAtKeyVersion(ctx, cols, 2); err != nil || n != 0 {
		t.Fatalf("%d envelopes not re-sealed, %v", n, err)
	}
	got, err := env.svc.Get(ctx, c.ID)
	if err != nil || got.Email != "new@example.com" {
		t.Fatalf("after rotation: %+v, %v", got, err)
	}
	if h, err := env.svc.History(ctx, c.ID); err != nil || h[0].Previous.Email != "asha@example.com" {
		t.Fatalf("history after rotation: %+v, %v", h, err)
	}
}

// BenchmarkClientList1000 opens and sorts 1,000 clients (10 sealed fields
// each), as the Clients screen does on every load.
func BenchmarkClientList1000(b *testing.B) {
	env := newClientEnv(b)
	ctx := context.Background()
	for i := range 1000 {
		in := fullInput()
		in.Name = fmt.Sprintf("Client %04d", (i*7919)%1000)
		env.create(b, in)
	}
	b.ResetTimer()
	for b.Loop() {
		res, err := env.svc.List(ctx, clients.Filter{Status: clients.StatusActive})
		if err != nil || len(res.Clients) != 1000 {
			b.Fatalf("%d clients, %v", len(res.Clients), err)
		}
	}
}
