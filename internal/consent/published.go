package consent

import (
	"context"
	"time"

	"github.com/calmally/practice/internal/apperr"
)

// Published is a consent-notice version the platform published after this
// build shipped (it arrives by sync). Material says whether it changes what
// people agreed to: consents given under an older version of a material
// notice are flagged for renewal. Summary says what changed.
type Published struct {
	Notice
	Material    bool
	Summary     string
	PublishedAt time.Time
}

// notice returns version v (0: the newest) of p's notice in lang, from the
// notices shipped with the app and those published since.
func (s *Service) notice(ctx context.Context, p Purpose, v int, lang string) (Notice, error) {
	shipped, err := NoticeVersion(p, v, lang)
	if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return Notice{}, err
	}
	pub, perr := s.published(ctx)
	if perr != nil {
		return Notice{}, perr
	}
	if lang == "" {
		lang = "en"
	}
	best, found := shipped, err == nil
	for _, n := range pub {
		if n.Purpose != p || n.Language != lang {
			continue
		}
		if (v == 0 && (!found || n.Version > best.Version)) || (v != 0 && n.Version == v && !found) {
			best, found = n.Notice, true
		}
	}
	if !found {
		return Notice{}, apperr.New(apperr.NotFound, "no notice of that version for that purpose and language")
	}
	return best, nil
}

// CurrentNotice is the newest notice for p in lang, counting versions the
// platform published after this build shipped. New consents are captured
// under it.
func (s *Service) CurrentNotice(ctx context.Context, p Purpose, lang string) (Notice, error) {
	return s.notice(ctx, p, 0, lang)
}

func (s *Service) published(ctx context.Context) ([]Published, error) {
	if s.publishedFn == nil {
		return nil, nil
	}
	return s.publishedFn(ctx)
}

// materialVersions maps each purpose to its newest material published
// version (any language: a material change is material in every wording).
func materialVersions(pub []Published) map[Purpose]int {
	m := map[Purpose]int{}
	for _, n := range pub {
		if n.Material && n.Version > m[n.Purpose] {
			m[n.Purpose] = n.Version
		}
	}
	return m
}

// flagRenewals sets RenewalVersion on granted states whose deciding consent
// was given under a notice older than the newest material version.
func flagRenewals(states []State, material map[Purpose]int) {
	for i := range states {
		st := &states[i]
		if st.Status != StatusGranted || st.Event == nil {
			continue
		}
		if v := material[st.Purpose]; v > st.Event.NoticeVersion {
			st.RenewalVersion = v
		}
	}
}

// Renewal is a consent in force that was given under a notice a material
// change has since replaced: the client should be asked again.
type Renewal struct {
	ClientID       string
	Purpose        Purpose
	GivenVersion   int
	CurrentVersion int
	GivenAt        time.Time
}

// Renewals lists every consent in force that needs renewal, by client then
// purpose order. It reads plain ledger columns only.
func (s *Service) Renewals(ctx context.Context) ([]Renewal, error) {
	pub, err := s.published(ctx)
	if err != nil {
		return nil, err
	}
	material := materialVersions(pub)
	if len(material) == 0 {
		return nil, nil
	}
	rows, _, err := s.store.Ledger(ctx)
	if err != nil {
		return nil, err
	}
	byClient := map[string][]Row{}
	var order []string
	for _, r := range rows {
		if _, ok := byClient[r.ClientID]; !ok {
			order = append(order, r.ClientID)
		}
		byClient[r.ClientID] = append(byClient[r.ClientID], r)
	}
	now := s.clock()
	var out []Renewal
	for _, id := range order {
		states := DeriveAll(byClient[id], now)
		flagRenewals(states, material)
		for _, st := range states {
			if st.RenewalVersion > 0 {
				out = append(out, Renewal{ClientID: id, Purpose: st.Purpose, GivenVersion: st.Event.NoticeVersion,
					CurrentVersion: st.RenewalVersion, GivenAt: st.Event.At})
			}
		}
	}
	return out, nil
}

// NewPublished builds a published version of p's notice (its id, title and
// hash derived as for the notices shipped with the app).
func NewPublished(p Purpose, version int, lang, text string, material bool, summary string, at time.Time) Published {
	return Published{Notice: newNotice(p, version, lang, text), Material: material, Summary: summary, PublishedAt: at}
}
