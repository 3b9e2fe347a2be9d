package audit

import (
	"slices"
)

// Action is what happened. Its string form is stored, so existing values must
// never change meaning.
type Action string

// Vault and session actions.
const (
	ActionVaultCreated         Action = "vault_created"
	ActionUnlock               Action = "unlock"
	ActionUnlockFailed         Action = "unlock_failed"
	ActionLock                 Action = "lock"
	ActionPassphraseChanged    Action = "passphrase_changed"
	ActionKeychainReenrolled   Action = "keychain_reenrolled"
	ActionRecoveryUsed         Action = "recovery_used"
	ActionRecoveryCodeReplaced Action = "recovery_code_replaced"
	ActionDataKeyRotated       Action = "data_key_rotated"
	ActionIntegrityError       Action = "integrity_error"
)

// Record actions.
const (
	ActionView             Action = "view"
	ActionCreate           Action = "create"
	ActionEdit             Action = "edit"
	ActionSign             Action = "sign"
	ActionAddendum         Action = "addendum"
	ActionExport           Action = "export"
	ActionImport           Action = "import"
	ActionPrint            Action = "print"
	ActionDelete           Action = "delete"
	ActionConsentGranted   Action = "consent_granted"
	ActionConsentWithdrawn Action = "consent_withdrawn"
	ActionSearch           Action = "search"
	ActionBackup           Action = "backup"
	ActionRestore          Action = "restore"
	ActionRetentionPurge   Action = "retention_purge"
	ActionRightsRequest    Action = "rights_request"
	ActionSync             Action = "sync"
)

var allActions = func() []Action {
	a := []Action{
		ActionVaultCreated, ActionUnlock, ActionUnlockFailed, ActionLock,
		ActionPassphraseChanged, ActionKeychainReenrolled, ActionRecoveryUsed,
		ActionRecoveryCodeReplaced, ActionDataKeyRotated, ActionIntegrityError,
		ActionView, ActionCreate, ActionEdit, ActionSign, ActionAddendum,
		ActionExport, ActionImport, ActionPrint, ActionDelete,
		ActionConsentGranted, ActionConsentWithdrawn, ActionSearch,
		ActionBackup, ActionRestore, ActionRetentionPurge, ActionRightsRequest,
		ActionSync,
	}
	slices.Sort(a)
	return a
}()

// Actions lists every known action, sorted, for the UI's filter.
func Actions() []Action { return slices.Clone(allActions) }

// Valid reports whether a is a known action. Unknown actions are refused on
// write, so the trail only ever holds values the UI can name.
func (a Action) Valid() bool {
	_, ok := slices.BinarySearch(allActions, a)
	return ok
}
