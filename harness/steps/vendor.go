package steps

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/cucumber/godog"

	"github.com/flagharness/harness/harness/fixture"
)

// loadFixture resolves a fixture path under the fixtures directory and
// refuses one that climbs out of it, so a feature cannot read arbitrary files.
func (w *world) loadFixture(name string) (*fixture.Request, error) {
	clean := filepath.Clean(filepath.FromSlash(name))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("fixture %q must be a relative path inside the fixtures directory %s", name, w.suite.cfg.FixturesDir)
	}
	path := filepath.Join(w.suite.cfg.FixturesDir, clean)
	req, err := fixture.Load(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("fixture %q not found at %s: check --fixtures or the path in the feature", name, path)
		}
		return nil, fmt.Errorf("fixture %q: %w", name, err)
	}
	return req, nil
}

func (w *world) sendFixture(name, url string, times int) error {
	req, err := w.loadFixture(name)
	if err != nil {
		return err
	}
	for i := 0; i < times; i++ {
		if err := w.send(url, req.ReplayMethod(), req.Header, req.Body); err != nil {
			return err
		}
	}
	w.lastFixture = req
	return nil
}

func (w *world) vendorSends(name string) error {
	if err := w.needTrigger(); err != nil {
		return err
	}
	return w.sendFixture(name, w.trig.URL, 1)
}

func (w *world) vendorSendsTimes(name string, n int) error {
	if err := w.needTrigger(); err != nil {
		return err
	}
	return w.sendFixture(name, w.trig.URL, n)
}

func (w *world) vendorSendsPrevious(name string) error {
	if err := w.needTrigger(); err != nil {
		return err
	}
	if w.previousURL == "" {
		return errors.New("there is no previous trigger URL: add the step When the trigger URL is reset first")
	}
	return w.sendFixture(name, w.previousURL, 1)
}

func (w *world) vendorSendsPayload(doc *godog.DocString) error {
	return w.vendorSendsPayloadAs("application/json", doc)
}

func (w *world) vendorSendsPayloadAs(contentType string, doc *godog.DocString) error {
	if err := w.needTrigger(); err != nil {
		return err
	}
	w.lastFixture = nil
	return w.send(w.trig.URL, http.MethodPost, http.Header{"Content-Type": {contentType}}, []byte(doc.Content))
}

func (w *world) vendorSendsEmpty() error {
	if err := w.needTrigger(); err != nil {
		return err
	}
	w.lastFixture = nil
	return w.send(w.trig.URL, http.MethodPost, nil, nil)
}

func (w *world) vendorSendsMethod(method string) error {
	if err := w.needTrigger(); err != nil {
		return err
	}
	w.lastFixture = nil
	return w.send(w.trig.URL, strings.ToUpper(method), nil, nil)
}

// parsedAsRecorded compares what the platform parsed now with what it parsed
// when the fixture was recorded: the replay regression check.
func (w *world) parsedAsRecorded() error {
	if err := w.needReply(); err != nil {
		return err
	}
	if w.lastFixture == nil || w.lastFixture.Recording == nil {
		return errors.New("the last request was not a recorded fixture (*.request.json), so there is no recorded parse to compare with")
	}
	b := w.last.Body
	got := fixture.Parsed{
		EventName: b.EventName, EventNameDefaulted: b.EventNameDefaulted, Value: b.Value,
		URL: b.URL, IsTestEvent: b.IsTestEvent, ValidJSON: b.ValidJSON,
	}
	return w.diff("the parse of "+w.lastFixture.Name+" (recorded as -, now +)", w.lastFixture.Recording.Parsed, got)
}
