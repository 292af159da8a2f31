//! The verdict on a presented key whose secret matched.

use chrono::{DateTime, Utc};

use super::{ApiKey, Roles, Status};

/// The outcome of presenting a key whose secret matched its stored hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    /// Unknown, deleted, wrong secret, malformed, never issued, or retired
    /// after a rotation: not told apart, so that IDs cannot be probed.
    Rejected,
    /// Right secret, but past the freeze; `renew` revives it.
    Frozen,
    /// Valid, but without these roles that were asked for.
    MissingRoles(Roles),
}

impl Verdict {
    /// Judges a key whose secret matched, against the roles `wanted`.
    pub fn of(key: &ApiKey, wanted: &Roles, now: DateTime<Utc>) -> Verdict {
        match key.status(now) {
            Status::Unissued | Status::Retired => Verdict::Rejected,
            Status::Frozen => Verdict::Frozen,
            // A retiring key works through its grace, unless it froze first.
            Status::Retiring if super::status(key.freezes_at, now) == Status::Frozen => {
                Verdict::Frozen
            }
            Status::Active | Status::Expiring | Status::Retiring => {
                let missing = key.roles.missing(wanted);
                if missing.is_empty() {
                    Verdict::Valid
                } else {
                    Verdict::MissingRoles(missing)
                }
            }
        }
    }

    /// The word scripts branch on (`code` in JSON).
    pub fn code(&self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Rejected => "rejected",
            Verdict::Frozen => "frozen",
            Verdict::MissingRoles(_) => "missing_role",
        }
    }

    /// The process exit code documented for `verify`.
    pub fn exit_code(&self) -> u8 {
        match self {
            Verdict::Valid => 0,
            Verdict::Rejected => 1,
            Verdict::Frozen => 3,
            Verdict::MissingRoles(_) => 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{Role, issued_test_key};
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    fn issued_key(created: DateTime<Utc>) -> ApiKey {
        issued_test_key("k", Roles::new([Role::Accounts]), created)
    }

    #[test]
    fn verdicts_follow_freeze_roles_and_issue() {
        let key = issued_key(t0());
        let none = Roles::default();
        let accounts = Roles::new([Role::Accounts]);
        let payments = Roles::new([Role::Payments]);
        assert_eq!(Verdict::of(&key, &none, t0()), Verdict::Valid);
        assert_eq!(
            Verdict::of(&key, &accounts, t0() + Duration::days(80)),
            Verdict::Valid
        );
        assert_eq!(
            Verdict::of(&key, &payments, t0()),
            Verdict::MissingRoles(payments.clone())
        );
        // Frozen wins over a missing role: renewing is the first fix.
        assert_eq!(
            Verdict::of(&key, &payments, t0() + Duration::days(90)),
            Verdict::Frozen
        );
        let unissued = ApiKey {
            issued: false,
            ..key
        };
        assert_eq!(Verdict::of(&unissued, &none, t0()), Verdict::Rejected);
    }

    #[test]
    fn a_retiring_key_is_valid_until_it_retires_or_freezes() {
        let none = Roles::default();
        let key = ApiKey {
            retires_at: Some(t0() + Duration::hours(24)),
            ..issued_key(t0())
        };
        assert_eq!(Verdict::of(&key, &none, t0()), Verdict::Valid);
        let payments = Roles::new([Role::Payments]);
        assert_eq!(
            Verdict::of(&key, &payments, t0()),
            Verdict::MissingRoles(payments)
        );
        let last_second = t0() + Duration::hours(24) - Duration::seconds(1);
        assert_eq!(Verdict::of(&key, &none, last_second), Verdict::Valid);
        let retired = t0() + Duration::hours(24);
        assert_eq!(Verdict::of(&key, &none, retired), Verdict::Rejected);
        let frozen = ApiKey {
            retires_at: Some(t0() + Duration::days(91)),
            ..key
        };
        assert_eq!(
            Verdict::of(&frozen, &none, t0() + Duration::days(90)),
            Verdict::Frozen
        );
    }

    #[test]
    fn verdict_exit_codes_are_distinct() {
        let codes = [
            Verdict::Valid.exit_code(),
            Verdict::Rejected.exit_code(),
            Verdict::Frozen.exit_code(),
            Verdict::MissingRoles(Roles::default()).exit_code(),
        ];
        assert_eq!(codes, [0, 1, 3, 4]);
    }
}
