//! Error paths.
