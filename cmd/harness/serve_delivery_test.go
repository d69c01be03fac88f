package main

import (
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/server"
)

func TestServeDeliveryFlags(t *testing.T) {
	cases := []struct {
		to     string
		remote bool
		err    string
		check  func(server.Options) bool
	}{
		{"", false, "", func(o server.Options) bool {
			return o.Delivery.DeliverTo == "" && !o.Delivery.AllowRemote && !o.DeliverToSink
		}},
		{"", true, "", func(o server.Options) bool { return o.Delivery.AllowRemote }},
		{"sink", false, "", func(o server.Options) bool { return o.DeliverToSink && o.Delivery.DeliverTo == "" }},
		{"http://127.0.0.1:8788", false, "", func(o server.Options) bool { return o.Delivery.DeliverTo == "http://127.0.0.1:8788" }},
		{"127.0.0.1:8788", false, "absolute http(s) base URL", nil},
		{"ftp://example.com", false, "absolute http(s) base URL", nil},
		{"http://127.0.0.1:8788", true, "do not go together", nil},
		{"sink", true, "do not go together", nil},
	}
	for _, c := range cases {
		var o server.Options
		err := setDelivery(&o, c.to, c.remote)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("--deliver-to %q --allow-remote-delivery=%v: want an error with %q, got %v", c.to, c.remote, c.err, err)
		case c.err == "" && err != nil:
			t.Errorf("--deliver-to %q --allow-remote-delivery=%v: %v", c.to, c.remote, err)
		case c.err == "" && !c.check(o):
			t.Errorf("--deliver-to %q --allow-remote-delivery=%v: options %+v", c.to, c.remote, o.Delivery)
		}
	}
}
