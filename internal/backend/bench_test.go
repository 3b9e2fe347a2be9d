package backend

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

// BenchmarkPull10000Bookings measures the server side of DESIGN.md's
// target (10,000 bookings pulled on loopback in ≤ 3 s): every page over
// HTTPS, decoded with the app's envelope decoder, no engine.
func BenchmarkPull10000Bookings(b *testing.B) {
	be, err := Open(context.Background(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	if err := be.SeedBookings(context.Background(), 10000, time.Time{}); err != nil {
		b.Fatal(err)
	}
	srv, err := be.Start(ServerOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	code, _, _ := be.IssueEnrolmentCode(context.Background())
	dev, err := be.Enrol(context.Background(), wire.EnrolRequest{EnrolmentCode: code, DeviceName: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	c := srv.Client()
	get := func(url string) []byte {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set(wire.HeaderProtocol, "1")
		req.Header.Set("Authorization", "Bearer "+dev.Token)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return body
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n, cursor := 0, ""
		for {
			page, err := wire.DecodePullResponse(get(srv.URL() + "/v1/pull?limit=1000&cursor=" + cursor))
			if err != nil {
				b.Fatal(err)
			}
			n += len(page.Changes)
			cursor = page.Cursor
			if !page.More {
				break
			}
		}
		if n != 10000 {
			b.Fatalf("pulled %d", n)
		}
	}
}

// BenchmarkPushRoundTrip is one confirm pushed and its result read back
// over HTTPS (the "one change round trip ≤ 50 ms" target, server side).
func BenchmarkPushRoundTrip(b *testing.B) {
	be, err := Open(context.Background(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	srv, err := be.Start(ServerOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	code, _, _ := be.IssueEnrolmentCode(context.Background())
	dev, _ := be.Enrol(context.Background(), wire.EnrolRequest{EnrolmentCode: code, DeviceName: "bench"})
	c := srv.Client()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := `{"deviceId":"` + dev.DeviceID + `","mutations":[{"id":` + strconv.Itoa(i+1) +
			`,"kind":"availability.publish","entityId":"schedule","at":"2025-03-03T04:00:00Z","payload":{"version":1,"ruleSets":[]}}]}`
		req, _ := http.NewRequest("POST", srv.URL()+"/v1/push", strings.NewReader(body))
		req.Header.Set(wire.HeaderProtocol, "1")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+dev.Token)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
	}
}
