package backend

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/calmally/practice/internal/sync/wire"
)

func addBookings(t *testing.T, b *Backend, n int) []wire.Booking {
	t.Helper()
	var out []wire.Booking
	start := b.Now().Add(24 * time.Hour)
	for i := 0; i < n; i++ {
		s := start.Add(time.Duration(i) * time.Hour)
		bk, err := b.PutBooking(context.Background(), wire.Booking{Start: s, End: s.Add(50 * time.Minute), ClientLabel: "Client"})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, bk)
	}
	return out
}

func TestPullPagesWalkTheSequenceOnceEach(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	dev, _ := enrol(t, b)
	bookings := addBookings(t, b, 25)

	var pages []wire.PullResponse
	cursor := ""
	for {
		p, err := b.Pull(ctx, dev, cursor, 10)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
		cursor = p.Cursor
		if !p.More {
			break
		}
	}
	if len(pages) != 3 || len(pages[0].Changes) != 10 || len(pages[2].Changes) != 5 {
		t.Fatalf("%d pages: %d, ..., %d changes", len(pages), len(pages[0].Changes), len(pages[len(pages)-1].Changes))
	}
	seen := map[string]bool{}
	for _, p := range pages {
		for _, c := range p.Changes {
			if seen[c.ID] {
				t.Fatalf("%s sent twice", c.ID)
			}
			seen[c.ID] = true
		}
	}
	if len(seen) != 25 || pages[0].Changes[0].ID != bookings[0].ID {
		t.Fatalf("saw %d bookings, first %s", len(seen), pages[0].Changes[0].ID)
	}

	// Nothing new: the same cursor comes back, with no changes.
	p, err := b.Pull(ctx, dev, cursor, 10)
	if err != nil || len(p.Changes) != 0 || p.More || p.Cursor != cursor {
		t.Fatalf("idle pull: %+v (%v)", p, err)
	}

	// Three changes to one booking and a deletion of another: each appears
	// once, in its latest state; the tombstone has no data.
	for _, s := range []string{"confirmed", "cancelled_by_client"} {
		if _, err := b.UpdateBooking(ctx, bookings[3].ID, s, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.UpdateBooking(ctx, bookings[3].ID, "", "refunded"); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteEntity(ctx, wire.TypeBooking, bookings[7].ID); err != nil {
		t.Fatal(err)
	}
	p, err = b.Pull(ctx, dev, cursor, 10)
	if err != nil || len(p.Changes) != 2 || p.More {
		t.Fatalf("pull after changes: %+v (%v)", p, err)
	}
	changed, gone := p.Changes[0], p.Changes[1]
	bk, err := wire.DecodeBooking(changed)
	if err != nil || changed.Version != 4 || bk.Status != "cancelled_by_client" || bk.PaymentStatus != "refunded" {
		t.Fatalf("changed booking v%d %+v (%v)", changed.Version, bk, err)
	}
	if !gone.Deleted || gone.Data != nil || gone.Version != 2 || gone.ID != bookings[7].ID {
		t.Fatalf("tombstone %+v", gone)
	}
	// From the start, the deleted booking is still reported (as a tombstone).
	all := latest(pullAll(t, b, dev, 1000))
	if len(all) != 25 || !all[wire.TypeBooking+"/"+bookings[7].ID].Deleted {
		t.Fatalf("full pull: %d entities", len(all))
	}
}

func TestPullIsPerTherapist(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	otherID, err := b.AddTherapist(ctx, "Dr Other")
	if err != nil {
		t.Fatal(err)
	}
	other := b.ForTherapist(otherID)
	addBookings(t, b, 2)
	addBookings(t, other, 3)
	dev, _ := enrol(t, b)
	otherDev, _ := enrol(t, other)
	if n := len(pullAll(t, b, dev, 100)); n != 2 {
		t.Fatalf("first therapist sees %d changes", n)
	}
	if n := len(pullAll(t, b, otherDev, 100)); n != 3 {
		t.Fatalf("second therapist sees %d changes", n)
	}
	bk := addBookings(t, b, 1)[0]
	if _, err := other.UpdateBooking(ctx, bk.ID, "confirmed", ""); !IsNotFound(err) {
		t.Fatalf("another therapist's booking: %v", err)
	}
}

func TestPullRefusesBadCursorsAndLimits(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	dev, _ := enrol(t, b)
	addBookings(t, b, 12)
	good := cursor{seq: 10, prev: 0}.String()
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	if _, err := b.Pull(ctx, dev, enc("v1.10.0"), 1); err != nil {
		t.Fatalf("the unpadded form of the padded case below: %v", err)
	}
	if _, err := b.Pull(ctx, dev, good, 1); err != nil {
		t.Fatalf("a cursor we made: %v", err)
	}
	for name, c := range map[string]string{
		"not base64":     "!!!",
		"padded":         base64.URLEncoding.EncodeToString([]byte("v1.10.0")), // valid but for the padding
		"other version":  enc("v2.1.0"),
		"beyond the end": enc("v1.99.0"),
		"leading zero":   enc("v1.01.0"),
		"prev after seq": enc("v1.1.2"),
		"negative":       enc("v1.-1.-1"),
		"two parts":      enc("v1.1"),
		"too long":       strings.Repeat("A", wire.MaxCursorLen+1),
	} {
		_, err := b.Pull(ctx, dev, c, 10)
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 || e.Code != wire.CodeInvalid {
			t.Errorf("%s: err = %v, want 400 invalid", name, err)
		}
	}
	for _, limit := range []int{-1, 1001} {
		if _, err := b.Pull(ctx, dev, "", limit); err == nil {
			t.Errorf("limit %d accepted", limit)
		}
	}
	p, err := b.Pull(ctx, dev, "", 0)
	if err != nil || len(p.Changes) != 12 {
		t.Fatalf("default limit: %d changes (%v)", len(p.Changes), err)
	}
}

func TestDuplicatedPagesReincludeThePreviousPage(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	dev, _ := enrol(t, b)
	addBookings(t, b, 20)
	if err := b.Faults().DuplicatePages(1000); err != nil {
		t.Fatal(err)
	}
	var prev []wire.Change
	var all []wire.Change
	cursor := ""
	pages := 0
	for more := true; more; pages++ {
		p, err := b.Pull(ctx, dev, cursor, 6)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Changes) > 6 {
			t.Fatalf("page of %d changes over the limit 6", len(p.Changes))
		}
		if pages > 0 {
			// The page starts with the previous page's new changes again.
			fresh := prev
			if pages > 1 {
				fresh = prev[len(prev)-3:]
			}
			for i, c := range fresh {
				if p.Changes[i].ID != c.ID {
					t.Fatalf("page %d does not repeat the previous page", pages)
				}
			}
		}
		prev = p.Changes
		all = append(all, p.Changes...)
		cursor, more = p.Cursor, p.More
	}
	if len(latest(all)) != 20 || len(all) <= 20 {
		t.Fatalf("%d changes over %d pages cover %d bookings: want all 20 and some twice", len(all), pages, len(latest(all)))
	}
	if left := b.Faults().State().DuplicatePages; left != 1000-pages {
		t.Fatalf("fault counter %d after %d pages", left, pages)
	}
}

func TestReversedPagesListChangesBackwards(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	dev, _ := enrol(t, b)
	bookings := addBookings(t, b, 4)
	if err := b.Faults().ReversePages(1); err != nil {
		t.Fatal(err)
	}
	p, err := b.Pull(ctx, dev, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range p.Changes {
		if c.ID != bookings[3-i].ID {
			t.Fatalf("reversed page: change %d is %s", i, c.ID)
		}
	}
	p, _ = b.Pull(ctx, dev, "", 10)
	if p.Changes[0].ID != bookings[0].ID {
		t.Fatal("only the next page was to be reversed")
	}
}

// TestPageChangeIsWireChange: the handler writes pageChange, so its JSON
// must be exactly wire.Change's.
func TestPageChangeIsWireChange(t *testing.T) {
	tags := func(v any) []string {
		var out []string
		rt := reflect.TypeOf(v)
		for i := 0; i < rt.NumField(); i++ {
			if f := rt.Field(i); f.IsExported() {
				out = append(out, f.Name+" "+f.Tag.Get("json"))
			}
		}
		return out
	}
	if a, b := tags(pageChange{}), tags(wire.Change{}); !reflect.DeepEqual(a, b) {
		t.Fatalf("pageChange %v\nwire.Change %v", a, b)
	}
	if a, b := tags(page{}), tags(wire.PullResponse{}); !reflect.DeepEqual(a, b) {
		t.Fatalf("page %v\nwire.PullResponse %v", a, b)
	}
}

func TestSeedDemoPassesTheAppsDecoders(t *testing.T) {
	b, _ := newBackend(t)
	ctx := context.Background()
	seed, err := b.SeedDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(seed.Matches) != 3 || len(seed.Bookings) != 6 || len(seed.Grievances) != 1 || len(seed.Takedowns) != 1 {
		t.Fatalf("seed: %+v", seed)
	}
	resp, err := b.Enrol(ctx, wire.EnrolRequest{EnrolmentCode: "calm-demo", DeviceName: "Demo"})
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := b.Authenticate(ctx, resp.Token)
	p, err := b.Pull(ctx, dev, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(p)
	if _, err := wire.DecodePullResponse(raw); err != nil {
		t.Fatal(err)
	}
	bands := map[string]bool{}
	horizon := b.Now().Add(15 * 24 * time.Hour)
	for _, c := range p.Changes {
		switch c.Type {
		case wire.TypeBooking:
			bk, err := wire.DecodeBooking(c)
			if err != nil {
				t.Fatal(err)
			}
			if !bk.Start.After(b.Now()) || bk.Start.After(horizon) {
				t.Errorf("booking at %v is not within the next two weeks", bk.Start)
			}
		case wire.TypeMatch:
			m, err := wire.DecodeMatch(c)
			if err != nil {
				t.Fatal(err)
			}
			bands[m.AgeBand] = true
		case wire.TypeGrievance:
			g, err := wire.DecodeGrievance(c)
			if err != nil || g.AcknowledgeBy.Sub(g.ReceivedAt) != 24*time.Hour {
				t.Fatalf("grievance %+v (%v)", g, err)
			}
		case wire.TypeTakedown:
			if td, err := wire.DecodeTakedown(c); err != nil || td.RemoveBy.Sub(td.ReceivedAt) != 36*time.Hour {
				t.Fatalf("takedown %+v (%v)", td, err)
			}
		}
	}
	if !bands["under-18"] || !bands["25-34"] || !bands["18-24"] {
		t.Fatalf("match age bands %v", bands)
	}
	// The 18-24 match's client turns out to be 17 once accepted.
	for i, id := range seed.Matches {
		if s, _ := pushOne(t, b, dev, mut(int64(i+1), wire.KindMatchAccept, id, map[string]any{"matchId": id})); s != wire.ResultApplied {
			t.Fatalf("accept seeded match %d", i)
		}
	}
	minors := 0
	for _, c := range pullAll(t, b, dev, 100) {
		if c.Type != wire.TypeClient {
			continue
		}
		cl, err := wire.DecodeClient(c)
		if err != nil {
			t.Fatal(err)
		}
		dob, _ := time.Parse("2006-01-02", cl.DateOfBirth)
		if dob.AddDate(18, 0, 0).After(b.Now()) {
			minors++
		}
	}
	if minors != 2 {
		t.Fatalf("%d minors among released clients, want 2 (the under-18 band and the 17-year-old)", minors)
	}
	// Seeding again only renews the code.
	again, err := b.SeedDemo(ctx)
	if err != nil || len(again.Bookings) != 0 {
		t.Fatalf("second seed: %+v (%v)", again, err)
	}
	if _, err := b.Enrol(ctx, wire.EnrolRequest{EnrolmentCode: DemoEnrolmentCode, DeviceName: "Again"}); err != nil {
		t.Fatalf("renewed demo code: %v", err)
	}
}

func TestSeedBookings(t *testing.T) {
	b, _ := newBackend(t)
	dev, _ := enrol(t, b)
	if err := b.SeedBookings(context.Background(), 1500, time.Time{}); err != nil {
		t.Fatal(err)
	}
	all := pullAll(t, b, dev, 1000)
	if len(all) != 1500 {
		t.Fatalf("%d changes, want 1500", len(all))
	}
	for _, c := range all[:3] {
		if _, err := wire.DecodeBooking(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.SeedBookings(context.Background(), 0, time.Time{}); err == nil {
		t.Fatal("seeding 0 bookings accepted")
	}
}
