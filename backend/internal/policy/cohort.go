package policy

import (
	"crypto/sha256"
	"encoding/binary"
)

// BasisPoints is the whole of a rollout: 10,000 basis points = 100 %.
const BasisPoints = 10000

// Cohort places a record in a rollout: a number in [0, 10000) taken from
// SHA-256 of the rollout's salt and the record id. It depends on nothing
// else, so a record keeps its place whatever the percentage, and a record
// in the canary at 100 bps is still in it at 500.
func Cohort(salt, recordID string) int {
	h := sha256.New()
	h.Write([]byte(salt))
	h.Write([]byte{0})
	h.Write([]byte(recordID))
	return int(binary.BigEndian.Uint64(h.Sum(nil)[:8]) % BasisPoints)
}

// InCohort reports whether the record falls in a canary of percentBps.
func InCohort(salt, recordID string, percentBps int) bool {
	return Cohort(salt, recordID) < percentBps
}
