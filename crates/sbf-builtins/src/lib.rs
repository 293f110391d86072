//! Memory builtins for programs built with upstream LLVM's BPF target (`scripts/build-sbf.sh`).
//!
//! Anza's platform-tools ship these in their compiler runtime; upstream `bpfel` has none, so
//! the program links these, each a single Solana syscall. Programs depend on this crate only
//! under `cfg(target_arch = "bpf")`, which Anza's `sbf` target never matches, so `anchor
//! build` is unaffected. On any other target the crate is empty.
#![no_std]

#[cfg(target_os = "solana")]
mod imp {
    use solana_define_syscall::definitions as sys;

    /// # Safety
    /// The C contract of `memcpy`: `n` bytes readable at `src`, writable at `dst`.
    #[no_mangle]
    pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        sys::sol_memcpy_(dst, src, n as u64);
        dst
    }

    /// # Safety
    /// The C contract of `memmove`.
    #[no_mangle]
    pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        sys::sol_memmove_(dst, src, n as u64);
        dst
    }

    /// # Safety
    /// The C contract of `memset`.
    #[no_mangle]
    pub unsafe extern "C" fn memset(s: *mut u8, c: i32, n: usize) -> *mut u8 {
        sys::sol_memset_(s, c as u8, n as u64);
        s
    }

    /// # Safety
    /// The C contract of `memcmp`.
    #[no_mangle]
    pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        let mut r: i32 = 0;
        sys::sol_memcmp_(a, b, n as u64, &mut r as *mut i32);
        r
    }

    /// # Safety
    /// The C contract of `bcmp`.
    #[no_mangle]
    pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        memcmp(a, b, n)
    }
}
