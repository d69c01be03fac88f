package platform

import memdb "github.com/hashicorp/go-memdb"

// Table and index names.
const (
	tableProjects = "projects"
	tableFlags    = "flags"
	tableTriggers = "triggers"
	tableHistory  = "history"    // the change history's head (history.go)
	tableCounts   = "flagcounts" // flags per project, for totalCount
	// tableSubscriptions holds hook subscriptions (subscriptions.go).
	tableSubscriptions = "subscriptions"

	indexID = "id"
	// indexIntegration: subscriptions of one integration.
	indexIntegration = "integration"
)

// Every read that names a flag goes through an index, so that its cost does
// not grow with the account (README, Benchmarks): a project's flags are a
// prefix of the flags' id index, a flag's triggers are listed in its row
// (flagRow), and a flag's history is a chain in the change history's log
// (history.go), which is kept outside these trees. The indexers are in
// indexes.go.
func schema() *memdb.DBSchema {
	return &memdb.DBSchema{
		Tables: map[string]*memdb.TableSchema{
			tableProjects: {Name: tableProjects, Indexes: map[string]*memdb.IndexSchema{
				indexID: {Name: indexID, Unique: true, Indexer: projectKeyIndex},
			}},
			tableFlags: {Name: tableFlags, Indexes: map[string]*memdb.IndexSchema{
				indexID: {Name: indexID, Unique: true, Indexer: flagKeyIndex},
			}},
			tableTriggers: {Name: tableTriggers, Indexes: map[string]*memdb.IndexSchema{
				indexID: {Name: indexID, Unique: true, Indexer: triggerIDIndex},
			}},
			tableCounts: {Name: tableCounts, Indexes: map[string]*memdb.IndexSchema{
				indexID: {Name: indexID, Unique: true, Indexer: countKeyIndex},
			}},
			tableTokens:        tokensTableSchema(),
			tableSegments:      segmentsTableSchema(),
			tableMembers:       membersTableSchema(),
			tableSubscriptions: subscriptionsTableSchema(),
			tableHistory: {Name: tableHistory, Indexes: map[string]*memdb.IndexSchema{
				indexID: {Name: indexID, Unique: true, Indexer: singletonIndex{}},
			}},
		},
	}
}
