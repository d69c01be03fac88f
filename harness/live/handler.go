package live

import (
	"bytes"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

//go:embed static
var static embed.FS

// Paths the Handler answers. The server mounts the Handler on each.
const (
	PagePath   = "/"
	AssetsPath = "/_live/"           // app.js, app.css
	EventsPath = "/_internal/events" // the SSE stream
)

// TokenCookie is the cookie the page keeps the API token in, when the
// server has one.
const TokenCookie = "harness_token"

// Options configure a Handler.
type Options struct {
	Hub *Hub
	// Token is the server's API token, "" when it has none. When set, the
	// page asks for it once and keeps it in a cookie, sends it with its
	// REST calls, and the event stream refuses requests without it.
	Token string
	// Heartbeat is the time between keep-alive comments on an idle
	// stream, so proxies do not close it. Default 25s.
	Heartbeat time.Duration
	// WriteTimeout bounds one write to a page; a page that does not take
	// its data in that time is dropped. Default 10s.
	WriteTimeout time.Duration
}

// Handler serves the live page at PagePath, its files under AssetsPath
// and the event stream at EventsPath. Other paths get 404 with the
// platform's error envelope.
func Handler(opts Options) http.Handler {
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 25 * time.Second
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 10 * time.Second
	}
	files, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return &handler{opts: opts, files: files}
}

type handler struct {
	opts  Options
	files fs.FS
}

// contentSecurity keeps the page to its own origin: no script, style or
// connection anywhere else, and no inline script for an injected string to
// run even if one reached the DOM as HTML.
const contentSecurity = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == EventsPath:
		h.serveEvents(w, r)
	case r.URL.Path == PagePath:
		h.serveFile(w, r, "index.html")
	case strings.HasPrefix(r.URL.Path, AssetsPath):
		name := strings.TrimPrefix(r.URL.Path, AssetsPath)
		if name == "index.html" || strings.Contains(name, "/") {
			writeErr(w, http.StatusNotFound, "not_found", "no such file on the live page")
			return
		}
		h.serveFile(w, r, name)
	default:
		writeErr(w, http.StatusNotFound, "not_found", "no such route: the live page is at /")
	}
}

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
}

func (h *handler) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeErr(w, http.StatusMethodNotAllowed, "method_not_allowed", "the live page takes GET")
		return
	}
	b, err := fs.ReadFile(h.files, name)
	ct, known := contentTypes[path.Ext(name)]
	if err != nil || !known {
		writeErr(w, http.StatusNotFound, "not_found", "no such file on the live page")
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", ct)
	hd.Set("Content-Security-Policy", contentSecurity)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}

// authorized accepts the token from the cookie the page sets or from an
// Authorization header, compared in constant time.
func (h *handler) authorized(r *http.Request) bool {
	if h.opts.Token == "" {
		return true
	}
	got := r.Header.Get("Authorization")
	if c, err := r.Cookie(TokenCookie); err == nil && got == "" {
		// The page stores it with encodeURIComponent.
		if v, err := url.PathUnescape(c.Value); err == nil {
			got = v
		}
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(h.opts.Token)) == 1
}

// serveEvents streams the hub's events. "?probe" answers 204 or 401
// without streaming, so the page knows whether to ask for the token
// (an EventSource cannot see a status code).
func (h *handler) serveEvents(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeErr(w, http.StatusMethodNotAllowed, "method_not_allowed", "the event stream takes GET")
		return
	}
	if !h.authorized(r) {
		writeErr(w, http.StatusUnauthorized, "unauthorized", "the event stream needs the API token given to harness serve: enter it on the page, or send it in the Authorization header")
		return
	}
	if r.URL.Query().Has("probe") {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if h.opts.Hub == nil {
		writeErr(w, http.StatusServiceUnavailable, "unavailable", "the live event stream is not running")
		return
	}
	if !canFlush(w) {
		// A middleware's response writer hides Flush: events would sit in a
		// buffer and the page would look frozen. Say so at once.
		writeErr(w, http.StatusInternalServerError, "internal_server_error", "the event stream is mounted behind a response writer that cannot flush: give that middleware's writer an Unwrap() http.ResponseWriter method")
		return
	}
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("lastEventId")
	}
	sub, err := h.opts.Hub.Subscribe(r.Context(), last)
	if err != nil {
		if r.Context().Err() == nil {
			writeErr(w, http.StatusServiceUnavailable, "unavailable", "the live event stream is not running: "+err.Error())
		}
		return
	}
	defer sub.Close()

	rc := http.NewResponseController(w)
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	// A short retry: the page reconnects with Last-Event-ID and gets what it
	// missed from the hub's history.
	buf := []byte("retry: 500\n\n")
	send := func(evs ...Event) bool {
		for _, ev := range evs {
			buf = ev.appendWire(buf)
		}
		_ = rc.SetWriteDeadline(time.Now().Add(h.opts.WriteTimeout))
		_, err := w.Write(buf)
		buf = buf[:0]
		return err == nil && rc.Flush() == nil
	}
	if !send(sub.Backlog...) {
		return
	}
	batch := make([]Event, 0, 64)
	beat := time.NewTicker(h.opts.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-sub.C():
			if !ok {
				return
			}
			// Take whatever else is queued, so a burst is one write.
			evs := append(batch[:0], ev)
		more:
			for len(evs) < 64 {
				select {
				case ev, ok := <-sub.C():
					if !ok {
						break more
					}
					evs = append(evs, ev)
				default:
					break more
				}
			}
			if !send(evs...) {
				return
			}
		case <-beat.C:
			_ = rc.SetWriteDeadline(time.Now().Add(h.opts.WriteTimeout))
			if _, err := w.Write([]byte(": keep-alive\n\n")); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

// canFlush reports whether w, or a writer it wraps (found through Unwrap,
// as http.ResponseController looks), can flush.
func canFlush(w http.ResponseWriter) bool {
	for {
		if _, ok := w.(http.Flusher); ok {
			return true
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
}

// AppendEvent appends ev in the text/event-stream format. Data is JSON,
// which has no raw newlines; any would still be split into data lines.
func AppendEvent(b []byte, ev Event) []byte {
	b = append(b, "id: "...)
	b = strconv.AppendUint(b, ev.ID, 10)
	b = append(b, "\nevent: "...)
	b = append(b, ev.Type...)
	b = append(b, '\n')
	data := ev.Data
	for {
		i := bytes.IndexByte(data, '\n')
		b = append(b, "data: "...)
		if i < 0 {
			b = append(b, data...)
			b = append(b, '\n')
			break
		}
		b = append(b, bytes.TrimSuffix(data[:i], []byte("\r"))...)
		b = append(b, '\n')
		data = data[i+1:]
	}
	return append(b, '\n')
}

// writeErr answers with the platform's error envelope, as the API does.
func writeErr(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}{code, msg})
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
