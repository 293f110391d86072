//! `depin maker`: approved hardware makers.
use super::*;

#[derive(Subcommand, Debug)]
pub enum MakerCmd {
    /// Approve a hardware maker (--keypair: the network authority).
    #[command(
        after_help = "Example:\n  depin maker add --network my-net --maker-key <MAKER> --attestation-key <FACTORY_KEY> --device-cap 10000"
    )]
    Add {
        /// Network name or address.
        #[arg(long)]
        network: String,
        /// The maker's stable identity (public key or keypair file).
        #[arg(long, value_parser = parse_address)]
        maker_key: Pubkey,
        /// The key that signs device attestations (default: the maker key).
        #[arg(long, value_parser = parse_address)]
        attestation_key: Option<Pubkey>,
        /// Most devices it may attest (default: no cap).
        #[arg(long)]
        device_cap: Option<u64>,
        /// Compressed networks: also add the maker's account to this lookup table (yours,
        /// from `network create --compressed`), 31 bytes off each of its registrations.
        #[arg(long, value_parser = parse_address)]
        lookup_table: Option<Pubkey>,
    },
    /// Rotate a maker's attestation key or change its cap (--keypair: the authority).
    #[command(
        after_help = "Example:\n  depin maker update --network my-net --maker-key <MAKER> --attestation-key <NEW_KEY>"
    )]
    Update {
        /// Network name or address.
        #[arg(long)]
        network: String,
        /// The maker's identity (public key or keypair file).
        #[arg(long, value_parser = parse_address)]
        maker_key: Pubkey,
        /// Rotate the attestation key (the old key's record is closed, the new one created).
        #[arg(long, value_parser = parse_address)]
        attestation_key: Option<Pubkey>,
        /// New cap; 0 removes the cap.
        #[arg(long)]
        device_cap: Option<u64>,
    },
    /// Let a revoked maker attest devices again (--keypair: the authority).
    #[command(
        after_help = "Example:\n  depin maker reactivate --network my-net --maker-key <MAKER>"
    )]
    Reactivate {
        /// Network name or address.
        #[arg(long)]
        network: String,
        /// The maker's identity (public key or keypair file).
        #[arg(long, value_parser = parse_address)]
        maker_key: Pubkey,
    },
    /// Stop a maker attesting devices; its nodes stay (--keypair: the authority).
    #[command(after_help = "Example:\n  depin maker revoke --network my-net --maker-key <MAKER>")]
    Revoke {
        /// Network name or address.
        #[arg(long)]
        network: String,
        /// The maker's identity (public key or keypair file).
        #[arg(long, value_parser = parse_address)]
        maker_key: Pubkey,
    },
    /// The network's makers, as a table or JSON.
    #[command(after_help = "Example:\n  depin maker list --network my-net")]
    List {
        /// Network name or address.
        #[arg(long)]
        network: String,
    },
}

pub fn maker_json(address: &Pubkey, m: &Maker) -> Value {
    json!({
        "address": address.to_string(),
        "maker_key": m.maker_key.to_string(),
        "attestation_key": m.attestation_key.to_string(),
        "nodes_attested": m.nodes_attested,
        "device_cap": m.device_cap,
        "active": m.active,
    })
}

impl Ctx<'_> {
    /// The maker of `maker_key` on `network`, which must exist, and --keypair as the
    /// network's authority.
    fn maker_as_authority(
        &self,
        network: &str,
        maker_key: &Pubkey,
    ) -> Result<(Pubkey, Pubkey, Maker, Pubkey)> {
        let (a, _, me) = self.as_authority(network)?;
        let maker = pda::maker(&a, maker_key).0;
        let m = accounts::fetch::<Maker>(self.t(), "maker", &maker)?
            .with_context(|| format!("maker {maker_key} is not approved on {network}"))?;
        Ok((a, maker, m, me))
    }

    pub(super) fn maker(&self, c: &MakerCmd) -> Result<Value> {
        match c {
            MakerCmd::Add {
                network,
                maker_key,
                attestation_key,
                device_cap,
                lookup_table,
            } => {
                let (a, _, me) = self.as_authority(network)?;
                let maker = pda::maker(&a, maker_key).0;
                anyhow::ensure!(
                    self.t().get_account(&maker)?.is_none(),
                    "maker {maker_key} is already approved on {network} ({maker})"
                );
                anyhow::ensure!(device_cap != &Some(0), "--device-cap 0 would approve a maker that can attest nothing; omit it for no cap");
                let args = AddMakerArgs {
                    maker_key: *maker_key,
                    attestation_key: attestation_key.unwrap_or(*maker_key),
                    device_cap: *device_cap,
                };
                let mut ixs = vec![crate::ix::add_maker(&me, &a, args)];
                if let Some(table) = lookup_table {
                    let state = crate::lookup::fetch(self.t(), table)?;
                    anyhow::ensure!(
                        state.authority == Some(me),
                        "lookup table {table} is not {me}'s (--keypair) to extend"
                    );
                    ixs.push(
                        solana_address_lookup_table_interface::instruction::extend_lookup_table(
                            *table,
                            me,
                            Some(me),
                            vec![maker],
                        ),
                    );
                }
                let out = self.deliver(&ixs, json!({ "maker": maker.to_string() }))?;
                if let (Some(table), Some(_)) = (lookup_table, out.get("signature")) {
                    // an address added to a table is usable from the next slot on
                    let extended = crate::lookup::fetch(self.t(), table)?.last_extended_slot;
                    self.t().wait_past_slot(extended)?;
                }
                Ok(out)
            }
            MakerCmd::Update {
                network,
                maker_key,
                attestation_key,
                device_cap,
            } => {
                let (a, maker, m, me) = self.maker_as_authority(network, maker_key)?;
                let cap_now = m.device_cap.unwrap_or(0);
                let args = UpdateMakerArgs {
                    attestation_key: attestation_key.filter(|k| *k != m.attestation_key),
                    device_cap: device_cap.filter(|c| *c != cap_now).map(|c| match c {
                        0 => DeviceCapUpdate::Unlimited,
                        c => DeviceCapUpdate::Limit(c),
                    }),
                };
                if args.attestation_key.is_none() && args.device_cap.is_none() {
                    if attestation_key.is_some() || device_cap.is_some() {
                        bail!("nothing to update: maker {maker_key} already has these settings");
                    }
                    bail!("nothing to update: give --attestation-key or --device-cap");
                }
                let ix = crate::ix::update_maker(&me, &a, &maker, &m.attestation_key, args);
                self.deliver(&[ix], json!({ "maker": maker.to_string() }))
            }
            MakerCmd::Reactivate { network, maker_key } => {
                let (a, maker, m, me) = self.maker_as_authority(network, maker_key)?;
                anyhow::ensure!(!m.active, "maker {maker_key} is already active");
                let ix = crate::ix::reactivate_maker(&me, &a, &maker);
                self.deliver(&[ix], json!({ "maker": maker.to_string() }))
            }
            MakerCmd::Revoke { network, maker_key } => {
                let (a, maker, m, me) = self.maker_as_authority(network, maker_key)?;
                anyhow::ensure!(m.active, "maker {maker_key} is already revoked");
                let ix = crate::ix::revoke_maker(&me, &a, &maker);
                self.deliver(&[ix], json!({ "maker": maker.to_string() }))
            }
            MakerCmd::List { network } => {
                let a = self.existing_network(network)?;
                let makers = accounts::makers_of(self.t(), &a)?;
                Ok(Value::Array(
                    makers.iter().map(|(k, m)| maker_json(k, m)).collect(),
                ))
            }
        }
    }
}
