//! Zero-copy reader for the instructions sysvar account data.
//!
//! The Solana helper (`load_instruction_at_checked`) copies every account meta and the data
//! of the instruction it loads into new vectors; reading in place is cheaper on chain and lets
//! the same code run in tests without a runtime. Layout (little endian):
//!
//! ```text
//! u16 count · u16 offset[count] · instructions… · u16 current_index (last two bytes)
//! instruction: u16 n_accounts · (u8 flags · [u8; 32] key)[n_accounts] · [u8; 32] program_id
//!              · u16 data_len · data
//! ```

/// One instruction of the transaction, borrowed from the sysvar data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstructionView<'a> {
    pub program_id: &'a [u8; 32],
    pub num_accounts: u16,
    pub data: &'a [u8],
}

fn read_u16(data: &[u8], at: usize) -> Option<u16> {
    let end = at.checked_add(2)?;
    let b = data.get(at..end)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

/// Index of the instruction now executing.
pub fn current_index(data: &[u8]) -> Option<u16> {
    let at = data.len().checked_sub(2)?;
    read_u16(data, at)
}

/// Number of instructions in the transaction.
pub fn instruction_count(data: &[u8]) -> Option<u16> {
    read_u16(data, 0)
}

/// The instruction at `index`, or `None` when out of range or malformed.
pub fn instruction_at(data: &[u8], index: u16) -> Option<InstructionView<'_>> {
    if index >= instruction_count(data)? {
        return None;
    }
    let start = usize::from(read_u16(data, 2 + 2 * usize::from(index))?);
    let num_accounts = read_u16(data, start)?;
    let program_at = start
        .checked_add(2)?
        .checked_add(usize::from(num_accounts).checked_mul(33)?)?;
    let program_id: &[u8; 32] = data.get(program_at..program_at + 32)?.try_into().ok()?;
    let len_at = program_at + 32;
    let len = usize::from(read_u16(data, len_at)?);
    let data_at = len_at + 2;
    let ix_data = data.get(data_at..data_at.checked_add(len)?)?;
    Some(InstructionView {
        program_id,
        num_accounts,
        data: ix_data,
    })
}

/// One instruction for [`encode`]: program id, (flags, key) per account, data.
#[cfg(feature = "std")]
pub type EncodedInstruction<'a> = (&'a [u8; 32], &'a [(u8, [u8; 32])], &'a [u8]);

/// Test and client helper: encodes instructions the way the runtime does.
#[cfg(feature = "std")]
pub fn encode(instructions: &[EncodedInstruction<'_>], current: u16) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend_from_slice(&(instructions.len() as u16).to_le_bytes());
    d.resize(2 + 2 * instructions.len(), 0);
    for (i, (program, accounts, data)) in instructions.iter().enumerate() {
        let off = (d.len() as u16).to_le_bytes();
        d[2 + 2 * i..4 + 2 * i].copy_from_slice(&off);
        d.extend_from_slice(&(accounts.len() as u16).to_le_bytes());
        for (flags, key) in accounts.iter() {
            d.push(*flags);
            d.extend_from_slice(key);
        }
        d.extend_from_slice(&program[..]);
        d.extend_from_slice(&(data.len() as u16).to_le_bytes());
        d.extend_from_slice(data);
    }
    d.extend_from_slice(&current.to_le_bytes());
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_back() {
        let p1 = [1u8; 32];
        let p2 = [2u8; 32];
        let accts = [(3u8, [9u8; 32]), (0u8, [8u8; 32])];
        let d = encode(&[(&p1, &[], b"abc"), (&p2, &accts, b"")], 1);
        assert_eq!(instruction_count(&d), Some(2));
        assert_eq!(current_index(&d), Some(1));
        let a = instruction_at(&d, 0).unwrap();
        assert_eq!(
            (a.program_id, a.num_accounts, a.data),
            (&p1, 0, &b"abc"[..])
        );
        let b = instruction_at(&d, 1).unwrap();
        assert_eq!((b.program_id, b.num_accounts, b.data), (&p2, 2, &b""[..]));
        assert_eq!(instruction_at(&d, 2), None);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(d in proptest::collection::vec(any::<u8>(), 0..400), i in any::<u16>()) {
            let _ = instruction_at(&d, i);
            let _ = current_index(&d);
        }

        #[test]
        fn roundtrip(datas in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..50), 1..6)) {
            let prog = [5u8; 32];
            let ixs: Vec<EncodedInstruction<'_>> =
                datas.iter().map(|d| (&prog, &[][..], &d[..])).collect();
            let enc = encode(&ixs, 0);
            for (i, d) in datas.iter().enumerate() {
                prop_assert_eq!(instruction_at(&enc, i as u16).unwrap().data, &d[..]);
            }
        }
    }
}
