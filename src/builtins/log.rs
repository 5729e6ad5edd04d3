//! `log`: Python's logging, reduced to what threaded scripts use. Each line
//! is formatted with `%`-style fields and written as one atomic write.

use std::sync::Arc;

use crate::format::percent_format;
use crate::interp::{error, throw, Args, Interp, Outcome, Unwind};
use crate::runtime::VIRTUAL_EPOCH;
use crate::value::{Key, Object, Value};

use super::Table;

pub fn register(t: &mut Table) {
    t.push(("log".into(), Value::object(Arc::new(Log))));
}

/// The line format and the lowest level written.
pub struct LogConfig {
    format: String,
    level: i64,
}

impl Default for LogConfig {
    fn default() -> LogConfig {
        LogConfig {
            format: "(%(threadName)-10s) %(message)s".into(),
            level: 10,
        }
    }
}

const LEVELS: &[(&str, i64)] = &[
    ("debug", 10),
    ("info", 20),
    ("warning", 30),
    ("error", 40),
    ("critical", 50),
];

struct Log;

impl Object for Log {
    fn type_name(&self) -> &'static str {
        "log"
    }

    fn repr(&self) -> String {
        "<log>".into()
    }

    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        if name == "config" {
            return Some(config(interp, a));
        }
        let &(_, level) = LEVELS.iter().find(|(n, _)| *n == name)?;
        Some(write(interp, name, level, a).map(|()| Value::Nil))
    }

    fn methods(&self) -> &'static [&'static str] {
        &["debug", "info", "warning", "error", "critical", "config"]
    }
}

fn config(interp: &mut Interp, a: Args) -> Outcome {
    let [format, level] = a.bind("config", ["format", "level"], 0)?;
    let level = match level {
        None => 10,
        Some(Value::Str(s)) => match LEVELS.iter().find(|(n, _)| n.eq_ignore_ascii_case(&s)) {
            Some(&(_, l)) => l,
            None => {
                return throw(
                    "ValueError",
                    format!("unknown log level {}", Value::Str(s).repr()),
                )
            }
        },
        Some(v) => super::int_arg(&v, "config", "level")?,
    };
    let mut cfg = interp.rt.log.lock();
    *cfg = LogConfig {
        format: format.map_or_else(|| LogConfig::default().format, |f| f.to_str()),
        level,
    };
    Ok(Value::Nil)
}

/// Formats one record and writes it, if its level passes.
fn write(interp: &mut Interp, levelname: &str, level: i64, mut a: Args) -> Result<(), Unwind> {
    if !a.kw.is_empty() {
        return throw(
            "TypeError",
            format!("{levelname}() takes no keyword arguments"),
        );
    }
    if a.pos.is_empty() {
        return throw(
            "TypeError",
            format!("{levelname}() missing required argument 'message'"),
        );
    }
    let (format, min_level) = {
        let cfg = interp.rt.log.lock();
        (cfg.format.clone(), cfg.level)
    };
    if level < min_level {
        return Ok(());
    }
    let fmt = a.pos.remove(0);
    let limit = interp.sizes().string;
    let message = match a.pos.len() {
        0 => interp.text_value(&fmt, false)?.to_str(),
        n => {
            // A single argument stands alone: a list is one value, and only
            // a single map supplies `%(key)s` fields, as in Python's logging.
            let args = match (n, &a.pos[0]) {
                (1, Value::List(_)) | (2.., _) => Value::list(a.pos.into_vec()),
                _ => a.pos.remove(0),
            };
            percent_format(&fmt.to_str(), &args, limit).map_err(|e| error(e.kind, e.message))?
        }
    };
    let record = record(interp, levelname, level, message);
    let mut line = percent_format(&format, &record, limit)
        .map_err(|e| error(e.kind, format!("in the log format: {}", e.message)))?;
    line.push('\n');
    interp.rt.print(&line);
    Ok(())
}

/// `2016-07-10 10:45:28,170` for a time split into whole seconds since the
/// epoch and milliseconds: local time, or UTC in a deterministic run so the
/// text is the same on every machine.
fn asctime(secs: i64, millis: i64, utc: bool) -> String {
    let Some(t) = chrono::DateTime::from_timestamp(secs, 0) else {
        return String::new();
    };
    let seconds = if utc {
        t.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        t.with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    format!("{seconds},{millis:03}")
}

/// The time as whole seconds since the epoch and milliseconds. A
/// deterministic run splits its virtual clock before adding the epoch, so
/// 0.2 s + 0.2 s shows as `,400`, not as a float's `,399`.
fn clock(interp: &Interp) -> (i64, i64) {
    let (secs, fraction) = if interp.rt.sched.is_some() {
        let mono = interp.rt.monotonic();
        (VIRTUAL_EPOCH as i64 + mono.floor() as i64, mono.fract())
    } else {
        let now = interp.rt.time();
        (now.floor() as i64, now.fract())
    };
    // A hair over, so a clock of exactly .400 is not read as .399999.
    (secs, ((fraction * 1000.0) + 1e-6).floor() as i64)
}

/// The fields a format may use, as Python's `LogRecord` names them.
fn record(interp: &Interp, levelname: &str, level: i64, message: String) -> Value {
    let now = interp.rt.time();
    let (secs, millis) = clock(interp);
    let asctime = asctime(secs, millis, interp.rt.sched.is_some());
    let fields = [
        ("threadName", Value::Str(interp.thread.name())),
        ("message", Value::str(&message)),
        ("levelname", Value::str(&levelname.to_uppercase())),
        ("levelno", Value::Int(level)),
        ("asctime", Value::str(&asctime)),
        ("created", Value::float(now)),
        ("msecs", Value::float(millis as f64)),
        (
            "relativeCreated",
            Value::float(interp.rt.monotonic() * 1000.0),
        ),
        ("thread", Value::Int(interp.thread.ident())),
        ("name", Value::str("root")),
    ];
    let map: crate::value::Entries = fields.into_iter().map(|(k, v)| (Key::str(k), v)).collect();
    Value::map(map)
}
