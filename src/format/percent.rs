//! printf style: `fmt % args`.

use std::iter::repeat_n;

use crate::value::{Key, Map, Value};

use super::*;

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
