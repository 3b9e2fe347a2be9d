package synctest

import "testing"

// TestFakeConformance holds the in-memory fake to the same contract as the
// HTTP transport against the reference backend (internal/sync's
// TestHTTPConformance).
func TestFakeConformance(t *testing.T) {
	Run(t, func(t *testing.T, o Options) Harness {
		f := NewFake(FakeOptions{Region: o.Region, MinProtocol: o.MinProtocol})
		return Harness{Transport: f, Platform: f}
	})
}
