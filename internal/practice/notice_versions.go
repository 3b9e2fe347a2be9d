package practice

import (
	"context"
	"strconv"

	"github.com/calmally/practice/internal/audit"
	"github.com/calmally/practice/internal/consent"
	"github.com/calmally/practice/internal/store"
	"github.com/calmally/practice/internal/sync/wire"
)

// Versions of the platform's privacy policy and consent notices published
// after this build shipped. They arrive by sync (change type "notice"): a
// new consent-notice version becomes the one new consents are captured
// under, and a material one flags the consents given under older versions
// for renewal; a material privacy-policy version is shown to the
// practitioner until acknowledged.

// RecordTypeNoticeVersion names published notice versions in the audit trail.
const RecordTypeNoticeVersion = "notice_version"

func (p *Practice) noticeVersionStore() *store.NoticeVersionStore {
	return store.NewNoticeVersionStore(p.db, p.AuditChain)
}

// ReceiveNoticeVersion stores a pulled notice version; the sync applier
// calls it for each "notice" change. Idempotent: the same version again
// changes nothing; a changed text under a published version is refused as a
// conflict, which the sync engine records and skips.
func (p *Practice) ReceiveNoticeVersion(ctx context.Context, n wire.NoticeVersion) error {
	if _, err := p.Keys(); err != nil {
		return err
	}
	v := store.NoticeVersion{ID: n.ID, Kind: n.Kind, Purpose: n.Purpose, Version: n.Version, Language: n.Language,
		Text: n.Text, Summary: n.Summary, Material: n.Material, PublishedAt: n.PublishedAt, ReceivedAt: p.Now()}
	e, err := audit.Event{Action: audit.ActionSync, RecordType: RecordTypeNoticeVersion, RecordID: n.ID,
		Detail: audit.D("kind", n.Kind, "version", strconv.Itoa(n.Version), "material", strconv.FormatBool(n.Material))}.Entry(p.Now(), p.opts.Actor)
	if err != nil {
		return err
	}
	_, err = p.noticeVersionStore().Insert(ctx, v, e)
	return err
}

// NoticeVersions lists every published version received, oldest first per
// kind and purpose.
func (p *Practice) NoticeVersions(ctx context.Context) ([]store.NoticeVersion, error) {
	if _, err := p.Keys(); err != nil {
		return nil, err
	}
	return p.noticeVersionStore().All(ctx)
}

// PolicyUpdates lists the material privacy-policy versions the practitioner
// has not acknowledged yet, oldest first.
func (p *Practice) PolicyUpdates(ctx context.Context) ([]store.NoticeVersion, error) {
	all, err := p.NoticeVersions(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.NoticeVersion
	for _, v := range all {
		if v.Kind == wire.NoticePrivacyPolicy && v.Material && v.AcknowledgedAt.IsZero() {
			out = append(out, v)
		}
	}
	return out, nil
}

// AcknowledgeNoticeVersion records that the practitioner read version id.
func (p *Practice) AcknowledgeNoticeVersion(ctx context.Context, id string) error {
	if _, err := p.Keys(); err != nil {
		return err
	}
	e, err := audit.Event{Action: audit.ActionView, RecordType: RecordTypeNoticeVersion, RecordID: id,
		Detail: audit.D("op", "acknowledge")}.Entry(p.Now(), p.opts.Actor)
	if err != nil {
		return err
	}
	return p.noticeVersionStore().Acknowledge(ctx, id, p.Now(), e)
}

// publishedConsentNotices feeds the consent ledger the consent-notice
// versions received from the platform.
func (p *Practice) publishedConsentNotices(ctx context.Context) ([]consent.Published, error) {
	all, err := p.noticeVersionStore().All(ctx)
	if err != nil {
		return nil, err
	}
	var out []consent.Published
	for _, v := range all {
		if v.Kind != wire.NoticeConsent {
			continue
		}
		out = append(out, consent.NewPublished(consent.Purpose(v.Purpose), v.Version, v.Language, v.Text, v.Material, v.Summary, v.PublishedAt))
	}
	return out, nil
}

// ConsentRenewals lists the consents in force that a material notice change
// has flagged for renewal.
func (p *Practice) ConsentRenewals(ctx context.Context) ([]consent.Renewal, error) {
	if _, err := p.Keys(); err != nil {
		return nil, err
	}
	return p.Consent().Renewals(ctx)
}
