use crate::{error::RegistryError, events::MakerRevoked, state::Maker, state::Network};
use anchor_lang::prelude::*;

/// Accounts: `authority` (signer, network authority), `network`, `maker` (mut, of `network`).
/// Already registered nodes are untouched; suspend them individually if needed.
#[derive(Accounts)]
pub struct RevokeMaker<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RegistryError::NotNetworkAuthority)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut, has_one = network @ RegistryError::WrongNetwork)]
    pub maker: Box<Account<'info, Maker>>,
}

impl RevokeMaker<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(self.maker.active, RegistryError::MakerRevoked);
        Ok(())
    }

    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let maker = &mut ctx.accounts.maker;
        maker.active = false;
        crate::events::emit(MakerRevoked {
            network: maker.network,
            maker: maker.key(),
        });
        Ok(())
    }
}
