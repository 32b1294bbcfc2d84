//! Reports of uncaught exceptions, in CPython 3.7's layout: `Traceback (most recent call
//! last):`, a `File "x.mpy", line 3, in f` line and the source line per frame (a line
//! repeated more than three times summarised), chained causes and contexts first, then
//! the exception's class and message.

use super::object::ExcField;
use super::{Value, Vm};

impl Vm {
    /// The program's exit status for an exception nothing caught, after printing what
    /// CPython prints: nothing for `SystemExit` with an int or None, its text for another
    /// code, else the traceback.
    pub fn report_uncaught(&mut self, exc: Value) -> i32 {
        if self.exception_is(exc, "SystemExit") {
            let args = self.exception_args(exc);
            // The code is the one argument, or the tuple of several.
            let code = match args.as_slice() {
                [] => Value::None,
                [one] => *one,
                many => self.new_tuple(many.to_vec()),
            };
            return match code {
                Value::None => 0,
                v => match self.as_index(v) {
                    Some(code) => code as i32,
                    None => {
                        let text = self.str(v).unwrap_or_default();
                        crate::reportln!("{text}");
                        1
                    }
                },
            };
        }
        let report = self.format_exception(exc);
        crate::report!("{report}");
        1
    }

    /// CPython's report of an uncaught exception, chained causes and contexts first.
    pub fn format_exception(&mut self, exc: Value) -> String {
        self.format_report(exc, true)
    }

    /// The report as Python's traceback module formats it (threading's "Exception in
    /// thread" report): there, 3.7 leaves out the `__main__.` prefix.
    pub fn format_exception_traceback_module(&mut self, exc: Value) -> String {
        self.format_report(exc, false)
    }

    fn format_report(&mut self, exc: Value, main_prefix: bool) -> String {
        let mut out = String::new();
        let cause = self
            .exception_field(exc, ExcField::Cause)
            .filter(|c| *c != Value::None);
        let suppress = self
            .exception_field(exc, ExcField::SuppressContext)
            .is_some_and(|s| s == Value::Bool(true));
        let context = self
            .exception_field(exc, ExcField::Context)
            .filter(|c| *c != Value::None);
        if let Some(c) = cause {
            out.push_str(&self.format_report(c, main_prefix));
            out.push_str(
                "\nThe above exception was the direct cause of the following exception:\n\n",
            );
        } else if let Some(c) = context.filter(|_| !suppress) {
            out.push_str(&self.format_report(c, main_prefix));
            out.push_str(
                "\nDuring handling of the above exception, another exception occurred:\n\n",
            );
        }
        let tb = exc
            .as_obj()
            .and_then(|r| self.tracebacks.get(&r))
            .cloned()
            .unwrap_or_default();
        if !tb.is_empty() {
            out.push_str("Traceback (most recent call last):\n");
            // As 3.7's traceback printer: a line repeated more than three times is summarised.
            let mut last: Option<(String, u32, String)> = None;
            let mut repeats = 0;
            let summary = |n: usize| format!("  [Previous line repeated {n} more times]\n");
            for e in tb.iter().rev() {
                let key = (e.filename.clone(), e.lineno, e.name.clone());
                if last.as_ref() == Some(&key) {
                    repeats += 1;
                } else {
                    if repeats > 3 {
                        out.push_str(&summary(repeats - 3));
                    }
                    last = Some(key);
                    repeats = 1;
                }
                if repeats > 3 {
                    continue;
                }
                out.push_str(&format!(
                    "  File \"{}\", line {}, in {}\n",
                    e.filename, e.lineno, e.name
                ));
                if let Some(line) = self
                    .sources
                    .get(&e.filename)
                    .and_then(|l| l.get(e.lineno as usize - 1))
                {
                    let t = line.trim();
                    if !t.is_empty() {
                        out.push_str(&format!("    {t}\n"));
                    }
                }
            }
            if repeats > 3 {
                out.push_str(&summary(repeats - 3));
            }
        }
        out.push_str(&self.exception_line(exc, main_prefix));
        out
    }

    /// The last line of a report: the exception's class and message.
    pub fn exception_line(&mut self, exc: Value, main_prefix: bool) -> String {
        let mut name = self.type_name(exc);
        // As CPython 3.7's report: a class from another module than builtins is named with
        // its module, `__main__.ValidationError` included (3.8+ leaves out `__main__`).
        if let Some(module) = self.class_lookup(self.type_of(exc), "__module__")
            && let Some(module) = self.str_of(module)
            && module != "builtins"
            && (main_prefix || module != "__main__")
        {
            name = format!("{module}.{name}");
        }
        if self.exception_is(exc, "SyntaxError")
            && let Some(msg) = self.attr_of_instance(exc, "msg")
        {
            return self.syntax_error_lines(exc, msg, &name);
        }
        // An exception whose __str__ fails: CPython's placeholders (the interpreter's report,
        // and the traceback module's, which threading uses).
        let msg = match self.str(exc) {
            Ok(m) => m,
            Err(_) if main_prefix => "<exception str() failed>".to_string(),
            Err(_) => format!("<unprintable {} object>", self.type_name(exc)),
        };
        if msg.is_empty() {
            format!("{name}\n")
        } else {
            format!("{name}: {msg}\n")
        }
    }

    /// A SyntaxError raised at run time (by compile, exec or eval), as 3.7 prints one: where
    /// it is (file, line, the line's text and a caret under the offset), then the message.
    fn syntax_error_lines(&mut self, exc: Value, msg: Value, name: &str) -> String {
        let msg = self.str(msg).unwrap_or_default();
        let attr = |vm: &Vm, n: &str| vm.attr_of_instance(exc, n).filter(|v| *v != Value::None);
        let mut out = String::new();
        if let (Some(file), Some(line)) = (attr(self, "filename"), attr(self, "lineno")) {
            let file = self.str(file).unwrap_or_default();
            let line = self.as_index(line).unwrap_or(0);
            out.push_str(&format!("  File \"{file}\", line {line}\n"));
            if let Some(text) = attr(self, "text").and_then(|t| self.str_of(t)) {
                let trimmed = text.trim_start_matches([' ', '\t', '\x0c']);
                let skipped = text.chars().count() - trimmed.chars().count();
                let shown = trimmed.trim_end_matches('\n');
                out.push_str(&format!("    {shown}\n"));
                if let Some(offset) = attr(self, "offset").and_then(|o| self.as_index(o)) {
                    let column = (offset - 1 - skipped as i64).max(0) as usize;
                    out.push_str(&format!("    {}^\n", " ".repeat(column)));
                }
            }
        }
        out.push_str(&format!("{name}: {msg}\n"));
        out
    }
}
