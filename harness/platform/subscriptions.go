package platform

import (
	"encoding/json"
	"maps"
	"slices"
	"sort"

	memdb "github.com/hashicorp/go-memdb"

	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/policy"
)

// Subscription is one configured instance of a hook integration (an
// "audit log subscription", PLATFORM.md 8.2). Config holds the real values,
// secrets included: the server masks them on every read.
type Subscription struct {
	ID             string
	IntegrationKey string
	Name           string
	Config         map[string]any
	Statements     []policy.Statement
	On             bool
	Tags           []string
	CreationDate   int64
	Version        int
	// CreatedSeq is the sequence number of the change-history entry that
	// created the subscription: delivery offers it only later entries, so a
	// change made before it existed never reaches it, however late the
	// delivery loop reads the history.
	CreatedSeq uint64
}

func (s *Subscription) clone() *Subscription {
	c := *s
	c.Config = maps.Clone(s.Config)
	c.Statements = cloneStatements(s.Statements)
	c.Tags = slices.Clone(s.Tags)
	return &c
}

func cloneStatements(in []policy.Statement) []policy.Statement {
	if in == nil {
		return nil
	}
	out := make([]policy.Statement, len(in))
	for i, s := range in {
		out[i] = policy.Statement{Effect: s.Effect, Resources: slices.Clone(s.Resources),
			NotResources: slices.Clone(s.NotResources), Actions: slices.Clone(s.Actions), NotActions: slices.Clone(s.NotActions)}
	}
	return out
}

func cloneFormVariables(in []hook.FormVariable) []hook.FormVariable {
	if in == nil {
		return nil
	}
	out := slices.Clone(in)
	for i := range out {
		out[i].AllowedValues = slices.Clone(out[i].AllowedValues)
	}
	return out
}

// SubscriptionInput is what creating a subscription takes.
type SubscriptionInput struct {
	Name string
	// Config is keyed by the manifest's formVariables; it is checked and
	// completed with default values (see CheckConfig).
	Config map[string]any
	// Statements default to the manifest's defaultPolicy when empty.
	Statements []policy.Statement
	On         *bool // nil: on (DefaultSubscriptionOn)
	Tags       []string
}

// hookIntegration returns the integration with a hook capability, or the
// error a subscription call answers with.
func (p *Platform) hookIntegration(key string) (*Integration, error) {
	i, ok := p.byKey[key]
	if !ok {
		return nil, errorf(CodeNotFound, "integration %q not found: use the folder name of a loaded integration with capabilities.auditLogEventsHook, one of %v", key, p.hookKeys())
	}
	in := &p.ints[i]
	if in.Hook == nil {
		return nil, errorf(CodeNotFound, "integration %q has no capabilities.auditLogEventsHook (%s), so it takes no subscriptions: use one of %v", key, in.File, p.hookKeys())
	}
	return in, nil
}

func (p *Platform) hookKeys() []string {
	keys := []string{}
	for _, in := range p.ints {
		if in.Hook != nil {
			keys = append(keys, in.Key)
		}
	}
	return keys
}

// CreateSubscription checks and stores a new subscription and writes its
// change-history entry in the same transaction.
func (p *Platform) CreateSubscription(integrationKey string, in SubscriptionInput) (Subscription, error) {
	hi, err := p.hookIntegration(integrationKey)
	if err != nil {
		return Subscription{}, err
	}
	if in.Name == "" {
		return Subscription{}, errorf(CodeInvalid, "/name is required: give the subscription a name, e.g. \"%s to production\"", hi.Key)
	}
	if in.Config == nil {
		return Subscription{}, errorf(CodeInvalid, "/config is required: an object keyed by %s's formVariables (%s)", hi.Key, formKeys(hi.FormVariables))
	}
	cfg, err := CheckConfig(hi.Key, hi.FormVariables, in.Config, "/config")
	if err != nil {
		return Subscription{}, err
	}
	stmts, err := subscriptionStatements(hi, in.Statements)
	if err != nil {
		return Subscription{}, err
	}
	s := &Subscription{
		ID: newID(), IntegrationKey: hi.Key, Name: in.Name, Config: cfg, Statements: stmts,
		On: DefaultSubscriptionOn, Tags: slices.Clone(in.Tags), CreationDate: p.nowMs(), Version: 1,
	}
	if in.On != nil {
		s.On = *in.On
	}
	if s.Tags == nil {
		s.Tags = []string{}
	}
	txn, now := p.write()
	defer txn.Abort()
	s.CreationDate = now
	entry := p.subscriptionEntry(now, ActionCreateSubscription, s, hi)
	if err := p.insertAudit(txn, entry, nil, nil); err != nil {
		return Subscription{}, internal(err)
	}
	s.CreatedSeq = entry.Seq
	if err := txn.Insert(tableSubscriptions, s); err != nil {
		return Subscription{}, internal(err)
	}
	txn.Commit()
	return *s.clone(), nil
}

// subscriptionStatements checks given statements, or copies the manifest's
// defaultPolicy when none are given ([chosen], PLATFORM.md 8.2).
func subscriptionStatements(hi *Integration, given []policy.Statement) ([]policy.Statement, error) {
	if len(given) == 0 {
		return cloneStatements(hi.Hook.DefaultPolicy), nil
	}
	for i, st := range given {
		if err := st.Check("/statements/" + itoa(i)); err != nil {
			return nil, errorf(CodeInvalid, "%v", err)
		}
	}
	return cloneStatements(given), nil
}

// subscriptionEntry is the change-history entry of a subscription change.
func (p *Platform) subscriptionEntry(now int64, action string, s *Subscription, hi *Integration) *AuditEntry {
	res := SubscriptionResource(s.ID)
	name := hi.Name
	if name == "" {
		name = hi.Key
	}
	return subscriptionWording(action, name, s.Name, s.On).apply(&AuditEntry{
		Date: now, Accesses: []Access{{Action: action, Resource: res}}, Kind: KindIntegration, Name: s.Name,
		Member: restMember(), Target: Target{Name: s.Name, Resources: []string{res}},
	})
}

// SubscriptionResource is the resource specifier of a subscription in the
// change history and in policy statements ("integration/*" in ld-to-git's
// defaultPolicy names every subscription).
func SubscriptionResource(id string) string { return "integration/" + id }

// Subscriptions lists an integration's subscriptions, oldest first.
func (p *Platform) Subscriptions(integrationKey string) ([]Subscription, error) {
	if _, err := p.hookIntegration(integrationKey); err != nil {
		return nil, err
	}
	it, err := p.read().Get(tableSubscriptions, indexIntegration, integrationKey)
	if err != nil {
		return nil, internal(err)
	}
	return collectSubscriptions(it), nil
}

// AllSubscriptions lists every subscription of every integration, oldest
// first: what delivery offers each change to.
func (p *Platform) AllSubscriptions() []Subscription {
	it, err := p.read().Get(tableSubscriptions, indexID)
	if err != nil {
		return nil
	}
	return collectSubscriptions(it)
}

func collectSubscriptions(it memdb.ResultIterator) []Subscription {
	out := []Subscription{}
	for o := it.Next(); o != nil; o = it.Next() {
		out = append(out, *o.(*Subscription).clone())
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].CreationDate != out[j].CreationDate {
			return out[i].CreationDate < out[j].CreationDate
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Subscription returns one subscription of an integration.
func (p *Platform) Subscription(integrationKey, id string) (Subscription, error) {
	if _, err := p.hookIntegration(integrationKey); err != nil {
		return Subscription{}, err
	}
	s, err := getSubscription(p.read(), integrationKey, id)
	if err != nil {
		return Subscription{}, err
	}
	return *s.clone(), nil
}

func getSubscription(txn *memdb.Txn, integrationKey, id string) (*Subscription, error) {
	o, err := txn.First(tableSubscriptions, indexID, id)
	if err != nil {
		return nil, internal(err)
	}
	if o == nil || o.(*Subscription).IntegrationKey != integrationKey {
		return nil, errorf(CodeNotFound, "subscription %q of integration %q not found: list them with GET /api/v2/integrations/%s", id, integrationKey, integrationKey)
	}
	return o.(*Subscription), nil
}

// DeleteSubscription removes a subscription and records it.
func (p *Platform) DeleteSubscription(integrationKey, id string) error {
	hi, err := p.hookIntegration(integrationKey)
	if err != nil {
		return err
	}
	txn, now := p.write()
	defer txn.Abort()
	s, err := getSubscription(txn, integrationKey, id)
	if err != nil {
		return err
	}
	if err := txn.Delete(tableSubscriptions, s); err != nil {
		return internal(err)
	}
	if err := p.insertAudit(txn, p.subscriptionEntry(now, ActionDeleteSubscription, s, hi), nil, nil); err != nil {
		return internal(err)
	}
	txn.Commit()
	return nil
}

// PatchOp is one JSON Patch (RFC 6902) operation.
type PatchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	From  string          `json:"from,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
}

// PatchSubscription applies a JSON Patch to the subscription as the API
// shows it (name, config with secrets masked, statements, on, tags), checks
// the result as a new subscription would be checked, and stores it, all in
// one transaction: every op or none. A secret written back as the mask
// keeps its value; a failed "test" op is a conflict ([chosen]).
func (p *Platform) PatchSubscription(integrationKey, id string, ops []PatchOp) (Subscription, error) {
	hi, err := p.hookIntegration(integrationKey)
	if err != nil {
		return Subscription{}, err
	}
	if len(ops) == 0 {
		return Subscription{}, errorf(CodeInvalid, "the patch has no operations: send e.g. [{\"op\":\"replace\",\"path\":\"/on\",\"value\":false}]")
	}
	txn, now := p.write()
	defer txn.Abort()
	old, err := getSubscription(txn, integrationKey, id)
	if err != nil {
		return Subscription{}, err
	}
	doc := map[string]any{
		"name":       old.Name,
		"config":     MaskConfig(hi.FormVariables, old.Config),
		"statements": statementsAny(old.Statements),
		"on":         old.On,
		"tags":       stringsAny(old.Tags),
	}
	patched, err := applyPatch(doc, ops)
	if err != nil {
		return Subscription{}, err
	}
	next, err := subscriptionFromDoc(patched, hi, old)
	if err != nil {
		return Subscription{}, err
	}
	if subscriptionsEqual(old, next) {
		return *old.clone(), nil
	}
	next.Version = old.Version + 1
	if err := txn.Insert(tableSubscriptions, next); err != nil {
		return Subscription{}, internal(err)
	}
	if err := p.insertAudit(txn, p.subscriptionEntry(now, ActionUpdateSubscription, next, hi), nil, nil); err != nil {
		return Subscription{}, internal(err)
	}
	txn.Commit()
	return *next.clone(), nil
}

// subscriptionFromDoc reads a patched document back, restoring masked
// secrets from old.
func subscriptionFromDoc(doc map[string]any, hi *Integration, old *Subscription) (*Subscription, error) {
	for k := range doc {
		switch k {
		case "name", "config", "statements", "on", "tags":
		default:
			return nil, errorf(CodeInvalid, "/%s: a subscription has no such field: patch /name, /config, /statements, /on or /tags", k)
		}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, internal(err)
	}
	var in struct {
		Name       *string            `json:"name"`
		Config     map[string]any     `json:"config"`
		Statements []policy.Statement `json:"statements"`
		On         *bool              `json:"on"`
		Tags       []string           `json:"tags"`
	}
	if err := decodeStrict(raw, &in); err != nil {
		return nil, err
	}
	if in.Name == nil || *in.Name == "" {
		return nil, errorf(CodeInvalid, "/name: the patch leaves the subscription without a name: keep a non-empty name")
	}
	if in.On == nil {
		return nil, errorf(CodeInvalid, "/on: the patch removes on: replace it with true or false instead")
	}
	if in.Config == nil {
		return nil, errorf(CodeInvalid, "/config: the patch removes the config: patch its keys, e.g. /config/url")
	}
	for _, fv := range hi.FormVariables {
		if fv.IsSecret && in.Config[fv.Key] == hook.Mask {
			if v, ok := old.Config[fv.Key]; ok {
				in.Config[fv.Key] = v
			}
		}
	}
	cfg, err := CheckConfig(hi.Key, hi.FormVariables, in.Config, "/config")
	if err != nil {
		return nil, err
	}
	stmts, err := subscriptionStatements(hi, in.Statements)
	if err != nil {
		return nil, err
	}
	next := old.clone()
	next.Name, next.Config, next.Statements, next.On, next.Tags = *in.Name, cfg, stmts, *in.On, slices.Clone(in.Tags)
	if next.Tags == nil {
		next.Tags = []string{}
	}
	return next, nil
}

func subscriptionsEqual(a, b *Subscription) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func statementsAny(st []policy.Statement) any {
	raw, _ := json.Marshal(st)
	var v any
	_ = json.Unmarshal(raw, &v)
	return v
}

func stringsAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// MaskConfig returns a copy of config with every secret form variable's
// value (isSecret) replaced by the mask ([chosen] "********"). An empty
// secret stays empty: it hides nothing, and shows that none is set.
func MaskConfig(fvs []hook.FormVariable, config map[string]any) map[string]any {
	out := maps.Clone(config)
	if out == nil {
		out = map[string]any{}
	}
	for _, fv := range fvs {
		if v, ok := out[fv.Key]; ok && fv.IsSecret && v != "" {
			out[fv.Key] = hook.Mask
		}
	}
	return out
}

func subscriptionsTableSchema() *memdb.TableSchema {
	return &memdb.TableSchema{
		Name: tableSubscriptions,
		Indexes: map[string]*memdb.IndexSchema{
			indexID:          {Name: indexID, Unique: true, Indexer: &memdb.StringFieldIndex{Field: "ID"}},
			indexIntegration: {Name: indexIntegration, Indexer: &memdb.StringFieldIndex{Field: "IntegrationKey"}},
		},
	}
}
