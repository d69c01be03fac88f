package live

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/platform"
)

const relaySecret = "tok-secret-1"

// hookPage is a platform with one hook integration (a secret form
// variable among its config) and a started page over it.
func hookPage(t *testing.T, hubOpts HubOptions) (*platform.Platform, *Page, *httptest.Server) {
	t.Helper()
	hi, err := hook.Decode("relay", "integrations/relay/manifest.json", t.TempDir(), []byte(`{"name": "Relay",
		"formVariables": [{"key": "url", "name": "URL", "type": "uri"}, {"key": "token", "name": "T", "type": "string", "isSecret": true}],
		"capabilities": {"auditLogEventsHook": {"endpoint": {"url": "{{{url}}}", "method": "POST", "headers": []},
			"templates": {}, "defaultPolicy": [{"effect": "allow", "resources": ["proj/*"], "actions": ["*"]}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := platform.New([]platform.Integration{{Key: "relay", Name: "Relay", FormVariables: hi.FormVariables, Hook: hi.Hook}}, platform.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pg := StartPage(NewPlatformSource(p, []Integration{{Key: "relay", Name: "Relay", Valid: true}}), hubOpts, Options{WriteTimeout: 100 * time.Millisecond}, nil)
	srv := httptest.NewServer(pg)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		pg.Close()
	})
	return p, pg, srv
}

func TestSubscriptionCreatedShowsUpMaskedAndRemoved(t *testing.T) {
	p, _, srv := hookPage(t, HubOptions{})
	s := openStream(t, srv.URL, nil)
	first, err := s.next()
	if err != nil {
		t.Fatal(err)
	}
	var st stateView
	if err := json.Unmarshal(first.Data, &st); first.Type != "state" || err != nil || st.Subscriptions == nil || len(st.Subscriptions) != 0 {
		t.Fatalf("expected a state with an empty subscriptions list, but got %q %s (%v)", first.Type, first.Data, err)
	}

	sub, err := p.CreateSubscription("relay", platform.SubscriptionInput{Name: "<b>ops</b>", Config: map[string]any{"url": "http://127.0.0.1:1/x", "token": relaySecret}})
	if err != nil {
		t.Fatal(err)
	}
	evs := s.until(t, "subscription")
	ev := evs[len(evs)-1]
	var sv subscriptionView
	if err := json.Unmarshal(ev.Data, &sv); err != nil {
		t.Fatal(err)
	}
	if sv.ID != sub.ID || sv.Name != "<b>ops</b>" || sv.Integration != "relay" || !sv.On || sv.Statements != 1 ||
		sv.Config["token"] != hook.Mask || sv.Config["url"] != "http://127.0.0.1:1/x" {
		t.Fatalf("expected the new subscription, on, one statement, its token masked, but got %+v", sv)
	}
	for _, e := range evs {
		if strings.Contains(string(e.Data), relaySecret) {
			t.Fatalf("expected no event to carry the secret, but %q does: %s", e.Type, e.Data)
		}
	}

	// A page opened now has it in its state, masked too.
	s2 := openStream(t, srv.URL, nil)
	st2, err := s2.next()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(st2.Data), sub.ID) || strings.Contains(string(st2.Data), relaySecret) {
		t.Fatalf("expected the state to list the subscription with its secret masked, but got %s", st2.Data)
	}

	if err := p.DeleteSubscription("relay", sub.ID); err != nil {
		t.Fatal(err)
	}
	evs = s.until(t, "removed")
	var r removedView
	if err := json.Unmarshal(evs[len(evs)-1].Data, &r); err != nil || r.Kind != "subscription" || r.ID != sub.ID {
		t.Fatalf("expected the subscription removed, but got %s (%v)", evs[len(evs)-1].Data, err)
	}
}

func delivery(i int) api.Delivery {
	return api.Delivery{ID: fmt.Sprintf("d%d", i), Seq: int64(i), SubscriptionID: "s1", IntegrationKey: "relay", EventKind: "flag", Action: "updateOn",
		Method: "POST", URL: "http://127.0.0.1:9/hook", Headers: []api.Header{{Name: "X-Token", Value: hook.Mask}},
		Body: `{"secret-body":"` + strings.Repeat("b", 4000) + `"}`, ResponseBody: "response-body", Status: "delivered", StatusCode: 202, Attempts: 1, Time: 1}
}

func TestPublishedDeliveryReachesOpenAndNewPages(t *testing.T) {
	_, pg, srv := hookPage(t, HubOptions{Pushed: 2})
	s := openStream(t, srv.URL, nil)
	if ev, err := s.next(); err != nil || ev.Type != "state" {
		t.Fatalf("expected the state first, but got %q (%v)", ev.Type, err)
	}
	for i := 1; i <= 3; i++ {
		if err := pg.PublishDelivery(delivery(i)); err != nil {
			t.Fatal(err)
		}
	}
	var got []deliveryView
	for len(got) < 3 {
		evs := s.until(t, "delivery")
		var d deliveryView
		if err := json.Unmarshal(evs[len(evs)-1].Data, &d); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(evs[len(evs)-1].Data), "secret-body") || strings.Contains(string(evs[len(evs)-1].Data), "response-body") {
			t.Fatalf("expected a delivery without its bodies, but got %s", evs[len(evs)-1].Data)
		}
		got = append(got, d)
	}
	d := got[0]
	if d.ID != "d1" || d.Integration != "relay" || d.Subscription != "s1" || d.Status != "delivered" || d.StatusCode != 202 ||
		d.Attempts != 1 || d.URL != "http://127.0.0.1:9/hook" || len(d.Headers) != 1 || d.Headers[0].Value != hook.Mask {
		t.Fatalf("expected the first delivery as published, but got %+v", d)
	}
	if got[1].ID != "d2" || got[2].ID != "d3" {
		t.Fatalf("expected deliveries in the order published, but got %s, %s", got[1].ID, got[2].ID)
	}

	// A new page gets the state, then the newest Pushed deliveries.
	s2 := openStream(t, srv.URL, nil)
	var types, ids []string
	for i := 0; i < 3; i++ {
		ev, err := s2.next()
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, ev.Type)
		var d deliveryView
		_ = json.Unmarshal(ev.Data, &d)
		ids = append(ids, d.ID)
	}
	if strings.Join(types, ",") != "state,delivery,delivery" || ids[1] != "d2" || ids[2] != "d3" {
		t.Fatalf("expected state then deliveries d2,d3, but got %v %v", types, ids)
	}
}

// TestAStalledPageDoesNotHoldUpPublish: a page that reads nothing is
// dropped, and Publish returns each time meanwhile.
func TestAStalledPageDoesNotHoldUpPublish(t *testing.T) {
	_, pg, srv := hookPage(t, HubOptions{Buffer: 8})
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.(*net.TCPConn).SetReadBuffer(1024)
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", EventsPath)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("expected 200 for the stalled page, but got %v (%v)", resp, err)
	}
	if n := pg.Hub.Stats().Clients; n != 1 {
		t.Fatalf("expected one subscriber, but got %d", n)
	}
	done := make(chan int)
	go func() {
		n := 0
		for pg.Hub.Stats().Clients != 0 && n < 200000 {
			d := delivery(n)
			d.Error = strings.Repeat("e", 8000) // kept on the page, so the stream fills
			_ = pg.PublishDelivery(d)
			n++
		}
		done <- n
	}()
	select {
	case n := <-done:
		if pg.Hub.Stats().Clients != 0 {
			t.Fatalf("expected the stalled page to be dropped, but it was still there after %d deliveries", n)
		}
		t.Logf("stalled page dropped after %d deliveries", n)
	case <-time.After(60 * time.Second):
		t.Fatal("expected publishing to go on while a page stalls, but it was held up")
	}
	// Publishing still reaches a page that reads.
	s := openStream(t, srv.URL, nil)
	if ev, err := s.next(); err != nil || ev.Type != "state" {
		t.Fatalf("expected the state first, but got %q (%v)", ev.Type, err)
	}
	if err := pg.PublishDelivery(delivery(-1)); err != nil {
		t.Fatal(err)
	}
	for {
		evs := s.until(t, "delivery")
		var d deliveryView
		_ = json.Unmarshal(evs[len(evs)-1].Data, &d)
		if d.ID == "d-1" {
			break
		}
	}
}
