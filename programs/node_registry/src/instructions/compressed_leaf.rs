//! What the compressed leaf updates share: the network's tree check and the rewrite of one
//! node's leaf from its proof.
use crate::{
    error::RegistryError,
    state::{CompressedNode, Network, NodeProof},
    tree::{TreeAccount, Written},
};
use anchor_lang::prelude::*;
use depin_core::node_tree::NodeLeaf;

/// `tree` is the network's tree (the network is in compressed mode).
pub fn require_network_tree(network: &Network, tree: &Pubkey) -> Result<()> {
    match network.compressed_tree {
        None => err!(RegistryError::NetworkNotCompressed),
        Some(t) => {
            require_keys_eq!(t, *tree, RegistryError::WrongTree);
            Ok(())
        }
    }
}

/// Replaces the proven node's leaf with one whose data is `after` (key and link stay).
pub fn rewrite_leaf(
    tree: &AccountInfo,
    network: &Pubkey,
    proof: &NodeProof,
    after: &CompressedNode,
) -> Result<(NodeLeaf, Written)> {
    let before = proof.leaf()?;
    let new_leaf = proof.leaf_with(after)?;
    let mut data = tree.try_borrow_mut_data()?;
    let mut t = TreeAccount::load(&mut data, network)?;
    let written = t.replace(proof.root, proof.index, &before, &new_leaf, &proof.proof)?;
    Ok((new_leaf, written))
}
