//! Python's string formatting for Thr values: `fmt % args` (printf style) and
//! `str.format` (`{}` fields with format specs).
//!
//! Output and error messages follow CPython 3.11 byte for byte, with Thr's
//! names where Python would name a type (`nil`, `map`, `list`) and Thr's text
//! forms (`true`, `nil`) for `%s`, `%r` and `{}`.

use std::fmt::Write as _;
use std::iter::repeat_n;
use std::ops::RangeInclusive;

use crate::value::{float_repr, Value};

mod brace;
mod percent;
#[cfg(test)]
mod tests;

pub use brace::brace_format;
pub use percent::{percent_format, percent_string, PercentPlan, PercentRhs};

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

pub(super) fn error(kind: &'static str, message: impl Into<String>) -> FormatError {
    FormatError {
        kind,
        message: message.into(),
    }
}

pub(super) fn type_error(message: impl Into<String>) -> FormatError {
    error("TypeError", message)
}

pub(super) fn value_error(message: impl Into<String>) -> FormatError {
    error("ValueError", message)
}

/// Python's `KeyError` prints the missing key's repr.
pub(super) fn key_error(key: &Value) -> FormatError {
    error("KeyError", key.repr())
}

/// Widths and precisions above this fail as Python's do when memory runs
/// out, rather than abort the whole process on a failed allocation.
const MAX_FIELD_SIZE: usize = 1 << 28;

/// Checks a width or precision against [`MAX_FIELD_SIZE`].
pub(super) fn field_size(n: usize) -> Result<usize, FormatError> {
    if n > MAX_FIELD_SIZE {
        return Err(error(
            "MemoryError",
            format!("a field of {n} characters is past the limit of {MAX_FIELD_SIZE}"),
        ));
    }
    Ok(n)
}

/// Checks a result of `len` bytes against the string limit, as
/// `crate::value::Sizes` words it.
pub(super) fn within(len: usize, limit: usize) -> Result<(), FormatError> {
    if len <= limit {
        return Ok(());
    }
    Err(error(
        "MemoryError",
        format!("a string of {len} bytes is past the limit of {limit} (max_string_size)"),
    ))
}

/// A character as CPython quotes it in an error message: itself when its
/// code is in `printable`, else `\x` and the code in hex.
pub(super) fn quoted_char(c: char, printable: RangeInclusive<u32>) -> String {
    if printable.contains(&(c as u32)) {
        c.to_string()
    } else {
        format!("\\x{:x}", c as u32)
    }
}

/// `ascii(x)`: the repr with every non-ASCII character escaped.
pub(super) fn ascii(repr: &str) -> String {
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

/// A read position in a format string, as a byte offset into it. CPython
/// reports positions in characters; the few errors that name one count them.
pub(super) struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(text: &'a str) -> Cursor<'a> {
        Cursor { text, pos: 0 }
    }

    /// The text not read yet.
    pub(super) fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    /// The next byte: enough to test for an ASCII character, without
    /// decoding one.
    pub(super) fn peek_byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    pub(super) fn peek_at(&self, ahead: usize) -> Option<char> {
        self.rest().chars().nth(ahead)
    }

    pub(super) fn bump(&mut self) -> Option<char> {
        let c = self.peek_at(0)?;
        self.pos += c.len_utf8();
        Some(c)
    }

    pub(super) fn eat(&mut self, c: char) -> bool {
        let found = self.rest().starts_with(c);
        if found {
            self.pos += c.len_utf8();
        }
        found
    }

    /// How many characters are left.
    pub(super) fn remaining(&self) -> usize {
        self.rest().chars().count()
    }

    /// Reads a run of decimal digits: `None` if there is none, an error
    /// saying `too_big` if the number exceeds `max`.
    pub(super) fn number(
        &mut self,
        max: usize,
        too_big: &str,
    ) -> Result<Option<usize>, FormatError> {
        let mut value = None;
        while let Some(digit @ b'0'..=b'9') = self.peek_byte() {
            self.pos += 1;
            let next = value
                .unwrap_or(0usize)
                .checked_mul(10)
                .and_then(|v| v.checked_add(usize::from(digit - b'0')))
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
pub(super) fn fixed(x: f64, precision: usize) -> String {
    let mut text = String::new();
    write_fixed(&mut text, x, precision);
    text
}

/// Appends [`fixed`]`(x, precision)` to `out`.
fn write_fixed(out: &mut String, x: f64, precision: usize) {
    let Some(scaled) = scaled_to_int(x, precision) else {
        let _ = write!(out, "{:.*}", precision.min(MAX_FRACTION_DIGITS), x);
        out.extend(repeat_n('0', precision.saturating_sub(MAX_FRACTION_DIGITS)));
        return;
    };
    // The digits of x·10^precision, with the point put back.
    let digits = int_digits(scaled, 'd');
    let digits = digits.as_str();
    if precision == 0 {
        out.push_str(digits);
    } else if digits.len() <= precision {
        out.push_str("0.");
        out.extend(repeat_n('0', precision - digits.len()));
        out.push_str(digits);
    } else {
        let (whole, fraction) = digits.split_at(digits.len() - precision);
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    }
}

/// `x·10^precision` rounded half to even, in integer arithmetic, for the
/// common moderate cases (`%.2f` of a number below 2^64 / 100); `None` when
/// it does not fit, and Rust's slower exact formatter is used. `x` is
/// `m·2^e` exactly, so the result is `m·10^precision` shifted by `e`, the
/// bits shifted out deciding the rounding; `m·10^19` fits in 117 bits.
fn scaled_to_int(x: f64, precision: usize) -> Option<u64> {
    if precision > 19 || x.is_sign_negative() {
        return None;
    }
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (m, e) = match biased {
        0 => (fraction, -1074),
        _ => (fraction | 1 << 52, biased - 1075),
    };
    let scaled = u128::from(m) * 10u128.pow(precision as u32);
    let rounded = if e >= 0 {
        // At most 2^117 · 2^10 < 2^128.
        (e <= 10).then(|| scaled << e)?
    } else {
        let shift = e.unsigned_abs();
        if shift >= 128 {
            return None;
        }
        let (q, r) = (scaled >> shift, scaled & ((1 << shift) - 1));
        let half = 1 << (shift - 1);
        q + u128::from(r > half || (r == half && q % 2 == 1))
    };
    u64::try_from(rounded).ok()
}

/// `x` (finite, not negative) rounded to `precision + 1` significant digits:
/// the mantissa `d.ddd` and the decimal exponent.
pub(super) fn scientific(x: f64, precision: usize) -> (String, i32) {
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
pub(super) fn with_exponent(mantissa: &str, exponent: i32) -> String {
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}

/// The `#` flag: the mantissa keeps a decimal point even with no digits after it.
pub(super) fn force_point(text: String) -> String {
    if text.contains('.') {
        return text;
    }
    match text.find('e') {
        Some(at) => format!("{}.{}", &text[..at], &text[at..]),
        None => text + ".",
    }
}

/// `%g` without `#`: drops trailing zeros after the point, then a bare point.
pub(super) fn strip_zeros(text: &str) -> String {
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
pub(super) fn general(x: f64, precision: usize, alt: bool, dot_zero: bool) -> String {
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
pub(super) enum FloatStyle {
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
pub(super) fn float_digits(
    x: f64,
    style: FloatStyle,
    precision: Option<usize>,
    alt: bool,
) -> String {
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

/// Appends [`float_digits`] to `out`. The common `%.2f` writes straight into
/// `out`; the other forms build their text first.
pub(super) fn write_float_digits(
    out: &mut String,
    x: f64,
    style: FloatStyle,
    precision: Option<usize>,
    alt: bool,
) {
    match style {
        FloatStyle::Fixed if x.is_finite() && !alt => write_fixed(out, x, precision.unwrap_or(6)),
        _ => out.push_str(&float_digits(x, style, precision, alt)),
    }
}

/// Whether a float shows its minus sign: nan never does, in Python.
pub(super) fn is_negative(x: f64) -> bool {
    x.is_sign_negative() && !x.is_nan()
}

/// The digits of a magnitude in the base a conversion letter names.
pub(super) fn int_digits(n: u64, conversion: char) -> Digits {
    let mut digits = Digits {
        buf: [0; 64],
        start: 64,
    };
    match conversion {
        'x' => digits.fill::<16>(n, b"0123456789abcdef"),
        'X' => digits.fill::<16>(n, b"0123456789ABCDEF"),
        'o' => digits.fill::<8>(n, b"01234567"),
        'b' => digits.fill::<2>(n, b"01"),
        _ => digits.fill::<10>(n, b"0123456789"),
    }
    digits
}

/// `n` in decimal, with its minus sign.
pub fn decimal(n: i64) -> Digits {
    let mut digits = int_digits(n.unsigned_abs(), 'd');
    if n < 0 {
        digits.start -= 1;
        digits.buf[digits.start] = b'-';
    }
    digits
}

/// An integer's digits, built on the stack (no allocation per number):
/// a u64 has at most 64 digits, in binary, and a decimal one 20 and a sign.
pub struct Digits {
    buf: [u8; 64],
    /// Where the digits start; they end at the end of `buf`.
    start: usize,
}

impl Digits {
    /// Writes `n` in base `BASE` (a constant, so the divisions compile to
    /// multiplications) with the digit characters `symbols`, which are ASCII.
    fn fill<const BASE: u64>(&mut self, mut n: u64, symbols: &'static [u8]) {
        debug_assert!(symbols.is_ascii());
        loop {
            self.start -= 1;
            self.buf[self.start] = symbols[(n % BASE) as usize];
            n /= BASE;
            if n == 0 {
                break;
            }
        }
    }

    /// The digits as text.
    pub fn as_str(&self) -> &str {
        let digits = &self.buf[self.start..];
        debug_assert!(digits.is_ascii());
        // SAFETY: `buf` past `start` holds only what `fill` wrote (ASCII
        // digit characters of `int_digits`' tables) and `-`. Validating it
        // cost 2% of a formatting loop.
        unsafe { std::str::from_utf8_unchecked(digits) }
    }
}

/// What `#` puts before the digits of each base.
pub(super) fn base_prefix(conversion: char) -> &'static str {
    match conversion {
        'x' => "0x",
        'X' => "0X",
        'o' => "0o",
        'b' => "0b",
        _ => "",
    }
}

/// The sign a number shows: `-` when negative, else what the flag asks for.
pub(super) fn sign_text(negative: bool, flag: Option<char>) -> &'static str {
    match (negative, flag) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    }
}

/// `%c` and `{:c}`: the character with that code.
pub(super) fn char_of_code(code: i64) -> Result<char, FormatError> {
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
pub(super) fn pad(lead: &str, body: &str, width: usize, fill: char, align: char) -> String {
    let mut out = String::new();
    pad_into(&mut out, lead, body, width, fill, align);
    out
}

/// Appends [`pad`]`(lead, body, width, fill, align)` to `out`.
pub(super) fn pad_into(
    out: &mut String,
    lead: &str,
    body: &str,
    width: usize,
    fill: char,
    align: char,
) {
    // Most fields have no width: then there is nothing to count or fill.
    let gap = match width {
        0 => 0,
        _ => width.saturating_sub(lead.chars().count() + body.chars().count()),
    };
    if gap == 0 {
        out.push_str(lead);
        out.push_str(body);
        return;
    }
    let (before, between, after) = match align {
        '<' => (0, 0, gap),
        '^' => (gap / 2, 0, gap - gap / 2),
        '=' => (0, gap, 0),
        _ => (gap, 0, 0),
    };
    out.reserve(lead.len() + body.len() + gap * fill.len_utf8());
    out.extend(repeat_n(fill, before));
    out.push_str(lead);
    out.extend(repeat_n(fill, between));
    out.push_str(body);
    out.extend(repeat_n(fill, after));
}

/// `%.3s`: at most `precision` characters.
pub(super) fn truncate(text: &str, precision: Option<usize>) -> &str {
    match precision.and_then(|p| text.char_indices().nth(p)) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}
