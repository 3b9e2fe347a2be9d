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
