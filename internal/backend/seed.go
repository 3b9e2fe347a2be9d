package backend

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/calmally/practice/internal/ids"
	"github.com/calmally/practice/internal/sync/wire"
)

// Demo data. Every name, address and story here is made up.

// DemoEnrolmentCode is the one-time code the demo seed registers. Unlike
// codes issued on the web (15 minutes), it stays valid for DemoCodeTTL so a
// demo can take its time; it still works once.
const (
	DemoEnrolmentCode = "CALM-DEMO"
	DemoCodeTTL       = 24 * time.Hour
)

// india is IST. India has no daylight saving, so a fixed zone is exact and
// needs no tzdata.
var india = time.FixedZone("IST", 5*3600+1800)

var fictitiousNames = []string{"Ananya Rao", "Rohan Verma", "Ishita Banerjee", "Farhan Qureshi",
	"Meenakshi Pillai", "Arjun Malhotra", "Sneha Kulkarni", "Vikram Joshi"}

// bandAge is a typical age in each band; anything else is a minor's.
var bandAge = map[string]int{"18-24": 21, "25-34": 29, "35-44": 40, "45-54": 50, "55-64": 60, "65+": 70}

// fictitiousClient is the record a match releases when none was given: an
// invented person of the match's age band, with the consents needed for
// online therapy.
func fictitiousClient(now time.Time, m wire.Match) wire.Client {
	h := fnv.New32a()
	h.Write([]byte(m.ID))
	name := fictitiousNames[int(h.Sum32())%len(fictitiousNames)]
	age, ok := bandAge[m.AgeBand]
	if !ok {
		age = 16
	}
	consentAt := m.ProposedAt.Add(-time.Hour).UTC()
	return wire.Client{
		Name:        name,
		DateOfBirth: now.In(india).AddDate(-age, -2, -5).Format("2006-01-02"),
		Language:    m.Languages[0],
		Concerns:    m.Concerns,
		Consents: []wire.PlatformConsent{
			{Purpose: "health-data", Granted: true, At: consentAt, NoticeVersion: "v1"},
			{Purpose: "teleconsultation", Granted: true, At: consentAt, NoticeVersion: "v1"},
		},
	}
}

// DemoSeed says what SeedDemo made.
type DemoSeed struct {
	TherapistID   string    `json:"therapistId"`
	EnrolmentCode string    `json:"enrolmentCode"`
	CodeExpiresAt time.Time `json:"codeExpiresAt"`
	Matches       []string  `json:"matches"`
	Bookings      []string  `json:"bookings"`
	Grievances    []string  `json:"grievances"`
	Takedowns     []string  `json:"takedowns"`
}

// SeedDemo fills a new backend with a demo practice: three match proposals
// (an adult; an "under-18" age band; an adult band whose client turns out
// to be 17), six bookings over the next two weeks, a grievance and a
// takedown notice with the platform's deadlines, and DemoEnrolmentCode. On a
// database that already has data only the code is renewed.
func (b *Backend) SeedDemo(ctx context.Context) (DemoSeed, error) {
	now := b.now()
	out := DemoSeed{TherapistID: b.therapist, EnrolmentCode: DemoEnrolmentCode, CodeExpiresAt: now.Add(DemoCodeTTL)}
	if err := b.AddEnrolmentCode(ctx, DemoEnrolmentCode, DemoCodeTTL); err != nil {
		return DemoSeed{}, err
	}
	var n int
	if err := b.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM entities WHERE therapist_id = ?", b.therapist).Scan(&n); err != nil {
		return DemoSeed{}, fmt.Errorf("backend: seed: %w", err)
	}
	if n > 0 {
		return out, nil
	}
	for _, p := range demoMatches(now) {
		m, err := b.ProposeMatch(ctx, p)
		if err != nil {
			return DemoSeed{}, fmt.Errorf("backend: seed match: %w", err)
		}
		out.Matches = append(out.Matches, m.ID)
	}
	for _, bk := range demoBookings(now) {
		bk, err := b.PutBooking(ctx, bk)
		if err != nil {
			return DemoSeed{}, fmt.Errorf("backend: seed booking: %w", err)
		}
		out.Bookings = append(out.Bookings, bk.ID)
	}
	g, err := b.AddGrievance(ctx, wire.Grievance{Category: "service quality", ReceivedAt: now.Add(-3 * time.Hour),
		Summary: "The session on Monday started twenty minutes late and the video link failed twice; the client asks for a partial refund."})
	if err != nil {
		return DemoSeed{}, fmt.Errorf("backend: seed grievance: %w", err)
	}
	out.Grievances = []string{g.ID}
	t, err := b.AddTakedown(ctx, wire.Takedown{ContentRef: "profile.bio", ReceivedAt: now.Add(-5 * time.Hour),
		Reason: "The profile promises a \"guaranteed cure for anxiety in four sessions\", which the platform's advertising rules do not allow."})
	if err != nil {
		return DemoSeed{}, fmt.Errorf("backend: seed takedown: %w", err)
	}
	out.Takedowns = []string{t.ID}
	return out, nil
}

func demoMatches(now time.Time) []MatchProposal {
	minorDOB := now.In(india).AddDate(-17, -3, 0).Format("2006-01-02")
	consentAt := now.Add(-2 * time.Hour)
	return []MatchProposal{
		{AgeBand: "25-34", Concerns: []string{"anxiety", "workplace stress"}, Languages: []string{"en", "hi"},
			Modality: "online", Preferences: "Evening sessions after 6 pm; prefers a woman therapist.",
			Client: &wire.Client{Name: "Ananya Rao", PreferredName: "Anu", DateOfBirth: now.In(india).AddDate(-29, -4, -11).Format("2006-01-02"),
				Gender: "woman", Language: "en", Email: "ananya.rao@example.in", Phone: "+91 98450 11223",
				Concerns: []string{"anxiety", "workplace stress"},
				Consents: []wire.PlatformConsent{
					{Purpose: "health-data", Granted: true, At: consentAt, NoticeVersion: "v1"},
					{Purpose: "teleconsultation", Granted: true, At: consentAt, NoticeVersion: "v1"},
					{Purpose: "reminders", Granted: true, At: consentAt, NoticeVersion: "v1"},
				}}},
		{AgeBand: "under-18", Concerns: []string{"exam stress"}, Languages: []string{"hi"}, Modality: "online"},
		{AgeBand: "18-24", Concerns: []string{"low mood", "sleep"}, Languages: []string{"en", "mr"}, Modality: "either",
			Client: &wire.Client{Name: "Kabir Deshpande", DateOfBirth: minorDOB, Gender: "man", Language: "mr",
				Consents: []wire.PlatformConsent{{Purpose: "health-data", Granted: true, At: consentAt, NoticeVersion: "v1"}}}},
	}
}

func demoBookings(now time.Time) []wire.Booking {
	day := time.Date(now.In(india).Year(), now.In(india).Month(), now.In(india).Day(), 0, 0, 0, 0, india)
	at := func(days, hour, minute int) time.Time {
		return day.AddDate(0, 0, days).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
	}
	mk := func(start time.Time, status, payment, modality, label string, fee int64) wire.Booking {
		bk := wire.Booking{ID: ids.New(now), Status: status, Start: start.UTC(), End: start.Add(50 * time.Minute).UTC(),
			Modality: modality, FeePaise: fee, PaymentStatus: payment, ClientRef: ids.New(now), ClientLabel: label}
		if modality == "online" {
			bk.JoinLink = "https://meet.calmally.example/s/" + bk.ID[len(bk.ID)-12:]
		}
		return bk
	}
	rec := mk(at(8, 9, 30), statusConfirmed, paymentPaid, "online", "Nikhil S.", 150000)
	rec.Recording = true
	return []wire.Booking{
		mk(at(1, 10, 0), statusRequested, paymentPaid, "online", "Aarav K.", 150000),
		mk(at(1, 15, 0), statusConfirmed, paymentPaid, "online", "Priya M.", 150000),
		mk(at(3, 11, 0), statusConfirmed, paymentPending, "in_person", "Zoya H.", 200000),
		mk(at(5, 18, 0), statusRequested, paymentPending, "online", "Rahul T.", 150000),
		rec,
		mk(at(12, 16, 0), statusRequested, paymentPaid, "in_person", "Lakshmi N.", 200000),
	}
}

// MaxSeedBookings bounds SeedBookings.
const MaxSeedBookings = 100_000

// SeedBookings adds n confirmed, paid online bookings, one an hour from
// `from` (zero: tomorrow at this hour), in one transaction: the data of the
// 10,000-bookings pull benchmark.
func (b *Backend) SeedBookings(ctx context.Context, n int, from time.Time) error {
	if n < 1 || n > MaxSeedBookings {
		return errors.New("backend: seed bookings: n must be 1 to 100000")
	}
	now := b.now()
	if from.IsZero() {
		from = now.Add(24 * time.Hour).Truncate(time.Hour)
	}
	from = from.UTC()
	mk := func(i int) wire.Booking {
		start := from.Add(time.Duration(i) * time.Hour)
		return wire.Booking{ID: ids.New(now), Status: statusConfirmed, Start: start, End: start.Add(50 * time.Minute),
			Modality: "online", FeePaise: 150000, PaymentStatus: paymentPaid, ClientRef: ids.New(now),
			ClientLabel: fmt.Sprintf("Client %d", i+1)}
	}
	// The bookings differ only in times and ids: checking the first checks the shape of all.
	first := mk(0)
	if err := checkData(wire.TypeBooking, first.ID, first); err != nil {
		return err
	}
	// New ids only, so the rows go straight in with two prepared
	// statements (putEntity reads the previous version first: 3x slower).
	return b.write(ctx, func(tx *sql.Tx) error {
		change, err := tx.PrepareContext(ctx, "INSERT INTO changes(therapist_id, type, id, version, deleted, at) VALUES(?, 'booking', ?, 1, 0, ?)")
		if err != nil {
			return fmt.Errorf("backend: seed bookings: %w", err)
		}
		defer change.Close()
		ent, err := tx.PrepareContext(ctx, "INSERT INTO entities(type, id, therapist_id, version, deleted, data, seq) VALUES('booking', ?, ?, 1, 0, ?, ?)")
		if err != nil {
			return fmt.Errorf("backend: seed bookings: %w", err)
		}
		defer ent.Close()
		at := ts(now)
		for i := 0; i < n; i++ {
			bk := first
			if i > 0 {
				bk = mk(i)
			}
			data, err := json.Marshal(bk)
			if err != nil {
				return fmt.Errorf("backend: seed bookings: %w", err)
			}
			res, err := change.ExecContext(ctx, b.therapist, bk.ID, at)
			if err != nil {
				return fmt.Errorf("backend: seed bookings: %w", err)
			}
			seq, err := res.LastInsertId()
			if err != nil {
				return fmt.Errorf("backend: seed bookings: %w", err)
			}
			if _, err := ent.ExecContext(ctx, bk.ID, b.therapist, string(data), seq); err != nil {
				return fmt.Errorf("backend: seed bookings: %w", err)
			}
		}
		return nil
	})
}
