package benchkit

import (
	"fmt"
	"math/rand/v2"

	"github.com/jackc/pgx/v5/pgtype"
)

// RandomUUID is a version-4 UUID, as gen_random_uuid() makes, from rnd (so a
// seeded generator makes the same data set on every run).
func RandomUUID(rnd *rand.Rand) pgtype.UUID {
	u := pgtype.UUID{Valid: true}
	for i := 0; i < 16; i += 8 {
		v := rnd.Uint64()
		for j := range 8 {
			u.Bytes[i+j] = byte(v >> (8 * j))
		}
	}
	u.Bytes[6] = u.Bytes[6]&0x0f | 0x40
	u.Bytes[8] = u.Bytes[8]&0x3f | 0x80
	return u
}

// UUID parses s, which the benchmark itself made: a bad one is a bug.
func UUID(s string) pgtype.UUID {
	var u pgtype.UUID
	if err := u.Scan(s); err != nil {
		panic(fmt.Sprintf("uuid %q: %v", s, err))
	}
	return u
}
