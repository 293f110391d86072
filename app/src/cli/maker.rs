//! `depin maker`: approved hardware makers.
use super::*;

#[derive(Subcommand, Debug)]
pub enum MakerCmd {
    Add {
        #[arg(long)]
        network: String,
        /// The maker's stable identity.
        #[arg(long)]
        maker_key: Pubkey,
        /// The key that signs device attestations (default: the maker key).
        #[arg(long)]
        attestation_key: Option<Pubkey>,
        #[arg(long)]
        device_cap: Option<u64>,
    },
    Update {
        #[arg(long)]
        network: String,
        #[arg(long)]
        maker_key: Pubkey,
        /// Rotate the attestation key (the old key's record is closed, the new one created).
        #[arg(long)]
        attestation_key: Option<Pubkey>,
        /// New cap; 0 removes the cap.
        #[arg(long)]
        device_cap: Option<u64>,
    },
    /// Let a revoked maker attest devices again.
    Reactivate {
        #[arg(long)]
        network: String,
        #[arg(long)]
        maker_key: Pubkey,
    },
    Revoke {
        #[arg(long)]
        network: String,
        #[arg(long)]
        maker_key: Pubkey,
    },
    List {
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
    pub(super) fn maker(&self, c: &MakerCmd) -> Result<Value> {
        match c {
            MakerCmd::Add {
                network,
                maker_key,
                attestation_key,
                device_cap,
            } => {
                let a = network_address(network)?;
                let args = AddMakerArgs {
                    maker_key: *maker_key,
                    attestation_key: attestation_key.unwrap_or(*maker_key),
                    device_cap: *device_cap,
                };
                let maker = pda::maker(&a, maker_key).0;
                let ix = crate::ix::add_maker(&self.signer_key()?, &a, args);
                self.deliver(&[ix], json!({ "maker": maker.to_string() }))
            }
            MakerCmd::Update {
                network,
                maker_key,
                attestation_key,
                device_cap,
            } => {
                let a = network_address(network)?;
                let maker = pda::maker(&a, maker_key).0;
                let args = UpdateMakerArgs {
                    attestation_key: *attestation_key,
                    device_cap: device_cap.map(|c| match c {
                        0 => DeviceCapUpdate::Unlimited,
                        c => DeviceCapUpdate::Limit(c),
                    }),
                };
                anyhow::ensure!(
                    args.attestation_key.is_some() || args.device_cap.is_some(),
                    "nothing to update: give --attestation-key or --device-cap"
                );
                let out = self
                    .reg
                    .update_maker(&self.sending_keypair()?, &a, &maker, args)?;
                Ok(sent(&out.signature, json!({ "maker": maker.to_string() })))
            }
            MakerCmd::Reactivate { network, maker_key } => {
                let a = network_address(network)?;
                let maker = pda::maker(&a, maker_key).0;
                let out = self
                    .reg
                    .reactivate_maker(&self.sending_keypair()?, &a, &maker)?;
                Ok(sent(&out.signature, json!({ "maker": maker.to_string() })))
            }
            MakerCmd::Revoke { network, maker_key } => {
                let a = network_address(network)?;
                let maker = pda::maker(&a, maker_key).0;
                let out = self
                    .reg
                    .revoke_maker(&self.sending_keypair()?, &a, &maker)?;
                Ok(sent(&out.signature, json!({ "maker": maker.to_string() })))
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
