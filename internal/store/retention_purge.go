package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/erasure"
	"github.com/calmally/practice/internal/retention"
)

// What a retention run deletes, in one transaction per client: the whole
// record of a client whose health information is 7 years past the last
// interaction (under a 'retention' purge authorization, migration 0014), or
// only the contact details of a client discharged more than 30 days ago (the
// erasure engine's contact-only option). Both re-read the client's facts in
// their transaction and refuse (conflict) when the client is now held or the
// fact the clock ran from has moved since the plan was made.

var _ erasure.ContactStore = (*RetentionStore)(nil)

// RetentionPurgeInput names a client due for deletion as planned.
type RetentionPurgeInput struct {
	ClientID string
	Basis    time.Time // the fact the plan's clock ran from (retention.HealthBasis)
	AsOf     time.Time
}

// RetentionPurged is what a purge deleted: table → row ids, in deletion order.
type RetentionPurged struct {
	ClientID string
	Tables   []PurgedTable
}

// PurgedTable is the ids deleted from one table.
type PurgedTable struct {
	Table string
	IDs   []string
}

// IDs returns the ids deleted from table.
func (p RetentionPurged) IDs(table string) []string {
	for _, t := range p.Tables {
		if t.Table == table {
			return t.IDs
		}
	}
	return nil
}

var errHeldNow = apperr.New(apperr.Conflict, "the client is on hold now; nothing was deleted")
var errMovedSincePlan = apperr.New(apperr.Conflict, "the client had a new interaction since the plan was made; nothing was deleted")

// purgeSteps delete a client's rows child-first. select lists the ids a step
// deletes ("" for a step that only unlinks); ?1 is the client id.
var purgeSteps = []struct{ table, sel, del string }{
	{"outbox", `SELECT id FROM outbox WHERE entity_id = ?1 OR entity_id IN (SELECT id FROM bookings WHERE client_id = ?1)
		OR entity_id IN (SELECT id FROM consent_events WHERE client_id = ?1) OR entity_id IN (SELECT id FROM notes WHERE client_id = ?1)
		OR entity_id IN (SELECT id FROM rights_requests WHERE client_id = ?1) OR entity_id IN (SELECT id FROM matches WHERE client_id = ?1)`,
		`DELETE FROM outbox WHERE entity_id = ?1 OR entity_id IN (SELECT id FROM bookings WHERE client_id = ?1)
		OR entity_id IN (SELECT id FROM consent_events WHERE client_id = ?1) OR entity_id IN (SELECT id FROM notes WHERE client_id = ?1)
		OR entity_id IN (SELECT id FROM rights_requests WHERE client_id = ?1) OR entity_id IN (SELECT id FROM matches WHERE client_id = ?1)`},
	{"note_addenda", `SELECT id FROM note_addenda WHERE note_id IN (SELECT id FROM notes WHERE client_id = ?1) ORDER BY id`,
		`DELETE FROM note_addenda WHERE note_id IN (SELECT id FROM notes WHERE client_id = ?1)`},
	{"note_summaries", `SELECT id FROM note_summaries WHERE client_id = ?1 OR note_id IN (SELECT id FROM notes WHERE client_id = ?1) ORDER BY id`,
		`DELETE FROM note_summaries WHERE client_id = ?1 OR note_id IN (SELECT id FROM notes WHERE client_id = ?1)`},
	{"notes", `SELECT id FROM notes WHERE client_id = ?1 ORDER BY id`, `DELETE FROM notes WHERE client_id = ?1`},
	{"", "", `UPDATE bookings SET rescheduled_from = NULL WHERE rescheduled_from IN (SELECT id FROM bookings WHERE client_id = ?1)`},
	{"", "", `UPDATE bookings SET rescheduled_to = NULL WHERE rescheduled_to IN (SELECT id FROM bookings WHERE client_id = ?1)`},
	{"bookings", `SELECT id FROM bookings WHERE client_id = ?1 ORDER BY id`, `DELETE FROM bookings WHERE client_id = ?1`},
	{"matches", `SELECT id FROM matches WHERE client_id = ?1 ORDER BY id`, `DELETE FROM matches WHERE client_id = ?1`},
	{"consent_events", `SELECT id FROM consent_events WHERE client_id = ?1 ORDER BY seq`, `DELETE FROM consent_events WHERE client_id = ?1`},
	{"rights_requests", `SELECT id FROM rights_requests WHERE client_id = ?1 ORDER BY id`, `DELETE FROM rights_requests WHERE client_id = ?1`},
	{"erasure_holds", `SELECT client_id FROM erasure_holds WHERE client_id = ?1`, `DELETE FROM erasure_holds WHERE client_id = ?1`},
	{"exports", `SELECT id FROM exports WHERE client_id = ?1 ORDER BY id`, `DELETE FROM exports WHERE client_id = ?1`},
	{"legal_holds", `SELECT id FROM legal_holds WHERE client_id = ?1 ORDER BY id`, `DELETE FROM legal_holds WHERE client_id = ?1`},
	{"platform_clients", `SELECT platform_ref FROM platform_clients WHERE client_id = ?1`, `DELETE FROM platform_clients WHERE client_id = ?1`},
	{"client_history", `SELECT id FROM client_history WHERE client_id = ?1 ORDER BY rev`, `DELETE FROM client_history WHERE client_id = ?1`},
	{"clients", `SELECT id FROM clients WHERE id = ?1`, `DELETE FROM clients WHERE id = ?1`},
}

// PurgeClient deletes every row of a client whose health information is due
// (as planned in in), re-chains the consent ledger over what remains, and
// appends the audit entries entries makes from what was deleted — all in one
// transaction. The caller checkpoints (and vacuums) afterwards.
func (s *RetentionStore) PurgeClient(ctx context.Context, in RetentionPurgeInput,
	entries func(RetentionPurged) ([]audit.Entry, error)) (RetentionPurged, error) {
	out := RetentionPurged{ClientID: in.ClientID}
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		f, err := clientFactsTx(ctx, tx, in.ClientID)
		if err != nil {
			return err
		}
		if retention.HoldOf(f, in.AsOf) != "" {
			return errHeldNow
		}
		if !retention.HealthBasis(f).Equal(in.Basis.UTC()) || in.AsOf.Before(retention.HealthDue(f)) {
			return errMovedSincePlan
		}
		if err := authorizeTx(ctx, tx, in.ClientID, "retention", "", in.AsOf); err != nil {
			return err
		}
		for _, st := range purgeSteps {
			if st.sel != "" {
				ids, err := sealedIDsTx(ctx, tx, st.sel, in.ClientID)
				if err != nil {
					return err
				}
				if len(ids) > 0 {
					out.Tables = append(out.Tables, PurgedTable{Table: st.table, IDs: ids})
				}
			}
			if _, err := tx.ExecContext(ctx, st.del, in.ClientID); err != nil {
				return fmt.Errorf("store: retention purge %s: %w", st.table, err)
			}
		}
		if len(out.IDs("consent_events")) > 0 {
			cc, err := s.consent()
			if err != nil {
				return err
			}
			if err := relinkConsentTx(ctx, tx, cc); err != nil {
				return err
			}
		}
		if err := revokeTx(ctx, tx, in.ClientID); err != nil {
			return err
		}
		es, err := entries(out)
		if err != nil {
			return err
		}
		for _, e := range es {
			if _, err := AppendAuditTx(ctx, tx, chain, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return RetentionPurged{}, err
	}
	return out, nil
}

// ApplyContact writes a contact-only erasure (erasure.ContactStore): the
// client row under its next revision with every sealed column, the stripped
// history rows, the time the contact details were wiped, and e.
func (s *RetentionStore) ApplyContact(ctx context.Context, p erasure.ContactPlan, e audit.Entry) error {
	err := s.tx(ctx, func(tx *sql.Tx, chain *audit.Chain) error {
		f, err := clientFactsTx(ctx, tx, p.ClientID)
		if err != nil {
			return err
		}
		if retention.HoldOf(f, p.UpdatedAt) != "" {
			return errHeldNow
		}
		sets := []string{"rev = ?", "updated_at = ?", "contact_erased_at = ?"}
		args := []any{p.Client.Rev, formatClientTime(p.UpdatedAt), formatClientTime(p.UpdatedAt)}
		for _, c := range clientSealed {
			env, ok := p.Client.Columns[c]
			if !ok {
				return fmt.Errorf("store: erase contact details: sealed column %s missing", c)
			}
			sets, args = append(sets, c+" = ?"), append(args, env)
		}
		args = append(args, p.Client.ID, p.Client.Rev-1)
		if err := execOne(ctx, tx, "client", `UPDATE clients SET `+strings.Join(sets, ", ")+` WHERE id = ? AND rev = ?`, args...); err != nil {
			return err
		}
		for _, h := range p.History {
			if err := execOne(ctx, tx, "client history", `UPDATE client_history SET previous = ? WHERE id = ? AND rev = ? AND client_id = ?`,
				h.Envelope, h.RowID, h.Rev, p.ClientID); err != nil {
				return err
			}
		}
		_, err = AppendAuditTx(ctx, tx, chain, e)
		return err
	})
	if err != nil {
		return err
	}
	return s.db.Checkpoint(ctx)
}
