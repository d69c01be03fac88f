package scaffold

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/trigger"
)

func TestParseParserFlag(t *testing.T) {
	tests := []struct {
		in      string
		want    trigger.Parser
		wantErr string
	}{
		{in: "eventName=/title,url=/url", want: trigger.Parser{EventName: "/title", URL: "/url"}},
		{in: "eventName=/a/b,value=/m/0/v,url=/l", want: trigger.Parser{EventName: "/a/b", Value: "/m/0/v", URL: "/l"}},
		{in: "eventName=/a,b,value=/v", want: trigger.Parser{EventName: "/a,b", Value: "/v"}},
		{in: "value=/v", wantErr: "needs eventName"},
		{in: "eventName=title", wantErr: "not a JSON pointer"},
		{in: "eventName=/t,colour=/c", wantErr: `"colour" is not a parser field`},
		{in: "eventName=/t,eventName=/u", wantErr: "given twice"},
		{in: "eventName=", wantErr: "has no pointer"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseParser(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestFixtureBodyResolves(t *testing.T) {
	tests := []trigger.Parser{
		{EventName: "/eventName", Value: "/value", URL: "/url"},
		{EventName: "/incident/title", Value: "/incident/metrics/0/value", URL: "/incident/links/html"},
		{EventName: "/a~1b/c~0d", URL: "/list/2"},
	}
	for _, p := range tests {
		t.Run(p.EventName, func(t *testing.T) {
			body, err := fixtureBody(p, "Name", "12.5", "https://x.example/1")
			if err != nil {
				t.Fatal(err)
			}
			rules, err := trigger.Compile(&manifest.Trigger{Parser: p})
			if err != nil {
				t.Fatal(err)
			}
			ev := rules.Parse(body)
			want := trigger.Event{EventName: "Name", URL: "https://x.example/1", ValidJSON: true}
			if p.Value != "" {
				want.Value = "12.5"
			}
			if ev.EventName != want.EventName || ev.Value != want.Value || ev.URL != want.URL || ev.EventNameDefaulted {
				t.Errorf("parsed %+v out of\n%s", ev, body)
			}
		})
	}
	if _, err := fixtureBody(trigger.Parser{EventName: "/a", URL: "/a/b"}, "n", "1", "u"); err == nil {
		t.Error("overlapping pointers gave no error")
	}
}

func TestSampleMatch(t *testing.T) {
	for _, pattern := range []string{`^\[Test\] `, `^PING-[0-9]{3}$`, `(?i)^synthetic (check|probe)$`, `^x+y?z$`, `[[:upper:]]{2}-\d`} {
		s, ok := sampleMatch(pattern)
		if !ok || !scaffoldRegexpMatches(pattern, s) {
			t.Errorf("sampleMatch(%q) = %q, %v: does not match", pattern, s, ok)
		}
	}
}

func scaffoldRegexpMatches(pattern, s string) bool {
	r, err := trigger.Compile(&manifest.Trigger{TestEventNameRegexp: &pattern})
	return err == nil && r.TestRegexp.MatchString(s)
}

func TestScaffoldRefusals(t *testing.T) {
	everything := ".*"
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"bad key", Options{Key: "Acme Alerts", Parser: "eventName=/e"}, "not an integration key"},
		{"name with trigger", Options{Key: "acme", Name: "Acme Trigger", Parser: "eventName=/e"}, `contains the word "trigger"`},
		{"short name", Options{Key: "ab", Parser: "eventName=/e"}, "give --name"},
		{"regexp matches all", Options{Key: "acme", Parser: "eventName=/e", TestRegexp: &everything}, "matches every sample alert name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	files, err := Build(Options{Key: "acme-trigger", Parser: "eventName=/e"})
	if err != nil {
		t.Fatal(err)
	}
	m, lerr := manifest.Parse("acme-trigger", "m.json", files[0].Data)
	if lerr != nil || m.Name != "Acme" {
		t.Errorf("name from key acme-trigger = %q, %v; want \"Acme\"", m.Name, lerr)
	}
}

var updateNew = flag.Bool("update-new", false, "rewrite the golden files of harness new under testdata/new")

// TestNewGolden pins what harness new writes for a nested parser with a test
// regexp; run with -update-new after an intended change and review the diff.
func TestNewGolden(t *testing.T) {
	files, err := Build(Options{
		Key:        "beacon",
		Name:       "Beacon Monitoring",
		Parser:     "eventName=/incident/title,value=/incident/metrics/0/value,url=/incident/links/html",
		TestRegexp: scaffoldPtr(`^\[Test\] `),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		golden := filepath.Join("testdata", "new", filepath.FromSlash(f.Path))
		if *updateNew {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -run TestNewGolden -update-new to create it)", err)
		}
		if d := cmp.Diff(string(want), string(f.Data)); d != "" {
			t.Errorf("%s (-golden +now):\n%s", f.Path, d)
		}
	}
}

func scaffoldPtr[T any](v T) *T { return &v }
