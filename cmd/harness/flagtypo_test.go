package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// A misspelt flag gets a did-you-mean in every command that has flags:
// each command's first long flag in its --help, with its last letter
// dropped, must be answered with exit 2 and that flag's name.
func TestEveryCommandSuggestsAMisspeltFlag(t *testing.T) {
	longFlag := regexp.MustCompile(`(?m)^\s+(?:-\w, )?--([a-z][a-z-]{3,})\b`)
	tried := 0
	for _, c := range commands() {
		var help, discard bytes.Buffer
		if code := run(context.Background(), []string{c.name, "--help"}, &help, &discard); code != exitOK {
			t.Fatalf("harness %s --help: exit %d", c.name, code)
		}
		flagsPart := help.String()
		if i := strings.LastIndex(flagsPart, "Flags:"); i >= 0 {
			flagsPart = flagsPart[i:]
		}
		var name string
		for _, m := range longFlag.FindAllStringSubmatch(flagsPart, -1) {
			if m[1] != "help" {
				name = m[1]
				break
			}
		}
		if name == "" {
			continue // a command without flags of its own (version)
		}
		tried++
		typo := "--" + name[:len(name)-1]
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{c.name, typo}, &out, &errOut)
		if code != exitUsage || !strings.Contains(errOut.String(), "did you mean --"+name+"?") {
			t.Errorf("harness %s %s: expected exit 2 and \"did you mean --%s?\", but got %d: %s", c.name, typo, name, code, errOut.String())
		}
	}
	if tried < 8 {
		t.Fatalf("expected to try a misspelt flag on at least 8 commands, but found flags in %d helps", tried)
	}
}
