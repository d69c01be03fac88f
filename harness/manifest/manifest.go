// Package manifest loads integration manifests (integrations/<key>/manifest.json)
// and checks them against the framework's schema and rules.
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/flagharness/harness/harness/segment"
	"github.com/flagharness/harness/harness/trigger"
)

// Manifest is one integration's manifest as loaded from disk. Doc keeps the
// whole decoded document so the API can serve fields this type does not name.
type Manifest struct {
	Key  string // folder name under integrations/
	File string // path relative to the root, with forward slashes
	Dir  string // the integration folder on disk
	Raw  []byte // the file as read

	Name     string
	Overview string
	Doc      map[string]any
	Trigger  *Trigger // nil when the manifest has no trigger capability
	// SyncedSegment is capabilities.syncedSegment, read leniently (the
	// validator reports what is wrong); nil when the manifest has none.
	SyncedSegment *segment.Capability
}

// Trigger is the trigger capability (capabilities.trigger). It is an alias:
// package trigger owns the type, so that the validator and the runtime share
// one pointer check and one regexp compiler.
type Trigger = trigger.Spec

// Parser holds the JSON pointers that pick values out of a vendor's body.
type Parser = trigger.Parser

// LoadError says why one integration folder could not be loaded.
type LoadError struct {
	Key  string
	File string // relative to the root
	Line int    // 0 when unknown
	Col  int
	Err  error
}

func (e *LoadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Col, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *LoadError) Unwrap() error { return e.Err }

// ErrNoManifest marks an integration folder without a manifest.json.
var ErrNoManifest = errors.New("folder has no manifest.json: add one or remove the folder")

// Set is the loaded manifests, sorted by key. It is read-only once built and
// safe to share between goroutines.
type Set struct {
	list  []*Manifest
	byKey map[string]*Manifest
}

// NewSet builds a Set from manifests; a later duplicate key replaces an earlier one.
func NewSet(ms []*Manifest) *Set {
	s := &Set{byKey: make(map[string]*Manifest, len(ms))}
	for _, m := range ms {
		if _, dup := s.byKey[m.Key]; !dup {
			s.list = append(s.list, m)
		} else {
			for i := range s.list {
				if s.list[i].Key == m.Key {
					s.list[i] = m
				}
			}
		}
		s.byKey[m.Key] = m
	}
	sort.Slice(s.list, func(i, j int) bool { return s.list[i].Key < s.list[j].Key })
	return s
}

// All returns the manifests sorted by key. The slice must not be modified.
func (s *Set) All() []*Manifest {
	if s == nil {
		return nil
	}
	return s.list
}

// Get returns the manifest with the given key.
func (s *Set) Get(key string) (*Manifest, bool) {
	if s == nil {
		return nil, false
	}
	m, ok := s.byKey[key]
	return m, ok
}

// Len returns how many manifests the set holds.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.list)
}

// LoadDir loads every integrations/<key>/manifest.json under root. A folder
// whose manifest is missing or not valid JSON is reported in errs and the rest
// still load. The returned error is only for an unreadable integrations folder.
func LoadDir(root string) (set *Set, errs []*LoadError, err error) {
	return LoadFS(os.DirFS(root), root)
}

// LoadFS is LoadDir over any file system (embedded examples, tests). base is
// joined to each integration folder to fill Manifest.Dir.
func LoadFS(fsys fs.FS, base string) (*Set, []*LoadError, error) {
	entries, err := fs.ReadDir(fsys, "integrations")
	if err != nil {
		return nil, nil, fmt.Errorf("reading integrations folder: %w", err)
	}
	var ms []*Manifest
	var errs []*LoadError
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		key := e.Name()
		rel := "integrations/" + key + "/manifest.json"
		raw, err := fs.ReadFile(fsys, rel)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, &LoadError{Key: key, File: rel, Err: ErrNoManifest})
			} else {
				errs = append(errs, &LoadError{Key: key, File: rel, Err: err})
			}
			continue
		}
		m, lerr := Parse(key, rel, raw)
		if lerr != nil {
			errs = append(errs, lerr)
			continue
		}
		m.Dir = filepath.Join(base, "integrations", key)
		ms = append(ms, m)
	}
	return NewSet(ms), errs, nil
}

// Parse decodes one manifest's bytes. It fails only when the bytes are not a
// JSON object; schema and rule checks are Validate's job.
//
// A leading UTF-8 byte order mark is dropped, as Node's require() does for the
// framework's suite; Raw is the text after it, so positions match what an
// editor shows and the bytes embed as JSON.
func Parse(key, file string, raw []byte) (*Manifest, *LoadError) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		line, col := 0, 0
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col = LineCol(raw, int(se.Offset))
		case errors.As(err, &te):
			// The value is valid JSON of the wrong kind: point at its start.
			line, col = LineCol(raw, len(raw)-len(bytes.TrimLeft(raw, " \t\r\n")))
			return nil, &LoadError{Key: key, File: file, Line: line, Col: col, Err: notObject(te.Value)}
		default:
			line, col = LineCol(raw, len(raw))
		}
		return nil, &LoadError{Key: key, File: file, Line: line, Col: col, Err: fmt.Errorf("not valid JSON: %w", err)}
	}
	if doc == nil {
		// json decodes a top-level null into a map as a nil map, no error.
		line, col := LineCol(raw, len(raw)-len(bytes.TrimLeft(raw, " \t\r\n")))
		return nil, &LoadError{Key: key, File: file, Line: line, Col: col, Err: notObject("null")}
	}
	if dec.More() {
		line, col := LineCol(raw, int(dec.InputOffset()))
		return nil, &LoadError{Key: key, File: file, Line: line, Col: col, Err: errors.New("not valid JSON: extra data after the top-level object")}
	}
	m := &Manifest{Key: key, File: file, Raw: raw, Doc: doc}
	m.Name, _ = doc["name"].(string)
	m.Overview, _ = doc["overview"].(string)
	if caps, ok := doc["capabilities"].(map[string]any); ok {
		if t, ok := caps["trigger"].(map[string]any); ok {
			m.Trigger = decodeTrigger(t)
		}
		m.SyncedSegment = segment.Decode(caps["syncedSegment"])
	}
	return m, nil
}

func notObject(found string) error {
	switch found {
	case "array":
		found = "an array"
	case "string", "number":
		found = "a " + found
	case "bool":
		found = "a boolean"
	}
	return fmt.Errorf("a manifest must be one JSON object, but the file holds %s: put the manifest's fields inside { }", found)
}

// decodeTrigger reads the trigger capability leniently: a field of the wrong
// type is left empty here and reported by the validator.
func decodeTrigger(t map[string]any) *Trigger {
	tr := &Trigger{}
	tr.Documentation, _ = t["documentation"].(string)
	tr.Auth, _ = t["auth"].(string)
	if s, ok := t["defaultEventName"].(string); ok {
		tr.DefaultEventName = &s
	}
	if s, ok := t["testEventNameRegexp"].(string); ok {
		tr.TestEventNameRegexp = &s
	}
	if p, ok := t["parser"].(map[string]any); ok {
		tr.Parser.EventName, _ = p["eventName"].(string)
		tr.Parser.Value, _ = p["value"].(string)
		tr.Parser.URL, _ = p["url"].(string)
	}
	return tr
}

// LineCol turns a byte offset in src into a 1-based line and column
// (columns count bytes, as editors and CI annotations expect for ASCII JSON).
func LineCol(src []byte, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	line = 1 + bytes.Count(src[:off], []byte{'\n'})
	col = off - bytes.LastIndexByte(src[:off], '\n')
	return line, col
}
