package scaffold

import (
	"github.com/flagharness/harness/harness/manifest"
)

// manifestHead is what every scaffolded manifest starts with, whatever its
// capability; encoding/json writes an embedded struct's fields in place, so
// the key order stays the framework's.
type manifestHead struct {
	Name         string        `json:"name"`
	Version      string        `json:"version"`
	Overview     string        `json:"overview"`
	Description  string        `json:"description"`
	Author       string        `json:"author"`
	SupportEmail string        `json:"supportEmail"`
	Links        manifestLinks `json:"links"`
	Categories   []string      `json:"categories"`
	Icons        manifestIcons `json:"icons"`
}

// manifestDoc fixes the key order of the generated manifest to the
// order the framework's own manifests use.
type manifestDoc struct {
	manifestHead
	Capabilities struct {
		Trigger *manifest.Trigger `json:"trigger"`
	} `json:"capabilities"`
}

type manifestLinks struct {
	Site          string `json:"site"`
	PrivacyPolicy string `json:"privacyPolicy"`
}

type manifestIcons struct {
	Square     string `json:"square"`
	Horizontal string `json:"horizontal"`
}

func manifestJSON(key, name string, tr *manifest.Trigger) ([]byte, error) {
	overview := "Turn flags on or off when " + name + " raises an alert."
	if len([]rune(overview)) > 100 {
		overview = "Turn flags on or off when an alert fires."
	}
	m := manifestDoc{manifestHead: manifestHead{
		Name:         name,
		Version:      "0.1.0",
		Overview:     overview,
		Description:  "Connect " + name + " alerts to a flag trigger: when " + name + " raises an alert, the trigger turns a feature flag on or off in one environment.",
		Author:       name,
		SupportEmail: "support@example.com",
		Links:        manifestLinks{Site: "https://example.com", PrivacyPolicy: "https://example.com/privacy"},
		Categories:   []string{"monitoring"},
		Icons:        manifestIcons{Square: "assets/images/square.svg", Horizontal: "assets/images/horizontal.svg"},
	}}
	m.Capabilities.Trigger = tr
	b, err := encodeJSON(m)
	if err != nil {
		return nil, err
	}
	if _, lerr := manifest.Parse(key, "integrations/"+key+"/manifest.json", b); lerr != nil {
		return nil, lerr
	}
	return b, nil
}

const squareSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">
  <rect width="32" height="32" rx="6" fill="#3d5afe"/>
  <path d="M16 6 27 25H5z" fill="#fff"/>
  <rect x="15" y="13" width="2" height="6" fill="#3d5afe"/>
  <rect x="15" y="21" width="2" height="2" fill="#3d5afe"/>
</svg>
`

const horizontalSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="32" viewBox="0 0 128 32">
  <rect width="32" height="32" rx="6" fill="#3d5afe"/>
  <path d="M16 6 27 25H5z" fill="#fff"/>
  <rect x="15" y="13" width="2" height="6" fill="#3d5afe"/>
  <rect x="15" y="21" width="2" height="2" fill="#3d5afe"/>
  <rect x="40" y="10" width="80" height="5" rx="2" fill="#3d5afe"/>
  <rect x="40" y="19" width="56" height="4" rx="2" fill="#9fa8da"/>
</svg>
`
