//! A calendar date without a time zone or a date library: what a birth date needs.

/// A valid calendar date between [`Date::MIN_YEAR`] and [`Date::MAX_YEAR`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
}

impl Date {
    /// The earliest year a birth date may have.
    pub const MIN_YEAR: u16 = 1900;
    /// The latest year a birth date may have.
    pub const MAX_YEAR: u16 = 2030;

    /// The date, if it exists in the calendar and lies in the accepted years.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if !(Date::MIN_YEAR..=Date::MAX_YEAR).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        (1..=days_in_month(year, month))
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    /// A non-zero number that orders like the date (0 stands for "unknown" in compact rows).
    pub(crate) fn packed(self) -> u32 {
        (u32::from(self.year) << 9) | (u32::from(self.month) << 5) | u32::from(self.day)
    }

    pub(crate) fn unpack(p: u32) -> Date {
        Date {
            year: (p >> 9) as u16,
            month: ((p >> 5) & 15) as u8,
            day: (p & 31) as u8,
        }
    }
}

/// Days in a month of the Gregorian calendar.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_dates_are_refused_and_packing_round_trips() {
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(1985, 4, 31).is_none());
        assert!(Date::new(1985, 13, 1).is_none());
        assert!(Date::new(1899, 1, 1).is_none());
        let d = Date::new(1985, 12, 31).unwrap();
        assert_eq!(Date::unpack(d.packed()), d);
        assert!(d.packed() > Date::new(1985, 12, 30).unwrap().packed());
    }
}
