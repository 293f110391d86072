use crate::{
    error::RegistryError,
    events::NetworkUpdated,
    state::{Network, OperatorUpdate},
};
use anchor_lang::prelude::*;

/// Changes only the settings given (`None` leaves a setting as it is), so a client working
/// from stale state cannot undo a change it did not mean to make (unpause, say).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdateNetworkArgs {
    pub onboarding_fee_credits: Option<u64>,
    pub location_fee_credits: Option<u64>,
    pub attestation_window_s: Option<u32>,
    /// Key allowed to suspend and reactivate nodes besides the authority.
    pub operator: Option<OperatorUpdate>,
    /// A paused network registers, moves and transfers no nodes.
    pub paused: Option<bool>,
}

impl UpdateNetworkArgs {
    pub fn is_empty(&self) -> bool {
        self.onboarding_fee_credits.is_none()
            && self.location_fee_credits.is_none()
            && self.attestation_window_s.is_none()
            && self.operator.is_none()
            && self.paused.is_none()
    }
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
        require!(!args.is_empty(), RegistryError::NothingToUpdate);
        if let Some(window) = args.attestation_window_s {
            Network::check_window(window)?;
        }
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, args: UpdateNetworkArgs) -> Result<()> {
        let network = &mut ctx.accounts.network;
        if let Some(fee) = args.onboarding_fee_credits {
            network.onboarding_fee_credits = fee;
        }
        if let Some(fee) = args.location_fee_credits {
            network.location_fee_credits = fee;
        }
        if let Some(window) = args.attestation_window_s {
            network.attestation_window_s = window;
        }
        match args.operator {
            Some(OperatorUpdate::Set(key)) => network.operator = Some(key),
            Some(OperatorUpdate::Remove) => network.operator = None,
            None => {}
        }
        if let Some(paused) = args.paused {
            network.paused = paused;
        }
        // The event carries the resulting settings, not just the change.
        crate::events::emit(NetworkUpdated {
            network: network.key(),
            onboarding_fee_credits: network.onboarding_fee_credits,
            location_fee_credits: network.location_fee_credits,
            attestation_window_s: network.attestation_window_s,
            operator: network.operator,
            paused: network.paused,
        });
        Ok(())
    }
}
