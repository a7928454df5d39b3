package headers

import (
	"fmt"
	"strconv"
)

// sfParser walks a structured field value byte by byte, following the parsing
// algorithms of RFC 9651 section 4.2. Every method either consumes what it
// parsed or returns an error naming the byte offset where parsing stopped.
type sfParser struct {
	s string
	i int
}

func (p *sfParser) fail(want string) error {
	if p.i >= len(p.s) {
		return fmt.Errorf("want %s at end of value", want)
	}
	return fmt.Errorf("want %s at byte %d, found %q", want, p.i, p.s[p.i])
}

func (p *sfParser) done() bool { return p.i >= len(p.s) }

func (p *sfParser) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.i]
}

// skipSP discards spaces; skipOWS discards spaces and tabs.
func (p *sfParser) skipSP() {
	for !p.done() && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *sfParser) skipOWS() {
	for !p.done() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// list parses a whole field value as a List.
func (p *sfParser) list() ([]Item, error) {
	p.skipSP()
	var items []Item
	for !p.done() {
		it, err := p.member()
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// dictionary parses a whole field value as a Dictionary.
func (p *sfParser) dictionary() ([]DictMember, error) {
	p.skipSP()
	var ms []DictMember
	for !p.done() {
		m, err := p.dictMember()
		if err != nil {
			return nil, err
		}
		ms = setMember(ms, m)
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

func (p *sfParser) dictMember() (DictMember, error) {
	key, err := p.key()
	if err != nil {
		return DictMember{}, err
	}
	if p.peek() != '=' {
		ps, err := p.params()
		return DictMember{Key: key, Item: Item{Value: true, Params: ps}}, err
	}
	p.i++
	it, err := p.member()
	return DictMember{Key: key, Item: it}, err
}

// setMember adds m to ms, or overwrites the value of the member with m's key.
func setMember(ms []DictMember, m DictMember) []DictMember {
	for i := range ms {
		if ms[i].Key == m.Key {
			ms[i].Item = m.Item
			return ms
		}
	}
	return append(ms, m)
}

// next consumes what follows a member: optional whitespace, then either the end
// of the value or a comma that another member must follow.
func (p *sfParser) next() error {
	p.skipOWS()
	if p.done() {
		return nil
	}
	if p.s[p.i] != ',' {
		return p.fail(`","`)
	}
	p.i++
	p.skipOWS()
	if p.done() {
		return p.fail("a member after the comma")
	}
	return nil
}

// member parses an Item or an inner list, with parameters.
func (p *sfParser) member() (Item, error) {
	if p.peek() == '(' {
		return p.innerList()
	}
	return p.item()
}

func (p *sfParser) item() (Item, error) {
	v, err := p.bareItem()
	if err != nil {
		return Item{}, err
	}
	ps, err := p.params()
	return Item{Value: v, Params: ps}, err
}

func (p *sfParser) innerList() (Item, error) {
	p.i++ // '('
	inner := InnerList{}
	for {
		p.skipSP()
		if p.peek() == ')' {
			p.i++
			ps, err := p.params()
			return Item{Value: inner, Params: ps}, err
		}
		if p.done() {
			return Item{}, p.fail(`")"`)
		}
		it, err := p.item()
		if err != nil {
			return Item{}, err
		}
		inner = append(inner, it)
		if c := p.peek(); c != ' ' && c != ')' {
			return Item{}, p.fail(`" " or ")" in inner list`)
		}
	}
}

// params parses ";key[=value]" repeatedly. A key without a value is true.
func (p *sfParser) params() (Params, error) {
	var ps Params
	for p.peek() == ';' {
		if ps == nil {
			ps = make(Params, 0, 4) // most items have a few parameters
		}
		p.i++
		p.skipSP()
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		var v any = true
		if p.peek() == '=' {
			p.i++
			if v, err = p.bareItem(); err != nil {
				return nil, err
			}
		}
		ps = setParam(ps, Param{Key: key, Value: v})
	}
	return ps, nil
}

func setParam(ps Params, np Param) Params {
	for i := range ps {
		if ps[i].Key == np.Key {
			ps[i].Value = np.Value
			return ps
		}
	}
	return append(ps, np)
}

// key parses a parameter or dictionary key: lcalpha or "*", then lcalpha,
// DIGIT, "_", "-", "." or "*".
func (p *sfParser) key() (string, error) {
	start := p.i
	if c := p.peek(); !isLower(c) && c != '*' {
		return "", p.fail("a lower-case key")
	}
	p.i++
	for !p.done() && isKeyChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i], nil
}

// bareItem dispatches on the first byte of a bare item.
func (p *sfParser) bareItem() (any, error) {
	switch c := p.peek(); {
	case c == '-' || isDigit(c):
		return p.number()
	case c == '"':
		return p.str()
	case c == '*' || isAlpha(c):
		return p.token(), nil
	case c == ':':
		return p.bytes()
	case c == '?':
		return p.boolean()
	case c == '@':
		return p.date()
	case c == '%':
		return p.displayString()
	default:
		return nil, p.fail("a bare item")
	}
}

// number parses an Integer (at most 15 digits) or a Decimal (at most 12 integer
// and 1 to 3 fraction digits), with an optional leading "-".
func (p *sfParser) number() (any, error) {
	start := p.i
	if p.peek() == '-' {
		p.i++
	}
	if !isDigit(p.peek()) {
		return nil, p.fail("a digit")
	}
	digits, dot := 0, -1
	for ; !p.done(); p.i++ {
		c := p.s[p.i]
		if c == '.' && dot < 0 {
			if digits > 12 {
				return nil, p.fail("at most 12 integer digits in a decimal")
			}
			dot = digits
			continue
		}
		if !isDigit(c) {
			break
		}
		digits++
	}
	text := p.s[start:p.i]
	if dot < 0 {
		if digits > 15 {
			return nil, fmt.Errorf("integer %s has more than 15 digits", text)
		}
		n, _ := strconv.ParseInt(text, 10, 64) // cannot fail: at most 15 digits
		return n, nil
	}
	if frac := digits - dot; frac < 1 || frac > 3 {
		return nil, fmt.Errorf("decimal %s needs 1 to 3 fraction digits", text)
	}
	f, _ := strconv.ParseFloat(text, 64) // cannot fail: checked digits and one dot
	return f, nil
}
