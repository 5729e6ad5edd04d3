//! `str.format`: `{}` fields with format specs.

use crate::value::RcStr;
use std::borrow::Cow;

use crate::value::{Key, Value};

use super::*;

/// `"{} of {}".format(a, b)`: Python's `str.format` with `{}`, `{0}`,
/// `{name}`, `{0[i]}`, `{0.field}`, `{{`/`}}`, `!r`/`!s`/`!a` conversions and
/// format specs after `:` (`[[fill]align][sign][z][#][0][width][,|_][.precision][type]`
/// with types `s d n c x X o b e E f F g G %`, and `{}` fields nested in specs).
pub fn brace_format(
    fmt: &str,
    pos: &[Value],
    kw: &[(RcStr, Value)],
    limit: usize,
) -> Result<String, FormatError> {
    let mut fields = Fields {
        pos,
        kw,
        numbering: Numbering::Unknown,
        limit,
    };
    // Python allows one level of fields nested inside a format spec.
    fields.expand(fmt, 2)
}

/// Whether a template's fields are numbered `{}` or `{0}`; it cannot mix them.
enum Numbering {
    Unknown,
    /// Automatic, with the index the next `{}` takes.
    Auto(usize),
    Manual,
}

/// The arguments of one `str.format` call.
struct Fields<'a> {
    pos: &'a [Value],
    kw: &'a [(RcStr, Value)],
    numbering: Numbering,
    /// The most bytes the result may have.
    limit: usize,
}

/// One replacement field, `{name!conversion:spec}`, as written.
struct Field<'t> {
    name: &'t str,
    conversion: Option<char>,
    spec: &'t str,
}

impl Fields<'_> {
    /// Expands a template. `depth` is how many levels of fields may still
    /// nest: a spec with fields in it is itself a template, one level down.
    fn expand(&mut self, template: &str, depth: u32) -> Result<String, FormatError> {
        if depth == 0 {
            return Err(value_error("Max string recursion exceeded"));
        }
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(at) = rest.find(['{', '}']) {
            out.push_str(&rest[..at]);
            let brace = if rest[at..].starts_with('{') {
                '{'
            } else {
                '}'
            };
            let after = &rest[at + 1..];
            if let Some(escaped) = after.strip_prefix(brace) {
                out.push(brace);
                rest = escaped;
            } else if brace == '}' {
                return Err(value_error("Single '}' encountered in format string"));
            } else if after.is_empty() {
                return Err(value_error("Single '{' encountered in format string"));
            } else {
                let (field, remaining) = split_field(after)?;
                out.push_str(&self.render(&field, depth)?);
                super::within(out.len(), self.limit)?;
                rest = remaining;
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Looks a field up, converts it, expands its spec, then formats it, in
    /// CPython's order (which decides which error a broken field reports).
    fn render(&mut self, field: &Field, depth: u32) -> Result<String, FormatError> {
        let value = self.lookup(field.name)?;
        let value = match field.conversion {
            None => value,
            Some('s') => Value::str(&value.to_str()),
            Some('r') => Value::str(&value.repr()),
            Some('a') => Value::str(&ascii(&value.repr())),
            Some(c) => {
                return Err(value_error(format!(
                    "Unknown conversion specifier {}",
                    quoted_char(c, 33..=126)
                )));
            }
        };
        let spec = if field.spec.contains('{') {
            Cow::Owned(self.expand(field.spec, depth - 1)?)
        } else {
            Cow::Borrowed(field.spec)
        };
        format_value(&value, &spec)
    }

    /// The value a field name selects: an argument (by position, automatic
    /// number or keyword), then any `.name` and `[key]` accessors.
    fn lookup(&mut self, name: &str) -> Result<Value, FormatError> {
        let (first, mut accessors) = name.split_at(name.find(['.', '[']).unwrap_or(name.len()));
        let mut value = if first.is_empty() {
            self.positional(None)?
        } else if let Some(index) = parse_index(first)? {
            self.positional(Some(index))?
        } else {
            self.kw
                .iter()
                .find(|(k, _)| &**k == first)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| key_error(&Value::str(first)))?
        };
        while !accessors.is_empty() {
            (value, accessors) = access(&value, accessors)?;
        }
        Ok(value)
    }

    /// Positional argument `index`, or the next one for `{}`.
    fn positional(&mut self, index: Option<i64>) -> Result<Value, FormatError> {
        let index = match (index, &mut self.numbering) {
            (None, Numbering::Manual) => {
                return Err(value_error(
                    "cannot switch from manual field specification to automatic field numbering",
                ));
            }
            (None, Numbering::Auto(next)) => {
                let index = *next;
                *next += 1;
                index as i64
            }
            (None, Numbering::Unknown) => {
                self.numbering = Numbering::Auto(1);
                0
            }
            (Some(_), Numbering::Auto(_)) => {
                return Err(value_error(
                    "cannot switch from automatic field numbering to manual field specification",
                ));
            }
            (Some(index), _) => {
                self.numbering = Numbering::Manual;
                index
            }
        };
        usize::try_from(index)
            .ok()
            .and_then(|i| self.pos.get(i).cloned())
            .ok_or_else(|| {
                error(
                    "IndexError",
                    format!(
                        "Replacement index {index} out of range for {} positional argument{}",
                        self.pos.len(),
                        if self.pos.len() == 1 { "" } else { "s" }
                    ),
                )
            })
    }
}

/// Splits the field that starts just after a `{` from the rest of the template.
fn split_field(text: &str) -> Result<(Field<'_>, &str), FormatError> {
    // The name runs to the first `:`, `!` or `}`, skipping over `[...]`.
    let mut chars = text.char_indices();
    let mut stop = None;
    while let Some((at, c)) = chars.next() {
        match c {
            '{' => return Err(value_error("unexpected '{' in field name")),
            '[' => {
                chars.find(|(_, c)| *c == ']');
            }
            '}' | ':' | '!' => {
                stop = Some((at, c));
                break;
            }
            _ => {}
        }
    }
    let (name_end, stop) = stop.ok_or_else(|| value_error("expected '}' before end of string"))?;
    let name = &text[..name_end];
    let mut rest = &text[name_end + 1..];
    let mut field = Field {
        name,
        conversion: None,
        spec: "",
    };
    if stop == '}' {
        return Ok((field, rest));
    }
    if stop == '!' {
        let mut chars = rest.chars();
        field.conversion =
            Some(chars.next().ok_or_else(|| {
                value_error("end of string while looking for conversion specifier")
            })?);
        match chars.next() {
            Some('}') => return Ok((field, chars.as_str())),
            Some(':') | None => rest = chars.as_str(),
            Some(_) => return Err(value_error("expected ':' after conversion specifier")),
        }
    }
    // The spec runs to the `}` that balances the field's `{`.
    let mut depth = 1;
    for (at, c) in rest.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            field.spec = &rest[..at];
            return Ok((field, &rest[at + 1..]));
        }
    }
    Err(value_error("unmatched '{' in format spec"))
}

/// A field name part that is all digits is a number; anything else is a name.
fn parse_index(text: &str) -> Result<Option<i64>, FormatError> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| value_error("Too many decimal digits in format string"))
}

/// Applies the first accessor of `accessors` (`.name` or `[key]`) to
/// `value`; returns the result and the accessors left.
fn access<'n>(value: &Value, accessors: &'n str) -> Result<(Value, &'n str), FormatError> {
    let empty = || value_error("Empty attribute in format string");
    if let Some(rest) = accessors.strip_prefix('.') {
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let name = &rest[..end];
        if name.is_empty() {
            return Err(empty());
        }
        return Ok((attribute(value, name)?, &rest[end..]));
    }
    let Some(rest) = accessors.strip_prefix('[') else {
        return Err(value_error(
            "Only '.' or '[' may follow ']' in format field specifier",
        ));
    };
    let end = rest
        .find(']')
        .ok_or_else(|| value_error("Missing ']' in format string"))?;
    let key = &rest[..end];
    if key.is_empty() {
        return Err(empty());
    }
    Ok((item(value, key)?, &rest[end + 1..]))
}

/// `{0.name}`: a map's field, as `m.name` reads it in Thr.
fn attribute(value: &Value, name: &str) -> Result<Value, FormatError> {
    let found = match value {
        Value::Map(map) => map.read(|m| m.get(&Key::str(name)).cloned()),
        _ => None,
    };
    found.ok_or_else(|| {
        error(
            "AttributeError",
            format!("'{}' object has no attribute '{name}'", value.type_name()),
        )
    })
}

fn out_of_range(what: &str, i: i64, len: usize) -> FormatError {
    let message = format!("{what} index {i} out of range for a {what} of length {len}");
    error("IndexError", message)
}

/// `{0[key]}`: an all-digit key is an int, anything else a string, as in Python.
fn item(value: &Value, key: &str) -> Result<Value, FormatError> {
    let index = parse_index(key)?;
    match (value, index) {
        (Value::List(items), Some(i)) => items.read(|items| {
            let found = usize::try_from(i).ok().and_then(|i| items.get(i).cloned());
            found.ok_or_else(|| out_of_range("list", i, items.len()))
        }),
        (Value::List(_), None) => Err(type_error(
            "list indices must be integers or slices, not str",
        )),
        (Value::Str(s), Some(i)) => usize::try_from(i)
            .ok()
            .and_then(|i| s.chars().nth(i))
            .map(|c| Value::str(c.encode_utf8(&mut [0; 4])))
            .ok_or_else(|| out_of_range("string", i, s.chars().count())),
        (Value::Str(_), None) => Err(type_error("string indices must be integers, not 'str'")),
        (Value::Map(map), _) => {
            let key = Key(index.map_or_else(|| Value::str(key), Value::Int));
            let found = map.read(|m| m.get(&key).cloned());
            found.ok_or_else(|| key_error(&key.0))
        }
        _ => Err(type_error(format!(
            "'{}' object is not subscriptable",
            value.type_name()
        ))),
    }
}

/// A parsed format spec: `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`.
struct Spec {
    fill: char,
    align: Option<char>,
    sign: Option<char>,
    /// `z`: a negative zero result prints as zero.
    no_negative_zero: bool,
    alt: bool,
    width: usize,
    /// `,` or `_`.
    grouping: Option<char>,
    precision: Option<usize>,
    kind: Option<char>,
}

/// `format(value, spec)`: the text of one replacement field.
pub(super) fn format_value(value: &Value, spec: &str) -> Result<String, FormatError> {
    let type_name = value.type_name();
    match value {
        Value::Str(s) => format_str(s, &parse_spec(spec, type_name, Some('s'))?),
        Value::Int(n) => format_int(*n, &parse_spec(spec, type_name, Some('d'))?, type_name),
        // Python's bool formats as an int unless the spec is empty.
        Value::Bool(_) if spec.is_empty() => Ok(value.to_str()),
        Value::Bool(b) => {
            let spec = parse_spec(spec, type_name, Some('d'))?;
            format_int(i64::from(b.get()), &spec, type_name)
        }
        Value::Float(x) => format_float(x.get(), &parse_spec(spec, type_name, None)?, type_name),
        _ if spec.is_empty() => Ok(value.to_str()),
        _ => Err(type_error(format!(
            "unsupported format string passed to {type_name}.__format__"
        ))),
    }
}

/// Parses a spec for a value of type `type_name`; `default_kind` is the type
/// letter an omitted one means, which decides whether grouping is allowed.
fn parse_spec(
    text: &str,
    type_name: &str,
    default_kind: Option<char>,
) -> Result<Spec, FormatError> {
    let is_align = |c: Option<char>| matches!(c, Some('<' | '>' | '=' | '^'));
    let mut cursor = Cursor::new(text);
    let mut spec = Spec {
        fill: ' ',
        align: None,
        sign: None,
        no_negative_zero: false,
        alt: false,
        width: 0,
        grouping: None,
        precision: None,
        kind: default_kind,
    };
    let fill_given = is_align(cursor.peek_at(1));
    if fill_given {
        spec.fill = cursor.bump().unwrap_or(' ');
    }
    if is_align(cursor.peek_at(0)) {
        spec.align = cursor.bump();
    }
    if matches!(cursor.peek_at(0), Some('+' | '-' | ' ')) {
        spec.sign = cursor.bump();
    }
    spec.no_negative_zero = cursor.eat('z');
    spec.alt = cursor.eat('#');
    // A leading `0` means zero fill, and for numbers sign-aware padding,
    // unless a fill or an alignment was given.
    if !fill_given && cursor.eat('0') {
        spec.fill = '0';
        if spec.align.is_none() && default_kind != Some('s') {
            spec.align = Some('=');
        }
    }
    let too_many = "Too many decimal digits in format string";
    spec.width = field_size(cursor.number(isize::MAX as usize, too_many)?.unwrap_or(0))?;
    spec.grouping = parse_grouping(&mut cursor)?;
    if cursor.eat('.') {
        let precision = cursor.number(isize::MAX as usize, too_many)?;
        spec.precision =
            Some(precision.ok_or_else(|| value_error("Format specifier missing precision"))?);
    }
    match cursor.remaining() {
        0 => {}
        1 => spec.kind = cursor.bump(),
        _ => {
            return Err(value_error(format!(
                "Invalid format specifier '{text}' for object of type '{type_name}'"
            )));
        }
    }
    check_grouping(&spec)?;
    Ok(spec)
}

/// `,` or `_`, but not both.
fn parse_grouping(cursor: &mut Cursor) -> Result<Option<char>, FormatError> {
    let both = || value_error("Cannot specify both ',' and '_'.");
    let grouping = if cursor.eat(',') { Some(',') } else { None };
    if cursor.eat('_') {
        return match grouping {
            Some(_) => Err(both()),
            None if cursor.peek_at(0) == Some(',') => Err(both()),
            None => Ok(Some('_')),
        };
    }
    Ok(grouping)
}

/// Grouping works with decimal types; `_` also with `x X o b`.
fn check_grouping(spec: &Spec) -> Result<(), FormatError> {
    let Some(separator) = spec.grouping else {
        return Ok(());
    };
    match spec.kind {
        None | Some('d' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F') => Ok(()),
        Some('x' | 'X' | 'o' | 'b') if separator == '_' => Ok(()),
        Some(kind) => Err(value_error(format!(
            "Cannot specify '{separator}' with '{}'.",
            quoted_char(kind, 33..=127)
        ))),
    }
}

fn unknown_code(kind: char, type_name: &str) -> FormatError {
    value_error(format!(
        "Unknown format code '{}' for object of type '{type_name}'",
        quoted_char(kind, 33..=127),
    ))
}

/// A string field: only `s`, no sign, `z`, `#` or `=`.
fn format_str(s: &str, spec: &Spec) -> Result<String, FormatError> {
    if let Some(kind) = spec.kind.filter(|k| *k != 's') {
        return Err(unknown_code(kind, "str"));
    }
    let refusal = match spec.sign {
        Some(' ') => Some("Space not allowed in string format specifier"),
        Some(_) => Some("Sign not allowed in string format specifier"),
        None if spec.no_negative_zero => {
            Some("Negative zero coercion (z) not allowed in string format specifier")
        }
        None if spec.alt => Some("Alternate form (#) not allowed in string format specifier"),
        None if spec.align == Some('=') => {
            Some("'=' alignment not allowed in string format specifier")
        }
        None => None,
    };
    if let Some(message) = refusal {
        return Err(value_error(message));
    }
    let text = truncate(s, spec.precision);
    Ok(pad(
        "",
        text,
        spec.width,
        spec.fill,
        spec.align.unwrap_or('<'),
    ))
}

/// An int field (bools included): `d n x X o b c`, or a float type.
fn format_int(n: i64, spec: &Spec, type_name: &str) -> Result<String, FormatError> {
    let kind = spec.kind.unwrap_or('d');
    match kind {
        'd' | 'n' | 'x' | 'X' | 'o' | 'b' | 'c' => {}
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => return format_float(n as f64, spec, type_name),
        _ => return Err(unknown_code(kind, type_name)),
    }
    if spec.precision.is_some() {
        return Err(value_error(
            "Precision not allowed in integer format specifier",
        ));
    }
    if spec.no_negative_zero {
        return Err(value_error(
            "Negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    if kind == 'c' {
        if spec.sign.is_some() {
            return Err(value_error(
                "Sign not allowed with integer format specifier 'c'",
            ));
        }
        if spec.alt {
            return Err(value_error(
                "Alternate form (#) not allowed with integer format specifier 'c'",
            ));
        }
        let c = char_of_code(n)?;
        return Ok(layout_number("", "", &c.to_string(), spec, 3));
    }
    let prefix = if spec.alt { base_prefix(kind) } else { "" };
    let group_size = if matches!(kind, 'd' | 'n') { 3 } else { 4 };
    let lead = format!("{}{prefix}", sign_text(n < 0, spec.sign));
    Ok(layout_number(
        &lead,
        int_digits(n.unsigned_abs(), kind).as_str(),
        "",
        spec,
        group_size,
    ))
}

/// A float field: `e E f F g G n %`, or none (`repr`, or `g` with a `.0`).
fn format_float(x: f64, spec: &Spec, type_name: &str) -> Result<String, FormatError> {
    let (style, scale, suffix) = match spec.kind {
        None => (FloatStyle::Shortest, 1.0, ""),
        Some('e' | 'E') => (FloatStyle::Exponent, 1.0, ""),
        Some('f' | 'F') => (FloatStyle::Fixed, 1.0, ""),
        Some('g' | 'G' | 'n') => (FloatStyle::General, 1.0, ""),
        Some('%') => (FloatStyle::Fixed, 100.0, "%"),
        Some(kind) => return Err(unknown_code(kind, type_name)),
    };
    if let Some(precision) = spec.precision {
        if precision > i32::MAX as usize {
            return Err(value_error("precision too big"));
        }
        field_size(precision)?;
    }
    let mut body = float_digits((x * scale).abs(), style, spec.precision, spec.alt);
    if spec.kind.is_some_and(|k| k.is_ascii_uppercase()) {
        body.make_ascii_uppercase();
    }
    let mut negative = is_negative(x);
    if spec.no_negative_zero && rounds_to_zero(&body) {
        negative = false;
    }
    body.push_str(suffix);
    // The integer digits come first; only they are grouped.
    let digits_end = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    let (digits, rest) = body.split_at(digits_end);
    Ok(layout_number(
        sign_text(negative, spec.sign),
        digits,
        rest,
        spec,
        3,
    ))
}

/// Whether a float's text shows only zeros (so `z` may drop its minus sign).
fn rounds_to_zero(body: &str) -> bool {
    body.chars()
        .take_while(|c| !matches!(c, 'e' | 'E'))
        .all(|c| matches!(c, '0' | '.'))
}

/// Lays out a number field: `lead` (sign and base prefix), the integer
/// `digits` (grouped if asked), then `rest` (fraction, exponent, `%`), padded
/// as the spec says. Numbers align right by default.
fn layout_number(lead: &str, digits: &str, rest: &str, spec: &Spec, group_size: usize) -> String {
    let align = spec.align.unwrap_or('>');
    let digits = match spec.grouping {
        Some(separator) if !digits.is_empty() => {
            // Zero padding counts as digits, so it is grouped too: `00,001,234`.
            let min_width = if spec.fill == '0' && align == '=' {
                spec.width
                    .saturating_sub(lead.chars().count() + rest.chars().count())
            } else {
                0
            };
            group_digits(digits, separator, group_size, min_width)
        }
        _ => digits.to_string(),
    };
    pad(
        lead,
        &format!("{digits}{rest}"),
        spec.width,
        spec.fill,
        align,
    )
}

/// Puts `separator` between groups of `size` digits, counting from the
/// right. Below `min_width` it adds leading zeros, grouped like the digits,
/// and never starts with a separator: 1234 at width 8 is `0,001,234`.
fn group_digits(digits: &str, separator: char, size: usize, min_width: usize) -> String {
    let mut reversed = Vec::new();
    let mut pending = digits.chars().rev();
    let mut in_group = 0;
    loop {
        let digit = match pending.next() {
            Some(d) => d,
            None if reversed.len() < min_width => '0',
            None => break,
        };
        if in_group == size {
            reversed.push(separator);
            in_group = 0;
        }
        reversed.push(digit);
        in_group += 1;
    }
    reversed.into_iter().rev().collect()
}
