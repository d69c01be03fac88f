// Package load drives a running fake platform with concurrent trigger
// traffic and then checks, through the REST API alone, that the platform's
// state is exactly what the answered requests imply. It is an HTTP client
// only: it talks to the platform the way a vendor and a partner's script do.

package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/flagharness/harness/harness/client"
)

// Config says what to create and how hard to drive it.
type Config struct {
	BaseURL        string // e.g. http://127.0.0.1:8787; must be loopback
	APIToken       string // sent as Authorization on API calls; never on trigger calls
	IntegrationKey string // the manifest the triggers use, e.g. generic-trigger
	Project        string // project key to create; empty picks a fresh one
	Triggers       int    // how many triggers to create
	Workers        int    // concurrent senders
	Duration       time.Duration
	// Progress, when set, gets a line per set-up phase.
	Progress io.Writer
}

// CheckLoopback refuses a base URL that is not plain http(s) on a loopback
// address: a load run against a shared or remote platform would be an attack.
func CheckLoopback(ctx context.Context, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("--url %q is not a URL (write it as http://127.0.0.1:8787): %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("--url %q must start with http:// (e.g. http://127.0.0.1:8787)", raw)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("--url %q has no host (e.g. http://127.0.0.1:8787)", raw)
	}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return nil, fmt.Errorf("--url %q: %s is not a loopback address; load runs only against 127.0.0.1, ::1 or localhost", raw, host)
		}
		return u, nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil || len(addrs) == 0 {
		return nil, fmt.Errorf("--url %q: cannot resolve %s; use 127.0.0.1", raw, host)
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return nil, fmt.Errorf("--url %q: %s resolves to %s, which is not loopback; load runs only against 127.0.0.1, ::1 or localhost", raw, host, a.IP)
		}
	}
	return u, nil
}

// Run sets up the project, drives it for cfg.Duration and verifies it. An
// error means the run could not start or verify at all; problems the
// verification finds are in the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Triggers < 1 || cfg.Workers < 1 || cfg.Duration <= 0 {
		return nil, errors.New("--triggers, --workers and --duration must all be positive")
	}
	u, err := CheckLoopback(ctx, cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.IntegrationKey == "" {
		cfg.IntegrationKey = "generic-trigger"
	}
	if cfg.Project == "" {
		cfg.Project = "load-" + randHex(4)
	}
	tr := &http.Transport{
		Proxy:               nil, // loopback only: never through a proxy
		MaxIdleConns:        cfg.Workers * 2,
		MaxIdleConnsPerHost: cfg.Workers * 2,
		IdleConnTimeout:     30 * time.Second,
	}
	defer tr.CloseIdleConnections()
	r := &runner{
		cfg: cfg,
		c: client.New(u.String(), client.Options{Token: cfg.APIToken,
			HTTPClient: &http.Client{Transport: tr, Timeout: 30 * time.Second}}),
		rep: &Report{Project: cfg.Project, Workers: cfg.Workers, Triggers: cfg.Triggers,
			ByStatus: map[int]int64{}, Outcomes: map[string]int64{}},
	}
	if err := r.setup(ctx); err != nil {
		return nil, err
	}
	r.drive(ctx)
	if err := r.verify(ctx); err != nil {
		return r.rep, err
	}
	return r.rep, nil
}
