use super::pda_account::{create_pda_account, is_uncreated};
use crate::{
    error::RegistryError,
    events::MakerUpdated,
    seeds,
    state::{AttestationKey, DeviceCapUpdate, Maker, Network},
};
use anchor_lang::prelude::*;

/// Changes only the fields given. Reactivating a revoked maker is its own instruction
/// (`reactivate_maker`), so no update can undo a revocation by accident.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdateMakerArgs {
    /// Rotates the attestation key (for example after a leak); needs both key records.
    pub attestation_key: Option<Pubkey>,
    pub device_cap: Option<DeviceCapUpdate>,
}

/// Accounts: `authority` (signer, network authority, pays the new key record's rent),
/// `network`, `maker` (mut, of `network`), and for a key rotation only: `old_key_record`
/// (mut, the maker's current `[ATTESTATION_KEY, network, key]`, marked retired: the old key
/// never serves another maker) and `new_key_record` (mut, the new key's address, created);
/// `system_program`.
#[derive(Accounts)]
pub struct UpdateMaker<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RegistryError::NotNetworkAuthority)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut, has_one = network @ RegistryError::WrongNetwork)]
    pub maker: Box<Account<'info, Maker>>,
    #[account(mut)]
    pub old_key_record: Option<Box<Account<'info, AttestationKey>>>,
    /// CHECK: address and emptiness checked in `validate`; created by the handler.
    #[account(mut)]
    pub new_key_record: Option<UncheckedAccount<'info>>,
    pub system_program: Program<'info, System>,
}

impl UpdateMaker<'_> {
    pub fn validate(&self, args: &UpdateMakerArgs) -> Result<()> {
        require!(
            args.attestation_key.is_some() || args.device_cap.is_some(),
            RegistryError::NothingToUpdate
        );
        let Some(new_key) = args.attestation_key else {
            require!(
                self.old_key_record.is_none() && self.new_key_record.is_none(),
                RegistryError::WrongAttestationKeyRecord
            );
            return Ok(());
        };
        require_keys_neq!(
            new_key,
            self.maker.attestation_key,
            RegistryError::NothingToUpdate
        );
        let (Some(old), Some(new)) = (&self.old_key_record, &self.new_key_record) else {
            return err!(RegistryError::WrongAttestationKeyRecord);
        };
        let network = self.network.key();
        let old_address = Pubkey::create_program_address(
            &[
                seeds::ATTESTATION_KEY,
                network.as_ref(),
                self.maker.attestation_key.as_ref(),
                &[old.bump],
            ],
            &crate::ID,
        )
        .map_err(|_| error!(RegistryError::WrongAttestationKeyRecord))?;
        require!(
            old.key() == old_address && old.maker == self.maker.key() && !old.retired,
            RegistryError::WrongAttestationKeyRecord
        );
        // The new record's address (one PDA search) is checked by the handler, which needs
        // its bump anyway.
        require!(is_uncreated(new), RegistryError::AttestationKeyInUse);
        Ok(())
    }

    fn key_record_address(network: &Pubkey, key: &Pubkey) -> (Pubkey, u8) {
        Pubkey::find_program_address(
            &[seeds::ATTESTATION_KEY, network.as_ref(), key.as_ref()],
            &crate::ID,
        )
    }

    pub fn handler(ctx: Context<Self>, args: UpdateMakerArgs) -> Result<()> {
        let a = ctx.accounts;
        let maker_address = a.maker.key();
        if let (Some(new_key), Some(old), Some(new)) = (
            args.attestation_key,
            &mut a.old_key_record,
            &a.new_key_record,
        ) {
            old.retired = true;
            let network = a.network.key();
            let (address, bump) = Self::key_record_address(&network, &new_key);
            require_keys_eq!(new.key(), address, RegistryError::WrongAttestationKeyRecord);
            let signer: &[&[u8]] = &[
                seeds::ATTESTATION_KEY,
                network.as_ref(),
                new_key.as_ref(),
                &[bump],
            ];
            let authority = a.authority.to_account_info();
            let new_info = new.to_account_info();
            create_pda_account(&authority, &new_info, AttestationKey::SPACE, signer)?;
            AttestationKey {
                maker: maker_address,
                retired: false,
                bump,
            }
            .try_serialize(&mut &mut new_info.try_borrow_mut_data()?[..])?;
            a.maker.attestation_key = new_key;
        }
        match args.device_cap {
            Some(DeviceCapUpdate::Unlimited) => a.maker.device_cap = None,
            Some(DeviceCapUpdate::Limit(cap)) => a.maker.device_cap = Some(cap),
            None => {}
        }
        let maker = &a.maker;
        crate::events::emit(MakerUpdated {
            network: maker.network,
            maker: maker_address,
            attestation_key: maker.attestation_key,
            device_cap: maker.device_cap,
            active: maker.active,
        });
        Ok(())
    }
}
