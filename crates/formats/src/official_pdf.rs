//! The official PDF of a report version: the layout of an administrative
//! document of Decree 30/2020/NĐ-CP (A4; the issuing body and the document
//! number at the top left, the national motto and the place and date at the
//! top right; the title; the body; "Nơi nhận" at the bottom left and the
//! signer's block at the bottom right), drawn with krilla (docs/decisions/
//! 0015) in a serif font covering Vietnamese, embedded (subset).
//!
//! This module knows pages, not reports: the caller gives the texts, already
//! translated and with numbers in Vietnamese notation. The same document and
//! fonts always give the same bytes: no date, no random identifier.

use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;

/// A table of the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// The line above it.
    pub title: String,
    /// Column headings.
    pub header: Vec<String>,
    /// Relative widths of the columns.
    pub widths: Vec<u16>,
    /// Which columns hold numbers (aligned right).
    pub numeric: Vec<bool>,
    /// The rows, as wide as the header.
    pub rows: Vec<Vec<String>>,
}

/// A section of the narrative.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// Its heading (`I. Tình hình …`).
    pub heading: String,
    /// Its text; paragraphs separated by line breaks.
    pub text: String,
}

/// Everything printed on the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfficialDocument {
    /// The governing body, above the issuer (`UBND TỈNH NGHỆ AN`); may be empty.
    pub authority: String,
    /// The issuing body (`UBND PHƯỜNG THÀNH VINH`).
    pub issuer: String,
    /// `Số: 12/BC-UBND`.
    pub number: String,
    /// The national name (`CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM`).
    pub nation: String,
    /// The motto (`Độc lập - Tự do - Hạnh phúc`).
    pub motto: String,
    /// `Nghệ An, ngày 05 tháng 02 năm 2026`.
    pub place_date: String,
    /// `BÁO CÁO`.
    pub kind: String,
    /// What it is about (the regime's name, the period).
    pub title: Vec<String>,
    /// The narrative.
    pub sections: Vec<Section>,
    /// The numeric tables.
    pub tables: Vec<Table>,
    /// `Nơi nhận:`.
    pub recipients_heading: String,
    /// The recipients, one per line (`- UBND tỉnh Nghệ An;`).
    pub recipients: Vec<String>,
    /// The signer's capacity and title (`TM. ỦY BAN NHÂN DÂN`, `CHỦ TỊCH`).
    pub signer_title: Vec<String>,
    /// A line in the signature space (`(Ký số)`).
    pub signature_note: String,
    /// The signer's name, if known.
    pub signer_name: String,
    /// A small line at the foot of each page (what the document is).
    pub footer: String,
}

/// The three faces of the font family used.
#[derive(Clone)]
pub struct Fonts {
    regular: Font,
    bold: Font,
    italic: Font,
    measure: [Vec<u8>; 3],
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fonts")
    }
}

/// Why a font cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    /// A file could not be read.
    #[error("font file {0}: {1}")]
    Read(String, std::io::Error),
    /// A file is not a font.
    #[error("font file {0} is not a TrueType/OpenType font")]
    NotAFont(String),
    /// The font lacks Vietnamese letters.
    #[error("font file {0} does not cover Vietnamese")]
    NoVietnamese(String),
}

/// Letters every Vietnamese text needs.
const VIETNAMESE_PROBE: &str = "ẠảẤầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđĐơưƠƯ";

impl Fonts {
    /// The regular, bold and italic faces from these files.
    pub fn from_files(regular: &str, bold: &str, italic: &str) -> Result<Fonts, FontError> {
        let read = |path: &str| -> Result<Vec<u8>, FontError> {
            let data = std::fs::read(path).map_err(|e| FontError::Read(path.to_string(), e))?;
            let face = rustybuzz::Face::from_slice(&data, 0)
                .ok_or_else(|| FontError::NotAFont(path.to_string()))?;
            if VIETNAMESE_PROBE
                .chars()
                .any(|c| face.glyph_index(c).is_none())
            {
                return Err(FontError::NoVietnamese(path.to_string()));
            }
            Ok(data)
        };
        let data = [read(regular)?, read(bold)?, read(italic)?];
        let font = |i: usize, path: &str| {
            Font::new(data[i].clone().into(), 0).ok_or_else(|| FontError::NotAFont(path.into()))
        };
        Ok(Fonts {
            regular: font(0, regular)?,
            bold: font(1, bold)?,
            italic: font(2, italic)?,
            measure: data,
        })
    }

    /// DejaVu Serif as Debian installs it (`fonts-dejavu-core`, `-extra`):
    /// the condensed faces when all three are there (nearer the width of the
    /// Times New Roman that Decree 30 names), else the regular ones (an
    /// italic missing is drawn upright).
    pub fn dejavu_serif(dir: &str) -> Result<Fonts, FontError> {
        let path = |name: &str| format!("{dir}/{name}.ttf");
        let exists = |name: &str| std::path::Path::new(&path(name)).exists();
        let condensed = [
            "DejaVuSerifCondensed",
            "DejaVuSerifCondensed-Bold",
            "DejaVuSerifCondensed-Italic",
        ];
        if condensed.iter().all(|n| exists(n)) {
            return Fonts::from_files(
                &path(condensed[0]),
                &path(condensed[1]),
                &path(condensed[2]),
            );
        }
        let italic = if exists("DejaVuSerif-Italic") {
            path("DejaVuSerif-Italic")
        } else {
            path("DejaVuSerif")
        };
        Fonts::from_files(&path("DejaVuSerif"), &path("DejaVuSerif-Bold"), &italic)
    }

    fn font(&self, face: Face) -> Font {
        match face {
            Face::Regular => self.regular.clone(),
            Face::Bold => self.bold.clone(),
            Face::Italic => self.italic.clone(),
        }
    }

    /// The width of `text` at `size` points, shaped as krilla shapes it.
    fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let Some(rb) = rustybuzz::Face::from_slice(&self.measure[face as usize], 0) else {
            return 0.0;
        };
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(&rb, &[], buffer);
        let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
        units as f32 * size / f32::from(rb.units_per_em() as u16)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Face {
    Regular = 0,
    Bold = 1,
    Italic = 2,
}

// A4 in points, and the margins of Decree 30 (top and bottom 20 mm, left
// 30 mm, right 15 mm).
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const TOP: f32 = 57.0;
const BOTTOM: f32 = 57.0;
const LEFT: f32 = 85.0;
const RIGHT: f32 = 42.5;
const BODY: f32 = 13.0;
const SMALL: f32 = 11.0;
const LEADING: f32 = 1.35;
const INDENT: f32 = 28.35;
const CELL_PAD: f32 = 3.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Center,
    Right,
}

/// One drawing instruction on a page.
enum Mark {
    Text {
        x: f32,
        baseline: f32,
        face: Face,
        size: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
}

/// Pages being laid out, top to bottom.
struct Layout<'a> {
    fonts: &'a Fonts,
    pages: Vec<Vec<Mark>>,
    y: f32,
}

impl<'a> Layout<'a> {
    fn new(fonts: &'a Fonts) -> Self {
        Layout {
            fonts,
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    fn width(&self) -> f32 {
        PAGE_W - LEFT - RIGHT
    }

    fn page(&mut self) -> &mut Vec<Mark> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP + BODY * LEADING;
    }

    /// Room for `height` more points on this page, or a new page.
    fn room(&mut self, height: f32) {
        if self.y + height > PAGE_H - BOTTOM {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, baseline: f32, face: Face, size: f32, text: &str) {
        self.page().push(Mark::Text {
            x,
            baseline,
            face,
            size,
            text: text.to_string(),
        });
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        self.page().push(Mark::Line { x1, y1, x2, y2 });
    }

    /// Breaks `text` into lines no wider than `width`.
    fn wrap(&self, face: Face, size: f32, text: &str, width: f32, indent: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let limit = if lines.is_empty() {
                width - indent
            } else {
                width
            };
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if self.fonts.width(face, size, &candidate) <= limit || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::take(&mut line));
                line = word.to_string();
            }
            // A word wider than the line is cut where it must be, measured
            // a character at a time (shaping every prefix of a hostile
            // 50,000-character word would be quadratic).
            if self.fonts.width(face, size, &line) > limit {
                let mut head = String::new();
                let mut used = 0.0;
                for c in std::mem::take(&mut line).chars() {
                    let w = self.fonts.width(face, size, c.encode_utf8(&mut [0; 4]));
                    if used + w > limit && !head.is_empty() {
                        lines.push(std::mem::take(&mut head));
                        used = 0.0;
                    }
                    head.push(c);
                    used += w;
                }
                line = head;
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// A block of lines in a column `[x, x + width]`, aligned, from the
    /// current position; returns the height used.
    #[allow(clippy::too_many_arguments)]
    fn block(
        &mut self,
        x: f32,
        width: f32,
        top: f32,
        face: Face,
        size: f32,
        text: &str,
        align: Align,
    ) -> f32 {
        let lines = self.wrap(face, size, text, width, 0.0);
        let step = size * LEADING;
        for (i, l) in lines.iter().enumerate() {
            let w = self.fonts.width(face, size, l);
            let lx = match align {
                Align::Left => x,
                Align::Center => x + (width - w) / 2.0,
                Align::Right => x + width - w,
            };
            self.text(lx, top + step * (i as f32 + 0.8), face, size, l);
        }
        step * lines.len() as f32
    }

    /// A paragraph of the body, first line indented, flowing over pages.
    fn paragraph(&mut self, face: Face, size: f32, text: &str, indent: f32) {
        let width = self.width();
        let lines = self.wrap(face, size, text, width, indent);
        let step = size * LEADING;
        for (i, l) in lines.iter().enumerate() {
            self.room(step);
            let x = if i == 0 { LEFT + indent } else { LEFT };
            self.text(x, self.y + step * 0.8, face, size, l);
            self.y += step;
        }
    }

    /// A short centred rule under a block (the line under a heading).
    fn rule(&mut self, center: f32, width: f32, y: f32) {
        self.line(center - width / 2.0, y, center + width / 2.0, y);
    }
}

/// The PDF of `doc` drawn with `fonts`.
pub fn render(doc: &OfficialDocument, fonts: &Fonts) -> Result<Vec<u8>, String> {
    write(doc, fonts, lay_out(doc, fonts))
}

/// The pages with what is drawn on each.
fn lay_out(doc: &OfficialDocument, fonts: &Fonts) -> Vec<Vec<Mark>> {
    let mut l = Layout::new(fonts);
    header(&mut l, doc);
    body(&mut l, doc);
    closing(&mut l, doc);
    l.pages
}

/// The two columns at the top: the issuing body and the number on the left,
/// the nation, motto, place and date on the right.
fn header(l: &mut Layout, doc: &OfficialDocument) {
    let left_w = l.width() * 0.42;
    let right_x = LEFT + left_w;
    let right_w = l.width() - left_w;
    let size = 12.0;
    let mut left_y = TOP;
    if !doc.authority.is_empty() {
        left_y += l.block(
            LEFT,
            left_w,
            left_y,
            Face::Regular,
            size,
            &doc.authority,
            Align::Center,
        );
    }
    left_y += l.block(
        LEFT,
        left_w,
        left_y,
        Face::Bold,
        size,
        &doc.issuer,
        Align::Center,
    );
    l.rule(LEFT + left_w / 2.0, left_w * 0.35, left_y + 4.0);
    left_y += 10.0;
    left_y += l.block(
        LEFT,
        left_w,
        left_y,
        Face::Regular,
        BODY,
        &doc.number,
        Align::Center,
    );

    let mut right_y = TOP;
    right_y += l.block(
        right_x,
        right_w,
        right_y,
        Face::Bold,
        size,
        &doc.nation,
        Align::Center,
    );
    right_y += l.block(
        right_x,
        right_w,
        right_y,
        Face::Bold,
        BODY,
        &doc.motto,
        Align::Center,
    );
    let motto_w = l.fonts.width(Face::Bold, BODY, &doc.motto).min(right_w);
    l.rule(right_x + right_w / 2.0, motto_w, right_y + 1.0);
    right_y += 10.0;
    right_y += l.block(
        right_x,
        right_w,
        right_y,
        Face::Italic,
        BODY,
        &doc.place_date,
        Align::Center,
    );

    l.y = left_y.max(right_y) + 18.0;
    let width = l.width();
    l.y += l.block(LEFT, width, l.y, Face::Bold, 14.0, &doc.kind, Align::Center);
    for line in &doc.title {
        l.y += l.block(LEFT, width, l.y, Face::Bold, BODY, line, Align::Center);
    }
    l.rule(LEFT + width / 2.0, width * 0.2, l.y + 6.0);
    l.y += 20.0;
}

fn body(l: &mut Layout, doc: &OfficialDocument) {
    for s in &doc.sections {
        l.room(BODY * LEADING * 3.0);
        l.paragraph(Face::Bold, BODY, &s.heading, INDENT);
        for p in s.text.lines().filter(|p| !p.trim().is_empty()) {
            l.paragraph(Face::Regular, BODY, p, INDENT);
        }
        l.y += 4.0;
    }
    for t in &doc.tables {
        table(l, t);
    }
}

/// A table with ruled cells; rows that do not fit go to the next page
/// under the heading row again.
fn table(l: &mut Layout, t: &Table) {
    let width = l.width();
    let total: f32 = t.widths.iter().map(|w| f32::from(*w)).sum::<f32>().max(1.0);
    let cols: Vec<f32> = t
        .widths
        .iter()
        .map(|w| width * f32::from(*w) / total)
        .collect();
    l.y += 6.0;
    l.room(SMALL * LEADING * 4.0);
    l.paragraph(Face::Bold, BODY, &t.title, 0.0);
    l.y += 4.0;
    let header: Vec<(String, Align)> = t
        .header
        .iter()
        .map(|h| (h.clone(), Align::Center))
        .collect();
    let row_height = |l: &Layout, cells: &[(String, Align)], face: Face| -> f32 {
        cells
            .iter()
            .zip(&cols)
            .map(|((text, _), w)| l.wrap(face, SMALL, text, w - 2.0 * CELL_PAD, 0.0).len() as f32)
            .fold(1.0, f32::max)
            * SMALL
            * LEADING
            + 2.0 * CELL_PAD
    };
    let draw_row = |l: &mut Layout, cells: &[(String, Align)], face: Face, height: f32| {
        let top = l.y;
        let mut x = LEFT;
        l.line(LEFT, top, LEFT + width, top);
        l.line(LEFT, top + height, LEFT + width, top + height);
        l.line(x, top, x, top + height);
        for ((text, align), w) in cells.iter().zip(&cols) {
            l.block(
                x + CELL_PAD,
                w - 2.0 * CELL_PAD,
                top + CELL_PAD,
                face,
                SMALL,
                text,
                *align,
            );
            x += w;
            l.line(x, top, x, top + height);
        }
        l.y += height;
    };
    let head_h = row_height(l, &header, Face::Bold);
    l.room(head_h + SMALL * LEADING * 2.0);
    draw_row(l, &header, Face::Bold, head_h);
    for row in &t.rows {
        let cells: Vec<(String, Align)> = row
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let align = if t.numeric.get(i).copied().unwrap_or(false) {
                    Align::Right
                } else {
                    Align::Left
                };
                (text.clone(), align)
            })
            .collect();
        let h = row_height(l, &cells, Face::Regular);
        if l.y + h > PAGE_H - BOTTOM {
            l.new_page();
            draw_row(l, &header, Face::Bold, head_h);
        }
        draw_row(l, &cells, Face::Regular, h);
    }
    l.y += 8.0;
}

/// "Nơi nhận" on the left and the signer's block on the right, kept together.
fn closing(l: &mut Layout, doc: &OfficialDocument) {
    let left_w = l.width() * 0.45;
    let right_x = LEFT + left_w;
    let right_w = l.width() - left_w;
    let needed = (doc.recipients.len() as f32 + 2.0) * SMALL * LEADING + 120.0;
    l.y += 10.0;
    l.room(needed);
    let top = l.y;
    let mut left_y = top;
    left_y += l.block(
        LEFT,
        left_w,
        left_y,
        Face::Bold,
        12.0,
        &doc.recipients_heading,
        Align::Left,
    );
    for r in &doc.recipients {
        left_y += l.block(LEFT, left_w, left_y, Face::Regular, SMALL, r, Align::Left);
    }
    let mut right_y = top;
    for line in &doc.signer_title {
        right_y += l.block(
            right_x,
            right_w,
            right_y,
            Face::Bold,
            BODY,
            line,
            Align::Center,
        );
    }
    right_y += 20.0;
    right_y += l.block(
        right_x,
        right_w,
        right_y,
        Face::Italic,
        SMALL,
        &doc.signature_note,
        Align::Center,
    );
    right_y += 40.0;
    if !doc.signer_name.is_empty() {
        right_y += l.block(
            right_x,
            right_w,
            right_y,
            Face::Bold,
            BODY,
            &doc.signer_name,
            Align::Center,
        );
    }
    l.y = left_y.max(right_y);
}

/// Draws the laid-out pages: page numbers from the second page (top centre,
/// as Decree 30 asks) and the footer on each.
fn write(doc: &OfficialDocument, fonts: &Fonts, pages: Vec<Vec<Mark>>) -> Result<Vec<u8>, String> {
    let mut document = Document::new();
    let count = pages.len();
    for (i, marks) in pages.into_iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("page size")?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for mark in &marks {
            draw(&mut surface, fonts, mark);
        }
        if i > 0 {
            let n = (i + 1).to_string();
            let w = fonts.width(Face::Regular, SMALL, &n);
            draw_text(
                &mut surface,
                fonts,
                (PAGE_W - w) / 2.0,
                TOP - 20.0,
                Face::Regular,
                SMALL,
                &n,
            );
        }
        let footer = format!("{} · {}/{count}", doc.footer, i + 1);
        let fw = fonts.width(Face::Italic, 8.0, &footer);
        draw_text(
            &mut surface,
            fonts,
            PAGE_W - RIGHT - fw,
            PAGE_H - BOTTOM / 2.0,
            Face::Italic,
            8.0,
            &footer,
        );
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}

fn draw(surface: &mut Surface, fonts: &Fonts, mark: &Mark) {
    match mark {
        Mark::Text {
            x,
            baseline,
            face,
            size,
            text,
        } => draw_text(surface, fonts, *x, *baseline, *face, *size, text),
        Mark::Line { x1, y1, x2, y2 } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    width: 0.6,
                    ..Default::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
                surface.set_fill(Some(Default::default()));
            }
        }
    }
}

fn draw_text(
    surface: &mut Surface,
    fonts: &Fonts,
    x: f32,
    baseline: f32,
    face: Face,
    size: f32,
    text: &str,
) {
    surface.draw_text(
        Point::from_xy(x, baseline),
        fonts.font(face),
        size,
        text,
        false,
        TextDirection::Auto,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = "/usr/share/fonts/truetype/dejavu";

    fn sample() -> OfficialDocument {
        OfficialDocument {
            authority: "UBND TỈNH NGHỆ AN".into(),
            issuer: "UBND PHƯỜNG THÀNH VINH".into(),
            number: "Số: 12/BC-UBND".into(),
            nation: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(),
            motto: "Độc lập - Tự do - Hạnh phúc".into(),
            place_date: "Thành Vinh, ngày 05 tháng 02 năm 2026".into(),
            kind: "BÁO CÁO".into(),
            title: vec!["Tình hình kinh tế - xã hội tháng 1 năm 2026".into()],
            sections: vec![Section {
                heading: "I. Kết quả".into(),
                text: "Tổng thu ngân sách đạt 1.234,5 triệu đồng. ".repeat(40),
            }],
            tables: vec![Table {
                title: "Biểu 01".into(),
                header: vec!["Chỉ tiêu".into(), "Đơn vị tính".into(), "Thực hiện".into()],
                widths: vec![6, 2, 2],
                numeric: vec![false, false, true],
                rows: (0..80)
                    .map(|i| {
                        vec![
                            format!("Chỉ tiêu số {i}"),
                            "người".into(),
                            format!("{i}.000"),
                        ]
                    })
                    .collect(),
            }],
            recipients_heading: "Nơi nhận:".into(),
            recipients: vec!["- UBND tỉnh Nghệ An;".into(), "- Lưu: VT.".into()],
            signer_title: vec!["TM. ỦY BAN NHÂN DÂN".into(), "CHỦ TỊCH".into()],
            signature_note: "(Ký số)".into(),
            signer_name: String::new(),
            footer: "BC-KTXH-T · 2026M01 · phiên bản 1".into(),
        }
    }

    #[test]
    fn the_same_document_gives_the_same_bytes_over_several_pages() {
        let fonts = Fonts::dejavu_serif(DIR).expect("DejaVu Serif is installed");
        let a = render(&sample(), &fonts).unwrap();
        let b = render(&sample(), &fonts).unwrap();
        assert!(a.starts_with(b"%PDF-"));
        assert_eq!(a, b, "deterministic");
        std::fs::write(std::env::temp_dir().join("baocao-official-sample.pdf"), &a).unwrap();
        let pages = a.windows(b"/Type /Page\n".len()).count();
        assert!(pages > 0);
        let mut other = sample();
        other.number = "Số: 13/BC-UBND".into();
        assert_ne!(render(&other, &fonts).unwrap(), a);
    }

    #[test]
    fn long_words_are_cut_to_the_line() {
        let fonts = Fonts::dejavu_serif(DIR).unwrap();
        let l = Layout::new(&fonts);
        let lines = l.wrap(Face::Regular, 13.0, &"x".repeat(400), 100.0, 0.0);
        assert!(lines.len() > 3);
        assert!(lines
            .iter()
            .all(|line| fonts.width(Face::Regular, 13.0, line) <= 100.0));
        assert_eq!(lines.concat(), "x".repeat(400));
    }

    #[test]
    fn a_section_of_one_50000_character_word_is_laid_out_over_pages() {
        let fonts = Fonts::dejavu_serif(DIR).unwrap();
        let mut doc = sample();
        doc.tables.clear();
        doc.sections[0].text = "ệ".repeat(50_000);
        let pages = lay_out(&doc, &fonts).len();
        assert!(pages > 10, "{pages} pages");
        assert!(render(&doc, &fonts).unwrap().starts_with(b"%PDF-"));
    }

    #[test]
    fn a_file_that_is_not_a_font_is_refused() {
        let path = std::env::temp_dir().join(format!("not-a-font-{}.ttf", std::process::id()));
        std::fs::write(&path, b"not a font").unwrap();
        let path = path.to_string_lossy().to_string();
        let err =
            Fonts::from_files(&path, &format!("{DIR}/DejaVuSerif-Bold.ttf"), &path).unwrap_err();
        assert!(matches!(err, FontError::NotAFont(_)), "{err}");
        let err = Fonts::from_files("/nonexistent.ttf", &path, &path).unwrap_err();
        assert!(matches!(err, FontError::Read(..)), "{err}");
    }
}
