//! Python's string formatting for Thr values: `fmt % args` (printf style) and
//! `str.format` (`{}` fields with format specs).
//!
//! Output and error messages follow CPython 3.11 byte for byte, with Thr's
//! names where Python would name a type (`nil`, `map`, `list`) and Thr's text
//! forms (`true`, `nil`) for `%s`, `%r` and `{}`.

use std::borrow::Cow;
use std::iter::repeat_n;
use std::ops::RangeInclusive;
use std::sync::Arc;

use crate::value::{float_repr, Key, Map, Value};

/// An error from formatting: kind is "TypeError", "ValueError", "KeyError" or "IndexError".
///
/// A few rarer failures have the kinds Python gives them: "OverflowError"
/// (`%c` out of range, `%d` of an infinity), "AttributeError" (`{0.name}` of
/// a missing field) and "MemoryError" (a width or precision over 2^28).
#[derive(Debug, Clone, PartialEq)]
pub struct FormatError {
    pub kind: &'static str,
    pub message: String,
}

fn error(kind: &'static str, message: impl Into<String>) -> FormatError {
    FormatError {
        kind,
        message: message.into(),
    }
}

fn type_error(message: impl Into<String>) -> FormatError {
    error("TypeError", message)
}

fn value_error(message: impl Into<String>) -> FormatError {
    error("ValueError", message)
}

/// Python's `KeyError` prints the missing key's repr.
fn key_error(key: &Value) -> FormatError {
    error("KeyError", key.repr())
}

/// Widths and precisions above this fail as Python's do when memory runs
/// out, rather than abort the whole process on a failed allocation.
const MAX_FIELD_SIZE: usize = 1 << 28;

/// Checks a width or precision against [`MAX_FIELD_SIZE`].
fn field_size(n: usize) -> Result<usize, FormatError> {
    if n > MAX_FIELD_SIZE {
        return Err(error("MemoryError", ""));
    }
    Ok(n)
}

/// A character as CPython quotes it in an error message: itself when its
/// code is in `printable`, else `\x` and the code in hex.
fn quoted_char(c: char, printable: RangeInclusive<u32>) -> String {
    if printable.contains(&(c as u32)) {
        c.to_string()
    } else {
        format!("\\x{:x}", c as u32)
    }
}

/// `ascii(x)`: the repr with every non-ASCII character escaped.
fn ascii(repr: &str) -> String {
    let mut out = String::with_capacity(repr.len());
    for c in repr.chars() {
        match c as u32 {
            0..=0x7f => out.push(c),
            code @ 0x80..=0xff => out.push_str(&format!("\\x{code:02x}")),
            code @ 0x100..=0xffff => out.push_str(&format!("\\u{code:04x}")),
            code => out.push_str(&format!("\\U{code:08x}")),
        }
    }
    out
}

/// A read position in a format string. CPython reports positions in
/// characters, so the text is held as characters, not bytes.
struct Cursor {
    chars: Vec<char>,
    pos: usize,
}

impl Cursor {
    fn new(text: &str) -> Cursor {
        Cursor {
            chars: text.chars().collect(),
            pos: 0,
        }
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek_at(0)?;
        self.pos += 1;
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.peek_at(0) == Some(c);
        if found {
            self.pos += 1;
        }
        found
    }

    fn remaining(&self) -> usize {
        self.chars.len() - self.pos
    }

    /// Reads a run of decimal digits: `None` if there is none, an error
    /// saying `too_big` if the number exceeds `max`.
    fn number(&mut self, max: usize, too_big: &str) -> Result<Option<usize>, FormatError> {
        let mut value = None;
        while let Some(digit) = self.peek_at(0).and_then(|c| c.to_digit(10)) {
            self.pos += 1;
            let next = value
                .unwrap_or(0usize)
                .checked_mul(10)
                .and_then(|v| v.checked_add(digit as usize))
                .filter(|v| *v <= max);
            value = Some(next.ok_or_else(|| value_error(too_big))?);
        }
        Ok(value)
    }
}

// ---------------------------------------------------------------------------
// Number text shared by both styles.

/// Fraction digits past this many are always zero: the smallest f64, 2^-1074,
/// has exactly 1074. Rust's formatter panics on precisions above `u16::MAX`,
/// so longer requests are padded with zeros by hand.
const MAX_FRACTION_DIGITS: usize = 1074;

/// An f64's exact decimal expansion has at most 767 significant digits.
const MAX_SIGNIFICANT_DIGITS: usize = 800;

/// `x` (finite, not negative) with `precision` digits after the point,
/// correctly rounded (half to even on exact ties, as Python does).
fn fixed(x: f64, precision: usize) -> String {
    let mut text = format!("{:.*}", precision.min(MAX_FRACTION_DIGITS), x);
    text.extend(repeat_n('0', precision.saturating_sub(MAX_FRACTION_DIGITS)));
    text
}

/// `x` (finite, not negative) rounded to `precision + 1` significant digits:
/// the mantissa `d.ddd` and the decimal exponent.
fn scientific(x: f64, precision: usize) -> (String, i32) {
    let text = format!("{:.*e}", precision.min(MAX_SIGNIFICANT_DIGITS), x);
    let (mantissa, exponent) = text.split_once('e').expect("{:e} has an exponent");
    let mut mantissa = mantissa.to_string();
    mantissa.extend(repeat_n(
        '0',
        precision.saturating_sub(MAX_SIGNIFICANT_DIGITS),
    ));
    (
        mantissa,
        exponent.parse().expect("{:e} exponent is an integer"),
    )
}

/// Python's exponent form: a sign and at least two digits, `1.5e+07`.
fn with_exponent(mantissa: &str, exponent: i32) -> String {
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}

/// The `#` flag: the mantissa keeps a decimal point even with no digits after it.
fn force_point(text: String) -> String {
    if text.contains('.') {
        return text;
    }
    match text.find('e') {
        Some(at) => format!("{}.{}", &text[..at], &text[at..]),
        None => text + ".",
    }
}

/// `%g` without `#`: drops trailing zeros after the point, then a bare point.
fn strip_zeros(text: &str) -> String {
    let (mantissa, exponent) = text.split_at(text.find('e').unwrap_or(text.len()));
    if !mantissa.contains('.') {
        return text.to_string();
    }
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    format!("{mantissa}{exponent}")
}

/// `%g`: `precision` significant digits, in fixed notation unless the
/// exponent is below -4 or reaches the precision. `dot_zero` is `str.format`
/// with a precision and no type: the result always shows a `.0` or an
/// exponent, so it switches to exponents one digit sooner.
fn general(x: f64, precision: usize, alt: bool, dot_zero: bool) -> String {
    let precision = precision.max(1);
    let (mantissa, exponent) = scientific(x, precision - 1);
    let limit = precision as i64 - i64::from(dot_zero);
    let text = if exponent < -4 || i64::from(exponent) >= limit {
        with_exponent(&mantissa, exponent)
    } else {
        // exponent < precision here, so the digit count is at least 0.
        fixed(x, (precision as i64 - 1 - i64::from(exponent)) as usize)
    };
    let text = if alt {
        force_point(text)
    } else {
        strip_zeros(&text)
    };
    if dot_zero && !text.contains(['.', 'e']) {
        text + ".0"
    } else {
        text
    }
}

/// How a float's digits are laid out.
#[derive(Clone, Copy)]
enum FloatStyle {
    /// `f`: digits after the point.
    Fixed,
    /// `e`: one digit, a fraction, an exponent.
    Exponent,
    /// `g`: significant digits, fixed or exponent by size.
    General,
    /// `str.format` with no type: `repr`, or `g` that keeps a `.0`.
    Shortest,
}

/// The text of a float without its sign: `x` is not negative (or is nan).
/// `None` precision means the style's default.
fn float_digits(x: f64, style: FloatStyle, precision: Option<usize>, alt: bool) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return "inf".into();
    }
    let keep_point = |text: String| if alt { force_point(text) } else { text };
    match (style, precision) {
        (FloatStyle::Fixed, _) => keep_point(fixed(x, precision.unwrap_or(6))),
        (FloatStyle::Exponent, _) => {
            let (mantissa, exponent) = scientific(x, precision.unwrap_or(6));
            keep_point(with_exponent(&mantissa, exponent))
        }
        (FloatStyle::General, _) => general(x, precision.unwrap_or(6), alt, false),
        (FloatStyle::Shortest, Some(p)) => general(x, p, alt, true),
        (FloatStyle::Shortest, None) => keep_point(float_repr(x)),
    }
}

/// Whether a float shows its minus sign: nan never does, in Python.
fn is_negative(x: f64) -> bool {
    x.is_sign_negative() && !x.is_nan()
}

/// The digits of a magnitude in the base a conversion letter names.
fn int_digits(n: u64, conversion: char) -> String {
    match conversion {
        'x' => format!("{n:x}"),
        'X' => format!("{n:X}"),
        'o' => format!("{n:o}"),
        'b' => format!("{n:b}"),
        _ => n.to_string(),
    }
}

/// What `#` puts before the digits of each base.
fn base_prefix(conversion: char) -> &'static str {
    match conversion {
        'x' => "0x",
        'X' => "0X",
        'o' => "0o",
        'b' => "0b",
        _ => "",
    }
}

/// The sign a number shows: `-` when negative, else what the flag asks for.
fn sign_text(negative: bool, flag: Option<char>) -> &'static str {
    match (negative, flag) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    }
}

/// `%c` and `{:c}`: the character with that code.
fn char_of_code(code: i64) -> Result<char, FormatError> {
    let code = u32::try_from(code)
        .ok()
        .filter(|c| *c < 0x11_0000)
        .ok_or_else(|| error("OverflowError", "%c arg not in range(0x110000)"))?;
    // Rust strings cannot hold the surrogates Python allows here.
    char::from_u32(code).ok_or_else(|| {
        value_error(format!(
            "%c arg {code:#x} is a surrogate, which a string cannot hold"
        ))
    })
}

/// Pads `lead + body` to `width` characters with `fill`. `<`, `>` and `^`
/// place the whole (`^` puts the odd fill character on the right); `=` puts
/// the padding between `lead` (sign and base prefix) and `body`.
fn pad(lead: &str, body: &str, width: usize, fill: char, align: char) -> String {
    let len = lead.chars().count() + body.chars().count();
    let gap = width.saturating_sub(len);
    let (before, between, after) = match align {
        '<' => (0, 0, gap),
        '^' => (gap / 2, 0, gap - gap / 2),
        '=' => (0, gap, 0),
        _ => (gap, 0, 0),
    };
    let mut out = String::with_capacity(lead.len() + body.len() + gap * fill.len_utf8());
    out.extend(repeat_n(fill, before));
    out.push_str(lead);
    out.extend(repeat_n(fill, between));
    out.push_str(body);
    out.extend(repeat_n(fill, after));
    out
}

// ---------------------------------------------------------------------------
// printf style: `fmt % args`.

/// `fmt % args` as Python's printf-style formatting. A `Value::List` on the
/// right supplies the arguments in order (like a Python tuple); anything else
/// is the single argument. `%(key)s` reads a `Value::Map` argument (keys are
/// strings: `Key::str(name)`).
pub fn percent_format(fmt: &str, args: &Value) -> Result<String, FormatError> {
    let mut args = PercentArgs::new(args);
    let mut cursor = Cursor::new(fmt);
    let mut out = String::with_capacity(fmt.len());
    while let Some(c) = cursor.bump() {
        if c == '%' {
            out.push_str(&directive(&mut cursor, &mut args)?);
        } else {
            out.push(c);
        }
    }
    args.finish()?;
    Ok(out)
}

/// Where directives take their arguments, as CPython does it: the items of
/// a list, or the single value. A `%(key)` directive replaces them with the
/// value under that key, so a later plain `%s` finds nothing left.
struct PercentArgs {
    items: Vec<Value>,
    next: usize,
    /// The right side when it is a map: then `%(key)` works, and unused
    /// arguments are not an error.
    map: Option<Map>,
}

impl PercentArgs {
    fn new(args: &Value) -> PercentArgs {
        let (items, map) = match args {
            Value::List(items) => (items.lock().clone(), None),
            Value::Map(map) => (vec![args.clone()], Some(map.clone())),
            single => (vec![single.clone()], None),
        };
        PercentArgs {
            items,
            next: 0,
            map,
        }
    }

    fn next(&mut self) -> Result<Value, FormatError> {
        let item = self
            .items
            .get(self.next)
            .cloned()
            .ok_or_else(|| type_error("not enough arguments for format string"))?;
        self.next += 1;
        Ok(item)
    }

    /// `*` for a width or precision: the next argument, which must be an int.
    fn next_int(&mut self) -> Result<i64, FormatError> {
        self.next()?
            .as_int()
            .ok_or_else(|| type_error("* wants int"))
    }

    /// The map argument, which `%(key)` needs.
    fn mapping(&self) -> Result<&Map, FormatError> {
        self.map
            .as_ref()
            .ok_or_else(|| type_error("format requires a mapping"))
    }

    /// Switches to the value under `key` of the map argument.
    fn select(&mut self, key: &str) -> Result<(), FormatError> {
        let key = Key::str(key);
        let value = self.mapping()?.lock().get(&key).cloned();
        self.items = vec![value.ok_or_else(|| key_error(&key.0))?];
        self.next = 0;
        Ok(())
    }

    fn finish(&self) -> Result<(), FormatError> {
        if self.map.is_none() && self.next < self.items.len() {
            return Err(type_error(
                "not all arguments converted during string formatting",
            ));
        }
        Ok(())
    }
}

/// The flags, width and precision of one `%` directive.
#[derive(Default)]
struct Directive {
    left: bool,
    /// `+` or space: what non-negative numbers show for a sign.
    sign: Option<char>,
    zero: bool,
    alt: bool,
    width: usize,
    precision: Option<usize>,
}

/// Formats one directive; `cursor` is just past its `%`.
fn directive(cursor: &mut Cursor, args: &mut PercentArgs) -> Result<String, FormatError> {
    if cursor.eat('%') {
        return Ok("%".into());
    }
    if cursor.eat('(') {
        // CPython wants the map before it reads the key.
        args.mapping()?;
        let key = mapping_key(cursor)?;
        args.select(&key)?;
    }
    let d = directive_spec(cursor, args)?;
    let conversion = cursor
        .bump()
        .ok_or_else(|| value_error("incomplete format"))?;
    // CPython takes the argument before it looks at the conversion.
    let arg = args.next()?;
    convert(conversion, &d, &arg, cursor.pos - 1)
}

/// The key of `%(key)`, which may itself hold balanced parentheses.
fn mapping_key(cursor: &mut Cursor) -> Result<String, FormatError> {
    let start = cursor.pos;
    let mut depth = 1;
    while let Some(c) = cursor.bump() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return Ok(cursor.chars[start..cursor.pos - 1].iter().collect());
        }
    }
    Err(value_error("incomplete format key"))
}

/// Reads flags, width, precision and a length modifier (`h`, `l`, `L`, which
/// Python ignores), taking `*` values from the arguments.
fn directive_spec(cursor: &mut Cursor, args: &mut PercentArgs) -> Result<Directive, FormatError> {
    let mut d = Directive::default();
    let mut plus = false;
    let mut space = false;
    loop {
        match cursor.peek_at(0) {
            Some('-') => d.left = true,
            Some('+') => plus = true,
            Some(' ') => space = true,
            Some('#') => d.alt = true,
            Some('0') => d.zero = true,
            _ => break,
        }
        cursor.pos += 1;
    }
    // `+` wins over space, whatever their order.
    d.sign = if plus {
        Some('+')
    } else {
        space.then_some(' ')
    };
    let width = if cursor.eat('*') {
        let width = args.next_int()?;
        // A negative width from `*` means left-justify.
        d.left |= width < 0;
        usize::try_from(width.unsigned_abs()).unwrap_or(usize::MAX)
    } else {
        let max = isize::MAX as usize;
        cursor.number(max, "width too big")?.unwrap_or(0)
    };
    d.width = field_size(width)?;
    if cursor.eat('.') {
        let precision = if cursor.eat('*') {
            let precision = i32::try_from(args.next_int()?)
                .map_err(|_| error("OverflowError", "Python int too large to convert to C int"))?;
            // A negative precision from `*` counts as zero.
            precision.max(0) as usize
        } else {
            let max = i32::MAX as usize;
            cursor.number(max, "precision too big")?.unwrap_or(0)
        };
        d.precision = Some(field_size(precision)?);
    }
    if matches!(cursor.peek_at(0), Some('h' | 'l' | 'L')) {
        cursor.pos += 1;
    }
    Ok(d)
}

/// The text of one conversion; `index` is where its letter is, for errors.
fn convert(
    conversion: char,
    d: &Directive,
    arg: &Value,
    index: usize,
) -> Result<String, FormatError> {
    match conversion {
        's' => Ok(pad_text(&truncate(&arg.to_str(), d.precision), d)),
        'r' => Ok(pad_text(&truncate(&arg.repr(), d.precision), d)),
        'a' => Ok(pad_text(&truncate(&ascii(&arg.repr()), d.precision), d)),
        'c' => percent_char(arg).map(|c| pad_text(&c.to_string(), d)),
        'd' | 'i' | 'u' => truncated_int(arg, conversion)
            .map(|(negative, digits)| pad_int(negative, "", digits, d)),
        'x' | 'X' | 'o' => match arg.as_int() {
            Some(n) => {
                let prefix = if d.alt { base_prefix(conversion) } else { "" };
                let digits = int_digits(n.unsigned_abs(), conversion);
                Ok(pad_int(n < 0, prefix, digits, d))
            }
            None => Err(type_error(format!(
                "%{conversion} format: an integer is required, not {}",
                arg.type_name()
            ))),
        },
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => match arg.as_f64() {
            Some(x) => Ok(percent_float(x, conversion, d)),
            None => Err(type_error(format!(
                "must be real number, not {}",
                arg.type_name()
            ))),
        },
        _ => {
            let shown = if (31..=126).contains(&(conversion as u32)) {
                conversion
            } else {
                '?'
            };
            Err(value_error(format!(
                "unsupported format character '{shown}' ({:#x}) at index {index}",
                conversion as u32
            )))
        }
    }
}

/// `%.3s`: at most `precision` characters.
fn truncate(text: &str, precision: Option<usize>) -> String {
    match precision {
        Some(p) => text.chars().take(p).collect(),
        None => text.to_string(),
    }
}

/// Pads a `%s`-like text with spaces; the `0` flag does not apply to text.
fn pad_text(text: &str, d: &Directive) -> String {
    pad("", text, d.width, ' ', if d.left { '<' } else { '>' })
}

/// Pads a number: `-` pads on the right, `0` with zeros after the sign and
/// prefix, otherwise spaces on the left.
fn pad_number(lead: &str, body: &str, d: &Directive) -> String {
    if d.left {
        pad(lead, body, d.width, ' ', '<')
    } else if d.zero {
        pad(lead, body, d.width, '0', '=')
    } else {
        pad(lead, body, d.width, ' ', '>')
    }
}

/// An integer conversion: the precision is a minimum count of digits.
fn pad_int(negative: bool, prefix: &str, digits: String, d: &Directive) -> String {
    let zeros = d.precision.unwrap_or(0).saturating_sub(digits.len());
    let body: String = repeat_n('0', zeros).chain(digits.chars()).collect();
    pad_number(
        &format!("{}{prefix}", sign_text(negative, d.sign)),
        &body,
        d,
    )
}

/// `%c`: an int code or a one-character string.
fn percent_char(arg: &Value) -> Result<char, FormatError> {
    if let Some(code) = arg.as_int() {
        return char_of_code(code);
    }
    if let Value::Str(s) = arg {
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(c);
        }
    }
    Err(type_error("%c requires int or char"))
}

/// `%d`: an int's digits, or a float's truncated toward zero. A float's
/// integer part is printed exactly, however large, as Python's int would be.
fn truncated_int(arg: &Value, conversion: char) -> Result<(bool, String), FormatError> {
    match arg {
        Value::Float(x) if x.is_nan() => Err(value_error("cannot convert float NaN to integer")),
        Value::Float(x) if x.is_infinite() => Err(error(
            "OverflowError",
            "cannot convert float infinity to integer",
        )),
        Value::Float(x) => {
            let whole = x.trunc();
            Ok((whole < 0.0, format!("{:.0}", whole.abs())))
        }
        _ => match arg.as_int() {
            Some(n) => Ok((n < 0, n.unsigned_abs().to_string())),
            None => Err(type_error(format!(
                "%{conversion} format: a real number is required, not {}",
                arg.type_name()
            ))),
        },
    }
}

/// `%e %f %g` and their upper-case forms.
fn percent_float(x: f64, conversion: char, d: &Directive) -> String {
    let style = match conversion.to_ascii_lowercase() {
        'e' => FloatStyle::Exponent,
        'f' => FloatStyle::Fixed,
        _ => FloatStyle::General,
    };
    let mut body = float_digits(x.abs(), style, d.precision, d.alt);
    if conversion.is_ascii_uppercase() {
        body.make_ascii_uppercase();
    }
    pad_number(sign_text(is_negative(x), d.sign), &body, d)
}

// ---------------------------------------------------------------------------
// `str.format`.

/// `"{} of {}".format(a, b)`: Python's `str.format` with `{}`, `{0}`,
/// `{name}`, `{0[i]}`, `{0.field}`, `{{`/`}}`, `!r`/`!s`/`!a` conversions and
/// format specs after `:` (`[[fill]align][sign][z][#][0][width][,|_][.precision][type]`
/// with types `s d n c x X o b e E f F g G %`, and `{}` fields nested in specs).
pub fn brace_format(
    fmt: &str,
    pos: &[Value],
    kw: &[(Arc<str>, Value)],
) -> Result<String, FormatError> {
    let mut fields = Fields {
        pos,
        kw,
        numbering: Numbering::Unknown,
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
    kw: &'a [(Arc<str>, Value)],
    numbering: Numbering,
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
                    format!("Replacement index {index} out of range for positional args tuple"),
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
        Value::Map(map) => map.lock().get(&Key::str(name)).cloned(),
        _ => None,
    };
    found.ok_or_else(|| {
        error(
            "AttributeError",
            format!("'{}' object has no attribute '{name}'", value.type_name()),
        )
    })
}

/// `{0[key]}`: an all-digit key is an int, anything else a string, as in Python.
fn item(value: &Value, key: &str) -> Result<Value, FormatError> {
    let index = parse_index(key)?;
    match (value, index) {
        (Value::List(items), Some(i)) => usize::try_from(i)
            .ok()
            .and_then(|i| items.lock().get(i).cloned())
            .ok_or_else(|| error("IndexError", "list index out of range")),
        (Value::List(_), None) => Err(type_error(
            "list indices must be integers or slices, not str",
        )),
        (Value::Str(s), Some(i)) => usize::try_from(i)
            .ok()
            .and_then(|i| s.chars().nth(i))
            .map(|c| Value::str(c.encode_utf8(&mut [0; 4])))
            .ok_or_else(|| error("IndexError", "string index out of range")),
        (Value::Str(_), None) => Err(type_error("string indices must be integers, not 'str'")),
        (Value::Map(map), _) => {
            let key = Key(index.map_or_else(|| Value::str(key), Value::Int));
            let found = map.lock().get(&key).cloned();
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
fn format_value(value: &Value, spec: &str) -> Result<String, FormatError> {
    let type_name = value.type_name();
    match value {
        Value::Str(s) => format_str(s, &parse_spec(spec, type_name, Some('s'))?),
        Value::Int(n) => format_int(*n, &parse_spec(spec, type_name, Some('d'))?, type_name),
        // Python's bool formats as an int unless the spec is empty.
        Value::Bool(_) if spec.is_empty() => Ok(value.to_str()),
        Value::Bool(b) => {
            let spec = parse_spec(spec, type_name, Some('d'))?;
            format_int(i64::from(*b), &spec, type_name)
        }
        Value::Float(x) => format_float(*x, &parse_spec(spec, type_name, None)?, type_name),
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
        &text,
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
        &int_digits(n.unsigned_abs(), kind),
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

#[cfg(test)]
mod tests {
    //! The tables were produced by running each case through CPython 3.11;
    //! only `nil`/`true`/`false` and type names differ from Python's output.

    use super::*;
    use crate::value::ErrorValue;
    use indexmap::IndexMap;

    fn int(n: i64) -> Value {
        Value::Int(n)
    }

    fn float(x: f64) -> Value {
        Value::Float(x)
    }

    fn s(text: &str) -> Value {
        Value::str(text)
    }

    fn list(items: Vec<Value>) -> Value {
        Value::list(items)
    }

    fn map(entries: &[(&str, Value)]) -> Value {
        let entries: IndexMap<Key, Value> = entries
            .iter()
            .map(|(k, v)| (Key::str(k), v.clone()))
            .collect();
        Value::map(entries)
    }

    fn ok(text: &str) -> Result<String, FormatError> {
        Ok(text.to_string())
    }

    fn err(kind: &'static str, message: &str) -> Result<String, FormatError> {
        Err(error(kind, message))
    }

    fn check_percent(cases: &[(&str, Value, &str)]) {
        for (fmt, args, want) in cases {
            assert_eq!(percent_format(fmt, args), ok(want), "{fmt:?} % {args:?}");
        }
    }

    fn check_percent_errors(cases: &[(&str, Value, &'static str, &str)]) {
        for (fmt, args, kind, message) in cases {
            let got = percent_format(fmt, args);
            assert_eq!(got, err(kind, message), "{fmt:?} % {args:?}");
        }
    }

    fn check_brace(cases: &[(&str, Vec<Value>, &str)]) {
        for (fmt, pos, want) in cases {
            assert_eq!(
                brace_format(fmt, pos, &[]),
                ok(want),
                "{fmt:?}.format{pos:?}"
            );
        }
    }

    fn check_brace_errors(cases: &[(&str, Vec<Value>, &'static str, &str)]) {
        for (fmt, pos, kind, message) in cases {
            let got = brace_format(fmt, pos, &[]);
            assert_eq!(got, err(kind, message), "{fmt:?}.format{pos:?}");
        }
    }

    /// `format(value, spec)`, the text of a `{:spec}` field.
    fn check_specs(cases: &[(Value, &str, &str)]) {
        for (value, spec, want) in cases {
            assert_eq!(
                format_value(value, spec),
                ok(want),
                "format({value:?}, {spec:?})"
            );
        }
    }

    fn check_spec_errors(cases: &[(Value, &str, &'static str, &str)]) {
        for (value, spec, kind, message) in cases {
            let got = format_value(value, spec);
            assert_eq!(got, err(kind, message), "format({value:?}, {spec:?})");
        }
    }

    #[test]
    fn percent_text_conversions() {
        check_percent(&[
            ("%s", s("abc"), "abc"),
            ("%s", int(42), "42"),
            ("%s", float(1.5), "1.5"),
            ("%s", float(1e+16), "1e+16"),
            ("%s", float(-0.0), "-0.0"),
            ("%s", list(vec![list(vec![int(1), s("a")])]), "[1, 'a']"),
            ("[%5s]", s("ab"), "[   ab]"),
            ("[%-5s]", s("ab"), "[ab   ]"),
            ("[%05s]", s("ab"), "[   ab]"),
            ("[%.2s]", s("abcdef"), "[ab]"),
            ("[%-6.2s]", s("abcdef"), "[ab    ]"),
            ("[%.0s]", s("abc"), "[]"),
            ("[%.s]", s("abc"), "[]"),
            ("[%5.1s]", s("abc"), "[    a]"),
            ("[%7s]", s("héllo"), "[  héllo]"),
            ("%r", s("a"), "'a'"),
            ("%r", s("it's"), "\"it's\""),
            ("[%-5r]", s("a"), "['a'  ]"),
            ("%r", s("a\nb"), "'a\\nb'"),
            ("%r", float(1.0), "1.0"),
            ("%a", s("é"), "'\\xe9'"),
            ("%a", s("a€😀"), "'a\\u20ac\\U0001f600'"),
            ("%c", int(65), "A"),
            ("%c", s("x"), "x"),
            ("%c", int(233), "é"),
            ("[%5c]", s("x"), "[    x]"),
            ("[%-3c]", int(66), "[B  ]"),
            ("%.3c", s("x"), "x"),
            ("[%05c]", int(65), "[    A]"),
            ("%s and %s", list(vec![s("a"), s("b")]), "a and b"),
            ("abc", list(vec![]), "abc"),
            ("", list(vec![]), ""),
            ("%%", list(vec![]), "%"),
            ("100%%", list(vec![]), "100%"),
            ("%d%%", int(50), "50%"),
            ("%ld %hd %Ld", list(vec![int(1), int(2), int(3)]), "1 2 3"),
        ]);
    }

    #[test]
    fn percent_integer_conversions() {
        check_percent(&[
            ("%d", int(42), "42"),
            ("%d", int(-42), "-42"),
            ("%i", int(7), "7"),
            ("%u", int(7), "7"),
            ("%d", int(9223372036854775807), "9223372036854775807"),
            ("%d", int(-9223372036854775808), "-9223372036854775808"),
            ("%d", float(3.99), "3"),
            ("%d", float(-3.99), "-3"),
            ("%d", float(-0.5), "0"),
            ("%d", float(1e+20), "100000000000000000000"),
            ("%d", float(9.223372036854776e+18), "9223372036854775808"),
            ("%x", int(255), "ff"),
            ("%X", int(255), "FF"),
            ("%o", int(8), "10"),
            ("%#x", int(255), "0xff"),
            ("%#X", int(255), "0XFF"),
            ("%#o", int(8), "0o10"),
            ("%#x", int(0), "0x0"),
            ("%x", int(-255), "-ff"),
            ("%#x", int(-31), "-0x1f"),
            ("%x", int(-9223372036854775808), "-8000000000000000"),
            (
                "%#o",
                int(-9223372036854775808),
                "-0o1000000000000000000000",
            ),
            ("%d", Value::Bool(true), "1"),
            ("%x", Value::Bool(true), "1"),
            ("%c", Value::Bool(true), "\u{1}"),
            ("%f", Value::Bool(true), "1.000000"),
        ]);
    }

    #[test]
    fn percent_flags_width_and_precision() {
        check_percent(&[
            ("[%5d]", int(42), "[   42]"),
            ("[%-5d]", int(42), "[42   ]"),
            ("[%05d]", int(42), "[00042]"),
            ("[%05d]", int(-42), "[-0042]"),
            ("[%+d]", int(42), "[+42]"),
            ("[%+d]", int(-42), "[-42]"),
            ("[% d]", int(42), "[ 42]"),
            ("[% d]", int(-42), "[-42]"),
            ("[%+ d]", int(5), "[+5]"),
            ("[% +d]", int(5), "[+5]"),
            ("[%-05d]", int(5), "[5    ]"),
            ("[%0-5d]", int(3), "[3    ]"),
            ("[%+05d]", int(5), "[+0005]"),
            ("[% 5d]", int(5), "[    5]"),
            ("[%#d]", int(3), "[3]"),
            ("[%3d]", int(12345), "[12345]"),
            ("[%.3d]", int(5), "[005]"),
            ("[%+.3d]", int(-5), "[-005]"),
            ("[%08.3d]", int(-5), "[-0000005]"),
            ("[%-8.3d]", int(5), "[005     ]"),
            ("[%.0d]", int(0), "[0]"),
            ("[%#08x]", int(255), "[0x0000ff]"),
            ("[%-#8x]", int(255), "[0xff    ]"),
            ("[%+x]", int(255), "[+ff]"),
            ("[% o]", int(8), "[ 10]"),
            ("[%.3x]", int(10), "[00a]"),
            ("[%#.3x]", int(10), "[0x00a]"),
            ("[%#5.3o]", int(10), "[0o012]"),
            ("[%010.3f]", float(-12.34567), "[-00012.346]"),
            ("[%-+10.2f]", float(12.34567), "[+12.35    ]"),
            ("[% 010.2f]", float(12.34567), "[ 000012.35]"),
            ("[%+012.4e]", float(12345.678), "[+01.2346e+04]"),
            ("[%010f]", float(f64::INFINITY), "[0000000inf]"),
            ("[%-10f]", float(f64::INFINITY), "[inf       ]"),
            ("[%+f]", float(f64::INFINITY), "[+inf]"),
            ("[% f]", float(f64::NAN), "[ nan]"),
            ("[%+f]", float(f64::NAN), "[+nan]"),
            ("[%010F]", float(f64::NEG_INFINITY), "[-000000INF]"),
            ("[%5.1s]", s("abc"), "[    a]"),
        ]);
    }

    #[test]
    fn percent_star_takes_width_and_precision_from_the_arguments() {
        check_percent(&[
            ("[%*d]", list(vec![int(5), int(42)]), "[   42]"),
            ("[%*d]", list(vec![int(-5), int(42)]), "[42   ]"),
            ("[%-*d]", list(vec![int(5), int(42)]), "[42   ]"),
            ("[%.*f]", list(vec![int(2), float(12.34567)]), "[12.35]"),
            (
                "[%*.*f]",
                list(vec![int(8), int(2), float(12.34567)]),
                "[   12.35]",
            ),
            ("[%0*d]", list(vec![int(5), int(3)]), "[00003]"),
            ("[%.*f]", list(vec![int(-1), float(1.5)]), "[2]"),
            ("[%.*s]", list(vec![int(-1), s("abc")]), "[]"),
            ("[%*.*s]", list(vec![int(-3), int(-1), s("abc")]), "[   ]"),
            ("[%.*d]", list(vec![int(-3), int(5)]), "[5]"),
            ("[%*s]", list(vec![Value::Bool(true), s("a")]), "[a]"),
            (
                "[%*s|%-*s]",
                list(vec![int(4), s("a"), int(4), s("b")]),
                "[   a|b   ]",
            ),
        ]);
    }

    /// `%g`, `%e` and `%f` with their flags, over the awkward values: ties,
    /// carries into a new digit, the exponent switch points, subnormals.
    #[test]
    fn percent_float_table() {
        let cases: &[(&str, f64, &str)] = &[
            ("%g", 0.0, "0"),
            ("%.0g", 0.0, "0"),
            ("%.2g", 0.0, "0"),
            ("%.3g", 0.0, "0"),
            ("%.17g", 0.0, "0"),
            ("%#g", 0.0, "0.00000"),
            ("%#.3g", 0.0, "0.00"),
            ("%G", 0.0, "0"),
            ("%e", 0.0, "0.000000e+00"),
            ("%.0e", 0.0, "0e+00"),
            ("%#.0e", 0.0, "0.e+00"),
            ("%.2e", 0.0, "0.00e+00"),
            ("%E", 0.0, "0.000000E+00"),
            ("%f", 0.0, "0.000000"),
            ("%.0f", 0.0, "0"),
            ("%#.0f", 0.0, "0."),
            ("%.2f", 0.0, "0.00"),
            ("%F", 0.0, "0.000000"),
            ("%g", -0.0, "-0"),
            ("%.0g", -0.0, "-0"),
            ("%.2g", -0.0, "-0"),
            ("%.3g", -0.0, "-0"),
            ("%.17g", -0.0, "-0"),
            ("%#g", -0.0, "-0.00000"),
            ("%#.3g", -0.0, "-0.00"),
            ("%G", -0.0, "-0"),
            ("%e", -0.0, "-0.000000e+00"),
            ("%.0e", -0.0, "-0e+00"),
            ("%#.0e", -0.0, "-0.e+00"),
            ("%.2e", -0.0, "-0.00e+00"),
            ("%E", -0.0, "-0.000000E+00"),
            ("%f", -0.0, "-0.000000"),
            ("%.0f", -0.0, "-0"),
            ("%#.0f", -0.0, "-0."),
            ("%.2f", -0.0, "-0.00"),
            ("%F", -0.0, "-0.000000"),
            ("%g", 1.0, "1"),
            ("%.0g", 1.0, "1"),
            ("%.2g", 1.0, "1"),
            ("%.3g", 1.0, "1"),
            ("%.17g", 1.0, "1"),
            ("%#g", 1.0, "1.00000"),
            ("%#.3g", 1.0, "1.00"),
            ("%G", 1.0, "1"),
            ("%e", 1.0, "1.000000e+00"),
            ("%.0e", 1.0, "1e+00"),
            ("%#.0e", 1.0, "1.e+00"),
            ("%.2e", 1.0, "1.00e+00"),
            ("%E", 1.0, "1.000000E+00"),
            ("%f", 1.0, "1.000000"),
            ("%.0f", 1.0, "1"),
            ("%#.0f", 1.0, "1."),
            ("%.2f", 1.0, "1.00"),
            ("%F", 1.0, "1.000000"),
            ("%g", 0.5, "0.5"),
            ("%.0g", 0.5, "0.5"),
            ("%.2g", 0.5, "0.5"),
            ("%.3g", 0.5, "0.5"),
            ("%.17g", 0.5, "0.5"),
            ("%#g", 0.5, "0.500000"),
            ("%#.3g", 0.5, "0.500"),
            ("%G", 0.5, "0.5"),
            ("%e", 0.5, "5.000000e-01"),
            ("%.0e", 0.5, "5e-01"),
            ("%#.0e", 0.5, "5.e-01"),
            ("%.2e", 0.5, "5.00e-01"),
            ("%E", 0.5, "5.000000E-01"),
            ("%f", 0.5, "0.500000"),
            ("%.0f", 0.5, "0"),
            ("%#.0f", 0.5, "0."),
            ("%.2f", 0.5, "0.50"),
            ("%F", 0.5, "0.500000"),
            ("%g", 2.5, "2.5"),
            ("%.0g", 2.5, "2"),
            ("%.2g", 2.5, "2.5"),
            ("%.3g", 2.5, "2.5"),
            ("%.17g", 2.5, "2.5"),
            ("%#g", 2.5, "2.50000"),
            ("%#.3g", 2.5, "2.50"),
            ("%G", 2.5, "2.5"),
            ("%e", 2.5, "2.500000e+00"),
            ("%.0e", 2.5, "2e+00"),
            ("%#.0e", 2.5, "2.e+00"),
            ("%.2e", 2.5, "2.50e+00"),
            ("%E", 2.5, "2.500000E+00"),
            ("%f", 2.5, "2.500000"),
            ("%.0f", 2.5, "2"),
            ("%#.0f", 2.5, "2."),
            ("%.2f", 2.5, "2.50"),
            ("%F", 2.5, "2.500000"),
            ("%g", 0.1, "0.1"),
            ("%.0g", 0.1, "0.1"),
            ("%.2g", 0.1, "0.1"),
            ("%.3g", 0.1, "0.1"),
            ("%.17g", 0.1, "0.10000000000000001"),
            ("%#g", 0.1, "0.100000"),
            ("%#.3g", 0.1, "0.100"),
            ("%G", 0.1, "0.1"),
            ("%e", 0.1, "1.000000e-01"),
            ("%.0e", 0.1, "1e-01"),
            ("%#.0e", 0.1, "1.e-01"),
            ("%.2e", 0.1, "1.00e-01"),
            ("%E", 0.1, "1.000000E-01"),
            ("%f", 0.1, "0.100000"),
            ("%.0f", 0.1, "0"),
            ("%#.0f", 0.1, "0."),
            ("%.2f", 0.1, "0.10"),
            ("%F", 0.1, "0.100000"),
            ("%g", 2.675, "2.675"),
            ("%.0g", 2.675, "3"),
            ("%.2g", 2.675, "2.7"),
            ("%.3g", 2.675, "2.67"),
            ("%.17g", 2.675, "2.6749999999999998"),
            ("%#g", 2.675, "2.67500"),
            ("%#.3g", 2.675, "2.67"),
            ("%G", 2.675, "2.675"),
            ("%e", 2.675, "2.675000e+00"),
            ("%.0e", 2.675, "3e+00"),
            ("%#.0e", 2.675, "3.e+00"),
            ("%.2e", 2.675, "2.67e+00"),
            ("%E", 2.675, "2.675000E+00"),
            ("%f", 2.675, "2.675000"),
            ("%.0f", 2.675, "3"),
            ("%#.0f", 2.675, "3."),
            ("%.2f", 2.675, "2.67"),
            ("%F", 2.675, "2.675000"),
            ("%g", -7.654321098765432, "-7.65432"),
            ("%.0g", -7.654321098765432, "-8"),
            ("%.2g", -7.654321098765432, "-7.7"),
            ("%.3g", -7.654321098765432, "-7.65"),
            ("%.17g", -7.654321098765432, "-7.6543210987654318"),
            ("%#g", -7.654321098765432, "-7.65432"),
            ("%#.3g", -7.654321098765432, "-7.65"),
            ("%G", -7.654321098765432, "-7.65432"),
            ("%e", -7.654321098765432, "-7.654321e+00"),
            ("%.0e", -7.654321098765432, "-8e+00"),
            ("%#.0e", -7.654321098765432, "-8.e+00"),
            ("%.2e", -7.654321098765432, "-7.65e+00"),
            ("%E", -7.654321098765432, "-7.654321E+00"),
            ("%f", -7.654321098765432, "-7.654321"),
            ("%.0f", -7.654321098765432, "-8"),
            ("%#.0f", -7.654321098765432, "-8."),
            ("%.2f", -7.654321098765432, "-7.65"),
            ("%F", -7.654321098765432, "-7.654321"),
            ("%g", 100.0, "100"),
            ("%.0g", 100.0, "1e+02"),
            ("%.2g", 100.0, "1e+02"),
            ("%.3g", 100.0, "100"),
            ("%.17g", 100.0, "100"),
            ("%#g", 100.0, "100.000"),
            ("%#.3g", 100.0, "100."),
            ("%G", 100.0, "100"),
            ("%e", 100.0, "1.000000e+02"),
            ("%.0e", 100.0, "1e+02"),
            ("%#.0e", 100.0, "1.e+02"),
            ("%.2e", 100.0, "1.00e+02"),
            ("%E", 100.0, "1.000000E+02"),
            ("%f", 100.0, "100.000000"),
            ("%.0f", 100.0, "100"),
            ("%#.0f", 100.0, "100."),
            ("%.2f", 100.0, "100.00"),
            ("%F", 100.0, "100.000000"),
            ("%g", 123456789.0, "1.23457e+08"),
            ("%.0g", 123456789.0, "1e+08"),
            ("%.2g", 123456789.0, "1.2e+08"),
            ("%.3g", 123456789.0, "1.23e+08"),
            ("%.17g", 123456789.0, "123456789"),
            ("%#g", 123456789.0, "1.23457e+08"),
            ("%#.3g", 123456789.0, "1.23e+08"),
            ("%G", 123456789.0, "1.23457E+08"),
            ("%e", 123456789.0, "1.234568e+08"),
            ("%.0e", 123456789.0, "1e+08"),
            ("%#.0e", 123456789.0, "1.e+08"),
            ("%.2e", 123456789.0, "1.23e+08"),
            ("%E", 123456789.0, "1.234568E+08"),
            ("%f", 123456789.0, "123456789.000000"),
            ("%.0f", 123456789.0, "123456789"),
            ("%#.0f", 123456789.0, "123456789."),
            ("%.2f", 123456789.0, "123456789.00"),
            ("%F", 123456789.0, "123456789.000000"),
            ("%g", 1e+16, "1e+16"),
            ("%.0g", 1e+16, "1e+16"),
            ("%.2g", 1e+16, "1e+16"),
            ("%.3g", 1e+16, "1e+16"),
            ("%.17g", 1e+16, "10000000000000000"),
            ("%#g", 1e+16, "1.00000e+16"),
            ("%#.3g", 1e+16, "1.00e+16"),
            ("%G", 1e+16, "1E+16"),
            ("%e", 1e+16, "1.000000e+16"),
            ("%.0e", 1e+16, "1e+16"),
            ("%#.0e", 1e+16, "1.e+16"),
            ("%.2e", 1e+16, "1.00e+16"),
            ("%E", 1e+16, "1.000000E+16"),
            ("%f", 1e+16, "10000000000000000.000000"),
            ("%.0f", 1e+16, "10000000000000000"),
            ("%#.0f", 1e+16, "10000000000000000."),
            ("%.2f", 1e+16, "10000000000000000.00"),
            ("%F", 1e+16, "10000000000000000.000000"),
            ("%g", 0.0001, "0.0001"),
            ("%.0g", 0.0001, "0.0001"),
            ("%.2g", 0.0001, "0.0001"),
            ("%.3g", 0.0001, "0.0001"),
            ("%.17g", 0.0001, "0.0001"),
            ("%#g", 0.0001, "0.000100000"),
            ("%#.3g", 0.0001, "0.000100"),
            ("%G", 0.0001, "0.0001"),
            ("%e", 0.0001, "1.000000e-04"),
            ("%.0e", 0.0001, "1e-04"),
            ("%#.0e", 0.0001, "1.e-04"),
            ("%.2e", 0.0001, "1.00e-04"),
            ("%E", 0.0001, "1.000000E-04"),
            ("%f", 0.0001, "0.000100"),
            ("%.0f", 0.0001, "0"),
            ("%#.0f", 0.0001, "0."),
            ("%.2f", 0.0001, "0.00"),
            ("%F", 0.0001, "0.000100"),
            ("%g", 1.234e-05, "1.234e-05"),
            ("%.0g", 1.234e-05, "1e-05"),
            ("%.2g", 1.234e-05, "1.2e-05"),
            ("%.3g", 1.234e-05, "1.23e-05"),
            ("%.17g", 1.234e-05, "1.234e-05"),
            ("%#g", 1.234e-05, "1.23400e-05"),
            ("%#.3g", 1.234e-05, "1.23e-05"),
            ("%G", 1.234e-05, "1.234E-05"),
            ("%e", 1.234e-05, "1.234000e-05"),
            ("%.0e", 1.234e-05, "1e-05"),
            ("%#.0e", 1.234e-05, "1.e-05"),
            ("%.2e", 1.234e-05, "1.23e-05"),
            ("%E", 1.234e-05, "1.234000E-05"),
            ("%f", 1.234e-05, "0.000012"),
            ("%.0f", 1.234e-05, "0"),
            ("%#.0f", 1.234e-05, "0."),
            ("%.2f", 1.234e-05, "0.00"),
            ("%F", 1.234e-05, "0.000012"),
            ("%g", 5e-324, "4.94066e-324"),
            ("%.0g", 5e-324, "5e-324"),
            ("%.2g", 5e-324, "4.9e-324"),
            ("%.3g", 5e-324, "4.94e-324"),
            ("%.17g", 5e-324, "4.9406564584124654e-324"),
            ("%#g", 5e-324, "4.94066e-324"),
            ("%#.3g", 5e-324, "4.94e-324"),
            ("%G", 5e-324, "4.94066E-324"),
            ("%e", 5e-324, "4.940656e-324"),
            ("%.0e", 5e-324, "5e-324"),
            ("%#.0e", 5e-324, "5.e-324"),
            ("%.2e", 5e-324, "4.94e-324"),
            ("%E", 5e-324, "4.940656E-324"),
            ("%f", 5e-324, "0.000000"),
            ("%.0f", 5e-324, "0"),
            ("%#.0f", 5e-324, "0."),
            ("%.2f", 5e-324, "0.00"),
            ("%F", 5e-324, "0.000000"),
            ("%g", 9.999995, "10"),
            ("%.0g", 9.999995, "1e+01"),
            ("%.2g", 9.999995, "10"),
            ("%.3g", 9.999995, "10"),
            ("%.17g", 9.999995, "9.9999950000000002"),
            ("%#g", 9.999995, "10.0000"),
            ("%#.3g", 9.999995, "10.0"),
            ("%G", 9.999995, "10"),
            ("%e", 9.999995, "9.999995e+00"),
            ("%.0e", 9.999995, "1e+01"),
            ("%#.0e", 9.999995, "1.e+01"),
            ("%.2e", 9.999995, "1.00e+01"),
            ("%E", 9.999995, "9.999995E+00"),
            ("%f", 9.999995, "9.999995"),
            ("%.0f", 9.999995, "10"),
            ("%#.0f", 9.999995, "10."),
            ("%.2f", 9.999995, "10.00"),
            ("%F", 9.999995, "9.999995"),
            ("%g", 9.9999949, "9.99999"),
            ("%.0g", 9.9999949, "1e+01"),
            ("%.2g", 9.9999949, "10"),
            ("%.3g", 9.9999949, "10"),
            ("%.17g", 9.9999949, "9.9999949000000008"),
            ("%#g", 9.9999949, "9.99999"),
            ("%#.3g", 9.9999949, "10.0"),
            ("%G", 9.9999949, "9.99999"),
            ("%e", 9.9999949, "9.999995e+00"),
            ("%.0e", 9.9999949, "1e+01"),
            ("%#.0e", 9.9999949, "1.e+01"),
            ("%.2e", 9.9999949, "1.00e+01"),
            ("%E", 9.9999949, "9.999995E+00"),
            ("%f", 9.9999949, "9.999995"),
            ("%.0f", 9.9999949, "10"),
            ("%#.0f", 9.9999949, "10."),
            ("%.2f", 9.9999949, "10.00"),
            ("%F", 9.9999949, "9.999995"),
            ("%g", 0.95, "0.95"),
            ("%.0g", 0.95, "0.9"),
            ("%.2g", 0.95, "0.95"),
            ("%.3g", 0.95, "0.95"),
            ("%.17g", 0.95, "0.94999999999999996"),
            ("%#g", 0.95, "0.950000"),
            ("%#.3g", 0.95, "0.950"),
            ("%G", 0.95, "0.95"),
            ("%e", 0.95, "9.500000e-01"),
            ("%.0e", 0.95, "9e-01"),
            ("%#.0e", 0.95, "9.e-01"),
            ("%.2e", 0.95, "9.50e-01"),
            ("%E", 0.95, "9.500000E-01"),
            ("%f", 0.95, "0.950000"),
            ("%.0f", 0.95, "1"),
            ("%#.0f", 0.95, "1."),
            ("%.2f", 0.95, "0.95"),
            ("%F", 0.95, "0.950000"),
            ("%g", 1.7976931348623157e+308, "1.79769e+308"),
            ("%.0g", 1.7976931348623157e+308, "2e+308"),
            ("%.2g", 1.7976931348623157e+308, "1.8e+308"),
            ("%.3g", 1.7976931348623157e+308, "1.8e+308"),
            ("%.17g", 1.7976931348623157e+308, "1.7976931348623157e+308"),
            ("%#g", 1.7976931348623157e+308, "1.79769e+308"),
            ("%#.3g", 1.7976931348623157e+308, "1.80e+308"),
            ("%G", 1.7976931348623157e+308, "1.79769E+308"),
            ("%e", 1.7976931348623157e+308, "1.797693e+308"),
            ("%.0e", 1.7976931348623157e+308, "2e+308"),
            ("%#.0e", 1.7976931348623157e+308, "2.e+308"),
            ("%.2e", 1.7976931348623157e+308, "1.80e+308"),
            ("%E", 1.7976931348623157e+308, "1.797693E+308"),
            ("%f", 1.7976931348623157e+308, "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.000000"),
            ("%.0f", 1.7976931348623157e+308, "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368"),
            ("%#.0f", 1.7976931348623157e+308, "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368."),
            ("%.2f", 1.7976931348623157e+308, "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.00"),
            ("%F", 1.7976931348623157e+308, "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.000000"),
            ("%g", 0.30000000000000004, "0.3"),
            ("%.0g", 0.30000000000000004, "0.3"),
            ("%.2g", 0.30000000000000004, "0.3"),
            ("%.3g", 0.30000000000000004, "0.3"),
            ("%.17g", 0.30000000000000004, "0.30000000000000004"),
            ("%#g", 0.30000000000000004, "0.300000"),
            ("%#.3g", 0.30000000000000004, "0.300"),
            ("%G", 0.30000000000000004, "0.3"),
            ("%e", 0.30000000000000004, "3.000000e-01"),
            ("%.0e", 0.30000000000000004, "3e-01"),
            ("%#.0e", 0.30000000000000004, "3.e-01"),
            ("%.2e", 0.30000000000000004, "3.00e-01"),
            ("%E", 0.30000000000000004, "3.000000E-01"),
            ("%f", 0.30000000000000004, "0.300000"),
            ("%.0f", 0.30000000000000004, "0"),
            ("%#.0f", 0.30000000000000004, "0."),
            ("%.2f", 0.30000000000000004, "0.30"),
            ("%F", 0.30000000000000004, "0.300000"),
            ("%g", f64::INFINITY, "inf"),
            ("%.0g", f64::INFINITY, "inf"),
            ("%.2g", f64::INFINITY, "inf"),
            ("%.3g", f64::INFINITY, "inf"),
            ("%.17g", f64::INFINITY, "inf"),
            ("%#g", f64::INFINITY, "inf"),
            ("%#.3g", f64::INFINITY, "inf"),
            ("%G", f64::INFINITY, "INF"),
            ("%e", f64::INFINITY, "inf"),
            ("%.0e", f64::INFINITY, "inf"),
            ("%#.0e", f64::INFINITY, "inf"),
            ("%.2e", f64::INFINITY, "inf"),
            ("%E", f64::INFINITY, "INF"),
            ("%f", f64::INFINITY, "inf"),
            ("%.0f", f64::INFINITY, "inf"),
            ("%#.0f", f64::INFINITY, "inf"),
            ("%.2f", f64::INFINITY, "inf"),
            ("%F", f64::INFINITY, "INF"),
            ("%g", f64::NEG_INFINITY, "-inf"),
            ("%.0g", f64::NEG_INFINITY, "-inf"),
            ("%.2g", f64::NEG_INFINITY, "-inf"),
            ("%.3g", f64::NEG_INFINITY, "-inf"),
            ("%.17g", f64::NEG_INFINITY, "-inf"),
            ("%#g", f64::NEG_INFINITY, "-inf"),
            ("%#.3g", f64::NEG_INFINITY, "-inf"),
            ("%G", f64::NEG_INFINITY, "-INF"),
            ("%e", f64::NEG_INFINITY, "-inf"),
            ("%.0e", f64::NEG_INFINITY, "-inf"),
            ("%#.0e", f64::NEG_INFINITY, "-inf"),
            ("%.2e", f64::NEG_INFINITY, "-inf"),
            ("%E", f64::NEG_INFINITY, "-INF"),
            ("%f", f64::NEG_INFINITY, "-inf"),
            ("%.0f", f64::NEG_INFINITY, "-inf"),
            ("%#.0f", f64::NEG_INFINITY, "-inf"),
            ("%.2f", f64::NEG_INFINITY, "-inf"),
            ("%F", f64::NEG_INFINITY, "-INF"),
            ("%g", f64::NAN, "nan"),
            ("%.0g", f64::NAN, "nan"),
            ("%.2g", f64::NAN, "nan"),
            ("%.3g", f64::NAN, "nan"),
            ("%.17g", f64::NAN, "nan"),
            ("%#g", f64::NAN, "nan"),
            ("%#.3g", f64::NAN, "nan"),
            ("%G", f64::NAN, "NAN"),
            ("%e", f64::NAN, "nan"),
            ("%.0e", f64::NAN, "nan"),
            ("%#.0e", f64::NAN, "nan"),
            ("%.2e", f64::NAN, "nan"),
            ("%E", f64::NAN, "NAN"),
            ("%f", f64::NAN, "nan"),
            ("%.0f", f64::NAN, "nan"),
            ("%#.0f", f64::NAN, "nan"),
            ("%.2f", f64::NAN, "nan"),
            ("%F", f64::NAN, "NAN"),
        ];
        for (fmt, x, want) in cases {
            assert_eq!(percent_format(fmt, &float(*x)), ok(want), "{fmt:?} % {x:?}");
        }
    }

    #[test]
    fn percent_mapping_keys() {
        check_percent(&[
            ("%(a)s", map(&[("a", int(1))]), "1"),
            (
                "%(a)s and %(b)r",
                map(&[("a", s("x")), ("b", s("y"))]),
                "x and 'y'",
            ),
            ("%(a)s %(a)d", map(&[("a", int(1))]), "1 1"),
            ("%(a)s", map(&[("a", int(1)), ("b", int(2))]), "1"),
            (
                "%(threadName)-10s|",
                map(&[("threadName", s("Main"))]),
                "Main      |",
            ),
            (
                "%(relativeCreated)6d|",
                map(&[("relativeCreated", int(42))]),
                "    42|",
            ),
            (
                "%(relativeCreated)6d|",
                map(&[("relativeCreated", float(1234.9))]),
                "  1234|",
            ),
            (
                "(%(threadName)-10s) %(message)s",
                map(&[("threadName", s("Thread-1")), ("message", s("hi"))]),
                "(Thread-1  ) hi",
            ),
            ("%(n)06.2f", map(&[("n", float(12.34567))]), "012.35"),
            ("%(n)+d", map(&[("n", int(3))]), "+3"),
            ("%(n)#x", map(&[("n", int(255))]), "0xff"),
            ("%()s", map(&[("", int(5))]), "5"),
            ("%(a(b))s", map(&[("a(b)", int(1))]), "1"),
            ("%(a)s%%", map(&[("a", int(1))]), "1%"),
            ("%s %(a)s", map(&[("a", int(1))]), "{'a': 1} 1"),
            ("%(ü)s", map(&[("ü", s("x"))]), "x"),
            ("%s", map(&[("a", int(1))]), "{'a': 1}"),
            ("abc", map(&[]), "abc"),
            ("%%", map(&[]), "%"),
        ]);
    }

    #[test]
    fn percent_errors() {
        check_percent_errors(&[
            (
                "%s %s",
                list(vec![int(1)]),
                "TypeError",
                "not enough arguments for format string",
            ),
            (
                "%s",
                list(vec![]),
                "TypeError",
                "not enough arguments for format string",
            ),
            (
                "%s",
                list(vec![int(1), int(2)]),
                "TypeError",
                "not all arguments converted during string formatting",
            ),
            (
                "abc",
                int(5),
                "TypeError",
                "not all arguments converted during string formatting",
            ),
            (
                "%%",
                int(5),
                "TypeError",
                "not all arguments converted during string formatting",
            ),
            (
                "%s %s",
                int(1),
                "TypeError",
                "not enough arguments for format string",
            ),
            (
                "%d",
                s("a"),
                "TypeError",
                "%d format: a real number is required, not str",
            ),
            (
                "%i",
                s("a"),
                "TypeError",
                "%i format: a real number is required, not str",
            ),
            (
                "%d",
                Value::Nil,
                "TypeError",
                "%d format: a real number is required, not nil",
            ),
            (
                "%d",
                list(vec![list(vec![int(1)])]),
                "TypeError",
                "%d format: a real number is required, not list",
            ),
            (
                "%(x)d",
                map(&[("x", s("a"))]),
                "TypeError",
                "%d format: a real number is required, not str",
            ),
            (
                "%x",
                s("a"),
                "TypeError",
                "%x format: an integer is required, not str",
            ),
            (
                "%o",
                Value::Nil,
                "TypeError",
                "%o format: an integer is required, not nil",
            ),
            (
                "%X",
                float(3.5),
                "TypeError",
                "%X format: an integer is required, not float",
            ),
            ("%f", s("a"), "TypeError", "must be real number, not str"),
            (
                "%f",
                Value::Nil,
                "TypeError",
                "must be real number, not nil",
            ),
            ("%e", s("x"), "TypeError", "must be real number, not str"),
            (
                "%G",
                list(vec![list(vec![int(1)])]),
                "TypeError",
                "must be real number, not list",
            ),
            ("%c", s("xy"), "TypeError", "%c requires int or char"),
            ("%c", s(""), "TypeError", "%c requires int or char"),
            ("%c", float(1.5), "TypeError", "%c requires int or char"),
            (
                "%c",
                int(-1),
                "OverflowError",
                "%c arg not in range(0x110000)",
            ),
            (
                "%c",
                int(1114112),
                "OverflowError",
                "%c arg not in range(0x110000)",
            ),
            (
                "ab%y",
                int(1),
                "ValueError",
                "unsupported format character 'y' (0x79) at index 3",
            ),
            (
                "é%y",
                int(1),
                "ValueError",
                "unsupported format character 'y' (0x79) at index 2",
            ),
            (
                "%~",
                int(1),
                "ValueError",
                "unsupported format character '~' (0x7e) at index 1",
            ),
            (
                "%\n",
                int(1),
                "ValueError",
                "unsupported format character '?' (0xa) at index 1",
            ),
            (
                "%\u{7f}",
                int(1),
                "ValueError",
                "unsupported format character '?' (0x7f) at index 1",
            ),
            (
                "%\u{1f}",
                int(1),
                "ValueError",
                "unsupported format character '\u{1f}' (0x1f) at index 1",
            ),
            (
                "%é",
                int(1),
                "ValueError",
                "unsupported format character '?' (0xe9) at index 1",
            ),
            (
                "%5%",
                int(1),
                "ValueError",
                "unsupported format character '%' (0x25) at index 2",
            ),
            (
                "%.2%",
                int(1),
                "ValueError",
                "unsupported format character '%' (0x25) at index 3",
            ),
            (
                "%5%",
                list(vec![]),
                "TypeError",
                "not enough arguments for format string",
            ),
            ("abc%", list(vec![]), "ValueError", "incomplete format"),
            ("% ", int(1), "ValueError", "incomplete format"),
            ("%5", int(5), "ValueError", "incomplete format"),
            ("%.", int(5), "ValueError", "incomplete format"),
            (
                "%(a)",
                map(&[("a", int(1))]),
                "ValueError",
                "incomplete format",
            ),
            ("%l", int(1), "ValueError", "incomplete format"),
            ("%(a)s", int(5), "TypeError", "format requires a mapping"),
            (
                "%(a)s",
                list(vec![int(1)]),
                "TypeError",
                "format requires a mapping",
            ),
            ("%(a", int(5), "TypeError", "format requires a mapping"),
            (
                "%(a",
                map(&[("a", int(1))]),
                "ValueError",
                "incomplete format key",
            ),
            (
                "%(a(b)s",
                map(&[("a", int(1))]),
                "ValueError",
                "incomplete format key",
            ),
            ("%(a)s", map(&[("b", int(1))]), "KeyError", "'a'"),
            (
                "%(a)s %s",
                map(&[("a", int(1))]),
                "TypeError",
                "not enough arguments for format string",
            ),
            (
                "%(a)*d",
                map(&[("a", int(1))]),
                "TypeError",
                "not enough arguments for format string",
            ),
            (
                "%*d",
                list(vec![s("a"), int(1)]),
                "TypeError",
                "* wants int",
            ),
            (
                "%*s",
                list(vec![float(2.0), s("a")]),
                "TypeError",
                "* wants int",
            ),
            (
                "%*d",
                list(vec![int(5)]),
                "TypeError",
                "not enough arguments for format string",
            ),
            (
                "%d",
                float(f64::INFINITY),
                "OverflowError",
                "cannot convert float infinity to integer",
            ),
            (
                "%d",
                float(f64::NAN),
                "ValueError",
                "cannot convert float NaN to integer",
            ),
            (
                "%99999999999999999999d",
                int(1),
                "ValueError",
                "width too big",
            ),
            ("%.99999999999d", int(1), "ValueError", "precision too big"),
        ]);
    }

    #[test]
    fn percent_prints_thr_names() {
        let error_value = Value::Error(Arc::new(ErrorValue::new("ValueError", "bad")));
        check_percent(&[
            (
                "%s %r %s",
                list(vec![Value::Nil, Value::Bool(true), Value::Bool(false)]),
                "nil true false",
            ),
            (
                "%r",
                list(vec![list(vec![Value::Nil, s("a"), float(1.5)])]),
                "[nil, 'a', 1.5]",
            ),
            ("%s", map(&[("k", Value::Nil)]), "{'k': nil}"),
            ("%(k)s", map(&[("k", Value::Bool(false))]), "false"),
            ("%s", error_value.clone(), "ValueError: bad"),
            ("%r", error_value, "error('ValueError', 'bad')"),
            (
                "%d|%5.1f",
                list(vec![Value::Bool(true), Value::Bool(false)]),
                "1|  0.0",
            ),
        ]);
        check_percent_errors(&[
            (
                "%d",
                Value::Nil,
                "TypeError",
                "%d format: a real number is required, not nil",
            ),
            ("%f", map(&[]), "TypeError", "must be real number, not map"),
        ]);
    }

    /// Precisions past what Rust's formatter accepts (65535) or needs (an
    /// f64 has at most 1074 fraction digits) are padded with zeros.
    #[test]
    fn percent_precision_beyond_rust_limits() {
        let zeros = |n: usize| "0".repeat(n);
        check_percent(&[
            ("%.70000f", float(1.5), &format!("1.5{}", zeros(69_999))),
            ("%.1100f", float(0.5), &format!("0.5{}", zeros(1_099))),
            ("%.900e", float(2.5), &format!("2.5{}e+00", zeros(899))),
            (
                "%#.70000g",
                float(0.1),
                &format!(
                    "0.1000000000000000055511151231257827021181583404541015625{}",
                    zeros(70_000 - 55)
                ),
            ),
        ]);
        let tiny = percent_format("%.1080f", &float(5e-324)).unwrap();
        assert_eq!(tiny.len(), 1082);
        assert!(tiny.starts_with(&format!("0.{}4940656458412465", zeros(323))));
        assert!(tiny.ends_with("533447265625000000"));
        check_specs(&[
            (float(1.5), ".70000", "1.5"),
            (float(2.5), ".70000e", &format!("2.5{}e+00", zeros(69_999))),
        ]);
    }

    #[test]
    fn absurd_sizes_are_memory_errors_not_aborts() {
        let huge = list(vec![int(1 << 40), int(1)]);
        assert_eq!(percent_format("%*d", &huge), err("MemoryError", ""));
        assert_eq!(
            percent_format("%.999999999f", &float(1.0)),
            err("MemoryError", "")
        );
        let precision = list(vec![int(1 << 40), float(1.0)]);
        assert_eq!(
            percent_format("%.*f", &precision),
            err("OverflowError", "Python int too large to convert to C int")
        );
        check_spec_errors(&[(int(1), "999999999999999999", "MemoryError", "")]);
    }

    #[test]
    fn surrogates_cannot_be_characters() {
        assert_eq!(
            percent_format("%c", &int(0xd800)),
            err(
                "ValueError",
                "%c arg 0xd800 is a surrogate, which a string cannot hold"
            )
        );
    }

    #[test]
    fn brace_fields() {
        check_brace(&[
            ("{} of {}", vec![int(1), int(2)], "1 of 2"),
            ("{0} {1} {0}", vec![s("a"), s("b")], "a b a"),
            ("{1}{0}", vec![s("a"), s("b")], "ba"),
            ("{{}}", vec![], "{}"),
            ("{{{0}}}", vec![int(5)], "{5}"),
            ("}}{{", vec![], "}{"),
            ("{00}", vec![int(1)], "1"),
            ("", vec![], ""),
            ("é{}é", vec![s("ü")], "éüé"),
            ("{!r}", vec![s("a")], "'a'"),
            ("{!r}", vec![s("it's")], "\"it's\""),
            ("{!s}", vec![s("a")], "a"),
            ("{!a}", vec![s("é")], "'\\xe9'"),
            ("{!r:>5}", vec![s("a")], "  'a'"),
            ("{0!r:^9}", vec![float(1.5)], "   1.5   "),
            ("{0!s:>{1}}", vec![s("x"), int(4)], "   x"),
            ("{:{}}", vec![s("a"), int(5)], "a    "),
            ("{:{}{}}", vec![int(1), s(">"), int(5)], "    1"),
            ("{:{}>{}}", vec![s("x"), s("*"), int(4)], "***x"),
            ("{0:{0}}", vec![int(3)], "  3"),
            ("{:}", vec![int(1)], "1"),
            ("{0[1]}", vec![list(vec![int(5), int(6)])], "6"),
            ("{0[a]}", vec![map(&[("a", int(7))])], "7"),
            (
                "{0[1][0]}",
                vec![list(vec![int(1), list(vec![int(2)])])],
                "2",
            ),
            ("{[0]}", vec![list(vec![int(7)])], "7"),
            ("{0[1]}", vec![s("ab")], "b"),
            ("{0[ 1]}", vec![map(&[(" 1", int(3))])], "3"),
            ("{0[-1]}", vec![map(&[("-1", int(3))])], "3"),
            (
                "{} {}",
                vec![list(vec![int(1), s("a")]), float(1.0)],
                "[1, 'a'] 1.0",
            ),
            ("{}", vec![float(1e+16)], "1e+16"),
            (
                "{}",
                vec![float(0.30000000000000004)],
                "0.30000000000000004",
            ),
            (
                "{:5}|{:<5}|{:^5}|{:>5}",
                vec![int(1), int(2), int(3), int(4)],
                "    1|2    |  3  |    4",
            ),
        ]);
    }

    #[test]
    fn brace_keywords_and_map_fields() {
        let person = map(&[("name", s("Ann")), ("age", int(7))]);
        let kw: Vec<(Arc<str>, Value)> = vec![
            ("who".into(), person.clone()),
            ("n".into(), int(3)),
            ("w".into(), int(6)),
        ];
        let cases = [
            ("{n}", "3"),
            ("{n:>{w}}|", "     3|"),
            ("{0} and {n}", "x and 3"),
            ("{who.name} is {who[age]}", "Ann is 7"),
            ("{who[name]:*^7}", "**Ann**"),
            ("{} {who.age}", "x 7"),
            ("{!r} {n!r}", "'x' 3"),
        ];
        for (fmt, want) in cases {
            assert_eq!(brace_format(fmt, &[s("x")], &kw), ok(want), "{fmt:?}");
        }
        let errors = [
            ("{m}", "KeyError", "'m'"),
            ("{who[height]}", "KeyError", "'height'"),
            (
                "{who.height}",
                "AttributeError",
                "'map' object has no attribute 'height'",
            ),
            (
                "{n.real}",
                "AttributeError",
                "'int' object has no attribute 'real'",
            ),
            ("{n[0]}", "TypeError", "'int' object is not subscriptable"),
            (
                "{0} {}",
                "ValueError",
                "cannot switch from manual field specification to automatic field numbering",
            ),
        ];
        for (fmt, kind, message) in errors {
            assert_eq!(
                brace_format(fmt, &[s("x")], &kw),
                err(kind, message),
                "{fmt:?}"
            );
        }
    }

    #[test]
    fn brace_prints_thr_names() {
        let pos = [
            Value::Nil,
            Value::Bool(true),
            list(vec![Value::Bool(false)]),
        ];
        assert_eq!(brace_format("{} {} {}", &pos, &[]), ok("nil true [false]"));
        assert_eq!(
            brace_format("{0!r:>5}|{1:>5}", &pos, &[]),
            ok("  nil|    1")
        );
        assert_eq!(
            brace_format("{:>5}", &pos, &[]),
            err(
                "TypeError",
                "unsupported format string passed to nil.__format__"
            )
        );
    }

    #[test]
    fn brace_errors() {
        check_brace_errors(&[
            (
                "{} {}",
                vec![int(1)],
                "IndexError",
                "Replacement index 1 out of range for positional args tuple",
            ),
            (
                "{1}",
                vec![int(1)],
                "IndexError",
                "Replacement index 1 out of range for positional args tuple",
            ),
            (
                "{0} {}",
                vec![int(1), int(2)],
                "ValueError",
                "cannot switch from manual field specification to automatic field numbering",
            ),
            (
                "{} {0}",
                vec![int(1), int(2)],
                "ValueError",
                "cannot switch from automatic field numbering to manual field specification",
            ),
            ("{ 0}", vec![int(1)], "KeyError", "' 0'"),
            ("{-1}", vec![int(1)], "KeyError", "'-1'"),
            ("{it's}", vec![], "KeyError", "\"it's\""),
            (
                "{",
                vec![int(1)],
                "ValueError",
                "Single '{' encountered in format string",
            ),
            (
                "}",
                vec![int(1)],
                "ValueError",
                "Single '}' encountered in format string",
            ),
            (
                "x{",
                vec![],
                "ValueError",
                "Single '{' encountered in format string",
            ),
            (
                "{0}}",
                vec![int(1)],
                "ValueError",
                "Single '}' encountered in format string",
            ),
            (
                "{0",
                vec![int(1)],
                "ValueError",
                "expected '}' before end of string",
            ),
            (
                "{0:",
                vec![int(1)],
                "ValueError",
                "unmatched '{' in format spec",
            ),
            (
                "{0!",
                vec![int(1)],
                "ValueError",
                "end of string while looking for conversion specifier",
            ),
            (
                "{0!r",
                vec![int(1)],
                "ValueError",
                "unmatched '{' in format spec",
            ),
            (
                "{!}",
                vec![int(1)],
                "ValueError",
                "unmatched '{' in format spec",
            ),
            (
                "{0!x}",
                vec![int(1)],
                "ValueError",
                "Unknown conversion specifier x",
            ),
            (
                "{0!rr}",
                vec![int(1)],
                "ValueError",
                "expected ':' after conversion specifier",
            ),
            (
                "{!é}",
                vec![int(1)],
                "ValueError",
                "Unknown conversion specifier \\xe9",
            ),
            (
                "{! }",
                vec![int(1)],
                "ValueError",
                "Unknown conversion specifier \\x20",
            ),
            ("{a{}", vec![], "ValueError", "unexpected '{' in field name"),
            (
                "{0[}",
                vec![list(vec![int(5), int(6)])],
                "ValueError",
                "expected '}' before end of string",
            ),
            (
                "{:{:{}}}",
                vec![int(1), int(2), int(3)],
                "ValueError",
                "Max string recursion exceeded",
            ),
            (
                "{:!r}",
                vec![s("x")],
                "ValueError",
                "Invalid format specifier '!r' for object of type 'str'",
            ),
            (
                "{:{}:}",
                vec![int(1), int(2)],
                "ValueError",
                "Unknown format code ':' for object of type 'int'",
            ),
            (
                "{0[5]}",
                vec![list(vec![int(5), int(6)])],
                "IndexError",
                "list index out of range",
            ),
            (
                "{0[x]}",
                vec![list(vec![int(5), int(6)])],
                "TypeError",
                "list indices must be integers or slices, not str",
            ),
            (
                "{0[5]}",
                vec![s("ab")],
                "IndexError",
                "string index out of range",
            ),
            (
                "{0[x]}",
                vec![s("ab")],
                "TypeError",
                "string indices must be integers, not 'str'",
            ),
            (
                "{0[1]}",
                vec![int(5)],
                "TypeError",
                "'int' object is not subscriptable",
            ),
            (
                "{0[1]}",
                vec![Value::Nil],
                "TypeError",
                "'nil' object is not subscriptable",
            ),
            ("{0[b]}", vec![map(&[("a", int(1))])], "KeyError", "'b'"),
            ("{0[1]}", vec![map(&[("a", int(1))])], "KeyError", "1"),
            (
                "{0[1]x}",
                vec![list(vec![int(5), int(6)])],
                "ValueError",
                "Only '.' or '[' may follow ']' in format field specifier",
            ),
            (
                "{0[a]b}",
                vec![list(vec![int(1)])],
                "TypeError",
                "list indices must be integers or slices, not str",
            ),
            (
                "{0.}",
                vec![map(&[])],
                "ValueError",
                "Empty attribute in format string",
            ),
            (
                "{0[]}",
                vec![list(vec![])],
                "ValueError",
                "Empty attribute in format string",
            ),
            (
                "{99999999999999999999}",
                vec![int(1)],
                "ValueError",
                "Too many decimal digits in format string",
            ),
            (
                "{:s}",
                vec![Value::Nil],
                "TypeError",
                "unsupported format string passed to nil.__format__",
            ),
            (
                "{:5}",
                vec![list(vec![int(1)])],
                "TypeError",
                "unsupported format string passed to list.__format__",
            ),
        ]);
    }

    #[test]
    fn string_specs() {
        check_specs(&[
            (s("ab"), "", "ab"),
            (s("ab"), "s", "ab"),
            (s("ab"), "5", "ab   "),
            (s("ab"), ">5", "   ab"),
            (s("ab"), "^7", "  ab   "),
            (s("ab"), "*^7", "**ab***"),
            (s("abc"), "^6", " abc  "),
            (s("ab"), "05", "ab000"),
            (s("ab"), "<05", "ab000"),
            (s("ab"), ".1", "a"),
            (s("héllo"), "10.3", "hél       "),
            (s("héllo"), "^9", "  héllo  "),
            (s("ab"), "x<06", "abxxxx"),
            (s("ab"), "}>5", "}}}ab"),
            (s("ab"), "{>5", "{{{ab"),
            (s(""), "3", "   "),
        ]);
    }

    #[test]
    fn int_specs() {
        check_specs(&[
            (int(42), "", "42"),
            (int(42), "d", "42"),
            (int(42), "5", "   42"),
            (int(42), "<5", "42   "),
            (int(42), "^6", "  42  "),
            (int(5), "=+6", "+    5"),
            (int(-5), "06", "-00005"),
            (int(-5), "0=6", "-00005"),
            (int(-5), "x<06", "-5xxxx"),
            (int(5), "+", "+5"),
            (int(5), " ", " 5"),
            (int(-5), " ", "-5"),
            (int(1234567), ",", "1,234,567"),
            (int(1234567), "_", "1_234_567"),
            (int(1234), "010,", "00,001,234"),
            (int(1234), "09,", "0,001,234"),
            (int(1234), "08,", "0,001,234"),
            (int(1234), "0>10,", "000001,234"),
            (int(1234), "*=10,", "*****1,234"),
            (int(-1234), "0^10,", "00-1,23400"),
            (int(255), "x", "ff"),
            (int(255), "X", "FF"),
            (int(255), "#x", "0xff"),
            (int(255), "#o", "0o377"),
            (int(255), "#b", "0b11111111"),
            (int(1048575), "_x", "f_ffff"),
            (int(1048575), "#_x", "0xf_ffff"),
            (int(255), "#010x", "0x000000ff"),
            (int(-1234), "#020_x", "-0x00_0000_0000_04d2"),
            (int(1234), "010_b", "100_1101_0010"),
            (int(-5), "#010b", "-0b0000101"),
            (int(65), "c", "A"),
            (int(65), "5c", "    A"),
            (int(65), "05c", "0000A"),
            (int(5), "e", "5.000000e+00"),
            (int(5), ".2f", "5.00"),
            (int(5), "%", "500.000000%"),
            (int(12345678901234567), "g", "1.23457e+16"),
            (int(5), "n", "5"),
            (int(-9223372036854775808), ",", "-9,223,372,036,854,775,808"),
            (Value::Bool(true), "d", "1"),
            (Value::Bool(true), ">5", "    1"),
            (Value::Bool(true), "f", "1.000000"),
            (int(1000000), "+,", "+1,000,000"),
            (int(123), " 08_d", " 000_123"),
        ]);
    }

    #[test]
    fn float_specs() {
        check_specs(&[
            (float(1.0), "", "1.0"),
            (float(1.0), "10", "       1.0"),
            (float(1e+16), "", "1e+16"),
            (float(1e-07), "", "1e-07"),
            (float(-0.0), "", "-0.0"),
            (float(1.0), ".3", "1.0"),
            (float(1.0), ".1", "1e+00"),
            (float(0.5), ".0", "0.5"),
            (float(100.0), ".2", "1e+02"),
            (float(10.0), ".2", "1e+01"),
            (float(12.0), ".2", "1.2e+01"),
            (float(1234.5), ".4", "1.234e+03"),
            (float(123456.0), ".3", "1.23e+05"),
            (float(1e+22), ".20", "1e+22"),
            (float(1.0), "#.3", "1.00"),
            (float(100.0), "#.2", "1.0e+02"),
            (float(1.0), "#", "1.0"),
            (float(1e+16), "#", "1.e+16"),
            (float(1.5), "+", "+1.5"),
            (float(1.5), " ", " 1.5"),
            (float(-1.5), "=10", "-      1.5"),
            (float(1.5), "=^10", "===1.5===="),
            (float(12.34567), "*^+12.3f", "**+12.346***"),
            (float(1.5), "#.0f", "2."),
            (float(1.5), "#.0e", "2.e+00"),
            (float(1.5), "#g", "1.50000"),
            (float(0.5), "%", "50.000000%"),
            (float(0.5), ".1%", "50.0%"),
            (float(1.5), ".0%", "150%"),
            (float(1.5), "#.0%", "150.%"),
            (float(1.5), "E", "1.500000E+00"),
            (float(1.5), "F", "1.500000"),
            (float(f64::NAN), "F", "NAN"),
            (float(f64::INFINITY), "%", "inf%"),
            (float(f64::NAN), ".2%", "nan%"),
            (float(f64::NEG_INFINITY), "010", "-000000inf"),
            (float(f64::NAN), "+", "+nan"),
            (float(f64::NAN), "", "nan"),
            (float(1234567.891), ",.2f", "1,234,567.89"),
            (float(1234567.891), ",", "1,234,567.891"),
            (float(1234567.891), ",g", "1.23457e+06"),
            (float(1234567.891), ",e", "1.234568e+06"),
            (float(1e+20), ",", "1e+20"),
            (float(1e+20), ",f", "100,000,000,000,000,000,000.000000"),
            (float(f64::INFINITY), ",", "inf"),
            (float(1234.5), "012,.2f", "0,001,234.50"),
            (float(1234.5), "013,.2f", "00,001,234.50"),
            (float(-1234.5), "+013,.2e", "-0,001.23e+03"),
            (float(1234.5), "015,%", "123,450.000000%"),
            (float(1234567.0), ",.10", "1,234,567.0"),
            (float(5.0), "_.1f", "5.0"),
            (float(-0.0), "z.2f", "0.00"),
            (float(-0.0001), "z.2f", "0.00"),
            (float(-0.0001), ".2f", "-0.00"),
            (float(-0.0001), "z", "-0.0001"),
            (float(-0.0), "z", "0.0"),
            (float(-1.5), "z.2f", "-1.50"),
            (float(-0.001), "z.1%", "-0.1%"),
            (float(-0.0), "ze", "0.000000e+00"),
            (float(f64::NEG_INFINITY), "z", "-inf"),
            (float(1e+100), "n", "1e+100"),
            (float(1.2345678901234567e+19), ",", "1.2345678901234567e+19"),
        ]);
    }

    #[test]
    fn spec_errors() {
        check_spec_errors(&[
            (
                s("ab"),
                "=5",
                "ValueError",
                "'=' alignment not allowed in string format specifier",
            ),
            (
                s("ab"),
                "+5",
                "ValueError",
                "Sign not allowed in string format specifier",
            ),
            (
                s("ab"),
                " ",
                "ValueError",
                "Space not allowed in string format specifier",
            ),
            (
                s("ab"),
                "-",
                "ValueError",
                "Sign not allowed in string format specifier",
            ),
            (
                s("ab"),
                "z",
                "ValueError",
                "Negative zero coercion (z) not allowed in string format specifier",
            ),
            (
                s("ab"),
                "#",
                "ValueError",
                "Alternate form (#) not allowed in string format specifier",
            ),
            (
                s("ab"),
                "d",
                "ValueError",
                "Unknown format code 'd' for object of type 'str'",
            ),
            (s("ab"), ",", "ValueError", "Cannot specify ',' with 's'."),
            (
                s("ab"),
                "+#=5",
                "ValueError",
                "Invalid format specifier '+#=5' for object of type 'str'",
            ),
            (
                int(5),
                ".2",
                "ValueError",
                "Precision not allowed in integer format specifier",
            ),
            (
                int(5),
                "z",
                "ValueError",
                "Negative zero coercion (z) not allowed in integer format specifier",
            ),
            (
                int(5),
                " c",
                "ValueError",
                "Sign not allowed with integer format specifier 'c'",
            ),
            (
                int(5),
                "#c",
                "ValueError",
                "Alternate form (#) not allowed with integer format specifier 'c'",
            ),
            (
                int(-1),
                "c",
                "OverflowError",
                "%c arg not in range(0x110000)",
            ),
            (
                int(1114112),
                "c",
                "OverflowError",
                "%c arg not in range(0x110000)",
            ),
            (
                int(5),
                "s",
                "ValueError",
                "Unknown format code 's' for object of type 'int'",
            ),
            (
                Value::Bool(true),
                "s",
                "ValueError",
                "Unknown format code 's' for object of type 'bool'",
            ),
            (
                int(5),
                "abc",
                "ValueError",
                "Invalid format specifier 'abc' for object of type 'int'",
            ),
            (
                int(5),
                ",_",
                "ValueError",
                "Cannot specify both ',' and '_'.",
            ),
            (
                int(5),
                "_,",
                "ValueError",
                "Cannot specify both ',' and '_'.",
            ),
            (int(5), ",n", "ValueError", "Cannot specify ',' with 'n'."),
            (int(5), ",c", "ValueError", "Cannot specify ',' with 'c'."),
            (int(255), ",x", "ValueError", "Cannot specify ',' with 'x'."),
            (
                int(5),
                ".",
                "ValueError",
                "Format specifier missing precision",
            ),
            (
                int(5),
                "\u{1}",
                "ValueError",
                "Unknown format code '\\x1' for object of type 'int'",
            ),
            (
                int(5),
                "\u{7f}",
                "ValueError",
                "Unknown format code '\u{7f}' for object of type 'int'",
            ),
            (
                int(5),
                "é",
                "ValueError",
                "Unknown format code '\\xe9' for object of type 'int'",
            ),
            (
                int(5),
                ", ",
                "ValueError",
                "Cannot specify ',' with '\\x20'.",
            ),
            (
                int(5),
                "99999999999999999999",
                "ValueError",
                "Too many decimal digits in format string",
            ),
            (
                float(1.5),
                "d",
                "ValueError",
                "Unknown format code 'd' for object of type 'float'",
            ),
            (
                float(1.5),
                "x",
                "ValueError",
                "Unknown format code 'x' for object of type 'float'",
            ),
            (
                float(1.5),
                ",b",
                "ValueError",
                "Cannot specify ',' with 'b'.",
            ),
            (float(1.5), ".2147483648", "ValueError", "precision too big"),
            (
                Value::Nil,
                "s",
                "TypeError",
                "unsupported format string passed to nil.__format__",
            ),
            (
                list(vec![int(1)]),
                "5",
                "TypeError",
                "unsupported format string passed to list.__format__",
            ),
            (
                map(&[("a", int(1))]),
                ">3",
                "TypeError",
                "unsupported format string passed to map.__format__",
            ),
        ]);
    }
}
