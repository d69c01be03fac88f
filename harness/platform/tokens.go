package platform

import (
	"path"
	"slices"
	"strings"

	memdb "github.com/hashicorp/go-memdb"
)

// Roles of an access token. Reader may only read; the others may do every
// action (PLATFORM.md 9.2 names Writer as enough for synced segments).
const (
	RoleReader = "reader"
	RoleWriter = "writer"
	RoleAdmin  = "admin"
	RoleOwner  = "owner"
)

// Actions a synced-segment request needs on proj/*:env/*:segment/*
// (PLATFORM.md 9.2).
const (
	ActionCreateSegment  = "createSegment"
	ActionUpdateIncluded = "updateIncluded"
)

// Token is an API access token the fake knows: a built-in role, or a custom
// role's actions limited to some projects. Stored values are immutable.
type Token struct {
	Secret string // what the Authorization header carries
	Name   string
	Role   string // RoleReader, RoleWriter, RoleAdmin or RoleOwner; "" with Actions means a custom role
	// Actions are the custom role's allowed actions ("*" for all).
	Actions []string
	// Projects are path.Match patterns of the project keys the custom role
	// reaches; empty means every project.
	Projects []string
}

func (t *Token) clone() *Token {
	c := *t
	c.Actions = slices.Clone(t.Actions)
	c.Projects = slices.Clone(t.Projects)
	return &c
}

// Allows reports whether the token may do action in the project.
func (t Token) Allows(action, projectKey string) bool {
	switch t.Role {
	case RoleWriter, RoleAdmin, RoleOwner:
		return true
	case RoleReader:
		return false
	}
	if !slices.Contains(t.Actions, action) && !slices.Contains(t.Actions, "*") {
		return false
	}
	if len(t.Projects) == 0 {
		return true
	}
	for _, pat := range t.Projects {
		if ok, _ := path.Match(pat, projectKey); ok {
			return true
		}
	}
	return false
}

const tableTokens = "tokens"

func tokensTableSchema() *memdb.TableSchema {
	return &memdb.TableSchema{
		Name: tableTokens,
		Indexes: map[string]*memdb.IndexSchema{
			indexID: {Name: indexID, Unique: true, Indexer: &memdb.StringFieldIndex{Field: "Secret"}},
		},
	}
}

// AddToken makes the fake know a token. A token given twice is an error, so
// a seed cannot give one secret two roles.
func (p *Platform) AddToken(t Token) error {
	if strings.TrimSpace(t.Secret) == "" {
		return errorf(CodeInvalid, "a token needs a secret: set token to the value the Authorization header will carry")
	}
	switch t.Role {
	case "", RoleReader, RoleWriter, RoleAdmin, RoleOwner:
	default:
		return errorf(CodeInvalid, "token %q: role %q is not a built-in role: use reader, writer, admin or owner, or leave role out and list actions", t.Name, t.Role)
	}
	if t.Role == "" && len(t.Actions) == 0 {
		return errorf(CodeInvalid, "token %q has neither a role nor actions: give it role writer, or actions such as [createSegment, updateIncluded]", t.Name)
	}
	for _, pat := range t.Projects {
		if _, err := path.Match(pat, ""); err != nil {
			return errorf(CodeInvalid, "token %q: project pattern %q is not a valid pattern", t.Name, pat)
		}
	}
	txn := p.db.Load().Txn(true)
	defer txn.Abort()
	if o, err := txn.First(tableTokens, indexID, t.Secret); err != nil {
		return internal(err)
	} else if o != nil {
		return errorf(CodeConflict, "token %q is given twice: give each secret once", t.Name)
	}
	if err := txn.Insert(tableTokens, t.clone()); err != nil {
		return internal(err)
	}
	txn.Commit()
	return nil
}

// LookupToken returns the token with the given secret.
func (p *Platform) LookupToken(secret string) (Token, bool) {
	o, err := p.read().First(tableTokens, indexID, secret)
	if err != nil || o == nil {
		return Token{}, false
	}
	return *o.(*Token).clone(), true
}

// HasTokens reports whether any token was added; without one the fake
// accepts any token (README, Fidelity).
func (p *Platform) HasTokens() bool {
	o, err := p.read().First(tableTokens, indexID)
	return err == nil && o != nil
}
