// Copied into FerretDB v1.24.2's internal/handler/sjson by deploy/local/ferretdb.sh (fix 13 there).
//
// FerretDB's SQLite backend stores each document as JSON with its type schema beside the values (`$s`), and
// decodes every document it reads with a new encoding/json Decoder for each value, nested ones included: the
// schema (a tree of structs, decoded by reflection) for every document, and each string through a Decoder of its
// own. Its CPU profile over finds of 20-100 petitions of 2 KB: sjson's decoding 54 % of the server's time, ~0.7 ms
// a document. Three things here cut it without changing what is decoded:
//   - a schema is decoded once per distinct text and kept (documents of one collection share a few shapes);
//   - a string with no escape, quote or control character in its JSON text is its bytes between the quotes (what
//     encoding/json returns for it: FerretDB writes its JSON with encoding/json, so the text is valid UTF-8 —
//     checked anyway); any other string goes through encoding/json as released;
//   - a document's or an array's members are cut out of its text in one pass (each member's own decoding checks
//     it, as before); text that is not as expected goes to encoding/json, whose error is the one returned;
//   - a number (int32, int64, double) whose text is a plain JSON number is parsed by strconv, as encoding/json
//     itself parses it once it has checked the text (fix 14: a read model's buckets are ~80 numbers each, and a
//     Decoder per number was 18 % of the server's CPU under the district overview); anything else, an overflow
//     too, goes to encoding/json as released.
package sjson

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
)

// liandongSchemasMax bounds the kept schemas (a few KB each): past it they are dropped and kept afresh, so a
// collection of ever-new shapes costs what it did before, never more memory than this.
const liandongSchemasMax = 2048

var (
	liandongSchemasM sync.RWMutex
	liandongSchemas  = make(map[string]*schema)
)

// liandongSchema: the decoded schema of a document's `$s` text, decoded as released the first time (unknown
// fields refused, nothing after the value) and shared after. Callers only read a schema.
func liandongSchema(raw []byte) (*schema, error) {
	liandongSchemasM.RLock()
	sch, ok := liandongSchemas[string(raw)] // no copy of raw: Go looks a map up by a converted []byte as is
	liandongSchemasM.RUnlock()

	if ok {
		return sch, nil
	}

	sch = new(schema)
	r := bytes.NewReader(raw)
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()

	if err := dec.Decode(sch); err != nil {
		return nil, lazyerrors.Error(err)
	}

	if err := checkConsumed(dec, r); err != nil {
		return nil, lazyerrors.Error(err)
	}

	liandongSchemasM.Lock()
	if len(liandongSchemas) >= liandongSchemasMax {
		liandongSchemas = make(map[string]*schema)
	}
	liandongSchemas[string(raw)] = sch
	liandongSchemasM.Unlock()

	return sch, nil
}

// liandongString: a JSON string's value when its text needs no unescaping (false otherwise: decode it as released).
func liandongString(data []byte) (string, bool) {
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return "", false
	}

	body := data[1 : len(data)-1]
	for _, c := range body {
		if c == '\\' || c == '"' || c < 0x20 {
			return "", false
		}
	}

	if !utf8.Valid(body) {
		return "", false
	}

	return string(body), true
}

// liandongObject: a JSON object's members, raw (as json.Unmarshal into map[string]json.RawMessage gives them).
func liandongObject(data []byte, v *map[string]json.RawMessage) error {
	if m, ok := liandongSplitObject(data); ok {
		*v = m
		return nil
	}

	return json.Unmarshal(data, v)
}

// liandongArray: a JSON array's elements, raw (as json.Unmarshal into []json.RawMessage gives them).
func liandongArray(data []byte, v *[]json.RawMessage) error {
	if a, ok := liandongSplitArray(data); ok {
		*v = a
		return nil
	}

	return json.Unmarshal(data, v)
}

func liandongSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}

	return i
}

// liandongEnd: the index just past the JSON value that starts at data[i], or -1 where its text is cut short.
func liandongEnd(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}

	switch data[i] {
	case '"':
		for j := i + 1; j < len(data); j++ {
			switch data[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}

		return -1
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				k := liandongEnd(data, j)
				if k < 0 {
					return -1
				}
				j = k - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}

		return -1
	default: // a number, true, false or null: up to the next delimiter
		j := i
		for j < len(data) {
			switch data[j] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if j == i {
					return -1
				}

				return j
			}
			j++
		}

		return j
	}
}

func liandongSplitObject(data []byte) (map[string]json.RawMessage, bool) {
	i := liandongSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, false
	}

	m := make(map[string]json.RawMessage)
	i = liandongSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return m, liandongSpace(data, i+1) == len(data)
	}

	for {
		end := liandongEnd(data, i)
		if end < 0 || data[i] != '"' {
			return nil, false
		}

		key, ok := liandongString(data[i:end])
		if !ok {
			return nil, false // a key with escapes: rare, encoding/json decodes it
		}

		i = liandongSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return nil, false
		}

		i = liandongSpace(data, i+1)
		end = liandongEnd(data, i)
		if end < 0 {
			return nil, false
		}

		m[key] = json.RawMessage(data[i:end])

		i = liandongSpace(data, end)
		if i >= len(data) {
			return nil, false
		}

		switch data[i] {
		case ',':
			i = liandongSpace(data, i+1)
		case '}':
			return m, liandongSpace(data, i+1) == len(data)
		default:
			return nil, false
		}
	}
}

func liandongSplitArray(data []byte) ([]json.RawMessage, bool) {
	i := liandongSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return nil, false
	}

	a := []json.RawMessage{}
	i = liandongSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return a, liandongSpace(data, i+1) == len(data)
	}

	for {
		end := liandongEnd(data, i)
		if end < 0 {
			return nil, false
		}

		a = append(a, json.RawMessage(data[i:end]))

		i = liandongSpace(data, end)
		if i >= len(data) {
			return nil, false
		}

		switch data[i] {
		case ',':
			i = liandongSpace(data, i+1)
		case ']':
			return a, liandongSpace(data, i+1) == len(data)
		default:
			return nil, false
		}
	}
}

// liandongPlainNumber: whether data is exactly one JSON number (-0.5e+3 and the like), and whether it has a fraction or
// an exponent.
func liandongPlainNumber(data []byte) (fractional, ok bool) {
	i, n := 0, len(data)
	if i < n && data[i] == '-' {
		i++
	}

	switch {
	case i < n && data[i] == '0':
		i++
	case i < n && data[i] >= '1' && data[i] <= '9':
		i = liandongDigits(data, i)
	default:
		return false, false
	}

	if i < n && data[i] == '.' {
		if i = liandongDigits(data, i+1); i < 0 {
			return false, false
		}
		fractional = true
	}

	if i < n && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < n && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i = liandongDigits(data, i); i < 0 {
			return false, false
		}
		fractional = true
	}

	return fractional, i == n
}

// liandongDigits: the index after the run of digits data has from start, or -1 where it has none there (JSON's
// grammar asks for one at least: an integer's first, a fraction's, an exponent's).
func liandongDigits(data []byte, start int) int {
	i := start
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		i++
	}

	if i == start {
		return -1
	}

	return i
}

// liandongInt: an integer's value when data is exactly a JSON integer that fits in bits (false otherwise: decode
// it as released, which gives its error).
func liandongInt(data []byte, bits int) (int64, bool) {
	if fractional, ok := liandongPlainNumber(data); !ok || fractional {
		return 0, false
	}

	v, err := strconv.ParseInt(string(data), 10, bits)

	return v, err == nil
}

// liandongFloat: a double's value when data is exactly a JSON number in range (false otherwise: decode it as
// released).
func liandongFloat(data []byte) (float64, bool) {
	if _, ok := liandongPlainNumber(data); !ok {
		return 0, false
	}

	v, err := strconv.ParseFloat(string(data), 64)

	return v, err == nil
}
