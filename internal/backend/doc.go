// Package backend is the reference implementation of the CalmAlly sync API
// (docs/sync-protocol.md): what the app talks to in tests, end-to-end runs
// and local demos. It is a small platform of its own — therapists, one-time
// enrolment codes, device tokens, bookings, matches, grievances and
// takedowns — kept in its own SQLite file, with an injected clock.
//
// # Promises
//
//   - The HTTP API follows docs/sync-protocol.md and docs/sync-openapi.yaml
//     to the letter; shapes come from internal/sync/wire only.
//   - A push is applied in one transaction: every mutation id above the
//     device's last processed id is applied or rejected exactly once, and
//     the rest are answered duplicate.
//   - Every change to an entity bumps its version and takes the next number
//     of one global change sequence; pull pages walk that sequence with an
//     opaque, validated cursor and give each entity's latest state.
//   - Device tokens are stored as SHA-256 only.
//   - Backup copies are stored as uploaded, only when their length and
//     SHA-256 match what the request declares, only in region IN, and only
//     ever shown to their own therapist; the backend cannot read them.
//   - Faults (latency, failed requests, connections dropped after a push
//     committed, duplicated or reversed pages) happen only when set, count
//     down deterministically, and are settable from Go and from /admin/.
//   - /admin/ answers only loopback callers that present the admin token.
//
// # Sections
//
//   - backend.go, schema.go, entities.go, errors.go: Open, options, the
//     database, entity versions and the change sequence, API errors.
//   - devices.go: enrolment codes, devices, tokens.
//   - push.go, apply_*.go: push and the business rules of each mutation.
//   - pull.go: pages and cursors.
//   - platform.go, seed.go: what the platform does on its own (admin API, demo data).
//   - backups.go, http_backups.go: backup copies (sealed files) and their endpoints.
//   - faults.go: fault injection.
//   - http.go, http_admin.go, server.go, tls.go: the HTTP face.
//   - backendtest: a running backend for other packages' tests.
//
// docs/backend.md lists the Go API, the admin endpoints and the command.
package backend
