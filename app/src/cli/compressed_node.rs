//! `depin node` on compressed networks: the same commands, with leaves and proofs from the
//! indexer (`--indexer URL`, or an indexer run in this process over the cluster's history).
use super::*;
use crate::indexer::{self, Indexer, IndexerClient, ProofSource};
use node_registry::state::NodeProof;

/// The most bytes a transaction may have (a packet).
const PACKET_LIMIT: usize = 1_232;

impl Ctx<'_> {
    /// Where this command reads the network's leaves and proofs.
    pub(super) fn proof_source(
        &self,
        network: &Pubkey,
        tree: &Pubkey,
    ) -> Result<Box<dyn ProofSource>> {
        match &self.cli.indexer {
            Some(url) => {
                let c = IndexerClient::new(url)?;
                let indexed = c
                    .tree()
                    .with_context(|| format!("asking the indexer at {url}"))?;
                anyhow::ensure!(
                    indexed == *tree,
                    "the indexer at {url} indexes tree {indexed}, not this network's tree {tree}"
                );
                Ok(Box::new(c))
            }
            None => {
                let (ix, _) = Indexer::open_synced(self.t(), network, None)
                    .context("rebuilding the network's tree from its transactions")?;
                Ok(Box::new(ix))
            }
        }
    }

    /// A proof of `r`'s compressed node (one read from the source: the proof carries the
    /// node), which must exist and not be decommissioned.
    fn live_node_proof(&self, source: &dyn ProofSource, r: &NodeRef) -> Result<NodeProof> {
        let proof = source
            .node_proof(&r.device_key)
            .with_context(|| format!("device {} has no node on {}", r.device_key, r.network))?;
        anyhow::ensure!(
            !indexer::is_decommissioned(&proof.node),
            "device {}'s node on {} is decommissioned",
            r.device_key,
            r.network
        );
        Ok(proof)
    }

    /// [`Self::live_node_proof`] of a node --keypair owns, and that owner.
    fn owned_node_proof(
        &self,
        source: &dyn ProofSource,
        r: &NodeRef,
    ) -> Result<(NodeProof, Pubkey)> {
        let proof = self.live_node_proof(source, r)?;
        let me = self.signer_key()?;
        anyhow::ensure!(
            proof.node.owner == me,
            "device {}'s node is owned by {}, not by {me} (--keypair)",
            r.device_key,
            proof.node.owner
        );
        Ok((proof, me))
    }

    /// `depin node …` when the network is compressed; `None` for plain networks.
    pub(super) fn compressed_node(&self, c: &NodeCmd) -> Result<Option<Value>> {
        let network = match c {
            NodeCmd::Register(r) => &r.network,
            NodeCmd::List { network, .. } => network,
            NodeCmd::Show(r)
            | NodeCmd::AcceptTransfer(r)
            | NodeCmd::CancelTransfer(r)
            | NodeCmd::Device(r)
            | NodeCmd::Decommission(r) => &r.network,
            NodeCmd::Transfer { node, .. }
            | NodeCmd::SetStatus { node, .. }
            | NodeCmd::AssertLocation { node, .. } => &node.network,
        };
        let (a, n) = self.existing_network_account(network)?;
        let Some(tree) = n.compressed_tree else {
            return Ok(None);
        };
        let v = match c {
            NodeCmd::Register(r) => self.register_compressed(r, &a, &n, &tree)?,
            NodeCmd::Show(r) | NodeCmd::Device(r) => {
                let source = self.proof_source(&a, &tree)?;
                let (index, node) = source.node(&r.device_key)?.with_context(|| {
                    format!("device {} has no node on {}", r.device_key, r.network)
                })?;
                merged(
                    indexer::node_json(&a, index, &r.device_key, &node),
                    json!({ "tree": tree.to_string() }),
                )
            }
            NodeCmd::List { owner, .. } => {
                let source = self.proof_source(&a, &tree)?;
                let rows: Vec<Value> = source
                    .nodes()?
                    .into_iter()
                    .filter(|(_, _, node)| owner.is_none_or(|o| node.owner == o))
                    .map(|(i, d, node)| indexer::node_json(&a, i, &d, &node))
                    .collect();
                Value::Array(rows)
            }
            NodeCmd::Transfer {
                node: r,
                to,
                recipient_keypair,
            } => {
                let source = self.proof_source(&a, &tree)?;
                let (proof, me) = self.owned_node_proof(source.as_ref(), r)?;
                anyhow::ensure!(*to != me, "--to is already the node's owner");
                let ix = crate::ix::transfer_compressed_node(&me, to, &a, &tree, proof);
                let recipient = recipient_keypair
                    .as_deref()
                    .map(|s| self.signer_from(s, "recipient-keypair"))
                    .transpose()?;
                if let Some(s) = &recipient {
                    anyhow::ensure!(
                        s.pubkey() == *to,
                        "--recipient-keypair is {}, not --to {to}",
                        s.pubkey()
                    );
                }
                let local: Vec<&dyn Signer> = recipient.iter().map(|s| s.as_ref()).collect();
                self.deliver_with(
                    &[ix],
                    &local,
                    json!({ "device_key": r.device_key.to_string(), "to": to.to_string(), "tree": tree.to_string() }),
                )?
            }
            NodeCmd::AcceptTransfer(_) | NodeCmd::CancelTransfer(_) => bail!(
                "network {} is compressed: a transfer is one transaction signed by both owners, \
                 with no offer to accept or cancel (`depin node transfer --to NEW_OWNER \
                 --recipient-keypair SIGNER`, or --sign-only for the recipient to sign elsewhere)",
                n.name
            ),
            NodeCmd::SetStatus { node: r, status } => {
                let source = self.proof_source(&a, &tree)?;
                let proof = self.live_node_proof(source.as_ref(), r)?;
                let s = match status {
                    StatusArg::Active => NodeStatus::Active,
                    StatusArg::Suspended => NodeStatus::Suspended,
                };
                anyhow::ensure!(
                    proof.node.status != s,
                    "device {} is already {s:?}",
                    r.device_key
                );
                let me = self.signer_key()?;
                anyhow::ensure!(
                    me == n.authority || Some(me) == n.operator,
                    "{me} (--keypair) is neither the network authority {} nor its status operator",
                    n.authority
                );
                let ix = crate::ix::set_compressed_node_status(&me, &a, &tree, s, proof);
                self.deliver(
                    &[ix],
                    json!({ "device_key": r.device_key.to_string(), "status": format!("{s:?}") }),
                )?
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
                let source = self.proof_source(&a, &tree)?;
                let (proof, me) = self.owned_node_proof(source.as_ref(), r)?;
                anyhow::ensure!(
                    proof.node.location != location,
                    "device {}'s node is already at {location:x}: nothing to change",
                    r.device_key
                );
                let fee = n.location_fee_credits;
                let max = max_fee.unwrap_or(fee);
                anyhow::ensure!(
                    fee <= max,
                    "the location fee is {fee} credits, above --max-fee {max}: \
                     assert_compressed_location would refuse it"
                );
                let credits = self.reg.credits_accounts(&n, &me, None)?;
                let ix = crate::ix::assert_compressed_location(
                    &me, &a, &tree, credits, location, max, proof,
                );
                self.deliver(
                    &[ix],
                    json!({ "device_key": r.device_key.to_string(), "cell": format!("{location:x}"), "location_fee_credits": fee, "max_fee_credits": max }),
                )?
            }
            NodeCmd::Decommission(r) => {
                let source = self.proof_source(&a, &tree)?;
                let (proof, me) = self.owned_node_proof(source.as_ref(), r)?;
                let ix = crate::ix::decommission_compressed_node(&me, &a, &tree, proof);
                self.deliver(&[ix], json!({ "device_key": r.device_key.to_string() }))?
            }
        };
        Ok(Some(v))
    }

    /// A compressed registration: the same signatures as `register_node`, the device's
    /// low leaf and proof from the indexer, sent as a v0 transaction through the network's
    /// lookup table (a legacy transaction cannot carry the proof).
    fn register_compressed(
        &self,
        r: &RegisterArgs,
        network: &Pubkey,
        n: &Network,
        tree: &Pubkey,
    ) -> Result<Value> {
        anyhow::ensure!(
            !self.cli.sign_only
                && !self.cli.dry_run
                && self.cli.nonce.is_none()
                && self.cli.fee_payer.is_none(),
            "--sign-only, --dry-run, --nonce and --fee-payer are not built for compressed \
             registrations (a v0 transaction through a lookup table); the owner's --keypair \
             signs and pays here"
        );
        let table = r.lookup_table.with_context(|| {
            format!(
                "network {} is compressed: its registrations are v0 transactions through an \
                 address lookup table; give --lookup-table (printed by `depin network create \
                 --compressed`)",
                n.name
            )
        })?;
        let owner = self.signer_key()?;
        if let Some(o) = r.owner {
            anyhow::ensure!(
                o == owner,
                "--owner {o} must be --keypair on a compressed network (the owner signs here)"
            );
        }
        let mut reg = self.registration(r, &owner)?;
        anyhow::ensure!(
            !n.paused,
            "network {} is paused: registrations are refused",
            n.name
        );
        let m = accounts::maker(self.t(), &reg.maker)?;
        anyhow::ensure!(m.active, "maker {} is revoked on {}", m.maker_key, n.name);
        let fee = n.onboarding_fee_credits;
        let max = reg.max_fee_credits.unwrap_or(fee);
        anyhow::ensure!(
            fee <= max,
            "the onboarding fee is {fee} credits, above --max-fee {max}: the registration would be refused"
        );
        reg.max_fee_credits = Some(max);
        let device = reg.device_consent.signer;
        let source = self.proof_source(network, tree)?;
        anyhow::ensure!(
            source.node(&device)?.is_none(),
            "device {device} is already registered on {} (compressed)",
            n.name
        );
        let insertion = source.insertion(&device)?;
        let credits = self.reg.credits_accounts(n, &owner, reg.owner_credits)?;
        let mut ixs = self.t().compute_budget().instructions();
        ixs.extend(crate::compressed::register_instructions(
            &owner, &reg, tree, credits, max, insertion,
        )?);
        let tables = [crate::lookup::table(self.t(), &table)?];
        let payer = self.default_signer()?;
        let blockhash = self.t().latest_blockhash()?;
        let message =
            solana_message::v0::Message::try_compile(&payer.pubkey(), &ixs, &tables, blockhash)
                .context("compiling a v0 message")?;
        let signers: Vec<&dyn Signer> = vec![payer.as_ref()];
        let tx = solana_transaction::versioned::VersionedTransaction::try_new(
            solana_message::VersionedMessage::V0(message),
            signers.as_slice(),
        )
        .map_err(|e| anyhow::anyhow!("signing the registration: {e}"))?;
        let bytes = crate::lookup::size(&tx);
        anyhow::ensure!(
            bytes <= PACKET_LIMIT,
            "the registration is {bytes} bytes, over the {PACKET_LIMIT}-byte packet limit: add \
             the maker to the lookup table (`depin maker add --lookup-table`, which puts it there \
             for new makers), drop the compute-budget flags, or use a tree with a deeper canopy"
        );
        let out = self.t().send_versioned(&tx)?;
        let written = crate::compressed::written_events(&out)?;
        let leaf = written.first().map(|w| w.index);
        Ok(json!({
            "signature": out.signature.to_string(),
            "device_key": device.to_string(),
            "node": pda::node(network, &device).0.to_string(),
            "tree": tree.to_string(),
            "leaf_index": leaf,
            "owner": owner.to_string(),
            "consent_time": reg.nonce,
            "onboarding_fee_credits": fee,
            "max_fee_credits": max,
            "bytes": bytes,
        }))
    }
}
