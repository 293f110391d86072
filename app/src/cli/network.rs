//! `depin network`: create, show, update, hand over.
use super::*;

#[derive(Subcommand, Debug)]
pub enum NetworkCmd {
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        token_mint: Pubkey,
        #[arg(long)]
        credits_mint: Pubkey,
        /// Credits burned to register a node (base units).
        #[arg(long, default_value_t = 0)]
        onboarding_fee: u64,
        /// Credits burned per location assertion (base units).
        #[arg(long, default_value_t = 0)]
        location_fee: u64,
        /// Seconds a device consent stays valid.
        #[arg(long, default_value_t = 86_400)]
        attestation_window: u32,
    },
    Show {
        /// Network name or address.
        network: String,
    },
    Update {
        network: String,
        #[arg(long)]
        onboarding_fee: Option<u64>,
        #[arg(long)]
        location_fee: Option<u64>,
        #[arg(long)]
        attestation_window: Option<u32>,
        /// Delegated key that may suspend and reactivate nodes ("none" clears it).
        #[arg(long)]
        operator: Option<String>,
        #[arg(long)]
        paused: Option<bool>,
    },
    /// Propose a new authority ("none" cancels); it must then run accept-authority.
    ProposeAuthority {
        network: String,
        new_authority: String,
    },
    AcceptAuthority {
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
                let kp = self.sending_keypair()?;
                let (address, out) = self.reg.create_network(
                    &kp,
                    token_mint,
                    credits_mint,
                    CreateNetworkArgs {
                        name: name.clone(),
                        onboarding_fee_credits: *onboarding_fee,
                        location_fee_credits: *location_fee,
                        attestation_window_s: *attestation_window,
                    },
                )?;
                Ok(sent(
                    &out.signature,
                    json!({ "network": address.to_string() }),
                ))
            }
            NetworkCmd::Show { network } => {
                let a = network_address(network)?;
                Ok(network_json(&a, &self.reg.network(&a)?))
            }
            NetworkCmd::Update {
                network,
                onboarding_fee,
                location_fee,
                attestation_window,
                operator,
                paused,
            } => {
                let a = network_address(network)?;
                // Only what was given is sent: the program leaves every other setting as is.
                let args = UpdateNetworkArgs {
                    onboarding_fee_credits: *onboarding_fee,
                    location_fee_credits: *location_fee,
                    attestation_window_s: *attestation_window,
                    operator: match operator {
                        Some(s) => Some(match optional_key(s)? {
                            Some(k) => OperatorUpdate::Set(k),
                            None => OperatorUpdate::Remove,
                        }),
                        None => None,
                    },
                    paused: *paused,
                };
                anyhow::ensure!(
                    !args.is_empty(),
                    "nothing to update: give --onboarding-fee, --location-fee, --attestation-window, --operator or --paused"
                );
                let out = self
                    .reg
                    .update_network(&self.sending_keypair()?, &a, args)?;
                Ok(sent(&out.signature, json!({})))
            }
            NetworkCmd::ProposeAuthority {
                network,
                new_authority,
            } => {
                let a = network_address(network)?;
                let out = self.reg.propose_authority(
                    &self.sending_keypair()?,
                    &a,
                    optional_key(new_authority)?,
                )?;
                Ok(sent(&out.signature, json!({})))
            }
            NetworkCmd::AcceptAuthority { network } => {
                let a = network_address(network)?;
                let out = self.reg.accept_authority(&self.sending_keypair()?, &a)?;
                Ok(sent(&out.signature, json!({})))
            }
        }
    }
}
