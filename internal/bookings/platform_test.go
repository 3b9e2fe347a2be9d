package bookings

import "testing"

func TestPlatformStatus(t *testing.T) {
	cases := []struct {
		name            string
		local, platform Status
		queued, parked  bool
		want            Status
		conflict        bool
	}{
		{"same", Confirmed, Confirmed, false, false, Confirmed, false},
		{"platform moves on", Requested, Confirmed, false, false, Confirmed, false},
		{"client cancels a confirmed session", Confirmed, CancelledByClient, false, false, CancelledByClient, false},
		{"our confirm still queued", Confirmed, Requested, true, false, Confirmed, false},
		{"our cancel still queued", CancelledByPractitioner, Confirmed, true, false, CancelledByPractitioner, false},
		{"confirmed here, cancelled there, confirm queued", Confirmed, CancelledByClient, true, false, CancelledByClient, true},
		{"our confirm was rejected", Confirmed, Requested, false, true, Requested, true},
		{"parked and queued", Confirmed, Requested, true, true, Requested, true},
		{"completed here, cancelled there", Completed, CancelledByClient, false, false, CancelledByClient, true},
		{"stale local, nothing pending", Confirmed, Requested, false, false, Requested, true},
		{"rescheduled on the platform", Confirmed, Rescheduled, false, false, Rescheduled, false},
	}
	for _, tc := range cases {
		got, conflict := platformStatus(tc.local, tc.platform, tc.queued, tc.parked)
		if got != tc.want || conflict != tc.conflict {
			t.Errorf("%s: got %s conflict %v, want %s conflict %v", tc.name, got, conflict, tc.want, tc.conflict)
		}
	}
}
