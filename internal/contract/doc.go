// Package contract makes the platform's own OpenAPI document the judge of the
// fake platform's REST API in tests. It loads the document once per test
// binary (Load) and judges every exchange that passes through its
// middleware (Handler) or client transport (Transport): a request the
// document rejects that the fake accepts, a response that does not fit its
// operation (missing required fields, wrong types, undocumented status,
// wrong content type) fails the test that caused it, naming the operation
// id, the JSON path and the rule. Routes the document lacks are collected
// and listed (NotInDocument), the fake's own ones with the page that
// documents them (Extras), never skipped in silence.
package contract
