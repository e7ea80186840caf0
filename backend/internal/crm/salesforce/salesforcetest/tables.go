package salesforcetest

import (
	"fmt"
	"strings"
)

// table returns the rows of q's table (narrowed early by q's id conditions,
// so large orgs stay fast) and which columns exist.
func (s *Server) table(q query) ([]map[string]any, func(string) bool, error) {
	if q.table == "FieldDefinition" {
		return s.fieldDefinitions(q)
	}
	if obj, parent, ok := s.historyOf(q.table); ok {
		return s.historyRows(obj, q.values(parent), q.values("Field"), parent), historyColumns(parent), nil
	}
	if _, ok := s.fields[q.table]; !ok {
		return nil, nil, fmt.Errorf("sObject type '%s' is not supported.", q.table)
	}
	known := func(c string) bool { _, ok := s.field(q.table, c); return ok }
	return s.objectRows(q.table, q.values("Id"), q.cols), known, nil
}

func (s *Server) objectRows(obj string, ids, cols []string) []map[string]any {
	recs := s.records[obj]
	if ids != nil {
		recs = nil
		for _, id := range ids {
			if r := s.byID[id]; r != nil && r.object == obj {
				recs = append(recs, r)
			}
		}
	}
	rows := make([]map[string]any, len(recs))
	for i, r := range recs {
		row := map[string]any{"Id": r.id}
		for _, c := range cols {
			row[c] = s.value(r, c)
		}
		rows[i] = row
	}
	return rows
}

// historyOf reads a history table's name: OpportunityFieldHistory, or
// {Object}History keyed by {Object}Id.
func (s *Server) historyOf(table string) (obj, parent string, ok bool) {
	if table == "OpportunityFieldHistory" {
		return "Opportunity", "OpportunityId", s.fields["Opportunity"] != nil
	}
	obj, found := strings.CutSuffix(table, "History")
	if !found || s.fields[obj] == nil || obj == "Opportunity" {
		return "", "", false
	}
	return obj, obj + "Id", true
}

func historyColumns(parent string) func(string) bool {
	cols := map[string]bool{"Id": true, parent: true, "Field": true, "OldValue": true, "NewValue": true, "CreatedById": true, "CreatedDate": true}
	return func(c string) bool { return cols[c] }
}

func (s *Server) historyRows(obj string, ids, fields []string, parent string) []map[string]any {
	var rows []map[string]any
	for _, id := range ids {
		r := s.byID[id]
		if r == nil || r.object != obj {
			continue
		}
		names := fields
		if names == nil {
			for _, f := range s.fields[obj] {
				names = append(names, f.Name)
			}
		}
		for _, name := range names {
			for _, h := range s.history(r, name) {
				rows = append(rows, map[string]any{parent: h.ParentID, "Field": h.Field, "OldValue": h.OldValue,
					"NewValue": h.NewValue, "CreatedById": h.CreatedByID, "CreatedDate": text(h.CreatedDate)})
			}
		}
	}
	return rows
}

func (s *Server) history(r *record, name string) []HistoryRow {
	if h, ok := r.history[name]; ok {
		return h
	}
	if _, ok := s.field(r.object, name); !ok {
		return nil
	}
	return generatedHistory(r.id, name, s.value(r, name), r.idx)
}

// fieldDefinitions must be filtered to one object, as Salesforce requires.
func (s *Server) fieldDefinitions(q query) ([]map[string]any, func(string) bool, error) {
	objs := q.values("EntityDefinition.QualifiedApiName")
	if len(objs) != 1 {
		return nil, nil, fmt.Errorf("FieldDefinition queries must filter on one EntityDefinition")
	}
	var rows []map[string]any
	for _, f := range s.fields[objs[0]] {
		var level any
		if f.SecurityClassification != "" {
			level = f.SecurityClassification
		}
		rows = append(rows, map[string]any{"QualifiedApiName": f.Name, "SecurityClassification": level,
			"EntityDefinition.QualifiedApiName": objs[0], "DataType": f.Type})
	}
	cols := map[string]bool{"QualifiedApiName": true, "SecurityClassification": true, "DataType": true}
	return rows, func(c string) bool { return cols[c] }, nil
}
