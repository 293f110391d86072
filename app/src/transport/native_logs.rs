//! Program events ("Program data:" log lines) for natively compiled programs.
//!
//! In the SBF VM, `sol_log_data` (Anchor's `emit!`) writes a "Program data: <base64>" line
//! into the transaction's log. Natively, program-test routes `msg!`-style logs through its
//! syscall stubs into the log collector but leaves `sol_log_data` at the default, which
//! prints to stdout, so events were lost. [`install`] wraps program-test's stubs once per
//! process: `sol_log_data` goes into the log collector as a marked "Program log:" line, and
//! [`restore`] turns those back into the "Program data:" lines the VM would have written.
//! Everything else is passed to program-test's stubs unchanged.
use anchor_lang::compat::solana_sysvar::program_stubs::{set_syscall_stubs, SyscallStubs};
use anchor_lang::prelude::{AccountInfo, Pubkey};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use base64::Engine;
use solana_instruction::Instruction;

/// Prefix of a marked log line carrying event data.
const MARK: &str = "depin-native-log-data: ";
const LOG_PREFIX: &str = "Program log: ";

struct CapturingStubs {
    inner: Box<dyn SyscallStubs>,
}

impl SyscallStubs for CapturingStubs {
    fn sol_log_data(&self, fields: &[&[u8]]) {
        let b64 = base64::engine::general_purpose::STANDARD;
        let data: Vec<String> = fields.iter().map(|f| b64.encode(f)).collect();
        self.inner.sol_log(&format!("{MARK}{}", data.join(" ")));
    }
    fn sol_log(&self, message: &str) {
        self.inner.sol_log(message)
    }
    fn sol_log_compute_units(&self) {
        self.inner.sol_log_compute_units()
    }
    fn sol_remaining_compute_units(&self) -> u64 {
        self.inner.sol_remaining_compute_units()
    }
    fn sol_invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        self.inner
            .sol_invoke_signed(instruction, account_infos, signers_seeds)
    }
    fn sol_get_sysvar(&self, id: *const u8, var: *mut u8, offset: u64, length: u64) -> u64 {
        self.inner.sol_get_sysvar(id, var, offset, length)
    }
    fn sol_get_clock_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_clock_sysvar(var)
    }
    fn sol_get_epoch_schedule_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_epoch_schedule_sysvar(var)
    }
    fn sol_get_fees_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_fees_sysvar(var)
    }
    fn sol_get_rent_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_rent_sysvar(var)
    }
    fn sol_get_epoch_rewards_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_epoch_rewards_sysvar(var)
    }
    fn sol_get_last_restart_slot(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_last_restart_slot(var)
    }
    fn sol_get_epoch_stake(&self, vote_address: *const u8) -> u64 {
        self.inner.sol_get_epoch_stake(vote_address)
    }
    unsafe fn sol_memcpy(&self, dst: *mut u8, src: *const u8, n: usize) {
        // SAFETY: forwarded unchanged; the caller upholds the contract.
        unsafe { self.inner.sol_memcpy(dst, src, n) }
    }
    unsafe fn sol_memmove(&self, dst: *mut u8, src: *const u8, n: usize) {
        // SAFETY: as above.
        unsafe { self.inner.sol_memmove(dst, src, n) }
    }
    unsafe fn sol_memcmp(&self, s1: *const u8, s2: *const u8, n: usize, result: *mut i32) {
        // SAFETY: as above.
        unsafe { self.inner.sol_memcmp(s1, s2, n, result) }
    }
    unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
        // SAFETY: as above.
        unsafe { self.inner.sol_memset(s, c, n) }
    }
    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        self.inner.sol_get_return_data()
    }
    fn sol_set_return_data(&self, data: &[u8]) {
        self.inner.sol_set_return_data(data)
    }
    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        self.inner.sol_get_processed_sibling_instruction(index)
    }
    fn sol_get_stack_height(&self) -> u64 {
        self.inner.sol_get_stack_height()
    }
}

/// Wraps the stubs installed now (program-test's, once a runtime has started).
pub fn install() {
    struct Placeholder;
    impl SyscallStubs for Placeholder {}
    let inner = set_syscall_stubs(Box::new(Placeholder));
    set_syscall_stubs(Box::new(CapturingStubs { inner }));
}

/// Marked lines back to the "Program data:" lines the SBF runtime writes.
pub fn restore(logs: Vec<String>) -> Vec<String> {
    logs.into_iter()
        .map(|l| {
            match l
                .strip_prefix(LOG_PREFIX)
                .and_then(|r| r.strip_prefix(MARK))
            {
                Some(data) => format!("Program data: {data}"),
                None => l,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn marked_lines_become_program_data() {
        let logs = vec![
            "Program X invoke [1]".to_string(),
            format!("Program log: {}AAEC", super::MARK),
            "Program log: hello".to_string(),
        ];
        assert_eq!(
            super::restore(logs),
            vec![
                "Program X invoke [1]",
                "Program data: AAEC",
                "Program log: hello"
            ]
        );
    }
}
