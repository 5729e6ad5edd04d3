//! `math`: Python's `math` module, the part scripts use, as one namespace
//! object: `math.sqrt(x)`, `math.pi`. Results and errors follow CPython's:
//! the same C library functions, and its rules for when a result is a
//! `ValueError` ("math domain error") or an `OverflowError` ("math range
//! error").

use std::sync::{Arc, LazyLock};

use crate::interp::{throw, Args, Interp, Outcome, Unwind};
use crate::value::{Object, Value};

use super::core::float_to_int;
use super::{float_arg, Table};

pub fn register(t: &mut Table) {
    t.push(("math".into(), Value::object(Arc::new(Math))));
}

/// What an infinite result from a finite argument means: a result too large
/// for a float (`exp(1000)`), or a pole of the function (`log(0)`).
#[derive(Clone, Copy)]
enum Infinite {
    Overflow,
    Pole,
}

/// How a function of the family computes its result.
#[derive(Clone, Copy)]
enum Func {
    /// A float function of one number, checked as CPython's `math_1`.
    Real(fn(f64) -> f64, Infinite),
    /// Rounds to an int (`floor`, `ceil`, `trunc`); an int stays itself.
    Whole(fn(f64) -> f64),
    /// A property of a number (`isnan`).
    Test(fn(f64) -> bool),
    Log,
    Atan2,
    Hypot,
}

/// The functions, by name, in the guide's order.
const FUNCTIONS: &[(&str, Func)] = &[
    ("sqrt", Func::Real(f64::sqrt, Infinite::Pole)),
    ("exp", Func::Real(f64::exp, Infinite::Overflow)),
    ("log", Func::Log),
    ("log2", Func::Real(f64::log2, Infinite::Pole)),
    ("log10", Func::Real(f64::log10, Infinite::Pole)),
    ("floor", Func::Whole(f64::floor)),
    ("ceil", Func::Whole(f64::ceil)),
    ("trunc", Func::Whole(f64::trunc)),
    ("fabs", Func::Real(f64::abs, Infinite::Pole)),
    ("sin", Func::Real(f64::sin, Infinite::Pole)),
    ("cos", Func::Real(f64::cos, Infinite::Pole)),
    ("tan", Func::Real(f64::tan, Infinite::Pole)),
    ("asin", Func::Real(f64::asin, Infinite::Pole)),
    ("acos", Func::Real(f64::acos, Infinite::Pole)),
    ("atan", Func::Real(f64::atan, Infinite::Pole)),
    ("atan2", Func::Atan2),
    ("hypot", Func::Hypot),
    ("isnan", Func::Test(f64::is_nan)),
    ("isinf", Func::Test(f64::is_infinite)),
    ("isfinite", Func::Test(f64::is_finite)),
];

/// The constants, read as fields.
const CONSTANTS: &[(&str, f64)] = &[
    ("pi", std::f64::consts::PI),
    ("e", std::f64::consts::E),
    ("tau", std::f64::consts::TAU),
    ("inf", f64::INFINITY),
    ("nan", f64::NAN),
];

static NAMES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| FUNCTIONS.iter().map(|&(name, _)| name).collect());

struct Math;

impl Object for Math {
    fn type_name(&self) -> &'static str {
        "math"
    }

    fn repr(&self) -> String {
        "<math>".into()
    }

    fn field(&self, _: &mut Interp, name: &str) -> Option<Outcome> {
        let &(_, c) = CONSTANTS.iter().find(|&&(n, _)| n == name)?;
        Some(Ok(Value::float(c)))
    }

    fn set_field(&self, _: &mut Interp, name: &str, _: Value) -> Option<Outcome> {
        Some(throw(
            "AttributeError",
            format!("cannot set math.{name}: math is read-only"),
        ))
    }

    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        let Some(&(name, func)) = FUNCTIONS.iter().find(|&&(n, _)| n == name) else {
            // `math.pi()` calls the float, and fails as calling one does.
            let constant = self.field(interp, name)?;
            return Some(constant.and_then(|c| interp.call_value(&c, a)));
        };
        Some(call(name, func, a))
    }

    fn methods(&self) -> &'static [&'static str] {
        &NAMES
    }
}

/// A function of the family that takes one float (`sqrt`, `sin`...), for
/// a call site that computes `math.NAME(x)` itself.
#[derive(Clone, Copy)]
pub struct RealFn {
    f: fn(f64) -> f64,
    infinite: Infinite,
}

impl RealFn {
    /// `math.NAME`, if it is such a function.
    pub fn of(name: &str) -> Option<RealFn> {
        match FUNCTIONS.iter().find(|&&(n, _)| n == name)? {
            &(_, Func::Real(f, infinite)) => Some(RealFn { f, infinite }),
            _ => None,
        }
    }

    /// `math.NAME(x)`, as [`Math::call_method`] computes it for a number.
    #[inline]
    pub fn call(self, x: f64) -> Outcome {
        checked(self.f, self.infinite, x).map(Value::float)
    }
}

/// Whether `v` is the math namespace (a host may give its name to
/// something else).
pub fn is_math(v: &Value) -> bool {
    match v {
        Value::Object(o) => {
            let any: &dyn std::any::Any = &***o;
            any.is::<Math>()
        }
        _ => false,
    }
}

fn call(name: &str, func: Func, a: Args) -> Outcome {
    match func {
        Func::Real(f, infinite) => checked(f, infinite, one(name, a)?.1).map(Value::float),
        Func::Whole(f) => {
            let (v, x) = one(name, a)?;
            v.as_int()
                .map_or_else(|| float_to_int(f(x)), |i| Ok(Value::Int(i)))
        }
        Func::Test(f) => Ok(Value::bool(f(one(name, a)?.1))),
        Func::Log => {
            let args = positional(name, a, 1, 2)?.pos;
            log(real(&args[0], name, "x")?, args.get(1))
        }
        Func::Atan2 => {
            let args = positional(name, a, 2, 2)?.pos;
            let y = real(&args[0], name, "y")?;
            Ok(Value::float(y.atan2(real(&args[1], name, "x")?)))
        }
        Func::Hypot => hypot(a),
    }
}

/// The one argument of `math.NAME(x)`, and its value as a float.
fn one(name: &str, a: Args) -> Result<(Value, f64), Unwind> {
    let x = positional(name, a, 1, 1)?.pos.remove(0);
    let f = real(&x, name, "x")?;
    Ok((x, f))
}

/// The arguments of `math.NAME`, positional only as in Python. The name
/// with its prefix is only made for an error message.
fn positional(name: &str, a: Args, min: usize, max: usize) -> Result<Args, Unwind> {
    if !a.kw.is_empty() {
        return throw(
            "TypeError",
            format!("math.{name}() takes no keyword arguments"),
        );
    }
    if (min..=max).contains(&a.pos.len()) {
        return Ok(a);
    }
    a.positional(&format!("math.{name}"), min, max)
        .map(Args::new)
}

/// A number argument as a float, or a `TypeError`.
fn real(v: &Value, name: &str, param: &str) -> Result<f64, Unwind> {
    match v.as_f64() {
        Some(x) => Ok(x),
        None => float_arg(v, &format!("math.{name}"), param),
    }
}

/// `f(x)`, with CPython's checks: a NaN from a number is outside the
/// function's domain, an infinity from a finite number is an overflow or a
/// pole.
fn checked(f: fn(f64) -> f64, infinite: Infinite, x: f64) -> Result<f64, Unwind> {
    let r = f(x);
    if r.is_nan() && !x.is_nan() {
        return domain_error();
    }
    if r.is_infinite() && x.is_finite() {
        return match infinite {
            Infinite::Overflow => throw("OverflowError", "math range error"),
            Infinite::Pole => domain_error(),
        };
    }
    Ok(r)
}

fn domain_error<T>() -> Result<T, Unwind> {
    throw("ValueError", "math domain error")
}

/// `log(x)`, or `log(x, base)` as Python computes it: `log(x) / log(base)`.
fn log(x: f64, base: Option<&Value>) -> Outcome {
    let num = checked(f64::ln, Infinite::Pole, x)?;
    let Some(base) = base else {
        return Ok(Value::float(num));
    };
    let den = checked(f64::ln, Infinite::Pole, real(base, "log", "base")?)?;
    if den == 0.0 {
        return throw("ZeroDivisionError", "float division by zero");
    }
    Ok(Value::float(num / den))
}

/// `hypot(*coordinates)`: the Euclidean norm of any number of coordinates.
fn hypot(a: Args) -> Outcome {
    let mut coords = positional("hypot", a, 0, usize::MAX)?
        .pos
        .iter()
        .map(|v| real(v, "hypot", "coordinates").map(f64::abs))
        .collect::<Result<Vec<f64>, Unwind>>()?;
    let max = coords.iter().copied().fold(0.0, f64::max);
    let nan = coords.iter().any(|c| c.is_nan());
    Ok(Value::float(vector_norm(&mut coords, max, nan)))
}

/// CPython's `vector_norm`: the norm of non-negative `v` whose largest item
/// is `max`, correctly rounded in nearly every case. It is copied rather
/// than replaced by the C library's `hypot`, which differs from Python's
/// result in the last bit for about one pair in a thousand. The squares are
/// summed exactly around 1.0 in scaled form, then one Newton step corrects
/// the square root.
fn vector_norm(v: &mut [f64], max: f64, found_nan: bool) -> f64 {
    if max.is_infinite() {
        return max;
    }
    if found_nan {
        return f64::NAN;
    }
    if max == 0.0 || v.len() <= 1 {
        return max;
    }
    let max_e = frexp_exponent(max);
    if max_e < -1023 {
        // 2 ** -max_e would overflow: bring subnormals up first.
        v.iter_mut().for_each(|x| *x /= f64::MIN_POSITIVE);
        return f64::MIN_POSITIVE * vector_norm(v, max / f64::MIN_POSITIVE, false);
    }
    let scale = pow2(-max_e);
    let mut sum = Squares::default();
    for &x in v.iter() {
        let x = x * scale;
        sum.add(exact_product(x, x));
    }
    let h = sum.value().sqrt();
    sum.add(exact_product(-h, h));
    (h + sum.value() / (2.0 * h)) / scale
}

/// A sum of squares of scaled numbers (each below 1), kept as 1.0 plus
/// the sum in `csum` with the rounding errors of the squares and of the
/// additions beside it: adding to a number near 1.0 loses nothing that
/// `frac2` does not keep.
struct Squares {
    csum: f64,
    frac1: f64,
    frac2: f64,
}

impl Default for Squares {
    fn default() -> Squares {
        Squares {
            csum: 1.0,
            frac1: 0.0,
            frac2: 0.0,
        }
    }
}

impl Squares {
    fn add(&mut self, (square, error): (f64, f64)) {
        let (sum, lost) = fast_sum(self.csum, square);
        self.csum = sum;
        self.frac1 += error;
        self.frac2 += lost;
    }

    fn value(&self) -> f64 {
        self.csum - 1.0 + (self.frac1 + self.frac2)
    }
}

/// The exponent `frexp` gives: `x == m * 2**e` with `0.5 <= m < 1`.
fn frexp_exponent(x: f64) -> i32 {
    let biased = ((x.to_bits() >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // Subnormal: scale into the normal range first.
        return frexp_exponent(x * pow2(64)) - 64;
    }
    biased - 1022
}

/// `2 ** n` exactly, for `n` from -1074 to 1023 (C's `ldexp(1.0, n)`).
fn pow2(n: i32) -> f64 {
    if n >= -1022 {
        f64::from_bits(((n + 1023) as u64) << 52)
    } else {
        f64::from_bits(1 << (n + 1074))
    }
}

/// `a + b` and its rounding error, for `|a| >= |b|`.
fn fast_sum(a: f64, b: f64) -> (f64, f64) {
    let sum = a + b;
    (sum, (a - sum) + b)
}

/// `x * y` and its rounding error, exactly.
fn exact_product(x: f64, y: f64) -> (f64, f64) {
    let product = x * y;
    (product, x.mul_add(y, -product))
}
