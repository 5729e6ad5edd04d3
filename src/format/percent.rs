//! printf style: `fmt % args`.

use std::iter::repeat_n;

use crate::value::RcStr;

use crate::value::{Map, StrKey, Value};

use super::*;

/// `fmt % args` as Python's printf-style formatting. A `Value::List` on the
/// right supplies the arguments in order (like a Python tuple); anything else
/// is the single argument. `%(key)s` reads a `Value::Map` argument (keys are
/// strings: `Key::str(name)`).
/// The result may be at most `limit` bytes long.
pub fn percent_format(fmt: &str, args: &Value, limit: usize) -> Result<String, FormatError> {
    let mut out = Output::default();
    with_args(args, |args| format_into(&mut out, fmt, args, limit))?;
    Ok(out.text)
}

/// The right side of a script's `%`.
pub enum PercentRhs<'a> {
    Value(&'a Value),
    /// The items of a list literal (`fmt % [a, b]`), which need no list.
    Items(&'a [Value]),
}

/// The largest buffer kept between calls, in bytes.
const SPARE_MAX: usize = 64 << 10;

thread_local! {
    /// Buffers kept between calls of [`percent_string`] on this thread.
    static SPARE: std::cell::RefCell<Output> = std::cell::RefCell::default();
}

/// `fmt % rhs` as a string value, built in buffers this thread reuses: the
/// result's own allocation is the only one.
pub fn percent_string(fmt: &str, rhs: PercentRhs, limit: usize) -> Result<RcStr, FormatError> {
    in_spare_buffers(|out| match rhs {
        PercentRhs::Value(v) => with_args(v, |args| format_into(out, fmt, args, limit)),
        PercentRhs::Items(items) => format_into(out, fmt, PercentArgs::of_items(items), limit),
    })
}

/// The string `build` writes into this thread's spare buffers.
fn in_spare_buffers(
    build: impl FnOnce(&mut Output) -> Result<(), FormatError>,
) -> Result<RcStr, FormatError> {
    // Taken out, not borrowed: a nested call (a repr that formats) then
    // finds empty buffers of its own instead of a held borrow.
    let mut out = SPARE.with_borrow_mut(std::mem::take);
    out.text.clear();
    let done = build(&mut out).map(|()| RcStr::from(out.text.as_str()));
    // A rare huge result is not worth keeping its buffer for.
    if out.text.capacity() <= SPARE_MAX {
        SPARE.with_borrow_mut(|spare| *spare = out);
    }
    done
}

/// A literal format read once, when the code is compiled, so that each
/// `fmt % [args]` only converts its arguments: reading the directives was
/// a third of the formatting's work. A format with `*` or `%(key)`, or
/// with an error, has no plan: the general path reads it, and reports the
/// error where it occurs.
pub struct PercentPlan {
    fmt: RcStr,
    pieces: Vec<Piece>,
}

/// A part of a planned format.
enum Piece {
    /// Text copied as it is (`%%` becomes a one-byte run of its own).
    Text(std::ops::Range<usize>),
    /// A conversion: its spec, its letter, and where the letter is.
    Convert(Directive, char, usize),
}

/// The conversion letters [`convert`] knows.
const CONVERSIONS: &str = "sracdiuxXoeEfFgG";

impl PercentPlan {
    pub fn new(fmt: &str) -> Option<PercentPlan> {
        let mut pieces = Vec::new();
        let mut cursor = Cursor::new(fmt);
        // A `*` asks this for its value, and finds none: no plan.
        let mut no_args = PercentArgs::of_items(&[]);
        while let Some(at) = cursor.rest().bytes().position(|b| b == b'%') {
            pieces.push(Piece::Text(cursor.pos..cursor.pos + at));
            cursor.pos += at + 1;
            // A `%(key)` asks for the map, and finds none: no plan either.
            pieces.push(match read_directive(&mut cursor, &mut no_args).ok()? {
                Read::Percent => Piece::Text(cursor.pos - 1..cursor.pos),
                Read::Convert(_, c, _) if !CONVERSIONS.contains(c) => return None,
                Read::Convert(d, c, before) => Piece::Convert(d, c, before),
            });
        }
        pieces.push(Piece::Text(cursor.pos..fmt.len()));
        pieces.retain(|p| !matches!(p, Piece::Text(run) if run.is_empty()));
        Some(PercentPlan {
            fmt: fmt.into(),
            pieces,
        })
    }

    /// The format applied to `items`, at most `limit` bytes long.
    pub fn format(&self, items: &[Value], limit: usize) -> Result<RcStr, FormatError> {
        in_spare_buffers(|out| self.format_into(out, PercentArgs::of_items(items), limit))
    }

    /// What [`format_into`] does, with the directives already read.
    fn format_into(
        &self,
        out: &mut Output,
        mut args: PercentArgs,
        limit: usize,
    ) -> Result<(), FormatError> {
        let fmt = self.fmt.as_str();
        out.text.reserve(fmt.len() + 32);
        for piece in &self.pieces {
            match piece {
                Piece::Text(run) => out.text.push_str(&fmt[run.clone()]),
                Piece::Convert(d, conversion, before) => {
                    let arg = args.next()?;
                    convert(*conversion, d, arg, &fmt[..*before], out)?;
                    within(out.text.len(), limit)?;
                }
            }
        }
        within(out.text.len(), limit)?;
        args.finish()
    }
}

fn format_into(
    out: &mut Output,
    fmt: &str,
    mut args: PercentArgs,
    limit: usize,
) -> Result<(), FormatError> {
    let mut cursor = Cursor::new(fmt);
    out.text.reserve(fmt.len() + 32);
    // The literal runs between directives are short: a plain byte scan
    // beats the setup of a memchr search.
    while let Some(at) = cursor.rest().bytes().position(|b| b == b'%') {
        out.text.push_str(&cursor.rest()[..at]);
        cursor.pos += at + 1;
        directive(&mut cursor, &mut args, out)?;
        within(out.text.len(), limit)?;
    }
    out.text.push_str(cursor.rest());
    within(out.text.len(), limit)?;
    args.finish()
}

/// The text being built, and a buffer reused for each directive's body
/// (a repr, a number's sign and digits) before it is padded into `text`.
#[derive(Default)]
struct Output {
    text: String,
    scratch: String,
}

/// Where directives take their arguments, as CPython does it: the items of
/// a list, or the single value. A `%(key)` directive replaces them with the
/// value under that key, so a later plain `%s` finds nothing left.
struct PercentArgs<'a> {
    items: Items<'a>,
    next: usize,
    /// The right side when it is a map: then `%(key)` works, and unused
    /// arguments are not an error.
    map: Option<&'a Map>,
}

/// The values directives read.
enum Items<'a> {
    /// A copy of a list's items, taken so no lock is held while they print.
    Snapshot(Vec<Value>),
    /// Values read in place: a list literal's items, or a list's under its
    /// lock.
    Borrowed(&'a [Value]),
    One(Value),
}

impl std::ops::Deref for Items<'_> {
    type Target = [Value];

    fn deref(&self) -> &[Value] {
        match self {
            Items::Snapshot(items) => items,
            Items::Borrowed(items) => items,
            Items::One(item) => std::slice::from_ref(item),
        }
    }
}

/// Runs `f` on the arguments `args` supplies. A list's items are read in
/// place under its lock when they are all plain values (the common
/// `"%d %s" % [n, s]`), whose text needs no other lock; else from a copy.
fn with_args<R>(args: &Value, f: impl FnOnce(PercentArgs) -> R) -> R {
    let (items, map) = match args {
        Value::List(list) => {
            let mut f = Some(f);
            let plain = list.read(|items| {
                items
                    .iter()
                    .all(is_plain)
                    .then(|| f.take().map(|f| f(PercentArgs::of_items(items))))
            });
            if let Some(Some(done)) = plain {
                return done;
            }
            let f = f.expect("f runs only when the items are plain");
            return f(PercentArgs {
                items: Items::Snapshot(list.snapshot()),
                next: 0,
                map: None,
            });
        }
        Value::Map(map) => (Items::One(args.clone()), Some(map)),
        single => (Items::One(single.clone()), None),
    };
    f(PercentArgs {
        items,
        next: 0,
        map,
    })
}

fn is_plain(v: &Value) -> bool {
    matches!(
        v,
        Value::Nil | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Str(_)
    )
}

impl<'a> PercentArgs<'a> {
    fn of_items(items: &'a [Value]) -> PercentArgs<'a> {
        PercentArgs {
            items: Items::Borrowed(items),
            next: 0,
            map: None,
        }
    }

    fn next(&mut self) -> Result<&Value, FormatError> {
        let at = self.next;
        if at >= self.items.len() {
            return Err(type_error("not enough arguments for format string"));
        }
        self.next += 1;
        Ok(&self.items[at])
    }

    /// `*` for a width or precision: the next argument, which must be an int.
    fn next_int(&mut self) -> Result<i64, FormatError> {
        self.next()?
            .as_int()
            .ok_or_else(|| type_error("* wants int"))
    }

    /// The map argument, which `%(key)` needs.
    fn mapping(&self) -> Result<&'a Map, FormatError> {
        self.map
            .ok_or_else(|| type_error("format requires a mapping"))
    }

    /// Switches to the value under `key` of the map argument.
    fn select(&mut self, key: &str) -> Result<(), FormatError> {
        let value = self.mapping()?.read(|m| m.get(&StrKey(key)).cloned());
        self.items = Items::One(value.ok_or_else(|| key_error(&Value::str(key)))?);
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

/// Formats one directive into `out`; `cursor` is just past its `%`.
fn directive(
    cursor: &mut Cursor,
    args: &mut PercentArgs,
    out: &mut Output,
) -> Result<(), FormatError> {
    match read_directive(cursor, args)? {
        Read::Percent => out.text.push('%'),
        Read::Convert(d, conversion, before) => {
            // CPython takes the argument before it looks at the conversion.
            let arg = args.next()?;
            convert(conversion, &d, arg, &cursor.text[..before], out)?;
        }
    }
    Ok(())
}

/// One directive as read.
enum Read {
    /// `%%`.
    Percent,
    /// A conversion: its spec, its letter, and where the letter is.
    Convert(Directive, char, usize),
}

/// Reads the directive `cursor` is just past the `%` of. A `*` takes its
/// value from `args`, and a `%(key)` switches `args` to the value under
/// that key.
fn read_directive(cursor: &mut Cursor, args: &mut PercentArgs) -> Result<Read, FormatError> {
    if cursor.eat('%') {
        return Ok(Read::Percent);
    }
    if cursor.eat('(') {
        // CPython wants the map before it reads the key.
        args.mapping()?;
        let key = mapping_key(cursor)?;
        args.select(key)?;
    }
    let d = directive_spec(cursor, args)?;
    let before = cursor.pos;
    let conversion = cursor
        .bump()
        .ok_or_else(|| value_error("incomplete format"))?;
    Ok(Read::Convert(d, conversion, before))
}

/// The key of `%(key)`, which may itself hold balanced parentheses.
fn mapping_key<'a>(cursor: &mut Cursor<'a>) -> Result<&'a str, FormatError> {
    let start = cursor.pos;
    let mut depth = 1;
    while let Some(c) = cursor.bump() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return Ok(&cursor.text[start..cursor.pos - 1]);
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
        match cursor.peek_byte() {
            Some(b'-') => d.left = true,
            Some(b'+') => plus = true,
            Some(b' ') => space = true,
            Some(b'#') => d.alt = true,
            Some(b'0') => d.zero = true,
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
    if matches!(cursor.peek_byte(), Some(b'h' | b'l' | b'L')) {
        cursor.pos += 1;
    }
    Ok(d)
}

/// Formats one conversion into `out`. `before` is the format text before
/// its letter, whose length in characters an error reports.
fn convert(
    conversion: char,
    d: &Directive,
    arg: &Value,
    before: &str,
    out: &mut Output,
) -> Result<(), FormatError> {
    match conversion {
        's' => {
            let shown: &str = match arg {
                Value::Str(s) => s,
                _ => {
                    out.scratch.clear();
                    arg.append_str(&mut out.scratch);
                    &out.scratch
                }
            };
            pad_text(&mut out.text, truncate(shown, d.precision), d);
        }
        'r' => {
            out.scratch.clear();
            arg.append_repr(&mut out.scratch);
            pad_text(&mut out.text, truncate(&out.scratch, d.precision), d);
        }
        'a' => pad_text(&mut out.text, truncate(&ascii(&arg.repr()), d.precision), d),
        'c' => pad_text(
            &mut out.text,
            percent_char(arg)?.encode_utf8(&mut [0; 4]),
            d,
        ),
        'd' | 'i' | 'u' => match arg {
            Value::Float(x) => {
                let (negative, digits) = truncated_float(x.get())?;
                pad_int(out, negative, "", &digits, d);
            }
            _ => {
                let n = int_operand(arg, conversion, "a real number")?;
                pad_int(
                    out,
                    n < 0,
                    "",
                    int_digits(n.unsigned_abs(), 'd').as_str(),
                    d,
                );
            }
        },
        'x' | 'X' | 'o' => {
            let n = int_operand(arg, conversion, "an integer")?;
            let prefix = if d.alt { base_prefix(conversion) } else { "" };
            pad_int(
                out,
                n < 0,
                prefix,
                int_digits(n.unsigned_abs(), conversion).as_str(),
                d,
            );
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => match arg.as_f64() {
            Some(x) => percent_float(out, x, conversion, d),
            None => {
                return Err(type_error(format!(
                    "must be real number, not {}",
                    arg.type_name()
                )))
            }
        },
        _ => {
            let shown = if (31..=126).contains(&(conversion as u32)) {
                conversion
            } else {
                '?'
            };
            return Err(value_error(format!(
                "unsupported format character '{shown}' ({:#x}) at index {}",
                conversion as u32,
                before.chars().count()
            )));
        }
    }
    Ok(())
}

/// Pads a `%s`-like text with spaces; the `0` flag does not apply to text.
fn pad_text(out: &mut String, text: &str, d: &Directive) {
    pad_into(out, "", text, d.width, ' ', if d.left { '<' } else { '>' });
}

/// Pads a number made in `out.scratch`, whose first `lead_len` bytes are its
/// sign and prefix: `-` pads on the right, `0` with zeros after the sign and
/// prefix, otherwise spaces on the left.
fn pad_number(out: &mut Output, lead_len: usize, d: &Directive) {
    let (lead, body) = out.scratch.split_at(lead_len);
    let (fill, align) = if d.left {
        (' ', '<')
    } else if d.zero {
        ('0', '=')
    } else {
        (' ', '>')
    };
    pad_into(&mut out.text, lead, body, d.width, fill, align);
}

/// An integer conversion: the precision is a minimum count of digits.
fn pad_int(out: &mut Output, negative: bool, prefix: &str, digits: &str, d: &Directive) {
    out.scratch.clear();
    out.scratch.push_str(sign_text(negative, d.sign));
    out.scratch.push_str(prefix);
    let lead_len = out.scratch.len();
    let zeros = d.precision.unwrap_or(0).saturating_sub(digits.len());
    out.scratch.extend(repeat_n('0', zeros));
    out.scratch.push_str(digits);
    pad_number(out, lead_len, d);
}

/// An int argument (bools count) for `%d`-like conversion letters, or the
/// `TypeError` saying it must be `wanted`.
fn int_operand(arg: &Value, conversion: char, wanted: &str) -> Result<i64, FormatError> {
    arg.as_int().ok_or_else(|| {
        type_error(format!(
            "%{conversion} format: {wanted} is required, not {}",
            arg.type_name()
        ))
    })
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

/// `%d` of a float: whether it is negative, and the digits of its value
/// truncated toward zero, printed exactly however large, as Python's int
/// would be.
fn truncated_float(x: f64) -> Result<(bool, String), FormatError> {
    if x.is_nan() {
        return Err(value_error("cannot convert float NaN to integer"));
    }
    if x.is_infinite() {
        return Err(error(
            "OverflowError",
            "cannot convert float infinity to integer",
        ));
    }
    let whole = x.trunc();
    Ok((whole < 0.0, format!("{:.0}", whole.abs())))
}

/// `%e %f %g` and their upper-case forms.
fn percent_float(out: &mut Output, x: f64, conversion: char, d: &Directive) {
    let style = match conversion.to_ascii_lowercase() {
        'e' => FloatStyle::Exponent,
        'f' => FloatStyle::Fixed,
        _ => FloatStyle::General,
    };
    out.scratch.clear();
    out.scratch.push_str(sign_text(is_negative(x), d.sign));
    let lead_len = out.scratch.len();
    write_float_digits(&mut out.scratch, x.abs(), style, d.precision, d.alt);
    if conversion.is_ascii_uppercase() {
        out.scratch[lead_len..].make_ascii_uppercase();
    }
    pad_number(out, lead_len, d);
}
