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
use crate::audit::AuditEvent;
use crate::unit::UnitId;

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
    /// The account it records.
    fn account(&self) -> Account {
        Account {
            username: self.username.clone(),
            unit: self.unit,
            disabled: self.disabled,
            email: self.email.clone(),
            password: self.password.clone(),
            grants: self
                .grants
                .iter()
                .map(|(id, r, u)| (*id, (r.clone(), *u)))
                .collect(),
        }
    }

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

/// The accounts as the ledger recorded them so far.
#[derive(Debug, Default)]
pub struct RecordedAccounts {
    /// Per user: the account and the last entry about it.
    accounts: HashMap<i64, (Account, i64)>,
}

impl RecordedAccounts {
    /// Takes in entry `seq` if it is about an account; other entries are
    /// left alone. An entry about a user the ledger never saw created starts
    /// an account with only what it says (the comparison then names it).
    pub fn feed(&mut self, seq: i64, event: &AuditEvent) {
        let user = match event {
            AuditEvent::AccountsBaseline { accounts } => {
                for a in accounts {
                    self.accounts.insert(a.user, (a.account(), seq));
                }
                return;
            }
            AuditEvent::UserCreated {
                user,
                username,
                unit,
                password,
            } => {
                let account = Account {
                    username: username.clone(),
                    unit: unit.map(UnitId::get),
                    password: password.clone(),
                    ..Account::default()
                };
                self.accounts.insert(user.get(), (account, seq));
                return;
            }
            AuditEvent::RoleGranted { user, .. }
            | AuditEvent::RoleRevoked { user, .. }
            | AuditEvent::PasswordSet { user, .. }
            | AuditEvent::DisabledSet { user, .. }
            | AuditEvent::EmailSet { user, .. } => user.get(),
            _ => return,
        };
        let (a, at) = self.accounts.entry(user).or_default();
        *at = seq;
        match event {
            AuditEvent::RoleGranted {
                grant, role, unit, ..
            } => {
                a.grants
                    .insert(*grant, (role.as_str().to_string(), unit.map(UnitId::get)));
            }
            AuditEvent::RoleRevoked { grant, .. } => {
                a.grants.remove(grant);
            }
            AuditEvent::PasswordSet { password, .. } => a.password = password.clone(),
            AuditEvent::DisabledSet { disabled, .. } => a.disabled = *disabled,
            AuditEvent::EmailSet { email, .. } => a.email = email.clone(),
            _ => {}
        }
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

    fn replay(entries: &[AuditEvent]) -> RecordedAccounts {
        let mut r = RecordedAccounts::default();
        for (i, event) in entries.iter().enumerate() {
            r.feed(i as i64 + 1, event);
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

    fn history() -> Vec<AuditEvent> {
        use crate::access::Role;
        let user = UserId::new(12);
        let unit = Some(UnitId::new(40));
        vec![
            AuditEvent::UserCreated {
                user,
                username: "xa.nhaplieu".into(),
                unit,
                password: password_digest("$argon2id$x"),
            },
            AuditEvent::RoleGranted {
                user,
                grant: 17,
                role: Role::DataEntry,
                unit,
            },
            AuditEvent::RoleGranted {
                user,
                grant: 18,
                role: Role::Reviewer,
                unit,
            },
            AuditEvent::RoleRevoked { user, grant: 18 },
            AuditEvent::EmailSet {
                user,
                email: Some("a@b.vn".into()),
            },
            AuditEvent::DraftSaved {
                report: crate::report::ReportId::new(3),
                content: crate::report::Content::default(),
            },
        ]
    }

    fn recorded() -> RecordedAccounts {
        replay(&history())
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
        let baseline = AuditEvent::AccountsBaseline {
            accounts: vec![BaselineAccount::of(UserId::new(12), &s[&12])],
        };
        let mut r = RecordedAccounts::default();
        r.feed(1, &baseline);
        assert_eq!(first_account_difference(&r, &s), None);
        r.feed(
            2,
            &AuditEvent::DisabledSet {
                user: UserId::new(12),
                disabled: true,
            },
        );
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
