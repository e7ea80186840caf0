package hubspottest

import (
	"net/http"
	"slices"
	"time"
)

// batchUpdate applies the valid inputs and reports the others in a 207, or
// refuses the whole batch with a 400 in WholeBatchErrors mode.
func (s *Server) batchUpdate(w http.ResponseWriter, r *http.Request) {
	obj, ok := s.knownObject(w, r)
	if !ok {
		return
	}
	in, ok := s.decodeBatch(w, r, 100)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []map[string]any
	var good []int
	for i, x := range in.Inputs {
		if e := s.check(obj, x.ID, x.Properties); e != nil {
			errs = append(errs, e)
			continue
		}
		good = append(good, i)
	}
	if s.whole && len(errs) > 0 {
		e := errs[0]
		delete(e, "context")
		writeJSON(w, 400, e)
		return
	}
	results := []map[string]any{}
	for _, i := range good {
		x := in.Inputs[i]
		s.apply(obj, x.ID, x.Properties)
		results = append(results, s.object(obj, x.ID, keys(x.Properties), nil))
	}
	writeBatch(w, results, errs)
}

// check validates one input as HubSpot does: the record exists, each
// property exists and is writable, options are allowed.
func (s *Server) check(obj, id string, props map[string]string) map[string]any {
	ids := map[string][]string{"ids": {id}}
	if s.records[obj][id] == nil {
		return errorBody("OBJECT_NOT_FOUND", "Object not found. objectId are usually numeric.", ids)
	}
	for _, name := range keys(props) {
		v := props[name]
		p, ok := s.property(obj, name)
		switch {
		case !ok:
			return errorBody("VALIDATION_ERROR", invalid(name, "PROPERTY_DOESNT_EXIST", `Property "`+name+`" does not exist`), ids)
		case p.ModificationMetadata.ReadOnlyValue:
			return errorBody("VALIDATION_ERROR", invalid(name, "READ_ONLY_VALUE", name+" is a read only property; its value cannot be set."), ids)
		case s.rejects[id] == name:
			return errorBody("VALIDATION_ERROR", invalid(name, "INVALID_VALUE", v+" was rejected by a validation rule"), ids)
		case len(p.Options) > 0 && v != "" && !hasOption(p, v):
			return errorBody("VALIDATION_ERROR", invalid(name, "INVALID_OPTION", v+" was not one of the allowed options"), ids)
		}
	}
	return nil
}

// apply writes values and records an INTEGRATION history entry for each.
func (s *Server) apply(obj, id string, props map[string]string) {
	r := s.records[obj][id]
	at := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	for name, v := range props {
		h := s.history(obj, id, name)
		r.set[name] = v
		entry := HistoryValue{Value: v, Timestamp: at, SourceType: "INTEGRATION", SourceID: "private-app"}
		r.history[name] = append([]HistoryValue{entry}, h...)
	}
}

func hasOption(p Property, v string) bool {
	return slices.ContainsFunc(p.Options, func(o Option) bool { return o.Value == v })
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
