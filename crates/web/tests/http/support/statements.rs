//! Counts the SQL statements each request runs, as Django's
//! `assertNumQueries` does: sqlx logs every statement under the target
//! `sqlx::query`, inside the span of the request that ran it (SQLite's worker
//! thread enters the caller's span too), and the request's span carries the
//! `x-request-id` the test sent. Background work (the analytics follower,
//! the scheduler) runs outside any request and is not counted.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// The statements (their summaries) run per request id.
static STATEMENTS: OnceLock<Mutex<HashMap<String, Vec<String>>>> = OnceLock::new();

fn statements() -> &'static Mutex<HashMap<String, Vec<String>>> {
    STATEMENTS.get_or_init(Default::default)
}

/// The request id a request's span was made with.
struct RequestIdOf(String);

/// Reads one field of a span or an event.
struct FieldVisitor(&'static str, Option<String>);

impl Visit for FieldVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == self.0 {
            self.1 = Some(value.to_string());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == self.0 {
            self.1 = Some(format!("{value:?}"));
        }
    }
}

struct CountStatements;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for CountStatements {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "request" {
            return;
        }
        let mut visitor = FieldVisitor("request_id", None);
        attrs.record(&mut visitor);
        if let (Some(request_id), Some(span)) = (visitor.1, ctx.span(id)) {
            span.extensions_mut().insert(RequestIdOf(request_id));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let Some(scope) = ctx.event_scope(event) else {
            return;
        };
        for span in scope {
            if let Some(RequestIdOf(id)) = span.extensions().get::<RequestIdOf>() {
                let mut visitor = FieldVisitor("summary", None);
                event.record(&mut visitor);
                let summary = visitor.1.unwrap_or_default();
                statements()
                    .lock()
                    .unwrap()
                    .entry(id.clone())
                    .or_default()
                    .push(summary);
                return;
            }
        }
    }
}

/// Installs the counter as the process's subscriber (once; later calls do
/// nothing). Only sqlx's statements and the web layer's request spans pass
/// its filter, so the other tests of the binary are not slowed.
pub fn install() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let filter = Targets::new()
            .with_target("sqlx::query", LevelFilter::TRACE)
            .with_target("baocao_web", LevelFilter::INFO);
        let subscriber = tracing_subscriber::registry().with(CountStatements.with_filter(filter));
        tracing::subscriber::set_global_default(subscriber).expect("no other subscriber");
    });
}

/// The statements (their summaries) the request sent with `request_id` ran.
pub fn of(request_id: &str) -> Vec<String> {
    statements()
        .lock()
        .unwrap()
        .get(request_id)
        .cloned()
        .unwrap_or_default()
}
