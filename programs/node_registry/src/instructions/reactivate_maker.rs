use crate::{error::RegistryError, events::MakerReactivated, state::Maker, state::Network};
use anchor_lang::prelude::*;

/// Accounts: `authority` (signer, network authority), `network`, `maker` (mut, of
/// `network`, revoked). Undoes `revoke_maker`; rotate a leaked key first (`update_maker`).
#[derive(Accounts)]
pub struct ReactivateMaker<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RegistryError::NotNetworkAuthority)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut, has_one = network @ RegistryError::WrongNetwork)]
    pub maker: Box<Account<'info, Maker>>,
}

impl ReactivateMaker<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(!self.maker.active, RegistryError::MakerAlreadyActive);
        Ok(())
    }

    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let maker = &mut ctx.accounts.maker;
        maker.active = true;
        crate::events::emit(MakerReactivated {
            network: maker.network,
            maker: maker.key(),
            attestation_key: maker.attestation_key,
        });
        Ok(())
    }
}
