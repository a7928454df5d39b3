package headers

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// listTests are the cases of TestParseList, also the seeds of the fuzz tests.
var listTests = []struct {
	name string
	in   string
	want []Item
}{
	{"empty", "", nil},
	{"spaces only", "   ", nil},
	{"integer", "42", []Item{{Value: int64(42)}}},
	{"negative integer", "-42", []Item{{Value: int64(-42)}}},
	{"largest integer", "999999999999999", []Item{{Value: int64(999999999999999)}}},
	{"decimal", "4.5", []Item{{Value: 4.5}}},
	{"negative decimal", "-0.125", []Item{{Value: -0.125}}},
	{"string", `"default"`, []Item{{Value: "default"}}},
	{"string escapes", `"a\"b\\c"`, []Item{{Value: `a"b\c`}}},
	{"escape first", `"\"x"`, []Item{{Value: `"x`}}},
	{"empty string", `""`, []Item{{Value: ""}}},
	{"token", "default", []Item{{Value: Token("default")}}},
	{"token with colon and slash", "*foo:bar/baz", []Item{{Value: Token("*foo:bar/baz")}}},
	{"byte sequence", ":aGVsbG8=:", []Item{{Value: []byte("hello")}}},
	{"byte sequence without padding", ":aGVsbG8:", []Item{{Value: []byte("hello")}}},
	{"empty byte sequence", "::", []Item{{Value: []byte{}}}},
	{"booleans", "?1, ?0", []Item{{Value: true}, {Value: false}}},
	{"date", "@1659578233", []Item{{Value: time.Unix(1659578233, 0).UTC()}}},
	{"display string", `%"f%c3%bc%c3%bc"`, []Item{{Value: DisplayString("füü")}}},
	{"parameters", `"default";r=50;t=30`, []Item{{Value: "default", Params: Params{{"r", int64(50)}, {"t", int64(30)}}}}},
	{"bare parameter is true", "a;b", []Item{{Value: Token("a"), Params: Params{{"b", true}}}}},
	{"space after semicolon", "a; b=1", []Item{{Value: Token("a"), Params: Params{{"b", int64(1)}}}}},
	{"repeated parameter keeps first place, last value", "a;x=1;y=2;x=3",
		[]Item{{Value: Token("a"), Params: Params{{"x", int64(3)}, {"y", int64(2)}}}}},
	{"members with OWS", "1 ,\t2,3  ", []Item{{Value: int64(1)}, {Value: int64(2)}, {Value: int64(3)}}},
	{"inner list", `("a" "b");lvl=5, ("c");lvl=1`, []Item{
		{Value: InnerList{{Value: "a"}, {Value: "b"}}, Params: Params{{"lvl", int64(5)}}},
		{Value: InnerList{{Value: "c"}}, Params: Params{{"lvl", int64(1)}}},
	}},
	{"empty inner list", "()", []Item{{Value: InnerList{}}}},
	{"inner list item params", "( 1;a 2 )", []Item{{Value: InnerList{{Value: int64(1), Params: Params{{"a", true}}}, {Value: int64(2)}}}}},
	{"draft policy list", `"burst";q=100;w=60,"daily";q=1000;w=86400`, []Item{
		{Value: "burst", Params: Params{{"q", int64(100)}, {"w", int64(60)}}},
		{Value: "daily", Params: Params{{"q", int64(1000)}, {"w", int64(86400)}}},
	}},
	{"partition key", `"default";r=999;pk=:dHJpYWwxMjEzMjM=:`, []Item{
		{Value: "default", Params: Params{{"r", int64(999)}, {"pk", []byte("trial121323")}}},
	}},
}

func TestParseList(t *testing.T) {
	for _, tt := range listTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseList(tt.in)
			if err != nil {
				t.Fatalf("ParseList(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseList(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// listErrorTests are the cases of TestParseListErrors, also the seeds of the fuzz tests.
var listErrorTests = []struct {
	name, in, want string // want: a part of the message
}{
	{"trailing comma", "1,", "want a member after the comma at end of value"},
	{"leading comma", ",1", "want a bare item at byte 0"},
	{"two items without comma", "1 2", `want "," at byte 2`},
	{"16-digit integer", "1234567890123456", "more than 15 digits"},
	{"13 integer digits in a decimal", "1234567890123.5", "at most 12 integer digits"},
	{"4 fraction digits", "1.2345", "1 to 3 fraction digits"},
	{"decimal ending in dot", "1.", "1 to 3 fraction digits"},
	{"lone minus", "-", "want a digit at end of value"},
	{"unterminated string", `"abc`, `want a closing '"' at end of value`},
	{"bad escape", `"a\n"`, `want \" or \\ after a backslash at byte 3`},
	{"control character in string", "\"a\tb\"", "printable ASCII"},
	{"non-ASCII in string", `"é"`, "printable ASCII"},
	{"upper-case key", "a;Q=1", "want a lower-case key at byte 2"},
	{"bad boolean", "?2", `want "1" or "0"`},
	{"decimal date", "@1.5", "integer date"},
	{"unterminated bytes", ":aGVs", `closing ":"`},
	{"bad base64", ":a:", "valid base64"},
	{"display string upper hex", `%"%C3%BC"`, "lower-case hex"},
	{"display string bad UTF-8", `%"%ff"`, "UTF-8"},
	{"display string without quote", "%x", `'"' after "%"`},
	{"unterminated inner list", "(1 2", `in inner list at end of value`},
	{"unterminated empty inner list", "(", `want ")" at end of value`},
	{"inner list bad separator", "(1,2)", `" " or ")"`},
	{"dictionary syntax", "limit=100", `want "," at byte 5`},
	{"tab before value", "\t1", "want a bare item at byte 0"},
}

func TestParseListErrors(t *testing.T) {
	for _, tt := range listErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseList(tt.in)
			if err == nil {
				t.Fatalf("ParseList(%q) = %v; want an error containing %q", tt.in, got, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseList(%q) error = %q; want it to contain %q", tt.in, err, tt.want)
			}
			var he *Error
			if !errors.As(err, &he) || he.Value != tt.in {
				t.Errorf("ParseList(%q) error %#v; want an *Error quoting the value", tt.in, err)
			}
		})
	}
}

func TestParseDictionary(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []DictMember
	}{
		{"draft 07 RateLimit", "limit=100, remaining=50, reset=30", []DictMember{
			{"limit", Item{Value: int64(100)}}, {"remaining", Item{Value: int64(50)}}, {"reset", Item{Value: int64(30)}},
		}},
		{"bare key is true with params", "a;x=1, b=?0", []DictMember{
			{"a", Item{Value: true, Params: Params{{"x", int64(1)}}}}, {"b", Item{Value: false}},
		}},
		{"repeated key keeps first place, last value", "a=1, b=2, a=3", []DictMember{
			{"a", Item{Value: int64(3)}}, {"b", Item{Value: int64(2)}},
		}},
		{"inner list value", `a=(1 2);x`, []DictMember{
			{"a", Item{Value: InnerList{{Value: int64(1)}, {Value: int64(2)}}, Params: Params{{"x", true}}}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDictionary(tt.in)
			if err != nil {
				t.Fatalf("ParseDictionary(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseDictionary(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			again, err := ParseDictionary(serializeDictionary(got))
			if err != nil || !cmp.Equal(again, got) {
				t.Errorf("ParseDictionary(serializeDictionary(%v)) = %v, %v; want the same members", got, again, err)
			}
		})
	}
}

func TestParseDictionaryErrors(t *testing.T) {
	for _, in := range []string{"A=1", "a=", "a=1,", "a=1 b=2", "=1"} {
		if got, err := ParseDictionary(in); err == nil {
			t.Errorf("ParseDictionary(%q) = %v; want an error", in, got)
		}
	}
}
