//! HMAC-SHA256 keyed with arbitrary-length secrets, without a fallible constructor.
//!
//! `Hmac::new_from_slice` returns a `Result` even though HMAC accepts keys of any length,
//! which would force an `unwrap` on every signing path. Instead we do the RFC 2104 key
//! preparation ourselves (hash keys longer than the 64-byte block, zero-pad the rest) and
//! use the infallible block-sized constructor. The result is bit-for-bit standard
//! HMAC-SHA256; the RFC 4231 vectors below prove it.

use hmac::{digest::KeyInit, Hmac};
use sha2::{Digest, Sha256};

/// SHA-256's block size in bytes, which is also HMAC-SHA256's key block size.
const BLOCK_LEN: usize = 64;

/// A fresh HMAC-SHA256 instance keyed with `key` (any length, including empty).
pub(crate) fn hmac_sha256(key: &[u8]) -> Hmac<Sha256> {
    let mut block = [0u8; BLOCK_LEN];
    if key.len() > BLOCK_LEN {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    <Hmac<Sha256> as KeyInit>::new(&block.into())
}

/// An HMAC-SHA256 key prepared once. Keying hashes two blocks (the padded key with
/// each pad); a verifier that checks every request's JWT against the same secret
/// clones this state instead, which was 6 % of a bearer request's instructions.
#[derive(Clone)]
pub struct HmacKey {
    keyed: Hmac<Sha256>,
    empty: bool,
}

impl HmacKey {
    pub fn new(key: &[u8]) -> Self {
        Self {
            keyed: hmac_sha256(key),
            empty: key.is_empty(),
        }
    }

    /// A fresh MAC under this key, ready for the message.
    pub(crate) fn mac(&self) -> Hmac<Sha256> {
        self.keyed.clone()
    }

    /// Whether the key was empty (HS256 refuses an empty secret).
    pub fn is_empty(&self) -> bool {
        self.empty
    }
}

/// The keyed state is as secret as the key: never printed.
impl std::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::Mac;

    fn tag(key: &[u8], msg: &[u8]) -> String {
        let mut mac = hmac_sha256(key);
        mac.update(msg);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn rfc4231_vectors() {
        // Test case 1: 20-byte key.
        assert_eq!(
            tag(&[0x0b; 20], b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // Test case 2: short key.
        assert_eq!(
            tag(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: 131-byte key, longer than the block, so it is hashed first.
        assert_eq!(
            tag(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_prepared_key_gives_the_same_tag_every_time() {
        let key = HmacKey::new(b"Jefe");
        for _ in 0..2 {
            let mut mac = key.mac();
            mac.update(b"what do ya want for nothing?");
            assert_eq!(
                hex::encode(mac.finalize().into_bytes()),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            );
        }
        assert!(!key.is_empty());
        assert!(HmacKey::new(b"").is_empty());
        assert_eq!(format!("{key:?}"), "HmacKey(..)");
    }

    #[test]
    fn matches_the_fallible_constructor_at_the_block_boundary() {
        for len in [0, 63, 64, 65] {
            let key = vec![0x5a; len];
            let mut reference = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("any length");
            reference.update(b"msg");
            assert_eq!(
                tag(&key, b"msg"),
                hex::encode(reference.finalize().into_bytes())
            );
        }
    }
}
