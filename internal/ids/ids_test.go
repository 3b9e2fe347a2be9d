package ids

import (
	"strings"
	"testing"
	"time"
)

func TestNewIsAValidTimeOrderedUUIDv7(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	a, b := New(t0), New(t0.Add(time.Millisecond))
	for _, id := range []string{a, b} {
		if !Valid(id) || id[14] != '7' || !strings.ContainsRune("89ab", rune(id[19])) {
			t.Fatalf("%s is not a canonical UUIDv7", id)
		}
	}
	if !(a < b) {
		t.Fatalf("ids do not sort by time: %s, %s", a, b)
	}
	if New(t0) == New(t0) {
		t.Fatal("two ids in the same millisecond are equal")
	}
}

func TestValid(t *testing.T) {
	for _, s := range []string{"", "0190a2b4-0000-7000-8000-00000000000", "0190A2B4-0000-7000-8000-000000000000",
		"0190a2b4_0000-7000-8000-000000000000", "0190a2b4-0000-7000-8000-00000000000g"} {
		if Valid(s) {
			t.Errorf("Valid(%q) = true", s)
		}
	}
	if !Valid("0190a2b4-0000-7000-8000-000000000000") {
		t.Error("a canonical id is refused")
	}
}
