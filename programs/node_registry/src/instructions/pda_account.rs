//! Creating program-owned PDA accounts by hand: one `create_account` CPI (about 2,500 CU
//! less than Anchor's `init`), and addresses someone already sent lamports to are topped
//! up, allocated and assigned instead, so pre-funding cannot block a creation.
use anchor_lang::prelude::*;
use anchor_lang::solana_program::program::{invoke, invoke_signed};
use anchor_lang::solana_program::system_instruction;

/// Whether `account` is still an empty system account (nothing was created there).
pub fn is_uncreated(account: &AccountInfo) -> bool {
    account.data_is_empty() && account.owner == &System::id()
}

/// Creates `target` (rent-exempt, `space` bytes, owned by this program), paid by `payer`
/// and signed by `seeds` (which must derive `target`, bump included).
pub fn create_pda_account<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    space: usize,
    seeds: &[&[u8]],
) -> Result<()> {
    let rent = Rent::get()?.minimum_balance(space);
    let space = space as u64;
    let current = target.lamports();
    if current == 0 {
        let ix = system_instruction::create_account(payer.key, target.key, rent, space, &crate::ID);
        invoke_signed(&ix, &[payer.clone(), target.clone()], &[seeds])?;
    } else {
        if rent > current {
            let ix = system_instruction::transfer(payer.key, target.key, rent - current);
            invoke(&ix, &[payer.clone(), target.clone()])?;
        }
        invoke_signed(
            &system_instruction::allocate(target.key, space),
            std::slice::from_ref(target),
            &[seeds],
        )?;
        invoke_signed(
            &system_instruction::assign(target.key, &crate::ID),
            std::slice::from_ref(target),
            &[seeds],
        )?;
    }
    Ok(())
}

/// Closes a program-owned account as Anchor's `close` does: its lamports to `to`, its data
/// cleared and the account handed back to the system program.
pub fn close_account<'info>(account: &AccountInfo<'info>, to: &AccountInfo<'info>) -> Result<()> {
    let lamports = account.lamports();
    let total = to
        .lamports()
        .checked_add(lamports)
        .ok_or(crate::error::RegistryError::ArithmeticOverflow)?;
    **to.try_borrow_mut_lamports()? = total;
    **account.try_borrow_mut_lamports()? = 0;
    account.assign(&System::id());
    account.resize(0)?;
    Ok(())
}
