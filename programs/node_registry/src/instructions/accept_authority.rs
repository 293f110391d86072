use crate::{error::RegistryError, events::AuthorityAccepted, state::Network};
use anchor_lang::prelude::*;

/// Accounts: `new_authority` (signer, the pending authority), `network` (mut).
#[derive(Accounts)]
pub struct AcceptAuthority<'info> {
    pub new_authority: Signer<'info>,
    #[account(mut)]
    pub network: Box<Account<'info, Network>>,
}

impl AcceptAuthority<'_> {
    pub fn validate(&self) -> Result<()> {
        let pending = self
            .network
            .pending_authority
            .ok_or(RegistryError::NoPendingAuthority)?;
        require_keys_eq!(
            pending,
            self.new_authority.key(),
            RegistryError::NotPendingAuthority
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let network = &mut ctx.accounts.network;
        let previous = network.authority;
        network.authority = ctx.accounts.new_authority.key();
        network.pending_authority = None;
        crate::events::emit(AuthorityAccepted {
            network: network.key(),
            previous,
            authority: network.authority,
        });
        Ok(())
    }
}
