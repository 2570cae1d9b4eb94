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

/// A file name reduced to its last path segment, without control characters,
/// at most [`MAX_NAME_CHARS`]; `None` if nothing is left.
pub fn clean_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(MAX_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().to_string();
    (!cleaned.is_empty() && cleaned != "." && cleaned != "..").then_some(cleaned)
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
        assert_eq!(
            clean_name("C:\\Users\\a\\Báo cáo.pdf").as_deref(),
            Some("Báo cáo.pdf")
        );
        assert_eq!(clean_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(clean_name("a\"b\n.pdf").as_deref(), Some("ab.pdf"));
        assert_eq!(clean_name(".."), None);
        assert_eq!(clean_name("  "), None);
    }
}
