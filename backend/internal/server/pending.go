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

func (pending) ListSandboxRecords(context.Context, api.ListSandboxRecordsRequestObject) (api.ListSandboxRecordsResponseObject, error) {
	return nil, errPending
}

func (pending) GetSandboxRecord(context.Context, api.GetSandboxRecordRequestObject) (api.GetSandboxRecordResponseObject, error) {
	return nil, errPending
}

func (pending) EditSandboxRecord(context.Context, api.EditSandboxRecordRequestObject) (api.EditSandboxRecordResponseObject, error) {
	return nil, errPending
}
