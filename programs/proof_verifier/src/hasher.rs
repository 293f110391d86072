//! SHA-256 for depin-core's code (challenge seeds here, merkle proofs in emissions): Solana's
//! `sol_sha256` syscall on chain, the portable implementation natively (tests, the embedded
//! runtime).
use depin_core::sha256::Sha256;

pub struct Syscall;

impl Sha256 for Syscall {
    #[cfg(target_os = "solana")]
    fn hashv(parts: &[&[u8]]) -> [u8; 32] {
        let mut out = [0u8; 32];
        // SAFETY: the syscall reads `parts.len()` (pointer, length) pairs and writes 32 bytes.
        unsafe {
            anchor_lang::compat::solana_define_syscall::definitions::sol_sha256(
                parts as *const _ as *const u8,
                parts.len() as u64,
                out.as_mut_ptr(),
            );
        }
        out
    }

    #[cfg(not(target_os = "solana"))]
    fn hashv(parts: &[&[u8]]) -> [u8; 32] {
        depin_core::sha256::Soft::hashv(parts)
    }
}
