//! The tables were produced by running each case through CPython 3.11;
//! only `nil`/`true`/`false` and type names differ from Python's output.

use super::brace::format_value;
use super::*;
use crate::value::ErrorValue;
use crate::value::Key;
use crate::value::RcStr;

/// `%` with no limit on the result's size. Where the right side is a list
/// and the format has a plan, the plan must give the same answer: every
/// table below checks both paths.
fn percent_format(fmt: &str, args: &Value) -> Result<String, FormatError> {
    let general = super::percent_format(fmt, args, usize::MAX);
    if let (Value::List(l), Some(plan)) = (args, PercentPlan::new(fmt)) {
        let planned = plan.format(&l.snapshot(), usize::MAX);
        assert_eq!(
            planned.map(|s| s.to_string()),
            general,
            "the plan of {fmt:?}"
        );
    }
    general
}

#[test]
fn formats_with_stars_keys_or_errors_have_no_plan() {
    for fmt in ["%*d", "%.*f", "%(k)s", "%y", "abc %", "%5"] {
        assert!(PercentPlan::new(fmt).is_none(), "{fmt:?}");
    }
    for fmt in ["", "plain", "%%", "%s", "%-+#08.3f|%x%%", "é%s"] {
        assert!(PercentPlan::new(fmt).is_some(), "{fmt:?}");
    }
}

#[test]
fn a_format_has_a_plan_exactly_when_its_letter_converts() {
    // Every letter but the length modifiers (h, l, L), which Python skips.
    for letter in ('A'..='z').filter(|c| c.is_ascii_alphabetic() && !"hlL".contains(*c)) {
        let fmt = format!("%{letter}");
        let unsupported = matches!(
            super::percent_format(&fmt, &list(vec![int(65)]), usize::MAX),
            Err(e) if e.message.starts_with("unsupported format character")
        );
        assert_eq!(PercentPlan::new(&fmt).is_none(), unsupported, "{fmt:?}");
    }
}

/// `str.format` with no limit on the result's size.
fn brace_format(fmt: &str, pos: &[Value], kw: &[(RcStr, Value)]) -> Result<String, FormatError> {
    super::brace_format(fmt, pos, kw, usize::MAX)
}

fn int(n: i64) -> Value {
    Value::Int(n)
}

fn float(x: f64) -> Value {
    Value::float(x)
}

fn s(text: &str) -> Value {
    Value::str(text)
}

fn list(items: Vec<Value>) -> Value {
    Value::list(items)
}

fn map(entries: &[(&str, Value)]) -> Value {
    let entries: crate::value::Entries = entries
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
        ("%d", Value::bool(true), "1"),
        ("%x", Value::bool(true), "1"),
        ("%c", Value::bool(true), "\u{1}"),
        ("%f", Value::bool(true), "1.000000"),
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
        ("[%*s]", list(vec![Value::bool(true), s("a")]), "[a]"),
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
    let error_value = Value::Error(crate::value::Rc::new(ErrorValue::new("ValueError", "bad")));
    check_percent(&[
        (
            "%s %r %s",
            list(vec![Value::Nil, Value::bool(true), Value::bool(false)]),
            "nil true false",
        ),
        (
            "%r",
            list(vec![list(vec![Value::Nil, s("a"), float(1.5)])]),
            "[nil, 'a', 1.5]",
        ),
        ("%s", map(&[("k", Value::Nil)]), "{'k': nil}"),
        ("%(k)s", map(&[("k", Value::bool(false))]), "false"),
        ("%s", error_value.clone(), "ValueError: bad"),
        ("%r", error_value, "error('ValueError', 'bad')"),
        (
            "%d|%5.1f",
            list(vec![Value::bool(true), Value::bool(false)]),
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
    assert_eq!(
        percent_format("%*d", &huge),
        err(
            "MemoryError",
            "a field of 1099511627776 characters is past the limit of 268435456"
        )
    );
    assert_eq!(
        percent_format("%.999999999f", &float(1.0)),
        err(
            "MemoryError",
            "a field of 999999999 characters is past the limit of 268435456"
        )
    );
    let precision = list(vec![int(1 << 40), float(1.0)]);
    assert_eq!(
        percent_format("%.*f", &precision),
        err("OverflowError", "Python int too large to convert to C int")
    );
    check_spec_errors(&[(
        int(1),
        "999999999999999999",
        "MemoryError",
        "a field of 999999999999999999 characters is past the limit of 268435456",
    )]);
}

#[test]
fn results_past_the_string_limit_are_memory_errors() {
    let limited = super::percent_format("%5d|%5d", &list(vec![int(1), int(2)]), 8);
    assert_eq!(
        limited,
        err(
            "MemoryError",
            "a string of 11 bytes is past the limit of 8 (max_string_size)"
        )
    );
    let limited = super::brace_format("{:>6}{:>6}", &[int(1), int(2)], &[], 10);
    assert_eq!(
        limited,
        err(
            "MemoryError",
            "a string of 12 bytes is past the limit of 10 (max_string_size)"
        )
    );
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
    let kw: Vec<(RcStr, Value)> = vec![
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
        Value::bool(true),
        list(vec![Value::bool(false)]),
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
            "Replacement index 1 out of range for 1 positional argument",
        ),
        (
            "{1}",
            vec![int(1)],
            "IndexError",
            "Replacement index 1 out of range for 1 positional argument",
        ),
        (
            "{2}",
            vec![int(1), int(2)],
            "IndexError",
            "Replacement index 2 out of range for 2 positional arguments",
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
            "list index 5 out of range for a list of length 2",
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
            "string index 5 out of range for a string of length 2",
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
        (Value::bool(true), "d", "1"),
        (Value::bool(true), ">5", "    1"),
        (Value::bool(true), "f", "1.000000"),
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
            Value::bool(true),
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
