package steps

func (w *world) respondsWith(code int) error {
	if w.last == nil {
		return w.failf("expected the trigger to respond with status %d, but nothing was sent", code)
	}
	if w.last.Status != code {
		return w.failf("expected the trigger to respond with status %d, but got %d", code, w.last.Status)
	}
	return nil
}

func (w *world) outcomeIs(outcome string) error {
	if err := w.needReply(); err != nil {
		return err
	}
	return w.diff("the trigger outcome", outcome, string(w.last.Body.Outcome))
}

func (w *world) isTestEvent() error {
	if err := w.needReply(); err != nil {
		return err
	}
	if !w.last.Body.IsTestEvent {
		return w.failf("expected the event %s to be recognised as a test event, but it was not", quoted(w.last.Body.EventName))
	}
	return nil
}

func (w *world) isNotTestEvent() error {
	if err := w.needReply(); err != nil {
		return err
	}
	if w.last.Body.IsTestEvent {
		return w.failf("expected the event %s not to be a test event, but it was recognised as one", quoted(w.last.Body.EventName))
	}
	return nil
}

func (w *world) eventNameIs(name string) error {
	if err := w.needReply(); err != nil {
		return err
	}
	return w.diff("the event name", name, w.last.Body.EventName)
}

func (w *world) eventNameDefault(name string) error {
	if err := w.needReply(); err != nil {
		return err
	}
	if !w.last.Body.EventNameDefaulted {
		return w.failf("expected the event name to be the default %s, but the parser found %s", quoted(name), quoted(w.last.Body.EventName))
	}
	return w.diff("the default event name", name, w.last.Body.EventName)
}

func (w *world) eventValueIs(v string) error {
	if err := w.needReply(); err != nil {
		return err
	}
	return w.diff("the event value", v, w.last.Body.Value)
}

func (w *world) eventNoValue() error { return w.eventValueIs("") }

func (w *world) eventURLIs(u string) error {
	if err := w.needReply(); err != nil {
		return err
	}
	return w.diff("the event URL", u, w.last.Body.URL)
}

func (w *world) eventNoURL() error { return w.eventURLIs("") }

func (w *world) bodyValidJSON(not string) error {
	if err := w.needReply(); err != nil {
		return err
	}
	want := not == ""
	if w.last.Body.ValidJSON != want {
		if want {
			return w.failf("expected the platform to read the body as valid JSON, but it did not")
		}
		return w.failf("expected the body not to be valid JSON, but the platform read it as JSON")
	}
	return nil
}
