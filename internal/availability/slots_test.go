package availability

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests never depend on the machine's zoneinfo
)

func clk(s string) *Clock {
	c, err := ParseClock(s)
	if err != nil {
		panic(err)
	}
	return &c
}

func date(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// everyDay is a weekly window on all seven days.
func everyDay(start, end string) []Window {
	var out []Window
	for d := range 7 {
		out = append(out, Window{Day: Weekday(d), Start: *clk(start), End: *clk(end)})
	}
	return out
}

func day(wd time.Weekday, start, end string) Window {
	return Window{Day: Weekday(wd), Start: *clk(start), End: *clk(end)}
}

func schedule(t *testing.T, sets ...RuleSet) Schedule {
	t.Helper()
	s := Schedule{RuleSets: sets}
	if err := s.Normalize(); err != nil {
		t.Fatalf("normalize: %v", err)
	}
	return s
}

func starts(slots []Slot) string {
	var b []string
	for _, s := range slots {
		b = append(b, s.Start.UTC().Format("2006-01-02T15:04Z"))
	}
	return strings.Join(b, " ")
}

func TestSlots(t *testing.T) {
	base := func(zone string, session, buffer int, w ...Window) RuleSet {
		return RuleSet{Zone: zone, SessionMinutes: session, BufferMinutes: buffer, HorizonDays: 365, Weekly: w}
	}
	withEx := func(r RuleSet, ex ...Exception) RuleSet { r.Exceptions = ex; return r }
	withNotice := func(r RuleSet, hours, horizon int) RuleSet {
		r.MinimumNoticeHours, r.HorizonDays = hours, horizon
		return r
	}
	period := func(r RuleSet, from, until string) RuleSet {
		if from != "" {
			r.EffectiveFrom = date(from)
		}
		if until != "" {
			r.EffectiveUntil = date(until)
		}
		return r
	}
	tests := []struct {
		name     string
		sets     []RuleSet
		from, to string
		now      string
		busy     []Busy
		want     string
	}{
		{
			name: "Asia/Kolkata: 50-minute sessions with 10-minute buffers",
			sets: []RuleSet{base("Asia/Kolkata", 50, 10, day(time.Monday, "09:00", "12:00"))},
			from: "2024-06-17T00:00:00Z", to: "2024-06-18T00:00:00Z", now: "2024-06-10T00:00:00Z",
			want: "2024-06-17T03:30Z 2024-06-17T04:30Z 2024-06-17T05:30Z",
		},
		{
			name: "default zone is Asia/Kolkata",
			sets: []RuleSet{base("", 60, 0, day(time.Monday, "09:00", "10:00"))},
			from: "2024-06-17T00:00:00Z", to: "2024-06-18T00:00:00Z", now: "2024-06-10T00:00:00Z",
			want: "2024-06-17T03:30Z",
		},
		{
			name: "buffers: a 45-minute session and a 30-minute buffer fit twice in two hours",
			sets: []RuleSet{base("Asia/Kolkata", 45, 30, day(time.Monday, "09:00", "11:00"))},
			from: "2024-06-17T00:00:00Z", to: "2024-06-18T00:00:00Z", now: "2024-06-10T00:00:00Z",
			want: "2024-06-17T03:30Z 2024-06-17T04:45Z",
		},
		{
			name: "Europe/London spring forward: 01:00 does not exist and is skipped",
			sets: []RuleSet{base("Europe/London", 60, 0, day(time.Sunday, "00:00", "04:00"))},
			from: "2024-03-30T00:00:00Z", to: "2024-04-01T00:00:00Z", now: "2024-03-01T00:00:00Z",
			want: "2024-03-31T00:00Z 2024-03-31T01:00Z 2024-03-31T02:00Z",
		},
		{
			name: "Europe/London fall back: 01:00 happens twice, the first is used",
			sets: []RuleSet{base("Europe/London", 60, 0, day(time.Sunday, "00:00", "04:00"))},
			from: "2024-10-26T00:00:00Z", to: "2024-10-28T00:00:00Z", now: "2024-10-01T00:00:00Z",
			want: "2024-10-26T23:00Z 2024-10-27T00:00Z 2024-10-27T02:00Z 2024-10-27T03:00Z",
		},
		{
			name: "America/New_York spring forward: skipped 02:15, and 03:00 dropped as it would overlap 01:30's session",
			sets: []RuleSet{base("America/New_York", 45, 0, day(time.Sunday, "01:30", "04:30"))},
			from: "2024-03-10T00:00:00Z", to: "2024-03-11T00:00:00Z", now: "2024-03-01T00:00:00Z",
			want: "2024-03-10T06:30Z 2024-03-10T07:45Z",
		},
		{
			name: "America/New_York fall back: 01:00 and 01:30 take the first (EDT) occurrence",
			sets: []RuleSet{base("America/New_York", 30, 0, day(time.Sunday, "00:30", "03:00"))},
			from: "2024-11-03T00:00:00Z", to: "2024-11-04T00:00:00Z", now: "2024-10-01T00:00:00Z",
			want: "2024-11-03T04:30Z 2024-11-03T05:00Z 2024-11-03T05:30Z 2024-11-03T07:00Z 2024-11-03T07:30Z",
		},
		{
			name: "America/New_York: the same wall time is 4 h after UTC in summer and 5 h in winter",
			sets: []RuleSet{base("America/New_York", 60, 0, day(time.Monday, "10:00", "11:00"))},
			from: "2024-10-28T00:00:00Z", to: "2024-11-05T00:00:00Z", now: "2024-10-01T00:00:00Z",
			want: "2024-10-28T14:00Z 2024-11-04T15:00Z",
		},
		{
			name: "minimum notice: nothing before now + 2 h",
			sets: []RuleSet{withNotice(base("Asia/Kolkata", 50, 10, day(time.Monday, "09:00", "13:00")), 2, 60)},
			from: "2024-06-17T00:00:00Z", to: "2024-06-18T00:00:00Z", now: "2024-06-17T04:00:00Z",
			want: "2024-06-17T06:30Z",
		},
		{
			name: "horizon: nothing 7 days or more after now",
			sets: []RuleSet{withNotice(base("Asia/Kolkata", 60, 0, day(time.Monday, "09:00", "10:00")), 0, 7)},
			from: "2024-06-01T00:00:00Z", to: "2024-07-01T00:00:00Z", now: "2024-06-10T00:00:00Z",
			want: "2024-06-10T03:30Z",
		},
		{
			name: "past slots are never offered",
			sets: []RuleSet{base("Asia/Kolkata", 60, 0, day(time.Monday, "09:00", "10:00"))},
			from: "2024-06-01T00:00:00Z", to: "2024-06-30T00:00:00Z", now: "2024-06-12T00:00:00Z",
			want: "2024-06-17T03:30Z 2024-06-24T03:30Z",
		},
		{
			name: "exceptions: whole-day time off, a holiday, partial time off and extra Saturday hours",
			sets: []RuleSet{withEx(base("Asia/Kolkata", 60, 0, everyDay("09:00", "12:00")...),
				Exception{Kind: TimeOff, From: date("2024-06-17"), To: date("2024-06-18")},
				Exception{Kind: Holiday, From: date("2024-06-20")},
				Exception{Kind: TimeOff, From: date("2024-06-21"), Start: clk("10:00"), End: clk("11:00")},
				Exception{Kind: Extra, From: date("2024-06-22"), Start: clk("14:00"), End: clk("15:00")},
			)},
			from: "2024-06-17T00:00:00Z", to: "2024-06-23T00:00:00Z", now: "2024-06-01T00:00:00Z",
			want: "2024-06-19T03:30Z 2024-06-19T04:30Z 2024-06-19T05:30Z " +
				"2024-06-21T03:30Z 2024-06-21T05:30Z " +
				"2024-06-22T03:30Z 2024-06-22T04:30Z 2024-06-22T05:30Z 2024-06-22T08:30Z",
		},
		{
			name: "leap day: 2028-02-29 is a Tuesday with its own slot and its own extra hours",
			sets: []RuleSet{withEx(base("Asia/Kolkata", 60, 0, day(time.Tuesday, "10:00", "11:00")),
				Exception{Kind: Extra, From: date("2028-02-29"), Start: clk("15:00"), End: clk("16:00")})},
			from: "2028-02-27T00:00:00Z", to: "2028-03-03T00:00:00Z", now: "2028-02-01T00:00:00Z",
			want: "2028-02-29T04:30Z 2028-02-29T09:30Z",
		},
		{
			name: "leap day: time off from 28 February to 1 March covers the 29th",
			sets: []RuleSet{withEx(base("Asia/Kolkata", 60, 0, everyDay("10:00", "11:00")...),
				Exception{Kind: TimeOff, From: date("2028-02-28"), To: date("2028-03-01")})},
			from: "2028-02-27T00:00:00Z", to: "2028-03-03T00:00:00Z", now: "2028-02-01T00:00:00Z",
			want: "2028-02-27T04:30Z 2028-03-02T04:30Z",
		},
		{
			name: "month end: a rule set effective until 31 January stops there",
			sets: []RuleSet{period(base("Asia/Kolkata", 60, 0, everyDay("10:00", "11:00")...), "", "2024-01-31")},
			from: "2024-01-30T00:00:00Z", to: "2024-02-03T00:00:00Z", now: "2024-01-01T00:00:00Z",
			want: "2024-01-30T04:30Z 2024-01-31T04:30Z",
		},
		{
			name: "month end: time off from 30 April to 1 May",
			sets: []RuleSet{withEx(base("Asia/Kolkata", 60, 0, everyDay("10:00", "11:00")...),
				Exception{Kind: TimeOff, From: date("2024-04-30"), To: date("2024-05-01")})},
			from: "2024-04-29T00:00:00Z", to: "2024-05-03T00:00:00Z", now: "2024-04-01T00:00:00Z",
			want: "2024-04-29T04:30Z 2024-05-02T04:30Z",
		},
		{
			name: "zone change: Kolkata until 31 March, London (already on BST) from 1 April",
			sets: []RuleSet{
				period(base("Asia/Kolkata", 60, 0, everyDay("09:00", "10:00")...), "", "2025-03-31"),
				period(base("Europe/London", 60, 0, everyDay("09:00", "10:00")...), "2025-04-01", ""),
			},
			from: "2025-03-30T00:00:00Z", to: "2025-04-03T00:00:00Z", now: "2025-03-01T00:00:00Z",
			want: "2025-03-30T03:30Z 2025-03-31T03:30Z 2025-04-01T08:00Z 2025-04-02T08:00Z",
		},
		{
			name: "a late-evening window in New York lands on the next UTC date",
			sets: []RuleSet{base("America/New_York", 60, 0, day(time.Monday, "21:00", "22:00"))},
			from: "2024-06-18T00:00:00Z", to: "2024-06-19T00:00:00Z", now: "2024-06-01T00:00:00Z",
			want: "2024-06-18T01:00Z",
		},
		{
			name: "bookings block their slot and, through the buffer, the neighbours",
			sets: []RuleSet{base("Asia/Kolkata", 50, 10, day(time.Monday, "09:00", "13:00"))},
			from: "2024-06-17T00:00:00Z", to: "2024-06-18T00:00:00Z", now: "2024-06-10T00:00:00Z",
			busy: []Busy{{ID: "b1", Start: instant("2024-06-17T05:20:00Z"), End: instant("2024-06-17T05:35:00Z")}},
			want: "2024-06-17T03:30Z 2024-06-17T06:30Z",
		},
		{
			name: "a booking right after a slot with no buffer does not block it",
			sets: []RuleSet{base("Asia/Kolkata", 60, 0, day(time.Monday, "09:00", "11:00"))},
			from: "2024-06-17T00:00:00Z", to: "2024-06-18T00:00:00Z", now: "2024-06-10T00:00:00Z",
			busy: []Busy{{ID: "b1", Start: instant("2024-06-17T04:30:00Z"), End: instant("2024-06-17T05:30:00Z")}},
			want: "2024-06-17T03:30Z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := schedule(t, tt.sets...)
			got := starts(Slots(s, instant(tt.from), instant(tt.to), instant(tt.now), tt.busy))
			if got != tt.want {
				t.Errorf("slots\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestSlotsNeverOverlap(t *testing.T) {
	zones := []string{"Asia/Kolkata", "Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"}
	for _, z := range zones {
		s := schedule(t, RuleSet{Zone: z, SessionMinutes: 25, BufferMinutes: 5, HorizonDays: 730, Weekly: everyDay("00:00", "24:00")})
		slots := Slots(s, instant("2024-01-01T00:00:00Z"), instant("2025-01-01T00:00:00Z"), instant("2023-12-31T00:00:00Z"), nil)
		if len(slots) < 365*40 {
			t.Fatalf("%s: only %d slots", z, len(slots))
		}
		for i := 1; i < len(slots); i++ {
			if slots[i].Start.Before(slots[i-1].End.Add(5 * time.Minute)) {
				t.Fatalf("%s: slot %s starts before %s plus the buffer", z, slots[i].Start, slots[i-1].End)
			}
			if got := slots[i].End.Sub(slots[i].Start); got != 25*time.Minute {
				t.Fatalf("%s: slot lasts %s", z, got)
			}
		}
	}
}

func TestAt(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	lh, _ := time.LoadLocation("Australia/Lord_Howe") // 30-minute DST shift
	tests := []struct {
		name string
		d    string
		c    string
		loc  *time.Location
		want string // "" = does not exist
	}{
		{"ordinary", "2024-06-17", "10:00", ny, "2024-06-17T14:00:00Z"},
		{"skipped", "2024-03-10", "02:30", ny, ""},
		{"first of two", "2024-11-03", "01:30", ny, "2024-11-03T05:30:00Z"},
		{"end of day", "2024-02-29", "24:00", ny, "2024-03-01T05:00:00Z"},
		{"Lord Howe skips 02:00-02:30", "2024-10-06", "02:15", lh, ""},
		{"Lord Howe repeats 01:30-02:00", "2024-04-07", "01:45", lh, "2024-04-06T14:45:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := At(date(tt.d), *clk(tt.c), tt.loc)
			if tt.want == "" {
				if ok {
					t.Fatalf("got %s, want none", got)
				}
				return
			}
			if !ok || !got.Equal(instant(tt.want)) {
				t.Fatalf("got %s %v, want %s", got, ok, tt.want)
			}
		})
	}
}

func TestCollisions(t *testing.T) {
	kol, _ := time.LoadLocation("Asia/Kolkata")
	busy := []Busy{
		{ID: "before", Start: instant("2024-06-16T12:00:00Z"), End: instant("2024-06-16T12:50:00Z")},    // 17:30 IST on the 16th
		{ID: "morning", Start: instant("2024-06-17T03:30:00Z"), End: instant("2024-06-17T04:20:00Z")},   // 09:00 IST
		{ID: "afternoon", Start: instant("2024-06-17T09:30:00Z"), End: instant("2024-06-17T10:20:00Z")}, // 15:00 IST
		{ID: "late", Start: instant("2024-06-17T18:00:00Z"), End: instant("2024-06-17T18:50:00Z")},      // 23:30 IST
		{ID: "next", Start: instant("2024-06-18T18:40:00Z"), End: instant("2024-06-18T19:30:00Z")},      // 00:10 IST on the 19th
	}
	tests := []struct {
		name string
		req  TimeOffRequest
		want string
	}{
		{"whole day in India", TimeOffRequest{From: date("2024-06-17")}, "morning afternoon late"},
		{"two days", TimeOffRequest{From: date("2024-06-17"), To: date("2024-06-18")}, "morning afternoon late"},
		{"through to the 19th", TimeOffRequest{From: date("2024-06-17"), To: date("2024-06-19")}, "morning afternoon late next"},
		{"afternoon only", TimeOffRequest{From: date("2024-06-17"), Start: clk("14:00"), End: clk("16:00")}, "afternoon"},
		{"no collision", TimeOffRequest{From: date("2024-06-20")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Collisions(tt.req, kol, busy)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, b := range got {
				ids = append(ids, b.ID)
			}
			if s := strings.Join(ids, " "); s != tt.want {
				t.Fatalf("got %q, want %q", s, tt.want)
			}
		})
	}
	if _, err := Collisions(TimeOffRequest{Kind: Extra, From: date("2024-06-17")}, kol, busy); err == nil {
		t.Fatal("extra hours accepted as time off")
	}
}
