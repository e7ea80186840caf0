package server

import (
	"context"

	"countersign/backend/api"
	"countersign/backend/internal/platform/problem"
)

// pending answers for operations whose capability is being built; each
// method moves to its capability package as it lands.
type pending struct{}

var errPending = problem.Forbidden("not_available", "This operation is not available yet.")

func (pending) ListConnections(context.Context, api.ListConnectionsRequestObject) (api.ListConnectionsResponseObject, error) {
	return nil, errPending
}

func (pending) CreateConnection(context.Context, api.CreateConnectionRequestObject) (api.CreateConnectionResponseObject, error) {
	return nil, errPending
}

func (pending) GetConnection(context.Context, api.GetConnectionRequestObject) (api.GetConnectionResponseObject, error) {
	return nil, errPending
}

func (pending) UpdateConnection(context.Context, api.UpdateConnectionRequestObject) (api.UpdateConnectionResponseObject, error) {
	return nil, errPending
}

func (pending) ListSyncRuns(context.Context, api.ListSyncRunsRequestObject) (api.ListSyncRunsResponseObject, error) {
	return nil, errPending
}

func (pending) StartSync(context.Context, api.StartSyncRequestObject) (api.StartSyncResponseObject, error) {
	return nil, errPending
}

func (pending) TestConnection(context.Context, api.TestConnectionRequestObject) (api.TestConnectionResponseObject, error) {
	return nil, errPending
}

func (pending) ListFields(context.Context, api.ListFieldsRequestObject) (api.ListFieldsResponseObject, error) {
	return nil, errPending
}

func (pending) BulkUpdatePolicies(context.Context, api.BulkUpdatePoliciesRequestObject) (api.BulkUpdatePoliciesResponseObject, error) {
	return nil, errPending
}

func (pending) GetField(context.Context, api.GetFieldRequestObject) (api.GetFieldResponseObject, error) {
	return nil, errPending
}

func (pending) UpdateFieldPolicy(context.Context, api.UpdateFieldPolicyRequestObject) (api.UpdateFieldPolicyResponseObject, error) {
	return nil, errPending
}

func (pending) ExportPolicies(context.Context, api.ExportPoliciesRequestObject) (api.ExportPoliciesResponseObject, error) {
	return nil, errPending
}

func (pending) ImportPolicies(context.Context, api.ImportPoliciesRequestObject) (api.ImportPoliciesResponseObject, error) {
	return nil, errPending
}

func (pending) ListSandboxRecords(context.Context, api.ListSandboxRecordsRequestObject) (api.ListSandboxRecordsResponseObject, error) {
	return nil, errPending
}

func (pending) GetSandboxRecord(context.Context, api.GetSandboxRecordRequestObject) (api.GetSandboxRecordResponseObject, error) {
	return nil, errPending
}

func (pending) EditSandboxRecord(context.Context, api.EditSandboxRecordRequestObject) (api.EditSandboxRecordResponseObject, error) {
	return nil, errPending
}

func (pending) GetSyncRun(context.Context, api.GetSyncRunRequestObject) (api.GetSyncRunResponseObject, error) {
	return nil, errPending
}
