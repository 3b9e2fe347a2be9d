package store

func init() {
	registerSealed(SealedColumn{Table: "rights_requests", Column: "details"})
}
