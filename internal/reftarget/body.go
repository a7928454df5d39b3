package reftarget

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/ratecheck/ratecheck/scenarios"
)

// errorBodies renders the body of every error status the target sends: the
// scenario's declared shape when there is one, else {"error": "<default>"}.
func errorBodies(sc *scenarios.Scenario) map[int][]byte {
	out := map[int][]byte{}
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
		http.StatusTooManyRequests, http.StatusInternalServerError} {
		out[status] = defaultBody(status)
	}
	for _, e := range sc.Errors {
		if e.Body == nil {
			continue
		}
		if b, err := json.Marshal(fillShape(e.Body, e.Status, "")); err == nil {
			out[e.Status] = b
		}
	}
	return out
}

func defaultBody(status int) []byte {
	msg := http.StatusText(status)
	if status == http.StatusNotFound {
		msg = "not found"
	}
	b, _ := json.Marshal(map[string]string{"error": msg})
	return b
}

// fillShape returns a value matching the shape: maps, slices and literal scalars
// are kept, and a string leaf naming a JSON type is replaced by a plausible value
// of that type for the status. field is the map key the value sits under.
func fillShape(shape any, status int, field string) any {
	switch v := shape.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = fillShape(x, status, k)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			key := fmt.Sprint(k)
			out[key] = fillShape(x, status, key)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = fillShape(x, status, field)
		}
		return out
	case string:
		return placeholder(v, status, field)
	default:
		return v
	}
}

// placeholder returns a plausible value for a string leaf naming a JSON type, and
// any other string unchanged.
func placeholder(typ string, status int, field string) any {
	switch typ {
	case "string", "any":
		if strings.Contains(strings.ToLower(field), "code") {
			return errorCode(status)
		}
		return errorMessage(status)
	case "number", "integer":
		return status
	case "boolean":
		return false
	case "object":
		return map[string]any{}
	case "array":
		return []any{}
	case "null":
		return nil
	default:
		return typ
	}
}

func errorMessage(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "rate limit exceeded"
	case http.StatusUnauthorized:
		return "invalid or missing API key"
	case http.StatusForbidden:
		return "API key not allowed"
	case http.StatusNotFound:
		return "not found"
	default:
		return strings.ToLower(http.StatusText(status))
	}
}

func errorCode(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "RATE_LIMIT_EXCEEDED"
	case http.StatusUnauthorized:
		return "UNAUTHORIZED"
	case http.StatusForbidden:
		return "FORBIDDEN"
	case http.StatusNotFound:
		return "NOT_FOUND"
	default:
		return strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	}
}

// successBody is the small JSON body of an admitted request.
func successBody(ep scenarios.Endpoint) []byte {
	b, _ := json.Marshal(struct {
		OK       bool   `json:"ok"`
		Endpoint string `json:"endpoint"`
	}{true, ep.Name})
	return b
}
