package headers

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// serializeList writes items back as a structured field List (RFC 9651 section
// 4.1), for round-trip tests of the parser.
func serializeList(items []Item) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = serializeMember(it)
	}
	return strings.Join(parts, ", ")
}

func serializeDictionary(ms []DictMember) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		if b, ok := m.Value.(bool); ok && b {
			parts[i] = m.Key + serializeParams(m.Params)
			continue
		}
		parts[i] = m.Key + "=" + serializeMember(m.Item)
	}
	return strings.Join(parts, ", ")
}

func serializeMember(it Item) string {
	if inner, ok := it.Value.(InnerList); ok {
		parts := make([]string, len(inner))
		for i, x := range inner {
			parts[i] = serializeBare(x.Value) + serializeParams(x.Params)
		}
		return "(" + strings.Join(parts, " ") + ")" + serializeParams(it.Params)
	}
	return serializeBare(it.Value) + serializeParams(it.Params)
}

func serializeParams(ps Params) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(";" + p.Key)
		if v, ok := p.Value.(bool); ok && v {
			continue
		}
		b.WriteString("=" + serializeBare(p.Value))
	}
	return b.String()
}

func serializeBare(v any) string {
	switch v := v.(type) {
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	case string:
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
	case Token:
		return string(v)
	case []byte:
		return ":" + base64.StdEncoding.EncodeToString(v) + ":"
	case bool:
		if v {
			return "?1"
		}
		return "?0"
	case time.Time:
		return "@" + strconv.FormatInt(v.Unix(), 10)
	case DisplayString:
		var b strings.Builder
		b.WriteString(`%"`)
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c == '%' || c == '"' || c < 0x20 || c > 0x7e {
				fmt.Fprintf(&b, "%%%02x", c)
				continue
			}
			b.WriteByte(c)
		}
		return b.String() + `"`
	}
	panic(fmt.Sprintf("serializeBare: unexpected %T", v))
}
