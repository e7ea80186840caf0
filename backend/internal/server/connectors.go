package server

import (
	"context"
	"time"

	"countersign/backend/internal/catalog"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
	"countersign/backend/internal/crm/hubspot"
	"countersign/backend/internal/crm/pipedrive"
	"countersign/backend/internal/crm/salesforce"
	"countersign/backend/internal/crm/sandbox"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/egress"
)

// Connectors lists the CRM providers this build can talk to. In production
// (publicOnly) their HTTP client refuses internal addresses, since admins
// choose the base URL. The sandbox keeps its history by clk, the app's clock.
func Connectors(d *db.DB, publicOnly bool, clk clock.Clock) map[crm.Provider]crm.Factory {
	client := httpx.WithHTTPClient(egress.Client(publicOnly, 60*time.Second))
	return map[crm.Provider]crm.Factory{
		crm.Sandbox:    sandbox.Factory(d, clk),
		crm.HubSpot:    hubspot.Factory(client),
		crm.Salesforce: salesforce.Factory(client),
		crm.Pipedrive:  pipedrive.Factory(client),
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
