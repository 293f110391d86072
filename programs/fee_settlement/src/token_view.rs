//! Token accounts and mints read in place (the base layout is the same in SPL Token and
//! Token-2022), and the credits mint's extensions checked once at `initialize`.
use anchor_lang::prelude::*;

const ACCOUNT_LEN: usize = 165;
const MINT_AT: usize = 0;
const OWNER_AT: usize = 32;
const AMOUNT_AT: usize = 64;
const STATE_AT: usize = 108;
const ACCOUNT_TYPE_AT: usize = ACCOUNT_LEN;
const ACCOUNT_TYPE_MINT: u8 = 1;
const ACCOUNT_TYPE_ACCOUNT: u8 = 2;

/// The base fields of an initialised token account (either program), or `None`.
pub struct TokenAccountView {
    pub mint: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
}

fn key_at(data: &[u8], at: usize) -> Option<Pubkey> {
    let b: [u8; 32] = data.get(at..at + 32)?.try_into().ok()?;
    Some(Pubkey::new_from_array(b))
}

impl TokenAccountView {
    pub fn read(info: &AccountInfo) -> Option<Self> {
        let data = info.try_borrow_data().ok()?;
        let is_account = data.len() == ACCOUNT_LEN
            || (data.len() > ACCOUNT_LEN
                && data.get(ACCOUNT_TYPE_AT) == Some(&ACCOUNT_TYPE_ACCOUNT));
        if !is_account || data.get(STATE_AT) == Some(&0) {
            return None;
        }
        let amount = u64::from_le_bytes(data.get(AMOUNT_AT..AMOUNT_AT + 8)?.try_into().ok()?);
        Some(TokenAccountView {
            mint: key_at(&data, MINT_AT)?,
            owner: key_at(&data, OWNER_AT)?,
            amount,
        })
    }
}

/// Token-2022 extension types (spl-token-2022's `ExtensionType` numbers).
const NON_TRANSFERABLE: u16 = 9;
const METADATA_POINTER: u16 = 18;
const TOKEN_METADATA: u16 = 19;

/// What `initialize` requires of a credits mint.
#[derive(Debug, PartialEq, Eq)]
pub enum CreditsMintCheck {
    Ok,
    /// Not a Token-2022 mint, or no NonTransferable extension.
    NotNonTransferable,
    /// A freeze authority, or an extension besides NonTransferable and metadata (permanent
    /// delegate, default frozen state, pausable, close authority…).
    Unsafe,
    /// The mint authority is not the settlement.
    WrongAuthority,
}

/// Checks a Token-2022 mint account's bytes: authority `authority`, no freeze authority,
/// NonTransferable and otherwise only metadata extensions.
pub fn check_credits_mint(data: &[u8], authority: &Pubkey) -> CreditsMintCheck {
    if data.len() <= ACCOUNT_LEN || data.get(ACCOUNT_TYPE_AT) != Some(&ACCOUNT_TYPE_MINT) {
        return CreditsMintCheck::NotNonTransferable;
    }
    // COption<Pubkey>: 4-byte tag then the key; freeze authority at 46
    let mint_authority = data.get(0..36).filter(|b| b[0..4] == [1, 0, 0, 0]);
    if mint_authority.and_then(|b| key_at(b, 4)) != Some(*authority) {
        return CreditsMintCheck::WrongAuthority;
    }
    if data.get(46..50) != Some(&[0, 0, 0, 0]) {
        return CreditsMintCheck::Unsafe;
    }
    let mut non_transferable = false;
    let mut at = ACCOUNT_TYPE_AT + 1;
    // bounded: every entry takes at least 4 bytes
    for _ in 0..64 {
        let (Some(t), Some(l)) = (data.get(at..at + 2), data.get(at + 2..at + 4)) else {
            break;
        };
        let kind = u16::from_le_bytes([t[0], t[1]]);
        let len = usize::from(u16::from_le_bytes([l[0], l[1]]));
        match kind {
            0 => break,
            NON_TRANSFERABLE => non_transferable = true,
            METADATA_POINTER | TOKEN_METADATA => {}
            _ => return CreditsMintCheck::Unsafe,
        }
        at = at.saturating_add(4).saturating_add(len);
    }
    if non_transferable {
        CreditsMintCheck::Ok
    } else {
        CreditsMintCheck::NotNonTransferable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mint(authority: &Pubkey, freeze: bool, exts: &[(u16, u16)]) -> Vec<u8> {
        let mut d = vec![0u8; ACCOUNT_LEN + 1];
        d[0..4].copy_from_slice(&[1, 0, 0, 0]);
        d[4..36].copy_from_slice(authority.as_ref());
        d[45] = 1;
        if freeze {
            d[46] = 1;
        }
        d[ACCOUNT_TYPE_AT] = ACCOUNT_TYPE_MINT;
        for (kind, len) in exts {
            d.extend_from_slice(&kind.to_le_bytes());
            d.extend_from_slice(&len.to_le_bytes());
            d.extend(std::iter::repeat_n(0u8, usize::from(*len)));
        }
        d
    }

    #[test]
    fn credits_mint_rules() {
        let a = Pubkey::new_unique();
        assert_eq!(
            check_credits_mint(&mint(&a, false, &[(9, 0)]), &a),
            CreditsMintCheck::Ok
        );
        assert_eq!(
            check_credits_mint(&mint(&a, false, &[(18, 64), (9, 0), (19, 10)]), &a),
            CreditsMintCheck::Ok
        );
        assert_eq!(
            check_credits_mint(&mint(&a, false, &[]), &a),
            CreditsMintCheck::NotNonTransferable
        );
        assert_eq!(
            check_credits_mint(&mint(&a, false, &[(9, 0), (12, 32)]), &a),
            CreditsMintCheck::Unsafe
        );
        assert_eq!(
            check_credits_mint(&mint(&a, true, &[(9, 0)]), &a),
            CreditsMintCheck::Unsafe
        );
        assert_eq!(
            check_credits_mint(&mint(&Pubkey::new_unique(), false, &[(9, 0)]), &a),
            CreditsMintCheck::WrongAuthority
        );
        assert_eq!(
            check_credits_mint(&[0u8; 82], &a),
            CreditsMintCheck::NotNonTransferable
        );
    }
}
