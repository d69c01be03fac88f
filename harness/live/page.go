package live

import (
	"context"
	"log/slog"
	"net/http"
)

// Page is a running live page: a hub reading its source and the Handler
// over it. The server mounts it (see Handler for the paths) and closes it
// when it stops.
type Page struct {
	http.Handler
	Hub    *Hub
	cancel context.CancelFunc
	done   chan struct{}
}

// StartPage starts a hub over src and returns the page serving it. If the
// source fails the stream ends and the error is logged to log (nil:
// discarded); the page then answers the stream with 503.
func StartPage(src Source, hubOpts HubOptions, opts Options, log *slog.Logger) *Page {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hub := NewHub(src, hubOpts)
	ctx, cancel := context.WithCancel(context.Background())
	p := &Page{Hub: hub, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		if err := hub.Run(ctx); err != nil {
			log.Error("live page: following the store stopped", "err", err)
		}
	}()
	opts.Hub = hub
	p.Handler = Handler(opts)
	return p
}

// Publish gives every open page an event from outside the store (see
// Hub.Publish); it never waits on a page.
func (p *Page) Publish(typ string, v any) error { return p.Hub.Publish(typ, v) }

// Close stops the hub and ends every open stream.
func (p *Page) Close() {
	p.cancel()
	<-p.done
}
