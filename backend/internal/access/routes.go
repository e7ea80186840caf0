package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Route is one API operation and the access it declares.
type Route struct {
	OperationID string // as in the spec, e.g. "listMembers"
	Method      string
	Path        string // as in the spec, e.g. "/members/{memberId}"
	Access      string // Public, Authenticated or a Permission
}

// HandlerName is the operation's name in the generated strict server ("ListMembers").
func (r Route) HandlerName() string { return strings.ToUpper(r.OperationID[:1]) + r.OperationID[1:] }

// RoutesFromSpec reads the `x-permission` of every operation. An operation
// without one, or naming an unknown permission, is an error: a new route cannot
// ship without an access decision.
func RoutesFromSpec(doc *openapi3.T) ([]Route, error) {
	var routes []Route
	var errs []string
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			access, _ := op.Extensions["x-permission"].(string)
			r := Route{OperationID: op.OperationID, Method: method, Path: path, Access: access}
			switch {
			case op.OperationID == "":
				errs = append(errs, fmt.Sprintf("%s %s: no operationId", method, path))
			case access == "":
				errs = append(errs, fmt.Sprintf("%s %s: no x-permission", method, path))
			case access != Public && access != Authenticated && !slices.Contains(AllPermissions(), Permission(access)):
				errs = append(errs, fmt.Sprintf("%s %s: unknown permission %q", method, path, access))
			}
			routes = append(routes, r)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("route permissions: %s", strings.Join(errs, "; "))
	}
	slices.SortFunc(routes, func(a, b Route) int { return strings.Compare(a.Path+a.Method, b.Path+b.Method) })
	return routes, nil
}
