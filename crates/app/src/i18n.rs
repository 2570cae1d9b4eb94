//! The translation catalogue: `locales/vi.toml` and `locales/en.toml`, embedded.
//!
//! Keys are dotted paths of the TOML tables (`[error] forbidden = "…"` is
//! `error.forbidden`); `{name}` is replaced by the message's argument. An argument
//! whose name ends in `_key` is itself a catalogue key and is translated first.

use std::collections::HashMap;
use std::sync::OnceLock;

use baocao_domain::Message;

/// A language of the user interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Vietnamese, the default.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// A label in this language: the English one when asked for and present,
    /// else the Vietnamese one.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        if self == Lang::En && !en.is_empty() {
            en
        } else {
            vi
        }
    }

    /// `vi` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Parses `vi`/`en` (also `en-US`, `vi_VN.UTF-8`).
    pub fn parse(text: &str) -> Option<Lang> {
        let t = text.trim().to_ascii_lowercase();
        if t.starts_with("vi") {
            Some(Lang::Vi)
        } else if t.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header
            .split(',')
            .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
            .next()
    }
}

type Catalogue = HashMap<String, String>;

fn flatten(prefix: &str, table: &toml::Table, out: &mut Catalogue) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            // Only strings are messages; anything else is a catalogue mistake the
            // parity test shows as a missing key.
            _ => {}
        }
    }
}

fn load(text: &str) -> Catalogue {
    let mut out = Catalogue::new();
    // The catalogues are part of the build; a syntax error is caught by the tests.
    if let Ok(table) = text.parse::<toml::Table>() {
        flatten("", &table, &mut out);
    }
    out
}

fn catalogue(lang: Lang) -> &'static Catalogue {
    static VI: OnceLock<Catalogue> = OnceLock::new();
    static EN: OnceLock<Catalogue> = OnceLock::new();
    match lang {
        Lang::Vi => VI.get_or_init(|| load(include_str!("../../../locales/vi.toml"))),
        Lang::En => EN.get_or_init(|| load(include_str!("../../../locales/en.toml"))),
    }
}

/// The text of a key, or the key itself when missing (visible, never a crash).
pub fn t(lang: Lang, key: &str) -> String {
    catalogue(lang)
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// Renders a message in a language.
pub fn render(lang: Lang, message: &Message) -> String {
    fill(lang, &t(lang, message.key), &message.args)
}

/// Renders a message kept as plain strings (an e-mail queued earlier).
pub fn render_parts(lang: Lang, key: &str, args: &[(String, String)]) -> String {
    fill(lang, &t(lang, key), args)
}

fn fill<N: AsRef<str> + Clone>(lang: Lang, template: &str, args: &[(N, String)]) -> String {
    let mut text = template.to_string();
    for (name, value) in args {
        let name = name.as_ref();
        let value = if name.ends_with("_key") {
            // The nested entry gets the other arguments (nested keys included,
            // so a key inside a key is translated too), never this one again.
            let others: Vec<_> = args
                .iter()
                .filter(|(n, _)| n.as_ref() != name)
                .cloned()
                .collect();
            fill(lang, &t(lang, value), &others)
        } else {
            value.clone()
        };
        text = text.replace(&format!("{{{name}}}"), &value);
    }
    text
}

/// Every key of a catalogue, for tests.
pub fn keys(lang: Lang) -> Vec<&'static str> {
    let mut keys: Vec<&str> = catalogue(lang).keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_parse_and_have_the_same_keys() {
        for text in [
            include_str!("../../../locales/vi.toml"),
            include_str!("../../../locales/en.toml"),
        ] {
            text.parse::<toml::Table>().unwrap();
        }
        assert!(keys(Lang::Vi).len() > 50);
        assert_eq!(keys(Lang::Vi), keys(Lang::En));
    }

    #[test]
    fn renders_arguments_and_nested_keys() {
        let m = Message::new("error.throttled").arg("minutes", 15);
        assert!(render(Lang::En, &m).contains("15"));
        assert!(render(Lang::Vi, &m).contains("15"));
        let m = Message::new("import.bad_field")
            .arg("column", "code")
            .arg("detail_key", "unit.error.area_code")
            .arg("value", "4X");
        let en = render(Lang::En, &m);
        assert!(
            en.contains("code") && en.contains("4X") && !en.contains("unit.error"),
            "{en}"
        );
    }
    #[test]
    fn nested_keys_inside_nested_keys_are_translated() {
        let inner = Message::new("formula.syntax")
            .arg("position", 7)
            .arg("expected_key", "formula.expected_expression")
            .arg("token", "an expression")
            .arg("found", "'/'");
        let mut m = Message::new("formula.in_formula")
            .arg("code", "CDS03")
            .arg("detail_key", inner.key);
        m.args.extend(inner.args);
        let vi = render(Lang::Vi, &m);
        assert_eq!(
            vi,
            "Công thức của \"CDS03\": Ký tự thứ 7: cần một số, một mã hoặc dấu mở ngoặc nhưng gặp '/'."
        );
    }

    #[test]
    fn languages_parse() {
        assert_eq!(Lang::parse("vi_VN.UTF-8"), Some(Lang::Vi));
        assert_eq!(
            Lang::from_accept_language("fr, en-GB;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("fr"), None);
    }
}
