//! Attachments (tài liệu đính kèm) of a report: which files are accepted,
//! judged by their content, never by their name or the browser's word.

/// Largest attachment, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// An accepted file type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// PDF.
    Pdf,
    /// Word (Office Open XML).
    Docx,
    /// Excel (Office Open XML).
    Xlsx,
}

impl FileType {
    /// The file extension of the type, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Docx => "docx",
            FileType::Xlsx => "xlsx",
        }
    }

    /// The media type served back.
    pub fn media_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The type of a file from its bytes: a PDF starts with `%PDF-`; a .docx or
/// .xlsx is a zip archive (`PK\x03\x04`) holding `word/document.xml` or
/// `xl/workbook.xml` (zip keeps entry names uncompressed).
pub fn detect(bytes: &[u8]) -> Option<FileType> {
    if bytes.starts_with(b"%PDF-") {
        return Some(FileType::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        if contains(bytes, b"word/document.xml") {
            return Some(FileType::Docx);
        }
        if contains(bytes, b"xl/workbook.xml") {
            return Some(FileType::Xlsx);
        }
    }
    None
}

/// Characters that reorder text on screen (U+202E makes `gpj.exe` read
/// `exe.jpg`): never kept in a name.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A file name reduced to its last path segment, without control or
/// bidirectional characters, at most [`MAX_NAME_CHARS`], ending with the
/// extension of the type its content was detected as (`báo cáo.html` holding
/// a PDF is kept as `báo cáo.pdf`); `None` if nothing is left.
pub fn clean_name(name: &str, kind: FileType) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c) && *c != '"')
        .collect();
    let cleaned = cleaned.trim().trim_end_matches('.').trim();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        return None;
    }
    let extension = kind.extension();
    let stem = match cleaned.rsplit_once('.') {
        Some((stem, _)) if !stem.trim().is_empty() => stem.trim(),
        _ => cleaned,
    };
    let room = MAX_NAME_CHARS - extension.len() - 1;
    let stem: String = stem.chars().take(room).collect();
    Some(format!("{}.{extension}", stem.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_by_content() {
        assert_eq!(detect(b"%PDF-1.7\n..."), Some(FileType::Pdf));
        assert_eq!(
            detect(b"PK\x03\x04....word/document.xml...."),
            Some(FileType::Docx)
        );
        assert_eq!(
            detect(b"PK\x03\x04....xl/workbook.xml...."),
            Some(FileType::Xlsx)
        );
        assert_eq!(detect(b"PK\x03\x04....other.txt"), None);
        assert_eq!(detect(b"MZ\x90\x00 an exe renamed .pdf"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn names_are_cleaned() {
        let pdf = FileType::Pdf;
        assert_eq!(
            clean_name("C:\\Users\\a\\Báo cáo.pdf", pdf).as_deref(),
            Some("Báo cáo.pdf")
        );
        assert_eq!(
            clean_name("../../etc/passwd", pdf).as_deref(),
            Some("passwd.pdf")
        );
        assert_eq!(clean_name("a\"b\n.pdf", pdf).as_deref(), Some("ab.pdf"));
        assert_eq!(clean_name("..", pdf), None);
        assert_eq!(clean_name("  ", pdf), None);
        // The extension follows the content, whatever the name says.
        assert_eq!(clean_name("trang.html", pdf).as_deref(), Some("trang.pdf"));
        assert_eq!(
            clean_name("hinh.SVG", FileType::Xlsx).as_deref(),
            Some("hinh.xlsx")
        );
        assert_eq!(
            clean_name("bao-cao", FileType::Docx).as_deref(),
            Some("bao-cao.docx")
        );
        // A right-to-left override cannot disguise the extension.
        assert_eq!(
            clean_name("hoa-don\u{202E}fdp.exe", pdf).as_deref(),
            Some("hoa-donfdp.pdf")
        );
        let long = "x".repeat(500);
        let kept = clean_name(&long, pdf).unwrap();
        assert_eq!(kept.chars().count(), MAX_NAME_CHARS);
        assert!(kept.ends_with(".pdf"));
    }
}
