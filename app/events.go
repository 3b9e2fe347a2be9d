package app

// Event names the Go side emits to the UI. The frontend mirrors them in
// frontend/src/api/events.ts; keep the two lists identical.
const (
	EventVaultLocked    = "vault:locked"    // payload LockedEvent
	EventVaultUnlocked  = "vault:unlocked"  // no payload
	EventRekeyProgress  = "rekey:progress"  // payload ProgressEvent
	EventRekeyDone      = "rekey:done"      // payload DoneEvent
	EventIntegrityError = "integrity:error" // payload MessageEvent
	EventExportProgress = "export:progress" // payload ProgressEvent
	EventExportDone     = "export:done"     // payload ExportDoneEvent
	EventSyncProgress   = "sync:progress"   // payload SyncProgressDTO
	EventSyncStatus     = "sync:status"     // payload SyncStatusDTO
)

// LockedEvent says why the vault locked: "idle", "user" or "exit".
type LockedEvent struct {
	Reason string `json:"reason"`
}

// ProgressEvent reports a long job's progress.
type ProgressEvent struct {
	Done  int `json:"done"`
	Total int `json:"total"`
}

// DoneEvent ends a long job; Error is empty on success.
type DoneEvent struct {
	Error string `json:"error"`
}

// MessageEvent carries a user-facing message (never client data).
type MessageEvent struct {
	Message string `json:"message"`
}
