package live

import "github.com/flagharness/harness/harness/api"

// deliveryView is a finished outbound delivery as the page shows it: the
// record without the request and response bodies (they may be large, and a
// partner reads them from GET /_internal/deliveries), headers as the
// record has them (secrets already masked).
type deliveryView struct {
	ID           string       `json:"id"`
	Seq          int64        `json:"seq"`
	Subscription string       `json:"subscription"`
	Integration  string       `json:"integration"`
	EntryID      string       `json:"entryId"`
	EventKind    string       `json:"eventKind"`
	Action       string       `json:"action"`
	Test         bool         `json:"test"`
	Method       string       `json:"method"`
	URL          string       `json:"url"`
	Headers      []api.Header `json:"headers"`
	SentTo       string       `json:"sentTo"`
	Status       string       `json:"status"`
	StatusCode   int          `json:"statusCode"`
	Attempts     int          `json:"attempts"`
	Error        string       `json:"error"`
	Time         int64        `json:"time"`
	DurationMs   int64        `json:"durationMs"`
}

// PublishDelivery shows a finished delivery on every open page, as a
// "delivery" event. It never waits on a page, so it can be called from
// the delivery loop (delivery.Options.OnRecord).
func (p *Page) PublishDelivery(r api.Delivery) error {
	return p.Hub.Publish("delivery", toDeliveryView(r))
}

func toDeliveryView(r api.Delivery) deliveryView {
	h := r.Headers
	if h == nil {
		h = []api.Header{}
	}
	return deliveryView{
		ID: r.ID, Seq: r.Seq, Subscription: r.SubscriptionID, Integration: r.IntegrationKey, EntryID: r.EntryID,
		EventKind: r.EventKind, Action: r.Action, Test: r.Test, Method: r.Method, URL: r.URL, Headers: h,
		SentTo: r.SentTo, Status: r.Status, StatusCode: r.StatusCode, Attempts: r.Attempts, Error: r.Error,
		Time: r.Time, DurationMs: r.DurationMs,
	}
}
