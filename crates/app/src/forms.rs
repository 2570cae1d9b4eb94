//! What a page's form came to: done, or refused — with the screen to draw
//! again around what was typed, read by the same use case, so that a page
//! makes one call whatever the outcome.

use std::future::Future;

use crate::{AppError, AppResult};

/// A form's command: done, or refused (what was typed cannot be taken as it
/// is) with the screen to show again.
#[derive(Debug)]
pub enum FormOutcome<T, S> {
    /// Done.
    Done(T),
    /// Refused: why, and the screen the form is shown on again.
    Refused {
        /// Why.
        error: AppError,
        /// The screen to draw again.
        screen: S,
    },
}

impl AppError {
    /// Whether this refuses what a form says (to be corrected and sent
    /// again), rather than the caller or the request as a whole.
    pub fn refuses_input(&self) -> bool {
        matches!(
            self,
            AppError::Invalid(_) | AppError::Conflict(_) | AppError::DocumentRejected(_)
        )
    }
}

/// `done` as a form's outcome: a refusal of the input comes with `screen`
/// read again; any other error is the caller's.
pub(crate) async fn or_again<T, S, F>(
    done: AppResult<T>,
    screen: impl FnOnce() -> F,
) -> AppResult<FormOutcome<T, S>>
where
    F: Future<Output = AppResult<S>>,
{
    match done {
        Ok(t) => Ok(FormOutcome::Done(t)),
        Err(error) if error.refuses_input() => Ok(FormOutcome::Refused {
            error,
            screen: screen().await?,
        }),
        Err(e) => Err(e),
    }
}
