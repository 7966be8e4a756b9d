// Copied into FerretDB v1.24.2's internal/handler by deploy/local/ferretdb.sh (fix 6 there).
//
// FerretDB 1.24 counts by reading: the pipeline pymongo's count_documents sends ($match, $skip and $limit if asked,
// $group {_id: 1, n: {$sum: 1}}) read and decoded every document the $match keeps (1.5 s for a sub-district's
// 2 000 petitions, a list's total beside each page). That pipeline is answered from the backend's count where the
// backend can count the $match exactly (the SQLite backend: liandongCount in ferretdb-pushdown.go); every other
// pipeline, and that one where it cannot, goes through the stages as released.
package handler

import (
	"context"
	"math"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/handler/handlerparams"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// liandongCountAsked: a count pipeline's parts.
type liandongCountAsked struct {
	filter      *types.Document
	skip, limit int64
	id          any
	field       string
	one         any // the $sum's 1, whose type the count takes
}

// liandongAggregate: the count pipeline answered from the backend's count where it can; the stages otherwise.
func liandongAggregate(ctx context.Context, closer *iterator.MultiCloser, pipeline []any, pushdown bool, p *stagesDocumentsParams) (types.DocumentsIterator, error) { //nolint:lll // for readability
	if asked, ok := liandongCountShape(pipeline); ok && pushdown {
		if res, err := p.c.Query(ctx, &backends.QueryParams{LiandongCountFilter: asked.filter}); err == nil {
			res.Iter.Close()

			if res.LiandongCounted {
				return asked.result(res.LiandongCount), nil
			}
		}
	}

	return processStagesDocuments(ctx, closer, p)
}

// liandongCountShape: the pipeline's parts if it is $match, $skip and $limit if there (in that order), and a
// $group of every document into one with a constant `_id` and a field that sums 1; or false.
func liandongCountShape(pipeline []any) (*liandongCountAsked, bool) {
	if len(pipeline) < 2 || len(pipeline) > 4 {
		return nil, false
	}

	stages := make([]*types.Document, len(pipeline))
	for i, v := range pipeline {
		d, ok := v.(*types.Document)
		if !ok || d.Len() != 1 {
			return nil, false
		}

		stages[i] = d
	}

	var asked liandongCountAsked

	match, _ := stages[0].Get("$match")
	if asked.filter, _ = match.(*types.Document); asked.filter == nil {
		return nil, false
	}

	seen := map[string]bool{}

	for _, s := range stages[1 : len(stages)-1] {
		op := s.Keys()[0]
		n, err := handlerparams.GetWholeNumberParam(must.NotFail(s.Get(op)))

		switch {
		case err != nil || seen[op] || seen["$limit"]: // a $skip after the $limit: not this shape
			return nil, false
		case op == "$skip" && n >= 0:
			asked.skip = n
		case op == "$limit" && n > 0:
			asked.limit = n
		default:
			return nil, false
		}

		seen[op] = true
	}

	group, _ := stages[len(stages)-1].Get("$group")

	g, _ := group.(*types.Document)
	if g == nil || g.Len() != 2 || !g.Has("_id") {
		return nil, false
	}

	switch id := must.NotFail(g.Get("_id")).(type) {
	case int32, int64, float64, bool, types.NullType:
		asked.id = id
	case string:
		if strings.HasPrefix(id, "$") {
			return nil, false
		}

		asked.id = id
	default:
		return nil, false
	}

	for _, k := range g.Keys() {
		if k != "_id" {
			asked.field = k
		}
	}

	if strings.HasPrefix(asked.field, "$") || strings.Contains(asked.field, ".") {
		return nil, false
	}

	sum, _ := must.NotFail(g.Get(asked.field)).(*types.Document)
	if sum == nil || sum.Len() != 1 || !sum.Has("$sum") {
		return nil, false
	}

	switch one := must.NotFail(sum.Get("$sum")).(type) {
	case int32:
		if one != 1 {
			return nil, false
		}
	case int64:
		if one != 1 {
			return nil, false
		}
	case float64:
		if one != 1 {
			return nil, false
		}
	default:
		return nil, false
	}

	asked.one = must.NotFail(sum.Get("$sum"))

	return &asked, true
}

// result: what the stages would give for count matching documents: none when nothing is left to group.
func (a *liandongCountAsked) result(count int64) types.DocumentsIterator {
	n := count - a.skip
	if n < 0 {
		n = 0
	}

	if a.limit > 0 && n > a.limit {
		n = a.limit
	}

	var docs []*types.Document

	if n > 0 {
		var v any = n // a sum of int32s that passes 32 bits, or of int64s, is an int64

		switch a.one.(type) {
		case int32:
			if n <= math.MaxInt32 {
				v = int32(n)
			}
		case float64:
			v = float64(n)
		}

		docs = append(docs, must.NotFail(types.NewDocument("_id", a.id, a.field, v)))
	}

	return iterator.Values(iterator.ForSlice(docs))
}
