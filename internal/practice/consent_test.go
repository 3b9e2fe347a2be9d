package practice

import (
	"context"
	"testing"

	"github.com/calmally/practice/internal/consent"
)

// grantHealthData records the client's health-data consent, which every
// note needs.
func grantHealthData(t *testing.T, p *Practice, clientID string) {
	t.Helper()
	if _, err := p.Consent().Grant(context.Background(), consent.GrantInput{ClientID: clientID,
		Purpose: consent.PurposeHealthData, Method: consent.MethodCheckbox}); err != nil {
		t.Fatalf("grant health-data consent: %v", err)
	}
}
