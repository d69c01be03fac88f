package platform

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	yaml "go.yaml.in/yaml/v3"
)

// Seed is the start state `harness serve --seed FILE` creates: projects,
// flags with their on/off state per environment, and triggers. The file is
// YAML or JSON (JSON is YAML).
type Seed struct {
	Projects []SeedProject `yaml:"projects"`
	Flags    []SeedFlag    `yaml:"flags"`
	Triggers []SeedTrigger `yaml:"triggers"`
	// Tokens are API access tokens with their roles (PLATFORM.md 9.2).
	Tokens []SeedToken `yaml:"tokens"`
	// ClientSideIDs give existing environments (those of project
	// "default", say) the client-side IDs partner payloads carry.
	ClientSideIDs []SeedClientSideID `yaml:"clientSideIds"`
	// Segments are standard (not synced) segments.
	Segments []SeedSegment `yaml:"segments"`
}

// SeedToken is one access token: a built-in role, or custom-role actions
// limited to some projects (patterns; empty means all).
type SeedToken struct {
	Token    string   `yaml:"token"`
	Name     string   `yaml:"name"`
	Role     string   `yaml:"role"`
	Actions  []string `yaml:"actions"`
	Projects []string `yaml:"projects"`
}

// SeedClientSideID sets one environment's client-side ID. Project defaults
// to "default".
type SeedClientSideID struct {
	Project     string `yaml:"project"`
	Environment string `yaml:"env"`
	ID          string `yaml:"id"`
}

// SeedSegment is one standard segment. Project defaults to "default".
type SeedSegment struct {
	Project     string   `yaml:"project"`
	Environment string   `yaml:"env"`
	Key         string   `yaml:"key"`
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Included    []string `yaml:"included"`
}

// SeedProject is one project of a seed; without environments it gets
// production and test.
type SeedProject struct {
	Key          string            `yaml:"key"`
	Name         string            `yaml:"name"`
	Environments []SeedEnvironment `yaml:"environments"`
}

// SeedEnvironment is one environment of a seeded project.
type SeedEnvironment struct {
	Key   string `yaml:"key"`
	Name  string `yaml:"name"`
	Color string `yaml:"color"`
	// ClientSideID fixes the environment's client-side ID (its _id).
	ClientSideID string `yaml:"clientSideId"`
}

// SeedFlag is one boolean flag of a seed. Project defaults to "default".
type SeedFlag struct {
	Project     string          `yaml:"project"`
	Key         string          `yaml:"key"`
	Name        string          `yaml:"name"`
	Description string          `yaml:"description"`
	On          map[string]bool `yaml:"on"`
}

// SeedTrigger is one trigger of a seed. Project defaults to "default" and
// Action to turnFlagOff, what an alert usually means. ID and Token fix the
// trigger's URL so CI scripts can hard-code it.
type SeedTrigger struct {
	Project     string `yaml:"project"`
	Flag        string `yaml:"flag"`
	Environment string `yaml:"env"`
	Integration string `yaml:"integration"`
	Action      string `yaml:"action"`
	Comment     string `yaml:"comment"`
	ID          string `yaml:"id"`
	Token       string `yaml:"token"`
}

// ParseSeed decodes a seed file's bytes; name is used in error messages.
// Unknown fields are errors, so a typo does not silently seed less.
func ParseSeed(name string, data []byte) (*Seed, error) {
	var s Seed
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			return &s, nil
		}
		return nil, fmt.Errorf("%s: %v (expected top-level keys projects, flags, triggers, tokens, clientSideIds and segments; see harness serve --help)", name, err)
	}
	return &s, nil
}

// ApplySeed creates everything in s, in order: projects, flags, triggers. It
// returns the triggers it created, tokens included. name is the seed file,
// for error messages, which name the entry's path, e.g. "/triggers/2".
func (p *Platform) ApplySeed(name string, s *Seed) ([]Trigger, error) {
	for i, sp := range s.Projects {
		in := ProjectInput{Key: sp.Key, Name: sp.Name}
		if in.Name == "" {
			in.Name = sp.Key
		}
		for _, e := range sp.Environments {
			in.Environments = append(in.Environments, Environment{Key: e.Key, Name: e.Name, Color: e.Color, ID: e.ClientSideID})
		}
		if _, err := p.CreateProject(in); err != nil {
			return nil, fmt.Errorf("%s: /projects/%d: %w", name, i, err)
		}
	}
	for i, sf := range s.Flags {
		if sf.Project == "" {
			sf.Project = DefaultProject
		}
		if sf.Key == "" {
			return nil, fmt.Errorf("%s: /flags/%d/key is required", name, i)
		}
		if _, err := p.CreateFlag(sf.Project, FlagInput{Key: sf.Key, Name: sf.Name, Description: sf.Description, On: sf.On}); err != nil {
			return nil, fmt.Errorf("%s: /flags/%d: %w", name, i, err)
		}
	}
	for i, c := range s.ClientSideIDs {
		if c.Project == "" {
			c.Project = DefaultProject
		}
		if _, err := p.SetClientSideID(c.Project, c.Environment, c.ID); err != nil {
			return nil, fmt.Errorf("%s: /clientSideIds/%d: %w", name, i, err)
		}
	}
	for i, t := range s.Tokens {
		if t.Name == "" {
			t.Name = fmt.Sprintf("token %d", i)
		}
		if err := p.AddToken(Token{Secret: t.Token, Name: t.Name, Role: t.Role, Actions: t.Actions, Projects: t.Projects}); err != nil {
			return nil, fmt.Errorf("%s: /tokens/%d: %w", name, i, err)
		}
	}
	for i, sg := range s.Segments {
		if sg.Project == "" {
			sg.Project = DefaultProject
		}
		if _, err := p.CreateSegment(sg.Project, sg.Environment, SegmentInput{Key: sg.Key, Name: sg.Name, Description: sg.Description, Included: sg.Included}); err != nil {
			return nil, fmt.Errorf("%s: /segments/%d: %w", name, i, err)
		}
	}
	var out []Trigger
	for i, st := range s.Triggers {
		if st.Project == "" {
			st.Project = DefaultProject
		}
		if st.Action == "" {
			st.Action = ActionTurnOff
		}
		if st.Flag == "" || st.Environment == "" || st.Integration == "" {
			return nil, fmt.Errorf("%s: /triggers/%d: flag, env and integration are required", name, i)
		}
		t, err := p.CreateTrigger(st.Project, st.Flag, st.Environment, TriggerInput{
			IntegrationKey: st.Integration, Comment: st.Comment, Action: st.Action, ID: st.ID, Token: st.Token,
		})
		if err != nil {
			return nil, fmt.Errorf("%s: /triggers/%d: %w", name, i, err)
		}
		out = append(out, t)
	}
	return out, nil
}
