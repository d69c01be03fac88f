// Package api holds the wire representations of the fake platform's REST
// API: the JSON shapes the server writes and the client reads, so both sides
// of a call agree on one definition. It has no behaviour: the server's
// harness/server converts domain values into these types, and
// harness/client decodes answers into them.
//
// Field names and types follow PLATFORM.md so that the official clients
// decode them. The package imports nothing of the harness but
// harness/trigger (for the trigger execution's result), so the domain
// (harness/platform) never depends on the shape of the wire.
package api
