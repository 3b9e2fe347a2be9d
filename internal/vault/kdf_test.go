package vault

import (
	"bytes"
	"testing"
	"time"
)

func TestMinimumKDF(t *testing.T) {
	a, b := MinimumKDF(), MinimumKDF()
	if a.Name != "argon2id" || a.Time != 3 || a.MemoryKiB != 64*1024 || a.Threads != 2 {
		t.Fatalf("MinimumKDF = %+v", a)
	}
	if err := a.checkArgon2id(); err != nil {
		t.Fatalf("MinimumKDF is refused: %v", err)
	}
	if bytes.Equal(a.Salt, b.Salt) || len(a.Salt) != 32 {
		t.Fatal("MinimumKDF does not draw a fresh 32-byte salt")
	}
}

func TestCalibrate(t *testing.T) {
	tests := []struct {
		name   string
		target time.Duration
	}{
		{"zero target gives the minimum", 0},
		{"production target", 500 * time.Millisecond},
		{"slow target caps memory", time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			p := Calibrate(tt.target)
			took := time.Since(start)
			if err := p.checkArgon2id(); err != nil {
				t.Fatalf("Calibrate(%v) = %+v: %v", tt.target, p, err)
			}
			if p.MemoryKiB > calibrateMaxMemoryKiB || p.MemoryKiB%1024 != 0 {
				t.Errorf("memory %d KiB: want whole MiB up to %d KiB", p.MemoryKiB, calibrateMaxMemoryKiB)
			}
			if tt.target == 0 && (p.Time != minTime || p.MemoryKiB != minMemoryKiB) {
				t.Errorf("Calibrate(%v) = %+v, want the minimum", tt.target, p)
			}
			if tt.target == time.Minute && (p.MemoryKiB != calibrateMaxMemoryKiB || p.Time <= minTime) {
				t.Errorf("Calibrate(%v) = %+v, want memory capped and passes added", tt.target, p)
			}
			// Calibrating costs one run at the minimum, not one at the target.
			if tt.target == time.Minute && took > 20*time.Second {
				t.Errorf("Calibrate took %v", took)
			}
			t.Logf("Calibrate(%v) = t=%d m=%d MiB p=%d in %v", tt.target, p.Time, p.MemoryKiB/1024, p.Threads, took)
		})
	}
}
