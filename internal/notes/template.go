package notes

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/calmally/practice/internal/apperr"
)

// Section is one heading of a template. Key names the section in a note's
// sections map; Summary marks the section a client-facing summary is derived
// from ("plan" or "homework", or empty).
type Section struct {
	Key     string `json:"key"`
	Label   string `json:"label"`
	Prompt  string `json:"prompt,omitempty"`
	Summary string `json:"summary,omitempty"`
}

// Template is a versioned note structure. A template version never changes:
// editing a user template stores a new version, and each note keeps the id and
// version it was written with.
type Template struct {
	ID        string    `json:"id"`
	Version   int       `json:"version"`
	Name      string    `json:"name"`
	Sections  []Section `json:"sections"`
	Builtin   bool      `json:"builtin"`
	CreatedAt time.Time `json:"createdAt"`
}

// Keys lists the section keys in template order.
func (t Template) Keys() []string {
	keys := make([]string, len(t.Sections))
	for i, s := range t.Sections {
		keys[i] = s.Key
	}
	return keys
}

func (t Template) has(key string) bool {
	for _, s := range t.Sections {
		if s.Key == key {
			return true
		}
	}
	return false
}

// Summary section markers.
const (
	SummaryPlan     = "plan"
	SummaryHomework = "homework"
)

// Built-in template ids.
const (
	TemplateSOAP = "soap"
	TemplateDAP  = "dap"
	TemplateBIRP = "birp"
	TemplateFree = "free"
)

// builtins are the templates that ship with the app. Changing one means adding
// a new Version here and keeping the old ones, because signed notes name the
// version they were written with.
var builtins = []Template{
	{ID: TemplateSOAP, Version: 1, Name: "SOAP", Builtin: true, Sections: []Section{
		{Key: "subjective", Label: "Subjective", Prompt: "What the client reports: concerns, mood, events since the last session, in their words where useful."},
		{Key: "objective", Label: "Objective", Prompt: "What you observed: appearance, affect, behaviour, measures and scores."},
		{Key: "assessment", Label: "Assessment", Prompt: "Your clinical impression: progress towards goals, risk, formulation."},
		{Key: "plan", Label: "Plan", Prompt: "Next steps: interventions, homework, referrals, next session.", Summary: SummaryPlan},
	}},
	{ID: TemplateDAP, Version: 1, Name: "DAP", Builtin: true, Sections: []Section{
		{Key: "data", Label: "Data", Prompt: "What happened in the session: what the client said and what you observed."},
		{Key: "assessment", Label: "Assessment", Prompt: "Your interpretation of the data: progress, risk, formulation."},
		{Key: "plan", Label: "Plan", Prompt: "Next steps: interventions, homework, next session.", Summary: SummaryPlan},
	}},
	{ID: TemplateBIRP, Version: 1, Name: "BIRP", Builtin: true, Sections: []Section{
		{Key: "behavior", Label: "Behaviour", Prompt: "The client's presentation and what they reported."},
		{Key: "intervention", Label: "Intervention", Prompt: "What you did: techniques and approaches used."},
		{Key: "response", Label: "Response", Prompt: "How the client responded to the interventions."},
		{Key: "plan", Label: "Plan", Prompt: "Next steps: homework, goals, next session.", Summary: SummaryPlan},
	}},
	{ID: TemplateFree, Version: 1, Name: "Free text", Builtin: true, Sections: []Section{
		{Key: "body", Label: "Note"},
	}},
}

// Builtins returns the built-in templates (newest version of each).
func Builtins() []Template {
	out := make([]Template, 0, len(builtins))
	for _, t := range builtins {
		out = append(out, cloneTemplate(t))
	}
	return latestOnly(out)
}

func builtin(id string, version int) (Template, bool) {
	var best Template
	found := false
	for _, t := range builtins {
		if t.ID != id || (version != 0 && t.Version != version) {
			continue
		}
		if !found || t.Version > best.Version {
			best, found = t, true
		}
	}
	return cloneTemplate(best), found
}

func isBuiltinID(id string) bool {
	for _, t := range builtins {
		if t.ID == id {
			return true
		}
	}
	return false
}

func cloneTemplate(t Template) Template {
	t.Sections = append([]Section(nil), t.Sections...)
	return t
}

// latestOnly keeps the highest version of each template id, in first-seen order.
func latestOnly(ts []Template) []Template {
	idx := map[string]int{}
	var out []Template
	for _, t := range ts {
		if i, ok := idx[t.ID]; ok {
			if t.Version > out[i].Version {
				out[i] = t
			}
			continue
		}
		idx[t.ID] = len(out)
		out = append(out, t)
	}
	return out
}

// Limits on templates. They are structure, not content, so they stay small.
const (
	maxSections    = 30
	maxLabelLen    = 80
	maxPromptLen   = 500
	maxTemplateLen = 80
)

func validKey(k string) bool {
	if k == "" || len(k) > 32 || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for i := 1; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// validate checks a template's structure. Messages name the rule only.
func (t Template) validate() error {
	if t.Name == "" || utf8.RuneCountInString(t.Name) > maxTemplateLen || !utf8.ValidString(t.Name) {
		return apperr.Errorf(apperr.Invalid, "a template needs a name of 1 to %d characters", maxTemplateLen)
	}
	if len(t.Sections) == 0 || len(t.Sections) > maxSections {
		return apperr.Errorf(apperr.Invalid, "a template needs 1 to %d sections", maxSections)
	}
	seen := map[string]bool{}
	summary := map[string]bool{}
	for i, s := range t.Sections {
		if !validKey(s.Key) {
			return apperr.Errorf(apperr.Invalid, "section %d: keys are lowercase letters, digits and _ (up to 32, starting with a letter)", i+1)
		}
		if seen[s.Key] {
			return apperr.Errorf(apperr.Invalid, "section %d: section keys must be unique", i+1)
		}
		seen[s.Key] = true
		if s.Label == "" || utf8.RuneCountInString(s.Label) > maxLabelLen || !utf8.ValidString(s.Label) {
			return apperr.Errorf(apperr.Invalid, "section %d: a label of 1 to %d characters is required", i+1, maxLabelLen)
		}
		if utf8.RuneCountInString(s.Prompt) > maxPromptLen || !utf8.ValidString(s.Prompt) {
			return apperr.Errorf(apperr.Invalid, "section %d: prompts are at most %d characters", i+1, maxPromptLen)
		}
		switch s.Summary {
		case "":
		case SummaryPlan, SummaryHomework:
			if summary[s.Summary] {
				return apperr.Errorf(apperr.Invalid, "section %d: only one section may feed the summary's %s", i+1, s.Summary)
			}
			summary[s.Summary] = true
		default:
			return apperr.Errorf(apperr.Invalid, "section %d: summary must be plan, homework or empty", i+1)
		}
	}
	return nil
}

func (t Template) String() string { return fmt.Sprintf("%s v%d", t.ID, t.Version) }
