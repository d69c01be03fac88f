package suggest

import (
	"io"
	"testing"

	"github.com/spf13/pflag"
)

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"valdate", "validate", 1}, {"datadgo", "datadog", 2}, {"héllo", "hello", 1},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q): expected %d, but got %d", c.a, c.b, c.want, got)
		}
	}
}

func TestClosest(t *testing.T) {
	known := []string{"check", "validate", "serve", "test", "preview"}
	for _, c := range []struct{ got, want string }{
		{"valdate", "validate"}, {"serv", "serve"}, {"tset", "test"}, {"xyzzy", ""}, {"deploy", ""},
	} {
		if got := Closest(c.got, known); got != c.want {
			t.Errorf("Closest(%q): expected %q, but got %q", c.got, c.want, got)
		}
	}
}

func TestFlagError(t *testing.T) {
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.String("root", ".", "")
	for _, tt := range []struct{ arg, want string }{
		{"--roto", "unknown flag: --roto: did you mean --root?"},
		{"--zzzzzzzz", "unknown flag: --zzzzzzzz"},
		{"-q", "unknown shorthand flag: 'q' in -q"},
	} {
		err := fs.Parse([]string{tt.arg})
		if err == nil {
			t.Fatalf("%s: expected a parse error", tt.arg)
		}
		if got := FlagError(fs, err); got != tt.want {
			t.Errorf("%s: expected %q, but got %q", tt.arg, tt.want, got)
		}
	}
}
