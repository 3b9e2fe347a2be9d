package store

func init() {
	registerSealed(SealedColumn{Table: "availability", Column: "rules"})
}
