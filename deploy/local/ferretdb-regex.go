// Copied into FerretDB v1.24.2's internal/types by deploy/local/ferretdb.sh (fix 14 there).
//
// A filter's regular expression is compiled for every document it is matched against: the handler filters each
// document a query returns (also where the backend already narrowed them in SQL), and types.Regex.Compile makes a
// new regexp.Regexp each time. Under the district overview (`org_path` matched by `^/district/` in ~1 200 buckets a
// call) that compiling was 10 % of the server's CPU. A compiled expression is kept per pattern and options: a
// *regexp.Regexp is safe for concurrent use, FerretDB never calls its mutating Longest, and a pattern that does not
// compile is compiled (and refused) again each time, as before.
package types

import (
	"regexp"
	"sync"
)

// liandongRegexpsMax bounds the kept expressions: past it they are dropped and kept afresh.
const liandongRegexpsMax = 1024

var (
	liandongRegexpsM sync.RWMutex
	liandongRegexps  = make(map[[2]string]*regexp.Regexp)
)

// liandongCompile: r compiled as released (liandongCompileOnce) the first time, shared after.
func liandongCompile(r Regex) (*regexp.Regexp, error) {
	key := [2]string{r.Pattern, r.Options}

	liandongRegexpsM.RLock()
	re, ok := liandongRegexps[key]
	liandongRegexpsM.RUnlock()

	if ok {
		return re, nil
	}

	re, err := r.liandongCompileOnce()
	if err != nil {
		return nil, err
	}

	liandongRegexpsM.Lock()
	if len(liandongRegexps) >= liandongRegexpsMax {
		liandongRegexps = make(map[[2]string]*regexp.Regexp)
	}
	liandongRegexps[key] = re
	liandongRegexpsM.Unlock()

	return re, nil
}
