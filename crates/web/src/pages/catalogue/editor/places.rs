//! Where a problem of the editor is, in words ("Biểu 1, dòng 3 — Chỉ tiêu"),
//! never as a document path (`regimes[0].versions[2].forms[0].rows[2].indicator`),
//! and the problem shown next to the row it concerns.
//!
//! Problems come from reading the fields (indices are the editor's rows) or
//! from the catalogue check of the version (indices count only the rows that
//! were not blank, under a `regimes[N].versions[M].` prefix); both end up on
//! the editor's rows.

use baocao_app::i18n::{render, t, Lang};
use baocao_domain::catalogue::Problem;
use baocao_domain::Message;

use super::fields::EditorFields;

/// One step of a path: a name and, for a list, an index.
fn steps(path: &str) -> Vec<(&str, Option<usize>)> {
    path.split('.')
        .map(|step| match step.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse().ok()),
            None => (step, None),
        })
        .collect()
}

/// The editor's row that is the `n`-th one not blank.
fn nth_filled<T>(items: &[T], blank: impl Fn(&T) -> bool, n: usize) -> Option<usize> {
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| !blank(item))
        .nth(n)
        .map(|(i, _)| i)
}

/// The catalogue key of a field's label, for the words of a place.
fn label_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "code" => "regime.code",
        "from" => "regime.from",
        "name_vi" => "regime.name_vi",
        "legal_basis" => "regime.legal_basis",
        "kind" => "regime.kind",
        "frequency" => "regime.frequency",
        "convention" => "regime.convention",
        "receiving_unit" => "regime.receiving_unit",
        "methods" => "regime.methods",
        "stage" => "regime.stage",
        "deadline" => "regime.deadline",
        "indicator" => "regime.indicator",
        "severity" => "regime.severity",
        "expression" => "regime.expression",
        "required" => "regime.required",
        "source" => "regime.column_source",
        "formula" => "regime.column_formula",
        _ => return None,
    })
}

/// Where a problem is.
enum Place {
    Top,
    Group(usize),
    Form(usize),
    Row(usize, usize),
    Column(usize, usize),
    Rule(usize),
    Section(usize),
}

/// The place of `path` on the editor's rows, and the field named last.
fn locate<'p>(fields: &EditorFields, path: &'p str) -> (Place, Option<&'p str>) {
    let mut all = steps(path);
    // The catalogue check's paths: indices of the rows not blank.
    let checked = matches!(all.first(), Some(("regimes", _)));
    if checked {
        all.drain(..all.len().min(2));
    }
    let index = |items: usize, n: Option<usize>, filled: &dyn Fn(usize) -> Option<usize>| {
        n.and_then(|n| if checked { filled(n) } else { Some(n) })
            .filter(|i| *i < items)
    };
    let last = all.last().map(|(name, _)| *name);
    let place = match all.as_slice() {
        [("reporting", n), ..] => index(fields.groups.len(), *n, &|n| {
            nth_filled(&fields.groups, |g| g.is_blank(), n)
        })
        .map_or(Place::Top, Place::Group),
        [("validation", n), ..] => index(fields.validation.len(), *n, &|n| {
            nth_filled(&fields.validation, |v| v.is_blank(), n)
        })
        .map_or(Place::Top, Place::Rule),
        [("outline", n), ..] => index(fields.outline.len(), *n, &|n| {
            nth_filled(&fields.outline, |s| s.is_blank(), n)
        })
        .map_or(Place::Top, Place::Section),
        [("forms", f), rest @ ..] => {
            let form = index(fields.forms.len(), *f, &|n| {
                nth_filled(&fields.forms, |f| f.is_blank(), n)
            });
            match (form, rest.first()) {
                (Some(f), Some(("rows", r))) => {
                    let rows = &fields.forms[f].rows;
                    index(rows.len(), *r, &|n| nth_filled(rows, |r| r.is_blank(), n))
                        .map_or(Place::Form(f), |r| Place::Row(f, r))
                }
                (Some(f), Some(("columns", c))) => {
                    let columns = &fields.forms[f].columns;
                    index(columns.len(), *c, &|n| {
                        nth_filled(columns, |c| c.is_blank(), n)
                    })
                    .map_or(Place::Form(f), |c| Place::Column(f, c))
                }
                (Some(f), _) => Place::Form(f),
                (None, _) => Place::Top,
            }
        }
        _ => Place::Top,
    };
    (place, last)
}

/// The place in words.
fn words(lang: Lang, place: &Place, field: Option<&str>, path: &str) -> String {
    let at = |key: &'static str, n: usize| render(lang, &Message::new(key).arg("n", n + 1));
    let mut text = match place {
        Place::Top => String::new(),
        Place::Group(g) => at("regime.place_group", *g),
        Place::Form(f) => at("regime.place_form", *f),
        Place::Row(f, r) => render(
            lang,
            &Message::new("regime.place_row")
                .arg("form", f + 1)
                .arg("n", r + 1),
        ),
        Place::Column(f, c) => render(
            lang,
            &Message::new("regime.place_column")
                .arg("form", f + 1)
                .arg("n", c + 1),
        ),
        Place::Rule(r) => at("regime.place_rule", *r),
        Place::Section(s) => at("regime.place_section", *s),
    };
    match (field.and_then(label_key), text.is_empty()) {
        (Some(key), true) => text = t(lang, key),
        (Some(key), false) => text = format!("{text} — {}", t(lang, key)),
        // A place the editor does not know: said as it is, not dropped.
        (None, true) => text = path.to_string(),
        (None, false) => {}
    }
    text
}

/// Puts each problem next to the row it concerns, in words, and returns
/// the list for the top of the page (every problem, each with its place).
pub fn attach(lang: Lang, fields: &mut EditorFields, problems: &[Problem]) -> Vec<String> {
    let mut top = Vec::new();
    for p in problems {
        let (place, field) = locate(fields, &p.path);
        let line = format!(
            "{}: {}",
            words(lang, &place, field, &p.path),
            render(lang, &p.message)
        );
        let message = render(lang, &p.message);
        match place {
            Place::Top => fields.problems.push(message),
            Place::Group(g) => fields.groups[g].problems.push(message),
            Place::Form(f) => fields.forms[f].problems.push(message),
            Place::Row(f, r) => fields.forms[f].rows[r].problems.push(message),
            Place::Column(f, c) => fields.forms[f].columns[c].problems.push(message),
            Place::Rule(r) => fields.validation[r].problems.push(message),
            Place::Section(s) => fields.outline[s].problems.push(message),
        }
        top.push(line);
    }
    top
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_paths_count_only_the_rows_not_blank() {
        let mut fields = EditorFields::blank();
        fields.forms[0].code = "B01".into();
        fields.forms[0].rows[0].indicator = "LD01".into();
        // Row 1 left blank, row 2 typed: the version's second row.
        fields.forms[0].rows[2].indicator = "XX9".into();
        let problems = vec![Problem {
            path: "regimes[0].versions[1].forms[0].rows[1].indicator".into(),
            message: Message::new("catalogue.required"),
        }];
        let top = attach(Lang::Vi, &mut fields, &problems);
        assert_eq!(
            fields.forms[0].rows[2].problems.len(),
            1,
            "next to the row typed third"
        );
        assert!(top[0].starts_with("Biểu 1, dòng 3 — Chỉ tiêu: "), "{top:?}");
        assert!(!top[0].contains("regimes["), "{top:?}");
    }

    #[test]
    fn reading_paths_are_the_editor_rows_and_fields_get_their_labels() {
        let mut fields = EditorFields::blank();
        let problems = vec![
            Problem {
                path: "reporting[1].deadline".into(),
                message: Message::new("catalogue.required"),
            },
            Problem {
                path: "kind".into(),
                message: Message::new("catalogue.required"),
            },
            Problem {
                path: "validation[0].severity".into(),
                message: Message::new("catalogue.required"),
            },
        ];
        let top = attach(Lang::Vi, &mut fields, &problems);
        assert!(
            top[0].starts_with("Nhóm đơn vị báo cáo 2 — Thời hạn gửi: "),
            "{top:?}"
        );
        assert!(top[1].starts_with("Loại: "), "{top:?}");
        assert!(
            top[2].starts_with("Quy tắc kiểm tra 1 — Mức độ: "),
            "{top:?}"
        );
        assert_eq!(
            (
                fields.groups[1].problems.len(),
                fields.problems.len(),
                fields.validation[0].problems.len()
            ),
            (1, 1, 1)
        );
    }
}
