package vault

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"
)

// RecoveryKitPDF renders the recovery code as a printable one-page A4 PDF: the
// code in large monospace groups, a QR code of it, the creation date (in
// createdAt's location) and plain instructions. Everything is built in
// memory; nothing touches the disk. The code goes nowhere but the page: not
// into the PDF's metadata, where file browsers would show it.
func RecoveryKitPDF(code string, createdAt time.Time) ([]byte, error) {
	canonical, err := NormalizeRecoveryCode(code)
	if err != nil {
		return nil, fmt.Errorf("vault: recovery kit: %w", err)
	}
	if createdAt.IsZero() {
		return nil, errors.New("vault: recovery kit: no creation date")
	}
	qr, err := qrcode.Encode(canonical, qrcode.Medium, 512)
	if err != nil {
		return nil, fmt.Errorf("vault: recovery kit: draw qr code: %w", err)
	}

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false) // text stays searchable and testable; the page is small
	pdf.SetTitle("CalmAlly Practice recovery kit", true)
	pdf.SetCreator("CalmAlly Practice", true)
	pdf.SetCreationDate(createdAt)
	pdf.SetModificationDate(createdAt)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(false, 15)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // UTF-8 to the core fonts' cp1252
	pdf.AddPage()
	width, _ := pdf.GetPageSize()
	text := width - 40

	const (
		ink   = 40
		muted = 100
	)
	pdf.SetTextColor(ink, ink, ink)
	pdf.SetFont("Helvetica", "B", 22)
	pdf.CellFormat(text, 12, tr("CalmAlly Practice — Recovery kit"), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 11)
	pdf.SetTextColor(muted, muted, muted)
	pdf.CellFormat(text, 7, "Created on "+createdAt.Format("2 January 2006"), "", 1, "L", false, 0, "")
	pdf.Ln(8)

	// The code, in two lines of four groups, inside a calm box, with the QR
	// code beside it.
	top := pdf.GetY()
	const boxH, qrSize = 56.0, 50.0
	boxW := text - qrSize - 8
	pdf.SetDrawColor(180, 190, 200)
	pdf.SetFillColor(244, 247, 250)
	pdf.RoundedRect(20, top, boxW, boxH, 3, "1234", "FD")
	pdf.SetXY(26, top+6)
	pdf.SetTextColor(muted, muted, muted)
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(boxW-12, 6, "Your recovery code", "", 2, "L", false, 0, "")
	pdf.Ln(4)
	pdf.SetTextColor(ink, ink, ink)
	pdf.SetFont("Courier", "B", 20)
	groups := strings.Split(canonical, "-")
	half := len(groups) / 2
	for _, line := range []string{strings.Join(groups[:half], "-"), strings.Join(groups[half:], "-")} {
		pdf.SetX(26)
		pdf.CellFormat(boxW-12, 12, line, "", 2, "L", false, 0, "")
	}

	pdf.RegisterImageOptionsReader("recovery-qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(qr))
	pdf.ImageOptions("recovery-qr", 20+text-qrSize, top+(boxH-qrSize)/2, qrSize, qrSize, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetY(top + boxH + 10)

	sections := []struct{ title, body string }{
		{"What this is", "This code unlocks your CalmAlly Practice records if you forget your passphrase or replace this computer. " +
			"It is shown only once, when it is made, and is not stored anywhere: CalmAlly cannot look it up or send it to you again."},
		{"Keep it offline, somewhere safe", "Print this page and keep it where you keep important papers, such as a locked drawer at home. " +
			"Do not photograph it, email it, or save it in cloud storage or on this computer."},
		{"Who can use it", "Anyone who holds this code and a copy of your CalmAlly data folder can read your clients' records. " +
			"Treat it like the key to your filing cabinet."},
		{"How to use it", "In CalmAlly Practice, choose \"Forgot passphrase?\" (or, on a new computer, \"Restore with recovery kit\"), " +
			"then type the code or scan the QR code. Capital letters, spaces and dashes don't matter. You will then choose a new passphrase."},
		{"If you make a new kit", "Creating a new recovery kit makes this one stop working. Destroy the old page."},
	}
	for _, s := range sections {
		pdf.SetFont("Helvetica", "B", 12)
		pdf.SetTextColor(ink, ink, ink)
		pdf.CellFormat(text, 7, tr(s.title), "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 11)
		pdf.SetTextColor(60, 60, 60)
		pdf.MultiCell(text, 5.5, tr(s.body), "", "L", false)
		pdf.Ln(4)
	}

	_, height := pdf.GetPageSize()
	pdf.SetY(height - 20)
	pdf.SetFont("Helvetica", "", 9)
	pdf.SetTextColor(muted, muted, muted)
	pdf.CellFormat(text, 5, tr("CalmAlly Practice · Recovery kit · keep offline"), "", 0, "C", false, 0, "")

	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("vault: recovery kit: render pdf: %w", err)
	}
	return out.Bytes(), nil
}
