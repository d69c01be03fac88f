package server

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// PrettyJSON indents JSON responses for a person who asks: with "?pretty"
// in the query (any value but "false" or "0"), or with an Accept media type
// that has an indent parameter ("application/json; indent=4"; 1 to 8
// spaces, default 2). Anything else stays compact, as the real API answers.
// The "pretty" parameter is taken out of the query before next sees it.
// Responses that are not JSON, such as an event stream, pass through.
func PrettyJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		indent, ok := prettyIndent(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		pw := &prettyWriter{ResponseWriter: w, indent: strings.Repeat(" ", indent)}
		next.ServeHTTP(pw, r)
		pw.finish()
	})
}

// prettyIndent reads the request's wish for indentation and removes
// "pretty" from its query.
func prettyIndent(r *http.Request) (int, bool) {
	// Every request passes here, trigger calls included, so the common case
	// (no "pretty" in the query, no "indent" in Accept) costs two substring
	// tests and nothing is parsed.
	accept := r.Header.Get("Accept")
	if !strings.Contains(r.URL.RawQuery, "pretty") && !strings.Contains(accept, "indent") {
		return 0, false
	}
	q := r.URL.Query()
	if q.Has("pretty") {
		v := q.Get("pretty")
		q.Del("pretty")
		r.URL.RawQuery = q.Encode()
		if v != "false" && v != "0" {
			return 2, true
		}
	}
	for _, part := range strings.Split(accept, ",") {
		_, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if v, ok := params["indent"]; ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 8 {
				n = 2
			}
			return n, true
		}
	}
	return 0, false
}

// prettyWriter holds a JSON response back to indent it; it decides at the
// first write whether the response is JSON at all.
type prettyWriter struct {
	http.ResponseWriter
	indent  string
	status  int
	decided bool
	hold    bool
	buf     bytes.Buffer
}

func (w *prettyWriter) decide() {
	if w.decided {
		return
	}
	w.decided = true
	ct, _, _ := mime.ParseMediaType(w.Header().Get("Content-Type"))
	w.hold = ct == "application/json" || strings.HasSuffix(ct, "+json")
	if !w.hold {
		if w.status != 0 {
			w.ResponseWriter.WriteHeader(w.status)
		}
	}
}

func (w *prettyWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	if code < 200 || code == http.StatusNoContent || code == http.StatusNotModified {
		w.decided, w.hold = true, false
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.decide()
}

func (w *prettyWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.decide()
	if w.hold {
		return w.buf.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// Flush passes through for responses that are not held back.
func (w *prettyWriter) Flush() {
	if w.decided && !w.hold {
		if f, ok := w.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *prettyWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *prettyWriter) finish() {
	if !w.decided {
		if w.status != 0 {
			w.ResponseWriter.WriteHeader(w.status)
		}
		return
	}
	if !w.hold {
		return
	}
	out := w.buf.Bytes()
	var ind bytes.Buffer
	if err := json.Indent(&ind, out, "", w.indent); err == nil {
		out = append(bytes.TrimRight(ind.Bytes(), "\n"), '\n')
	}
	h := w.Header()
	if h.Get("Content-Length") != "" {
		h.Set("Content-Length", strconv.Itoa(len(out)))
	}
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(out)
}
