package exports

import "testing"

// SmallPages has the exports of the test read the log n rows a page, so a
// few changes make several pages.
func SmallPages(t testing.TB, n int) {
	old := pageRows
	pageRows = n
	t.Cleanup(func() { pageRows = old })
}
