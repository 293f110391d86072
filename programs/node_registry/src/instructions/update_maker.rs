use crate::{error::RegistryError, events::MakerUpdated, state::Maker, state::Network};
use anchor_lang::prelude::*;

/// Full replacement of a maker's adjustable fields.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateMakerArgs {
    pub attestation_key: Pubkey,
    pub device_cap: Option<u64>,
    /// `true` reactivates a revoked maker (for example after rotating a leaked key).
    pub active: bool,
}

/// Accounts: `authority` (signer, network authority), `network`, `maker` (mut, of `network`).
#[derive(Accounts)]
pub struct UpdateMaker<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RegistryError::NotNetworkAuthority)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut, has_one = network @ RegistryError::WrongNetwork)]
    pub maker: Box<Account<'info, Maker>>,
}

impl UpdateMaker<'_> {
    pub fn handler(ctx: Context<Self>, args: UpdateMakerArgs) -> Result<()> {
        let maker = &mut ctx.accounts.maker;
        maker.attestation_key = args.attestation_key;
        maker.device_cap = args.device_cap;
        maker.active = args.active;
        emit!(MakerUpdated {
            network: maker.network,
            maker: maker.key(),
            attestation_key: args.attestation_key,
            device_cap: args.device_cap,
            active: args.active,
        });
        Ok(())
    }
}
