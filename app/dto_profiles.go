package app

// DTOs of the profile-management methods (app/profiles.go).

// ProfileEntryDTO is one practitioner's profile on this computer, as the
// picker shows it. The label is stored in the clear (it is shown before
// anyone unlocks): never a client's name.
type ProfileEntryDTO struct {
	ID      string `json:"id"` // the folder's slug; "_main" for the data folder itself
	Label   string `json:"label"`
	Legacy  bool   `json:"legacy"`  // the data folder itself (the first profile of an older install)
	Current bool   `json:"current"` // the one open now
}

// ProfileAddDTO names a new profile.
type ProfileAddDTO struct {
	Label string `json:"label"`
}

// RetainedCopyDTO is the encrypted copy that keeps a removed profile's
// records.
type RetainedCopyDTO struct {
	Kind     string `json:"kind"` // export | backup
	ID       string `json:"id"`
	At       string `json:"at"`   // RFC 3339 UTC
	Name     string `json:"name"` // the export's file name or the backup's path
	SHA256   string `json:"sha256"`
	Clients  int    `json:"clients"` // -1 for a backup (it holds the whole database)
	Withheld int    `json:"withheld"`
}

// RemovalDTO says whether the open profile may be removed now, and why not.
type RemovalDTO struct {
	Label       string           `json:"label"` // what the user must type to confirm
	Initialized bool             `json:"initialized"`
	Clients     int              `json:"clients"`
	KeepUntil   string           `json:"keepUntil"` // YYYY-MM-DD in India, "" without client records
	Copy        *RetainedCopyDTO `json:"copy"`
	CopyCurrent bool             `json:"copyCurrent"`
	Allowed     bool             `json:"allowed"`
	// Refusal: "needs_encrypted_copy" | "copy_out_of_date" | "" when allowed.
	Refusal string `json:"refusal"`
	Message string `json:"message"` // the rule in words, "" when allowed
}

// ProfileRemoveDTO confirms a removal by the profile's name.
type ProfileRemoveDTO struct {
	ConfirmLabel string `json:"confirmLabel"`
}

// RemovedDTO is what a removal did, and what opened next.
type RemovedDTO struct {
	Removal  RemovalDTO        `json:"removal"`
	Profiles []ProfileEntryDTO `json:"profiles"` // those left; the current one is open (locked)
	Status   StatusDTO         `json:"status"`
}

// PrivacyDTO is the usage-data choices kept on this computer.
type PrivacyDTO struct {
	Diagnostics string `json:"diagnostics"` // standard | minimal
}
