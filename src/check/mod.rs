//! Clarification checks (placeholder until the checker lands).
mod finding;
pub use finding::{Finding, FindingKind, Severity};
