package backendtest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/calmally/practice/internal/backend"
	"github.com/calmally/practice/internal/sync/wire"
)

func TestStartServesOverTLSWithTheClock(t *testing.T) {
	var clock Clock
	env := Start(t, backend.Options{Now: clock.Now, Region: "SG"})
	clock.Advance(time.Hour)
	req, _ := http.NewRequest("GET", env.URL+"/v1/info", nil)
	req.Header.Set(wire.HeaderProtocol, "1")
	resp, err := env.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.TLS == nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	if got := env.Backend.Info(); got.Region != "SG" || !got.ServerTime.Equal(time.Date(2025, 3, 3, 5, 30, 0, 0, time.UTC)) {
		t.Fatalf("info %+v", got)
	}
	code := env.EnrolmentCode(t)
	if _, err := env.Backend.Enrol(context.Background(), wire.EnrolRequest{EnrolmentCode: code, DeviceName: "x"}); err != nil {
		t.Fatal(err)
	}
}
