// Copied into FerretDB v1.24.2's internal/backends/sqlite by deploy/local/ferretdb.sh (fix 4 there).
//
// FerretDB 1.24's SQLite backend pushes down only a filter on a plain `_id`: every other filter reads the
// whole collection and filters it in Go, so a lookup by an indexed field costs as much as a scan. This turns
// the filter's conditions on strings and booleans into SQL on the same expressions FerretDB's indexes are built
// on (`_ferretdb_sjson->"f"`), so SQLite reads them from an index: equalities (`{f: v}`, `{f: {$eq: v}}`,
// `{f: {$in: [...]}}`), an anchored regex's literal prefix (`{f: {$regex: "^/a/b/"}}`: a subtree) and a string's
// lower bound (`{f: {$gte: "2026-01"}}`), also inside `$and`.
//
// The WHERE clause only narrows: every caller of the backend's query filters what it returns by the whole
// filter again, and the handler pushes no limit down with a filter. So the clause must keep every document
// the filter can match, never exactly those: each term is implied by the filter (the filter's keys, `$and`'s
// elements and a field's operators are all ANDed), and a field that is an array, or lies under one, is kept
// whatever it holds (MongoDB matches `{f: "x"}` in `f: ["x", "y"]` and `{"a.b": "x"}` in `a: [{b: "x"}]`).
// Values compare as the JSON text sjson writes them (strings by encoding/json, as stored), which is what
// SQLite's `->` gives back for a stored value; where a string's JSON text could order differently from the
// string (a character JSON escapes), a bound stops before it.
package sqlite

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// a path segment pushed down: a plain name (not an array position, no quote to escape)
var liandongSegment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// liandongWhere returns a WHERE clause (or "") that keeps every document filter can match.
func liandongWhere(filter *types.Document) (string, []any) {
	terms, args := liandongTerms(filter, 0)
	if len(terms) == 0 {
		return "", nil
	}

	return " WHERE " + strings.Join(terms, " AND "), args
}

func liandongTerms(filter *types.Document, depth int) ([]string, []any) {
	if filter == nil || depth > 8 {
		return nil, nil
	}

	var terms []string
	var args []any

	keys, values := filter.Keys(), filter.Values()
	for i, key := range keys {
		if key == "$and" {
			elems, ok := values[i].(*types.Array)
			if !ok {
				continue
			}

			for j := 0; j < elems.Len(); j++ {
				if sub, ok := must.NotFail(elems.Get(j)).(*types.Document); ok {
					t, a := liandongTerms(sub, depth+1)
					terms, args = append(terms, t...), append(args, a...)
				}
			}

			continue
		}

		if strings.HasPrefix(key, "$") { // $or, $nor, $expr, $comment...: not narrowed by
			continue
		}

		if t, a := liandongField(key, values[i]); t != "" {
			terms, args = append(terms, t), append(args, a...)
		}
	}

	return terms, args
}

// liandongField: one field's condition, or "" when its value is not an equality this pushes down.
func liandongField(key string, value any) (string, []any) {
	segments := strings.Split(key, ".")
	for _, s := range segments {
		if !liandongSegment.MatchString(s) {
			return "", nil
		}
	}

	isID := key == "_id"

	column := liandongColumn(segments)
	if isID {
		column = metadata.IDColumn
	}

	var term string
	var args []any

	matches, ok := liandongEqualities(value, isID)
	switch {
	case ok:
		term = column + " IN (?" + strings.Repeat(", ?", len(matches)-1) + ")"
		for _, m := range matches {
			args = append(args, string(must.NotFail(sjson.MarshalSingleValue(m))))
		}
	default:
		lo, hi, ok := liandongStringRange(value)
		if !ok {
			return "", nil
		}

		term, args = column+" >= ? AND "+column+" < ?", []any{lo, hi}
	}

	if !isID { // an `_id` is never an array
		for n := 1; n <= len(segments); n++ {
			// a JSON array's text, and only an array's, starts with '[' (the character before '\')
			prefix := liandongColumn(segments[:n])
			term = fmt.Sprintf(`(%s) OR (%s >= '[' AND %s < '\')`, term, prefix, prefix)
		}
	}

	return "(" + term + ")", args
}

// liandongEqualities: the values a field must equal one of ({f: v}, {f: {$eq: v}}, {f: {$in: [...]}} beside any
// other operators), when all of them are strings or booleans (an ObjectID for `_id`).
func liandongEqualities(value any, isID bool) ([]any, bool) {
	var matches []any

	switch v := value.(type) {
	case *types.Document:
		if !liandongOperators(v) {
			return nil, false
		}

		if eq, err := v.Get("$eq"); err == nil {
			matches = []any{eq}
		} else if in, err := v.Get("$in"); err == nil {
			arr, ok := in.(*types.Array)
			if !ok || arr.Len() == 0 || arr.Len() > 500 {
				return nil, false
			}

			for j := 0; j < arr.Len(); j++ {
				matches = append(matches, must.NotFail(arr.Get(j)))
			}
		} else {
			return nil, false
		}
	default:
		matches = []any{v}
	}

	for _, m := range matches {
		switch m.(type) {
		case string, bool:
		case types.ObjectID:
			if !isID {
				return nil, false
			}
		default: // numbers (1 equals 1.0), null (matches a missing field), regexes, documents, arrays...
			return nil, false
		}
	}

	return matches, true
}

// liandongOperators: a field's value is a document of operators, not a document to equal.
func liandongOperators(d *types.Document) bool {
	for _, op := range d.Keys() {
		if !strings.HasPrefix(op, "$") {
			return false
		}
	}

	return d.Len() > 0
}

// liandongStringRange: bounds [lo, hi) on the JSON text of every string the field's condition can match — an
// anchored regex's literal prefix, or a `$gte` / `$gt` string's — or false.
func liandongStringRange(value any) (string, string, bool) {
	d, ok := value.(*types.Document)
	if !ok || !liandongOperators(d) {
		if re, ok := value.(types.Regex); ok {
			return liandongPrefixRange(re.Pattern, re.Options)
		}

		return "", "", false
	}

	if v, err := d.Get("$regex"); err == nil {
		options, _ := d.Get("$options")
		opts, _ := options.(string)
		switch re := v.(type) {
		case string:
			return liandongPrefixRange(re, opts)
		case types.Regex:
			if opts == "" {
				opts = re.Options
			}

			return liandongPrefixRange(re.Pattern, opts)
		}

		return "", "", false
	}

	for _, op := range []string{"$gte", "$gt"} {
		v, err := d.Get(op)
		if err != nil {
			continue
		}

		lo, ok := v.(string)
		if !ok {
			return "", "", false
		}

		// a string is at least lo only if its JSON text is at least '"' and lo's first characters that no
		// string can pass while JSON writes a '\' in their place: those below '\' JSON writes as they are
		var prefix []rune
		for _, r := range lo {
			if r < 0x20 || r >= '\\' || strings.ContainsRune(`"&<>`, r) {
				break
			}

			prefix = append(prefix, r)
		}

		return `"` + string(prefix), "#", true // every string's JSON text is below '#', the character after '"'
	}

	return "", "", false
}

// liandongPrefixRange: the range of JSON texts of the strings an anchored regex can match, from its literal
// prefix: JSON text starts with '"' and the prefix exactly when the string starts with the prefix, as long as
// the prefix holds nothing JSON escapes.
func liandongPrefixRange(pattern, options string) (string, string, bool) {
	if strings.Trim(options, "s") != "" || !strings.HasPrefix(pattern, "^") || strings.Contains(pattern, "|") {
		return "", "", false // case-insensitive, multi-line, extended or an alternative: no one prefix
	}

	rs := []rune(pattern[1:])
	var prefix []rune

scan:
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\\' && i+1 < len(rs) && rs[i+1] < 0x80 && !liandongAlnum(rs[i+1]):
			i++
			r = rs[i] // an escaped punctuation mark is itself
		case strings.ContainsRune(`\.^$?*+()[]{}`, r):
			break scan // what follows is not one literal character
		}

		if r < 0x20 || strings.ContainsRune("\"\\&<>\u2028\u2029", r) {
			break // JSON escapes it
		}

		if i+1 < len(rs) && strings.ContainsRune("?*{", rs[i+1]) {
			break // this character may not be there at all
		}

		prefix = append(prefix, r)
	}

	// the end of the range: the prefix up to its last ASCII character, that character the next one
	// (JSON text is UTF-8, whose multi-byte sequences all sort after ASCII)
	for len(prefix) > 0 && prefix[len(prefix)-1] >= 0x7f {
		prefix = prefix[:len(prefix)-1]
	}

	if len(prefix) == 0 {
		return "", "", false
	}

	last := len(prefix) - 1
	end := append(append([]rune{}, prefix[:last]...), prefix[last]+1)

	return `"` + string(prefix), `"` + string(end), true
}

func liandongAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// liandongColumn: the expression FerretDB's registry builds an index on for this path.
func liandongColumn(segments []string) string {
	quoted := make([]string, len(segments))
	for i, s := range segments {
		quoted[i] = fmt.Sprintf("%q", s)
	}

	return metadata.DefaultColumn + "->" + strings.Join(quoted, "->")
}
