pub mod accept_authority;
pub mod add_maker;
pub mod assert_location;
pub mod create_network;
pub mod decommission_node;
pub mod propose_authority;
pub mod register_node;
pub mod revoke_maker;
pub mod set_node_status;
pub mod transfer_node;
pub mod update_maker;
pub mod update_network;

mod fees;
pub mod signatures;

pub use accept_authority::*;
pub use add_maker::*;
pub use assert_location::*;
pub use create_network::*;
pub use decommission_node::*;
pub use propose_authority::*;
pub use register_node::*;
pub use revoke_maker::*;
pub use set_node_status::*;
pub use transfer_node::*;
pub use update_maker::*;
pub use update_network::*;
