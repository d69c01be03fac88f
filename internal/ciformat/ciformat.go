// Package ciformat holds what every CI report of the harness writes the
// same way, whether it reports on manifests (harness/manifest) or on
// scenarios (harness/steps): GitHub Actions workflow commands, the paths
// they name, and JUnit XML documents.
package ciformat

import (
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
)

var (
	dataEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// GitHubData escapes the message of a workflow command (after "::").
func GitHubData(s string) string { return dataEscaper.Replace(s) }

// GitHubProperty escapes a property value of a workflow command (file=,
// title=), where ":" and "," end the value.
func GitHubProperty(s string) string { return propEscaper.Replace(s) }

// FromWorkDir makes an absolute path relative to the working directory when
// it lies below it: GitHub places an annotation only by a path from the
// repository root, which is where a workflow step runs, and a CI job often
// passes --root as an absolute path.
func FromWorkDir(file string) string {
	if !filepath.IsAbs(file) {
		return filepath.ToSlash(file)
	}
	wd, err := os.Getwd()
	if err != nil {
		return file
	}
	if rel, err := filepath.Rel(wd, file); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return file
}

// WriteXML writes doc as an indented XML document with its header and a
// final newline, as every JUnit report of the harness is written.
func WriteXML(w io.Writer, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
