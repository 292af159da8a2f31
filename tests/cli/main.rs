//! Drives the real binary in temporary directories. One test binary, one
//! module per area.

mod common;
mod lifecycle;
mod operators;
mod scripts;
mod terminal;
