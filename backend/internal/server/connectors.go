package server

import (
	"context"

	"countersign/backend/internal/catalog"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/hubspot"
	"countersign/backend/internal/crm/pipedrive"
	"countersign/backend/internal/crm/salesforce"
	"countersign/backend/internal/crm/sandbox"
	"countersign/backend/internal/platform/db"
)

// Connectors lists the CRM providers this build can talk to.
func Connectors(d *db.DB) map[crm.Provider]crm.Factory {
	return map[crm.Provider]crm.Factory{
		crm.Sandbox:    sandbox.Factory(d),
		crm.HubSpot:    hubspot.Factory,
		crm.Salesforce: salesforce.Factory,
		crm.Pipedrive:  pipedrive.Factory,
	}
}

// Provisioners prepare a new connection's CRM side: the sandbox creates its
// data set in the same transaction as the connection.
func Provisioners(d *db.DB) map[crm.Provider]catalog.Provisioner {
	return map[crm.Provider]catalog.Provisioner{crm.Sandbox: sandboxProvisioner{d}}
}

type sandboxProvisioner struct{ d *db.DB }

func (p sandboxProvisioner) Provision(ctx context.Context, tenantID, connectionID string) error {
	return sandbox.Provision(ctx, p.d, tenantID, connectionID)
}
