//! Metrics in the Prometheus text exposition format (0.0.4) and in
//! OpenMetrics 1.0, the two that Prometheus, node_exporter's textfile
//! collector and `promtool check metrics` read. Gauges only.

use std::fmt::Write;

/// Which of the two text formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// Prometheus text format 0.0.4.
    Prometheus,
    /// OpenMetrics 1.0: adds `# UNIT` and ends with `# EOF`.
    OpenMetrics,
}

/// A document of gauge families, written in order.
pub struct Metrics {
    flavor: Flavor,
    text: String,
}

impl Metrics {
    pub fn new(flavor: Flavor) -> Metrics {
        Metrics {
            flavor,
            text: String::new(),
        }
    }

    /// Starts a gauge family. `unit` (e.g. `seconds`) must end its name, as
    /// OpenMetrics requires.
    pub fn gauge(&mut self, name: &str, help: &str, unit: Option<&str>) -> &mut Self {
        let _ = writeln!(self.text, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.text, "# TYPE {name} gauge");
        if let (Some(unit), Flavor::OpenMetrics) = (unit, self.flavor) {
            let _ = writeln!(self.text, "# UNIT {name} {unit}");
        }
        self
    }

    /// One sample of the family just started.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: i64) -> &mut Self {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (index, (label, value)) in labels.iter().enumerate() {
                if index > 0 {
                    self.text.push(',');
                }
                let _ = write!(self.text, "{label}=\"{}\"", escape_label(value));
            }
            self.text.push('}');
        }
        let _ = writeln!(self.text, " {value}");
        self
    }

    /// The whole document.
    pub fn finish(mut self) -> String {
        if self.flavor == Flavor::OpenMetrics {
            self.text.push_str("# EOF\n");
        }
        self.text
    }
}

/// A label value: `\`, `"` and newlines escaped, as both formats require;
/// any other text (a key's name from the store) stays as it is.
pub fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for char in value.chars() {
        match char {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            other => out.push(other),
        }
    }
    out
}

/// Help text: `\` and newlines escaped.
fn escape_help(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_openmetrics_ends_with_eof() {
        let mut metrics = Metrics::new(Flavor::OpenMetrics);
        metrics
            .gauge("x_seconds", "A \\ help\nline", Some("seconds"))
            .sample("x_seconds", &[("name", "a\"b\\c\nd"), ("id", "1")], 5);
        assert_eq!(
            metrics.finish(),
            "# HELP x_seconds A \\\\ help\\nline\n# TYPE x_seconds gauge\n# UNIT x_seconds seconds\nx_seconds{name=\"a\\\"b\\\\c\\nd\",id=\"1\"} 5\n# EOF\n"
        );
        let mut metrics = Metrics::new(Flavor::Prometheus);
        metrics
            .gauge("y_seconds", "h", Some("seconds"))
            .sample("y_seconds", &[], 1);
        assert_eq!(
            metrics.finish(),
            "# HELP y_seconds h\n# TYPE y_seconds gauge\ny_seconds 1\n"
        );
    }
}
