//! Percent-encoding for query parameters, `Location` headers and file names.

/// Percent-encodes a string for a query parameter (`/` is kept, so a local
/// path stays readable in `?next=`).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_paths_and_encodes_the_rest() {
        assert_eq!(url_encode("/reports/1?a=b"), "/reports/1%3Fa%3Db");
        assert_eq!(url_encode("Biểu 01.pdf"), "Bi%E1%BB%83u%2001.pdf");
    }
}
