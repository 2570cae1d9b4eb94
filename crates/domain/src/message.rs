//! Translatable messages.
//!
//! The domain never builds user-facing sentences: it names a catalogue key and the
//! values to put in it, and the outer layers render the key in the user's language
//! (`locales/vi.toml`, `locales/en.toml`).

use std::fmt;

/// A message key of the translation catalogue with its named arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Catalogue key, e.g. `unit.import.unknown_parent`.
    pub key: &'static str,
    /// Values for the `{name}` placeholders of the catalogue entry.
    pub args: Vec<(&'static str, String)>,
}

impl Message {
    /// A message without arguments.
    pub fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }

    /// Adds a named argument.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
}

impl fmt::Display for Message {
    /// A language-neutral rendering for logs: the key and its arguments.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key)?;
        for (name, value) in &self.args {
            write!(f, " {name}={value}")?;
        }
        Ok(())
    }
}
