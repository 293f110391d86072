use crate::{
    error::RegistryError,
    events::MakerAdded,
    seeds,
    state::{AttestationKey, Maker, Network},
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct AddMakerArgs {
    /// Stable identity of the maker; part of the Maker PDA.
    pub maker_key: Pubkey,
    /// Key that signs device attestations.
    pub attestation_key: Pubkey,
    pub device_cap: Option<u64>,
}

/// Accounts: `authority` (signer, network authority, pays rent), `network` (mut),
/// `maker` (new PDA `[MAKER, network, maker_key]`), `attestation_key_record` (new PDA
/// `[ATTESTATION_KEY, network, attestation_key]`: one maker per key in a network, so
/// revoking a maker stops its key everywhere).
#[derive(Accounts)]
#[instruction(args: AddMakerArgs)]
pub struct AddMaker<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority @ RegistryError::NotNetworkAuthority)]
    pub network: Box<Account<'info, Network>>,
    // `init_if_needed` + the check in `validate`: a duplicate gets `MakerAlreadyExists`.
    #[account(
        init_if_needed,
        payer = authority,
        space = 8 + Maker::INIT_SPACE,
        seeds = [seeds::MAKER, network.key().as_ref(), args.maker_key.as_ref()],
        bump,
    )]
    pub maker: Box<Account<'info, Maker>>,
    // Same pattern: a key another maker holds gets `AttestationKeyInUse`.
    #[account(
        init_if_needed,
        payer = authority,
        space = AttestationKey::SPACE,
        seeds = [seeds::ATTESTATION_KEY, network.key().as_ref(), args.attestation_key.as_ref()],
        bump,
    )]
    pub attestation_key_record: Box<Account<'info, AttestationKey>>,
    pub system_program: Program<'info, System>,
}

impl AddMaker<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.maker.network == Pubkey::default(),
            RegistryError::MakerAlreadyExists
        );
        require!(
            self.attestation_key_record.maker == Pubkey::default(),
            RegistryError::AttestationKeyInUse
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, args: AddMakerArgs) -> Result<()> {
        let network = &mut ctx.accounts.network;
        network.maker_count = network
            .maker_count
            .checked_add(1)
            .ok_or(RegistryError::ArithmeticOverflow)?;
        let maker = &mut ctx.accounts.maker;
        ctx.accounts
            .attestation_key_record
            .set_inner(AttestationKey {
                maker: maker.key(),
                retired: false,
                bump: ctx.bumps.attestation_key_record,
            });
        maker.set_inner(Maker {
            network: network.key(),
            maker_key: args.maker_key,
            attestation_key: args.attestation_key,
            nodes_attested: 0,
            device_cap: args.device_cap,
            active: true,
            bump: ctx.bumps.maker,
        });
        crate::events::emit(MakerAdded {
            network: network.key(),
            maker: maker.key(),
            maker_key: args.maker_key,
            attestation_key: args.attestation_key,
            device_cap: args.device_cap,
        });
        Ok(())
    }
}
