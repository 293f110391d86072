//! Network names: used directly as a PDA seed, so at most 32 bytes.

/// Longest network name (one PDA seed).
pub const MAX_NETWORK_NAME_LEN: usize = 32;

/// A network name is 1–32 bytes of lowercase ASCII letters, digits, `-` or `_`, so it reads
/// the same in every wallet, URL and explorer and cannot be confused by Unicode look-alikes.
pub fn is_valid_network_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NETWORK_NAME_LEN
        && name
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_valid_network_name(b"helium-iot"));
        assert!(is_valid_network_name(&[b'a'; 32]));
        assert!(!is_valid_network_name(&[b'a'; 33]));
        assert!(!is_valid_network_name(b""));
        assert!(!is_valid_network_name(b"Helium"));
        assert!(!is_valid_network_name(b"a b"));
        assert!(!is_valid_network_name("né".as_bytes()));
    }
}
