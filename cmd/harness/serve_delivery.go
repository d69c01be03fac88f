package main

import (
	"fmt"
	"net/url"

	"github.com/flagharness/harness/harness/server"
)

// setDelivery applies --deliver-to and --allow-remote-delivery. By default
// a delivery goes over the network only to a loopback host and every other
// one is recorded as captured, so that nothing leaves the machine by
// accident.
func setDelivery(opts *server.Options, deliverTo string, allowRemote bool) error {
	switch deliverTo {
	case "":
	case "sink":
		opts.DeliverToSink = true
	default:
		u, err := url.Parse(deliverTo)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--deliver-to %q: give an absolute http(s) base URL such as http://127.0.0.1:9000, or \"sink\"", deliverTo)
		}
		if allowRemote {
			return fmt.Errorf("--deliver-to and --allow-remote-delivery do not go together: --deliver-to already says where every delivery goes")
		}
		opts.Delivery.DeliverTo = deliverTo
	}
	if deliverTo == "sink" && allowRemote {
		return fmt.Errorf("--deliver-to sink and --allow-remote-delivery do not go together")
	}
	opts.Delivery.AllowRemote = allowRemote
	return nil
}
