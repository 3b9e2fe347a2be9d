package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/clients"
	"github.com/calmally/practice/internal/consent"
)

func init() {
	// The consent ledger's MAC chain and head hold no client data.
	for _, c := range []string{"consent_events.prev_mac", "consent_events.mac", "consent_head.mac", "consent_head.head_mac"} {
		notSealed[c] = true
	}
}

// consentEnv is a client env with a consent service on the same database.
type consentEnv struct {
	*clientEnv
	consent *consent.Service
	client  string
}

const testPlatformRef = "0190a2b4-1111-7000-8000-00000000aaaa"

func newConsentEnv(t testing.TB) *consentEnv {
	t.Helper()
	env := newClientEnv(t)
	e := &consentEnv{clientEnv: env}
	e.consent = consent.NewService(consent.Config{
		Store: NewConsentStore(env.db, func() (*audit.Chain, error) { return env.chain, nil }),
		Keys:  func() (consent.Keys, error) { return env.keys, nil },
		Now:   func() time.Time { return env.now },
		Actor: "tester",
		// Asha is a platform client; every other client is the clinic's own.
		PlatformRef: func(_ context.Context, clientID string) (string, error) {
			if clientID == e.client {
				return testPlatformRef, nil
			}
			return "", nil
		},
	})
	e.client = env.create(t, clients.Input{Name: "Asha Kumar", DateOfBirth: "1990-05-01"}).ID
	return e
}

func (e *consentEnv) grant(t testing.TB, p consent.Purpose) consent.Event {
	t.Helper()
	ev, err := e.consent.Grant(context.Background(), consent.GrantInput{ClientID: e.client, Purpose: p, Method: consent.MethodCheckbox})
	if err != nil {
		t.Fatalf("grant %s: %v", p, err)
	}
	return ev
}

func TestConsentGrantCheckWithdraw(t *testing.T) {
	e := newConsentEnv(t)
	ctx := context.Background()
	check := func(p consent.Purpose) error { return e.consent.Check(ctx, e.client, p) }
	if err := check(consent.PurposeHealthData); apperr.CodeOf(err) != apperr.ConsentRequired ||
		apperr.MessageOf(err) != "consent required: health-data" {
		t.Fatalf("check before grant = %v", err)
	}
	g := e.grant(t, consent.PurposeHealthData)
	if g.Seq != 1 || g.NoticeSHA256 == "" || g.Method != consent.MethodCheckbox || g.CapturedBy != "tester" {
		t.Fatalf("grant = %+v", g.Row)
	}
	if err := check(consent.PurposeHealthData); err != nil {
		t.Fatalf("check after grant = %v", err)
	}
	// One purpose does not imply another.
	if err := check(consent.PurposeSummarySharing); apperr.CodeOf(err) != apperr.ConsentRequired {
		t.Fatalf("unrelated purpose = %v", err)
	}
	e.now = e.now.Add(time.Minute)
	w, err := e.consent.Withdraw(ctx, consent.WithdrawInput{ClientID: e.client, Purpose: consent.PurposeHealthData, Channel: consent.ChannelPhone})
	if err != nil || w.Kind != consent.KindWithdraw || w.NoticeSHA256 != g.NoticeSHA256 {
		t.Fatalf("withdraw = %+v, %v", w.Row, err)
	}
	// Immediately: no clock movement needed.
	if err := check(consent.PurposeHealthData); apperr.CodeOf(err) != apperr.ConsentRequired {
		t.Fatalf("check after withdrawal = %v", err)
	}
	if _, err := e.consent.Withdraw(ctx, consent.WithdrawInput{ClientID: e.client, Purpose: consent.PurposeHealthData}); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("second withdrawal = %v", err)
	}
	// Both events went to the outbox, sealed, in their transactions.
	rows, err := NewOutboxStore(e.db).OutboxAll(ctx)
	if err != nil || len(rows) != 2 || rows[0].Kind != consent.OutboxGrant || rows[1].Kind != consent.OutboxWithdraw || rows[1].EntityID != w.ID {
		t.Fatalf("outbox = %+v, %v", rows, err)
	}
	if strings.Contains(string(rows[1].Payload), e.client) {
		t.Fatal("outbox payload is not sealed")
	}
	// The platform hears of its client by its own id, never this practice's.
	plain, err := e.keys.Open(OutboxPayloadAD(rows[1].ID), rows[1].Payload)
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal(plain, &payload); err != nil || payload["clientRef"] != testPlatformRef ||
		payload["purpose"] != "health-data" || payload["noticeVersion"] != "1" || strings.Contains(string(plain), e.client) {
		t.Fatalf("payload = %s %v", plain, err)
	}
	// A clinic-only client's consents stay here: the platform has no record of them.
	other := e.create(t, clients.Input{Name: "Ravi Menon", DateOfBirth: "1985-02-11"}).ID
	if _, err := e.consent.Grant(ctx, consent.GrantInput{ClientID: other, Purpose: consent.PurposeReminders, Method: consent.MethodCheckbox}); err != nil {
		t.Fatal(err)
	}
	if rows, _ := NewOutboxStore(e.db).OutboxAll(ctx); len(rows) != 2 {
		t.Fatalf("a clinic-only client's consent was queued: %d rows", len(rows))
	}
	// State and history.
	states, err := e.consent.State(ctx, e.client)
	if err != nil || states[0].Purpose != consent.PurposeHealthData || states[0].Status != consent.StatusWithdrawn || states[1].Status != consent.StatusNever {
		t.Fatalf("state = %+v, %v", states, err)
	}
	hist, err := e.consent.History(ctx, e.client)
	if err != nil || len(hist) != 2 {
		t.Fatalf("history = %d, %v", len(hist), err)
	}
	if n, err := e.consent.Verify(ctx); err != nil || n != 3 { // two events of Asha, one of Ravi
		t.Fatalf("verify = %d, %v", n, err)
	}
	// The notice shown is stored verbatim.
	n, err := NewConsentStore(e.db, nil).StoredNotice(ctx, g.NoticeID, g.NoticeVersion, "en")
	if cur, _ := consent.CurrentNotice(consent.PurposeHealthData, "en"); err != nil || n.Text != cur.Text || n.SHA256 != g.NoticeSHA256 {
		t.Fatalf("stored notice: %v", err)
	}
	// Audit: ids and codes only.
	var actions []string
	for _, a := range e.auditEntries(t) {
		actions = append(actions, string(a.Action))
		if strings.Contains(a.Detail, "Asha") {
			t.Fatalf("audit detail carries client data: %q", a.Detail)
		}
	}
	if s := strings.Join(actions, " "); !strings.Contains(s, "consent_granted") || !strings.Contains(s, "consent_withdrawn") {
		t.Fatalf("audit actions %s", s)
	}
}

func TestConsentGrantRules(t *testing.T) {
	e := newConsentEnv(t)
	ctx := context.Background()
	tests := []struct {
		name string
		in   consent.GrantInput
		code string
		msg  string
	}{
		{"no method", consent.GrantInput{Purpose: consent.PurposeHealthData}, apperr.Invalid, "method: consent needs a clear affirmative action"},
		{"implied consent", consent.GrantInput{Purpose: consent.PurposeHealthData, Method: "implied"}, apperr.Invalid, "method:"},
		{"unknown purpose", consent.GrantInput{Purpose: "marketing", Method: consent.MethodCheckbox}, apperr.Invalid, "purpose: must be one of"},
		{"bundled purposes", consent.GrantInput{Purpose: "health-data,recording", Method: consent.MethodCheckbox}, apperr.Invalid, "purpose:"},
		{"signature without signer", consent.GrantInput{Purpose: consent.PurposeRecording, Method: consent.MethodSignature}, apperr.Invalid, "signature: record who signed"},
		{"platform method at the clinic", consent.GrantInput{Purpose: consent.PurposeRecording, Method: consent.MethodPlatform, Source: consent.SourceClinic}, apperr.Invalid, "method: platform"},
		{"unknown language", consent.GrantInput{Purpose: consent.PurposeRecording, Method: consent.MethodCheckbox, Language: "fr"}, apperr.Invalid, "language"},
		{"future", consent.GrantInput{Purpose: consent.PurposeRecording, Method: consent.MethodCheckbox, GivenAt: e.now.Add(time.Hour)}, apperr.Invalid, "given at: a consent cannot be given in the future"},
		{"expiry before grant", consent.GrantInput{Purpose: consent.PurposeRecording, Method: consent.MethodCheckbox, ExpiresAt: e.now.Add(-time.Hour)}, apperr.Invalid, "expires at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.ClientID = e.client
			_, err := e.consent.Grant(ctx, tt.in)
			if apperr.CodeOf(err) != tt.code || !strings.HasPrefix(apperr.MessageOf(err), tt.msg) {
				t.Fatalf("grant = %v, want %s %q", err, tt.code, tt.msg)
			}
		})
	}
	_, err := e.consent.Grant(ctx, consent.GrantInput{ClientID: "0190a2b4-0000-7000-8000-000000000000", Purpose: consent.PurposeHealthData, Method: consent.MethodCheckbox})
	if apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("unknown client = %v", err)
	}
	if err := e.consent.Check(ctx, "0190a2b4-0000-7000-8000-000000000000", consent.PurposeHealthData); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("check unknown client = %v", err)
	}
	// Signature evidence is sealed; a Hindi notice is recorded as such.
	ev, err := e.consent.Grant(ctx, consent.GrantInput{ClientID: e.client, Purpose: consent.PurposeRecording,
		Method: consent.MethodSignature, Language: "hi", Evidence: consent.Evidence{SignedBy: "Asha Kumar", Note: "signed on paper"},
		ExpiresAt: e.now.Add(24 * time.Hour)})
	if err != nil || ev.NoticeLanguage != "hi" {
		t.Fatalf("signature grant = %+v, %v", ev.Row, err)
	}
	if strings.Contains(string(ev.Row.Evidence), "Asha") {
		t.Fatal("evidence stored in the clear")
	}
	// Expiry: the day after, recording is no longer consented.
	e.now = e.now.Add(25 * time.Hour)
	if err := e.consent.Check(ctx, e.client, consent.PurposeRecording); apperr.CodeOf(err) != apperr.ConsentRequired {
		t.Fatalf("expired consent = %v", err)
	}
}

// tamperConsent runs SQL as an attacker with the file would: triggers dropped first.
func tamperConsent(t *testing.T, db *DB, stmts ...string) {
	t.Helper()
	all := append([]string{`DROP TRIGGER IF EXISTS consent_events_no_update`, `DROP TRIGGER IF EXISTS consent_events_no_delete`}, stmts...)
	for _, s := range all {
		if _, err := db.sql.Exec(s); err != nil {
			t.Fatalf("tamper %q: %v", s, err)
		}
	}
}

func TestConsentLedgerTamperingIsDetected(t *testing.T) {
	tests := []struct {
		name  string
		stmts []string
		kind  error
	}{
		{"edited kind", []string{`UPDATE consent_events SET kind = 'withdraw', method = '' WHERE seq = 2`}, consent.ErrEdited},
		{"edited time", []string{`UPDATE consent_events SET at = '2020-01-01T00:00:00Z' WHERE seq = 3`}, consent.ErrEdited},
		{"edited expiry", []string{`UPDATE consent_events SET expires_at = '2099-01-01T00:00:00Z' WHERE seq = 1`}, consent.ErrEdited},
		{"deleted middle", []string{`DELETE FROM consent_events WHERE seq = 2`}, consent.ErrDeleted},
		{"reordered", []string{`UPDATE consent_events SET seq = 100 WHERE seq = 2`, `UPDATE consent_events SET seq = 2 WHERE seq = 3`,
			`UPDATE consent_events SET seq = 3 WHERE seq = 100`}, consent.ErrReordered},
		{"truncated", []string{`DELETE FROM consent_events WHERE seq = 4`}, consent.ErrTruncated},
		{"head deleted", []string{`DELETE FROM consent_head`}, consent.ErrHeadMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newConsentEnv(t)
			ctx := context.Background()
			for _, p := range []consent.Purpose{consent.PurposeHealthData, consent.PurposeReminders, consent.PurposeRecording, consent.PurposeCrossBorder} {
				e.grant(t, p)
			}
			if _, err := e.consent.Verify(ctx); err != nil {
				t.Fatal(err)
			}
			tamperConsent(t, e.db, tt.stmts...)
			_, err := e.consent.Verify(ctx)
			if apperr.CodeOf(err) != apperr.Integrity || !errors.Is(err, tt.kind) {
				t.Fatalf("verify = %v, want integrity %v", err, tt.kind)
			}
			// A damaged ledger is not extended.
			if tt.kind == consent.ErrTruncated || tt.kind == consent.ErrHeadMissing {
				if _, err := e.consent.Grant(ctx, consent.GrantInput{ClientID: e.client, Purpose: consent.PurposeTeleconsultation,
					Method: consent.MethodCheckbox}); apperr.CodeOf(err) != apperr.Integrity {
					t.Fatalf("grant on a damaged ledger = %v", err)
				}
			}
		})
	}
}

func TestConsentLedgerIsAppendOnlyInSchema(t *testing.T) {
	e := newConsentEnv(t)
	g := e.grant(t, consent.PurposeHealthData)
	for _, q := range []string{
		`UPDATE consent_events SET kind = 'withdraw', method = ''`,
		`UPDATE consent_events SET evidence = X'00'`,
		`DELETE FROM consent_events`,
		`UPDATE consent_notices SET text = 'changed'`,
		`DELETE FROM consent_notices`,
	} {
		if _, err := e.db.sql.Exec(q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
	// Rotation's re-seal (another key version, same plain columns) is let through.
	resealed := append([]byte{g.Row.Evidence[0]}, keyVersionBytes(99)...)
	resealed = append(resealed, g.Row.Evidence[5:]...)
	if _, err := e.db.sql.Exec(`UPDATE consent_events SET evidence = ? WHERE id = ?`, resealed, g.ID); err != nil {
		t.Fatalf("re-seal refused: %v", err)
	}
}
