//! Password rules and hashing: argon2id with at least OWASP's parameters, 12 to 128
//! characters, and no password that zxcvbn finds easy to guess (common passwords, names,
//! keyboard walks, the person's own email or name).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

/// OWASP (2024): argon2id, 19 MiB, 2 iterations, 1 lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a password is refused, in Dutch.
pub fn check_policy(password: &str, personal: &[&str]) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_CHARS {
        return Err(format!("Kies een wachtwoord van minstens {MIN_CHARS} tekens."));
    }
    if length > MAX_CHARS {
        return Err(format!("Een wachtwoord mag hoogstens {MAX_CHARS} tekens lang zijn."));
    }
    let estimate = zxcvbn::zxcvbn(password, personal);
    if (estimate.score() as u8) < 3 {
        return Err("Dit wachtwoord is te makkelijk te raden (het lijkt op een veelgebruikt wachtwoord, \
                    een naam of een reeks). Kies een langere zin of een wachtwoordmanager."
            .into());
    }
    Ok(())
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(password.as_bytes(), &salt).expect("argon2 hashes any input").to_string()
}

/// Checks a password against a stored hash; `None` (no password set yet) never matches
/// but costs the same time, so response times do not reveal which accounts exist.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash("dummy password for timing"));
    let (stored, real) = match stored {
        Some(stored) => (stored, true),
        None => (DUMMY.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    hasher().verify_password(password.as_bytes(), &parsed).is_ok() && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert!(check_policy("kort", &[]).is_err());
        assert!(check_policy("wachtwoord123", &[]).is_err(), "common password");
        assert!(check_policy("123456789012", &[]).is_err());
        assert!(check_policy("annadevries@example.nl", &["annadevries@example.nl"]).is_err());
        assert!(check_policy(&"a".repeat(129), &[]).is_err());
        assert!(check_policy("paarse olifanten dansen op het dak", &[]).is_ok());
    }

    #[test]
    fn hash_and_verify() {
        let stored = hash("paarse olifanten dansen op het dak");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("paarse olifanten dansen op het dak", Some(&stored)));
        assert!(!verify("paarse olifanten dansen op het dek", Some(&stored)));
        assert!(!verify("dummy password for timing", None));
    }
}
