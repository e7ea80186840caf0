// Package ptr reads and makes optional values: the generated API types and nullable
// columns hand them over as pointers.
package ptr

// Deref is *p, or T's zero value when p is nil.
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// To returns a pointer to a copy of v.
func To[T any](v T) *T { return &v }
