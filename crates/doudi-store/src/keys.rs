//! The data key: encryption of personal identifiers at rest, and the keyed blind index that
//! finds them again.
//!
//! One secret of 32 random bytes (the *data key*, kept in a file or an environment variable,
//! never in the database) yields, through HMAC-SHA256 with fixed labels, four independent
//! values: the AES-256-GCM key that encrypts identity numbers, phone numbers and bank accounts;
//! the HMAC-SHA256 key of the blind index; the HMAC-SHA256 key of the audit chain
//! ([`Keys::audit_mac`]); and the *key id*, a public fingerprint that every
//! ciphertext carries and that the database records, so that a wrong key is named as such
//! instead of producing garbage.
//!
//! A sealed value is text: `v1:<key id>:<base64 of nonce ‖ ciphertext ‖ tag>`, with a random
//! 96-bit nonce per value, and the column it belongs to (`person.id_number`) as associated data,
//! so that a value copied into another column does not decrypt.
//!
//! A blind index is the first 16 bytes of HMAC-SHA256(index key, column ‖ 0 ‖ value), in hex:
//! equal values have equal indexes, so uniqueness and exact search work on it, but without the
//! key nobody can compute the index of a guessed value (an identity number has too few
//! possibilities for an unkeyed hash to hide it).
//!
//! **Invariant:** key material never leaves this module except as the key file's text that
//! [`Keys::generate`] returns; `Debug` shows only the key id, and no error quotes key text.

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The version tag of sealed values.
const SEALED_PREFIX: &str = "v1:";

/// Bytes of the random nonce of each sealed value.
const NONCE_LEN: usize = 12;

/// Bytes of a blind index (before hex).
const INDEX_LEN: usize = 16;

/// The data key and what is derived from it.
#[derive(Clone)]
pub struct Keys {
    id: String,
    cipher: Aes256Gcm,
    index: HmacSha256,
    audit: HmacSha256,
}

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The text is neither 64 hexadecimal characters nor the base64 of 32 bytes.
    #[error(
        "the data key must be 32 bytes written as 64 hexadecimal characters or in base64 \
         (create one with `doudi keys generate FILE`); the key given has {0}"
    )]
    Format(String),
}

/// A column whose values are sealed; its label is the associated data of each value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    /// `persons.id_number`.
    PersonIdNumber,
    /// `persons.phone`.
    PersonPhone,
    /// `households.phone`.
    HouseholdPhone,
    /// `households.bank_account`.
    HouseholdBankAccount,
    /// `rural_registry.id_number`.
    RuralIdNumber,
}

impl Column {
    /// The label bound to every value of the column.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Column::PersonIdNumber => "person.id_number",
            Column::PersonPhone => "person.phone",
            Column::HouseholdPhone => "household.phone",
            Column::HouseholdBankAccount => "household.bank_account",
            Column::RuralIdNumber => "rural_registry.id_number",
        }
    }
}

/// What a blind index is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Index {
    /// A whole identity number (`persons.id_number_bidx`).
    IdNumber,
    /// The last four characters of an identity number (`persons.id_tail_bidx`).
    IdTail,
    /// A whole identity number in the rural poverty registry (`rural_registry.id_key`).
    RuralId,
    /// The identifying fields of a department record (`feed_records.fingerprint`,
    /// `link_decisions.fingerprint`).
    FeedRecord,
    /// A bank account, compared by the funds checks inside the store (5.2); never stored.
    BankAccount,
}

impl Index {
    fn label(self) -> &'static str {
        match self {
            Index::IdNumber => "person.id_number",
            Index::IdTail => "person.id_number.last4",
            Index::RuralId => "rural_registry.id_number",
            Index::FeedRecord => "feed_record.identity",
            Index::BankAccount => "household.bank_account",
        }
    }
}

/// Why a sealed value did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// It was sealed under another key, whose id is given.
    OtherKey(String),
    /// It is not a sealed value, or it was altered (the tag does not verify).
    Damaged,
}

impl Keys {
    /// The keys derived from 32 bytes of key material.
    pub fn from_bytes(material: &[u8; 32]) -> Keys {
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut mac = <HmacSha256 as Mac>::new_from_slice(material)
                .expect("HMAC takes a key of any length");
            mac.update(label);
            mac.finalize().into_bytes().into()
        };
        let encryption = derive(b"doudi/v1/encryption");
        let index = derive(b"doudi/v1/blind-index");
        let id = derive(b"doudi/v1/key-id");
        let audit = derive(b"doudi/v1/audit-chain");
        Keys {
            id: hex(&id[..8]),
            cipher: Aes256Gcm::new(&encryption.into()),
            index: <HmacSha256 as Mac>::new_from_slice(&index)
                .expect("HMAC takes a key of any length"),
            audit: <HmacSha256 as Mac>::new_from_slice(&audit)
                .expect("HMAC takes a key of any length"),
        }
    }

    /// Reads a key written as 64 hexadecimal characters (a key file's content) or as base64
    /// (standard or URL-safe, padded or not); surrounding whitespace is ignored.
    pub fn parse(text: &str) -> Result<Keys, KeyError> {
        let t = text.trim();
        let bytes = if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&t[2 * i..2 * i + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|_| KeyError::Format("a character that is not hexadecimal".into()))?
        } else {
            [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
                .iter()
                .find_map(|engine| engine.decode(t).ok())
                .ok_or_else(|| {
                    KeyError::Format(format!(
                        "{} characters, neither hexadecimal nor base64",
                        t.chars().count()
                    ))
                })?
        };
        let material: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::Format(format!("{} bytes", bytes.len())))?;
        Ok(Keys::from_bytes(&material))
    }

    /// A new random key, as the text of a key file (64 hexadecimal characters and a newline),
    /// and the keys it gives.
    pub fn generate() -> (String, Keys) {
        let mut material = [0u8; 32];
        getrandom::fill(&mut material).expect("the operating system provides random bytes");
        let text = format!("{}\n", hex(&material));
        (text, Keys::from_bytes(&material))
    }

    /// The key id: a fingerprint of the key that reveals nothing of it, recorded in the
    /// database and in every sealed value.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Encrypts a value of a column with a fresh random nonce.
    pub(crate) fn seal(&self, column: Column, plaintext: &str) -> String {
        let nonce = fresh_nonce();
        let ciphertext = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: column.label().as_bytes(),
                },
            )
            .expect("AES-GCM encrypts any value shorter than 64 GiB");
        let mut blob = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ciphertext);
        format!(
            "{SEALED_PREFIX}{}:{}",
            self.id,
            STANDARD_NO_PAD.encode(blob)
        )
    }

    /// Decrypts a value of a column.
    pub(crate) fn open(&self, column: Column, sealed: &str) -> Result<String, OpenError> {
        let rest = sealed
            .strip_prefix(SEALED_PREFIX)
            .ok_or(OpenError::Damaged)?;
        let (key_id, body) = rest.split_once(':').ok_or(OpenError::Damaged)?;
        if key_id != self.id {
            return Err(OpenError::OtherKey(key_id.chars().take(32).collect()));
        }
        let blob = STANDARD_NO_PAD
            .decode(body)
            .map_err(|_| OpenError::Damaged)?;
        if blob.len() < NONCE_LEN {
            return Err(OpenError::Damaged);
        }
        let (nonce, ciphertext) = blob.split_at(NONCE_LEN);
        let plaintext = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: column.label().as_bytes(),
                },
            )
            .map_err(|_| OpenError::Damaged)?;
        String::from_utf8(plaintext).map_err(|_| OpenError::Damaged)
    }

    /// The blind index of a value.
    pub(crate) fn blind_index(&self, index: Index, value: &str) -> String {
        let mut mac = self.index.clone();
        mac.update(index.label().as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex(&mac.finalize().into_bytes()[..INDEX_LEN])
    }

    /// HMAC-SHA256, in lower-case hex, of a canonical serialisation under the audit chain's key
    /// (derived from the data key under its own label): without the data key nobody can
    /// compute an entry's MAC, so nobody can rewrite the chain consistently.
    pub fn audit_mac(&self, canonical: &[u8]) -> String {
        let mut mac = self.audit.clone();
        mac.update(canonical);
        hex(&mac.finalize().into_bytes())
    }

    /// The blind index of an identity number.
    pub(crate) fn rural_index(&self, id_number: &str) -> String {
        self.blind_index(Index::RuralId, id_number)
    }

    /// The keyed fingerprint of a department record's identifying fields.
    pub(crate) fn feed_fingerprint(&self, identity: &str) -> String {
        self.blind_index(Index::FeedRecord, identity)
    }

    /// The keyed fingerprint of a bank account's digits, for comparing accounts without
    /// showing them (the funds checks, 5.2).
    pub(crate) fn account_fingerprint(&self, digits: &str) -> String {
        self.blind_index(Index::BankAccount, digits)
    }

    /// The blind index of a whole identity number in `persons.id_number_bidx`.
    pub(crate) fn id_number_index(&self, id_number: &str) -> String {
        self.blind_index(Index::IdNumber, id_number)
    }

    /// The blind index of the last four characters of an identity number (or of a search's
    /// tail of at least four).
    pub(crate) fn id_tail_index(&self, id_number: &str) -> String {
        let tail = &id_number[id_number.len().saturating_sub(4)..];
        self.blind_index(Index::IdTail, tail)
    }
}

impl fmt::Debug for Keys {
    /// Only the key id: key material never reaches a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keys(id {})", self.id)
    }
}

/// Nonces drawn from the operating system at a time, per thread.
const NONCES_PER_DRAW: usize = 256;

/// A random nonce. The operating system's random bytes are drawn 256 nonces at a time (one
/// system call instead of 256: an import seals half a million values), and each is used once.
fn fresh_nonce() -> [u8; NONCE_LEN] {
    thread_local! {
        static POOL: std::cell::RefCell<([u8; NONCE_LEN * NONCES_PER_DRAW], usize)> =
            const { std::cell::RefCell::new(([0; NONCE_LEN * NONCES_PER_DRAW], NONCE_LEN * NONCES_PER_DRAW)) };
    }
    POOL.with_borrow_mut(|(bytes, used)| {
        if *used == bytes.len() {
            getrandom::fill(bytes).expect("the operating system provides random bytes");
            *used = 0;
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&bytes[*used..*used + NONCE_LEN]);
        *used += NONCE_LEN;
        nonce
    })
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(byte: u8) -> Keys {
        Keys::from_bytes(&[byte; 32])
    }

    #[test]
    fn a_sealed_value_opens_with_its_key_and_column_only() {
        let k = keys(1);
        let sealed = k.seal(Column::PersonIdNumber, "11010519491231002X");
        assert!(!sealed.contains("1231002X"));
        assert_eq!(
            k.open(Column::PersonIdNumber, &sealed).as_deref(),
            Ok("11010519491231002X")
        );
        assert_eq!(
            k.open(Column::PersonPhone, &sealed),
            Err(OpenError::Damaged),
            "the column is bound as associated data"
        );
        assert_eq!(
            keys(2).open(Column::PersonIdNumber, &sealed),
            Err(OpenError::OtherKey(k.id().to_owned()))
        );
    }

    #[test]
    fn the_same_value_seals_differently_each_time() {
        let k = keys(1);
        assert_ne!(
            k.seal(Column::HouseholdPhone, "13800138000"),
            k.seal(Column::HouseholdPhone, "13800138000")
        );
    }

    #[test]
    fn an_altered_sealed_value_is_damaged_not_garbage() {
        let k = keys(1);
        let mut sealed = k.seal(Column::HouseholdBankAccount, "6222020200112233445");
        let last = sealed.pop().unwrap();
        sealed.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(
            k.open(Column::HouseholdBankAccount, &sealed),
            Err(OpenError::Damaged)
        );
        assert_eq!(
            k.open(Column::HouseholdBankAccount, "6222020200112233445"),
            Err(OpenError::Damaged),
            "plaintext is not a sealed value"
        );
    }

    #[test]
    fn blind_indexes_are_keyed_and_separate_whole_numbers_from_tails() {
        let (a, b) = (keys(1), keys(2));
        let id = "11010519491231002X";
        assert_eq!(a.id_number_index(id), a.id_number_index(id));
        assert_ne!(a.id_number_index(id), b.id_number_index(id));
        assert_eq!(a.id_tail_index(id), a.id_tail_index("002X"));
        assert_ne!(a.id_tail_index("002X"), a.id_number_index("002X"));
        assert_eq!(a.id_number_index(id).len(), 32);
    }

    #[test]
    fn a_key_is_read_from_hex_or_base64_and_anything_else_is_refused() {
        let hex_text = "07".repeat(32);
        let from_hex = Keys::parse(&format!("{hex_text}\n")).unwrap();
        assert_eq!(from_hex.id(), keys(7).id());
        let from_base64 = Keys::parse(&STANDARD.encode([7u8; 32])).unwrap();
        assert_eq!(from_base64.id(), keys(7).id());
        let e = Keys::parse("not a key").unwrap_err();
        assert!(e.to_string().contains("64 hexadecimal"), "{e}");
        let e = Keys::parse(&STANDARD.encode([7u8; 16])).unwrap_err();
        assert!(e.to_string().contains("16 bytes"), "{e}");
        assert!(!format!("{from_hex:?}").contains(&hex_text));
    }

    #[test]
    fn a_generated_key_reads_back_as_itself() {
        let (text, k) = Keys::generate();
        assert_eq!(text.trim().len(), 64);
        assert_eq!(Keys::parse(&text).unwrap().id(), k.id());
        assert_ne!(Keys::generate().1.id(), k.id());
    }
}
