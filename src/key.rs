//! The domain: roles, the lifecycle rules and the key record.
//!
//! Nothing here touches the clock, the terminal or the database: every rule is
//! a plain function of `now`, so the 90-day and 14-day boundaries are unit tests.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

mod verdict;

pub use verdict::Verdict;

/// How long a key is usable after it is created or renewed.
pub const LIFETIME_DAYS: i64 = 90;
/// A key this close to its freeze (or closer) is flagged as expiring; also
/// the default window of `list --expiring` and of `check --warning`.
pub const EXPIRING_WITHIN_DAYS: u32 = 14;

/// How far a freeze date may lie beyond 90 days from `now` and still be
/// honoured: the clock that set it (another host's, or PostgreSQL's) may run
/// a little ahead of the one reading it. Well short of anything a forged
/// date would want.
pub const CLOCK_SLACK_SECONDS: i64 = 15 * 60;

pub fn lifetime() -> Duration {
    Duration::days(LIFETIME_DAYS)
}

/// What a key may do with the banking API. The seed calls these the key's
/// permissions; they are not operator permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Role {
    /// Get all transaction details
    Transactions,
    /// Get all accounts
    Accounts,
    /// Create payments
    Payments,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Transactions, Role::Accounts, Role::Payments];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Transactions => "transactions",
            Role::Accounts => "accounts",
            Role::Payments => "payments",
        }
    }

    /// The wording of the product description.
    pub fn title(self) -> &'static str {
        match self {
            Role::Transactions => "Get all transaction details",
            Role::Accounts => "Get all accounts",
            Role::Payments => "Create payments",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role {s:?} (expected transactions, accounts or payments)")
            })
    }
}

impl Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A set of roles, kept sorted and without duplicates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Roles(Vec<Role>);

impl Roles {
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Self {
        let mut roles: Vec<Role> = roles.into_iter().collect();
        roles.sort();
        roles.dedup();
        Roles(roles)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// The roles of `wanted` that this set lacks.
    pub fn missing(&self, wanted: &Roles) -> Roles {
        Roles::new(wanted.iter().filter(|role| !self.contains(*role)))
    }
}

impl fmt::Display for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|role| role.as_str()).collect();
        f.write_str(&names.join(","))
    }
}

impl FromStr for Roles {
    type Err = String;

    /// Parses the comma-separated form that `Display` writes.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .filter(|part| !part.is_empty())
            .map(Role::from_str)
            .collect::<Result<Vec<_>, _>>()
            .map(Roles::new)
    }
}

/// Where a key stands at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Usable, more than 14 days before its freeze.
    Active,
    /// Usable, 14 days (14 × 24 h) or less before its freeze.
    Expiring,
    /// Past its freeze: `verify` rejects it until it is renewed.
    Frozen,
    /// Created, but its secret was never confirmed written out (the process
    /// was killed or its output failed): it can never be used; delete it.
    Unissued,
    /// Replaced by `rotate`: still usable until its `retires_at`.
    Retiring,
    /// Replaced by `rotate` and past its `retires_at`: gone, as if deleted
    /// (listings never show it, so `list --status` does not offer it).
    #[value(skip)]
    Retired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Expiring => "expiring",
            Status::Frozen => "frozen",
            Status::Unissued => "unissued",
            Status::Retiring => "retiring",
            Status::Retired => "retired",
        }
    }

    /// Whether the key's secret still opens something: usable now, or
    /// frozen (`renew` revives it). A leaked key in such a state must be
    /// deleted; `scan` exits 1 when it finds one.
    pub fn still_works(self) -> bool {
        match self {
            Status::Active | Status::Expiring | Status::Frozen | Status::Retiring => true,
            Status::Unissued | Status::Retired => false,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The freeze date of a key created or renewed at `at`.
pub fn freezes_at(at: DateTime<Utc>) -> DateTime<Utc> {
    at + lifetime()
}

/// The status of a key freezing at `freezes_at`, seen at `now`.
///
/// The key is frozen from the instant of its freeze on, and expiring when the
/// time left is at most 14 × 24 hours. A freeze date more than 90 days (and
/// the clocks' slack) ahead is never honoured (no renewal gives one: it was
/// written by a clock running fast, or by hand), so such a key counts as
/// frozen until renewed.
pub fn status(freezes_at: DateTime<Utc>, now: DateTime<Utc>) -> Status {
    let left = freezes_at - now;
    if left <= Duration::zero() || beyond_lifetime(freezes_at, now) {
        Status::Frozen
    } else if left <= Duration::days(i64::from(EXPIRING_WITHIN_DAYS)) {
        Status::Expiring
    } else {
        Status::Active
    }
}

/// Whether a freeze date lies further ahead than any renewal at `now` gives,
/// by more than the clocks' slack.
pub fn beyond_lifetime(freezes_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    freezes_at - now > lifetime() + Duration::seconds(CLOCK_SLACK_SECONDS)
}

/// The latest freeze date honoured at `now`, in Unix seconds, for the
/// stores' queries: a key freezing later counts as frozen there, as it does
/// in `status` (`beyond_lifetime`).
pub fn latest_honoured_freeze(now: DateTime<Utc>) -> i64 {
    now.timestamp() + LIFETIME_DAYS * 86_400 + CLOCK_SLACK_SECONDS
}

/// Calendar days (UTC) from today to the day of the freeze: 0 on the day it
/// freezes (before and after the moment), -1 the day after. Counting dates
/// rather than 24-hour spans keeps a new key at 90 all day, so `create`,
/// `list` and `check` agree within the same day.
pub fn days_left(freezes_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (freezes_at.date_naive() - now.date_naive()).num_days()
}

/// Whether a key freezing at `freezes_at` is frozen at `now` or freezes
/// within `days` (inclusive, in units of 24 hours).
pub fn freezes_within(freezes_at: DateTime<Utc>, now: DateTime<Utc>, days: u32) -> bool {
    freezes_at - now <= Duration::days(i64::from(days))
}

/// An API key as stored: everything but its secret, which is never stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    pub roles: Roles,
    pub created_at: DateTime<Utc>,
    pub renewed_at: DateTime<Utc>,
    pub freezes_at: DateTime<Utc>,
    /// Whether the secret was written out to its owner; only then is the key
    /// usable.
    pub issued: bool,
    /// Set by `rotate`: the key stops working at this time.
    pub retires_at: Option<DateTime<Utc>>,
    /// The key that replaces this one: set when a rotation starts, before
    /// `retires_at` (which only a finished rotation sets).
    pub replaced_by: Option<String>,
    /// The last time `verify` found the key with the right secret, to
    /// `LAST_USED_RESOLUTION`.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    /// A key created at `now`: usable for 90 days once issued.
    pub fn new(id: String, name: String, roles: Roles, now: DateTime<Utc>) -> ApiKey {
        ApiKey {
            id,
            name,
            roles,
            created_at: now,
            renewed_at: now,
            freezes_at: freezes_at(now),
            issued: false,
            retires_at: None,
            replaced_by: None,
            last_used_at: None,
        }
    }

    /// Where the key stands at `now`. A retiring key is `Retiring` whatever
    /// its freeze: it is on its way out, so the freeze no longer matters to
    /// anyone watching (`verify` still rejects it once frozen).
    pub fn status(&self, now: DateTime<Utc>) -> Status {
        match self.retires_at {
            _ if !self.issued => Status::Unissued,
            Some(retires_at) if retires_at <= now => Status::Retired,
            Some(_) => Status::Retiring,
            None => status(self.freezes_at, now),
        }
    }

    /// Whether the key still exists at `now` for listings and look-ups: not
    /// retired.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.status(now) != Status::Retired
    }

    pub fn days_left(&self, now: DateTime<Utc>) -> i64 {
        days_left(self.freezes_at, now)
    }
}

/// The longest grace a rotation may give the key it replaces.
pub fn max_grace() -> Duration {
    Duration::days(7)
}

/// Parses a grace period: `0`, or a whole number with a unit: `90m`, `12h`,
/// `2d` (minutes, hours, days); at most 7 days.
pub fn parse_grace(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let shown = crate::text::sanitize(text);
    if text == "0" {
        return Ok(Duration::zero());
    }
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let per_unit = match unit {
        "m" => Duration::minutes(1),
        "h" => Duration::hours(1),
        "d" => Duration::days(1),
        _ => {
            return Err(format!(
                "{shown:?} is not a grace period; use 0 or a number with m, h or d, e.g. 90m, 12h, 2d"
            ));
        }
    };
    if number.is_empty() {
        return Err(format!(
            "{shown:?} is not a grace period; use 0 or a number with m, h or d, e.g. 90m, 12h, 2d"
        ));
    }
    number
        .parse::<i32>()
        .ok()
        .map(|n| per_unit * n)
        .filter(|grace| *grace <= max_grace())
        .ok_or_else(|| format!("the grace period {shown} is longer than 7 days; use at most 7d"))
}

/// `list` and `show` tell last use to this precision: `verify` records a
/// use only when the last one recorded is older, so that a key verified
/// for every request costs one write per quarter hour, not one per request.
pub fn last_used_resolution() -> Duration {
    Duration::minutes(15)
}

/// Whether a use at `now` is worth recording, given the last one recorded.
pub fn use_worth_recording(last_used_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_used_at.is_none_or(|last| last <= now - last_used_resolution())
}

/// An issued key for unit tests.
#[cfg(test)]
pub(crate) fn issued_test_key(name: &str, roles: Roles, created: DateTime<Utc>) -> ApiKey {
    let key = ApiKey::new("AbCdEfGhIjKl".into(), name.into(), roles, created);
    ApiKey {
        issued: true,
        ..key
    }
}

/// Whether a key named `name` resembles `wanted`, a name that matched no
/// key: the same but for case, or one containing the other ("did you mean").
/// The PostgreSQL store's `keys_named` (schema.sql) decides the same in SQL.
pub fn resembles(name: &str, wanted: &str) -> bool {
    let (name, wanted) = (name.to_lowercase(), wanted.to_lowercase());
    !wanted.is_empty() && (name.contains(&wanted) || wanted.contains(&name))
}

/// The longest key name accepted, in characters.
pub const NAME_MAX_CHARS: usize = 64;

/// Checks a key name given by a person: printable, not blank, not huge.
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("the key name is empty; give a short name such as --name ci-deploy".into());
    }
    if holds_key_text(name) {
        return Err(NAME_HOLDS_KEY_TEXT.into());
    }
    let chars = name.chars().count();
    if chars > NAME_MAX_CHARS {
        return Err(format!(
            "the key name is {chars} characters long; use at most {NAME_MAX_CHARS}"
        ));
    }
    if let Some(c) = name.chars().find(|&c| crate::text::is_hidden(c)) {
        return Err(format!(
            "the key name contains the invisible or control character U+{:04X}; use visible characters only",
            u32::from(c)
        ));
    }
    Ok(())
}

/// Why a name holding key text is refused (the name itself is not repeated:
/// it is the secret).
pub const NAME_HOLDS_KEY_TEXT: &str = "the key name holds key text (igk_ and an ID followed by more): a key pasted as a name would be shown in every listing, log and error; name the key for what it is for, such as --name ci-deploy";

/// `holds_key_text` as a POSIX regular expression, for the PostgreSQL
/// store's functions: `igk_`, then fewer than 12 letters or digits and an
/// underscore, or 12 and one more key character.
pub const KEY_TEXT_PATTERN: &str = "igk_([0-9A-Za-z]{0,11}_|[0-9A-Za-z]{12}[0-9A-Za-z_])";

/// The roles of a key as stored (`accounts,payments`), as a POSIX regular
/// expression, for the PostgreSQL store's functions.
pub fn roles_pattern() -> String {
    let any = Role::ALL
        .iter()
        .map(|role| role.as_str())
        .collect::<Vec<_>>()
        .join("|");
    format!("^({any})(,({any}))*$")
}

/// Whether `name` holds what looks like key text, whole or cut short: what
/// `token::redact` would cut from a message.
pub fn holds_key_text(name: &str) -> bool {
    crate::token::redact(name) != name
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn a_new_key_freezes_after_exactly_90_days() {
        assert_eq!(freezes_at(t0()) - t0(), Duration::days(90));
    }

    #[test]
    fn status_is_frozen_from_the_instant_of_the_freeze() {
        let freeze = freezes_at(t0());
        assert_eq!(
            status(freeze, freeze - Duration::seconds(1)),
            Status::Expiring
        );
        assert_eq!(status(freeze, freeze), Status::Frozen);
        assert_eq!(status(freeze, freeze + Duration::days(400)), Status::Frozen);
        // Never more than 90 days ahead: a later date is not honoured,
        // beyond the slack of a clock running a little ahead of ours.
        assert_eq!(status(freeze, freeze - lifetime()), Status::Active);
        let slack = Duration::seconds(CLOCK_SLACK_SECONDS);
        assert_eq!(status(freeze, freeze - lifetime() - slack), Status::Active);
        assert_eq!(
            status(freeze, freeze - lifetime() - slack - Duration::seconds(1)),
            Status::Frozen
        );
        // The stores' bound is the same one.
        let now = t0();
        let latest = DateTime::from_timestamp(latest_honoured_freeze(now), 0).unwrap();
        assert!(!beyond_lifetime(latest, now));
        assert!(beyond_lifetime(latest + Duration::seconds(1), now));
        assert_eq!(
            status(freeze, freeze - Duration::days(300 * 365)),
            Status::Frozen
        );
    }

    #[test]
    fn expiring_starts_at_exactly_14_days_left() {
        let freeze = freezes_at(t0());
        let at_14_days = freeze - Duration::days(14);
        assert_eq!(status(freeze, at_14_days), Status::Expiring);
        assert_eq!(
            status(freeze, at_14_days - Duration::seconds(1)),
            Status::Active
        );
        // 76 days after creation is exactly 14 days left.
        assert_eq!(status(freeze, t0() + Duration::days(76)), Status::Expiring);
        assert_eq!(status(freeze, t0() + Duration::days(75)), Status::Active);
    }

    #[test]
    fn a_new_key_is_active() {
        assert_eq!(status(freezes_at(t0()), t0()), Status::Active);
    }

    #[test]
    fn days_left_counts_calendar_days() {
        let created = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let freeze = freezes_at(created);
        assert_eq!(days_left(freeze, created), 90);
        // A second or a few hours later it is still the same day: still 90.
        assert_eq!(days_left(freeze, created + Duration::seconds(1)), 90);
        assert_eq!(days_left(freeze, created + Duration::hours(11)), 90);
        assert_eq!(days_left(freeze, created + Duration::hours(12)), 89);
        // The day before the freeze, then the day of it, before and after.
        assert_eq!(days_left(freeze, freeze - Duration::hours(13)), 1);
        assert_eq!(days_left(freeze, freeze - Duration::hours(1)), 0);
        assert_eq!(days_left(freeze, freeze + Duration::hours(1)), 0);
        assert_eq!(days_left(freeze, freeze + Duration::hours(36)), -2);
    }

    #[test]
    fn renewing_before_the_freeze_never_gives_more_than_90_days() {
        let renewed = t0() + Duration::days(80);
        assert_eq!(freezes_at(renewed), renewed + Duration::days(90));
        assert_eq!(days_left(freezes_at(renewed), renewed), 90);
    }

    #[test]
    fn renewing_after_the_freeze_revives_the_key() {
        let frozen_key = freezes_at(t0());
        let later = t0() + Duration::days(120);
        assert_eq!(status(frozen_key, later), Status::Frozen);
        assert_eq!(status(freezes_at(later), later), Status::Active);
    }

    #[test]
    fn freezes_within_is_inclusive() {
        let freeze = freezes_at(t0());
        let now = freeze - Duration::days(14);
        assert!(freezes_within(freeze, now, 14));
        assert!(!freezes_within(freeze, now, 13));
        assert!(freezes_within(freeze, freeze + Duration::days(3), 0));
    }

    #[test]
    fn a_retiring_key_works_until_it_retires_then_is_gone() {
        let mut key = issued_test_key("k", Roles::new([Role::Accounts]), t0());
        assert_eq!(key.status(t0()), Status::Active);
        key.retires_at = Some(t0() + Duration::hours(24));
        assert_eq!(key.status(t0()), Status::Retiring);
        // Retiring wins over expiring and frozen: the key is on its way out.
        assert_eq!(key.status(t0() + Duration::days(89)), Status::Retired);
        key.retires_at = Some(t0() + Duration::days(91));
        assert_eq!(key.status(t0() + Duration::days(90)), Status::Retiring);
        key.retires_at = Some(t0() + Duration::hours(24));
        assert!(key.is_live(t0() + Duration::hours(24) - Duration::seconds(1)));
        assert_eq!(key.status(t0() + Duration::hours(24)), Status::Retired);
        assert!(!key.is_live(t0() + Duration::hours(24)));
    }

    #[test]
    fn grace_periods_are_minutes_hours_or_days_up_to_a_week() {
        assert_eq!(parse_grace("0"), Ok(Duration::zero()));
        assert_eq!(parse_grace("90m"), Ok(Duration::minutes(90)));
        assert_eq!(parse_grace("12h"), Ok(Duration::hours(12)));
        assert_eq!(parse_grace("2d"), Ok(Duration::days(2)));
        assert_eq!(parse_grace("7d"), Ok(Duration::days(7)));
        assert_eq!(parse_grace("168h"), Ok(Duration::days(7)));
        for too_long in ["8d", "169h", "99999999999d"] {
            assert!(parse_grace(too_long).unwrap_err().contains("at most 7d"));
        }
        for bad in ["", "d", "12", "1w", "-1h", "1.5h", "1h30m"] {
            assert!(
                parse_grace(bad).unwrap_err().contains("not a grace period"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_use_is_recorded_at_most_once_per_quarter_hour() {
        assert!(use_worth_recording(None, t0()));
        let last = Some(t0());
        assert!(!use_worth_recording(last, t0()));
        assert!(!use_worth_recording(last, t0() + Duration::seconds(899)));
        assert!(use_worth_recording(last, t0() + Duration::minutes(15)));
        // A clock that went back records nothing until it catches up.
        assert!(!use_worth_recording(last, t0() - Duration::hours(1)));
    }

    #[test]
    fn roles_are_sorted_and_unique() {
        let roles = Roles::new([Role::Payments, Role::Transactions, Role::Payments]);
        assert_eq!(roles.to_string(), "transactions,payments");
        assert_eq!("transactions,payments".parse::<Roles>().unwrap(), roles);
        assert!("transactions,bogus".parse::<Roles>().is_err());
    }

    #[test]
    fn missing_roles_are_those_wanted_but_not_held() {
        let held = Roles::new([Role::Accounts]);
        let wanted = Roles::new([Role::Accounts, Role::Payments]);
        assert_eq!(held.missing(&wanted), Roles::new([Role::Payments]));
        assert!(wanted.missing(&held).is_empty());
    }

    #[test]
    fn names_must_be_printable_and_short() {
        assert!(validate_name("ci-deploy").is_ok());
        assert!(validate_name("Zahlungen für Ω").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name("   ").is_err());
        assert!(validate_name("a\u{1b}[31mred").is_err());
        assert!(validate_name("tab\there").is_err());
        for hidden in ["\u{202e}", "\u{200b}", "\u{2028}", "\u{2029}", "\u{feff}"] {
            let problem = validate_name(&format!("pay{hidden}ments")).unwrap_err();
            assert!(problem.contains("U+"), "{problem}");
        }
        assert!(validate_name(&"x".repeat(NAME_MAX_CHARS)).is_ok());
        // Key text, whole or cut to 60 characters as `head -c 60` did.
        let key = crate::token::Token::generate().unwrap().expose();
        for name in [&key[..], &key[..60], &format!("deploy {}", &key[..20])] {
            assert_eq!(
                validate_name(name),
                Err(NAME_HOLDS_KEY_TEXT.into()),
                "{name}"
            );
        }
        assert!(validate_name("igk_deploy").is_ok());
        assert!(validate_name("igk-deploy-2026").is_ok());
        assert!(validate_name(&"x".repeat(NAME_MAX_CHARS + 1)).is_err());
    }
}
