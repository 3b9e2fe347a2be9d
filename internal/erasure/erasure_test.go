package erasure

import (
	"strings"
	"testing"
)

func TestCertificateHashAndText(t *testing.T) {
	c := Certificate{Version: 1, ID: "cert", Kind: KindErasure, ClientID: "client", ErasedAt: "2024-03-01T06:00:00Z",
		IssuedBy: "practitioner", Method: method, HoldUntil: "2031-03-01T06:00:00Z", LastActivity: "2024-03-01T06:00:00Z",
		Erased:   []Erased{{Category: "contact_details", Table: TableClients, Columns: ErasableClientColumns, Count: 1}},
		Retained: []Retained{{Category: "health_information", What: "notes", Count: 3, Basis: []Basis{basisMHCA}, HoldUntil: "2031-03-01T06:00:00Z"}}}
	if err := c.seal(); err != nil {
		t.Fatal(err)
	}
	got, err := Parse(c.Body, c.SHA256)
	if err != nil || got.ID != "cert" || got.Retained[0].Basis[0].Section != "s.25" {
		t.Fatalf("parse = %+v %v", got, err)
	}
	tampered := strings.Replace(string(c.Body), "2031", "2024", 1)
	if _, err := Parse([]byte(tampered), c.SHA256); err == nil {
		t.Fatal("a tampered certificate parsed")
	}
	txt := c.Text()
	for _, want := range []string{"ERASURE CERTIFICATE", "contact_details: 1 row(s) of clients", "Mental Healthcare Act 2017, s.25", c.SHA256} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks %q:\n%s", want, txt)
		}
	}
}

func TestStripHistory(t *testing.T) {
	in := `{"client":"c","rev":1,"values":{"email":"a@b.in","phone":"+91","name":"Old Name"}}`
	out, changed, err := stripHistory([]byte(in), ErasableClientColumns)
	if err != nil || !changed || strings.Contains(string(out), "a@b.in") || strings.Contains(string(out), "+91") ||
		!strings.Contains(string(out), "Old Name") || !strings.Contains(string(out), `"client":"c"`) {
		t.Fatalf("strip = %s %v %v", out, changed, err)
	}
	if _, changed, _ := stripHistory([]byte(`{"client":"c","rev":1,"status":"active"}`), ErasableClientColumns); changed {
		t.Fatal("a status-only history row reported a change")
	}
}
