//! Proof of compute: the challenge is a product of two seed-derived `n × n` matrices over
//! the prime field of 2^61 − 1. Computing it takes `n³` multiplications; checking it with
//! Freivalds' algorithm takes `k · 3n²` (`A·(B·r) = C·r` for `k` random vectors `r`, each
//! round missing a wrong product with probability at most 1/p). The deadline the oracle
//! sets bounds what a smaller machine could compute in time.
use super::{device_challenge, Hash, Sector, SplitMix64};
use crate::sha256::Sha256;

/// The field's prime, 2^61 − 1 (a Mersenne prime: reduction is a shift and an add).
pub const P: u64 = (1 << 61) - 1;
/// Largest matrix side accepted.
pub const MAX_N: usize = 1_024;

/// `a · b mod P`.
pub fn mul_mod(a: u64, b: u64) -> u64 {
    let x = u128::from(a) * u128::from(b);
    let lo = (x as u64) & P;
    let hi = (x >> 61) as u64;
    let s = lo + hi;
    let s = (s & P) + (s >> 61);
    if s >= P {
        s - P
    } else {
        s
    }
}

/// `a + b mod P` for `a, b < P`.
pub fn add_mod(a: u64, b: u64) -> u64 {
    let s = a + b;
    if s >= P {
        s - P
    } else {
        s
    }
}

/// The challenge hash of matrix `which` (0: A, 1: B) and of the check vectors (2).
pub fn matrix_challenge<H: Sha256>(seed: &Hash, device: &[u8; 32], which: u32) -> Hash {
    device_challenge::<H>(seed, device, Sector::Compute, which)
}

/// Fills `out` (row-major, `n × n`) with field elements from `challenge`.
pub fn fill_matrix(challenge: &Hash, out: &mut [u64]) {
    let mut g = SplitMix64::new(challenge);
    for v in out.iter_mut() {
        // 64 → 61 bits, then below P (P itself maps to 0)
        let x = g.next() >> 3;
        *v = if x >= P { x - P } else { x };
    }
}

/// Why a compute answer does not count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ComputeRejection {
    WrongProduct,
    WrongSize,
    Late,
}

impl ComputeRejection {
    pub fn name(self) -> &'static str {
        match self {
            ComputeRejection::WrongProduct => "wrong_matrix_product",
            ComputeRejection::WrongSize => "wrong_matrix_size",
            ComputeRejection::Late => "late_answer",
        }
    }
}

#[cfg(feature = "std")]
pub use with_std::*;

#[cfg(feature = "std")]
mod with_std {
    use super::*;
    extern crate std;
    use std::vec::Vec;

    /// The two matrices of `device`'s challenge in the epoch of `seed`.
    pub fn challenge_matrices<H: Sha256>(
        seed: &Hash,
        device: &[u8; 32],
        n: usize,
    ) -> (Vec<u64>, Vec<u64>) {
        let mut a = std::vec![0u64; n * n];
        let mut b = std::vec![0u64; n * n];
        fill_matrix(&matrix_challenge::<H>(seed, device, 0), &mut a);
        fill_matrix(&matrix_challenge::<H>(seed, device, 1), &mut b);
        (a, b)
    }

    /// `a · b` (row-major, `n × n`): the device's work, `n³` multiplications.
    pub fn multiply(a: &[u64], b: &[u64], n: usize) -> Vec<u64> {
        let mut c = std::vec![0u64; n * n];
        for i in 0..n {
            for k in 0..n {
                let aik = a[i * n + k];
                let row = &b[k * n..(k + 1) * n];
                let out = &mut c[i * n..(i + 1) * n];
                for (o, bkj) in out.iter_mut().zip(row) {
                    *o = add_mod(*o, mul_mod(aik, *bkj));
                }
            }
        }
        c
    }

    fn mat_vec(m: &[u64], v: &[u64], n: usize) -> Vec<u64> {
        (0..n)
            .map(|i| {
                m[i * n..(i + 1) * n]
                    .iter()
                    .zip(v)
                    .fold(0u64, |acc, (x, y)| add_mod(acc, mul_mod(*x, *y)))
            })
            .collect()
    }

    /// Freivalds' check of `c = a · b` with `rounds` random vectors drawn from `verifier`
    /// (the oracle's own challenge, unknown to the device when it answers): `3 n²`
    /// multiplications a round.
    pub fn check_product(
        a: &[u64],
        b: &[u64],
        c: &[u64],
        n: usize,
        verifier: &Hash,
        rounds: u32,
    ) -> Result<(), ComputeRejection> {
        if n == 0 || n > MAX_N || a.len() != n * n || b.len() != n * n || c.len() != n * n {
            return Err(ComputeRejection::WrongSize);
        }
        let mut g = SplitMix64::new(verifier);
        for _ in 0..rounds.max(1) {
            let r: Vec<u64> = (0..n).map(|_| (g.next() >> 3) % P).collect();
            let br = mat_vec(b, &r, n);
            if mat_vec(a, &br, n) != mat_vec(c, &r, n) {
                return Err(ComputeRejection::WrongProduct);
            }
        }
        Ok(())
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use crate::sha256::Soft;
    use proptest::prelude::*;

    #[test]
    fn field_arithmetic() {
        assert_eq!(mul_mod(P - 1, P - 1), 1);
        assert_eq!(mul_mod(2, P - 1), P - 2);
        assert_eq!(add_mod(P - 1, 1), 0);
        assert_eq!(mul_mod(0, 12345), 0);
        let x = 0x0123_4567_89ab_cdef % P;
        let y = 0x0fed_cba9_8765_4321 % P;
        assert_eq!(
            u128::from(mul_mod(x, y)),
            (u128::from(x) * u128::from(y)) % u128::from(P)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// An honest product always passes; any changed entry fails.
        #[test]
        fn honest_products_pass_and_any_change_fails(
            seed in any::<[u8; 32]>(),
            verifier in any::<[u8; 32]>(),
            n in 1usize..24,
            at in any::<usize>(),
            delta in 1u64..P,
        ) {
            let device = [9u8; 32];
            let (a, b) = challenge_matrices::<Soft>(&seed, &device, n);
            let c = multiply(&a, &b, n);
            prop_assert_eq!(check_product(&a, &b, &c, n, &verifier, 2), Ok(()));
            let mut bad = c.clone();
            let i = at % bad.len();
            bad[i] = add_mod(bad[i], delta);
            prop_assert_eq!(check_product(&a, &b, &bad, n, &verifier, 2), Err(ComputeRejection::WrongProduct));
            // the product of another device's matrices is not this one's
            let (a2, b2) = challenge_matrices::<Soft>(&seed, &[1u8; 32], n);
            let c2 = multiply(&a2, &b2, n);
            prop_assert_eq!(check_product(&a, &b, &c2, n, &verifier, 2), Err(ComputeRejection::WrongProduct));
            prop_assert_eq!(check_product(&a, &b, &c[1..], n, &verifier, 2), Err(ComputeRejection::WrongSize));
        }
    }
}
