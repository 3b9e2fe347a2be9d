package search

import (
	"context"
	"testing"
)

// asciiStops must mark exactly the bytes that end an ASCII run, wherever
// they sit among letters, whatever their neighbours' carries might do.
func TestASCIIStops(t *testing.T) {
	for _, fill := range []uint64{0x6161616161616161, 0x3939393939393939, 0x5A5A5A5A5A5A5A5A} {
		for c := range 256 {
			for pos := range 8 {
				w := fill&^(0xFF<<(8*pos)) | uint64(c)<<(8*pos)
				stops := asciiStops(w)
				want := c >= 0x80 || asciiFold[c] == 0
				if got := stops>>(8*pos+7)&1 == 1; got != want {
					t.Fatalf("byte %#x at %d among %#x: stop %v, want %v", c, pos, fill&0xFF, got, want)
				}
				if others := stops &^ (0x80 << (8 * pos)); others != 0 {
					t.Fatalf("byte %#x at %d among %#x also marks %#x", c, pos, fill&0xFF, others)
				}
			}
		}
	}
}

// A builder leaves nothing of the words it saw once wiped: the raw table
// holds them as written, the term arena folded.
func TestBuilderWipe(t *testing.T) {
	b := newBuilder(0)
	bt := &batch{docs: []Doc{note("a", "Priya", "panic attacks at work, चिंता और नींद", 1)}}
	b.index(context.Background(), bt)
	raw, slots, text := b.raw.text, b.raw.slots, b.text
	if len(raw) == 0 || len(text) == 0 {
		t.Fatal("nothing indexed")
	}
	b.wipe()
	if b.raw != nil || b.text != nil {
		t.Error("wipe kept the tables")
	}
	for i, c := range raw {
		if c != 0 {
			t.Fatalf("raw arena byte %d not zeroed", i)
		}
	}
	for i, c := range text {
		if c != 0 {
			t.Fatalf("term arena byte %d not zeroed", i)
		}
	}
	for i, s := range slots {
		if s != (rawSlot{}) {
			t.Fatalf("slot %d not zeroed", i)
		}
	}
}
