//! SPL Token / Token-2022 helpers for set-up: the credits mint, token accounts, minting.
//! (fee_settlement will own credit minting; until then a network's operator mints.)
use anchor_lang::prelude::{Pubkey, Rent};
use anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent;
use anchor_spl::token_2022::spl_token_2022;
use solana_instruction::Instruction;
use spl_token_2022::extension::ExtensionType;

pub const TOKEN_PROGRAM: Pubkey = anchor_spl::token::ID;
pub const TOKEN_2022_PROGRAM: Pubkey = anchor_spl::token_2022::ID;

/// Instructions that create `mint`. Under Token-2022 with `non_transferable`, holders can
/// burn but never move credits (the design's non-transferable data credits).
pub fn create_mint(
    payer: &Pubkey,
    mint: &Pubkey,
    mint_authority: &Pubkey,
    decimals: u8,
    token_program: &Pubkey,
    non_transferable: bool,
) -> anyhow::Result<Vec<Instruction>> {
    let extensions: &[ExtensionType] = if non_transferable {
        anyhow::ensure!(
            *token_program == TOKEN_2022_PROGRAM,
            "non-transferable mints need Token-2022"
        );
        &[ExtensionType::NonTransferable]
    } else {
        &[]
    };
    let space = ExtensionType::try_calculate_account_len::<spl_token_2022::state::Mint>(extensions)
        .map_err(|e| anyhow::anyhow!("mint size: {e}"))?;
    let lamports = Rent::default().minimum_balance(space);
    let mut ixs = vec![
        anchor_lang::solana_program::system_instruction::create_account(
            payer,
            mint,
            lamports,
            space as u64,
            token_program,
        ),
    ];
    if non_transferable {
        ixs.push(
            spl_token_2022::instruction::initialize_non_transferable_mint(token_program, mint)
                .map_err(|e| anyhow::anyhow!("non-transferable extension: {e}"))?,
        );
    }
    ixs.push(
        spl_token_2022::instruction::initialize_mint2(
            token_program,
            mint,
            mint_authority,
            None,
            decimals,
        )
        .map_err(|e| anyhow::anyhow!("initialize mint: {e}"))?,
    );
    Ok(ixs)
}

/// Creates `owner`'s associated token account for `mint` if it does not exist.
pub fn create_associated_account(
    payer: &Pubkey,
    owner: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Instruction {
    create_associated_token_account_idempotent(payer, owner, mint, token_program)
}

pub fn mint_to(
    token_program: &Pubkey,
    mint: &Pubkey,
    destination: &Pubkey,
    mint_authority: &Pubkey,
    amount: u64,
) -> anyhow::Result<Instruction> {
    spl_token_2022::instruction::mint_to(
        token_program,
        mint,
        destination,
        mint_authority,
        &[],
        amount,
    )
    .map_err(|e| anyhow::anyhow!("mint_to: {e}"))
}

/// Token balance of a token account (SPL Token or Token-2022 layout: amount at 64..72).
pub fn balance(data: &[u8]) -> Option<u64> {
    let b: [u8; 8] = data.get(64..72)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

/// Supply of a mint (at 36..44 in both token programs).
pub fn supply(data: &[u8]) -> Option<u64> {
    let b: [u8; 8] = data.get(36..44)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

/// Hands `mint`'s mint authority from `current` to `new` (a genesis allocation minted, the
/// emission schedule takes over).
pub fn set_mint_authority(
    token_program: &Pubkey,
    mint: &Pubkey,
    current: &Pubkey,
    new: &Pubkey,
) -> anyhow::Result<Instruction> {
    spl_token_2022::instruction::set_authority(
        token_program,
        mint,
        Some(new),
        spl_token_2022::instruction::AuthorityType::MintTokens,
        current,
        &[],
    )
    .map_err(|e| anyhow::anyhow!("set authority: {e}"))
}
