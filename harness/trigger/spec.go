package trigger

// Spec is the trigger capability of a manifest (capabilities.trigger). It is
// defined here, not in package manifest, so that the validator can use this
// package's pointer and regexp checks: manifest.Trigger is an alias of it.
type Spec struct {
	Documentation       string  `json:"documentation"`
	Auth                string  `json:"auth,omitempty"`
	Parser              Parser  `json:"parser"`
	DefaultEventName    *string `json:"defaultEventName,omitempty"`
	TestEventNameRegexp *string `json:"testEventNameRegexp,omitempty"`
}

// Parser holds the JSON pointers that pick values out of a vendor's body.
// An empty string means the manifest does not set that pointer.
type Parser struct {
	EventName string `json:"eventName,omitempty"`
	Value     string `json:"value,omitempty"`
	URL       string `json:"url,omitempty"`
}

// Clone returns a copy of s that shares no pointer with it, or nil for nil.
func (s *Spec) Clone() *Spec {
	if s == nil {
		return nil
	}
	c := *s
	if s.DefaultEventName != nil {
		v := *s.DefaultEventName
		c.DefaultEventName = &v
	}
	if s.TestEventNameRegexp != nil {
		v := *s.TestEventNameRegexp
		c.TestEventNameRegexp = &v
	}
	return &c
}
