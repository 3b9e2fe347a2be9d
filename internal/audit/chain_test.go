package audit

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"testing"
	"time"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func stream(es []Entry) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		for _, e := range es {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// buildTrail returns n linked entries and their head, the way the store
// writes them.
func buildTrail(t testing.TB, c *Chain, n int) ([]Entry, Head) {
	t.Helper()
	base := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	actions := []Action{ActionView, ActionEdit, ActionSign, ActionExport, ActionSearch}
	var es []Entry
	var prev []byte
	for i := 1; i <= n; i++ {
		e := Entry{Seq: int64(i), At: base.Add(time.Duration(i) * time.Minute), Actor: "practitioner-1",
			Action: actions[i%len(actions)], RecordType: "note", RecordID: fmt.Sprintf("note-%d", i), Detail: fmt.Sprintf("n=%d", i)}
		if i == 1 {
			e.Action, e.RecordType, e.RecordID, e.Detail = ActionVaultCreated, "", "", ""
		}
		e.PrevMAC = prev
		e.MAC = c.Link(prev, e)
		prev = e.MAC
		es = append(es, e)
	}
	last := es[len(es)-1]
	return es, Head{Seq: last.Seq, MAC: last.MAC, HeadMAC: c.HeadMAC(last.Seq, last.MAC)}
}

func TestVerifyInMemory(t *testing.T) {
	c := NewChain(testKey)
	const n = 10
	tests := []struct {
		name    string
		tamper  func(es []Entry, h Head) ([]Entry, Head)
		want    error
		wantSeq int64
	}{
		{"clean", func(es []Entry, h Head) ([]Entry, Head) { return es, h }, nil, 0},
		{"edited at", func(es []Entry, h Head) ([]Entry, Head) { es[4].At = es[4].At.Add(time.Nanosecond); return es, h }, ErrEdited, 5},
		{"edited actor", func(es []Entry, h Head) ([]Entry, Head) { es[4].Actor = "someone-else"; return es, h }, ErrEdited, 5},
		{"edited action", func(es []Entry, h Head) ([]Entry, Head) { es[4].Action = ActionPrint; return es, h }, ErrEdited, 5},
		{"edited record type", func(es []Entry, h Head) ([]Entry, Head) { es[4].RecordType = "client"; return es, h }, ErrEdited, 5},
		{"edited record id", func(es []Entry, h Head) ([]Entry, Head) { es[4].RecordID = "note-99"; return es, h }, ErrEdited, 5},
		{"edited detail", func(es []Entry, h Head) ([]Entry, Head) { es[4].Detail = ""; return es, h }, ErrEdited, 5},
		{"edited prev mac", func(es []Entry, h Head) ([]Entry, Head) { es[4].PrevMAC = es[2].MAC; return es, h }, ErrEdited, 5},
		{"edited mac", func(es []Entry, h Head) ([]Entry, Head) { es[4].MAC = es[3].MAC; return es, h }, ErrEdited, 5},
		{"edited first entry", func(es []Entry, h Head) ([]Entry, Head) { es[0].Actor = "x"; return es, h }, ErrEdited, 1},
		{"edited last entry", func(es []Entry, h Head) ([]Entry, Head) { es[n-1].Detail = "n=0"; return es, h }, ErrEdited, n},
		{"deleted middle", func(es []Entry, h Head) ([]Entry, Head) { return append(es[:4:4], es[5:]...), h }, ErrDeleted, 5},
		{"deleted first", func(es []Entry, h Head) ([]Entry, Head) { return es[1:], h }, ErrDeleted, 1},
		{"swapped whole rows", func(es []Entry, h Head) ([]Entry, Head) {
			es[3], es[5] = es[5], es[3]
			es[3].Seq, es[5].Seq = 4, 6
			return es, h
		}, ErrReordered, 4},
		{"swapped contents, MACs left in place", func(es []Entry, h Head) ([]Entry, Head) {
			a, b := es[3], es[4]
			es[3], es[4] = b, a
			es[3].Seq, es[3].PrevMAC, es[3].MAC = a.Seq, a.PrevMAC, a.MAC
			es[4].Seq, es[4].PrevMAC, es[4].MAC = b.Seq, b.PrevMAC, b.MAC
			return es, h
		}, ErrReordered, 4},
		{"truncated tail", func(es []Entry, h Head) ([]Entry, Head) { return es[:8], h }, ErrTruncated, 9},
		{"truncated, head rewritten without key", func(es []Entry, h Head) ([]Entry, Head) {
			return es[:8], Head{Seq: 8, MAC: es[7].MAC, HeadMAC: h.HeadMAC}
		}, ErrTruncated, 9},
		{"everything deleted, head kept", func(es []Entry, h Head) ([]Entry, Head) { return nil, h }, ErrTruncated, 1},
		{"head older than trail", func(es []Entry, h Head) ([]Entry, Head) {
			return es, Head{Seq: 8, MAC: es[7].MAC, HeadMAC: c.HeadMAC(8, es[7].MAC)}
		}, ErrTruncated, 9},
		{"head removed", func(es []Entry, h Head) ([]Entry, Head) { return es, Head{} }, ErrHeadMissing, 0},
		{"empty trail, no head", func(es []Entry, h Head) ([]Entry, Head) { return nil, Head{} }, ErrHeadMissing, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, h := buildTrail(t, c, n)
			es, h = tt.tamper(es, h)
			err := c.Verify(stream(es), h)
			checkProblem(t, err, tt.want, tt.wantSeq)
		})
	}
}

func checkProblem(t *testing.T, err, want error, wantSeq int64) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("Verify = %v, want nil", err)
		}
		return
	}
	var p *Problem
	if !errors.As(err, &p) || !errors.Is(err, want) {
		t.Fatalf("Verify = %v, want a *Problem wrapping %v", err, want)
	}
	if p.Seq != wantSeq {
		t.Errorf("Problem.Seq = %d, want %d (%v)", p.Seq, wantSeq, err)
	}
}

func TestVerifyWrongKey(t *testing.T) {
	es, h := buildTrail(t, NewChain(testKey), 20)
	other := NewChain([]byte("another vault's audit key, 32 b!"))
	checkProblem(t, other.Verify(stream(es), h), ErrWrongKey, 0)
}

func TestVerifyFarSwapIsReordered(t *testing.T) {
	c := NewChain(testKey)
	es, h := buildTrail(t, c, 3000)
	es[100], es[2100] = es[2100], es[100]
	es[100].Seq, es[2100].Seq = 101, 2101
	// Beyond the search window a moved entry cannot be told from an edit;
	// it is still caught at the right place.
	checkProblem(t, c.Verify(stream(es), h), ErrEdited, 101)
}

func TestVerifyPassesIteratorErrors(t *testing.T) {
	c := NewChain(testKey)
	boom := errors.New("disk gone")
	seq := func(yield func(Entry, error) bool) { yield(Entry{}, boom) }
	if err := c.Verify(seq, Head{}); !errors.Is(err, boom) {
		t.Errorf("Verify = %v, want the iterator's error", err)
	}
}

func TestVerifierStopsEarly(t *testing.T) {
	c := NewChain(testKey)
	es, _ := buildTrail(t, c, 50)
	v := c.NewVerifier()
	fed := 0
	for _, e := range append(es[:10:10], es[11:]...) {
		fed++
		if !v.Add(e) {
			break
		}
	}
	if fed != 11 || v.Count() != 10 {
		t.Errorf("fed %d entries, counted %d; want to stop at the 11th with 10 good", fed, v.Count())
	}
}

// The encoding is frozen: changing it would make every stored trail fail to
// verify. testdata/vectors.json pins it.
func TestChainVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vec struct {
		Key     string `json:"key"`
		Entries []struct {
			Seq                                     int64
			At, Actor, Action, RecordType, RecordID string
			Detail                                  string
			MAC, PendingHash                        string
		} `json:"entries"`
		HeadMAC string `json:"head_mac"`
	}
	if err := json.Unmarshal(raw, &vec); err != nil {
		t.Fatal(err)
	}
	key, _ := hex.DecodeString(vec.Key)
	c := NewChain(key)
	var prev, prevPending []byte
	for _, v := range vec.Entries {
		at, err := time.Parse(time.RFC3339Nano, v.At)
		if err != nil {
			t.Fatal(err)
		}
		e := Entry{Seq: v.Seq, At: at, Actor: v.Actor, Action: Action(v.Action), RecordType: v.RecordType, RecordID: v.RecordID, Detail: v.Detail}
		mac := c.Link(prev, e)
		if got := hex.EncodeToString(mac); got != v.MAC {
			t.Errorf("seq %d: MAC = %s, want %s", v.Seq, got, v.MAC)
		}
		ph := PendingHash(prevPending, e)
		if got := hex.EncodeToString(ph); got != v.PendingHash {
			t.Errorf("seq %d: PendingHash = %s, want %s", v.Seq, got, v.PendingHash)
		}
		prev, prevPending = mac, ph
	}
	last := vec.Entries[len(vec.Entries)-1]
	if got := hex.EncodeToString(c.HeadMAC(last.Seq, prev)); got != vec.HeadMAC {
		t.Errorf("HeadMAC = %s, want %s", got, vec.HeadMAC)
	}
}

func TestLinkBindsEveryField(t *testing.T) {
	c := NewChain(testKey)
	base := Entry{Seq: 7, At: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), Actor: "a", Action: ActionView,
		RecordType: "client", RecordID: "c1", Detail: "k=v"}
	ref := c.Link([]byte("prev"), base)
	variants := map[string]Entry{}
	e := base
	e.Seq++
	variants["seq"] = e
	e = base
	e.At = e.At.Add(time.Nanosecond)
	variants["at"] = e
	e = base
	e.Actor = "b"
	variants["actor"] = e
	e = base
	e.Action = ActionEdit
	variants["action"] = e
	e = base
	e.RecordType = "note"
	variants["record type"] = e
	e = base
	e.RecordID = "c2"
	variants["record id"] = e
	e = base
	e.Detail = "k=w"
	variants["detail"] = e
	// Moving bytes between adjacent fields must change the MAC too.
	e = base
	e.RecordType, e.RecordID = "clientc", "1"
	variants["field boundary"] = e
	for name, v := range variants {
		if string(c.Link([]byte("prev"), v)) == string(ref) {
			t.Errorf("changing %s did not change the MAC", name)
		}
	}
	if string(c.Link([]byte("other"), base)) == string(ref) {
		t.Error("changing prev did not change the MAC")
	}
	local := base
	local.At = base.At.In(time.FixedZone("IST", 19800))
	if string(c.Link([]byte("prev"), local)) != string(ref) {
		t.Error("the same instant in another zone changed the MAC")
	}
}

// BenchmarkVerifierAdd is the chain's own cost per entry, without storage.
func BenchmarkVerifierAdd(b *testing.B) {
	c := NewChain(testKey)
	es, h := buildTrail(b, c, 10_000)
	for b.Loop() {
		if err := c.Verify(stream(es), h); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(es)), "ns/entry")
}
