package sync

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/calmally/practice/internal/apperr"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync/wire"
	"github.com/calmally/practice/internal/vault"
)

// Local park reasons (the backend's rejection codes are kept as they come).
const (
	ParkIntegrity       = "integrity"        // the payload did not open or is not JSON: never push garbage
	ParkUnknownKind     = "unknown_kind"     // a kind this protocol version does not know
	ParkConsentRequired = "consent_required" // outside India, and the client's cross-border consent is not in force
)

// push sends the due outbox rows in mutation-id order, in batches of at most
// wire.MaxPushBatch, until none are due.
func (e *Engine) push(ctx context.Context, r *round) error {
	if c, err := e.cfg.Store.Counts(ctx); err == nil {
		r.total = c.Pending
	}
	e.progress(r, PhasePush)
	for {
		rows, err := e.cfg.Store.PushQueue(ctx, e.now(), wire.MaxPushBatch)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		batch, sent, parked, err := e.prepare(ctx, r, rows)
		if err != nil {
			return err
		}
		if len(parked) > 0 && len(sent) == 0 {
			// Everything in this batch was held back locally: settle and go on.
			if err := e.cfg.Store.SettlePush(ctx, nil, parked); err != nil {
				return err
			}
			r.sum.Parked += len(parked)
			continue
		}
		resp, err := e.cfg.Transport.Push(ctx, r.token, wire.PushRequest{DeviceID: r.deviceID, Mutations: batch})
		if err != nil {
			// Local parks stand whatever the backend said.
			if len(parked) > 0 {
				if perr := e.cfg.Store.SettlePush(context.WithoutCancel(ctx), nil, parked); perr != nil {
					return perr
				}
				r.sum.Parked += len(parked)
			}
			return e.pushFailed(ctx, sent, err)
		}
		var acked []string
		for i, res := range resp.Results {
			switch res.Status {
			case wire.ResultApplied, wire.ResultDuplicate:
				acked = append(acked, sent[i].ID)
			case wire.ResultRejected:
				parked = append(parked, store.Park{ID: sent[i].ID, Reason: res.Code})
			}
		}
		// The backend has processed the batch: record it even if ctx ended
		// meanwhile, so the next round does not depend on "duplicate".
		if err := e.cfg.Store.SettlePush(context.WithoutCancel(ctx), acked, parked); err != nil {
			return err
		}
		r.sum.Pushed += len(acked)
		r.sum.Parked += len(parked)
		e.progress(r, PhasePush)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// prepare opens each row's payload and applies the local rules, returning
// the mutations to send (with their rows, in order) and the rows to park.
func (e *Engine) prepare(ctx context.Context, r *round, rows []store.OutboxRow) ([]wire.Mutation, []store.OutboxRow, []store.Park, error) {
	var batch []wire.Mutation
	var sent []store.OutboxRow
	var parked []store.Park
	for _, row := range rows {
		m, reason, err := e.mutation(ctx, r, row)
		if err != nil {
			return nil, nil, nil, err
		}
		if reason != "" {
			e.cfg.Logger.Warn("sync: mutation held back", "mutation", row.MutationID, "kind", row.Kind, "reason", reason)
			parked = append(parked, store.Park{ID: row.ID, Reason: reason})
			continue
		}
		batch = append(batch, m)
		sent = append(sent, row)
	}
	return batch, sent, parked, nil
}

// mutation turns a row into what is sent, or names why it must be parked.
func (e *Engine) mutation(ctx context.Context, r *round, row store.OutboxRow) (wire.Mutation, string, error) {
	if !wire.KnownKind(row.Kind) {
		return wire.Mutation{}, ParkUnknownKind, nil
	}
	plain, err := r.sealer.Open(store.OutboxPayloadAD(row.ID), row.Payload)
	if err != nil {
		if errors.Is(err, vault.ErrLocked) {
			return wire.Mutation{}, "", err
		}
		return wire.Mutation{}, ParkIntegrity, nil
	}
	var payload map[string]any
	if err := json.Unmarshal(plain, &payload); err != nil || payload == nil {
		return wire.Mutation{}, ParkIntegrity, nil
	}
	m := wire.Mutation{ID: row.MutationID, Kind: row.Kind, EntityID: row.EntityID, At: row.CreatedAt.UTC(), Payload: payload}
	if r.crossBorder {
		client, err := e.cfg.ClientOf(ctx, m)
		if err != nil {
			return wire.Mutation{}, "", err
		}
		if client != "" {
			if err := e.cfg.CrossBorder(ctx, client); err != nil {
				if apperr.CodeOf(err) != apperr.ConsentRequired {
					return wire.Mutation{}, "", err
				}
				return wire.Mutation{}, ParkConsentRequired, nil
			}
		}
	}
	return m, "", nil
}

// pushFailed reschedules the batch after a failure the backend or the
// network may get over, and returns err. A refused token or a too-old app
// leaves the rows due: nothing about them was wrong.
func (e *Engine) pushFailed(ctx context.Context, sent []store.OutboxRow, err error) error {
	se, ok := AsError(err)
	if !ok || len(sent) == 0 {
		return err
	}
	switch StateFor(se.Code) {
	case StateNeedsEnrolment, StateUpdateNeeded:
		return err
	}
	if se.Status == 403 {
		return err
	}
	attempt := sent[0].Attempts + 1
	next := e.now().Add(Backoff(attempt, se.RetryAfter, e.cfg.Rand()))
	ids := make([]string, len(sent))
	for i, row := range sent {
		ids[i] = row.ID
	}
	if rerr := e.cfg.Store.RetryPush(context.WithoutCancel(ctx), ids, next); rerr != nil {
		return rerr
	}
	e.cfg.Logger.Warn("sync: push failed; retrying later", "code", se.Code, "status", se.Status,
		"attempt", attempt, "next", next)
	return err
}
