package app

// Consent, rights-request and erasure DTOs (see app/consent.go for the
// methods and the JSON shapes).

// ConsentNoticeDTO is the notice a client reads before consenting.
type ConsentNoticeDTO struct {
	ID       string `json:"id"`
	Version  int    `json:"version"`
	Language string `json:"language"`
	Purpose  string `json:"purpose"`
	Title    string `json:"title"`
	Text     string `json:"text"`
	SHA256   string `json:"sha256"`
}

// ConsentEventDTO is one ledger event.
type ConsentEventDTO struct {
	ID             string   `json:"id"`
	Seq            int64    `json:"seq"`
	ClientID       string   `json:"clientId"`
	Purpose        string   `json:"purpose"`
	Kind           string   `json:"kind"`
	Method         string   `json:"method"`
	Channel        string   `json:"channel"`
	Source         string   `json:"source"`
	At             string   `json:"at"`
	ExpiresAt      string   `json:"expiresAt"`
	RecordedAt     string   `json:"recordedAt"`
	CapturedBy     string   `json:"capturedBy"`
	NoticeID       string   `json:"noticeId"`
	NoticeVersion  int      `json:"noticeVersion"`
	NoticeLanguage string   `json:"noticeLanguage"`
	NoticeSHA256   string   `json:"noticeSha256"`
	Categories     []string `json:"categories"`
	SignedBy       string   `json:"signedBy"`
	Note           string   `json:"note"`
}

// ConsentStateDTO is one purpose's derived state.
type ConsentStateDTO struct {
	Purpose string             `json:"purpose"`
	Status  string             `json:"status"`
	Event   *ConsentEventDTO   `json:"event"`
	Notice  ConsentNoticeDTO   `json:"notice"`
	Notices []ConsentNoticeDTO `json:"notices"`
	// RenewalVersion, when not 0, is the material notice version that
	// replaced the one this consent was given under: ask the client again.
	RenewalVersion int `json:"renewalVersion"`
}

// ConsentGrantDTO records one consent.
type ConsentGrantDTO struct {
	ClientID  string `json:"clientId"`
	Purpose   string `json:"purpose"`
	Method    string `json:"method"`
	Language  string `json:"language"`
	ExpiresAt string `json:"expiresAt"`
	SignedBy  string `json:"signedBy"`
	Note      string `json:"note"`
}

// ConsentWithdrawDTO records one withdrawal.
type ConsentWithdrawDTO struct {
	ClientID string `json:"clientId"`
	Purpose  string `json:"purpose"`
	Channel  string `json:"channel"`
	Note     string `json:"note"`
}

// ConsentReceiptDTO is a receipt document.
type ConsentReceiptDTO struct {
	EventID     string `json:"eventId"`
	Format      string `json:"format"`
	ContentType string `json:"contentType"`
	FileName    string `json:"fileName"`
	JSON        string `json:"json"`
}

// RightsFilterDTO selects rights requests; view "" | "overdue" | "due_this_week".
type RightsFilterDTO struct {
	ClientID string `json:"clientId"`
	Status   string `json:"status"`
	Kind     string `json:"kind"`
	OpenOnly bool   `json:"openOnly"`
	View     string `json:"view"`
}

// RightsRequestDTO is one rights request.
type RightsRequestDTO struct {
	ID                 string `json:"id"`
	ClientID           string `json:"clientId"`
	Kind               string `json:"kind"`
	Source             string `json:"source"`
	Status             string `json:"status"`
	Purpose            string `json:"purpose"`
	PlatformRef        string `json:"platformRef"`
	ReceivedAt         string `json:"receivedAt"`
	VerificationMethod string `json:"verificationMethod"`
	VerifiedBy         string `json:"verifiedBy"`
	VerifiedAt         string `json:"verifiedAt"`
	DueAt              string `json:"dueAt"`
	Overdue            bool   `json:"overdue"`
	DueThisWeek        bool   `json:"dueThisWeek"`
	ClosedAt           string `json:"closedAt"`
	RefusalReason      string `json:"refusalReason"`
	OutcomeRef         string `json:"outcomeRef"`
	CertificateID      string `json:"certificateId"`
	Details            string `json:"details"`
}

// RightsCreateDTO enters a request received at the clinic.
type RightsCreateDTO struct {
	ClientID string `json:"clientId"`
	Kind     string `json:"kind"`
	Purpose  string `json:"purpose"`
	Details  string `json:"details"`
}

// RightsVerifyDTO records how identity was verified.
type RightsVerifyDTO struct {
	ID     string `json:"id"`
	Method string `json:"method"`
}

// RightsFulfilDTO fulfils a request; Correction is required for correction
// requests (the whole corrected profile, as for ClientUpdate).
type RightsFulfilDTO struct {
	ID         string           `json:"id"`
	Correction *ClientUpdateDTO `json:"correction"`
	// Access fulfils an access request: the client's export bundle, written
	// to Access.Path (clientId and all are ignored: it is the request's client).
	Access *ExportStartDTO `json:"access"`
}

// RightsRefuseDTO refuses with a reason code.
type RightsRefuseDTO struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// ErasureCertificateDTO is a certificate in both forms.
type ErasureCertificateDTO struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	ClientID  string `json:"clientId"`
	RequestID string `json:"requestId"`
	ErasedAt  string `json:"erasedAt"`
	HoldUntil string `json:"holdUntil"`
	SHA256    string `json:"sha256"`
	JSON      string `json:"json"`
	Text      string `json:"text"`
}
