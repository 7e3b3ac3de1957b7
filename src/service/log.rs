//! Structured JSON log lines. The service writes through a [`LogSink`]; the Worker prints
//! them with `console.log`, tests collect them. Lines carry the request id and never a
//! credential: only values the service chooses to log are written, never headers.

use std::cell::RefCell;

use serde::Serialize;

/// Where log lines go.
pub trait LogSink {
    /// Writes one line (a JSON object).
    fn write(&self, line: &str);
}

/// A sink that keeps lines in memory (tests, and the Worker before it prints them).
#[derive(Debug, Default)]
pub struct MemorySink {
    lines: RefCell<Vec<String>>,
}

impl MemorySink {
    /// Takes the lines written so far.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.borrow_mut())
    }
}

impl LogSink for MemorySink {
    fn write(&self, line: &str) {
        self.lines.borrow_mut().push(line.to_owned());
    }
}

/// One log event.
#[derive(Debug, Serialize)]
pub struct LogLine<'a, T: Serialize> {
    /// `info`, `warn` or `error`.
    pub level: &'static str,
    /// The request id.
    #[serde(rename = "requestId")]
    pub request_id: &'a str,
    /// What happened (`request`, `upstream`, …).
    pub event: &'static str,
    /// Event details.
    #[serde(flatten)]
    pub fields: T,
}

/// Writes one structured line to `sink`.
pub fn emit<T: Serialize>(
    sink: &dyn LogSink,
    level: &'static str,
    request_id: &str,
    event: &'static str,
    fields: T,
) {
    let line = LogLine {
        level,
        request_id,
        event,
        fields,
    };
    if let Ok(s) = serde_json::to_string(&line) {
        sink.write(&s);
    }
}
