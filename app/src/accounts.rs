//! Reading and decoding program accounts.
use crate::transport::{AccountFilter, Transport, TransportError};
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AccountDeserialize, Discriminator};
use node_registry::state::{AttestationKey, Device, Maker, Network, Node, TransferOffer};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("no {kind} account at {address}")]
    Missing { kind: &'static str, address: Pubkey },
    #[error("account {address} is not a {kind}: {reason}")]
    Decode {
        kind: &'static str,
        address: Pubkey,
        reason: String,
    },
}

pub fn decode<T: AccountDeserialize>(
    kind: &'static str,
    address: &Pubkey,
    data: &[u8],
) -> Result<T, AccountError> {
    T::try_deserialize(&mut &data[..]).map_err(|e| AccountError::Decode {
        kind,
        address: *address,
        reason: e.to_string(),
    })
}

/// Fetches and decodes an account owned by node_registry; `None` if it does not exist.
pub fn fetch<T: AccountDeserialize>(
    t: &(impl Transport + ?Sized),
    kind: &'static str,
    address: &Pubkey,
) -> Result<Option<T>, AccountError> {
    fetch_of(t, kind, address, &node_registry::ID)
}

/// Fetches and decodes an account that `program` must own; `None` if it does not exist.
pub fn fetch_of<T: AccountDeserialize>(
    t: &(impl Transport + ?Sized),
    kind: &'static str,
    address: &Pubkey,
    program: &Pubkey,
) -> Result<Option<T>, AccountError> {
    match t.get_account(address)? {
        None => Ok(None),
        Some(a) if a.owner != *program => Err(AccountError::Decode {
            kind,
            address: *address,
            reason: format!("owned by {}, not {}", a.owner, program_name(program)),
        }),
        Some(a) => decode(kind, address, &a.data).map(Some),
    }
}

/// Our programs by name in messages, others by address.
fn program_name(program: &Pubkey) -> String {
    crate::transport::embedded::PROGRAMS
        .iter()
        .find(|(_, id)| id == program)
        .map_or_else(|| program.to_string(), |(name, _)| name.to_string())
}

/// Fetches and decodes an account that `program` must own.
pub fn require_of<T: AccountDeserialize>(
    t: &(impl Transport + ?Sized),
    kind: &'static str,
    address: &Pubkey,
    program: &Pubkey,
) -> Result<T, AccountError> {
    fetch_of(t, kind, address, program)?.ok_or(AccountError::Missing {
        kind,
        address: *address,
    })
}

pub fn require<T: AccountDeserialize>(
    t: &(impl Transport + ?Sized),
    kind: &'static str,
    address: &Pubkey,
) -> Result<T, AccountError> {
    fetch(t, kind, address)?.ok_or(AccountError::Missing {
        kind,
        address: *address,
    })
}

pub fn network(t: &(impl Transport + ?Sized), a: &Pubkey) -> Result<Network, AccountError> {
    require(t, "network", a)
}
pub fn maker(t: &(impl Transport + ?Sized), a: &Pubkey) -> Result<Maker, AccountError> {
    require(t, "maker", a)
}
pub fn node(t: &(impl Transport + ?Sized), a: &Pubkey) -> Result<Node, AccountError> {
    require(t, "node", a)
}

pub fn device(t: &(impl Transport + ?Sized), a: &Pubkey) -> Result<Device, AccountError> {
    require(t, "device record", a)
}
pub fn attestation_key(
    t: &(impl Transport + ?Sized),
    a: &Pubkey,
) -> Result<AttestationKey, AccountError> {
    require(t, "attestation key record", a)
}
pub fn transfer_offer(
    t: &(impl Transport + ?Sized),
    a: &Pubkey,
) -> Result<TransferOffer, AccountError> {
    require(t, "transfer offer", a)
}

fn discriminator(d: &[u8]) -> AccountFilter {
    AccountFilter::Memcmp {
        offset: 0,
        bytes: d.to_vec(),
    }
}

/// Byte offsets of fields used in filters (after the 8-byte discriminator).
pub const MAKER_NETWORK_OFFSET: usize = 8;
pub const NODE_OWNER_OFFSET: usize = 8;
pub const NODE_MAKER_OFFSET: usize = 40;

/// Makers of `network`.
pub fn makers_of(
    t: &(impl Transport + ?Sized),
    network: &Pubkey,
) -> Result<Vec<(Pubkey, Maker)>, AccountError> {
    let filters = [
        discriminator(Maker::DISCRIMINATOR),
        AccountFilter::Memcmp {
            offset: MAKER_NETWORK_OFFSET,
            bytes: network.to_bytes().to_vec(),
        },
    ];
    decode_all(t, "maker", &filters)
}

/// Nodes of `network`: one query per maker (nodes name their maker, makers their network).
pub fn nodes_of(
    t: &(impl Transport + ?Sized),
    network: &Pubkey,
) -> Result<Vec<(Pubkey, Node)>, AccountError> {
    let mut out = vec![];
    for (maker, _) in makers_of(t, network)? {
        out.extend(nodes_of_maker(t, &maker)?);
    }
    out.sort_by_key(|(k, _)| *k);
    Ok(out)
}

pub fn nodes_of_maker(
    t: &(impl Transport + ?Sized),
    maker: &Pubkey,
) -> Result<Vec<(Pubkey, Node)>, AccountError> {
    nodes_of_maker_owned_by(t, maker, None)
}

/// Nodes of `network` owned by `owner`, filtered by the server (owner and maker memcmp).
pub fn nodes_of_owner(
    t: &(impl Transport + ?Sized),
    network: &Pubkey,
    owner: &Pubkey,
) -> Result<Vec<(Pubkey, Node)>, AccountError> {
    let mut out = vec![];
    for (maker, _) in makers_of(t, network)? {
        out.extend(nodes_of_maker_owned_by(t, &maker, Some(owner))?);
    }
    out.sort_by_key(|(k, _)| *k);
    Ok(out)
}

fn nodes_of_maker_owned_by(
    t: &(impl Transport + ?Sized),
    maker: &Pubkey,
    owner: Option<&Pubkey>,
) -> Result<Vec<(Pubkey, Node)>, AccountError> {
    let mut filters = vec![
        discriminator(Node::DISCRIMINATOR),
        AccountFilter::Memcmp {
            offset: NODE_MAKER_OFFSET,
            bytes: maker.to_bytes().to_vec(),
        },
    ];
    if let Some(o) = owner {
        filters.push(AccountFilter::Memcmp {
            offset: NODE_OWNER_OFFSET,
            bytes: o.to_bytes().to_vec(),
        });
    }
    decode_all(t, "node", &filters)
}

fn decode_all<T: AccountDeserialize>(
    t: &(impl Transport + ?Sized),
    kind: &'static str,
    filters: &[AccountFilter],
) -> Result<Vec<(Pubkey, T)>, AccountError> {
    t.program_accounts(&node_registry::ID, filters)?
        .into_iter()
        .map(|(k, a)| decode(kind, &k, &a.data).map(|v| (k, v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::AccountSerialize;
    use node_registry::state::{Capacity, NodeStatus};

    #[test]
    fn filter_offsets_match_layout() {
        let node = Node {
            owner: Pubkey::new_unique(),
            maker: Pubkey::new_unique(),
            device_key: Pubkey::new_unique(),
            location: 0,
            capacity: Capacity::Storage { bytes: 1 },
            status: NodeStatus::Active,
            registered_at: 0,
            location_changes: 0,
            bump: 255,
        };
        let mut data = vec![];
        node.try_serialize(&mut data).unwrap();
        assert_eq!(
            &data[NODE_OWNER_OFFSET..NODE_OWNER_OFFSET + 32],
            node.owner.as_ref()
        );
        assert_eq!(
            &data[NODE_MAKER_OFFSET..NODE_MAKER_OFFSET + 32],
            node.maker.as_ref()
        );
        assert!(data.len() <= Node::SPACE);
    }
}
