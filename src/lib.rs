//! `exposure`: how much of a company's revenue is at risk when its
//! customers land on an export-control or sanctions list.
//!
//! The data flows one way: a graph file is read into a [`model::Model`]
//! (`load`), indexed into a [`graph::Net`], evaluated by [`analysis`] into
//! an [`analysis::Outcome`], shaped into a [`report::Report`] and written by
//! an [`export`] writer. The binary's `cli` module (`src/cli/`) wires the
//! commands to that pipeline; only it knows clap and the terminal.

pub mod analysis;
pub mod batch;
pub mod export;
pub mod graph;
pub mod ids;
pub mod load;
pub mod model;
mod parallel;
pub mod portfolio;
mod prefetch;
pub mod render;
pub mod report;
pub mod save;
pub mod scenario;
pub mod screen;
pub mod suggest;
#[cfg(test)]
mod testing;
pub mod tolerance;
