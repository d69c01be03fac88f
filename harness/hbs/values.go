package hbs

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// isEmpty is Handlebars' falsiness for #if and #with.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return x == ""
	case json.Number:
		f, err := x.Float64()
		return err == nil && f == 0
	case float64:
		return x == 0 || math.IsNaN(x)
	case []any:
		return len(x) == 0
	}
	return false
}

func jsStrictEqual(a, b any) bool {
	na, aNum := jsNumber(a)
	nb, bNum := jsNumber(b)
	if aNum || bNum {
		return aNum && bNum && na == nb
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	return false // objects compare by identity in JavaScript
}

func jsNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	}
	return 0, false
}

// jsString is JavaScript's String(v) for the values a template can reach.
func jsString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case json.Number:
		return x.String()
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e21 {
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = jsString(e)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	}
	return fmt.Sprint(v)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;", "`", "&#x60;", "=", "&#x3D;")

func htmlEscape(s string) string {
	if !strings.ContainsAny(s, "&<>\"'`=") {
		return s
	}
	return htmlEscaper.Replace(s)
}

func callSimpleHelper(name string, args []any) any {
	arg := func(i int) any {
		if i < len(args) {
			return args[i]
		}
		return nil
	}
	switch name {
	case "pathEncode":
		return uriEncode(jsString(arg(0)), "-_.!~*'();/?:@&=+$,#")
	case "queryEncode":
		return uriEncode(jsString(arg(0)), "-_.!~*'()")
	case "basicAuthHeaderValue":
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(jsString(arg(0))+":"+jsString(arg(1))))
	case "formatWithOffset":
		ms, _ := jsNumber(arg(0))
		off, _ := jsNumber(arg(1))
		t := time.UnixMilli(int64(ms)).UTC().Add(time.Duration(off) * time.Second)
		if jsString(arg(2)) == "simple" {
			return t.Format("2006-01-02 15:04:05")
		}
		return t.Format(time.RFC3339)
	case "lookup":
		v, _ := prop(arg(0), jsString(arg(1)))
		return v
	}
	return nil
}

// uriEncode percent-encodes every byte except ASCII letters, digits and keep,
// as JavaScript's encodeURI and encodeURIComponent do.
func uriEncode(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
