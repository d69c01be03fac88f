package hook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// DefaultSignatureHeader is the signature header when hmacSignature names
// none; the platform's own webhooks use it.
const DefaultSignatureHeader = "X-LD-Signature"

// Sign is the signature of body: HMAC-SHA256 keyed with secret, as lower-case
// hex, over the exact bytes sent.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether sig is body's signature under secret. It accepts
// upper-case hex and a "sha256=" prefix, which some receivers expect, and
// compares in constant time.
func Verify(secret string, body []byte, sig string) bool {
	sig = strings.TrimPrefix(strings.TrimSpace(sig), "sha256=")
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// SignatureHeader is the header the signature goes in for s, or "" when s
// does not sign.
func (s *Spec) SignatureHeader() string {
	if s.Endpoint == nil || s.Endpoint.HMACSignature == nil {
		return ""
	}
	if h := s.Endpoint.HMACSignature.HeaderName; h != "" {
		return h
	}
	return DefaultSignatureHeader
}
