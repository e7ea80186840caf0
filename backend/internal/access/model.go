// Package access decides who may do what: the one list of permissions, the
// roles that grant them, the casbin enforcer (RBAC with domains, tenant =
// domain) and the permission each API route declares.
package access

import "slices"

// Role is a member's role within a tenant.
type Role string

// The roles of a tenant member. Agents arrive as their own principal later.
const (
	Admin      Role = "admin"
	Reviewer   Role = "reviewer"
	Compliance Role = "compliance"
	Viewer     Role = "viewer"
)

// Roles lists every member role, most powerful first.
var Roles = []Role{Admin, Reviewer, Compliance, Viewer}

// ValidRole reports whether r names a role.
func ValidRole(r string) bool { return slices.Contains(Roles, Role(r)) }

// Permission is something a member may do in their tenant.
type Permission string

// The one list of permissions. Every API route names one of these in the
// `x-permission` of its operation in openapi.yaml (or `public` / `authenticated`).
const (
	MembersRead    Permission = "members.read"
	MembersManage  Permission = "members.manage"
	SettingsRead   Permission = "settings.read"
	SettingsManage Permission = "settings.manage"
	AuditRead      Permission = "audit.read"
	ReviewWork     Permission = "review.work"
	FieldsRead     Permission = "fields.read"
	FieldsManage   Permission = "fields.manage"
	AgentsRead     Permission = "agents.read"
	AgentsManage   Permission = "agents.manage"
	ChangelogRead  Permission = "changelog.read"
	// ChangelogRollback rolls changes back and retries failed writes.
	ChangelogRollback Permission = "changelog.rollback"
	RolloutsRead      Permission = "rollouts.read"
	RolloutsManage    Permission = "rollouts.manage"
	ReportsRead       Permission = "reports.read"
	// ReportsExport exports evidence packs and downloads them.
	ReportsExport Permission = "reports.export"
	// AuditsWork draws sample audits and marks their findings.
	AuditsWork    Permission = "audits.work"
	SandboxEdit   Permission = "sandbox.edit" // edit sandbox CRM records "as a human in the CRM"
	ProposalsRead Permission = "proposals.read"
)

// Grants is the role → permission matrix, loaded into casbin as `p` policies.
var Grants = map[Role][]Permission{
	Admin: {MembersRead, MembersManage, SettingsRead, SettingsManage, AuditRead, ReviewWork,
		FieldsRead, FieldsManage, AgentsRead, AgentsManage, ChangelogRead, ChangelogRollback, RolloutsRead,
		RolloutsManage, ReportsRead, ReportsExport, AuditsWork, SandboxEdit, ProposalsRead},
	Reviewer:   {ReviewWork, FieldsRead, ChangelogRead, ChangelogRollback, ProposalsRead},
	Compliance: {FieldsRead, ChangelogRead, RolloutsRead, ReportsRead, ReportsExport, AuditsWork, AuditRead, ProposalsRead, AgentsRead},
	Viewer:     {FieldsRead, ChangelogRead},
}

// AllPermissions lists each permission once, in a stable order.
func AllPermissions() []Permission {
	var all []Permission
	for _, r := range Roles {
		for _, p := range Grants[r] {
			if !slices.Contains(all, p) {
				all = append(all, p)
			}
		}
	}
	return all
}

// Route access levels that are not permissions.
const (
	Public        = "public"        // no session needed
	Authenticated = "authenticated" // any signed-in user, whatever their roles
)
