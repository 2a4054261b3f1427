package sandbox

import "strings"

// closeList is a Close list endpoint the sandbox serves, as its reference describes it.
type closeList struct {
	path    string // under /api/v1/, without the trailing slash
	prefix  string // id prefix
	onePage bool   // the reference lists no paging parameter: every record in one answer
	// typical is a usual account's count for configuration lists (at most Options.Records
	// unless Sizes says otherwise); 0 means Options.Records.
	typical int
	typ     string // _type of activity records
}

// closeLists are the list endpoints in the order Resources gives them; each table is named
// after its path with "/" as "_" (activity/status_change/lead: activity_status_change_lead).
var closeLists = []closeList{
	{path: "lead", prefix: "lead"}, {path: "contact", prefix: "cont"}, {path: "opportunity", prefix: "oppo"},
	{path: "activity", prefix: "acti"}, {path: "event", prefix: "ev"},
	{path: "task", prefix: "task"}, {path: "user", prefix: "user", typical: 12},
	{path: "activity/note", prefix: "acti", typ: "Note"}, {path: "activity/call", prefix: "acti", typ: "Call"},
	{path: "activity/email", prefix: "acti", typ: "Email"}, {path: "activity/emailthread", prefix: "acti", typ: "EmailThread"},
	{path: "activity/sms", prefix: "acti", typ: "SMS"}, {path: "activity/whatsapp_message", prefix: "acti", typ: "WhatsAppMessage"},
	{path: "activity/meeting", prefix: "acti", typ: "Meeting"}, {path: "activity/custom", prefix: "acti", typ: "Custom"},
	{path: "activity/created", prefix: "acti", typ: "Created"}, {path: "activity/form_submission", prefix: "acti", typ: "FormSubmission"},
	{path: "activity/status_change/lead", prefix: "acti", typ: "LeadStatusChange"},
	{path: "activity/status_change/opportunity", prefix: "acti", typ: "OpportunityStatusChange"},
	{path: "activity/lead_merge", prefix: "acti", typ: "LeadMerge"}, {path: "activity/task_completed", prefix: "acti", typ: "TaskCompleted"},
	{path: "custom_field/lead", prefix: "cf", typical: 10}, {path: "custom_field/contact", prefix: "cf", typical: 10},
	{path: "custom_field/opportunity", prefix: "cf", typical: 10}, {path: "custom_field/activity", prefix: "cf", typical: 10},
	{path: "sequence", prefix: "seq", typical: 15}, {path: "saved_search", prefix: "save", typical: 20},
	{path: "email_template", prefix: "tmpl", typical: 25}, {path: "sms_template", prefix: "smstmpl", typical: 10},
	{path: "pipeline", prefix: "pipe", onePage: true, typical: 3},
	{path: "status/lead", prefix: "stat", onePage: true, typical: 6},
	{path: "status/opportunity", prefix: "stat", onePage: true, typical: 8},
	{path: "custom_activity", prefix: "actitype", onePage: true, typical: 3},
	{path: "custom_object_type", prefix: "cotype", onePage: true, typical: 2},
	{path: "custom_field/custom_object_type", prefix: "cf", onePage: true, typical: 6},
	{path: "custom_field/shared", prefix: "cf", onePage: true, typical: 4},
}

// closeObjectPrefix names the table of one custom object type's records:
// custom_object.<type id>, one table per type the custom_object_type table starts with.
const closeObjectPrefix = "custom_object."

func closeTableName(path string) string { return strings.ReplaceAll(path, "/", "_") }

// closeListAt is the list served at path, if any.
func closeListAt(path string) (closeList, bool) {
	for _, l := range closeLists {
		if l.path == path {
			return l, true
		}
	}
	return closeList{}, false
}

// closeSize is how many generated records a Close list starts with: Sizes first, then the
// typical count of a configuration list (never more than Records), then Records.
func (s *Server) closeSize(l closeList) int {
	name := closeTableName(l.path)
	if _, ok := s.opts.Sizes[Close+"/"+name]; ok || l.typical == 0 {
		return s.size(Close, name)
	}
	return min(l.typical, max(s.opts.Records, 0))
}

// closePath is the endpoint that lists table name's records.
func closePath(name string) string {
	if strings.HasPrefix(name, closeObjectPrefix) {
		return "/api/v1/custom_object/"
	}
	for _, l := range closeLists {
		if closeTableName(l.path) == name {
			return "/api/v1/" + l.path + "/"
		}
	}
	return ""
}
