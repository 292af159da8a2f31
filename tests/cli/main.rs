//! Drives the real binary in temporary directories. One test binary, one
//! module per area.

mod accounts;
mod clock;
mod common;
mod compatibility;
mod completion;
mod estate;
mod everyday;
mod fulldisk;
mod hardening;
mod hostile;
mod install;
mod leaks;
mod lifecycle;
mod monitoring;
mod names;
mod operators;
mod outcomes;
mod pipes;
mod postgres;
mod prompts;
mod reliability;
mod restore;
mod rotation;
mod runbook;
mod scan;
mod scripts;
mod serve;
mod siem;
mod status;
mod tamper;
mod terminal;
mod tmux;
mod width;
