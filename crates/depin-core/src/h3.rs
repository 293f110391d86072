//! H3 cell index validation, cheap enough for on-chain use (no tables beyond 12 bytes).
//!
//! Mirrors `isValidCell` of the H3 reference library: high bit clear, mode = cell,
//! reserved bits clear, base cell < 122, resolution digits in 0..=6 with unused digits 7,
//! and no deleted K-axis subsequence below a pentagon base cell.

/// Number of H3 base cells.
pub const BASE_CELLS: u8 = 122;
/// Finest H3 resolution.
pub const MAX_RESOLUTION: u8 = 15;
const PENTAGON_BASE_CELLS: [u8; 12] = [4, 14, 24, 38, 49, 58, 63, 72, 83, 97, 107, 117];
const MODE_CELL: u64 = 1;

/// Resolution (0–15) of an index, whether or not the rest is valid.
pub const fn resolution(index: u64) -> u8 {
    ((index >> 52) & 0xF) as u8
}

/// Base cell number of an index.
pub const fn base_cell(index: u64) -> u8 {
    ((index >> 45) & 0x7F) as u8
}

const fn digit(index: u64, res: u8) -> u8 {
    ((index >> ((MAX_RESOLUTION - res) as u64 * 3)) & 0x7) as u8
}

/// Whether `index` is a valid H3 cell index.
pub fn is_valid_cell(index: u64) -> bool {
    if index >> 63 != 0 {
        return false;
    }
    if (index >> 59) & 0xF != MODE_CELL {
        return false;
    }
    if (index >> 56) & 0x7 != 0 {
        return false;
    }
    let base = base_cell(index);
    if base >= BASE_CELLS {
        return false;
    }
    let res = resolution(index);
    let pentagon = PENTAGON_BASE_CELLS.contains(&base);
    let mut leading_zero = true;
    let mut r = 1;
    while r <= MAX_RESOLUTION {
        let d = digit(index, r);
        if r <= res {
            if d == 7 {
                return false;
            }
            if leading_zero && d != 0 {
                leading_zero = false;
                // digit 1 (K axis) directly below a pentagon's centre does not exist
                if pentagon && d == 1 {
                    return false;
                }
            }
        } else if d != 7 {
            return false;
        }
        r += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_cells() {
        // San Francisco at resolution 9 (H3 docs example) and a res-0 base cell.
        assert!(is_valid_cell(0x8928308280fffff));
        assert_eq!(resolution(0x8928308280fffff), 9);
        assert!(is_valid_cell(0x8001fffffffffff));
        assert!(!is_valid_cell(0));
        assert!(!is_valid_cell(u64::MAX));
        // same cell with an unused digit not 7
        assert!(!is_valid_cell(0x8928308280ffffe));
        // base cell 122
        assert!(!is_valid_cell(0x80f5fffffffffff));
        // pentagon base cell 4 with first digit 1 (deleted subsequence)
        let pent = 0x81087ffffffffff_u64; // res 1, base cell 4, digit 1
        assert_eq!(base_cell(pent), 4);
        assert!(!is_valid_cell(pent));
        // the same with digit 2 exists
        assert!(is_valid_cell(pent + (1 << 42)));
    }

    fn reference(index: u64) -> bool {
        h3o::CellIndex::try_from(index).is_ok()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        // Agrees with the h3o library on random bit patterns shaped like cells...
        #[test]
        fn agrees_with_h3o_near_valid(base in 0u64..128, res in 0u64..16, digits in any::<u64>(), flip in 0u32..70) {
            let mut digits = digits & ((1 << 45) - 1);
            // unused digits set to 7 most of the time, so the interesting cases are common
            for r in (res + 1)..=15 { digits |= 7 << ((15 - r) * 3); }
            let mut index = (1u64 << 59) | (res << 52) | (base << 45) | digits;
            if flip < 64 { index ^= 1 << flip; }
            prop_assert_eq!(is_valid_cell(index), reference(index), "{:#x}", index);
        }
        // ...and on any u64.
        #[test]
        fn agrees_with_h3o_anywhere(index in any::<u64>()) {
            prop_assert_eq!(is_valid_cell(index), reference(index));
        }
        // Every real cell from lat/lng is accepted.
        #[test]
        fn real_cells_accepted(lat in -89.9f64..89.9, lng in -179.9f64..179.9, res in 0u8..16) {
            let ll = h3o::LatLng::new(lat, lng).unwrap();
            let cell = ll.to_cell(h3o::Resolution::try_from(res).unwrap());
            prop_assert!(is_valid_cell(u64::from(cell)));
        }
    }
}
