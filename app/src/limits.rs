//! What the forms accept, in one place: every `maxlength`/`minlength` and every number in
//! the words comes from here. The values are the core's (`taskdeck::tasks`,
//! `taskdeck::auth`), repeated because the WASM build does not link the core; a test on
//! the server build pins each one to its source.

/// A task's title, in characters.
pub const TITLE_MAX: usize = 200;
/// A task's description, in characters.
pub const DESCRIPTION_MAX: usize = 1000;
/// Tags on one task.
pub const TAGS_MAX: usize = 10;
/// One tag, in characters.
pub const TAG_MAX_LEN: usize = 32;
/// A user's name, in characters.
pub const NAME_MAX: usize = 255;
/// A password, in characters (Better Auth's defaults).
pub const MIN_PASSWORD_LEN: usize = 8;
pub const MAX_PASSWORD_LEN: usize = 128;
/// A code from an authenticator app or a mail: six digits, a space allowed in the middle.
pub const CODE_MIN_LEN: usize = 6;
pub const CODE_MAX_LEN: usize = 7;
/// A backup code: ten characters, a dash allowed in the middle.
pub const BACKUP_CODE_MIN_LEN: usize = 10;
pub const BACKUP_CODE_MAX_LEN: usize = 11;

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_forms_accept_what_the_core_accepts() {
        use taskdeck::{auth, tasks::model};
        assert_eq!(TITLE_MAX, model::TITLE_MAX);
        assert_eq!(DESCRIPTION_MAX, model::DESCRIPTION_MAX);
        assert_eq!(TAGS_MAX, model::TAGS_MAX);
        assert_eq!(TAG_MAX_LEN, model::TAG_MAX_LEN);
        assert_eq!(NAME_MAX, auth::NAME_MAX);
        assert_eq!(MIN_PASSWORD_LEN, auth::MIN_PASSWORD_LEN);
        assert_eq!(MAX_PASSWORD_LEN, auth::MAX_PASSWORD_LEN);
    }
}

/// The repetitions the editor offers: (RRULE as stored, words). The empty rule is a
/// one-off task.
pub const REPEAT_CHOICES: [(&str, &str); 6] = [
    ("", "Does not repeat"),
    ("FREQ=DAILY", "Every day"),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Every weekday"),
    ("FREQ=WEEKLY", "Every week"),
    ("FREQ=MONTHLY", "Every month"),
    ("FREQ=YEARLY", "Every year"),
];
