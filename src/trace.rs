//! `--trace FILE.json`: a timeline of the run in the Chrome trace event
//! format (open it in Perfetto or `chrome://tracing`). Each script thread is a
//! track: when it ran, and every wait with what it waited on. Times are the
//! run's clock, so a deterministic run's trace is the same on every machine.

use parking_lot::Mutex;

/// The events of one run, written out when it ends.
#[derive(Default)]
pub struct Tracer {
    events: Mutex<Vec<String>>,
}

impl Tracer {
    /// A thread started: names its track and opens its span.
    pub fn thread_start(&self, tid: i64, name: &str, at: f64) {
        self.push(format!(
            r#"{{"name":"thread_name","ph":"M","pid":1,"tid":{tid},"args":{{"name":{}}}}}"#,
            json_str(name)
        ));
        self.span(tid, 'B', name, at, None);
    }

    /// A thread ended.
    pub fn thread_end(&self, tid: i64, name: &str, at: f64) {
        self.span(tid, 'E', name, at, None);
    }

    /// A thread began to wait on `what`.
    pub fn wait_start(&self, tid: i64, what: &str, at: f64) {
        self.span(tid, 'B', "wait", at, Some(what));
    }

    /// The wait ended.
    pub fn wait_end(&self, tid: i64, at: f64) {
        self.span(tid, 'E', "wait", at, None);
    }

    fn span(&self, tid: i64, phase: char, name: &str, at: f64, what: Option<&str>) {
        let args = what.map_or_else(String::new, |w| {
            format!(r#","args":{{"on":{}}}"#, json_str(w))
        });
        let ts = (at * 1e6).round() as i64;
        self.push(format!(
            r#"{{"name":{},"ph":"{phase}","pid":1,"tid":{tid},"ts":{ts}{args}}}"#,
            json_str(name)
        ));
    }

    fn push(&self, event: String) {
        self.events.lock().push(event);
    }

    /// The whole trace as JSON.
    pub fn to_json(&self) -> String {
        format!(
            "{{\"traceEvents\":[\n{}\n]}}\n",
            self.events.lock().join(",\n")
        )
    }
}

/// A JSON string literal.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_form_a_chrome_trace() {
        let t = Tracer::default();
        t.thread_start(1, "MainThread", 0.0);
        t.wait_start(1, "to join \"w\"", 0.5);
        t.wait_end(1, 1.25);
        t.thread_end(1, "MainThread", 1.25);
        assert_eq!(
            t.to_json(),
            "{\"traceEvents\":[\n\
             {\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":1,\"args\":{\"name\":\"MainThread\"}},\n\
             {\"name\":\"MainThread\",\"ph\":\"B\",\"pid\":1,\"tid\":1,\"ts\":0},\n\
             {\"name\":\"wait\",\"ph\":\"B\",\"pid\":1,\"tid\":1,\"ts\":500000,\"args\":{\"on\":\"to join \\\"w\\\"\"}},\n\
             {\"name\":\"wait\",\"ph\":\"E\",\"pid\":1,\"tid\":1,\"ts\":1250000},\n\
             {\"name\":\"MainThread\",\"ph\":\"E\",\"pid\":1,\"tid\":1,\"ts\":1250000}\n\
             ]}\n"
        );
    }
}
