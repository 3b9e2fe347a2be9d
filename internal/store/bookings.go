package store

func init() {
	registerSealed(SealedColumn{Table: "bookings", Column: "notes"})
}
