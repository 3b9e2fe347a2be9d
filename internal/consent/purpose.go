package consent

import "slices"

// Purpose is what a consent is for. Its string form is stored and synced;
// existing values never change meaning.
type Purpose string

// Purposes.
const (
	PurposeHealthData               Purpose = "health-data"               // processing health information (notes, summaries)
	PurposeTeleconsultation         Purpose = "teleconsultation"          // online sessions
	PurposeRecording                Purpose = "recording"                 // recording a session
	PurposeSummarySharing           Purpose = "summary-sharing"           // sharing session summaries with the client
	PurposeReminders                Purpose = "reminders"                 // appointment reminders by SMS, e-mail, WhatsApp
	PurposeCrossBorder              Purpose = "cross-border"              // processing outside India
	PurposeRepresentativeDisclosure Purpose = "representative-disclosure" // disclosure to a nominated representative
)

var allPurposes = []Purpose{
	PurposeHealthData, PurposeTeleconsultation, PurposeRecording, PurposeSummarySharing,
	PurposeReminders, PurposeCrossBorder, PurposeRepresentativeDisclosure,
}

// Purposes lists every purpose in the order the UI shows them.
func Purposes() []Purpose { return slices.Clone(allPurposes) }

// Valid reports whether p is a known purpose.
func (p Purpose) Valid() bool { return slices.Contains(allPurposes, p) }

// categories are the data categories each purpose covers, as codes.
var categories = map[Purpose][]string{
	PurposeHealthData:               {"identity", "contact", "health", "session_notes"},
	PurposeTeleconsultation:         {"identity", "contact", "session_audio_video"},
	PurposeRecording:                {"session_recording"},
	PurposeSummarySharing:           {"health", "session_summary"},
	PurposeReminders:                {"contact", "appointments"},
	PurposeCrossBorder:              {"identity", "contact", "health", "session_notes", "appointments"},
	PurposeRepresentativeDisclosure: {"identity", "health", "session_notes"},
}

// Categories returns the data categories p covers.
func (p Purpose) Categories() []string { return slices.Clone(categories[p]) }

// Method is how a grant was given: always a clear affirmative action.
type Method string

// Methods.
const (
	MethodCheckbox  Method = "checkbox"  // the client ticked an unticked box at the clinic
	MethodSignature Method = "signature" // the client signed (on paper or on screen)
	MethodPlatform  Method = "platform"  // given on the CalmAlly platform, arrived by sync
)

// Valid reports whether m is a known affirmative method.
func (m Method) Valid() bool {
	return m == MethodCheckbox || m == MethodSignature || m == MethodPlatform
}

// Channel is how a withdrawal reached the practice.
type Channel string

// Channels.
const (
	ChannelClinic   Channel = "clinic"
	ChannelPlatform Channel = "platform"
	ChannelPhone    Channel = "phone"
	ChannelEmail    Channel = "email"
	ChannelWritten  Channel = "written"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	switch c {
	case ChannelClinic, ChannelPlatform, ChannelPhone, ChannelEmail, ChannelWritten:
		return true
	}
	return false
}

// Kind is what an event records.
type Kind string

// Kinds.
const (
	KindGrant    Kind = "grant"
	KindWithdraw Kind = "withdraw"
)

// Source is where an event was recorded first.
type Source string

// Sources.
const (
	SourceClinic   Source = "clinic"
	SourcePlatform Source = "platform"
)

// Valid reports whether s is a known source.
func (s Source) Valid() bool { return s == SourceClinic || s == SourcePlatform }
