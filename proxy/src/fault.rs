//! Named points where the fault tests crash the process, to prove what a crash there
//! leaves behind. Compiled into debug builds only (the tests' builds); a release build has
//! no fault points at all.

/// Aborts the process, as a power cut or SIGKILL would, when `BOOKING_PROXY_FAULT` names
/// this point.
#[cfg(debug_assertions)]
pub fn point(name: &str) {
    if std::env::var_os("BOOKING_PROXY_FAULT").is_some_and(|wanted| wanted == name) {
        std::process::abort();
    }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn point(_name: &str) {}
