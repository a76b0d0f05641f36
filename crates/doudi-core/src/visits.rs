//! Visits to households (走访记录) and visit campaigns (走访活动), 3.3 and 4.3
//! ("帮困不漏户、户户见干部": no household missed, every household sees a cadre). This module
//! holds the vocabulary and the limits on attachments; storage and pages are elsewhere.

use crate::vocabulary;

vocabulary! {
    /// What kind of visit it was (3.3).
    VisitKind, "走访类型" {
        /// A routine visit (日常走访).
        Routine = ("routine", "日常走访"),
        /// A holiday visit with greetings and help (节日慰问).
        Holiday = ("holiday", "节日慰问"),
        /// A follow-up on what an earlier visit found (回访).
        FollowUp = ("follow_up", "回访"),
    }
}

/// The largest attachment kept, in bytes (2 MiB).
pub const MAX_ATTACHMENT_BYTES: usize = 2 * 1024 * 1024;

/// The most attachments one visit keeps.
pub const MAX_ATTACHMENTS: usize = 3;

/// The media types an attachment may have: photos and PDF files.
pub const ATTACHMENT_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp", "application/pdf"];

/// The days without a visit after which a household counts as not recently visited, unless the
/// reader asks for another number (4.3).
pub const DEFAULT_COVERAGE_DAYS: u32 = 90;

/// Whether the bytes are what the media type says: the magic numbers of JPEG, PNG, WebP and
/// PDF. A file that claims a type it does not have is refused.
pub fn attachment_matches(media_type: &str, bytes: &[u8]) -> bool {
    match media_type {
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/webp" => bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        "application/pdf" => bytes.starts_with(b"%PDF-"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visit_kinds_have_stable_codes_and_chinese_labels() {
        assert_eq!(VisitKind::parse("holiday").unwrap(), VisitKind::Holiday);
        assert_eq!(VisitKind::FollowUp.label(), "回访");
        assert_eq!(VisitKind::ALL.len(), 3);
    }

    #[test]
    fn an_attachment_must_be_what_its_type_says() {
        assert!(attachment_matches("application/pdf", b"%PDF-1.7 ..."));
        assert!(attachment_matches("image/png", b"\x89PNG\r\n\x1a\n...."));
        assert!(!attachment_matches("image/png", b"%PDF-1.7"));
        assert!(!attachment_matches("text/html", b"<html>"));
    }
}
