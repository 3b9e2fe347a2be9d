package wire

import (
	"strings"
	"testing"
)

const (
	goodCopy = `{"id":"0195f3a2-7b1c-7d00-8000-0000000000b1","size":1234,"sha256":"` +
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" + `","uploadedAt":"2025-03-03T04:30:00Z"}`
	goodList = `{"backups":[` + goodCopy + `,{"id":"0195f3a2-7b1c-7d00-8000-0000000000b0","size":99,"sha256":"` +
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" + `","uploadedAt":"2025-03-02T04:30:00Z"}]}`
)

func TestDecodeBackupList(t *testing.T) {
	tests := []struct {
		name, body, rule string
	}{
		{"good", goodList, ""},
		{"empty", `{"backups":[]}`, ""},
		{"absent list", `{}`, ""},
		{"oldest first", `{"backups":[` + strings.Replace(goodList[len(`{"backups":[`):], "2025-03-02", "2025-03-09", 1), "newest first"},
		{"duplicate id", `{"backups":[` + goodCopy + `,` + goodCopy + `]}`, "unique"},
		{"upper-case digest", strings.Replace(goodList, "9f86d0", "9F86D0", 1), "sha256"},
		{"short digest", strings.Replace(goodList, "9f86d0", "9f86", 1), "sha256"},
		{"zero size", strings.Replace(goodList, `"size":1234`, `"size":0`, 1), "size"},
		{"too large", strings.Replace(goodList, `"size":1234`, `"size":536870913`, 1), "size"},
		{"bad id", strings.Replace(goodList, "0195f3a2-7b1c-7d00-8000-0000000000b1", "../etc/passwd", 1), "id"},
		{"no time", strings.Replace(goodList, `,"uploadedAt":"2025-03-03T04:30:00Z"`, ``, 1), "uploadedAt"},
		{"trailing data", goodList + `{}`, "after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := DecodeBackupList([]byte(tt.body))
			if tt.rule == "" {
				if err != nil {
					t.Fatal(err)
				}
				if v.Backups == nil {
					t.Fatal("a decoded list is never nil")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.rule) {
				t.Fatalf("err = %v, want the rule %q", err, tt.rule)
			}
		})
	}
}

func TestValidSHA256(t *testing.T) {
	for s, want := range map[string]bool{
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855":  true,
		"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855":  false,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85":   false,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555": false,
		"g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855":  false,
	} {
		if ValidSHA256(s) != want {
			t.Errorf("ValidSHA256(%q) = %v", s, !want)
		}
	}
}

func FuzzDecodeBackupCopy(f *testing.F) {
	f.Add([]byte(goodCopy))
	f.Add([]byte(`{"id":"x","size":-1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeBackupCopy(b)
		if err != nil {
			return
		}
		if v.Size < 1 || v.Size > MaxBackupBytes || !ValidSHA256(v.SHA256) {
			t.Fatalf("accepted %+v", v)
		}
		roundTrip(t, v, DecodeBackupCopy)
	})
}

func FuzzDecodeBackupList(f *testing.F) {
	f.Add([]byte(goodList))
	f.Add([]byte(`{"backups":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeBackupList(b)
		if err != nil {
			return
		}
		for i, c := range v.Backups {
			if i > 0 && c.UploadedAt.After(v.Backups[i-1].UploadedAt) {
				t.Fatal("accepted a list that is not newest first")
			}
		}
		roundTrip(t, v, DecodeBackupList)
	})
}
