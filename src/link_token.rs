//! The random tokens in links that mails carry (confirmations, resets, invitations): the plain
//! token goes into the mail, only its SHA-256 into the database, so a leaked database holds
//! no working link.

use sha2::{Digest, Sha256};

/// A new token: 32 random bytes, hex-encoded.
pub fn new() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// What the database keeps of a token.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
