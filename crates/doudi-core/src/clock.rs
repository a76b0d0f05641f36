//! The one clock of the platform: what time it is, and which day it is in China.
//!
//! Every "today" in the code base (a decision's month, whether a notice has ended, whether an
//! exit date has passed, a session's expiry) comes from a [`Clock`], built once where the
//! process starts (`doudi serve`, a command, a test) and handed to the application layer, the
//! web and the store. Tests use a clock that stands still until they move it, so the date of a
//! running server can change without restarting it.
//!
//! **Invariant:** this is the only place outside the binary that reads the system clock; the
//! policy engine never does (it is given the month).

use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset, NaiveDate, SubsecRound, TimeDelta, Utc};

/// China Standard Time, UTC+8, in which the county's days begin and end.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// A source of the current time, shared by cloning.
#[derive(Clone, Default)]
pub struct Clock(Source);

#[derive(Clone, Default)]
enum Source {
    /// The system clock.
    #[default]
    System,
    /// A clock that reads the time it was set to until it is moved (tests).
    Fixed(Arc<Mutex<DateTime<Utc>>>),
    /// A clock that asks a function (the binary's hidden clock file for end-to-end tests).
    Function(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>),
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::System => f.write_str("Clock(system)"),
            Source::Fixed(_) => write!(f, "Clock(fixed at {})", self.now()),
            Source::Function(_) => write!(f, "Clock(function, now {})", self.now()),
        }
    }
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(Source::System)
    }

    /// A clock that reads `at` until it is moved.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock(Source::Fixed(Arc::new(Mutex::new(at))))
    }

    /// A clock standing at ten in the morning, China time, of `day`: a working hour, so that
    /// "today" is `day` however the clock is then moved by a few hours.
    pub fn fixed_on(day: NaiveDate) -> Clock {
        Clock::fixed(ten_am(day))
    }

    /// A clock that asks `now` each time.
    pub fn from_fn(now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Clock {
        Clock(Source::Function(Arc::new(now)))
    }

    /// The time now, to the microsecond (PostgreSQL keeps no more, and both backends should hand
    /// back what they were given).
    pub fn now(&self) -> DateTime<Utc> {
        let now = match &self.0 {
            Source::System => Utc::now(),
            Source::Fixed(at) => *at.lock().unwrap_or_else(|poisoned| poisoned.into_inner()),
            Source::Function(f) => f(),
        };
        now.trunc_subsecs(6)
    }

    /// Today's date in China.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&china()).date_naive()
    }

    /// Moves a fixed clock forward (the system clock moves by itself; a function clock is
    /// moved by whatever it reads).
    pub fn advance(&self, by: TimeDelta) {
        if let Source::Fixed(at) = &self.0 {
            let mut at = at.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            *at += by;
        }
    }

    /// Sets a fixed clock to ten in the morning, China time, of `day`.
    pub fn set_today(&self, day: NaiveDate) {
        if let Source::Fixed(at) = &self.0 {
            *at.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = ten_am(day);
        }
    }
}

/// Ten in the morning, China time, of `day`, as UTC.
pub fn ten_am(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(2, 0, 0).unwrap_or_default().and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn today_is_the_date_in_china_not_in_utc() {
        // 2026-11-30 17:00 UTC is already 1 December in China.
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 17, 0, 0).unwrap();
        assert_eq!(Clock::fixed(at).today(), day(2026, 12, 1));
    }

    #[test]
    fn a_fixed_clock_moves_only_when_told_and_every_clone_sees_it() {
        let clock = Clock::fixed_on(day(2026, 1, 5));
        let seen_by_the_store = clock.clone();
        assert_eq!(seen_by_the_store.today(), day(2026, 1, 5));
        clock.advance(TimeDelta::days(3));
        assert_eq!(seen_by_the_store.today(), day(2026, 1, 8));
        clock.set_today(day(2026, 12, 31));
        assert_eq!(seen_by_the_store.today(), day(2026, 12, 31));
    }

    #[test]
    fn a_function_clock_reads_its_function_each_time() {
        let clock = Clock::from_fn(|| Utc.with_ymd_and_hms(2030, 6, 1, 0, 0, 0).unwrap());
        assert_eq!(clock.today(), day(2030, 6, 1));
    }
}
