//! The signed-in user's own account page: their API tokens and e-mail
//! address, and the forms that change them, each one call that gives the page
//! back as it stands after the change.

use baocao_domain::access::Principal;
use baocao_store::auth::ApiToken;

use crate::{App, AppResult};

/// What the account page shows.
#[derive(Debug, Clone)]
pub struct AccountScreen {
    /// The user's API tokens, revoked ones too.
    pub tokens: Vec<ApiToken>,
    /// Their e-mail address.
    pub email: Option<String>,
}

impl App {
    /// The caller's account page.
    pub async fn account_screen(&self, principal: &Principal) -> AppResult<AccountScreen> {
        let tokens = self.list_tokens(principal).await?;
        let me = self.user_by_name(&principal.username).await?;
        Ok(AccountScreen {
            tokens,
            email: me.email,
        })
    }

    /// Sets or clears the caller's own e-mail address; then the page.
    pub async fn set_own_email(
        &self,
        principal: &Principal,
        email: &str,
    ) -> AppResult<AccountScreen> {
        self.set_email(principal, principal.user_id, email).await?;
        self.account_screen(principal).await
    }

    /// Makes an API token for the caller; its secret (shown once) and the page.
    pub async fn create_own_token(
        &self,
        principal: &Principal,
        name: &str,
    ) -> AppResult<(String, AccountScreen)> {
        let (_, secret) = self.create_token(principal, name).await?;
        Ok((secret, self.account_screen(principal).await?))
    }
}
