package app

// DTOs are the shapes the UI sees; json tags are the contract with
// frontend/src/api/. They carry no behaviour.

// VersionDTO identifies the running build.
type VersionDTO struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	DataDir string `json:"dataDir"`
}

// StatusDTO tells the UI which screen to show.
type StatusDTO struct {
	Initialized        bool   `json:"initialized"`
	Locked             bool   `json:"locked"`
	KeychainAvailable  bool   `json:"keychainAvailable"`
	KeychainProblem    string `json:"keychainProblem"`
	PassphraseOnly     bool   `json:"passphraseOnly"`
	AutoLockMinutes    int    `json:"autoLockMinutes"`
	UnlockDelaySeconds int    `json:"unlockDelaySeconds"`
}

// StrengthDTO is the passphrase meter's reading.
type StrengthDTO struct {
	Score       int      `json:"score"`
	Acceptable  bool     `json:"acceptable"`
	Warning     string   `json:"warning"`
	Suggestions []string `json:"suggestions"`
	CrackTime   string   `json:"crackTime"`
}

// CreateVaultRequest starts onboarding.
type CreateVaultRequest struct {
	Passphrase     string `json:"passphrase"`
	PassphraseOnly bool   `json:"passphraseOnly"`
}

// CreateVaultDTO is shown once: the recovery code and its printable kit.
type CreateVaultDTO struct {
	RecoveryCode   string `json:"recoveryCode"`
	RecoveryKitPDF string `json:"recoveryKitPDF"` // base64
}

// RecoverRequest unlocks with the recovery kit and sets a new passphrase.
type RecoverRequest struct {
	RecoveryCode   string `json:"recoveryCode"`
	NewPassphrase  string `json:"newPassphrase"`
	PassphraseOnly bool   `json:"passphraseOnly"`
}

// ChangePassphraseRequest replaces the passphrase.
type ChangePassphraseRequest struct {
	Current string `json:"current"`
	Next    string `json:"next"`
}

// AuditFilterDTO selects audit entries; dates are YYYY-MM-DD or "".
type AuditFilterDTO struct {
	Action   string `json:"action"`
	RecordID string `json:"recordId"`
	From     string `json:"from"`
	To       string `json:"to"`
	Offset   int    `json:"offset"`
	Limit    int    `json:"limit"`
}

// AuditEntryDTO is one audit entry.
type AuditEntryDTO struct {
	Seq        int64  `json:"seq"`
	At         string `json:"at"`
	Actor      string `json:"actor"`
	Action     string `json:"action"`
	RecordType string `json:"recordType"`
	RecordID   string `json:"recordId"`
	Detail     string `json:"detail"`
}

// AuditPageDTO is one page of entries and the total matching.
type AuditPageDTO struct {
	Entries []AuditEntryDTO `json:"entries"`
	Total   int             `json:"total"`
}

// AuditVerifyDTO is the result of checking the chain.
type AuditVerifyDTO struct {
	OK      bool   `json:"ok"`
	Entries int64  `json:"entries"`
	Problem string `json:"problem"`
}
