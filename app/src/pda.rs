//! Program-derived addresses, from the seeds the programs declare.
use anchor_lang::prelude::Pubkey;
use node_registry::seeds;

pub fn network(name: &str) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[
            seeds::NETWORK,
            node_registry::instructions::network_name_seed(name),
        ],
        &node_registry::ID,
    )
}

pub fn maker(network: &Pubkey, maker_key: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[seeds::MAKER, network.as_ref(), maker_key.as_ref()],
        &node_registry::ID,
    )
}

pub fn node(network: &Pubkey, device_key: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[seeds::NODE, network.as_ref(), device_key.as_ref()],
        &node_registry::ID,
    )
}

/// The device's permanent record (survives decommissioning).
pub fn device(network: &Pubkey, device_key: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[seeds::DEVICE, network.as_ref(), device_key.as_ref()],
        &node_registry::ID,
    )
}

/// The record reserving an attestation key for one maker of `network`.
pub fn attestation_key(network: &Pubkey, key: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[seeds::ATTESTATION_KEY, network.as_ref(), key.as_ref()],
        &node_registry::ID,
    )
}

/// The open transfer offer of a node, if any.
pub fn transfer_offer(node: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[seeds::TRANSFER, node.as_ref()], &node_registry::ID)
}

/// The owner's associated token account for `mint` under `token_program`.
pub fn associated_token(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    anchor_spl::associated_token::get_associated_token_address_with_program_id(
        owner,
        mint,
        token_program,
    )
}
