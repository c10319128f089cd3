//! The integration tests: every test here runs the real `exposure` binary.
//!
//! One test binary with one module per area keeps link times low.

mod analyze;
mod common;
mod csvform;
mod dot;
mod explain;
mod fuzz;
mod hardening;
mod oracle;
mod outputs;
mod pack;
mod portfolio;
mod properties;
mod report;
mod scale;
mod screen;
mod segments;
mod timeline;
mod validation;
mod whatif;
