//! Produced with jose 6 + @noble/ciphers (`managedNonce(xchacha20poly1305)`), i.e.
//! the code path of Better Auth's `createJwk` / `symmetricEncrypt` / `signJWT`.

pub const KID: &str = "Jk3Lm9Np2Qr5St8Uv1Wx4Yz7Ab0Cd6Ef";
pub const PUBLIC_KEY_COLUMN: &str =
    r#"{"crv":"Ed25519","x":"ESiNgvO48qtnPs5OpxSHolMYtYTq0sp7mebf3tHx-Lg","kty":"OKP"}"#;
pub const PRIVATE_JWK: &str = r#"{"crv":"Ed25519","d":"AZQT5_KB9YrfxPok8j5TjJ7Fp2fO8KfY9vOhqIB40uE","x":"ESiNgvO48qtnPs5OpxSHolMYtYTq0sp7mebf3tHx-Lg","kty":"OKP"}"#;
pub const PRIVATE_KEY_COLUMN: &str = "\"701a555a8cc59ed0c3c8d33fe20b916bde46aee937d32f05a2e69ff43dfcdcde0f3de146227f68b7b429fb5e6023a15cf01a4d919e97901ae61981f8a1db5dda56eae297c16e1b9f7712f78e91fbeccd28755335c3d38cc25a5456a6d0c48669c20f3039fac86102397b6ef0e61c05309fddc7e2aa0f2ed99058f60e77282ee366e78c8491ea9261f1d7f18ac20fa1b453c1004d61925bc694c9c87ddf6d736c50aedd8c40aff19c4b\"";
/// iat 1700000000, exp +900, iss = aud = http://localhost:3000, sub u1.
pub const EDDSA_TOKEN: &str = "eyJhbGciOiJFZERTQSIsImtpZCI6IkprM0xtOU5wMlFyNVN0OFV2MVd4NFl6N0FiMENkNkVmIn0.eyJpZCI6InUxIiwiZW1haWwiOiJhQGIuY28iLCJzdWIiOiJ1MSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAwOTAwLCJpc3MiOiJodHRwOi8vbG9jYWxob3N0OjMwMDAiLCJhdWQiOiJodHRwOi8vbG9jYWxob3N0OjMwMDAifQ.0budyn8yg3R7DHZyS6e17hI6v9ZR5DaQ1rs214GbtmAbLa63vKawjmw9yrO8zIgvYUO3QSu45WlCuzcdXCSgCw";
/// Email-verification shape: `{email, iat, exp}`, header `{"alg":"HS256"}`.
pub const HS256_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJlbWFpbCI6ImFAYi5jbyIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwfQ.kUW-uC1JJL_mT6fy5IEXEVqjSWi7aXR6ZOBeRlPIKlE";
