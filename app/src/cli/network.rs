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
        /// Nodes as leaves of a concurrent merkle tree instead of accounts (about 16,000
        /// lamports per node instead of 3.4 million); also creates the tree account and the
        /// address lookup table registrations go through (docs/compressed-registry.md).
        #[arg(long)]
        compressed: bool,
        /// With --compressed: tree depth, 2^depth leaves (14, 20 or 24).
        #[arg(long, default_value_t = 20, requires = "compressed")]
        depth: u32,
        /// With --compressed: changelog entries, writes that may land on one root (64; 256
        /// at depth 24).
        #[arg(long, requires = "compressed")]
        buffer: Option<u32>,
        /// With --compressed: top levels kept in the account, so proofs carry depth − canopy
        /// hashes (default 11 at depth 20, 15 at 24, 10 at 14).
        #[arg(long, requires = "compressed")]
        canopy: Option<u32>,
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
        "compressed_tree": n.compressed_tree.map(|k| k.to_string()),
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
                compressed,
                depth,
                buffer,
                canopy,
            } => {
                let shape = compressed.then(|| crate::compressed::TreeShape {
                    depth: *depth,
                    buffer: buffer.unwrap_or(if *depth >= 24 { 256 } else { 64 }),
                    canopy: canopy.unwrap_or(match depth {
                        24 => 15,
                        20 => 11,
                        d => d.saturating_sub(4).min(10),
                    }),
                });
                if let Some(shape) = shape {
                    anyhow::ensure!(
                        node_registry::tree::account_len(shape.depth, shape.buffer, shape.canopy)
                            .is_some(),
                        "node_registry has no tree of depth {}, buffer {} and canopy {} (depth and \
                         buffer: 14/64, 20/64 or 24/256; canopy below the depth, at most {})",
                        shape.depth,
                        shape.buffer,
                        shape.canopy,
                        node_registry::tree::MAX_CANOPY_DEPTH
                    );
                    anyhow::ensure!(
                        !self.cli.sign_only && !self.cli.dry_run,
                        "--compressed creates the tree account and a lookup table with keys made \
                         here: it does not run with --sign-only or --dry-run"
                    );
                    // checked before anything is sent: the lookup table needs a file keypair
                    self.keypair().context(
                        "--compressed creates a lookup table, which --keypair must sign as a \
                         keypair (a file, prompt:// or stdin:)",
                    )?;
                }
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
                let created = self.deliver(&[ix], json!({ "network": address.to_string() }))?;
                match shape {
                    None => Ok(created),
                    Some(shape) => Ok(merged(
                        created,
                        self.create_tree(&address, credits_mint, shape)?,
                    )),
                }
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

impl Ctx<'_> {
    /// The tree account of a new compressed network (created at top level, then
    /// `create_compressed_tree`) and the lookup table its registrations go through.
    fn create_tree(
        &self,
        network: &Pubkey,
        credits_mint: &Pubkey,
        shape: crate::compressed::TreeShape,
    ) -> Result<Value> {
        let me = self.signer_key()?;
        let tree = Keypair::new();
        let ixs =
            crate::compressed::create_tree_instructions(&me, &me, network, &tree.pubkey(), shape)?;
        let local: [&dyn Signer; 1] = [&tree];
        let created = self.deliver_with(&ixs, &local, json!({}))?;
        let account = self
            .t()
            .get_account(&tree.pubkey())?
            .context("the tree account is missing after its creation")?;
        let credits_program = self
            .t()
            .get_account(credits_mint)?
            .context("the credits mint is missing")?
            .owner;
        // what every registration names besides the owner and the maker
        let statics = [
            node_registry::ID,
            *network,
            tree.pubkey(),
            *credits_mint,
            crate::ix::INSTRUCTIONS_SYSVAR,
            credits_program,
            crate::ix::event_authority(),
        ];
        let payer = self.keypair()?;
        let table = crate::lookup::create(self.t(), &payer, &payer, &statics)?;
        Ok(json!({
            "tree": tree.pubkey().to_string(),
            "tree_signature": created["signature"],
            "tree_account_bytes": account.data.len(),
            "tree_rent_lamports": account.lamports,
            "depth": shape.depth,
            "buffer": shape.buffer,
            "canopy": shape.canopy,
            "proof_bytes": shape.proof_bytes(),
            "lookup_table": table.to_string(),
        }))
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
