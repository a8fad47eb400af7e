//! The catalog: every error a client can be sent, with its HTTP status, Better Auth's
//! wire code and its default words.

/// Every error a client can be sent, with its status, wire code and default words:
/// the one table both doors answer from. Names say what happened; the wire codes are
/// Better Auth's (the official client switches on them) or, for the tasks API, ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    // Sign-in, sign-up, passwords.
    Unauthorized,
    InvalidCredentials,
    InvalidEmail,
    InvalidPassword,
    PasswordTooShort,
    PasswordTooLong,
    PasswordRequired,
    UserExists,
    NameRequired,
    CredentialAccountNotFound,
    // Sessions and account.
    SessionNotFresh,
    SessionExpired,
    EmailCannotBeUpdated,
    EmailMismatch,
    EmailAlreadyVerified,
    NoFieldsToUpdate,
    DeferSessionRequired,
    // Two-factor sign-in (Better Auth's twoFactor plugin).
    InvalidTwoFactorCookie,
    InvalidTwoFactorCode,
    InvalidBackupCode,
    TotpNotEnabled,
    TwoFactorNotEnabled,
    BackupCodesNotEnabled,
    OtpHasExpired,
    OtpNotConfigured,
    TooManyTwoFactorAttempts,
    TwoFactorLocked,
    BackupCodeRace,
    // Passkeys (Better Auth's passkey plugin).
    PasskeyChallengeNotFound,
    PasskeyNotAllowed,
    PasskeyRegistrationFailed,
    PasskeyNotFound,
    PasskeyUnknownCredential,
    PasskeyNotOwned,
    PasskeyAuthenticationFailed,
    PasskeyOriginMissing,
    // Social sign-in.
    ProviderNotFound,
    ProviderUnavailable,
    LastAccount,
    AccountNotFound,
    IdTokenNotSupported,
    InvalidIdToken,
    UserEmailNotFound,
    OAuthLinkError,
    ProviderNotSupported,
    RefreshTokenNotFound,
    FailedToGetAccessToken,
    FailedToRefreshAccessToken,
    AccessTokenNotFound,
    FailedToGetUserInfo,
    // Tokens.
    InvalidResetToken,
    InvalidVerificationToken,
    VerificationTokenExpired,
    UserNotFound,
    MissingBearer,
    InvalidBearer,
    DeletedUser,
    JwtIssuingDisabled,
    // Origin and redirects.
    MissingOrNullOrigin,
    InvalidOrigin,
    CrossSiteLogin,
    InvalidCallbackUrl,
    InvalidRedirectUrl,
    InvalidErrorCallbackUrl,
    InvalidNewUserCallbackUrl,
    // Request shape.
    InvalidBody,
    InvalidJson,
    BodyMustBeAnObject,
    UnsupportedMediaType,
    PayloadTooLarge,
    InvalidTask,
    InvalidTaskBody,
    TaskMediaType,
    // The tasks API's resources.
    TaskNotFound,
    NoSuchEndpoint,
    NotYourTasks,
    // Load and failures.
    TooManyRequests,
    TooManyStreams,
    Unavailable,
    Internal,
}

impl Code {
    /// `(status, wire code, default message)`; a `None` code is a `{message}`-only body.
    pub const fn parts(self) -> (u16, Option<&'static str>, &'static str) {
        use Code::*;
        match self {
            Unauthorized => (401, Some("UNAUTHORIZED"), "Unauthorized"),
            InvalidCredentials => (
                401,
                Some("INVALID_EMAIL_OR_PASSWORD"),
                "Invalid email or password",
            ),
            InvalidEmail => (400, Some("INVALID_EMAIL"), "Invalid email"),
            InvalidPassword => (400, Some("INVALID_PASSWORD"), "Invalid password"),
            PasswordTooShort => (400, Some("PASSWORD_TOO_SHORT"), "Password too short"),
            PasswordTooLong => (400, Some("PASSWORD_TOO_LONG"), "Password too long"),
            PasswordRequired => (
                400,
                Some("PASSWORD_REQUIRED"),
                "Enter your password to delete the account.",
            ),
            UserExists => (
                422,
                Some("USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"),
                "User already exists. Use another email.",
            ),
            NameRequired => (400, Some("NAME_REQUIRED"), "Please tell us your name."),
            CredentialAccountNotFound => (
                400,
                Some("CREDENTIAL_ACCOUNT_NOT_FOUND"),
                "Credential account not found",
            ),
            SessionNotFresh => (403, Some("SESSION_NOT_FRESH"), "Session is not fresh"),
            SessionExpired => (
                400,
                Some("SESSION_EXPIRED"),
                "Session expired. Re-authenticate to perform this action.",
            ),
            EmailCannotBeUpdated => (
                400,
                Some("EMAIL_CAN_NOT_BE_UPDATED"),
                "Email can not be updated",
            ),
            EmailMismatch => (400, Some("EMAIL_MISMATCH"), "Email mismatch"),
            EmailAlreadyVerified => (
                400,
                Some("EMAIL_ALREADY_VERIFIED"),
                "Email is already verified",
            ),
            NoFieldsToUpdate => (400, None, "No fields to update"),
            DeferSessionRequired => (
                405,
                Some("METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED"),
                "POST method requires deferSessionRefresh to be enabled in session config",
            ),
            InvalidTwoFactorCookie => (
                401,
                Some("INVALID_TWO_FACTOR_COOKIE"),
                "Invalid two factor cookie",
            ),
            InvalidTwoFactorCode => (401, Some("INVALID_CODE"), "Invalid code"),
            InvalidBackupCode => (401, Some("INVALID_BACKUP_CODE"), "Invalid backup code"),
            TotpNotEnabled => (400, Some("TOTP_NOT_ENABLED"), "TOTP not enabled"),
            TwoFactorNotEnabled => (
                400,
                Some("TWO_FACTOR_NOT_ENABLED"),
                "Two factor isn't enabled",
            ),
            BackupCodesNotEnabled => (
                400,
                Some("BACKUP_CODES_NOT_ENABLED"),
                "Backup codes aren't enabled",
            ),
            OtpHasExpired => (400, Some("OTP_HAS_EXPIRED"), "OTP has expired"),
            OtpNotConfigured => (400, Some("OTP_NOT_CONFIGURED"), "OTP is not available"),
            TooManyTwoFactorAttempts => (
                400,
                Some("TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE"),
                "Too many attempts. Please request a new code.",
            ),
            TwoFactorLocked => (
                429,
                Some("ACCOUNT_TEMPORARILY_LOCKED"),
                "Too many failed verification attempts. Your account is temporarily locked. Please try again later.",
            ),
            BackupCodeRace => (
                409,
                Some("CONFLICT"),
                "Failed to verify backup code. Please try again.",
            ),
            PasskeyChallengeNotFound => (400, Some("CHALLENGE_NOT_FOUND"), "Challenge not found"),
            PasskeyNotAllowed => (
                401,
                Some("YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY"),
                "You are not allowed to register this passkey",
            ),
            PasskeyRegistrationFailed => (
                400,
                Some("FAILED_TO_VERIFY_REGISTRATION"),
                "Failed to verify registration",
            ),
            PasskeyNotFound => (404, Some("PASSKEY_NOT_FOUND"), "Passkey not found"),
            PasskeyUnknownCredential => (401, Some("PASSKEY_NOT_FOUND"), "Passkey not found"),
            PasskeyNotOwned => (401, Some("UNAUTHORIZED"), "Unauthorized"),
            PasskeyAuthenticationFailed => (
                401,
                Some("AUTHENTICATION_FAILED"),
                "Authentication failed",
            ),
            PasskeyOriginMissing => (400, Some("BAD_REQUEST"), "origin missing"),
            ProviderNotFound => (404, Some("PROVIDER_NOT_FOUND"), "Provider not found"),
            ProviderUnavailable => (
                503,
                Some("PROVIDER_UNAVAILABLE"),
                "The sign-in provider cannot be reached right now. Please try again shortly.",
            ),
            LastAccount => (
                400,
                Some("FAILED_TO_UNLINK_LAST_ACCOUNT"),
                "You can't unlink your last account",
            ),
            AccountNotFound => (400, Some("ACCOUNT_NOT_FOUND"), "Account not found"),
            IdTokenNotSupported => (404, Some("ID_TOKEN_NOT_SUPPORTED"), "id_token not supported"),
            InvalidIdToken => (401, Some("INVALID_TOKEN"), "Invalid token"),
            UserEmailNotFound => (401, Some("USER_EMAIL_NOT_FOUND"), "User email not found"),
            // Its message is the callback's error code (`account_not_linked`).
            OAuthLinkError => (401, Some("OAUTH_LINK_ERROR"), "account_not_linked"),
            ProviderNotSupported => (400, Some("PROVIDER_NOT_SUPPORTED"), "Provider is not supported."),
            RefreshTokenNotFound => (400, Some("REFRESH_TOKEN_NOT_FOUND"), "Refresh token not found"),
            FailedToGetAccessToken => (
                400,
                Some("FAILED_TO_GET_ACCESS_TOKEN"),
                "Failed to get a valid access token",
            ),
            AccessTokenNotFound => (400, Some("ACCESS_TOKEN_NOT_FOUND"), "Access token not found"),
            FailedToGetUserInfo => (401, Some("FAILED_TO_GET_USER_INFO"), "Failed to get user info"),
            FailedToRefreshAccessToken => (
                400,
                Some("FAILED_TO_REFRESH_ACCESS_TOKEN"),
                "Failed to refresh access token",
            ),
            InvalidResetToken => (400, Some("INVALID_TOKEN"), "Invalid token"),
            InvalidVerificationToken => (401, Some("INVALID_TOKEN"), "Invalid token"),
            VerificationTokenExpired => (401, Some("TOKEN_EXPIRED"), "Token expired"),
            UserNotFound => (401, Some("USER_NOT_FOUND"), "User not found"),
            MissingBearer => (
                401,
                Some("MISSING_TOKEN"),
                "Authentication required: send Authorization: Bearer <jwt>",
            ),
            InvalidBearer => (401, Some("INVALID_TOKEN"), "Invalid or expired token"),
            DeletedUser => (
                401,
                Some("INVALID_TOKEN"),
                "The account behind this token no longer exists",
            ),
            JwtIssuingDisabled => (
                400,
                Some("JWT_ISSUING_DISABLED"),
                "Tokens are issued by the external auth server",
            ),
            MissingOrNullOrigin => (
                403,
                Some("MISSING_OR_NULL_ORIGIN"),
                "Missing or null Origin",
            ),
            InvalidOrigin => (403, Some("INVALID_ORIGIN"), "Invalid origin"),
            CrossSiteLogin => (
                403,
                Some("CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"),
                "Cross-site navigation login blocked. This request appears to be a CSRF attack.",
            ),
            InvalidCallbackUrl => (403, Some("INVALID_CALLBACK_URL"), "Invalid callback URL"),
            InvalidRedirectUrl => (403, Some("INVALID_REDIRECT_URL"), "Invalid redirect URL"),
            InvalidErrorCallbackUrl => (
                403,
                Some("INVALID_ERROR_CALLBACK_URL"),
                "Invalid error callback URL",
            ),
            InvalidNewUserCallbackUrl => (
                403,
                Some("INVALID_NEW_USER_CALLBACK_URL"),
                "Invalid new user callback URL",
            ),
            InvalidBody => (400, Some("VALIDATION_ERROR"), "Invalid request body"),
            InvalidJson => (400, Some("INVALID_JSON"), "The body is not valid JSON"),
            BodyMustBeAnObject => (
                400,
                Some("BODY_MUST_BE_AN_OBJECT"),
                "Body must be an object",
            ),
            UnsupportedMediaType => (
                415,
                Some("UNSUPPORTED_MEDIA_TYPE"),
                "Unsupported media type. Use application/json.",
            ),
            PayloadTooLarge => (413, Some("PAYLOAD_TOO_LARGE"), "Request body is too large"),
            InvalidTaskBody => (400, Some("INVALID_BODY"), "The body must be a JSON object"),
            TaskMediaType => (
                415,
                Some("UNSUPPORTED_MEDIA_TYPE"),
                "Send the body as application/json",
            ),
            InvalidTask => (422, Some("VALIDATION_ERROR"), "Invalid task"),
            TaskNotFound => (404, Some("NOT_FOUND"), "Task not found"),
            NoSuchEndpoint => (404, Some("NOT_FOUND"), "No such API endpoint"),
            NotYourTasks => (403, Some("FORBIDDEN"), "You can only access your own tasks"),
            TooManyRequests => (429, None, "Too many requests. Please try again later."),
            TooManyStreams => (
                429,
                Some("TOO_MANY_STREAMS"),
                "Too many open event streams for this user. Close one first.",
            ),
            Unavailable => (
                503,
                Some("SERVICE_UNAVAILABLE"),
                "The service is temporarily unavailable. Please try again shortly.",
            ),
            Internal => (
                500,
                Some("INTERNAL_SERVER_ERROR"),
                "Something went wrong on our side. Please try again.",
            ),
        }
    }

    pub const fn status(self) -> u16 {
        self.parts().0
    }

    pub const fn wire(self) -> Option<&'static str> {
        self.parts().1
    }

    pub const fn message(self) -> &'static str {
        self.parts().2
    }
}
