package store

func init() {
	// The consent ledger's MAC chain and head hold no client data.
	for _, c := range []string{"consent_events.prev_mac", "consent_events.mac", "consent_head.mac", "consent_head.head_mac"} {
		notSealed[c] = true
	}
}
