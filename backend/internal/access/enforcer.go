package access

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	gormadapter "github.com/casbin/gorm-adapter/v3"

	"countersign/backend/internal/platform/db"
)

// casbinModel: a user holds roles per tenant (g with a domain); role grants
// (p) apply in every tenant ("*") or in one.
const casbinModel = `
[request_definition]
r = sub, dom, obj

[policy_definition]
p = sub, dom, obj

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && (p.dom == "*" || p.dom == r.dom) && r.obj == p.obj
`

// Enforcer answers "may this user do that in this tenant", from policies kept
// in Postgres. It reloads when the policy version in the database moves.
type Enforcer struct {
	db     *db.DB
	store  *Store
	mu     sync.Mutex
	e      *casbin.SyncedEnforcer
	loaded int64
}

// NewEnforcer loads the policies through the casbin gorm adapter.
func NewEnforcer(ctx context.Context, d *db.DB) (*Enforcer, error) {
	m, err := model.NewModelFromString(casbinModel)
	if err != nil {
		return nil, err
	}
	// The table comes from our migrations; the adapter must not AutoMigrate it.
	g := d.Gorm().WithContext(context.Background())
	gormadapter.TurnOffAutoMigrate(g)
	adapter, err := gormadapter.NewAdapterByDBUseTableName(g, "", "casbin_rule")
	if err != nil {
		return nil, fmt.Errorf("casbin adapter: %w", err)
	}
	e, err := casbin.NewSyncedEnforcer(m, adapter)
	if err != nil {
		return nil, fmt.Errorf("casbin enforcer: %w", err)
	}
	en := &Enforcer{db: d, store: NewStore(d), e: e}
	return en, en.Refresh(ctx)
}

// Refresh reloads the policies if another request or app copy changed them.
func (en *Enforcer) Refresh(ctx context.Context) error {
	v, err := en.store.Version(ctx)
	if err != nil {
		return err
	}
	en.mu.Lock()
	defer en.mu.Unlock()
	if v == en.loaded {
		return nil
	}
	if err := en.e.LoadPolicy(); err != nil {
		return fmt.Errorf("loading policies: %w", err)
	}
	en.loaded = v
	return nil
}

// Allowed reports whether the user may use perm in the tenant.
func (en *Enforcer) Allowed(userID, tenantID string, perm Permission) (bool, error) {
	return en.e.Enforce(userID, tenantID, string(perm))
}

// Permissions lists what the user may do in the tenant, for the console's navigation.
func (en *Enforcer) Permissions(userID, tenantID string) ([]string, error) {
	var out []string
	for _, p := range AllPermissions() {
		ok, err := en.Allowed(userID, tenantID, p)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, string(p))
		}
	}
	sort.Strings(out)
	return out, nil
}

// Roles lists the user's roles in the tenant.
func (en *Enforcer) Roles(userID, tenantID string) []string {
	return en.e.GetRolesForUserInDomain(userID, tenantID)
}
