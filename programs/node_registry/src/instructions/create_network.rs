use crate::{error::RegistryError, events::NetworkCreated, seeds, state::Network};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::Mint;
use depin_core::names::{is_valid_network_name, MAX_NETWORK_NAME_LEN};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateNetworkArgs {
    pub name: String,
    pub onboarding_fee_credits: u64,
    pub location_fee_credits: u64,
    pub attestation_window_s: u32,
}

/// The PDA seed of a network name. Over-long names are cut here so the address can be
/// derived at all; `validate` then rejects them with `InvalidNetworkName`.
pub fn network_name_seed(name: &str) -> &[u8] {
    let b = name.as_bytes();
    &b[..b.len().min(MAX_NETWORK_NAME_LEN)]
}

/// Accounts: `authority` (signer, pays rent), `network` (new PDA `[NETWORK, name]`),
/// `token_mint` and `credits_mint` (existing mints of either token program).
#[derive(Accounts)]
#[instruction(args: CreateNetworkArgs)]
pub struct CreateNetwork<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    // `init_if_needed` + the check in `validate`: a taken name gets `NetworkAlreadyExists`.
    #[account(
        init_if_needed,
        payer = authority,
        space = 8 + Network::INIT_SPACE,
        seeds = [seeds::NETWORK, network_name_seed(&args.name)],
        bump,
    )]
    pub network: Box<Account<'info, Network>>,
    pub token_mint: Box<InterfaceAccount<'info, Mint>>,
    pub credits_mint: Box<InterfaceAccount<'info, Mint>>,
    pub system_program: Program<'info, System>,
}

impl CreateNetwork<'_> {
    pub fn validate(&self, args: &CreateNetworkArgs) -> Result<()> {
        require!(
            self.network.authority == Pubkey::default(),
            RegistryError::NetworkAlreadyExists
        );
        require!(
            is_valid_network_name(args.name.as_bytes()),
            RegistryError::InvalidNetworkName
        );
        Network::check_window(args.attestation_window_s)
    }

    pub fn handler(ctx: Context<Self>, args: CreateNetworkArgs) -> Result<()> {
        let network = &mut ctx.accounts.network;
        network.set_inner(Network {
            authority: ctx.accounts.authority.key(),
            pending_authority: None,
            operator: None,
            token_mint: ctx.accounts.token_mint.key(),
            credits_mint: ctx.accounts.credits_mint.key(),
            onboarding_fee_credits: args.onboarding_fee_credits,
            location_fee_credits: args.location_fee_credits,
            attestation_window_s: args.attestation_window_s,
            node_count: 0,
            maker_count: 0,
            paused: false,
            bump: ctx.bumps.network,
            name: args.name,
            compressed_tree: None,
        });
        crate::events::emit(NetworkCreated {
            network: network.key(),
            name: network.name.clone(),
            authority: network.authority,
            token_mint: network.token_mint,
            credits_mint: network.credits_mint,
        });
        Ok(())
    }
}
