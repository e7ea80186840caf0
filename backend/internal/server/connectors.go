package server

import (
	"countersign/backend/internal/catalog"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/platform/db"
)

// connectors lists the CRM providers this build can talk to.
func connectors(d *db.DB) map[crm.Provider]crm.Factory {
	return map[crm.Provider]crm.Factory{}
}

// provisioners prepare a new connection's CRM side.
func provisioners(d *db.DB) map[crm.Provider]catalog.Provisioner {
	return map[crm.Provider]catalog.Provisioner{}
}
