//! Text helpers shared by search and import.

use unicode_normalization::UnicodeNormalization;

/// Folds Vietnamese text for accent-insensitive search: lower case, tone and
/// vowel marks removed, `đ` read as `d`, runs of white space collapsed.
/// "Tỉnh Nghệ An" and "tinh nghe an" fold to the same string.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Normalises text for comparing meanings: Unicode NFC, lower case, runs of white
/// space collapsed — but, unlike [`fold`], tone and vowel marks kept, since in
/// Vietnamese they change the word ("tạ" quintal, "tá" dozen).
pub fn normalize(text: &str) -> String {
    text.nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::{fold, normalize};

    #[test]
    fn normalize_keeps_marks() {
        assert_eq!(normalize("  Tấn  LÚA "), "tấn lúa");
        assert_ne!(normalize("tạ"), normalize("tá"));
        // Composed and decomposed forms are the same text.
        assert_eq!(normalize("t\u{1ea1}"), normalize("ta\u{323}"));
    }

    #[test]
    fn folds_vietnamese_marks_case_and_spaces() {
        assert_eq!(fold("Tỉnh Nghệ An"), "tinh nghe an");
        assert_eq!(fold("  Phường   Đông Vĩnh "), "phuong dong vinh");
        assert_eq!(fold("ĐẮK LẮK"), "dak lak");
        assert_eq!(fold("Thừa Thiên Huế"), "thua thien hue");
        assert_eq!(fold("Hòa"), fold("Hoà"));
    }
}
