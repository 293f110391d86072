//! `depin network`: create, show, update, hand over.
use super::*;

#[derive(Subcommand, Debug)]
pub enum NetworkCmd {
    /// Create a network (--keypair: its authority, who pays the rent).
    #[command(
        after_help = "Example:\n  depin network create --name my-net --token-mint <MINT> --credits-mint <CREDITS_MINT> \\\n      --onboarding-fee 4000000 --location-fee 1000000 --attestation-window 86400"
    )]
    Create {
        /// 1-32 characters: lowercase letters, digits, `-` and `_`.
        #[arg(long)]
        name: String,
        /// The network's token (public key or keypair file).
        #[arg(long, value_parser = parse_address)]
        token_mint: Pubkey,
        /// Its credits mint: Token-2022, non-transferable (public key or keypair file).
        #[arg(long, value_parser = parse_address)]
        credits_mint: Pubkey,
        /// Credits burned to register a node (base units).
        #[arg(long, default_value_t = 0)]
        onboarding_fee: u64,
        /// Credits burned per location assertion (base units).
        #[arg(long, default_value_t = 0)]
        location_fee: u64,
        /// Seconds a device consent stays valid (60 to 2,592,000).
        #[arg(long, default_value_t = 86_400)]
        attestation_window: u32,
    },
    /// A network's settings and counts.
    #[command(after_help = "Example:\n  depin network show my-net --output json")]
    Show {
        /// Network name or address.
        network: String,
    },
    /// Change fees, the attestation window, the status operator or the pause flag
    /// (--keypair: the authority); only what is given changes.
    #[command(
        after_help = "Example:\n  depin network update my-net --onboarding-fee 5000000 --paused false"
    )]
    Update {
        /// Network name or address.
        network: String,
        /// Credits burned to register a node (base units).
        #[arg(long)]
        onboarding_fee: Option<u64>,
        /// Credits burned per location assertion (base units).
        #[arg(long)]
        location_fee: Option<u64>,
        /// Seconds a device consent stays valid (60 to 2,592,000).
        #[arg(long)]
        attestation_window: Option<u32>,
        /// Delegated key that may suspend and reactivate nodes ("none" clears it).
        #[arg(long)]
        operator: Option<String>,
        /// Pause (true) or resume (false) registrations and location assertions.
        #[arg(long)]
        paused: Option<bool>,
    },
    /// Propose a new authority ("none" cancels); it must then run accept-authority.
    #[command(after_help = "Example:\n  depin network propose-authority my-net <NEW_AUTHORITY>")]
    ProposeAuthority {
        /// Network name or address.
        network: String,
        /// The proposed authority's public key (or keypair file), or "none".
        new_authority: String,
    },
    /// Become the authority proposed by propose-authority (--keypair: the new authority).
    #[command(
        after_help = "Example:\n  depin -k new-authority.json network accept-authority my-net"
    )]
    AcceptAuthority {
        /// Network name or address.
        network: String,
    },
}

pub fn network_json(address: &Pubkey, n: &Network) -> Value {
    json!({
        "address": address.to_string(),
        "name": n.name,
        "authority": n.authority.to_string(),
        "pending_authority": n.pending_authority.map(|k| k.to_string()),
        "operator": n.operator.map(|k| k.to_string()),
        "token_mint": n.token_mint.to_string(),
        "credits_mint": n.credits_mint.to_string(),
        "onboarding_fee_credits": n.onboarding_fee_credits,
        "location_fee_credits": n.location_fee_credits,
        "attestation_window_s": n.attestation_window_s,
        "node_count": n.node_count,
        "maker_count": n.maker_count,
        "paused": n.paused,
    })
}

impl Ctx<'_> {
    /// The network at `network` with --keypair as its authority (checked before signing).
    pub(super) fn as_authority(&self, network: &str) -> Result<(Pubkey, Network, Pubkey)> {
        let (a, n) = self.existing_network_account(network)?;
        let me = self.signer_key()?;
        anyhow::ensure!(
            me == n.authority,
            "{me} (--keypair) is not the authority of network {} ({})",
            n.name,
            n.authority
        );
        Ok((a, n, me))
    }

    pub(super) fn network(&self, c: &NetworkCmd) -> Result<Value> {
        match c {
            NetworkCmd::Create {
                name,
                token_mint,
                credits_mint,
                onboarding_fee,
                location_fee,
                attestation_window,
            } => {
                anyhow::ensure!(
                    depin_core::names::is_valid_network_name(name.as_bytes()),
                    "network name `{name}` is invalid: 1-{} characters of a-z, 0-9, `-` and `_`",
                    depin_core::names::MAX_NETWORK_NAME_LEN
                );
                check_window(*attestation_window)?;
                let address = pda::network(name).0;
                anyhow::ensure!(
                    self.t().get_account(&address)?.is_none(),
                    "network `{name}` already exists ({address})"
                );
                for (what, mint) in [
                    ("--token-mint", token_mint),
                    ("--credits-mint", credits_mint),
                ] {
                    anyhow::ensure!(
                        self.t().get_account(mint)?.is_some(),
                        "{what} {mint} does not exist on {}",
                        self.t().describe()
                    );
                }
                let ix = crate::ix::create_network(
                    &self.signer_key()?,
                    token_mint,
                    credits_mint,
                    CreateNetworkArgs {
                        name: name.clone(),
                        onboarding_fee_credits: *onboarding_fee,
                        location_fee_credits: *location_fee,
                        attestation_window_s: *attestation_window,
                    },
                );
                self.deliver(&[ix], json!({ "network": address.to_string() }))
            }
            NetworkCmd::Show { network } => {
                let (a, n) = self.existing_network_account(network)?;
                Ok(network_json(&a, &n))
            }
            NetworkCmd::Update {
                network,
                onboarding_fee,
                location_fee,
                attestation_window,
                operator,
                paused,
            } => {
                let (a, n, me) = self.as_authority(network)?;
                if let Some(w) = attestation_window {
                    check_window(*w)?;
                }
                let operator = match operator {
                    Some(s) => Some(optional_key(s)?),
                    None => None,
                };
                // Only what changes is sent: the program leaves every other setting as is.
                let args = UpdateNetworkArgs {
                    onboarding_fee_credits: onboarding_fee
                        .filter(|f| *f != n.onboarding_fee_credits),
                    location_fee_credits: location_fee.filter(|f| *f != n.location_fee_credits),
                    attestation_window_s: attestation_window
                        .filter(|w| *w != n.attestation_window_s),
                    operator: operator.filter(|o| *o != n.operator).map(|o| match o {
                        Some(k) => OperatorUpdate::Set(k),
                        None => OperatorUpdate::Remove,
                    }),
                    paused: paused.filter(|p| *p != n.paused),
                };
                if args.is_empty() {
                    let given = onboarding_fee.is_some()
                        || location_fee.is_some()
                        || attestation_window.is_some()
                        || operator.is_some()
                        || paused.is_some();
                    if given {
                        bail!(
                            "nothing to update: network {} already has these settings",
                            n.name
                        );
                    }
                    bail!("nothing to update: give --onboarding-fee, --location-fee, --attestation-window, --operator or --paused");
                }
                self.deliver(&[crate::ix::update_network(&me, &a, args)], json!({}))
            }
            NetworkCmd::ProposeAuthority {
                network,
                new_authority,
            } => {
                let (a, n, me) = self.as_authority(network)?;
                let new = match new_authority.as_str() {
                    "none" => None,
                    s => Some(parse_address(s).map_err(anyhow::Error::msg)?),
                };
                anyhow::ensure!(
                    new != n.pending_authority,
                    "nothing to change: the pending authority is already {}",
                    new.map_or("none".to_string(), |k| k.to_string())
                );
                anyhow::ensure!(new != Some(n.authority), "{me} is already the authority");
                self.deliver(&[crate::ix::propose_authority(&me, &a, new)], json!({}))
            }
            NetworkCmd::AcceptAuthority { network } => {
                let (a, n) = self.existing_network_account(network)?;
                let me = self.signer_key()?;
                anyhow::ensure!(
                    n.pending_authority == Some(me),
                    "{me} (--keypair) is not the proposed authority of network {} (proposed: {})",
                    n.name,
                    n.pending_authority
                        .map_or("none".to_string(), |k| k.to_string())
                );
                self.deliver(&[crate::ix::accept_authority(&me, &a)], json!({}))
            }
        }
    }
}

fn check_window(w: u32) -> Result<()> {
    use node_registry::state::{MAX_ATTESTATION_WINDOW_S, MIN_ATTESTATION_WINDOW_S};
    anyhow::ensure!(
        (MIN_ATTESTATION_WINDOW_S..=MAX_ATTESTATION_WINDOW_S).contains(&w),
        "--attestation-window {w} s is outside {} to {} s",
        MIN_ATTESTATION_WINDOW_S,
        MAX_ATTESTATION_WINDOW_S
    );
    Ok(())
}
