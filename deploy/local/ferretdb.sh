#!/usr/bin/env bash
# Start/stop a real FerretDB (MongoDB wire protocol) server with the SQLite
# backend for the test suite, without Docker. The binary is built from the Go
# module proxy source into <repo>/.cache/bin/ferretdb on first use.
#
# Usage: deploy/local/ferretdb.sh start|stop|status|restart-keep-data
#
#   start              build the binary if missing, wipe the data dir, start, wait for a `ping`
#   stop               graceful stop (TERM, then KILL after FERRETDB_STOP_TIMEOUT s); idempotent
#   status             exit 0 if the server for FERRETDB_PORT is running
#   restart-keep-data  stop, then start again on the SAME data dir
#
# Environment:
#   FERRETDB_PORT           MongoDB port, default 27018 (listens on 127.0.0.1 only)
#   FERRETDB_DEBUG_PORT     if set, serve FerretDB's metrics/debug HTTP on 127.0.0.1:<port>
#                           (default: disabled, so several instances never clash)
#   FERRETDB_START_TIMEOUT  seconds to wait for readiness, default 60
#   FERRETDB_STOP_TIMEOUT   seconds to wait after TERM before KILL, default 15
#   FERRETDB_GOGC           the server's Go collector target (GOGC), default 400 (see the start below)
#   LIANDONG_CACHE_DIR      cache root, default <repo>/.cache (everything is written under it)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE_DIR="${LIANDONG_CACHE_DIR:-$REPO_ROOT/.cache}"

FERRETDB_VERSION=v1.24.2
FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_PORT="${FERRETDB_PORT:-27018}"
FERRETDB_DEBUG_PORT="${FERRETDB_DEBUG_PORT:-}"
FERRETDB_START_TIMEOUT="${FERRETDB_START_TIMEOUT:-60}"
FERRETDB_STOP_TIMEOUT="${FERRETDB_STOP_TIMEOUT:-15}"
FERRETDB_GOGC="${FERRETDB_GOGC:-400}"
HOST=127.0.0.1

BIN_DIR="$CACHE_DIR/bin"
BIN="$BIN_DIR/ferretdb"
FDIR="$CACHE_DIR/ferretdb"
STATE_DIR="$FDIR/state-$FERRETDB_PORT"

NAME=ferretdb TITLE=FerretDB PORT="$FERRETDB_PORT" SERVER_DIR="$FDIR" CMDLINE_MARK="--listen-addr=$HOST:$FERRETDB_PORT "
STOP_TIMEOUT="$FERRETDB_STOP_TIMEOUT" START_TIMEOUT="$FERRETDB_START_TIMEOUT"
# shellcheck source=deploy/local/server.sh
source "$SCRIPT_DIR/server.sh"


# --- binary --------------------------------------------------------------------

# Our changes to FerretDB's source, named so a binary built before them is built again.
# v1.24 is FerretDB's last SQLite release: no upstream fix for any of them.
# 1. FerretDB 1.24's SQLite backend indexes `_id` as `_ferretdb_sjson->"_id"` but looks documents up by
#    `_ferretdb_sjson->'$._id'`: the same value, another expression, so SQLite never uses the index and every
#    find, update and delete by `_id` reads the whole collection (41 ms at 20 000 documents, 118 ms an update,
#    growing with the collection; MongoDB answers both from its `_id` index). The lookup is written as the
#    index is, and SQLite uses it (1.0–1.2 ms / 1.6–2.1 ms, flat).
# 2. The backend narrows by `_id` only when `_id` is the filter's one key: `{_id: x, marks: {$ne: p}}` — a
#    conditional update of one document — read the whole collection. Every caller of the backend's query
#    (find, count, update, delete, findAndModify, aggregate, getMore) filters what it returns by the whole
#    filter again, so narrowing by a plain `_id` whatever else the filter says returns the same documents.
# 3. An `update` command closes each of its updates' reads only when the whole command ends (`defer` in the
#    loop over them): a bulk of 50 updates holds 50 of the backend's 100 SQLite connections, two such bulks at
#    once hold them all while each waits for one more to write — the server hangs for good (seen: two
#    projector processes writing buckets). Each update's read is closed once that update is done.
# 4. Beyond `_id` the backend pushes nothing down: a lookup by any indexed field (a duplicate check by a blind
#    index, an outbox's undelivered rows, a subtree of the org tree) reads the whole collection. The filter's
#    equalities on strings and booleans (`$in`s of them too), an anchored regex's literal prefix and a string's
#    lower bound, also inside `$and`, become SQL on the expressions FerretDB's indexes are built on, array-safe
#    and only narrowing (the callers filter again, as in 2): deploy/local/ferretdb-pushdown.go, copied into the
#    source in place of the `_id`-only block (in Query and Explain), so it also does what 2 names: a plain `_id`
#    narrows whatever else the filter says.
# 5. Every sort is done in memory: a list's page of 20 newest, a duplicate check's 20 newest at one place, read
#    and sorted every candidate the filter kept (2 s for 2 000 petitions; a sub-district of 10 000 passed the
#    30 s timeout). A sort on one top-level field goes to SQL, which orders the candidates' row ids (not their
#    documents) with any value whose SQL order is not MongoDB's first — a number, null, a string with an escape,
#    ` ` or `!` — and reads each document by its row id as the handler asks: if the first row holds no such value,
#    the order is MongoDB's and the handler stops at its limit; otherwise it sorts them all in memory, as released
#    (liandongSortOrder, liandongSortedSelect and liandongPeek in ferretdb-pushdown.go; one pass).
# 6. Every count read and decoded the documents it counted (pymongo's count_documents is an aggregate: $match,
#    $skip / $limit, $group summing 1): a list's total beside each page, 1.5 s for 2 000 petitions. That pipeline
#    is answered by SQL's COUNT where the $match is pushed down exactly — equalities and anchored literal prefixes
#    only, no array on their paths among the rows (liandongCount) — and goes through the stages otherwise
#    (deploy/local/ferretdb-count.go, copied into the handler).
# 7. Every term pushed down (4) keeps the rows with an array on its path, as an OR beside it, so SQLite used one
#    index column at most: a duplicate check's category, place and date read the whole category (~10 000
#    candidates at 100 000 petitions). A top-level field an index leads, holding no array in any document (one
#    seek into that index's range of array texts, per query), is compared bare (liandongArrayFree).
# 8. Its SQLite (modernc.org/sqlite v1.32.0, SQLite 3.46) reads the table's row for every index entry a query
#    visits, even where the index holds every expression the query asks: a sub-district's ~10 000 petitions, sorted
#    by row id and date (5), were ~10 000 documents read. Built with modernc.org/sqlite v1.62.0 (SQLite 3.50, same
#    driver API), the index is a covering one there: that page 323 -> 34 ms over 50 000 documents of 2 KB.
# 9. `{f: {$exists: …}}` was not pushed down: every service's startup question whether a document still lacks a
#    field (liandong.reencrypt.key_missing: `find_one({person_keys: {$exists: false}})`) read the whole collection,
#    over 30 s at 100 000 petitions, so the petition service did not start. On a top-level field it is SQL's
#    `IS [NOT] NULL` on the index's expression, exact (liandongExists).
# 10. A sorted find's skip was done by the handler reading and decoding every skipped document: a list's deep page
#    (page 300 of a sub-district's 10 000) took 4 s. Where the filter reaches the backend whole, its clause keeps
#    exactly what it matches (as for 6) and no row is one SQL may misplace (as for 5's explain), SQL skips them
#    (OFFSET on the sorted row ids, before any document is read; liandongSkippable).
# 11. It ignores a find's hint: a list whose matches reach its count's cap (a sub-district's 10 000 petitions and
#    more) hints its `registered` index so that MongoDB walks it newest first and stops at the page; FerretDB sorted
#    every match's row id first (5). A hint naming an index the sort's one field leads is followed where no match is
#    a value SQL may misplace (asked first, as 5's explain does): SQL walks that index (INDEXED BY) in the sort's
#    order and the handler stops at the page; explain says so too (liandongSorted, liandongHinted).
# 12. Fixes 10 and 11 ask a list's matches first whether one sorts apart in SQL: ~8 ms of a sub-district's page over
#    10 000 matches. Each write of documents counts, per field, the values it puts there that may sort apart; a
#    walk of the whole collection finding none is remembered while that count stands (liandongFieldPlain,
#    liandongWriting).
# 13. Every document read was decoded with a new JSON decoder for each of its values, nested ones too, and its type
#    schema (stored beside the values) decoded again by reflection for every document; every iterator over a
#    decoded document or array was registered with a leak tracker that takes a stack trace for a pprof profile. Its
#    CPU profile over finds of 100 petitions (2 KB each): decoding 54 %, the tracker 13 %; ~0.7 ms a document. A
#    schema is decoded once per distinct text and kept (at most 2 048), a string needing no unescaping is taken as
#    it is, a document's or an array's members are cut out of its text in one pass (text not as expected goes to
#    encoding/json as released), and the tracker is off (deploy/local/ferretdb-sjson.go): 20 petitions read
#    17.9 -> 5.3 ms, 100 in 70.8 -> 23.3 ms. And a find without a projection answers the documents as read (the
#    projection of none deep-copied each document twice: 11 % of the server's CPU once decoding was cheaper). What the fix must never change — every document read back as written,
#    strings needing unescaping and more shapes than are kept among them — is
#    shared/tests/integration/test_documents_read_back_mongo.py.
# 14. Under the district overview (~1 200 buckets of ~80 numbers a call) a new JSON decoder for every number was
#    18 % of the server's CPU, and the subtree filter's regular expression compiled again for every bucket 10 %: a
#    number whose text is a plain JSON number is parsed by strconv (deploy/local/ferretdb-sjson.go; anything else
#    to encoding/json as released) and a compiled expression is kept per pattern and options
#    (deploy/local/ferretdb-regex.go): the overview's buckets read 73 -> 47 ms. Proved by the same test file.
# 15. A list walked by cursor (docs/api-style.md) asks the page after a record as `{registered_at: {$lt: v}}` (newest
#    first): an upper bound was not pushed down, so a sub-district's page 100 by cursor read and decoded the 2 000
#    newer matches first (97 ms; by number, skipped in SQL by 10: 7 ms). A plain string's upper bound (`$lt`,
#    `$lte`) is the range of JSON texts ['"', '"v') (liandongStringBelow), exact where the field holds only plain
#    strings (fix 12's question), the values that sort apart kept beside it otherwise; and a top-level field equal
#    to null is `IS NULL OR = 'null'` (a walk's records without the sort field come last).
FERRETDB_SQLITE_MODULE=v1.62.0
FERRETDB_FIXES="sqlite-id-lookup-uses-index-1,id-narrows-any-filter-1,update-closes-each-read-1,filter-pushdown-1,sort-pushdown-2,count-pushdown-2,array-free-fields-1,sqlite-$FERRETDB_SQLITE_MODULE,exists-pushdown-1,skip-pushdown-1,hint-1,plain-fields-1,decode-3,numbers-regexps-2,upper-bound-1"

have_binary() {
  [[ -x "$BIN" ]] || return 1
  local out
  out="$("$BIN" --version 2>/dev/null)" || return 1
  [[ "$out" == *"version: $FERRETDB_VERSION"* ]] || return 1
  [[ "$(cat "$BIN.fixes" 2>/dev/null)" == "$FERRETDB_FIXES" ]]
}

# The fixes above, applied to the copied source; the build fails if a line one replaces is not there as expected.
fix_source() {
  python3 - "$1/internal/backends/sqlite" <<'PY'
import sys
root = sys.argv[1]
# the `_id`-only narrowing in Query and Explain, as released (fix 4 replaces it)
ID_ONLY = ("\tif params.Filter.Len() == 1 {{\n\t\tv, _ := params.Filter.Get(\"_id\")\n\t\tswitch v.(type) {{\n"
           "\t\tcase string, types.ObjectID:\n{flag}"
           "\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n"
           "\t\t\targs = []any{{string(must.NotFail(sjson.MarshalSingleValue(v)))}}\n\t\t}}\n\t}}\n")
fixes = [
    ("metadata/metadata.go", "IDColumn = DefaultColumn + \"->'$._id'\"", 'IDColumn = DefaultColumn + `->"_id"`', 1),
    # update: each update's read closed when that update is done, not when the command ends
    ("../../handler/msg_update.go", "\t\tcloser := iterator.NewMultiCloser()\n\t\tdefer closer.Close()\n",
     "\t\tcloser := iterator.NewMultiCloser()\n", 1),
    ("../../handler/msg_update.go", '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n',
     '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n\t\tcloser.Close()\n', 1),
    # Query and Explain: the filter's equalities pushed down (ferretdb-pushdown.go), `_id`'s among them
    ("collection.go", ID_ONLY.format(flag=""), "\twhereClause, args = liandongWhere(ctx, db, meta, params.Filter)\n", 1),
    ("collection.go", ID_ONLY.format(flag="\t\t\tfilterPushdown = true\n"),
     "\twhereClause, args = liandongWhere(ctx, db, meta, params.Filter)\n\tfilterPushdown = whereClause != \"\"\n", 1),
    # fix 5: a sort on one field passed to the backend (LiandongSort: the other backends ignore it), which says
    # whether it returned the documents in that order (LiandongSorted); then the handler does not sort them
    ("../collection.go", "\tOnlyRecordIDs bool\n\tComment       string\n}",
     "\tOnlyRecordIDs bool\n\tComment       string\n\tLiandongSort  *types.Document\n\tLiandongSkip int64\n\tLiandongHint any\n"
     "\tLiandongCountFilter *types.Document\n}", 1),
    ("../collection.go", "type QueryResult struct {\n\tIter types.DocumentsIterator\n}",
     "type QueryResult struct {\n\tIter types.DocumentsIterator\n\tLiandongSorted bool\n\tLiandongSkipped bool\n"
     "\tLiandongCount int64\n\tLiandongCounted bool\n}", 1),
    ("../collection.go", "type ExplainParams struct {\n\tFilter *types.Document\n\tSort   *types.Document\n\tLimit  int64\n}",
     "type ExplainParams struct {\n\tFilter *types.Document\n\tSort   *types.Document\n\tLimit  int64\n"
     "\tLiandongSort *types.Document\n\tLiandongHint any\n}", 1),
    ("collection.go", "\tq += whereClause\n\tq += prepareOrderByClause(params.Sort)\n",
     "\tq += whereClause\n\tq += prepareOrderByClause(params.Sort)\n\tvar liandongKey string\n"
     "\tvar liandongKnown, liandongSkipped bool\n"
     "\tif params.Sort == nil && !meta.Capped() && !params.OnlyRecordIDs {\n"
     "\t\tkey, sorted, known, skipped := liandongSorted(ctx, db, meta, whereClause, args, params.Filter,\n"
     "\t\t\tparams.LiandongSort, params.LiandongSkip, params.LiandongHint)\n"
     "\t\tif key != \"\" {\n"
     "\t\t\tliandongKey, q, liandongKnown, liandongSkipped = key, sorted, known, skipped\n\t\t}\n\t}\n", 1),
    ("collection.go", "\treturn &backends.QueryResult{\n\t\tIter: newQueryIterator(ctx, rows, params.OnlyRecordIDs),\n\t}, nil\n",
     "\tliandongIter, liandongSorted := liandongPeek(newQueryIterator(ctx, rows, params.OnlyRecordIDs), liandongKey)\n\n"
     "\treturn &backends.QueryResult{\n\t\tIter: liandongIter,\n\t\tLiandongSorted: liandongSorted || liandongKnown || liandongSkipped,\n"
     "\t\tLiandongSkipped: liandongSkipped,\n\t}, nil\n", 1),
    ("collection.go", "\torderByClause := prepareOrderByClause(params.Sort)\n\tsortPushdown := orderByClause != \"\"\n",
     "\torderByClause := prepareOrderByClause(params.Sort)\n\tsortPushdown := orderByClause != \"\"\n"
     "\tif params.Sort == nil && !meta.Capped() {\n"
     "\t\tkey, sorted, known, _ := liandongSorted(ctx, db, meta, whereClause, args, params.Filter,\n"
     "\t\t\tparams.LiandongSort, 0, params.LiandongHint)\n"
     "\t\tif key != \"\" {\n"
     "\t\t\tsortPushdown = known || liandongExplainSorted(ctx, db, meta.TableName, whereClause, args, key)\n"
     "\t\t\tselectClause, whereClause = sorted, \"\"\n"
     "\t\t}\n\t}\n", 1),
    # fix 10: the skip too, where the filter reaches the backend whole (without nested pushdown the handler
    # removes a dotted key from it, and the backend's clause would keep rows the filter does not match)
    ("../../handler/msg_find.go", "\t// Limit pushdown is not applied if:\n",
     "\tif !h.DisablePushdown && qp.Sort == nil && !cInfo.Capped() {\n\t\tqp.LiandongSort = params.Sort\n"
     "\t\tif qp.Filter.Len() == params.Filter.Len() {\n\t\t\tqp.LiandongSkip = params.Skip\n\t\t}\n"
     "\t\tqp.LiandongHint = params.Hint\n\t}\n\n"
     "\t// Limit pushdown is not applied if:\n", 1),
    ("../../handler/msg_find.go", "\titer, err := h.makeFindIter(queryRes.Iter, closer, params)\n",
     "\titerParams := params\n\tif queryRes.LiandongSorted {\n\t\tsorted := *params\n\t\tsorted.Sort = nil\n"
     "\t\tif queryRes.LiandongSkipped {\n\t\t\tsorted.Skip = 0\n\t\t}\n"
     "\t\titerParams = &sorted\n\t}\n\n\titer, err := h.makeFindIter(queryRes.Iter, closer, iterParams)\n", 1),
    ("../../handler/msg_explain.go", "\t// Limit pushdown is not applied if:\n",
     "\tif !h.DisablePushdown && qp.Sort == nil && !cInfo.Capped() {\n\t\tqp.LiandongSort = params.Sort\n"
     "\t\tqp.LiandongHint = params.Hint\n\t}\n\n"
     "\t// Limit pushdown is not applied if:\n", 1),
    # fix 11: a find's hint is kept (as released it is logged and dropped) and passed to the backend (above)
    ("../../handler/common/find.go", '\tHint             any             `ferretdb:"hint,ignored"`',
     '\tHint             any             `ferretdb:"hint,opt"`', 1),
    ("../../handler/common/explain.go", "\tStagesDocs []any           `ferretdb:\"-\"`\n",
     "\tStagesDocs []any           `ferretdb:\"-\"`\n\tHint any `ferretdb:\"-\"`\n", 1),
    ("../../handler/common/explain.go", "\treturn &ExplainParams{\n",
     "\tliandongHint, _ := explain.Get(\"hint\")\n\n\treturn &ExplainParams{\n\t\tHint:       liandongHint,\n", 1),
    # fix 12: the backend's writes of documents count the values that may sort apart, before they write
    ("collection.go", "\tmeta := c.r.CollectionGet(ctx, c.dbName, c.name)\n\n\terr := db.InTransaction(ctx, func(tx *fsql.Tx) error {\n\t\tbatchSize",
     "\tmeta := c.r.CollectionGet(ctx, c.dbName, c.name)\n\tliandongWriting(meta.TableName, params.Docs)\n\n"
     "\terr := db.InTransaction(ctx, func(tx *fsql.Tx) error {\n\t\tbatchSize", 1),
    ("collection.go", "\tq := fmt.Sprintf(`UPDATE %q SET %s = ? WHERE %s = ?`, meta.TableName, metadata.DefaultColumn, metadata.IDColumn)\n",
     "\tq := fmt.Sprintf(`UPDATE %q SET %s = ? WHERE %s = ?`, meta.TableName, metadata.DefaultColumn, metadata.IDColumn)\n"
     "\tliandongWriting(meta.TableName, params.Docs)\n", 1),
    # fix 6: a count asked of the backend (LiandongCountFilter) is answered by SQL's count where the filter is
    # pushed down exactly (LiandongCounted), and never reads a document; the count pipeline asks it first
    ("collection.go", "\tq := prepareSelectClause(meta.TableName, params.Comment, meta.Capped(), params.OnlyRecordIDs)\n",
     "\tif params.LiandongCountFilter != nil {\n\t\tvar n int64\n\t\tvar counted bool\n\t\tif !meta.Capped() {\n"
     "\t\t\tn, counted = liandongCount(ctx, db, meta, params.LiandongCountFilter)\n\t\t}\n\n"
     "\t\treturn &backends.QueryResult{\n\t\t\tIter: newQueryIterator(ctx, nil, params.OnlyRecordIDs),\n"
     "\t\t\tLiandongCount: n,\n\t\t\tLiandongCounted: counted,\n\t\t}, nil\n\t}\n\n"
     "\tq := prepareSelectClause(meta.TableName, params.Comment, meta.Capped(), params.OnlyRecordIDs)\n", 1),
    ("../../handler/msg_aggregate.go",
     "\t\titer, err = processStagesDocuments(ctx, closer, &stagesDocumentsParams{c, qp, stagesDocuments})\n",
     "\t\titer, err = liandongAggregate(ctx, closer, aggregationStages, !h.DisablePushdown && !cInfo.Capped(),\n"
     "\t\t\t&stagesDocumentsParams{c, qp, stagesDocuments})\n", 1),
    # fix 13: a document's schema decoded once per distinct text, a string needing no unescaping taken as it is,
    # documents and arrays cut into their members in one pass instead of a Decoder each (ferretdb-sjson.go) ...
    ("../../handler/sjson/sjson.go",
     "\tvar v map[string]json.RawMessage\n\tr := bytes.NewReader(data)\n\tdec := json.NewDecoder(r)\n\n"
     "\terr := dec.Decode(&v)\n\tif err != nil {\n\t\treturn nil, lazyerrors.Error(err)\n\t}\n\n"
     "\tif err = checkConsumed(dec, r); err != nil {\n\t\treturn nil, lazyerrors.Error(err)\n\t}\n",
     "\tvar v map[string]json.RawMessage\n\n"
     "\terr := liandongObject(data, &v)\n\tif err != nil {\n\t\treturn nil, lazyerrors.Error(err)\n\t}\n", 1),
    ("../../handler/sjson/sjson.go",
     "\tvar sch schema\n\tr = bytes.NewReader(jsch)\n\tdec = json.NewDecoder(r)\n\tdec.DisallowUnknownFields()\n\n"
     "\tif err := dec.Decode(&sch); err != nil {\n\t\treturn nil, lazyerrors.Error(err)\n\t}\n\n"
     "\tif err := checkConsumed(dec, r); err != nil {\n\t\treturn nil, lazyerrors.Error(err)\n\t}\n",
     "\tsch, err := liandongSchema(jsch)\n\tif err != nil {\n\t\treturn nil, lazyerrors.Error(err)\n\t}\n", 1),
    ("../../handler/sjson/string.go", "\tr := bytes.NewReader(data)\n\tdec := json.NewDecoder(r)\n\n\tvar o string\n",
     "\tif s, ok := liandongString(data); ok {\n\t\t*str = stringType(s)\n\n\t\treturn nil\n\t}\n\n"
     "\tr := bytes.NewReader(data)\n\tdec := json.NewDecoder(r)\n\n\tvar o string\n", 1),
    ("../../handler/sjson/document.go",
     "\tr := bytes.NewReader(data)\n\tdec := json.NewDecoder(r)\n\n\tvar rawMessages map[string]json.RawMessage\n"
     "\tif err := dec.Decode(&rawMessages); err != nil {\n\t\treturn lazyerrors.Error(err)\n\t}\n\n"
     "\tif err := checkConsumed(dec, r); err != nil {\n\t\treturn lazyerrors.Error(err)\n\t}\n",
     "\tvar rawMessages map[string]json.RawMessage\n"
     "\tif err := liandongObject(data, &rawMessages); err != nil {\n\t\treturn lazyerrors.Error(err)\n\t}\n", 1),
    ("../../handler/sjson/array.go",
     "\tr := bytes.NewReader(data)\n\tdec := json.NewDecoder(r)\n\n\tvar rawMessages []json.RawMessage\n"
     "\tif err := dec.Decode(&rawMessages); err != nil {\n\t\treturn lazyerrors.Error(err)\n\t}\n\n"
     "\tif err := checkConsumed(dec, r); err != nil {\n\t\treturn lazyerrors.Error(err)\n\t}\n",
     "\tvar rawMessages []json.RawMessage\n"
     "\tif err := liandongArray(data, &rawMessages); err != nil {\n\t\treturn lazyerrors.Error(err)\n\t}\n", 1),
    # ... and its leak tracker off: every iterator over a document or an array (each decoded value's conversion to
    # BSON makes several) took a stack trace for a pprof profile and set a finalizer that panics the server if the
    # iterator is not closed — a debugging aid, 13 % of the server's CPU on those finds
    ("../../util/resource/resource.go", "func Track(obj any, token *Token) {\n\tcheckArgs(obj, token)\n",
     "func Track(obj any, token *Token) {\n\tif liandongUntracked {\n\t\treturn\n\t}\n\n\tcheckArgs(obj, token)\n", 1),
    ("../../util/resource/resource.go", "func Untrack(obj any, token *Token) {\n\tcheckArgs(obj, token)\n",
     "// liandongUntracked: fix 13 (deploy/local/ferretdb.sh)\nconst liandongUntracked = true\n\n"
     "func Untrack(obj any, token *Token) {\n\tif liandongUntracked {\n\t\treturn\n\t}\n\n\tcheckArgs(obj, token)\n", 1),
    # ... and a find without a projection answers the documents as read: the projection of none copied each
    # document twice (a deep copy without `_id`, and that copied again), 11 % of the server's CPU on those finds
    ("../../handler/common/projection_iterator.go",
     "\tprojected, err := ProjectDocument(doc, iter.projection, iter.filter, iter.inclusion)\n",
     "\tif iter.projection.Len() == 0 && doc.Command() == \"_id\" {\n\t\treturn unused, doc, nil\n\t}\n\n"
     "\tprojected, err := ProjectDocument(doc, iter.projection, iter.filter, iter.inclusion)\n", 1),
    # fix 14: a number whose text is a plain JSON number parsed by strconv, not by a Decoder each
    ("../../handler/sjson/int32.go", "\tr := bytes.NewReader(data)\n\tdec := json.NewDecoder(r)\n\n\tvar o int32\n",
     "\tif v, ok := liandongInt(data, 32); ok {\n\t\t*i = int32Type(v)\n\n\t\treturn nil\n\t}\n\n"
     "\tr := bytes.NewReader(data)\n\tdec := json.NewDecoder(r)\n\n\tvar o int32\n", 1),
    ("../../handler/sjson/int64.go",
     "\tr := bytes.NewReader(data)\n\tdec := json.NewDecoder(r)\n\tdec.DisallowUnknownFields()\n\n\tvar o int64\n",
     "\tif v, ok := liandongInt(data, 64); ok {\n\t\t*i = int64Type(v)\n\n\t\treturn nil\n\t}\n\n"
     "\tr := bytes.NewReader(data)\n\tdec := json.NewDecoder(r)\n\tdec.DisallowUnknownFields()\n\n\tvar o int64\n", 1),
    ("../../handler/sjson/double.go",
     "\tr := bytes.NewReader(data)\n\tdec := json.NewDecoder(r)\n\tdec.DisallowUnknownFields()\n\n\tvar f float64\n",
     "\tif v, ok := liandongFloat(data); ok {\n\t\t*d = doubleType(v)\n\n\t\treturn nil\n\t}\n\n"
     "\tr := bytes.NewReader(data)\n\tdec := json.NewDecoder(r)\n\tdec.DisallowUnknownFields()\n\n\tvar f float64\n", 1),
    # ... and a regular expression compiled once per pattern and options, not once per document filtered
    ("../../types/regex.go", "func (r Regex) Compile() (*regexp.Regexp, error) {\n",
     "func (r Regex) Compile() (*regexp.Regexp, error) {\n\treturn liandongCompile(r) // fix 14 (deploy/local/ferretdb.sh)\n}\n\n"
     "// liandongCompileOnce compiles r as released.\nfunc (r Regex) liandongCompileOnce() (*regexp.Regexp, error) {\n", 1),
]
for name, old, new, times in fixes:
    path = f"{root}/{name}"
    text = open(path).read()
    if text.count(old) != times:
        sys.exit(f"{path}: the line to fix ({old}) is not there {times} time(s) as expected")
    open(path, "w").write(text.replace(old, new))
PY
}

# Not `go install $FERRETDB_MODULE/cmd/ferretdb@$FERRETDB_VERSION`, for two reasons:
#  * with a module@version argument Go looks up the module's deprecation via the
#    proxy's version list, which the reachable proxy refuses (403);
#  * a binary built with FerretDB as the main module panics at start unless
#    build/version/version.txt exists, and that file is not in the module zip.
# So: download the exact module version, copy it, add version.txt, build.
build_binary() {
  command -v go >/dev/null || fail "go not found on PATH (Go 1.24+ needed once to build FerretDB)"
  mkdir -p "$FDIR" "$BIN_DIR"
  log "building FerretDB $FERRETDB_VERSION into $BIN (first run only, may take a few minutes; output in $FDIR/build.log)..."
  local t0=$SECONDS
  (
    if command -v flock >/dev/null; then exec 9>"$FDIR/.build.lock"; flock 9; fi
    have_binary && exit 0
    export GOMODCACHE="$CACHE_DIR/go/mod" GOCACHE="$CACHE_DIR/go/build" \
      GOFLAGS=-modcacherw GOTOOLCHAIN=local GOPATH="$CACHE_DIR/go/path"
    # `set -e` does not act inside a subshell whose status `||` tests: each step fails the build itself, and
    # the old binary's stamp goes first, so a build that failed is never taken for the one asked for
    rm -f "$BIN.fixes"
    local info dir commit src="$FDIR/src-$FERRETDB_VERSION"
    info="$(go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION")" || exit 1
    dir="$(printf '%s' "$info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')" || exit 1
    commit="$(printf '%s' "$info" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("Origin",{}).get("Hash",""))')"
    rm -rf "$src"
    cp -r "$dir" "$src" && chmod -R u+w "$src" || exit 1
    echo "$FERRETDB_VERSION" >"$src/build/version/version.txt" || exit 1
    if [[ -n "$commit" ]]; then echo "$commit" >"$src/build/version/commit.txt"; fi
    fix_source "$src" || exit 1
    cp "$SCRIPT_DIR/ferretdb-pushdown.go" "$src/internal/backends/sqlite/liandong_pushdown.go" || exit 1
    cp "$SCRIPT_DIR/ferretdb-count.go" "$src/internal/handler/liandong_count.go" || exit 1
    cp "$SCRIPT_DIR/ferretdb-sjson.go" "$src/internal/handler/sjson/liandong_sjson.go" || exit 1
    cp "$SCRIPT_DIR/ferretdb-regex.go" "$src/internal/types/liandong_regex.go" || exit 1
    (cd "$src" && go get "modernc.org/sqlite@$FERRETDB_SQLITE_MODULE") || exit 1  # fix 8
    (cd "$src" && go build -trimpath -o "$BIN.tmp" ./cmd/ferretdb) || exit 1
    mv -f "$BIN.tmp" "$BIN" || exit 1
    echo "$FERRETDB_FIXES" >"$BIN.fixes"
    rm -rf "$src"
  ) >>"$FDIR/build.log" 2>&1 || {
    tail -n 40 "$FDIR/build.log" >&2
    echo "FerretDB could not be started: building $FERRETDB_MODULE@$FERRETDB_VERSION failed (see $FDIR/build.log)" >&2
    exit 1
  }
  have_binary || { echo "FerretDB could not be started: $BIN does not report version $FERRETDB_VERSION" >&2; exit 1; }
  log "built FerretDB in $((SECONDS - t0))s"
}

# --- readiness -----------------------------------------------------------------

# Sends a real MongoDB OP_MSG {ping: 1, $db: "admin"} (no driver needed) and
# checks for ok: 1.
probe() {
  python3 - "$HOST" "$FERRETDB_PORT" <<'PY'
import socket, struct, sys
host, port = sys.argv[1], int(sys.argv[2])

def cstr(s):
    return s.encode() + b"\x00"

def bson_doc(elems):
    body = b"".join(elems) + b"\x00"
    return struct.pack("<i", len(body) + 4) + body

doc = bson_doc([
    b"\x10" + cstr("ping") + struct.pack("<i", 1),
    b"\x02" + cstr("$db") + struct.pack("<i", 6) + cstr("admin"),
])
payload = struct.pack("<I", 0) + b"\x00" + doc            # flagBits, section kind 0
msg = struct.pack("<iiii", 16 + len(payload), 1, 0, 2013) + payload

def read(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf

try:
    with socket.create_connection((host, port), timeout=3) as s:
        s.settimeout(5)
        s.sendall(msg)
        (length,) = struct.unpack("<i", read(s, 4))
        rest = read(s, length - 4)
        i = rest.find(b"\x01ok\x00")
        ok = i >= 0 and struct.unpack("<d", rest[i + 4:i + 12])[0] == 1.0
        sys.exit(0 if ok else 1)
except Exception:
    sys.exit(1)
PY
}

# --- commands -------------------------------------------------------------------

start_server_fresh_or_keep() {
  local mode="$1"  # fresh | keep
  local t0=$SECONDS
  have_binary || build_binary
  claim_ports "$FERRETDB_PORT"
  local debug_addr="-"
  if [[ -n "$FERRETDB_DEBUG_PORT" ]]; then
    if port_in_use "$FERRETDB_DEBUG_PORT"; then
      fail "debug port $HOST:$FERRETDB_DEBUG_PORT is already in use by another process"
    fi
    debug_addr="$HOST:$FERRETDB_DEBUG_PORT"
  fi

  keep_or_wipe_data "$mode" "$DATA_DIR" rm -rf "$STATE_DIR"
  mkdir -p "$STATE_DIR"

  # DO_NOT_TRACK is honoured by FerretDB as well as --telemetry=disable.
  # Keep --listen-addr before other flags: running_pid matches "--listen-addr=... ".
  # GOGC: FerretDB decodes each document it returns from its JSON form (~1 ms for a 2 KB petition here), a
  # fifth of that in the collector at Go's default 100; at 400 a list's page of 20 took 17-20 ms where it
  # took 26-39 (its heap stays some tens of MB)
  run_until_ready "$t0" "ferretdb ready on mongodb://$HOST:$FERRETDB_PORT" env DO_NOT_TRACK=1 GOGC="$FERRETDB_GOGC" "$BIN" \
    --listen-addr="$HOST:$FERRETDB_PORT" \
    --handler=sqlite \
    --sqlite-url="file:$DATA_DIR/" \
    --state-dir="$STATE_DIR" \
    --debug-addr="$debug_addr" \
    --telemetry=disable \
    --log-level=INFO
}

start_fresh() { start_server_fresh_or_keep fresh; }
start_keep() { start_server_fresh_or_keep keep; }
dispatch "${1:-}"
