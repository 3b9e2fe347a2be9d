package store

func init() {
	registerSealed(SealedColumn{Table: "outbox", Column: "payload"})
}
