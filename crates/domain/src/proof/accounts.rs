//! What the ledger proves about the accounts: every user and every grant was
//! made through the application, and the table still holds what the last
//! entries about them recorded — login name, unit, locked or not, e-mail
//! address, password (by a digest of its stored hash: replacing someone's
//! hash in the table to log in as them is found) and grants.
//!
//! Entries are replayed in order ([`RecordedAccounts::feed`]); what is kept is
//! one small record per user, never the entries.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::access::UserId;

/// A digest of a stored password hash, for the ledger: it proves which hash
/// the table should hold and reveals nothing the hash does not.
pub fn password_digest(stored_hash: &str) -> String {
    hex::encode(Sha256::digest(stored_hash.as_bytes()))
}

/// An account as the ledger recorded it, or as the table holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Account {
    /// Login name.
    pub username: String,
    /// The unit the user works at (database id).
    pub unit: Option<i64>,
    /// Locked.
    pub disabled: bool,
    /// E-mail address.
    pub email: Option<String>,
    /// [`password_digest`] of the stored hash.
    pub password: String,
    /// Grants by id: role and unit (`None`: the whole system).
    pub grants: BTreeMap<i64, (String, Option<i64>)>,
}

/// An account in the baseline entry (`users.baseline`) written when the
/// ledger began to record accounts: the state it took over.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct BaselineAccount {
    /// The user.
    pub user: i64,
    /// Login name.
    pub username: String,
    /// Unit.
    pub unit: Option<i64>,
    /// Locked.
    pub disabled: bool,
    /// E-mail address.
    pub email: Option<String>,
    /// Password digest.
    pub password: String,
    /// Grants: (id, role, unit).
    pub grants: Vec<(i64, String, Option<i64>)>,
}

impl BaselineAccount {
    /// The baseline of a stored account.
    pub fn of(user: UserId, account: &Account) -> Self {
        BaselineAccount {
            user: user.get(),
            username: account.username.clone(),
            unit: account.unit,
            disabled: account.disabled,
            email: account.email.clone(),
            password: account.password.clone(),
            grants: account
                .grants
                .iter()
                .map(|(id, (role, unit))| (*id, role.clone(), *unit))
                .collect(),
        }
    }
}

#[derive(Deserialize)]
struct Created {
    username: String,
    unit: Option<i64>,
    password: String,
}

#[derive(Deserialize)]
struct Granted {
    grant: i64,
    role: String,
    unit: Option<i64>,
}

#[derive(Deserialize)]
struct Revoked {
    grant: i64,
}

#[derive(Deserialize)]
struct Password {
    password: String,
}

#[derive(Deserialize)]
struct Disabled {
    disabled: bool,
}

#[derive(Deserialize)]
struct Email {
    email: Option<String>,
}

#[derive(Deserialize)]
struct Baseline {
    accounts: Vec<BaselineAccount>,
}

/// The accounts as the ledger recorded them so far.
#[derive(Debug, Default)]
pub struct RecordedAccounts {
    /// Per user: the account and the last entry about it.
    accounts: HashMap<i64, (Account, i64)>,
}

/// The user of a subject `user:12`.
fn user_of(subject: &str) -> Option<i64> {
    subject.strip_prefix("user:")?.parse().ok()
}

impl RecordedAccounts {
    /// Takes in entry `seq` if it is about an account; other entries are
    /// left alone. An entry about a user the ledger never saw created starts
    /// an account with only what it says (the comparison then names it).
    pub fn feed(&mut self, seq: i64, action: &str, subject: &str, payload: &str) {
        if action == "users.baseline" {
            if let Ok(b) = serde_json::from_str::<Baseline>(payload) {
                for a in b.accounts {
                    let account = Account {
                        username: a.username,
                        unit: a.unit,
                        disabled: a.disabled,
                        email: a.email,
                        password: a.password,
                        grants: a
                            .grants
                            .into_iter()
                            .map(|(id, r, u)| (id, (r, u)))
                            .collect(),
                    };
                    self.accounts.insert(a.user, (account, seq));
                }
            }
            return;
        }
        if let Some(user) = user_of(subject) {
            // An entry whose payload does not read is left out: its hash
            // verified, so the application wrote it as it is.
            let _ = self.apply(seq, user, action, payload);
        }
    }

    fn apply(&mut self, seq: i64, user: i64, action: &str, payload: &str) -> Option<()> {
        match action {
            "user.create" => {
                let c: Created = serde_json::from_str(payload).ok()?;
                let account = Account {
                    username: c.username,
                    unit: c.unit,
                    password: c.password,
                    ..Account::default()
                };
                self.accounts.insert(user, (account, seq));
            }
            "user.grant" => {
                let g: Granted = serde_json::from_str(payload).ok()?;
                let (a, at) = self.accounts.entry(user).or_default();
                a.grants.insert(g.grant, (g.role, g.unit));
                *at = seq;
            }
            "user.revoke" => {
                let r: Revoked = serde_json::from_str(payload).ok()?;
                let (a, at) = self.accounts.entry(user).or_default();
                a.grants.remove(&r.grant);
                *at = seq;
            }
            "user.password" => {
                let p: Password = serde_json::from_str(payload).ok()?;
                let (a, at) = self.accounts.entry(user).or_default();
                a.password = p.password;
                *at = seq;
            }
            "user.disable" => {
                let d: Disabled = serde_json::from_str(payload).ok()?;
                let (a, at) = self.accounts.entry(user).or_default();
                a.disabled = d.disabled;
                *at = seq;
            }
            "user.email" => {
                let e: Email = serde_json::from_str(payload).ok()?;
                let (a, at) = self.accounts.entry(user).or_default();
                a.email = e.email;
                *at = seq;
            }
            _ => {}
        }
        Some(())
    }

    /// Users the ledger knows.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Whether the ledger knows no user.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }
}

/// Where the table first differs from what the ledger recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountDifference {
    /// A user in the table that no entry made.
    UserWithoutEntry {
        /// The user.
        user: i64,
        /// Login name in the table.
        username: String,
    },
    /// A user the ledger recorded that the table lacks.
    UserMissing {
        /// The user.
        user: i64,
        /// The last entry about it.
        seq: i64,
    },
    /// A field differs (`username`, `unit`, `disabled`, `email`, `password`).
    Field {
        /// The user.
        user: i64,
        /// Which field.
        field: &'static str,
        /// In the table.
        stored: String,
        /// As recorded.
        recorded: String,
        /// The last entry about the user.
        seq: i64,
    },
    /// A grant in the table that no entry made.
    GrantWithoutEntry {
        /// The user.
        user: i64,
        /// The grant.
        grant: i64,
    },
    /// A grant the ledger recorded (and did not revoke) that the table lacks,
    /// or holds with another role or unit.
    GrantDiffers {
        /// The user.
        user: i64,
        /// The grant.
        grant: i64,
        /// The last entry about the user.
        seq: i64,
    },
}

fn shown(value: &Option<impl ToString>) -> String {
    value
        .as_ref()
        .map_or_else(|| "—".to_string(), ToString::to_string)
}

/// The first difference between the stored accounts (by user id, in id
/// order) and the recorded ones.
pub fn first_account_difference(
    recorded: &RecordedAccounts,
    stored: &BTreeMap<i64, Account>,
) -> Option<AccountDifference> {
    for (user, s) in stored {
        let Some((r, seq)) = recorded.accounts.get(user) else {
            return Some(AccountDifference::UserWithoutEntry {
                user: *user,
                username: s.username.clone(),
            });
        };
        let field = |field: &'static str, stored: String, recorded: String| {
            (stored != recorded).then_some(AccountDifference::Field {
                user: *user,
                field,
                stored,
                recorded,
                seq: *seq,
            })
        };
        let fields = [
            field("username", s.username.clone(), r.username.clone()),
            field("unit", shown(&s.unit), shown(&r.unit)),
            field("disabled", s.disabled.to_string(), r.disabled.to_string()),
            field("email", shown(&s.email), shown(&r.email)),
            // Digests are not shown: only that the password is not the one set.
            (s.password != r.password).then(|| AccountDifference::Field {
                user: *user,
                field: "password",
                stored: String::new(),
                recorded: String::new(),
                seq: *seq,
            }),
        ];
        if let Some(d) = fields.into_iter().flatten().next() {
            return Some(d);
        }
        for (grant, g) in &s.grants {
            match r.grants.get(grant) {
                None => {
                    return Some(AccountDifference::GrantWithoutEntry {
                        user: *user,
                        grant: *grant,
                    })
                }
                Some(recorded) if recorded != g => {
                    return Some(AccountDifference::GrantDiffers {
                        user: *user,
                        grant: *grant,
                        seq: *seq,
                    })
                }
                Some(_) => {}
            }
        }
        if let Some(grant) = r.grants.keys().find(|g| !s.grants.contains_key(g)) {
            return Some(AccountDifference::GrantDiffers {
                user: *user,
                grant: *grant,
                seq: *seq,
            });
        }
    }
    let mut missing: Vec<(&i64, &(Account, i64))> = recorded
        .accounts
        .iter()
        .filter(|(user, _)| !stored.contains_key(user))
        .collect();
    missing.sort_by_key(|(user, _)| **user);
    missing
        .first()
        .map(|(user, (_, seq))| AccountDifference::UserMissing {
            user: **user,
            seq: *seq,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(entries: &[(&str, &str, &str)]) -> RecordedAccounts {
        let mut r = RecordedAccounts::default();
        for (i, (action, subject, payload)) in entries.iter().enumerate() {
            r.feed(i as i64 + 1, action, subject, payload);
        }
        r
    }

    fn stored(grants: &[(i64, &str, Option<i64>)]) -> BTreeMap<i64, Account> {
        let account = Account {
            username: "xa.nhaplieu".into(),
            unit: Some(40),
            disabled: false,
            email: Some("a@b.vn".into()),
            password: password_digest("$argon2id$x"),
            grants: grants
                .iter()
                .map(|(id, r, u)| (*id, ((*r).to_string(), *u)))
                .collect(),
        };
        BTreeMap::from([(12, account)])
    }

    fn history() -> Vec<(&'static str, &'static str, String)> {
        let digest = password_digest("$argon2id$x");
        vec![
            (
                "user.create",
                "user:12",
                format!(r#"{{"username":"xa.nhaplieu","unit":40,"password":"{digest}"}}"#),
            ),
            (
                "user.grant",
                "user:12",
                r#"{"grant":17,"role":"data_entry","unit":40}"#.into(),
            ),
            (
                "user.grant",
                "user:12",
                r#"{"grant":18,"role":"reviewer","unit":40}"#.into(),
            ),
            ("user.revoke", "user:12", r#"{"grant":18}"#.into()),
            ("user.email", "user:12", r#"{"email":"a@b.vn"}"#.into()),
            ("report.save", "report:3", "{}".into()),
        ]
    }

    fn recorded() -> RecordedAccounts {
        let h = history();
        let borrowed: Vec<(&str, &str, &str)> =
            h.iter().map(|(a, s, p)| (*a, *s, p.as_str())).collect();
        replay(&borrowed)
    }

    #[test]
    fn accounts_made_through_the_application_match() {
        let r = recorded();
        assert_eq!(r.len(), 1);
        assert_eq!(
            first_account_difference(&r, &stored(&[(17, "data_entry", Some(40))])),
            None
        );
    }

    #[test]
    fn a_grant_or_a_user_added_behind_the_back_is_named() {
        let r = recorded();
        assert_eq!(
            first_account_difference(
                &r,
                &stored(&[(17, "data_entry", Some(40)), (19, "system_admin", None)])
            ),
            Some(AccountDifference::GrantWithoutEntry {
                user: 12,
                grant: 19
            })
        );
        // The revoked grant put back.
        assert_eq!(
            first_account_difference(
                &r,
                &stored(&[(17, "data_entry", Some(40)), (18, "reviewer", Some(40))])
            ),
            Some(AccountDifference::GrantWithoutEntry {
                user: 12,
                grant: 18
            })
        );
        // A grant's role changed.
        assert_eq!(
            first_account_difference(&r, &stored(&[(17, "system_admin", Some(40))])),
            Some(AccountDifference::GrantDiffers {
                user: 12,
                grant: 17,
                seq: 5
            })
        );
        let mut more = stored(&[(17, "data_entry", Some(40))]);
        more.insert(13, Account::default());
        assert_eq!(
            first_account_difference(&r, &more),
            Some(AccountDifference::UserWithoutEntry {
                user: 13,
                username: String::new()
            })
        );
        assert_eq!(
            first_account_difference(&r, &BTreeMap::new()),
            Some(AccountDifference::UserMissing { user: 12, seq: 5 })
        );
    }

    #[test]
    fn a_password_hash_replaced_in_the_table_is_found() {
        let r = recorded();
        let mut s = stored(&[(17, "data_entry", Some(40))]);
        if let Some(a) = s.get_mut(&12) {
            a.password = password_digest("$argon2id$someone-elses");
        }
        assert!(matches!(
            first_account_difference(&r, &s),
            Some(AccountDifference::Field {
                field: "password",
                ..
            })
        ));
    }

    #[test]
    fn a_baseline_takes_over_the_accounts_made_before_it() {
        let s = stored(&[(17, "data_entry", Some(40))]);
        let baseline =
            serde_json::json!({"accounts": [BaselineAccount::of(UserId::new(12), &s[&12])]})
                .to_string();
        let mut r = RecordedAccounts::default();
        r.feed(1, "users.baseline", "users", &baseline);
        assert_eq!(first_account_difference(&r, &s), None);
        r.feed(2, "user.disable", "user:12", r#"{"disabled":true}"#);
        assert_eq!(
            first_account_difference(&r, &s),
            Some(AccountDifference::Field {
                user: 12,
                field: "disabled",
                stored: "false".into(),
                recorded: "true".into(),
                seq: 2
            })
        );
    }
}
