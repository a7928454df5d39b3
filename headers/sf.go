package headers

// Structured field values (RFC 9651, which obsoletes RFC 8941). A parsed bare
// item is one of these Go types:
//
//	Integer         int64          (at most 15 digits)
//	Decimal         float64        (at most 12 integer and 3 fraction digits)
//	String          string
//	Token           Token
//	Byte Sequence   []byte         (decoded from base64)
//	Boolean         bool
//	Date            time.Time      (UTC, whole seconds)
//	Display String  DisplayString  (decoded UTF-8)
//
// A List or Dictionary member may instead be an inner list: its Item's Value is
// then an InnerList, and the Item's Params are the inner list's parameters.

// Token is a structured field Token, kept apart from String because the two are
// different types on the wire ("default" is a String, default a Token).
type Token string

// DisplayString is a structured field Display String (%"..."), decoded to UTF-8.
type DisplayString string

// InnerList is a parenthesised list of Items inside a List or Dictionary member.
type InnerList []Item

// Item is a structured field Item: a bare value with its parameters. In a List or
// Dictionary, Value may also be an InnerList.
type Item struct {
	Value  any
	Params Params
}

// Param is one parameter of an Item: a lower-case key and a bare value.
type Param struct {
	Key   string
	Value any
}

// Params are an Item's parameters in order, each key at most once (a repeated key
// keeps its first place and its last value, as RFC 9651 says).
type Params []Param

// Get returns the value of the parameter named key.
func (ps Params) Get(key string) (any, bool) {
	for _, p := range ps {
		if p.Key == key {
			return p.Value, true
		}
	}
	return nil, false
}

// DictMember is one member of a structured field Dictionary.
type DictMember struct {
	Key string
	Item
}

// ParseList parses v as a structured field List (RFC 9651 section 4.2.1). An
// empty or all-space value is an empty List. Lines of a field sent more than
// once are parsed as one value when joined with ", ".
func ParseList(v string) ([]Item, error) {
	p := sfParser{s: v}
	items, err := p.list()
	if err != nil {
		return nil, errorf(v, "is not a structured field list: "+err.Error())
	}
	return items, nil
}

// ParseDictionary parses v as a structured field Dictionary (RFC 9651 section
// 4.2.2), in the order the keys first appear. A key written without a value is
// the Boolean true. A repeated key keeps its first place and its last value.
func ParseDictionary(v string) ([]DictMember, error) {
	p := sfParser{s: v}
	ms, err := p.dictionary()
	if err != nil {
		return nil, errorf(v, "is not a structured field dictionary: "+err.Error())
	}
	return ms, nil
}
