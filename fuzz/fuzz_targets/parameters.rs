//! A parameter file (`doudi params check`, `--params`): it parses into a set or into
//! line-numbered errors, never a panic, and a set that parses resolves for months from its
//! start without panicking (doudi-policy's invariant), as the seeded run in
//! `crates/doudi-policy/tests/it/fuzz.rs` checks.

#![no_main]

use doudi_core::Month;
use doudi_policy::Resolved;
use doudi_policy::params::Parameters;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(params) = Parameters::parse(&text) {
        for (y, m) in [(2023, 1), (2026, 5), (2026, 12), (9999, 12)] {
            let month = Month::new(y, m).expect("a month");
            if let Ok(resolved) = Resolved::new(&params, month) {
                let _ = resolved.citations();
            }
        }
    }
});
