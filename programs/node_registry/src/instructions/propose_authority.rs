use crate::{error::RegistryError, events::AuthorityProposed, state::Network};
use anchor_lang::prelude::*;

/// Accounts: `authority` (signer, current authority), `network` (mut).
/// Nothing changes hands until the proposed key signs `accept_authority`, so a typo cannot
/// lock the network.
#[derive(Accounts)]
pub struct ProposeAuthority<'info> {
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority @ RegistryError::NotNetworkAuthority)]
    pub network: Box<Account<'info, Network>>,
}

impl ProposeAuthority<'_> {
    pub fn handler(ctx: Context<Self>, new_authority: Option<Pubkey>) -> Result<()> {
        let network = &mut ctx.accounts.network;
        network.pending_authority = new_authority;
        crate::events::emit(AuthorityProposed {
            network: network.key(),
            authority: network.authority,
            proposed: new_authority,
        });
        Ok(())
    }
}
