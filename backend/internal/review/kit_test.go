package review

import (
	"errors"

	"countersign/backend/internal/platform/problem"
)

func containsField(err error, field string) bool {
	var p *problem.Error
	if !errors.As(err, &p) {
		return false
	}
	for _, f := range p.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
