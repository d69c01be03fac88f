package platform

import (
	"slices"

	memdb "github.com/hashicorp/go-memdb"
)

// An environment's ID is its client-side ID, as the platform's API says of
// an environment's _id ("use this as the client-side ID"). Synced-segment
// requests name their environment by it (PLATFORM.md 9.2).

// SetClientSideID gives an environment another client-side ID, so a test can
// use the ID its partner payloads already carry. The real platform never
// changes it; this is the harness's control. IDs are unique across projects.
func (p *Platform) SetClientSideID(projectKey, envKey, id string) (Environment, error) {
	if err := checkKey("client-side ID", id); err != nil {
		return Environment{}, err
	}
	txn := p.db.Load().Txn(true)
	defer txn.Abort()
	proj, err := getProject(txn, projectKey)
	if err != nil {
		return Environment{}, err
	}
	i := slices.IndexFunc(proj.Environments, func(e Environment) bool { return e.Key == envKey })
	if i < 0 {
		return Environment{}, errorf(CodeNotFound, "environment %q not found in project %q (it has %v)", envKey, projectKey, envKeys(proj))
	}
	if proj.Environments[i].ID == id {
		return proj.Environments[i], nil
	}
	if owner, env, found, err := envByClientSideID(txn, id); err != nil {
		return Environment{}, err
	} else if found {
		return Environment{}, errorf(CodeConflict, "client-side ID %q already belongs to environment %q of project %q: choose another", id, env.Key, owner.Key)
	}
	c := proj.clone()
	c.Environments[i].ID = id
	if err := txn.Insert(tableProjects, c); err != nil {
		return Environment{}, internal(err)
	}
	txn.Commit()
	return c.Environments[i], nil
}

// EnvironmentByClientSideID finds the environment whose client-side ID is id
// and its project.
func (p *Platform) EnvironmentByClientSideID(id string) (Project, Environment, bool) {
	proj, env, found, err := envByClientSideID(p.read(), id)
	if err != nil || !found {
		return Project{}, Environment{}, false
	}
	return *proj.clone(), env, true
}

// envByClientSideID scans the projects: there are a handful, each with a
// handful of environments, so an index would cost more than it saves.
func envByClientSideID(txn *memdb.Txn, id string) (*Project, Environment, bool, error) {
	it, err := txn.Get(tableProjects, indexID)
	if err != nil {
		return nil, Environment{}, false, internal(err)
	}
	for o := it.Next(); o != nil; o = it.Next() {
		proj := o.(*Project)
		for _, e := range proj.Environments {
			if e.ID == id {
				return proj, e, true, nil
			}
		}
	}
	return nil, Environment{}, false, nil
}
