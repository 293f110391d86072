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
    #[arg(long)]
    pub network: String,
    #[arg(long)]
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
    /// Device public key, with --device-signature and --nonce.
    #[arg(long, requires_all = ["device_signature", "nonce"])]
    pub device_key: Option<Pubkey>,
    /// Device consent signature (base58) from `depin attest device`.
    #[arg(long)]
    pub device_signature: Option<Signature>,
    /// Consent nonce (unix seconds) the device signed; default now.
    #[arg(long)]
    pub nonce: Option<u64>,
    #[arg(long, value_enum)]
    pub class: NodeClass,
    /// Capacity fields, e.g. `radios=1,gain=12,elevation=5` (hotspot),
    /// `gpus=8,vram=80,tflops=989` (gpu), `bytes=1e12` (storage),
    /// `channels=4,interval=60` (sensor), `units=10` (other).
    #[arg(long)]
    pub capacity: String,
    /// Owner (fee payer) when building for another wallet with --sign-only.
    #[arg(long)]
    pub owner: Option<Pubkey>,
    /// Owner's credits token account (default: associated account).
    #[arg(long)]
    pub credits_account: Option<Pubkey>,
    /// Most credits the transaction may burn (default: the network's onboarding fee now);
    /// it is refused on chain if the fee is raised above this before it lands.
    #[arg(long)]
    pub max_fee: Option<u64>,
}

#[derive(Subcommand, Debug)]
pub enum NodeCmd {
    Register(Box<RegisterArgs>),
    Show {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
    },
    List {
        #[arg(long)]
        network: String,
        #[arg(long)]
        owner: Option<Pubkey>,
    },
    /// Offer the node to a new owner (--keypair: the owner); nothing moves until they accept.
    Transfer {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
        #[arg(long)]
        to: Pubkey,
    },
    /// Accept the open transfer offer (--keypair: the recipient).
    AcceptTransfer {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
    },
    /// Withdraw (proposer) or decline (recipient) the open transfer offer.
    CancelTransfer {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
    },
    /// The device's permanent record: standing, registrations, last consent nonce.
    Device {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
    },
    SetStatus {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
        #[arg(value_enum)]
        status: StatusArg,
    },
    AssertLocation {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
        /// H3 cell, hex (8928308280fffff) or decimal.
        cell: String,
        /// Most credits it may burn (default: the network's location fee now).
        #[arg(long)]
        max_fee: Option<u64>,
    },
    Decommission {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
    },
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
    Maker {
        #[arg(long)]
        network: String,
        #[arg(long)]
        device_key: Pubkey,
        #[arg(long, value_enum)]
        class: NodeClass,
        /// Capacity fields as for `node register --capacity`.
        #[arg(long)]
        capacity: String,
    },
    /// Sign (network, owner, nonce) with the device key (--keypair).
    Device {
        #[arg(long)]
        network: String,
        #[arg(long)]
        owner: Pubkey,
        /// Unix seconds; default the cluster's clock.
        #[arg(long)]
        nonce: Option<u64>,
    },
}

pub fn parse_capacity(class: NodeClass, spec: &str) -> Result<Capacity> {
    let mut kv = std::collections::BTreeMap::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .with_context(|| format!("capacity field `{part}` is not key=value"))?;
        let n: u64 = if let Some((m, e)) = v.split_once(['e', 'E']) {
            let m: u64 = m
                .parse()
                .with_context(|| format!("`{v}` is not a number"))?;
            let e: u32 = e
                .parse()
                .with_context(|| format!("`{v}` is not a number"))?;
            10u64
                .checked_pow(e)
                .and_then(|p| p.checked_mul(m))
                .with_context(|| format!("`{v}` is too large"))?
        } else {
            v.parse()
                .with_context(|| format!("`{v}` is not a whole number"))?
        };
        kv.insert(k.to_string(), n);
    }
    let mut take = |k: &str| -> Result<u64> {
        kv.remove(k)
            .with_context(|| format!("capacity needs `{k}=` for class {class:?}"))
    };
    fn fit<T: TryFrom<u64>>(k: &str, v: u64) -> Result<T> {
        T::try_from(v).map_err(|_| anyhow::anyhow!("capacity `{k}={v}` is out of range"))
    }
    let cap = match class {
        NodeClass::Hotspot => Capacity::Hotspot {
            radios: fit("radios", take("radios")?)?,
            antenna_gain_dbi_x10: fit("gain", take("gain")?)?,
            elevation_m: fit("elevation", take("elevation")?)?,
        },
        NodeClass::Gpu => Capacity::Gpu {
            gpus: fit("gpus", take("gpus")?)?,
            vram_gib: fit("vram", take("vram")?)?,
            fp16_tflops: fit("tflops", take("tflops")?)?,
        },
        NodeClass::Storage => Capacity::Storage {
            bytes: take("bytes")?,
        },
        NodeClass::Sensor => Capacity::Sensor {
            channels: fit("channels", take("channels")?)?,
            sample_interval_s: fit("interval", take("interval")?)?,
        },
        NodeClass::Other => Capacity::Other {
            units: take("units")?,
        },
    };
    if let Some(k) = kv.keys().next() {
        bail!("unknown capacity field `{k}` for class {class:?}");
    }
    Ok(cap)
}

/// H3 cell from hex (with or without 0x) or decimal.
pub fn parse_cell(s: &str) -> Result<u64> {
    let t = s.trim_start_matches("0x");
    let cell = if t.chars().all(|c| c.is_ascii_digit()) && !s.starts_with("0x") && t.len() > 15 {
        t.parse::<u64>()?
    } else {
        u64::from_str_radix(t, 16).with_context(|| format!("`{s}` is not an H3 cell"))?
    };
    anyhow::ensure!(
        depin_core::h3::is_valid_cell(cell),
        "`{s}` is not a valid H3 cell"
    );
    Ok(cell)
}

pub fn node_json(address: &Pubkey, n: &Node) -> Value {
    json!({
        "address": address.to_string(),
        "device_key": n.device_key.to_string(),
        "owner": n.owner.to_string(),
        "maker": n.maker.to_string(),
        "location": if n.location == 0 { Value::Null } else { json!(format!("{:x}", n.location)) },
        "capacity": format!("{:?}", n.capacity),
        "status": format!("{:?}", n.status),
        "registered_at": n.registered_at,
        "location_changes": n.location_changes,
    })
}

impl Ctx<'_> {
    fn registration(&self, r: &RegisterArgs, owner: &Pubkey) -> Result<Registration> {
        let network = network_address(&r.network)?;
        let maker = pda::maker(&network, &r.maker_key).0;
        let maker_account = accounts::maker(self.t(), &maker)?;
        let (device_consent, nonce) = match (&r.device_keypair, r.device_key, r.device_signature) {
            (Some(path), _, _) => {
                let device = config::read_keypair(path)?;
                let nonce = match r.nonce {
                    Some(n) => n,
                    None => {
                        u64::try_from(self.t().unix_time()?).context("cluster clock is negative")?
                    }
                };
                (
                    attest::sign_device_consent(&device, &network, owner, nonce),
                    nonce,
                )
            }
            (None, Some(device_key), Some(signature)) => {
                let nonce = r
                    .nonce
                    .context("--nonce is required with --device-signature")?;
                let s = SignedStatement {
                    signer: device_key,
                    message: attest::device_statement(&network, owner, nonce),
                    signature,
                };
                (s, nonce)
            }
            _ => {
                bail!("give --device-keypair, or --device-key with --device-signature and --nonce")
            }
        };
        let device_key = device_consent.signer;
        let capacity = parse_capacity(r.class, &r.capacity)?;
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
            "the device signature does not verify for owner {owner} and nonce {nonce}"
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

    /// The onboarding fee now and the most the transaction may burn; warns on stderr when
    /// the fee is above the limit (the program would refuse it).
    fn fee_terms(&self, reg: &Registration) -> Result<(u64, u64)> {
        let fee = self.reg.network(&reg.network)?.onboarding_fee_credits;
        let max = reg.max_fee_credits.unwrap_or(fee);
        eprintln!("onboarding fee: {fee} credits burned (the transaction allows at most {max})");
        if fee > max {
            eprintln!("warning: the fee is above --max-fee; register_node will refuse it (FeeAboveMaximum)");
        }
        Ok((fee, max))
    }

    pub(super) fn node(&self, c: &NodeCmd) -> Result<Value> {
        match c {
            NodeCmd::Register(r) => {
                if self.cli.sign_only {
                    let owner = match r.owner {
                        Some(o) => o,
                        None => self.signer_key()?,
                    };
                    let mut reg = self.registration(r, &owner)?;
                    let (fee, max) = self.fee_terms(&reg)?;
                    reg.max_fee_credits = Some(max);
                    let ixs = self.reg.register_node_instructions(&owner, &reg)?;
                    let tx = self.reg.unsigned(&ixs, &owner)?;
                    let node = pda::node(&reg.network, &reg.device_consent.signer).0;
                    return Ok(merged(
                        unsigned_json(&tx),
                        json!({
                            "onboarding_fee_credits": fee,
                            "max_fee_credits": max,
                            "node": node.to_string(),
                        }),
                    ));
                }
                let owner = self.keypair()?;
                anyhow::ensure!(
                    r.owner.is_none_or(|o| o == owner.pubkey()),
                    "--owner differs from --keypair; use --sign-only to build for another wallet"
                );
                let mut reg = self.registration(r, &owner.pubkey())?;
                let (fee, max) = self.fee_terms(&reg)?;
                reg.max_fee_credits = Some(max);
                let (node, out) = self.reg.register_node(&owner, &reg)?;
                Ok(sent(
                    &out.signature,
                    json!({ "node": node.to_string(), "onboarding_fee_credits": fee, "max_fee_credits": max }),
                ))
            }
            NodeCmd::Show {
                network,
                device_key,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                Ok(node_json(&node, &accounts::node(self.t(), &node)?))
            }
            NodeCmd::List { network, owner } => {
                let a = self.existing_network(network)?;
                let nodes = accounts::nodes_of(self.t(), &a)?;
                Ok(Value::Array(
                    nodes
                        .iter()
                        .filter(|(_, n)| owner.is_none_or(|o| n.owner == o))
                        .map(|(k, n)| node_json(k, n))
                        .collect(),
                ))
            }
            NodeCmd::Transfer {
                network,
                device_key,
                to,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                let out = self
                    .reg
                    .propose_transfer(&self.sending_keypair()?, &a, &node, *to)?;
                Ok(sent(
                    &out.signature,
                    json!({ "node": node.to_string(), "offer": pda::transfer_offer(&node).0.to_string(), "to": to.to_string() }),
                ))
            }
            NodeCmd::AcceptTransfer {
                network,
                device_key,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                let out = self
                    .reg
                    .accept_transfer(&self.sending_keypair()?, &a, &node)?;
                Ok(sent(&out.signature, json!({ "node": node.to_string() })))
            }
            NodeCmd::CancelTransfer {
                network,
                device_key,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                let out = self.reg.cancel_transfer(&self.sending_keypair()?, &node)?;
                Ok(sent(&out.signature, json!({ "node": node.to_string() })))
            }
            NodeCmd::Device {
                network,
                device_key,
            } => {
                let a = network_address(network)?;
                let address = pda::device(&a, device_key).0;
                let d = accounts::device(self.t(), &address)?;
                Ok(json!({
                    "address": address.to_string(),
                    "device_key": d.device_key.to_string(),
                    "maker": d.maker.to_string(),
                    "status": format!("{:?}", d.status),
                    "registrations": d.registrations,
                    "last_consent_nonce": d.last_consent_nonce,
                    "first_registered_at": d.first_registered_at,
                    "node_registered": self.t().get_account(&pda::node(&a, device_key).0)?.is_some(),
                }))
            }
            NodeCmd::SetStatus {
                network,
                device_key,
                status,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                let s = match status {
                    StatusArg::Active => NodeStatus::Active,
                    StatusArg::Suspended => NodeStatus::Suspended,
                };
                // Works for decommissioned devices too: the standing is on the device record.
                let out =
                    self.reg
                        .set_device_status(&self.sending_keypair()?, &a, device_key, s)?;
                Ok(sent(&out.signature, json!({ "node": node.to_string() })))
            }
            NodeCmd::AssertLocation {
                network,
                device_key,
                cell,
                max_fee,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                let fee = self.reg.network(&a)?.location_fee_credits;
                let max = max_fee.unwrap_or(fee);
                eprintln!(
                    "location fee: {fee} credits burned (the transaction allows at most {max})"
                );
                let out = self.reg.assert_location_with_max_fee(
                    &self.sending_keypair()?,
                    &a,
                    &node,
                    parse_cell(cell)?,
                    max,
                )?;
                Ok(sent(
                    &out.signature,
                    json!({ "node": node.to_string(), "location_fee_credits": fee, "max_fee_credits": max }),
                ))
            }
            NodeCmd::Decommission {
                network,
                device_key,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                let out = self
                    .reg
                    .decommission_node(&self.sending_keypair()?, &a, &node)?;
                Ok(sent(&out.signature, json!({ "node": node.to_string() })))
            }
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
                let capacity = parse_capacity(*class, capacity)?;
                let s = attest::sign_maker_attestation(&kp, &a, device_key, &capacity);
                Ok(
                    json!({ "signer": s.signer.to_string(), "device_key": device_key.to_string(), "signature": s.signature.to_string() }),
                )
            }
            AttestCmd::Device {
                network,
                owner,
                nonce,
            } => {
                let a = network_address(network)?;
                let nonce = match nonce {
                    Some(n) => *n,
                    None => {
                        u64::try_from(self.t().unix_time()?).context("cluster clock is negative")?
                    }
                };
                let s = attest::sign_device_consent(&kp, &a, owner, nonce);
                Ok(
                    json!({ "device_key": s.signer.to_string(), "owner": owner.to_string(), "nonce": nonce, "signature": s.signature.to_string() }),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities() {
        assert_eq!(
            parse_capacity(NodeClass::Gpu, "gpus=8,vram=80,tflops=989").unwrap(),
            Capacity::Gpu {
                gpus: 8,
                vram_gib: 80,
                fp16_tflops: 989
            }
        );
        assert_eq!(
            parse_capacity(NodeClass::Storage, "bytes=4e12").unwrap(),
            Capacity::Storage {
                bytes: 4_000_000_000_000
            }
        );
        assert!(parse_capacity(NodeClass::Gpu, "gpus=8").is_err());
        assert!(parse_capacity(NodeClass::Other, "units=1,extra=2").is_err());
        assert!(parse_capacity(NodeClass::Hotspot, "radios=300,gain=1,elevation=1").is_err());
        assert!(parse_capacity(NodeClass::Storage, "bytes=1e30").is_err());
    }

    #[test]
    fn cells() {
        assert_eq!(parse_cell("8928308280fffff").unwrap(), 0x8928308280fffff);
        assert_eq!(parse_cell("0x8928308280fffff").unwrap(), 0x8928308280fffff);
        assert_eq!(parse_cell("617700169958293503").unwrap(), 0x8928308280fffff);
        assert!(parse_cell("8928308280ffffe").is_err());
        assert!(parse_cell("zz").is_err());
    }
}
