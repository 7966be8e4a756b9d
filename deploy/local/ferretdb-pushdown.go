// Copied into FerretDB v1.24.2's internal/backends/sqlite by deploy/local/ferretdb.sh (fix 4 there).
//
// FerretDB 1.24's SQLite backend pushes down only a filter on a plain `_id`: every other filter reads the
// whole collection and filters it in Go, so a lookup by an indexed field costs as much as a scan. This turns
// the filter's conditions on strings and booleans into SQL on the same expressions FerretDB's indexes are built
// on (`_ferretdb_sjson->"f"`), so SQLite reads them from an index: equalities (`{f: v}`, `{f: {$eq: v}}`,
// `{f: {$in: [...]}}`), an anchored regex's literal prefix (`{f: {$regex: "^/a/b/"}}`: a subtree) and a string's
// lower bound (`{f: {$gte: "2026-01"}}`), and whether a top-level field is there (`{f: {$exists: false}}`, fix 9),
// also inside `$and`.
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
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/fsql"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// a path segment pushed down: a plain name (not an array position, no quote to escape)
var liandongSegment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// liandongTerm: one condition pushed down; a range's bounds kept to drop a range that a narrower one on the same
// field implies (a scope and a subtree inside it: SQLite ranges over one index only and may pick the wide one).
type liandongTerm struct {
	key, sql string
	args     []any
	ranged   bool
	lo, hi   string
	exact    bool   // MongoDB matches exactly the rows sql keeps, where no array lies on the path (fix 6)
	unplain  string // SQL: a value that sorts apart, kept whatever it is unless the field holds none (fix 15)
	arrays   string // SQL: an array lies on the path (such a row is kept whatever it holds)
	bare     string // sql without the rows kept for an array on the path: where none is, the same rows (fix 7)
}

// liandongWhere returns a WHERE clause (or "") that keeps every document filter can match.
func liandongWhere(ctx context.Context, db *fsql.DB, meta *metadata.Collection, filter *types.Document) (string, []any) {
	where, args, _, _ := liandongClause(filter, liandongArrayFree(ctx, db, meta), liandongPlainField(ctx, db, meta))
	return where, args
}

// liandongArrayFree (fix 7): whether no document holds an array at a top-level field, asked of an index that
// field leads (one seek into the range of array texts) and remembered for the query; false for any other field.
// A term on an array-free field is its bare comparison: the rows kept for an array (an OR beside it) left SQLite
// one index column at most — a duplicate check's category and place and date became a scan of the category.
// A document with an array written after the question and before the read is missed as any concurrent write
// may be by a find.
func liandongArrayFree(ctx context.Context, db *fsql.DB, meta *metadata.Collection) func(string) bool {
	known := map[string]bool{}

	return func(key string) bool {
		if free, ok := known[key]; ok {
			return free
		}

		leads := false

		for _, index := range meta.Settings.Indexes {
			if len(index.Key) > 0 && index.Key[0].Field == key {
				leads = true
				break
			}
		}

		free := false

		if leads {
			column := liandongColumn([]string{key})
			q := fmt.Sprintf(`SELECT 1 FROM %q WHERE %s >= '[' AND %s < '\' LIMIT 1`, meta.TableName, column, column)

			var one int
			free = errors.Is(db.QueryRowContext(ctx, q).Scan(&one), sql.ErrNoRows)
		}

		known[key] = free

		return free
	}
}

// liandongPlainField (fix 15): whether a top-level field holds nothing but missing values and plain strings,
// remembered as fix 12 remembers it and asked only of a term that needs it.
func liandongPlainField(ctx context.Context, db *fsql.DB, meta *metadata.Collection) func(string) bool {
	return func(key string) bool { return liandongFieldPlain(ctx, db, meta, key) }
}

// liandongClause: the WHERE clause, its arguments, whether it is exact where no array lies on a path it names
// (every part of the filter pushed down as it is), and the SQL that finds a row with such an array; a term on a
// field arrayFree says holds no array anywhere is its bare comparison; an upper bound on a field plainField does
// not say holds only plain strings keeps the values that sort apart too (fix 15).
func liandongClause(filter *types.Document, arrayFree, plainField func(string) bool) (string, []any, bool, string) {
	all, exact := liandongTerms(filter, 0)

	var terms, arrays []string
	var args []any

	for i, t := range all {
		if t.unplain != "" && !plainField(t.key) {
			t.exact, t.sql = false, "("+t.sql+" OR "+t.unplain+")"
			if t.bare != "" {
				t.bare = "(" + t.bare + " OR " + t.unplain + ")"
			}
		}

		// a term left out must be exact too for the rest to be: a narrower exact range implies a wider exact one,
		// never what a wider term's SQL leaves to the handler (`^/d/.*1/$` beside `^/d/sd1/`)
		exact = exact && t.exact

		if t.ranged && liandongImpliedRange(all, i) {
			continue // keeping fewer terms keeps more rows: still every document the filter can match
		}

		if t.bare != "" && arrayFree(t.key) {
			terms, args = append(terms, t.bare), append(args, t.args...)
			continue
		}

		terms, args = append(terms, t.sql), append(args, t.args...)

		if t.arrays != "" {
			arrays = append(arrays, t.arrays)
		}
	}

	if len(terms) == 0 {
		return "", nil, exact, ""
	}

	return " WHERE " + strings.Join(terms, " AND "), args, exact, strings.Join(arrays, " OR ")
}

// liandongCount (fix 6): how many documents match filter, counted by SQL where the clause is exact, or false:
// the handler then counts them.
func liandongCount(ctx context.Context, db *fsql.DB, meta *metadata.Collection, filter *types.Document) (int64, bool) {
	where, args, exact := liandongExact(ctx, db, meta, filter)
	if !exact {
		return 0, false
	}

	var n int64
	if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM %q`, meta.TableName)+where, args...).Scan(&n); err != nil {
		return 0, false
	}

	return n, true
}

// liandongExact: the WHERE clause and its arguments, and whether it keeps exactly the documents filter matches:
// the filter pushed down whole and no array on one of its paths among the rows it keeps (MongoDB matches an
// element, the clause keeps such a row whatever it holds).
func liandongExact(ctx context.Context, db *fsql.DB, meta *metadata.Collection, filter *types.Document) (string, []any, bool) {
	where, args, exact, arrays := liandongClause(filter, liandongArrayFree(ctx, db, meta), liandongPlainField(ctx, db, meta))
	if !exact || arrays == "" {
		return where, args, exact
	}

	and := " WHERE "
	if where != "" {
		and = where + " AND "
	}

	var one int
	q := fmt.Sprintf(`SELECT 1 FROM %q`, meta.TableName) + and + "(" + arrays + ") LIMIT 1"

	return where, args, errors.Is(db.QueryRowContext(ctx, q, args...).Scan(&one), sql.ErrNoRows)
}

// liandongImpliedRange: another range on the same field lies within term i's (the first of equal ones stays).
func liandongImpliedRange(terms []liandongTerm, i int) bool {
	t := terms[i]
	for j, o := range terms {
		if j == i || !o.ranged || o.key != t.key || o.lo < t.lo || o.hi > t.hi {
			continue
		}

		if o.lo != t.lo || o.hi != t.hi || j < i {
			return true
		}
	}

	return false
}

// liandongTerms: the filter's conditions pushed down, and whether that is all of it.
func liandongTerms(filter *types.Document, depth int) ([]liandongTerm, bool) {
	if filter == nil {
		return nil, true
	}

	if depth > 8 {
		return nil, false
	}

	var terms []liandongTerm

	all := true

	keys, values := filter.Keys(), filter.Values()
	for i, key := range keys {
		if key == "$and" {
			elems, ok := values[i].(*types.Array)
			if !ok || elems.Len() == 0 {
				all = false
				continue
			}

			for j := 0; j < elems.Len(); j++ {
				sub, ok := must.NotFail(elems.Get(j)).(*types.Document)
				if !ok {
					all = false
					continue
				}

				t, whole := liandongTerms(sub, depth+1)
				terms, all = append(terms, t...), all && whole
			}

			continue
		}

		if strings.HasPrefix(key, "$") { // $or, $nor, $expr, $comment...: not narrowed by
			all = false
			continue
		}

		t := liandongField(key, values[i])
		if t.sql == "" {
			all = false
			continue
		}

		terms = append(terms, t)
	}

	return terms, all
}

// liandongField: one field's condition, or an empty term when its value is not one this pushes down.
func liandongField(key string, value any) liandongTerm {
	segments := strings.Split(key, ".")
	for _, s := range segments {
		if !liandongSegment.MatchString(s) {
			return liandongTerm{}
		}
	}

	isID := key == "_id"

	column := liandongColumn(segments)
	if isID {
		column = metadata.IDColumn
	}

	t := liandongTerm{key: key}

	if exists, ok := liandongExists(value); ok {
		// fix 9: a top-level field is missing exactly where its `->` is SQL's NULL (a stored null is the text
		// 'null'); under a path an array may hold it, so a nested `$exists` is left to the handler
		if isID || len(segments) != 1 {
			return liandongTerm{}
		}

		t.sql, t.exact = "("+column+" IS NOT NULL)", true
		if !exists {
			t.sql = "(" + column + " IS NULL)"
		}

		return t
	}

	matches, ok := liandongEqualities(value, isID)
	switch {
	case ok:
		t.sql = column + " IN (?" + strings.Repeat(", ?", len(matches)-1) + ")"
		for _, m := range matches {
			t.args = append(t.args, string(must.NotFail(sjson.MarshalSingleValue(m))))
		}

		// JSON text is equal exactly when the strings (or booleans) are; exact unless other operators stand beside
		d, operators := value.(*types.Document)
		t.exact = !operators || d.Len() == 1
	case value == types.Null && !isID && len(segments) == 1:
		// fix 15: a top-level field equal to null is missing or a stored null (the text `null`); an array holding
		// a null is kept below, as for any equality
		t.sql, t.exact = "("+column+" IS NULL OR "+column+" = 'null')", true
	default:
		if hi, ok := liandongStringBelow(value); ok && !isID && len(segments) == 1 {
			// fix 15: a string's upper bound, the page after a cursor on a list newest first (`{at: {$lt: v}}`):
			// a plain string's JSON text lies in ['"', hi) exactly when the string is below the bound; a value
			// that sorts apart is kept too unless the field holds none (liandongClause)
			t.sql, t.args, t.ranged, t.lo, t.hi, t.exact = column+" >= ? AND "+column+" < ?", []any{`"`, hi}, true, `"`, hi, true
			t.unplain = fmt.Sprintf(`(%[1]s >= '"' AND %[1]s < '#' AND NOT (%[2]s))`, column, liandongPlain(column))

			break
		}

		lo, hi, exact, ok := liandongStringRange(value)
		if !ok {
			return liandongTerm{}
		}

		t.sql, t.args, t.ranged, t.lo, t.hi, t.exact = column+" >= ? AND "+column+" < ?", []any{lo, hi}, true, lo, hi, exact
	}

	if !isID { // an `_id` is never an array
		if len(segments) == 1 {
			t.bare = "(" + t.sql + ")"
		}

		var arrays []string

		for n := 1; n <= len(segments); n++ {
			// a JSON array's text, and only an array's, starts with '[' (the character before '\')
			prefix := liandongColumn(segments[:n])
			array := fmt.Sprintf(`(%s >= '[' AND %s < '\')`, prefix, prefix)
			t.sql, arrays = fmt.Sprintf(`(%s) OR %s`, t.sql, array), append(arrays, array)
		}

		t.arrays = strings.Join(arrays, " OR ")
	}

	t.sql = "(" + t.sql + ")"

	return t
}

// liandongExists (fix 9): `{f: {$exists: true|false}}`, alone: whether the field must be there. A startup's
// question whether any document still lacks a field (`find_one({person_keys: {$exists: false}})`, every service's
// key backfill) read the whole collection: over 30 s at 100 000 petitions, so the petition service did not start.
func liandongExists(value any) (bool, bool) {
	d, ok := value.(*types.Document)
	if !ok || d.Len() != 1 {
		return false, false
	}

	v, err := d.Get("$exists")
	if err != nil {
		return false, false
	}

	exists, ok := v.(bool)

	return exists, ok
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

// liandongStringBelow (fix 15): for `{$lt: b}` or `{$lte: b}` alone, b a plain string (its JSON text holds no '\',
// ' ' or '!'), the JSON text below which a plain string's text lies exactly when the string is below b (up to b):
// '"' and b, as its text starts — a shorter string's closing '"' is below any character of a plain b; for `$lte`
// then '#', the character after the closing '"' (a longer plain string's next character is at least '#').
func liandongStringBelow(value any) (string, bool) {
	d, ok := value.(*types.Document)
	if !ok || d.Len() != 1 {
		return "", false
	}

	op := d.Keys()[0]
	if op != "$lt" && op != "$lte" {
		return "", false
	}

	bound, ok := must.NotFail(d.Get(op)).(string)
	if !ok {
		return "", false
	}

	text := string(must.NotFail(sjson.MarshalSingleValue(bound)))
	if strings.ContainsAny(text, `\ !`) {
		return "", false
	}

	hi := strings.TrimSuffix(text, `"`)
	if op == "$lte" {
		hi += "#"
	}

	return hi, true
}

// liandongStringRange: bounds [lo, hi) on the JSON text of every string the field's condition can match — an
// anchored regex's literal prefix, or a `$gte` / `$gt` string's — whether they hold exactly those strings (a regex
// that is nothing but its literal prefix, alone), or false.
func liandongStringRange(value any) (string, string, bool, bool) {
	d, ok := value.(*types.Document)
	if !ok || !liandongOperators(d) {
		if re, ok := value.(types.Regex); ok {
			return liandongPrefixRange(re.Pattern, re.Options)
		}

		return "", "", false, false
	}

	if v, err := d.Get("$regex"); err == nil {
		options, _ := d.Get("$options")
		opts, _ := options.(string)
		alone := d.Len() == 1 || d.Len() == 2 && d.Has("$options")

		var lo, hi string
		var exact, ok bool

		switch re := v.(type) {
		case string:
			lo, hi, exact, ok = liandongPrefixRange(re, opts)
		case types.Regex:
			if opts == "" {
				opts = re.Options
			}

			lo, hi, exact, ok = liandongPrefixRange(re.Pattern, opts)
		}

		return lo, hi, exact && alone, ok
	}

	for _, op := range []string{"$gte", "$gt"} {
		v, err := d.Get(op)
		if err != nil {
			continue
		}

		lo, ok := v.(string)
		if !ok {
			return "", "", false, false
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

		return `"` + string(prefix), "#", false, true // every string's JSON text is below '#', the character after '"'
	}

	return "", "", false, false
}

// liandongPrefixRange: the range of JSON texts of the strings an anchored regex can match, from its literal
// prefix: JSON text starts with '"' and the prefix exactly when the string starts with the prefix, as long as
// the prefix holds nothing JSON escapes; exact when the regex is that prefix and nothing more.
func liandongPrefixRange(pattern, options string) (string, string, bool, bool) {
	if strings.Trim(options, "s") != "" || !strings.HasPrefix(pattern, "^") || strings.Contains(pattern, "|") {
		return "", "", false, false // case-insensitive, multi-line, extended or an alternative: no one prefix
	}

	rs := []rune(pattern[1:])
	var prefix []rune

	exact := true

scan:
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\\' && i+1 < len(rs) && rs[i+1] < 0x80 && !liandongAlnum(rs[i+1]):
			i++
			r = rs[i] // an escaped punctuation mark is itself
		case strings.ContainsRune(`\.^$?*+()[]{}`, r):
			exact = false
			break scan // what follows is not one literal character
		}

		if r < 0x20 || strings.ContainsRune("\"\\&<>\u2028\u2029", r) {
			exact = false
			break // JSON escapes it
		}

		if i+1 < len(rs) && strings.ContainsRune("?*{", rs[i+1]) {
			exact = false
			break // this character may not be there at all
		}

		prefix = append(prefix, r)
	}

	// the end of the range: the prefix up to its last ASCII character, that character the next one
	// (JSON text is UTF-8, whose multi-byte sequences all sort after ASCII)
	for len(prefix) > 0 && prefix[len(prefix)-1] >= 0x7f {
		prefix = prefix[:len(prefix)-1]
		exact = false
	}

	if len(prefix) == 0 {
		return "", "", false, false
	}

	last := len(prefix) - 1
	end := append(append([]rune{}, prefix[:last]...), prefix[last]+1)

	return `"` + string(prefix), `"` + string(end), exact, true
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

// liandongSortOrder (fix 5): for a sort on one top-level field, that field and the ORDER BY which puts first every
// row whose order SQL may get wrong, then the others in MongoDB's order (ties by row id, insertion order, as the
// handler's stable sort leaves them); or "" for a sort it does not do. SQL's order of two values is MongoDB's when
// each is missing or a string whose JSON text holds no '\' (an escape) and no ' ' or '!' (the only characters
// below the closing '"'): comparing such texts compares the strings byte by byte, a missing value first. A number,
// null, array or document, or such a string, among the rows: the handler sorts them in memory, as released.
func liandongSortOrder(sort *types.Document) (string, string) {
	key, column, order := liandongSortKey(sort)
	if key == "" {
		return "", ""
	}

	return key, " ORDER BY NOT (" + liandongPlain(column) + ") DESC, " + column + order + ", rowid"
}

// liandongSortKey: a sort on one top-level field (not `_id`): the field, its expression and " DESC" or "".
func liandongSortKey(sort *types.Document) (string, string, string) {
	if sort.Len() != 1 {
		return "", "", ""
	}

	key := sort.Keys()[0]
	if key == "_id" || !liandongSegment.MatchString(key) {
		return "", "", ""
	}

	var order string

	switch dir, _ := must.NotFail(sort.Get(key)).(int64); dir {
	case 1:
	case -1:
		order = " DESC"
	default:
		return "", "", ""
	}

	return key, liandongColumn([]string{key}), order
}

// liandongSorted (fixes 5, 10 and 11): a find sorted on one top-level field, as SQL: the field ("" for a sort it
// does not do: the handler sorts as released), the query returning the rows where keeps in that order (its
// arguments where's), whether that order is known to be MongoDB's before a row is read (otherwise the first row
// tells, liandongPeek) and whether SQL skipped the find's skip.
//
// Fix 11: a hint naming an index that the sort's field leads is followed (MongoDB follows it; FerretDB 1.24 ignores
// hints), where no row where keeps is one SQL may misplace: SQLite walks that index in the sort's order and stops
// where the handler stops, instead of sorting every candidate first. A list whose matches reached its count's cap
// (a sub-district's 10 000 petitions and more) hints its `registered` index, as it does on MongoDB.
func liandongSorted(ctx context.Context, db *fsql.DB, meta *metadata.Collection, where string, args []any,
	filter, sort *types.Document, skip int64, hint any) (string, string, bool, bool) {
	key, orderBy := liandongSortOrder(sort)
	if key == "" {
		return "", "", false, false
	}

	var from string

	known := false

	if index := liandongHinted(meta, hint, key); index != "" && liandongNoneApart(ctx, db, meta, where, args, key) {
		_, column, order := liandongSortKey(sort)
		known, from, orderBy = true, fmt.Sprintf(" INDEXED BY %q", index), " ORDER BY "+column+order+", rowid"
	}

	var offset int64

	if skip > 0 {
		if known {
			_, _, exact := liandongExact(ctx, db, meta, filter)
			if exact {
				offset = skip
			}
		} else if liandongSkippable(ctx, db, meta, filter, key) {
			offset = skip
		}
	}

	return key, liandongSortedSelect(meta.TableName, from, where, orderBy, offset), known, offset > 0
}

// liandongHinted (fix 11): the SQLite name of the index hint names, when the sort's field leads it.
func liandongHinted(meta *metadata.Collection, hint any, key string) string {
	name, ok := hint.(string)
	if !ok || name == "" {
		return ""
	}

	for _, index := range meta.Settings.Indexes {
		if index.Name == name && len(index.Key) > 0 && index.Key[0].Field == key {
			return meta.TableName + "_" + index.Name // as the registry names it (metadata.Registry.indexesCreate)
		}
	}

	return ""
}

// liandongSortedSelect (fix 5): the rows `where` keeps, in orderBy's order. The sort carries row ids only, not the
// documents (a duplicate check's place keeps some 10 000 candidates of a few KB each), and each document is read
// by its row id as the handler asks for the next: it stops at its limit. The sorted ids are the outer loop (CROSS
// JOIN keeps SQLite from reordering the two), so the documents come in their order.
// from: an INDEXED BY clause or ""; offset: the rows SQL skips first (fix 10: only where the handler would skip
// the same rows).
func liandongSortedSelect(table, from, where, orderBy string, offset int64) string {
	return fmt.Sprintf(`SELECT liandong_doc.%[1]s AS %[1]s FROM (SELECT rowid AS liandong_row FROM %[2]q%[6]s%[3]s%[4]s`+
		` LIMIT -1 OFFSET %[5]d) AS liandong_sorted CROSS JOIN %[2]q AS liandong_doc`+
		` ON liandong_doc.rowid = liandong_sorted.liandong_row`,
		metadata.DefaultColumn, table, where, orderBy, offset, from)
}

// liandongSkippable (fix 10): whether a sorted find's skip may be done by SQL: the rows the filter's clause keeps
// are exactly those MongoDB matches (pushed down whole, no array on its paths among them, as liandongCount asks)
// and none is one SQL may misplace (as liandongExplainSorted asks). The handler skipped by reading and decoding
// each skipped document: a list's deep page (6 000 of a sub-district's 10 000 skipped) took 4 s. A row written
// between these questions and the read may come out of order, as any concurrent write may be missed by a find.
func liandongSkippable(ctx context.Context, db *fsql.DB, meta *metadata.Collection, filter *types.Document, key string) bool {
	where, args, exact := liandongExact(ctx, db, meta, filter)

	return exact && liandongNoneApart(ctx, db, meta, where, args, key)
}

// liandongNoneApart: no row where keeps holds under key a value that sorts apart in SQL — known without a question
// where no write has put one there since a walk of the whole collection found none (fix 12), asked otherwise.
func liandongNoneApart(ctx context.Context, db *fsql.DB, meta *metadata.Collection, where string, args []any, key string) bool {
	return liandongFieldPlain(ctx, db, meta, key) || liandongExplainSorted(ctx, db, meta.TableName, where, args, key)
}

// Fix 12: asking a list's 10 000 matches whether one sorts apart cost ~8 ms of each page (fixes 10 and 11). Every
// write counts, per table and top-level field, the values it puts there that may sort apart (liandongWriting,
// called before the write: InsertAll and UpdateAll, the backend's only writes of documents); a walk of the whole
// collection finding none under a field is remembered with that field's count, and holds while the count is the
// same. A walk's answer is kept only if no such write began while it ran; one beginning after a page's question
// is answered may come out of order, as any concurrent write may be missed by a find.
var (
	liandongApart sync.Map // table "\x00" field -> *atomic.Int64: writes of a value that may sort apart
	liandongWalks sync.Map // table "\x00" field -> liandongWalk
)

type liandongWalk struct {
	apart int64 // the field's count when the walk began
	plain bool  // no value under the field sorts apart
}

func liandongApartCount(table, field string) *atomic.Int64 {
	n, _ := liandongApart.LoadOrStore(table+"\x00"+field, new(atomic.Int64))
	return n.(*atomic.Int64)
}

// liandongFieldPlain (fix 12): no document of the collection holds under key a value that sorts apart in SQL.
func liandongFieldPlain(ctx context.Context, db *fsql.DB, meta *metadata.Collection, key string) bool {
	name := meta.TableName + "\x00" + key
	count := liandongApartCount(meta.TableName, key)
	seen := count.Load()

	if w, ok := liandongWalks.Load(name); ok && w.(liandongWalk).apart == seen {
		return w.(liandongWalk).plain
	}

	plain := liandongExplainSorted(ctx, db, meta.TableName, "", nil, key)
	if count.Load() != seen {
		return false // a write began meanwhile: the walk may not have seen it
	}

	liandongWalks.Store(name, liandongWalk{apart: seen, plain: plain})

	return plain
}

// liandongWriting (fix 12): before docs are written to table, count under each top-level field a value that may
// sort apart in SQL: any but a string whose JSON text holds no '\', ' ' or '!' (an ObjectID or binary data too,
// which sjson writes as strings).
func liandongWriting(table string, docs []*types.Document) {
	for _, doc := range docs {
		keys, values := doc.Keys(), doc.Values()
		for i, key := range keys {
			if str, ok := values[i].(string); ok && !bytes.ContainsAny(must.NotFail(sjson.MarshalSingleValue(str)), `\ !`) {
				continue
			}

			liandongApartCount(table, key).Add(1)
		}
	}
}

// liandongPeek (fix 5): whether the rows come in MongoDB's order — true unless the first (one SQL may misplace
// comes first) holds such a value under key — and an iterator that still yields that first row. One pass: nothing
// is asked of SQL beforehand. Not sorted (key "" too): the handler sorts whatever comes, as released.
func liandongPeek(iter types.DocumentsIterator, key string) (types.DocumentsIterator, bool) {
	if key == "" {
		return iter, false
	}

	_, first, err := iter.Next()
	if errors.Is(err, iterator.ErrIteratorDone) {
		return iter, true // no row: nothing to sort
	}

	peeked := &liandongPeeked{iter: iter, first: first, err: err}
	if err != nil {
		return peeked, false
	}

	v, getErr := first.Get(key)
	if getErr != nil {
		return peeked, true // missing: first in SQL's order and in MongoDB's
	}

	str, ok := v.(string)
	if !ok {
		return peeked, false
	}

	text := must.NotFail(sjson.MarshalSingleValue(str))

	return peeked, !bytes.ContainsAny(text, `\ !`)
}

// liandongPeeked: the peeked row (or error) first, then the rest of the iterator.
type liandongPeeked struct {
	m     sync.Mutex
	iter  types.DocumentsIterator
	first *types.Document
	err   error
	given bool
}

func (p *liandongPeeked) Next() (struct{}, *types.Document, error) {
	p.m.Lock()
	given := p.given
	p.given = true
	p.m.Unlock()

	if !given {
		return struct{}{}, p.first, p.err
	}

	return p.iter.Next()
}

func (p *liandongPeeked) Close() {
	p.iter.Close()
}

// liandongExplainSorted (fix 5, explain only): whether a find would come sorted from SQL — no row where keeps is
// one SQL may misplace; one query asks (a find learns it from its first row instead).
func liandongExplainSorted(ctx context.Context, db *fsql.DB, table, where string, args []any, key string) bool {
	if key == "" {
		return false
	}

	and := " WHERE "
	if where != "" {
		and = where + " AND "
	}

	var one int

	q := fmt.Sprintf(`SELECT 1 FROM %q`, table) + and + "NOT (" + liandongPlain(liandongColumn([]string{key})) + ") LIMIT 1"

	return errors.Is(db.QueryRowContext(ctx, q, args...).Scan(&one), sql.ErrNoRows)
}

// liandongPlain: SQL true where the value's JSON text orders as MongoDB orders the value (liandongSortOrder).
// Its limit: sjson writes an ObjectID (hex) and binary data (base64) as JSON strings too, so a field mixing strings
// with those is taken for strings (a first row holding one is caught by liandongPeek, a later one is not); the
// platform sorts only fields of strings and never `_id` here (README *What FerretDB 1.24 does differently*).
func liandongPlain(column string) string {
	return fmt.Sprintf(`%[1]s IS NULL OR (%[1]s >= '"' AND %[1]s < '#' AND instr(%[1]s, '\') = 0 AND `+
		`instr(%[1]s, ' ') = 0 AND instr(%[1]s, '!') = 0)`, column)
}
