//! The server's integration tests, as one test binary: each module is one area of the
//! behaviour over HTTP, on SQLite and PostgreSQL (`db_tests!`), against the real
//! application started on a random port by `helpers::TestApp`. The larger areas are
//! folders with a file per flow, resource or threat (`auth/sign_in.rs`,
//! `attacks/jwt.rs`, `reliability/slow_clients.rs`, …), so that a test is found by what
//! it protects.
//!
//! One binary means one process, so what is process-wide is coordinated: every app holds
//! the `helpers::quiet` gate shared, so that the sign-in timing test
//! (`attacks::enumeration`) can have the machine to itself; and the panic count in
//! `pages` only counts its own runtime's threads. (Apps and page renders no longer keep
//! apart: Leptos' route list is generated once per process, see `pages`.)

#[macro_use]
mod helpers;

mod attacks;
mod auth;
mod bundle;
mod cluster;
mod compat;
mod cookie_outcomes;
mod foundation;
mod guessing;
mod live;
mod openapi;
mod origin;
mod pages;
mod passkeys;
mod planning;

mod reliability;
mod revocation;
mod scale_out;
mod security;
mod server_fns;
mod social;
mod tasks;
mod two_factor;
mod upkeep;
