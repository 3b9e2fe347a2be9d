package app

// Backup DTOs (see the comment at the top of backup.go for the methods).
// Instants are RFC 3339 UTC with fractional seconds, "" when unset.

// BackupSettingsDTO is Settings → Backups.
type BackupSettingsDTO struct {
	Folder      string `json:"folder"`   // absolute path; "" until chosen
	Schedule    string `json:"schedule"` // "off" | "daily" | "weekly"
	KeepDaily   int    `json:"keepDaily"`
	KeepWeekly  int    `json:"keepWeekly"`
	KeepMonthly int    `json:"keepMonthly"`
	Rev         int64  `json:"rev"`    // send back as read; 0 before the first save
	AtTime      string `json:"atTime"` // "HH:MM" in India time; "": the first time the app is open on a due day
}

// BackupResultDTO is a backup just written.
type BackupResultDTO struct {
	ID       string   `json:"id"`
	Path     string   `json:"path"`
	At       string   `json:"at"`
	Size     int64    `json:"sizeBytes"`
	SHA256   string   `json:"sha256"`
	Verified bool     `json:"verified"`
	Removed  []string `json:"removed"` // file names rotation deleted
	// Copy is how the upload to the backend in India went; a failure there
	// never fails the backup.
	Copy BackupCopyDTO `json:"copy"`
}

// BackupCopyDTO is one upload of a backup to the backend in India.
type BackupCopyDTO struct {
	State      string `json:"state"` // "uploaded" | "failed" | "not_enrolled"
	BackupID   string `json:"backupId"`
	UploadedAt string `json:"uploadedAt"` // the backend's time, when uploaded
	Attempts   int    `json:"attempts"`
	ErrorCode  string `json:"errorCode"` // when failed
	Message    string `json:"message"`   // when failed: what to do, no client data
}

// BackupDTO is one line of the backups log.
type BackupDTO struct {
	ID           string `json:"id"`
	At           string `json:"at"`
	Trigger      string `json:"trigger"` // "manual" | "schedule"
	Result       string `json:"result"`  // "ok" | "failed"
	ErrorCode    string `json:"errorCode"`
	Path         string `json:"path"`
	FileName     string `json:"fileName"`
	Size         int64  `json:"sizeBytes"`
	VerifiedAt   string `json:"verifiedAt"`
	VerifyResult string `json:"verifyResult"` // "" | "ok" | "failed"
	RemovedAt    string `json:"removedAt"`    // rotation deleted the file
	Present      bool   `json:"present"`      // the file is still where it was written
	Damaged      bool   `json:"damaged"`      // its log entry failed an integrity check
}

// BackupVerifyDTO is what a verification found.
type BackupVerifyDTO struct {
	ID                 string `json:"id"`
	CreatedAt          string `json:"createdAt"`
	SchemaVersion      int    `json:"schemaVersion"`
	Size               int64  `json:"sizeBytes"`
	SealedFieldsOpened int    `json:"sealedFieldsOpened"`
}

// BackupHealthDTO feeds the warning banner and Settings → Backups; it works
// while the vault is locked.
type BackupHealthDTO struct {
	LastBackupAt      string `json:"lastBackupAt"`
	LastVerifiedAt    string `json:"lastVerifiedAt"`
	Stale             bool   `json:"stale"`          // no verified backup for 7 days: show the warning
	IntegrityState    string `json:"integrityState"` // "running" | "ok" | "problems" | "failed"
	IntegrityMessage  string `json:"integrityMessage"`
	IntegrityProblems int    `json:"integrityProblems"`
	// The copy in India: uploaded after each backup while the profile is
	// connected to a backend (copyEnabled).
	CopyEnabled    bool   `json:"copyEnabled"`
	CopyUploadedAt string `json:"copyUploadedAt"` // the newest copy the backend stored; "": none
	CopyBackupID   string `json:"copyBackupId"`
	CopyFailedAt   string `json:"copyFailedAt"` // a later try that failed; "": none
	CopyErrorCode  string `json:"copyErrorCode"`
}

// RestorePreviewDTO describes a backup file before the recovery code is typed.
type RestorePreviewDTO struct {
	ID            string `json:"id"`
	CreatedAt     string `json:"createdAt"`
	SchemaVersion int    `json:"schemaVersion"`
	AppVersion    string `json:"appVersion"`
	Size          int64  `json:"sizeBytes"`
	NewerThanApp  bool   `json:"newerThanApp"` // update the app before restoring
}

// RestoreRequest restores a backup on a new computer with the recovery kit.
type RestoreRequest struct {
	Path           string `json:"path"`
	RecoveryCode   string `json:"recoveryCode"`
	NewPassphrase  string `json:"newPassphrase"`
	PassphraseOnly bool   `json:"passphraseOnly"`
}
