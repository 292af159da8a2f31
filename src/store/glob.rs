//! `list --name` patterns: one reading of a glob for every store, written
//! out in the form each backend matches (SQLite's GLOB, PostgreSQL's
//! regular expressions), so that a pattern selects the same keys on both.
//!
//! `*` is any text, `?` one character, `[abc]` and `[a-z]` one of these,
//! `[!abc]` or `[^abc]` one character not among them, as in a shell; a `]`
//! first in a class is one of its members, and a `[` that no `]` closes
//! matches itself.

#[derive(Debug, PartialEq, Eq)]
enum Part {
    Any,
    One,
    Literal(char),
    /// Members as inclusive ranges, a single character as `(c, c)`.
    Class {
        negated: bool,
        members: Vec<(char, char)>,
    },
}

fn parse(glob: &str) -> Vec<Part> {
    let chars: Vec<char> = glob.chars().collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        parts.push(match c {
            '*' => Part::Any,
            '?' => Part::One,
            '[' => match class(&chars[i..]) {
                Some((class, used)) => {
                    i += used;
                    class
                }
                None => Part::Literal('['),
            },
            c => Part::Literal(c),
        });
    }
    parts
}

/// The class that starts just after a `[`, and how many characters it
/// takes (its `]` included); None when no `]` closes it.
fn class(chars: &[char]) -> Option<(Part, usize)> {
    let negated = matches!(chars.first(), Some('!' | '^'));
    let start = usize::from(negated);
    let mut members = Vec::new();
    let mut i = start;
    loop {
        let c = *chars.get(i)?;
        if c == ']' && i > start {
            return Some((Part::Class { negated, members }, i + 1));
        }
        match (chars.get(i + 1), chars.get(i + 2)) {
            (Some('-'), Some(&end)) if end != ']' => {
                members.push((c, end));
                i += 3;
            }
            _ => {
                members.push((c, c));
                i += 1;
            }
        }
    }
}

/// The pattern for SQLite's GLOB, which knows only `^` for a negated class
/// and matches nothing when a `[` is not closed.
pub(crate) fn sqlite_pattern(glob: &str) -> String {
    let mut pattern = String::new();
    for part in parse(glob) {
        match part {
            Part::Any => pattern.push('*'),
            Part::One => pattern.push('?'),
            Part::Literal(c @ ('*' | '?' | '[')) => {
                pattern.push('[');
                pattern.push(c);
                pattern.push(']');
            }
            Part::Literal(c) => pattern.push(c),
            Part::Class { negated, members } => {
                // GLOB reads a `]` as a member only first, a `-` as itself
                // only last, and a `^` first as negating the class.
                let mut members = members;
                members.sort_by_key(|&(from, to)| match (from, to) {
                    (']', _) => 0,
                    ('^', '^') => 2,
                    ('-', '-') => 3,
                    _ => 1,
                });
                pattern.push('[');
                if negated {
                    pattern.push('^');
                }
                for (from, to) in members {
                    pattern.push(from);
                    if from != to {
                        pattern.push('-');
                        pattern.push(to);
                    }
                }
                pattern.push(']');
            }
        }
    }
    pattern
}

/// The pattern as an anchored regular expression for PostgreSQL's `~`.
pub(crate) fn posix_regex(glob: &str) -> String {
    let mut regex = String::from("^");
    for part in parse(glob) {
        match part {
            Part::Any => regex.push_str(".*"),
            Part::One => regex.push('.'),
            Part::Literal(c) => {
                if "\\.^$|?*+()[]{}".contains(c) {
                    regex.push('\\');
                }
                regex.push(c);
            }
            Part::Class { negated, members } => {
                // A range running backwards matches nothing, as in SQLite;
                // PostgreSQL would refuse it.
                let members: Vec<_> = members
                    .into_iter()
                    .filter(|(from, to)| from <= to)
                    .collect();
                if members.is_empty() {
                    regex.push_str(if negated { "." } else { "[^\\s\\S]" });
                    continue;
                }
                regex.push('[');
                if negated {
                    regex.push('^');
                }
                for (from, to) in members {
                    push_member(&mut regex, from);
                    if from != to {
                        regex.push('-');
                        push_member(&mut regex, to);
                    }
                }
                regex.push(']');
            }
        }
    }
    regex.push('$');
    regex
}

/// A character of a bracket expression, escaped where it would mean more.
fn push_member(regex: &mut String, c: char) {
    if "\\[]^-".contains(c) {
        regex.push('\\');
    }
    regex.push(c);
}

/// A pattern matching the names that start with `prefix` as typed: its
/// `*`, `?` and `[` stand for themselves.
pub fn literal_prefix(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        match c {
            '*' | '?' | '[' => {
                pattern.push('[');
                pattern.push(c);
                pattern.push(']');
            }
            c => pattern.push(c),
        }
    }
    pattern.push('*');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_literal_prefix_matches_what_was_typed_and_anything_after() {
        assert_eq!(literal_prefix("ci-"), "ci-*");
        assert_eq!(literal_prefix("a*b?[c]"), "a[*]b[?][[]c]*");
        assert_eq!(literal_prefix(""), "*");
        let pattern = sqlite_pattern(&literal_prefix("a*["));
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let matches = |name: &str| -> bool {
            conn.query_row("SELECT ?1 GLOB ?2", [name, pattern.as_str()], |row| {
                row.get(0)
            })
            .unwrap()
        };
        assert!(matches("a*[ deploy") && matches("a*["));
        assert!(!matches("ab[") && !matches("a*x"));
    }

    #[test]
    fn globs_are_read_as_a_shell_reads_them() {
        assert_eq!(
            parse("a*[!b-d]?[]x]["),
            [
                Part::Literal('a'),
                Part::Any,
                Part::Class {
                    negated: true,
                    members: vec![('b', 'd')]
                },
                Part::One,
                Part::Class {
                    negated: false,
                    members: vec![(']', ']'), ('x', 'x')]
                },
                Part::Literal('['),
            ]
        );
    }

    #[test]
    fn each_store_gets_its_own_form() {
        assert_eq!(sqlite_pattern("ci-*"), "ci-*");
        assert_eq!(posix_regex("ci-*"), "^ci-.*$");
        assert_eq!(sqlite_pattern("[!a-c]x[]-]"), "[^a-c]x[]-]");
        assert_eq!(posix_regex("[!a-c]x[]-]"), "^[^a-c]x[\\]\\-]$");
        assert_eq!(sqlite_pattern("[-a]"), "[a-]");
        assert_eq!(sqlite_pattern("(x)[y"), "(x)[[]y");
        assert_eq!(posix_regex("(x)[y"), "^\\(x\\)\\[y$");
        assert_eq!(sqlite_pattern("[^]"), "[[]^]");
        assert_eq!(sqlite_pattern("[a^]"), "[a^]");
        assert_eq!(posix_regex("a?.b"), "^a.\\.b$");
        assert_eq!(posix_regex("[[:alpha:]]"), "^[\\[:alpha:]\\]$");
    }
}
