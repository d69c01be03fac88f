package delivery

import (
	"context"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/platform"
)

// status is one subscription's _status.
type status struct {
	successCount, errorCount int
	lastSuccess, lastError   int64
	errors                   []api.SubscriptionError // newest first
}

func (d *Deliverer) statusLocked(id string) *status {
	s := d.statuses[id]
	if s == nil {
		s = &status{}
		d.statuses[id] = s
	}
	return s
}

func (s *status) succeed(now int64) {
	s.successCount++
	s.lastSuccess = now
}

func (s *status) fail(now int64, code int, body, msg string) {
	s.errorCount++
	s.lastError = now
	e := api.SubscriptionError{StatusCode: code, ResponseBody: body, Timestamp: now}
	if code == 0 {
		e.Message = msg
	}
	s.errors = append([]api.SubscriptionError{e}, s.errors...)
	if len(s.errors) > ErrorsKept {
		s.errors = s.errors[:ErrorsKept]
	}
}

// Status returns a subscription's _status as the API shows it.
func (d *Deliverer) Status(id string) api.SubscriptionStatus {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := api.SubscriptionStatus{Errors: []api.SubscriptionError{}}
	if s := d.statuses[id]; s != nil {
		out.SuccessCount, out.ErrorCount = s.successCount, s.errorCount
		out.LastSuccess, out.LastError = s.lastSuccess, s.lastError
		out.Errors = append(out.Errors, s.errors...)
	}
	return out
}

// Query filters Records; zero fields do not filter.
type Query struct {
	Integration  string
	Subscription string
	Limit        int // 0: all kept
}

// Records returns the delivery records, newest first, as copies.
func (d *Deliverer) Records(q Query) []api.Delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := []api.Delivery{}
	n := len(d.records)
	for k := 0; k < n; k++ {
		// Newest first: the ring's newest is just before next.
		r := d.records[(d.next-1-k+2*n)%n]
		if q.Integration != "" && r.IntegrationKey != q.Integration {
			continue
		}
		if q.Subscription != "" && r.SubscriptionID != q.Subscription {
			continue
		}
		r.Headers = append([]api.Header(nil), r.Headers...)
		out = append(out, r)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out
}

// Reset forgets every record and status (POST /_internal/reset).
func (d *Deliverer) Reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.records, d.next, d.seq = nil, 0, 0
	d.idPrefix = platform.NewUUID()[:8] + "-"
	d.statuses = map[string]*status{}
}

// ErrTestNotSupported: the manifest has no validation template.
var ErrTestNotSupported = hook.ErrTestNotSupported

// Validate sends a test event ("validate connection", PLATFORM.md 8.6) to
// the subscription: the validation template rendered over ctx, with the
// subscription's URL, headers and signature, no policy check, through the
// subscription's queue (so it is never sent alongside a real delivery to
// the same endpoint). It waits for the outcome or for wait to end.
func (d *Deliverer) Validate(wait context.Context, sub platform.Subscription, ctx *hook.Context) (api.Delivery, error) {
	hi := d.ints[sub.IntegrationKey]
	if hi == nil {
		return api.Delivery{}, errors.New("integration " + sub.IntegrationKey + " has no hook capability")
	}
	if sel := hook.Select(hi.Hook, ctx.Kind, true); sel.Source == hook.SourceNone {
		return api.Delivery{}, ErrTestNotSupported
	}
	reply := make(chan api.Delivery, 1)
	if !d.enqueue(job{sub: sub, ctx: ctx, test: true, reply: reply, offered: d.opts.Now()}) {
		return api.Delivery{}, errors.New("the subscription's queue is full or delivery has stopped: try again later")
	}
	select {
	case r := <-reply:
		return r, nil
	case <-wait.Done():
		return api.Delivery{}, wait.Err()
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// cut keeps at most n bytes of s, not splitting a UTF-8 character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for i := 0; i < utf8.UTFMax && len(s) > 0; i++ {
		if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size > 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}

func readAtMost(r io.Reader, n int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, n))
	_, _ = io.Copy(io.Discard, io.LimitReader(r, 1<<20)) // let the connection be reused
	return b, err
}
