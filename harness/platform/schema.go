package platform

import memdb "github.com/hashicorp/go-memdb"

// Table and index names.
const (
	tableProjects = "projects"
	tableFlags    = "flags"
	tableTriggers = "triggers"
	tableAudit    = "audit"
	// tableSubscriptions holds hook subscriptions (subscriptions.go).
	tableSubscriptions = "subscriptions"

	indexID       = "id"
	indexProject  = "project" // flags of one project
	indexSequence = "seq"     // audit entries in write order
	// indexIntegration: subscriptions of one integration.
	indexIntegration = "integration"
)

func schema() *memdb.DBSchema {
	return &memdb.DBSchema{
		Tables: map[string]*memdb.TableSchema{
			tableProjects: projectsTableSchema(),
			tableFlags:    flagsTableSchema(),
			tableTriggers: triggersTableSchema(),
			tableAudit:    auditTableSchema(),

			tableSubscriptions: subscriptionsTableSchema(),
		},
	}
}

func projectsTableSchema() *memdb.TableSchema {
	return &memdb.TableSchema{
		Name: tableProjects,
		Indexes: map[string]*memdb.IndexSchema{
			indexID: {Name: indexID, Unique: true, Indexer: &memdb.StringFieldIndex{Field: "Key"}},
		},
	}
}

func flagsTableSchema() *memdb.TableSchema {
	return &memdb.TableSchema{
		Name: tableFlags,
		Indexes: map[string]*memdb.IndexSchema{
			indexID: {Name: indexID, Unique: true, Indexer: &memdb.CompoundIndex{Indexes: []memdb.Indexer{
				&memdb.StringFieldIndex{Field: "ProjectKey"},
				&memdb.StringFieldIndex{Field: "Key"},
			}}},
			indexProject: {Name: indexProject, Indexer: &memdb.StringFieldIndex{Field: "ProjectKey"}},
		},
	}
}

// triggersTableSchema has only the id index: every trigger call rewrites its
// trigger and memdb rewrites every index of a row on each insert, while
// listing a flag's triggers is rare and a scan of a few rows.
func triggersTableSchema() *memdb.TableSchema {
	return &memdb.TableSchema{
		Name: tableTriggers,
		Indexes: map[string]*memdb.IndexSchema{
			indexID: {Name: indexID, Unique: true, Indexer: &memdb.StringFieldIndex{Field: "ID"}},
		},
	}
}

func auditTableSchema() *memdb.TableSchema {
	return &memdb.TableSchema{
		Name: tableAudit,
		Indexes: map[string]*memdb.IndexSchema{
			indexID:       {Name: indexID, Unique: true, Indexer: &memdb.StringFieldIndex{Field: "ID"}},
			indexSequence: {Name: indexSequence, Unique: true, Indexer: &memdb.UintFieldIndex{Field: "Seq"}},
		},
	}
}
