package backend

import (
	"context"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/calmally/practice/internal/sync/wire"
)

// The OpenAPI file is checked against the wire types by reflection, so the
// machine-readable contract cannot drift from the code both sides use.

const openAPIPath = "../../docs/sync-openapi.yaml"

// openAPISchemas maps each component schema to the wire type it describes.
var openAPISchemas = map[string]reflect.Type{
	"Info":            reflect.TypeFor[wire.Info](),
	"EnrolRequest":    reflect.TypeFor[wire.EnrolRequest](),
	"EnrolResponse":   reflect.TypeFor[wire.EnrolResponse](),
	"Mutation":        reflect.TypeFor[wire.Mutation](),
	"PushRequest":     reflect.TypeFor[wire.PushRequest](),
	"MutationResult":  reflect.TypeFor[wire.MutationResult](),
	"PushResponse":    reflect.TypeFor[wire.PushResponse](),
	"Change":          reflect.TypeFor[wire.Change](),
	"PullResponse":    reflect.TypeFor[wire.PullResponse](),
	"ErrorBody":       reflect.TypeFor[wire.ErrorBody](),
	"ErrorDetail":     reflect.TypeFor[wire.ErrorDetail](),
	"Booking":         reflect.TypeFor[wire.Booking](),
	"Match":           reflect.TypeFor[wire.Match](),
	"PlatformConsent": reflect.TypeFor[wire.PlatformConsent](),
	"Client":          reflect.TypeFor[wire.Client](),
	"Grievance":       reflect.TypeFor[wire.Grievance](),
	"Takedown":        reflect.TypeFor[wire.Takedown](),
	"Profile":         reflect.TypeFor[wire.Profile](),
	"NoticeVersion":   reflect.TypeFor[wire.NoticeVersion](),
	"BackupCopy":      reflect.TypeFor[wire.BackupCopy](),
	"BackupList":      reflect.TypeFor[wire.BackupList](),
}

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(openAPIPath)
	if err != nil {
		t.Fatalf("parse %s: %v", openAPIPath, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s is not valid OpenAPI 3: %v", openAPIPath, err)
	}
	return doc
}

func TestOpenAPIEndpoints(t *testing.T) {
	doc := loadOpenAPI(t)
	// binary: "request" or "response" is application/octet-stream (a
	// backup file) rather than a JSON schema.
	const binary = "binary"
	want := []struct {
		method, path, request, response string
		auth                            bool
	}{
		{"GET", "/v1/info", "", "Info", false},
		{"POST", "/v1/devices", "EnrolRequest", "EnrolResponse", false},
		{"DELETE", "/v1/devices/self", "", "", true},
		{"POST", "/v1/push", "PushRequest", "PushResponse", true},
		{"GET", "/v1/pull", "", "PullResponse", true},
		{"GET", "/v1/backups", "", "BackupList", true},
		{"PUT", "/v1/backups/{id}", binary, "BackupCopy", true},
		{"GET", "/v1/backups/{id}", "", binary, true},
	}
	count := 0
	for _, item := range doc.Paths.Map() {
		count += len(item.Operations())
	}
	if count != len(want) {
		t.Errorf("the file has %d operations, the protocol %d", count, len(want))
	}
	for _, w := range want {
		item := doc.Paths.Value(w.path)
		if item == nil || item.GetOperation(w.method) == nil {
			t.Errorf("%s %s is missing", w.method, w.path)
			continue
		}
		op := item.GetOperation(w.method)
		hasProtocol := false
		for _, p := range op.Parameters {
			if p.Value.In == "header" && p.Value.Name == wire.HeaderProtocol && p.Value.Required {
				hasProtocol = true
			}
		}
		if !hasProtocol {
			t.Errorf("%s %s does not require the %s header", w.method, w.path, wire.HeaderProtocol)
		}
		if auth := op.Security != nil && len(*op.Security) > 0; auth != w.auth {
			t.Errorf("%s %s: needs a token = %v, want %v", w.method, w.path, auth, w.auth)
		}
		switch w.request {
		case "":
		case binary:
			if op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/octet-stream") == nil {
				t.Errorf("%s %s does not take application/octet-stream", w.method, w.path)
			}
			if p := op.Parameters.GetByInAndName("header", wire.HeaderBackupSHA256); p == nil || !p.Required {
				t.Errorf("%s %s does not require the %s header", w.method, w.path, wire.HeaderBackupSHA256)
			}
		default:
			if got := refName(op.RequestBody.Value.Content.Get("application/json").Schema); got != w.request {
				t.Errorf("%s %s request body is %q, want %q", w.method, w.path, got, w.request)
			}
		}
		ok := op.Responses.Value("200")
		if w.response == binary {
			if ok == nil || ok.Value.Content.Get("application/octet-stream") == nil || ok.Value.Headers[wire.HeaderBackupSHA256] == nil {
				t.Errorf("%s %s does not answer 200 with the file and its %s header", w.method, w.path, wire.HeaderBackupSHA256)
			}
		} else if w.response == "" {
			ok = op.Responses.Value("204")
			if ok == nil {
				t.Errorf("%s %s has no 204", w.method, w.path)
			}
		} else if ok == nil || refName(ok.Value.Content.Get("application/json").Schema) != w.response {
			t.Errorf("%s %s does not answer 200 with %s", w.method, w.path, w.response)
		}
		for code, r := range op.Responses.Map() {
			if code[0] == '4' || code[0] == '5' {
				if refName(r.Value.Content.Get("application/json").Schema) != "ErrorBody" {
					t.Errorf("%s %s answers %s without the error body", w.method, w.path, code)
				}
			}
		}
	}
}

func refName(s *openapi3.SchemaRef) string {
	if s == nil {
		return ""
	}
	return strings.TrimPrefix(s.Ref, "#/components/schemas/")
}

// jsonField is one field of a wire struct as JSON sees it.
type jsonField struct {
	name     string
	required bool // no omitempty/omitzero: always written
	typ      reflect.Type
}

func jsonFields(rt reflect.Type) map[string]jsonField {
	out := map[string]jsonField{}
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out[name] = jsonField{name: name, required: !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero"), typ: f.Type}
	}
	return out
}

var timeType = reflect.TypeFor[time.Time]()

// checkType compares a property's schema with the Go type of its field.
func checkType(t *testing.T, where string, s *openapi3.SchemaRef, gt reflect.Type) {
	t.Helper()
	if gt.Kind() == reflect.Struct && gt != timeType {
		if refName(s) != gt.Name() {
			t.Errorf("%s: want a $ref to %s, got %q", where, gt.Name(), s.Ref)
		}
		return
	}
	v := s.Value
	switch {
	case gt == timeType:
		if !v.Type.Is("string") || v.Format != "date-time" {
			t.Errorf("%s: a time is a date-time string", where)
		}
	case gt.Kind() == reflect.String:
		if !v.Type.Is("string") {
			t.Errorf("%s: want string", where)
		}
	case gt.Kind() == reflect.Int || gt.Kind() == reflect.Int64:
		if !v.Type.Is("integer") {
			t.Errorf("%s: want integer", where)
		}
	case gt.Kind() == reflect.Bool:
		if !v.Type.Is("boolean") {
			t.Errorf("%s: want boolean", where)
		}
	case gt.Kind() == reflect.Slice:
		if !v.Type.Is("array") || v.Items == nil {
			t.Errorf("%s: want array", where)
			return
		}
		checkType(t, where+"[]", v.Items, gt.Elem())
	case gt.Kind() == reflect.Map:
		if !v.Type.Is("object") && len(v.AnyOf) == 0 {
			t.Errorf("%s: want an object", where)
		}
	default:
		t.Errorf("%s: Go type %v has no rule in this test", where, gt)
	}
}

func TestOpenAPISchemasMatchTheWireTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	for name := range doc.Components.Schemas {
		if _, ok := openAPISchemas[name]; !ok {
			t.Errorf("schema %s describes no wire type (add it to openAPISchemas)", name)
		}
	}
	for name, rt := range openAPISchemas {
		ref := doc.Components.Schemas[name]
		if ref == nil {
			t.Errorf("schema %s (wire.%s) is missing", name, rt.Name())
			continue
		}
		s := ref.Value
		fields := jsonFields(rt)
		var props, goNames []string
		for p := range s.Properties {
			props = append(props, p)
		}
		for n := range fields {
			goNames = append(goNames, n)
		}
		sort.Strings(props)
		sort.Strings(goNames)
		if !slices.Equal(props, goNames) {
			t.Errorf("%s properties %v, wire.%s fields %v", name, props, rt.Name(), goNames)
			continue
		}
		var wantRequired []string
		for n, f := range fields {
			if f.required {
				wantRequired = append(wantRequired, n)
			}
		}
		sort.Strings(wantRequired)
		gotRequired := slices.Clone(s.Required)
		sort.Strings(gotRequired)
		if !slices.Equal(gotRequired, wantRequired) {
			t.Errorf("%s required %v, want %v (the fields without omitempty)", name, gotRequired, wantRequired)
		}
		for n, f := range fields {
			checkType(t, name+"."+n, s.Properties[n], f.typ)
		}
	}
}

func TestOpenAPIEnumsMatchTheProtocol(t *testing.T) {
	doc := loadOpenAPI(t)
	enum := func(schema, prop string) []string {
		var out []string
		for _, v := range doc.Components.Schemas[schema].Value.Properties[prop].Value.Enum {
			out = append(out, v.(string))
		}
		return out
	}
	same := func(what string, got, want []string) {
		t.Helper()
		g, w := slices.Clone(got), slices.Clone(want)
		sort.Strings(g)
		sort.Strings(w)
		if !slices.Equal(g, w) {
			t.Errorf("%s: the file says %v, the code %v", what, got, want)
		}
	}
	same("MutationResult.status", enum("MutationResult", "status"), []string{wire.ResultApplied, wire.ResultDuplicate, wire.ResultRejected})
	same("Change.type", enum("Change", "type"), []string{wire.TypeBooking, wire.TypeMatch, wire.TypeClient, wire.TypeGrievance, wire.TypeTakedown, wire.TypeProfile, wire.TypeNotice})
	same("NoticeVersion.kind", enum("NoticeVersion", "kind"), []string{wire.NoticePrivacyPolicy, wire.NoticeConsent})
	same("Booking.status", enum("Booking", "status"), wire.BookingStatuses)
	same("Booking.paymentStatus", enum("Booking", "paymentStatus"), wire.PaymentStatuses)
	same("Match.status", enum("Match", "status"), wire.MatchStatuses)
	same("Grievance.status", enum("Grievance", "status"), wire.GrievanceStates)
	same("Takedown.status", enum("Takedown", "status"), wire.TakedownStates)
	same("Profile.reviewState", enum("Profile", "reviewState"), wire.ReviewStates)
	same("PlatformConsent.purpose", enum("PlatformConsent", "purpose"), wire.ConsentPurposes)
	same("the backend's consent purposes", consentPurposes, wire.ConsentPurposes)

	var kinds []string
	for _, k := range doc.Components.Schemas["Mutation"].Value.Properties["kind"].Value.Extensions["x-kinds"].([]any) {
		kinds = append(kinds, k.(string))
	}
	same("Mutation.kind x-kinds", kinds, wire.Kinds())
	for _, k := range wire.Kinds() {
		if _, ok := appliers[k]; !ok {
			t.Errorf("the backend has no rule for %s", k)
		}
	}
	if len(appliers) != len(wire.Kinds()) {
		t.Errorf("the backend applies %d kinds, the protocol has %d", len(appliers), len(wire.Kinds()))
	}
}
