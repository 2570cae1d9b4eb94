//! Pieces of the OpenAPI document shared by the operations: the error answers
//! every operation of a kind can give, parameter checks that the document
//! declares and the handlers enforce, and the schema of raw file bodies.
//!
//! What depends on an operation's own rules (403, 404, 409, 422 of a use case,
//! 503 of heavy work) is written on its `#[utoipa::path]`; what follows from
//! its shape alone is added by [`CommonErrors`]:
//!
//! | when | status | why |
//! | --- | --- | --- |
//! | secured | 401 | no, or an unknown, expired or revoked, session or token |
//! | secured and not GET | 403 | cookie sessions must echo the CSRF token |
//! | has path or query parameters | 400 | a parameter that does not parse (a path id that is not an i64, a repeated query parameter) |
//! | has a body | 413 | the body is larger than the route accepts |

use baocao_app::AppError;
use baocao_domain::Message;
use chrono::NaiveDate;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{IntoResponses, ToSchema};

use crate::error::ErrorBody;

/// Errors of a typed JSON body (read by [`crate::extract::ApiJson`]).
#[derive(IntoResponses)]
pub enum JsonBodyErrors {
    /// The body is not JSON (code `malformed`).
    #[response(status = 400)]
    Malformed(ErrorBody),
    /// The body is not sent as `application/json` (code `unsupported_media_type`).
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// The JSON has not the documented shape (code `malformed`), or a value is
    /// refused (code `invalid`, the problems by field in `fields`).
    #[response(status = 422)]
    Invalid(ErrorBody),
}

/// The server has no turn free for this CPU-heavy work (password hashing,
/// reading or writing a large file): code `busy`, try again after `Retry-After`.
#[derive(IntoResponses)]
#[response(
    status = 503,
    headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))
)]
pub struct Busy(pub ErrorBody);

/// The bytes of a file, sent or received as they are.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(pub Vec<u8>);

/// Adds the error answers that follow from an operation's shape (see the module).
pub struct CommonErrors;

impl utoipa::Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (true, item.put.as_mut()),
                (true, item.delete.as_mut()),
                (true, item.patch.as_mut()),
            ];
            for (unsafe_method, op) in operations {
                if let Some(op) = op {
                    add_common_errors(op, unsafe_method);
                }
            }
        }
    }
}

fn error_response(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

fn add_common_errors(op: &mut Operation, unsafe_method: bool) {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_parameters = op.parameters.as_ref().is_some_and(|ps| {
        ps.iter()
            .any(|p| matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query))
    });
    let has_body = op.request_body.is_some();
    let responses = &mut op.responses.responses;
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status.to_string())
            .or_insert_with(|| error_response(description));
    };
    if secured {
        add(
            "401",
            "Not authenticated: no session cookie or bearer token, or one that is unknown, \
             expired or revoked (codes `unauthenticated`, `session_expired`).",
        );
    }
    if secured && unsafe_method {
        add(
            "403",
            "Refused: with a session cookie, the `X-CSRF-Token` header is missing or wrong \
             (code `csrf`); or the caller may not do this (code `forbidden`).",
        );
    }
    if has_parameters {
        add(
            "400",
            "A path or query parameter does not parse (not a number, out of the integer's \
             range, repeated): code `malformed`.",
        );
    }
    if has_body {
        add(
            "413",
            "The body is larger than this operation accepts (code `too_large`).",
        );
    }
}

/// Refuses an integer parameter outside `min..=max` (the document declares the
/// same bounds): values are checked, never silently clamped.
pub fn in_range(field: &'static str, value: i64, min: i64, max: i64) -> Result<i64, AppError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::field(
            field,
            Message::new("request.out_of_range")
                .arg("value", value)
                .arg("min", min)
                .arg("max", max),
        ))
    }
}

/// Parses a date as the API documents it (`format: date`, RFC 3339's
/// `full-date`): exactly `YYYY-MM-DD`, nothing around it.
pub fn iso_date(field: &'static str, text: &str) -> Result<NaiveDate, AppError> {
    let bad = || AppError::field(field, Message::new("request.bad_date").arg("value", text));
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().map_err(|_| bad());
    let year = i32::try_from(number(0..4)?).map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?).ok_or_else(bad)
}

/// An optional date parameter ([`iso_date`] when present).
pub fn optional_iso_date(
    field: &'static str,
    text: Option<&str>,
) -> Result<Option<NaiveDate>, AppError> {
    text.map(|t| iso_date(field, t)).transpose()
}

/// ECMA-262 pattern of a period id (`2025M03`, `2025Q1`, `2025S1`, `2025N9`,
/// `2025`, `ADHOC:2025-03-01..2025-03-20`), years 1900–2200.
pub const PERIOD_PATTERN: &str = "^(?:(?:19[0-9]{2}|2[01][0-9]{2}|2200)(?:M(?:0[1-9]|1[0-2])|Q[1-4]|S[12]|N9)?|ADHOC:(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])\\.\\.(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]))$";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_exactly_as_documented() {
        assert_eq!(
            iso_date("d", "2024-02-29").unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        for bad in [
            "",
            " 2024-01-01",
            "2024-01-01 ",
            "2024-1-01",
            "2023-02-29",
            "+2024-01-01",
            "2024/01/01",
            "２０２４-01-01",
        ] {
            assert!(iso_date("d", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ranges_are_refused_not_clamped() {
        assert_eq!(in_range("limit", 500, 1, 500).unwrap(), 500);
        assert!(in_range("limit", 501, 1, 500).is_err());
        assert!(in_range("limit", 0, 1, 500).is_err());
    }
}
