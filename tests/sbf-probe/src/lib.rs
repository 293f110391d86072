//! A program that exercises what the upstream-LLVM SBPF build must get right and Anchor
//! programs rarely show in isolation: i128 multiply/divide/remainder (the shims), calls with
//! more than five arguments (stack arguments, nested), and a callee whose frame is nearly
//! the full 4 KiB while it receives stack arguments. Results come back as return data so the
//! host test compares them with native Rust.
//!
//! Instruction data: `[op, payload…]`
//! - `0, kind, a: i128, b: i128` → i128 result (kind 0 mul, 1 udiv, 2 urem, 3 sdiv, 4 srem)
//! - `1, x: [u64; 8]` → u64 from an 8-argument call chain (8 → 7 → 6 arguments)
//! - `2, x: [u64; 8]` → u64 from a 7-argument callee with a 3.4 KiB local array
//! - `3, n: u32` → allocates and touches `n` heap bytes (the SBF heap is 32 KiB)
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::{
    account_info::AccountInfo, program::set_return_data, program_error::ProgramError,
};
use core::hint::black_box;

#[cfg(target_arch = "bpf")]
use depin_sbf_builtins as _;

anchor_lang::declare_id!("DNDy8qAkripxDsxHZmRZHLrG1mJKtaCtED7hSZthxByz");

#[cfg(not(feature = "no-entrypoint"))]
anchor_lang::solana_program::entrypoint!(process_instruction);

fn i128_at(d: &[u8], at: usize) -> Result<i128, ProgramError> {
    d.get(at..at + 16)
        .and_then(|b| b.try_into().ok())
        .map(i128::from_le_bytes)
        .ok_or(ProgramError::InvalidInstructionData)
}

fn u64s(d: &[u8]) -> Result<[u64; 8], ProgramError> {
    let mut x = [0u64; 8];
    for (i, v) in x.iter_mut().enumerate() {
        *v = d
            .get(i * 8..i * 8 + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
            .ok_or(ProgramError::InvalidInstructionData)?;
    }
    Ok(x)
}

/// The i128 operation `kind` on (a, b); `None` for division by zero or overflow.
pub fn i128_op(kind: u8, a: i128, b: i128) -> Option<i128> {
    let (a, b) = (black_box(a), black_box(b));
    match kind {
        0 => Some(a.wrapping_mul(b)),
        1 => (a as u128).checked_div(b as u128).map(|v| v as i128),
        2 => (a as u128).checked_rem(b as u128).map(|v| v as i128),
        3 => a.checked_div(b),
        4 => a.checked_rem(b),
        _ => None,
    }
}

#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub fn args6(a: u64, b: u64, c: u64, d: u64, e: u64, f: u64) -> u64 {
    black_box(
        a ^ b.rotate_left(7)
            ^ c.rotate_left(13)
            ^ d.rotate_left(21)
            ^ e.rotate_left(29)
            ^ f.rotate_left(37),
    )
}

#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub fn args7(a: u64, b: u64, c: u64, d: u64, e: u64, f: u64, g: u64) -> u64 {
    let inner = args6(g, f, e, d, c, b);
    black_box(inner.wrapping_mul(31).wrapping_add(a) ^ g.rotate_left(3))
}

/// Eight arguments, calling seven, calling six: stack arguments at three depths.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub fn args8(a: u64, b: u64, c: u64, d: u64, e: u64, f: u64, g: u64, h: u64) -> u64 {
    let x = args7(h, g, f, e, d, c, b);
    black_box(x.wrapping_add(a).rotate_left((h % 64) as u32))
}

/// Seven arguments and a 3.4 KiB local array in the same frame, then a 6-argument call.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub fn deep_frame(a: u64, b: u64, c: u64, d: u64, e: u64, f: u64, g: u64) -> u64 {
    let mut buf = [0u64; 440]; // 3,520 bytes of the 4,096-byte frame
    for (i, v) in buf.iter_mut().enumerate() {
        *v = (i as u64).wrapping_mul(a) ^ g;
    }
    black_box(&mut buf);
    let sum = buf.iter().fold(0u64, |s, v| s.wrapping_add(*v));
    // g is an incoming stack argument; read it after the big frame was used
    args6(sum, b, c, d, e, f).wrapping_add(g)
}

pub fn process_instruction(
    _program_id: &Pubkey,
    _accounts: &[AccountInfo],
    data: &[u8],
) -> Result<(), ProgramError> {
    let (op, rest) = data
        .split_first()
        .ok_or(ProgramError::InvalidInstructionData)?;
    match op {
        0 => {
            let kind = *rest.first().ok_or(ProgramError::InvalidInstructionData)?;
            let a = i128_at(rest, 1)?;
            let b = i128_at(rest, 17)?;
            let r = i128_op(kind, a, b).ok_or(ProgramError::ArithmeticOverflow)?;
            set_return_data(&r.to_le_bytes());
        }
        1 => {
            let x = u64s(rest)?;
            let r = args8(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]);
            set_return_data(&r.to_le_bytes());
        }
        2 => {
            let x = u64s(rest)?;
            let r = deep_frame(x[0], x[1], x[2], x[3], x[4], x[5], x[6]);
            set_return_data(&r.to_le_bytes());
        }
        3 => {
            let n = rest
                .get(..4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
                .ok_or(ProgramError::InvalidInstructionData)?;
            let mut v = vec![0u8; n as usize];
            for (i, b) in v.iter_mut().enumerate().step_by(64) {
                *b = i as u8;
            }
            let v = black_box(v);
            set_return_data(&(v.len() as u64).to_le_bytes());
        }
        _ => return Err(ProgramError::InvalidInstructionData),
    }
    Ok(())
}
