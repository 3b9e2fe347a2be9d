package app

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// recRuntime records emitted events.
type recRuntime struct {
	mu     sync.Mutex
	events []string
	done   chan ExportDoneEvent
}

func (r *recRuntime) Emit(name string, payload any) {
	r.mu.Lock()
	r.events = append(r.events, name)
	r.mu.Unlock()
	if d, ok := payload.(ExportDoneEvent); ok {
		r.done <- d
	}
}

func TestExportStartListAndImportPreview(t *testing.T) {
	a := newClientTestApp(t)
	rt := &recRuntime{done: make(chan ExportDoneEvent, 1)}
	a.rt = rt
	c, err := a.ClientCreate(ClientInputDTO{Name: "Asha Kumar", DateOfBirth: "1990-05-01"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "asha.zip")
	if err := a.ExportStart(ExportStartDTO{ClientID: c.ID, Path: path}); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-rt.done:
		if d.Error != "" || d.Path != path {
			t.Fatalf("done %+v", d)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("no export:done")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	rt.mu.Lock()
	if len(rt.events) < 2 || rt.events[0] != EventExportProgress || rt.events[len(rt.events)-1] != EventExportDone {
		t.Fatalf("events %v", rt.events)
	}
	rt.mu.Unlock()
	list, err := a.ExportsList()
	if err != nil || len(list) != 1 || list[0].FileName != "asha.zip" || list[0].Kind != "export" {
		t.Fatalf("list %+v %v", list, err)
	}
	rep, err := a.ImportPreview(ImportDTO{Path: path})
	if err != nil || len(rep.Clients) != 1 || rep.Clients[0].Status != "exists" || rep.Imported {
		t.Fatalf("preview %+v %v", rep, err)
	}
	if err := a.ExportStart(ExportStartDTO{ClientID: c.ID, Path: path, Encrypt: "bogus"}); err == nil {
		t.Fatal("unknown encryption accepted")
	}
	if err := a.ExportCancel(); err != nil {
		t.Fatal(err)
	}
}
