//! `depin node` and `depin attest`: registration and a node's life.
use super::*;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum NodeClass {
    Hotspot,
    Gpu,
    Storage,
    Sensor,
    Other,
}

#[derive(Args, Debug)]
pub struct RegisterArgs {
    /// Network name or address.
    #[arg(long)]
    pub network: String,
    /// The maker's identity (public key or keypair file).
    #[arg(long, value_parser = parse_address)]
    pub maker_key: Pubkey,
    /// Maker attestation key file (when the maker signs here).
    #[arg(long, conflicts_with = "maker_signature")]
    pub maker_keypair: Option<PathBuf>,
    /// Maker attestation signature (base58) from `depin attest maker`.
    #[arg(long)]
    pub maker_signature: Option<Signature>,
    /// Device key file (when the device key is available here).
    #[arg(long, conflicts_with_all = ["device_signature", "device_key"])]
    pub device_keypair: Option<PathBuf>,
    /// Device public key, with --device-signature and --consent-time.
    #[arg(long, value_parser = parse_address, requires_all = ["device_signature", "consent_time"])]
    pub device_key: Option<Pubkey>,
    /// Device consent signature (base58) from `depin attest device`.
    #[arg(long)]
    pub device_signature: Option<Signature>,
    /// When the device consented (unix seconds or RFC 3339); default the cluster's clock.
    /// It must fall inside the network's attestation window when the transaction lands.
    #[arg(long, value_parser = input::parse_time, value_name = "TIME")]
    pub consent_time: Option<u64>,
    /// What the device is; it decides which --capacity keys apply.
    #[arg(long, value_enum)]
    pub class: NodeClass,
    /// Capacity as key=value pairs, each once. hotspot: radios (1-16), gain (dBi, one
    /// decimal, 0-30.0), elevation (m); gpu: gpus (1-1024), vram (GiB per GPU), tflops
    /// (dense FP16 per GPU); storage: bytes (4TB, 4TiB, 4e12); sensor: channels,
    /// interval (s); other: units.
    #[arg(long, value_name = "KEY=VALUE,...")]
    pub capacity: String,
    /// Owner of the node (public key or keypair file; default --keypair). It signs, so
    /// build with --sign-only when its wallet is elsewhere.
    #[arg(long, value_parser = parse_address)]
    pub owner: Option<Pubkey>,
    /// Owner's credits token account (default: associated account).
    #[arg(long, value_parser = parse_address)]
    pub credits_account: Option<Pubkey>,
    /// Most credits the transaction may burn (default: the network's onboarding fee now);
    /// it is refused on chain if the fee is raised above this before it lands.
    #[arg(long)]
    pub max_fee: Option<u64>,
    /// Compressed networks: the address lookup table the v0 registration goes through
    /// (`depin network create --compressed` prints it).
    #[arg(long, value_parser = parse_address)]
    pub lookup_table: Option<Pubkey>,
}

#[derive(Args, Debug)]
pub struct NodeRef {
    /// Network name or address.
    #[arg(long)]
    pub network: String,
    /// The device's public key (or its keypair file).
    #[arg(value_parser = parse_address)]
    pub device_key: Pubkey,
}

#[derive(Subcommand, Debug)]
pub enum NodeCmd {
    /// Register a device as a node: the maker's attestation and the device's consent are
    /// verified on chain, the onboarding fee is burned in credits (--keypair: the owner).
    #[command(after_help = "Examples:
  depin node register --network my-net --maker-key <MAKER> --maker-keypair maker.json \\
      --device-keypair device.json --class gpu --capacity gpus=8,vram=80,tflops=989
  depin node register --network my-net --maker-key <MAKER> --maker-signature <SIG> \\
      --device-key <DEVICE> --device-signature <SIG> --consent-time 2026-12-02T09:30:00Z \\
      --class hotspot --capacity radios=1,gain=5.8,elevation=12 \\
      -k <OWNER_PUBKEY> --sign-only --nonce <NONCE_ACCOUNT>")]
    Register(Box<RegisterArgs>),
    /// One node's record.
    #[command(
        after_help = "Example:\n  depin node show --network my-net <DEVICE_KEY> --output json"
    )]
    Show(NodeRef),
    /// The network's nodes (optionally one owner's), as a table or JSON.
    #[command(after_help = "Example:\n  depin node list --network my-net --owner <OWNER>")]
    List {
        /// Network name or address.
        #[arg(long)]
        network: String,
        /// Only this owner's nodes (public key or keypair file).
        #[arg(long, value_parser = parse_address)]
        owner: Option<Pubkey>,
    },
    /// Offer the node to a new owner (--keypair: the owner); nothing moves until they accept.
    #[command(
        after_help = "Example:\n  depin node transfer --network my-net <DEVICE_KEY> --to <NEW_OWNER>"
    )]
    Transfer {
        #[command(flatten)]
        node: NodeRef,
        /// The recipient (public key or keypair file).
        #[arg(long, value_parser = parse_address)]
        to: Pubkey,
        /// Compressed networks: the recipient signs the same transaction; its signer (a
        /// keypair file, usb://ledger, …). Without it, use --sign-only and have the
        /// recipient sign with `depin tx sign`.
        #[arg(long, value_name = "SIGNER")]
        recipient_keypair: Option<String>,
    },
    /// Accept the open transfer offer (--keypair: the recipient).
    #[command(
        after_help = "Example:\n  depin -k new-owner.json node accept-transfer --network my-net <DEVICE_KEY>"
    )]
    AcceptTransfer(NodeRef),
    /// Withdraw (proposer) or decline (recipient) the open transfer offer.
    #[command(after_help = "Example:\n  depin node cancel-transfer --network my-net <DEVICE_KEY>")]
    CancelTransfer(NodeRef),
    /// The device's permanent record: standing, registrations, last consent time.
    #[command(after_help = "Example:\n  depin node device --network my-net <DEVICE_KEY>")]
    Device(NodeRef),
    /// Suspend or reinstate a device (--keypair: the authority or the status operator).
    #[command(
        after_help = "Example:\n  depin node set-status --network my-net <DEVICE_KEY> suspended"
    )]
    SetStatus {
        #[command(flatten)]
        node: NodeRef,
        /// The new standing.
        #[arg(value_enum)]
        status: StatusArg,
    },
    /// Assert where the node is, by H3 cell or by latitude and longitude (--keypair: the
    /// owner); the location fee is burned in credits.
    #[command(after_help = "Examples:
  depin node assert-location --network my-net <DEVICE_KEY> 8928308280fffff
  depin node assert-location --network my-net <DEVICE_KEY> --lat 37.7749 --lon -122.4194 --resolution 12")]
    AssertLocation {
        #[command(flatten)]
        node: NodeRef,
        /// H3 cell, hex (8928308280fffff) or decimal.
        #[arg(required_unless_present = "lat", conflicts_with_all = ["lat", "lon"])]
        cell: Option<String>,
        /// Latitude in degrees (with --lon and --resolution).
        #[arg(long, allow_hyphen_values = true, requires_all = ["lon", "resolution"])]
        lat: Option<f64>,
        /// Longitude in degrees.
        #[arg(long, allow_hyphen_values = true, requires = "lat")]
        lon: Option<f64>,
        /// H3 resolution for --lat/--lon (0-15; 12 is about 300 m across).
        #[arg(long, requires = "lat")]
        resolution: Option<u8>,
        /// Most credits it may burn (default: the network's location fee now).
        #[arg(long)]
        max_fee: Option<u64>,
    },
    /// Close the node account and return its rent to the owner (--keypair: the owner); the
    /// device record stays, so the device can register again later.
    #[command(after_help = "Example:\n  depin node decommission --network my-net <DEVICE_KEY>")]
    Decommission(NodeRef),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Active,
    Suspended,
}

#[derive(Subcommand, Debug)]
pub enum AttestCmd {
    /// Sign (network, device key, class and capacity) with the maker's attestation key
    /// (--keypair).
    #[command(
        after_help = "Example:\n  depin -k maker-attestation.json attest maker --network my-net --device-key <DEVICE> \\\n      --class storage --capacity bytes=4TB"
    )]
    Maker {
        /// Network name or address.
        #[arg(long)]
        network: String,
        /// The device's public key (or its keypair file).
        #[arg(long, value_parser = parse_address)]
        device_key: Pubkey,
        /// What the device is; it decides which --capacity keys apply.
        #[arg(long, value_enum)]
        class: NodeClass,
        /// Capacity fields as for `node register --capacity`.
        #[arg(long, value_name = "KEY=VALUE,...")]
        capacity: String,
    },
    /// Sign (network, owner, consent time) with the device key (--keypair).
    #[command(
        after_help = "Example:\n  depin -k device.json attest device --network my-net --owner <OWNER>"
    )]
    Device {
        /// Network name or address.
        #[arg(long)]
        network: String,
        /// The owner the device consents to (public key or keypair file).
        #[arg(long, value_parser = parse_address)]
        owner: Pubkey,
        /// Unix seconds or RFC 3339; default the cluster's clock.
        #[arg(long, value_parser = input::parse_time, value_name = "TIME")]
        consent_time: Option<u64>,
    },
}

pub fn node_json(address: &Pubkey, n: &Node) -> Value {
    let location = match n.location {
        0 => Value::Null,
        cell => {
            let (lat, lon) = input::cell_center(cell).unwrap_or((f64::NAN, f64::NAN));
            json!({ "cell": format!("{cell:x}"), "lat": lat, "lon": lon })
        }
    };
    json!({
        "address": address.to_string(),
        "device_key": n.device_key.to_string(),
        "owner": n.owner.to_string(),
        "maker": n.maker.to_string(),
        "status": format!("{:?}", n.status),
        "capacity": input::capacity_json(&n.capacity),
        "location": location,
        "location_changes": n.location_changes,
        "registered_at": n.registered_at,
        "registered_at_utc": input::rfc3339(n.registered_at),
    })
}

impl Ctx<'_> {
    fn cluster_time(&self) -> Result<u64> {
        u64::try_from(self.t().unix_time()?).context("the cluster clock is before 1970")
    }

    pub(super) fn registration(&self, r: &RegisterArgs, owner: &Pubkey) -> Result<Registration> {
        let network = self.existing_network(&r.network)?;
        let maker = pda::maker(&network, &r.maker_key).0;
        let maker_account = accounts::maker(self.t(), &maker)
            .with_context(|| format!("maker {} is not approved on {}", r.maker_key, r.network))?;
        let (device_consent, nonce) = match (&r.device_keypair, r.device_key, r.device_signature) {
            (Some(path), _, _) => {
                let device = config::read_keypair(path)?;
                let nonce = match r.consent_time {
                    Some(n) => n,
                    None => self.cluster_time()?,
                };
                (
                    attest::sign_device_consent(&device, &network, owner, nonce),
                    nonce,
                )
            }
            (None, Some(device_key), Some(signature)) => {
                let nonce = r
                    .consent_time
                    .context("--consent-time is required with --device-signature")?;
                let s = SignedStatement {
                    signer: device_key,
                    message: attest::device_statement(&network, owner, nonce),
                    signature,
                };
                (s, nonce)
            }
            _ => bail!(
                "give --device-keypair, or --device-key with --device-signature and --consent-time"
            ),
        };
        let device_key = device_consent.signer;
        let capacity = input::parse_capacity(r.class, &r.capacity)?;
        let maker_attestation = match (&r.maker_keypair, r.maker_signature) {
            (Some(path), _) => attest::sign_maker_attestation(
                &config::read_keypair(path)?,
                &network,
                &device_key,
                &capacity,
            ),
            (None, Some(signature)) => SignedStatement {
                signer: maker_account.attestation_key,
                message: attest::maker_statement(&network, &device_key, &capacity),
                signature,
            },
            (None, None) => bail!("give --maker-keypair or --maker-signature"),
        };
        anyhow::ensure!(
            maker_attestation.signer == maker_account.attestation_key,
            "maker keypair {} is not the maker's attestation key {}",
            maker_attestation.signer,
            maker_account.attestation_key
        );
        anyhow::ensure!(
            maker_attestation.verify(),
            "the maker signature does not verify for device {device_key} with capacity {capacity:?} (the maker signs class and capacity too)"
        );
        anyhow::ensure!(
            device_consent.verify(),
            "the device signature does not verify for owner {owner} and consent time {nonce}"
        );
        Ok(Registration {
            network,
            maker,
            maker_attestation,
            device_consent,
            nonce,
            capacity,
            owner_credits: r.credits_account,
            max_fee_credits: r.max_fee,
        })
    }

    /// What the program would refuse, checked before anyone is asked to sign: the
    /// network paused, the maker revoked or at its cap, the node already registered, a
    /// banned device, a consent time outside the window, a fee above --max-fee.
    fn check_registration(&self, reg: &Registration) -> Result<(u64, u64)> {
        let n = self.reg.network(&reg.network)?;
        anyhow::ensure!(
            !n.paused,
            "network {} is paused: registrations are refused",
            n.name
        );
        let m = accounts::maker(self.t(), &reg.maker)?;
        anyhow::ensure!(m.active, "maker {} is revoked on {}", m.maker_key, n.name);
        if let Some(cap) = m.device_cap {
            anyhow::ensure!(
                m.nodes_attested < cap,
                "maker {} has attested its cap of {cap} devices",
                m.maker_key
            );
        }
        let device = reg.device_consent.signer;
        let node = pda::node(&reg.network, &device).0;
        anyhow::ensure!(
            self.t().get_account(&node)?.is_none(),
            "device {device} is already registered on {} (node {node})",
            n.name
        );
        let record = pda::device(&reg.network, &device).0;
        if let Some(d) =
            accounts::fetch::<node_registry::state::Device>(self.t(), "device record", &record)?
        {
            anyhow::ensure!(
                d.status == NodeStatus::Active,
                "device {device} is {:?} on {}: it cannot register until reinstated",
                d.status,
                n.name
            );
            anyhow::ensure!(
                reg.nonce > d.last_consent_nonce,
                "consent time {} is not after the device's last consent ({}): sign a new consent",
                reg.nonce,
                d.last_consent_nonce
            );
        }
        let now = self.t().unix_time()?;
        anyhow::ensure!(
            depin_core::attestation::consent_nonce_is_fresh(
                reg.nonce,
                now,
                n.attestation_window_s,
                node_registry::state::MAX_CONSENT_SKEW_S
            ),
            "consent time {} ({}) is outside the network's {} s attestation window at the cluster's \
             time {} ({}): sign a new consent",
            reg.nonce,
            input::rfc3339(i64::try_from(reg.nonce).unwrap_or(i64::MAX)).unwrap_or_default(),
            n.attestation_window_s,
            now,
            input::rfc3339(now).unwrap_or_default()
        );
        let fee = n.onboarding_fee_credits;
        let max = reg.max_fee_credits.unwrap_or(fee);
        anyhow::ensure!(
            fee <= max,
            "the onboarding fee is {fee} credits, above --max-fee {max}: register_node would refuse it"
        );
        eprintln!("onboarding fee: {fee} credits burned (the transaction allows at most {max})");
        Ok((fee, max))
    }

    /// The node of `r`, which must exist (a clear error otherwise).
    fn existing_node(&self, r: &NodeRef) -> Result<(Pubkey, Pubkey, Node)> {
        let a = self.existing_network(&r.network)?;
        let node = pda::node(&a, &r.device_key).0;
        let n = match accounts::fetch::<Node>(self.t(), "node", &node)? {
            Some(n) => n,
            None => bail!(
                "device {} has no node on {} (node address {node})",
                r.device_key,
                r.network
            ),
        };
        Ok((a, node, n))
    }

    /// [`Self::existing_node`] whose owner is --keypair, and that owner.
    fn owned_node(&self, r: &NodeRef) -> Result<(Pubkey, Pubkey, Node, Pubkey)> {
        let (a, node, n) = self.existing_node(r)?;
        let me = self.signer_key()?;
        anyhow::ensure!(
            n.owner == me,
            "node {node} is owned by {}, not by {me} (--keypair)",
            n.owner
        );
        Ok((a, node, n, me))
    }

    pub(super) fn node(&self, c: &NodeCmd) -> Result<Value> {
        if let Some(v) = self.compressed_node(c)? {
            return Ok(v);
        }
        match c {
            NodeCmd::Register(r) => {
                let owner = match r.owner {
                    Some(o) => o,
                    None => self.signer_key()?,
                };
                let mut reg = self.registration(r, &owner)?;
                let (fee, max) = self.check_registration(&reg)?;
                reg.max_fee_credits = Some(max);
                let ixs = self.reg.register_node_instructions(&owner, &reg)?;
                let node = pda::node(&reg.network, &reg.device_consent.signer).0;
                self.deliver(
                    &ixs,
                    json!({
                        "node": node.to_string(),
                        "owner": owner.to_string(),
                        "consent_time": reg.nonce,
                        "onboarding_fee_credits": fee,
                        "max_fee_credits": max,
                    }),
                )
            }
            NodeCmd::Show(r) => {
                let (_, node, n) = self.existing_node(r)?;
                Ok(node_json(&node, &n))
            }
            NodeCmd::List { network, owner } => {
                let a = self.existing_network(network)?;
                // the owner and maker filters run on the RPC server (getProgramAccounts)
                let nodes = match owner {
                    Some(o) => accounts::nodes_of_owner(self.t(), &a, o)?,
                    None => accounts::nodes_of(self.t(), &a)?,
                };
                let rows: Vec<Value> = nodes.iter().map(|(k, n)| node_json(k, n)).collect();
                Ok(Value::Array(rows))
            }
            NodeCmd::Transfer { node: r, to, .. } => {
                let (a, node, n, me) = self.owned_node(r)?;
                anyhow::ensure!(*to != n.owner, "--to is already the node's owner");
                let ix = crate::ix::propose_transfer(&me, &a, &r.device_key, *to);
                self.deliver(
                    &[ix],
                    json!({ "node": node.to_string(), "offer": pda::transfer_offer(&node).0.to_string(), "to": to.to_string() }),
                )
            }
            NodeCmd::AcceptTransfer(r) => {
                let (a, node, _) = self.existing_node(r)?;
                let offer = self.open_offer(&node)?;
                let me = self.signer_key()?;
                anyhow::ensure!(
                    offer.to == me,
                    "the offer on node {node} is to {}, not to {me} (--keypair)",
                    offer.to
                );
                let ix = crate::ix::accept_transfer(&me, &a, &r.device_key, &offer.from);
                self.deliver(&[ix], json!({ "node": node.to_string() }))
            }
            NodeCmd::CancelTransfer(r) => {
                let (_, node, _) = self.existing_node(r)?;
                let offer = self.open_offer(&node)?;
                let me = self.signer_key()?;
                anyhow::ensure!(
                    me == offer.from || me == offer.to,
                    "only the proposer {} or the recipient {} may cancel the offer on node {node}",
                    offer.from,
                    offer.to
                );
                let ix = crate::ix::cancel_transfer(&me, &node, &offer.from);
                self.deliver(&[ix], json!({ "node": node.to_string() }))
            }
            NodeCmd::Device(r) => {
                let a = self.existing_network(&r.network)?;
                let address = pda::device(&a, &r.device_key).0;
                let d = accounts::device(self.t(), &address)?;
                Ok(json!({
                    "address": address.to_string(),
                    "device_key": d.device_key.to_string(),
                    "maker": d.maker.to_string(),
                    "status": format!("{:?}", d.status),
                    "registrations": d.registrations,
                    "last_consent_time": d.last_consent_nonce,
                    "last_consent_time_utc": input::rfc3339(i64::try_from(d.last_consent_nonce).unwrap_or(i64::MAX)),
                    "first_registered_at": d.first_registered_at,
                    "first_registered_at_utc": input::rfc3339(d.first_registered_at),
                    "node_registered": self.t().get_account(&pda::node(&a, &r.device_key).0)?.is_some(),
                }))
            }
            NodeCmd::SetStatus { node: r, status } => {
                let a = self.existing_network(&r.network)?;
                let node = pda::node(&a, &r.device_key).0;
                let s = match status {
                    StatusArg::Active => NodeStatus::Active,
                    StatusArg::Suspended => NodeStatus::Suspended,
                };
                // Works for decommissioned devices too: the standing is on the device record.
                let d = accounts::device(self.t(), &pda::device(&a, &r.device_key).0)
                    .with_context(|| {
                        format!("device {} is unknown on {}", r.device_key, r.network)
                    })?;
                anyhow::ensure!(d.status != s, "device {} is already {s:?}", r.device_key);
                let n = self.reg.network(&a)?;
                let me = self.signer_key()?;
                anyhow::ensure!(
                    me == n.authority || Some(me) == n.operator,
                    "{me} (--keypair) is neither the network authority {} nor its status operator",
                    n.authority
                );
                let ix = crate::ix::set_node_status(&me, &a, &r.device_key, s);
                self.deliver(
                    &[ix],
                    json!({ "node": node.to_string(), "status": format!("{s:?}") }),
                )
            }
            NodeCmd::AssertLocation {
                node: r,
                cell,
                lat,
                lon,
                resolution,
                max_fee,
            } => {
                let location = match (cell, lat, lon, resolution) {
                    (Some(c), _, _, _) => input::parse_cell(c)?,
                    (None, Some(lat), Some(lon), Some(res)) => input::cell_at(*lat, *lon, *res)?,
                    _ => bail!("give an H3 cell, or --lat, --lon and --resolution"),
                };
                let (a, node, n, me) = self.owned_node(r)?;
                anyhow::ensure!(
                    n.location != location,
                    "node {node} is already at {location:x}: nothing to change"
                );
                let net = self.reg.network(&a)?;
                let fee = net.location_fee_credits;
                let max = max_fee.unwrap_or(fee);
                anyhow::ensure!(
                    fee <= max,
                    "the location fee is {fee} credits, above --max-fee {max}: assert_location would refuse it"
                );
                eprintln!(
                    "location fee: {fee} credits burned (the transaction allows at most {max})"
                );
                let credits = self.reg.credits_accounts(&net, &me, None)?;
                let ix = crate::ix::assert_location(&me, &a, &node, credits, location, max);
                self.deliver(
                    &[ix],
                    json!({ "node": node.to_string(), "cell": format!("{location:x}"), "location_fee_credits": fee, "max_fee_credits": max }),
                )
            }
            NodeCmd::Decommission(r) => {
                let (a, node, _, me) = self.owned_node(r)?;
                let ix = crate::ix::decommission_node(&me, &a, &node);
                self.deliver(&[ix], json!({ "node": node.to_string() }))
            }
        }
    }

    fn open_offer(&self, node: &Pubkey) -> Result<node_registry::state::TransferOffer> {
        let offer = pda::transfer_offer(node).0;
        match accounts::fetch(self.t(), "transfer offer", &offer)? {
            Some(o) => Ok(o),
            None => bail!("node {node} has no open transfer offer"),
        }
    }

    pub(super) fn attest(&self, c: &AttestCmd) -> Result<Value> {
        let kp = self.keypair()?;
        match c {
            AttestCmd::Maker {
                network,
                device_key,
                class,
                capacity,
            } => {
                let a = network_address(network)?;
                let capacity = input::parse_capacity(*class, capacity)?;
                let s = attest::sign_maker_attestation(&kp, &a, device_key, &capacity);
                Ok(
                    json!({ "signer": s.signer.to_string(), "device_key": device_key.to_string(), "signature": s.signature.to_string() }),
                )
            }
            AttestCmd::Device {
                network,
                owner,
                consent_time,
            } => {
                let a = network_address(network)?;
                let nonce = match consent_time {
                    Some(n) => *n,
                    None => self.cluster_time()?,
                };
                let s = attest::sign_device_consent(&kp, &a, owner, nonce);
                Ok(
                    json!({ "device_key": s.signer.to_string(), "owner": owner.to_string(), "consent_time": nonce, "signature": s.signature.to_string() }),
                )
            }
        }
    }
}
