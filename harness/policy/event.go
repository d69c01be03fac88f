package policy

// Event holds the fields of a change-history event that policy reads. The
// hook package fills it from an event context.
type Event struct {
	Kind     string // flag, segment, environment, project, metric, member, webhook, ...
	VerbKind string // the action, such as updateOn
	Key      string // the resource's key; empty for member and webhook events
	TargetID string // target._id
	Tags     []string

	ProjectKey  string
	ProjectTags []string
	EnvKey      string // "~" for all environments
	EnvTags     []string
}

// Subject maps an event to the resource and action statements are matched
// against. The mapping is the harness's choice (the platform does not
// document it):
//
//	flag        proj/{p}:env/{e}:flag/{key}
//	segment     proj/{p}:env/{e}:segment/{key}
//	environment proj/{p}:env/{key}
//	project     proj/{key}
//	metric      proj/{p}:metric/{key}
//	member      member/{target._id}
//	webhook     webhook/{target._id}
//	other kinds {kind}/{key}, or {kind}/{target._id} without a key
//
// The action is verbKind. The last level carries the event's own tags, the
// proj level project.tags and a middle env level project.environment.tags; an
// environment event's own level carries both its tags and
// project.environment.tags, as the samples fill either.
func Subject(e Event) (Resource, string) {
	proj := Segment{Type: "proj", Key: e.ProjectKey, Tags: e.ProjectTags}
	env := Segment{Type: "env", Key: e.EnvKey, Tags: e.EnvTags}
	own := func(typ, key string) Segment { return Segment{Type: typ, Key: key, Tags: e.Tags} }
	idOr := func(key string) string {
		if key != "" {
			return key
		}
		return e.TargetID
	}
	var r Resource
	switch e.Kind {
	case "flag", "segment":
		r = Resource{proj, env, own(e.Kind, e.Key)}
	case "environment":
		self := own("env", e.Key)
		self.Tags = union(e.Tags, e.EnvTags)
		r = Resource{proj, self}
	case "project":
		r = Resource{own("proj", e.Key)}
	case "metric":
		r = Resource{proj, own("metric", e.Key)}
	case "member", "webhook":
		r = Resource{own(e.Kind, e.TargetID)}
	default:
		r = Resource{own(e.Kind, idOr(e.Key))}
	}
	return r, e.VerbKind
}

func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, t := range b {
		seen := false
		for _, x := range out {
			seen = seen || x == t
		}
		if !seen {
			out = append(out, t)
		}
	}
	return out
}

// Allows is Evaluate on the event's subject.
func Allows(stmts []Statement, e Event) Decision {
	r, action := Subject(e)
	return Evaluate(stmts, r, action)
}
