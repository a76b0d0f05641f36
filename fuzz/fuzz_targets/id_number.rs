//! The parsers of what people type, on one text: identity numbers, months, days, amounts,
//! division codes, phone numbers and bank accounts. Each gives a value or an error; a value's
//! canonical text parses again to the same value.

#![no_main]

use chrono::NaiveDate;
use doudi_core::date::parse_day;
use doudi_core::{BankAccount, DivisionCode, IdNumber, Money, Month, Phone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).expect("a date");

    if let Ok(id) = IdNumber::parse(&text, today) {
        // Valid by construction: every accessor works, and the 18 characters read back as the
        // same number.
        let _ = (id.area_code(), id.birth_date(), id.sex(), id.masked());
        assert_eq!(id.as_str().len(), 18);
        assert!(id.birth_date() <= today);
        assert_eq!(IdNumber::parse(id.as_str(), today).ok(), Some(id.clone()));
        assert_eq!(IdNumber::normalise(id.as_str()), id.as_str());
    }
    if let Ok(month) = Month::parse(&text) {
        assert_eq!(Month::parse(&month.to_string()).ok(), Some(month));
        let _ = (month.first_day(), month.minus(1), month.plus(1));
    }
    if let Ok(day) = parse_day(&text) {
        assert_eq!(
            parse_day(&day.format("%Y-%m-%d").to_string()).ok(),
            Some(day)
        );
    }
    if let Ok(money) = Money::parse_yuan(&text) {
        // The form files are written in (`1234.50`) reads back as the same amount.
        assert_eq!(Money::parse_yuan(&money.to_yuan_string()).ok(), Some(money));
        if !money.is_negative() {
            assert_eq!(Money::parse_yuan(&money.to_string()).ok(), Some(money));
        }
    }
    if let Ok(code) = DivisionCode::parse(&text) {
        assert_eq!(DivisionCode::parse(code.as_str()).ok(), Some(code.clone()));
        assert!(code.contains(&code) && code.township().contains(&code));
    }
    if let Ok(phone) = Phone::parse(&text) {
        let _ = phone.masked();
        assert_eq!(Phone::parse(phone.as_str()).ok(), Some(phone));
    }
    if let Ok(account) = BankAccount::parse(&text) {
        let _ = account.masked();
        assert_eq!(BankAccount::parse(account.as_str()).ok(), Some(account));
    }
});
