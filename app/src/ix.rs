//! Instruction builders, made from the program's Anchor-generated `accounts::` and
//! `instruction::` types (no hand-written discriminators or account orders).
use crate::pda;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use node_registry::state::NodeProof;
use node_registry::{
    accounts as acc, instruction as data, AddMakerArgs, CreateCompressedTreeArgs,
    CreateNetworkArgs, NodeStatus, RegisterCompressedNodeArgs, RegisterNodeArgs, UpdateMakerArgs,
    UpdateNetworkArgs,
};
use solana_instruction::Instruction;

const SYSTEM_PROGRAM: Pubkey = anchor_lang::system_program::ID;
pub const INSTRUCTIONS_SYSVAR: Pubkey =
    node_registry::instructions::signatures::INSTRUCTIONS_SYSVAR_ID;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: node_registry::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

pub fn create_network(
    authority: &Pubkey,
    token_mint: &Pubkey,
    credits_mint: &Pubkey,
    args: CreateNetworkArgs,
) -> Instruction {
    let network = pda::network(&args.name).0;
    build(
        acc::CreateNetwork {
            authority: *authority,
            network,
            token_mint: *token_mint,
            credits_mint: *credits_mint,
            system_program: SYSTEM_PROGRAM,
        },
        data::CreateNetwork { args },
    )
}

pub fn update_network(
    authority: &Pubkey,
    network: &Pubkey,
    args: UpdateNetworkArgs,
) -> Instruction {
    build(
        acc::UpdateNetwork {
            authority: *authority,
            network: *network,
        },
        data::UpdateNetwork { args },
    )
}

pub fn propose_authority(
    authority: &Pubkey,
    network: &Pubkey,
    new_authority: Option<Pubkey>,
) -> Instruction {
    build(
        acc::ProposeAuthority {
            authority: *authority,
            network: *network,
        },
        data::ProposeAuthority { new_authority },
    )
}

pub fn accept_authority(new_authority: &Pubkey, network: &Pubkey) -> Instruction {
    build(
        acc::AcceptAuthority {
            new_authority: *new_authority,
            network: *network,
        },
        data::AcceptAuthority {},
    )
}

pub fn add_maker(authority: &Pubkey, network: &Pubkey, args: AddMakerArgs) -> Instruction {
    build(
        acc::AddMaker {
            authority: *authority,
            network: *network,
            maker: pda::maker(network, &args.maker_key).0,
            attestation_key_record: pda::attestation_key(network, &args.attestation_key).0,
            system_program: SYSTEM_PROGRAM,
        },
        data::AddMaker { args },
    )
}

/// `current_key` is the maker's attestation key now; it names the record a rotation
/// (`args.attestation_key`) closes.
pub fn update_maker(
    authority: &Pubkey,
    network: &Pubkey,
    maker: &Pubkey,
    current_key: &Pubkey,
    args: UpdateMakerArgs,
) -> Instruction {
    let rotation = args.attestation_key.map(|new| {
        (
            pda::attestation_key(network, current_key).0,
            pda::attestation_key(network, &new).0,
        )
    });
    build(
        acc::UpdateMaker {
            authority: *authority,
            network: *network,
            maker: *maker,
            old_key_record: rotation.map(|r| r.0),
            new_key_record: rotation.map(|r| r.1),
            system_program: SYSTEM_PROGRAM,
        },
        data::UpdateMaker { args },
    )
}

pub fn reactivate_maker(authority: &Pubkey, network: &Pubkey, maker: &Pubkey) -> Instruction {
    build(
        acc::ReactivateMaker {
            authority: *authority,
            network: *network,
            maker: *maker,
        },
        data::ReactivateMaker {},
    )
}

pub fn revoke_maker(authority: &Pubkey, network: &Pubkey, maker: &Pubkey) -> Instruction {
    build(
        acc::RevokeMaker {
            authority: *authority,
            network: *network,
            maker: *maker,
        },
        data::RevokeMaker {},
    )
}

/// Accounts of a node operation that burns the owner's credits.
#[derive(Debug, Clone, Copy)]
pub struct CreditsAccounts {
    pub credits_mint: Pubkey,
    pub owner_credits: Pubkey,
    pub token_program: Pubkey,
}

/// The `register_node` instruction alone; it must follow the maker and device ed25519
/// instructions (see [`crate::registry::Registry::register_node_instructions`]).
pub fn register_node(
    owner: &Pubkey,
    network: &Pubkey,
    maker: &Pubkey,
    credits: CreditsAccounts,
    args: RegisterNodeArgs,
) -> Instruction {
    build(
        acc::RegisterNode {
            owner: *owner,
            network: *network,
            maker: *maker,
            device: pda::device(network, &args.device_key).0,
            node: pda::node(network, &args.device_key).0,
            credits_mint: credits.credits_mint,
            owner_credits: credits.owner_credits,
            instructions: INSTRUCTIONS_SYSVAR,
            token_program: credits.token_program,
            system_program: SYSTEM_PROGRAM,
        },
        data::RegisterNode { args },
    )
}

/// node_registry's event-CPI authority (Anchor's `[b"__event_authority"]` PDA).
pub fn event_authority() -> Pubkey {
    *event_authority_ref()
}

pub(crate) fn event_authority_ref() -> &'static Pubkey {
    static AUTHORITY: std::sync::OnceLock<Pubkey> = std::sync::OnceLock::new();
    AUTHORITY
        .get_or_init(|| Pubkey::find_program_address(&[b"__event_authority"], &node_registry::ID).0)
}

/// Initialises `tree` (created at top level just before, see [`crate::compressed`]) as
/// `network`'s compressed tree.
pub fn create_compressed_tree(
    authority: &Pubkey,
    network: &Pubkey,
    tree: &Pubkey,
    args: CreateCompressedTreeArgs,
) -> Instruction {
    build(
        acc::CreateCompressedTree {
            authority: *authority,
            network: *network,
            tree: *tree,
        },
        data::CreateCompressedTree { args },
    )
}

pub fn register_compressed_node(
    owner: &Pubkey,
    network: &Pubkey,
    maker: &Pubkey,
    tree: &Pubkey,
    credits: CreditsAccounts,
    args: RegisterCompressedNodeArgs,
) -> Instruction {
    build(
        acc::RegisterCompressedNode {
            owner: *owner,
            network: *network,
            maker: *maker,
            tree: *tree,
            credits_mint: credits.credits_mint,
            owner_credits: credits.owner_credits,
            instructions: INSTRUCTIONS_SYSVAR,
            token_program: credits.token_program,
            event_authority: event_authority(),
            program: node_registry::ID,
        },
        data::RegisterCompressedNode { args },
    )
}

pub fn set_compressed_node_status(
    authority: &Pubkey,
    network: &Pubkey,
    tree: &Pubkey,
    status: NodeStatus,
    node: NodeProof,
) -> Instruction {
    build(
        acc::SetCompressedNodeStatus {
            authority: *authority,
            network: *network,
            tree: *tree,
            event_authority: event_authority(),
            program: node_registry::ID,
        },
        data::SetCompressedNodeStatus { status, node },
    )
}

pub fn assert_compressed_location(
    owner: &Pubkey,
    network: &Pubkey,
    tree: &Pubkey,
    credits: CreditsAccounts,
    location: u64,
    max_fee_credits: u64,
    node: NodeProof,
) -> Instruction {
    build(
        acc::AssertCompressedLocation {
            owner: *owner,
            network: *network,
            tree: *tree,
            credits_mint: credits.credits_mint,
            owner_credits: credits.owner_credits,
            token_program: credits.token_program,
            event_authority: event_authority(),
            program: node_registry::ID,
        },
        data::AssertCompressedLocation {
            location,
            max_fee_credits,
            node,
        },
    )
}

pub fn transfer_compressed_node(
    owner: &Pubkey,
    new_owner: &Pubkey,
    network: &Pubkey,
    tree: &Pubkey,
    node: NodeProof,
) -> Instruction {
    build(
        acc::TransferCompressedNode {
            owner: *owner,
            new_owner: *new_owner,
            network: *network,
            tree: *tree,
            event_authority: event_authority(),
            program: node_registry::ID,
        },
        data::TransferCompressedNode { node },
    )
}

pub fn decommission_compressed_node(
    owner: &Pubkey,
    network: &Pubkey,
    tree: &Pubkey,
    node: NodeProof,
) -> Instruction {
    build(
        acc::DecommissionCompressedNode {
            owner: *owner,
            network: *network,
            tree: *tree,
            event_authority: event_authority(),
            program: node_registry::ID,
        },
        data::DecommissionCompressedNode { node },
    )
}

pub fn verify_node(network: &Pubkey, tree: &Pubkey, node: NodeProof) -> Instruction {
    build(
        acc::VerifyNode {
            network: *network,
            tree: *tree,
        },
        data::VerifyNode { node },
    )
}

pub fn assert_location(
    owner: &Pubkey,
    network: &Pubkey,
    node: &Pubkey,
    credits: CreditsAccounts,
    location: u64,
    max_fee_credits: u64,
) -> Instruction {
    build(
        acc::AssertLocation {
            owner: *owner,
            network: *network,
            node: *node,
            credits_mint: credits.credits_mint,
            owner_credits: credits.owner_credits,
            token_program: credits.token_program,
        },
        data::AssertLocation {
            location,
            max_fee_credits,
        },
    )
}

/// Offers the node of `device_key` to `new_owner` (who must then sign `accept_transfer`).
pub fn propose_transfer(
    owner: &Pubkey,
    network: &Pubkey,
    device_key: &Pubkey,
    new_owner: Pubkey,
) -> Instruction {
    let node = pda::node(network, device_key).0;
    build(
        acc::ProposeTransfer {
            owner: *owner,
            network: *network,
            device: pda::device(network, device_key).0,
            node,
            offer: pda::transfer_offer(&node).0,
            system_program: SYSTEM_PROGRAM,
        },
        data::ProposeTransfer { new_owner },
    )
}

/// The recipient accepts; `proposer` (the offer's `from`) gets the offer's rent back.
pub fn accept_transfer(
    new_owner: &Pubkey,
    network: &Pubkey,
    device_key: &Pubkey,
    proposer: &Pubkey,
) -> Instruction {
    let node = pda::node(network, device_key).0;
    build(
        acc::AcceptTransfer {
            new_owner: *new_owner,
            network: *network,
            device: pda::device(network, device_key).0,
            node,
            offer: pda::transfer_offer(&node).0,
            proposer: *proposer,
        },
        data::AcceptTransfer {},
    )
}

/// The proposer withdraws, or the recipient declines, the offer on `node`.
pub fn cancel_transfer(signer: &Pubkey, node: &Pubkey, proposer: &Pubkey) -> Instruction {
    build(
        acc::CancelTransfer {
            signer: *signer,
            offer: pda::transfer_offer(node).0,
            proposer: *proposer,
        },
        data::CancelTransfer {},
    )
}

/// Suspends or reinstates the device (and its node, if registered).
pub fn set_node_status(
    authority: &Pubkey,
    network: &Pubkey,
    device_key: &Pubkey,
    status: NodeStatus,
) -> Instruction {
    build(
        acc::SetNodeStatus {
            authority: *authority,
            network: *network,
            device: pda::device(network, device_key).0,
            node: pda::node(network, device_key).0,
        },
        data::SetNodeStatus { status },
    )
}

pub fn decommission_node(owner: &Pubkey, network: &Pubkey, node: &Pubkey) -> Instruction {
    build(
        acc::DecommissionNode {
            owner: *owner,
            network: *network,
            node: *node,
            offer: pda::transfer_offer(node).0,
        },
        data::DecommissionNode {},
    )
}

/// A plain SOL transfer (funding owners and test wallets).
pub fn transfer_lamports(from: &Pubkey, to: &Pubkey, lamports: u64) -> Instruction {
    anchor_lang::solana_program::system_instruction::transfer(from, to, lamports)
}
