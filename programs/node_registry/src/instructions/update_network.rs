use crate::{error::RegistryError, events::NetworkUpdated, state::Network};
use anchor_lang::prelude::*;

/// Full replacement of the network's adjustable settings.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateNetworkArgs {
    pub onboarding_fee_credits: u64,
    pub location_fee_credits: u64,
    pub attestation_window_s: u32,
    /// Key allowed to suspend and reactivate nodes besides the authority.
    pub operator: Option<Pubkey>,
    /// A paused network registers, moves and transfers no nodes.
    pub paused: bool,
}

/// Accounts: `authority` (signer, the network's authority), `network` (mut).
#[derive(Accounts)]
pub struct UpdateNetwork<'info> {
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority @ RegistryError::NotNetworkAuthority)]
    pub network: Box<Account<'info, Network>>,
}

impl UpdateNetwork<'_> {
    pub fn validate(args: &UpdateNetworkArgs) -> Result<()> {
        Network::check_window(args.attestation_window_s)
    }

    pub fn handler(ctx: Context<Self>, args: UpdateNetworkArgs) -> Result<()> {
        let network = &mut ctx.accounts.network;
        network.onboarding_fee_credits = args.onboarding_fee_credits;
        network.location_fee_credits = args.location_fee_credits;
        network.attestation_window_s = args.attestation_window_s;
        network.operator = args.operator;
        network.paused = args.paused;
        emit!(NetworkUpdated {
            network: network.key(),
            onboarding_fee_credits: args.onboarding_fee_credits,
            location_fee_credits: args.location_fee_credits,
            attestation_window_s: args.attestation_window_s,
            operator: args.operator,
            paused: args.paused,
        });
        Ok(())
    }
}
