//! emissions: epochs finalise after their report, mint by the schedule through the circuit
//! breaker, and owners claim cumulative amounts with merkle proofs.
use anchor_lang::prelude::Pubkey;
use depin::emissions::{self as em};
use depin::tokens;
use depin_core::merkle::pack_proof;
use depin_tests::rewards::{schedule_args, RewardsWorld};
use depin_tests::*;
use emissions::{ClaimArgs, EmissionsError as X};
use solana_signer::Signer;
use std::collections::BTreeMap;

fn xcode(e: X) -> u32 {
    u32::from(e)
}

fn supply(rw: &RewardsWorld) -> u64 {
    rw.w.account(&rw.reward_mint)
        .and_then(|a| tokens::supply(&a.data))
        .unwrap()
}

/// Three nodes of two owners; epoch 0 reported with work 10 / 30 / 60.
fn three_nodes(rw: &mut RewardsWorld) -> (Owner, Owner, Vec<Pubkey>) {
    let a = rw.w.owner(5 * ONBOARDING_FEE);
    let b = rw.w.owner(5 * ONBOARDING_FEE);
    let nodes = vec![
        rw.w.register(&a).1,
        rw.w.register(&a).1,
        rw.w.register(&b).1,
    ];
    (a, b, nodes)
}

fn flow(token_program: Pubkey) {
    let mut rw = RewardsWorld::new(token_program, schedule_args());
    let (a, b, nodes) = three_nodes(&mut rw);
    let work: BTreeMap<Pubkey, u64> = nodes.iter().copied().zip([10, 30, 60]).collect();
    let r0 = rw.report_epoch(0, &work);
    rw.em()
        .finalize_epoch(&rw.w.operator, &rw.w.network, 0)
        .unwrap();
    // 1,000,000 minted: 800,000 to the vault, 100,000 each to oracles and treasury
    assert_eq!(supply(&rw), 1_000_000);
    assert_eq!(rw.balance(&em::vault_address(&rw.w.network)), 800_000);
    assert_eq!(rw.balance(&rw.rewards.oracle_rewards), 100_000);
    assert_eq!(rw.balance(&rw.rewards.treasury), 100_000);
    let s = em::schedule(&rw.w.net, &rw.w.network).unwrap();
    assert_eq!(
        (s.emitted_total, s.next_epoch, s.epochs_finalized),
        (1_000_000, 1, 1)
    );

    // node 2 (b's) claims its 60 %
    let (amount, proof) = r0.proof(&nodes[2].to_bytes()).unwrap();
    assert_eq!(amount, 480_000);
    let args = ClaimArgs {
        epoch: 0,
        cumulative_amount: amount,
        proof: pack_proof(&proof),
    };
    rw.em()
        .claim(&rw.w.operator, &rw.w.network, &nodes[2], args.clone())
        .unwrap();
    assert_eq!(rw.balance(&rw.owner_rewards(&b.pubkey())), 480_000);
    // twice for the same cumulative amount: nothing to pay
    rw.w.net.advance_time(1).unwrap();
    let ix = em::claim(
        &rw.w.operator.pubkey(),
        &rw.w.network,
        &nodes[2],
        &rw.owner_rewards(&b.pubkey()),
        rw.rewards,
        args,
    );
    let watch = [
        rw.owner_rewards(&b.pubkey()),
        em::vault_address(&rw.w.network),
        em::claim_address(&nodes[2]),
    ];
    rw.w.assert_refused(
        &watch,
        &[rw.w.operator.pubkey()],
        xcode(X::NothingToClaim),
        || rw.w.send(&[ix], &rw.w.operator, &[]),
    );

    // epoch 1: node 0 is sold to b before it claims; its later rewards go to b
    rw.w.reg()
        .transfer_node(&a.keypair, &b.keypair, &rw.w.network, &nodes[0])
        .unwrap();
    let work1: BTreeMap<Pubkey, u64> = nodes.iter().copied().zip([50, 50, 0]).collect();
    let r1 = rw.report_epoch(1, &work1);
    rw.em()
        .finalize_epoch(&rw.w.operator, &rw.w.network, 1)
        .unwrap();
    let (amount0, proof0) = r1.proof(&nodes[0].to_bytes()).unwrap();
    assert_eq!(amount0, 80_000 + 400_000);
    rw.em()
        .claim(
            &rw.w.operator,
            &rw.w.network,
            &nodes[0],
            ClaimArgs {
                epoch: 1,
                cumulative_amount: amount0,
                proof: pack_proof(&proof0),
            },
        )
        .unwrap();
    assert_eq!(
        rw.balance(&rw.owner_rewards(&b.pubkey())),
        480_000 + amount0
    );
    // node 1 claims against the older root (epoch 0) and then the newer one: the same total
    let (old, old_proof) = r0.proof(&nodes[1].to_bytes()).unwrap();
    rw.em()
        .claim(
            &rw.w.operator,
            &rw.w.network,
            &nodes[1],
            ClaimArgs {
                epoch: 0,
                cumulative_amount: old,
                proof: pack_proof(&old_proof),
            },
        )
        .unwrap();
    let (new, new_proof) = r1.proof(&nodes[1].to_bytes()).unwrap();
    rw.em()
        .claim(
            &rw.w.operator,
            &rw.w.network,
            &nodes[1],
            ClaimArgs {
                epoch: 1,
                cumulative_amount: new,
                proof: pack_proof(&new_proof),
            },
        )
        .unwrap();
    assert_eq!(rw.balance(&rw.owner_rewards(&a.pubkey())), new);
    // paid out never exceeds what the vault received
    let paid =
        rw.balance(&rw.owner_rewards(&a.pubkey())) + rw.balance(&rw.owner_rewards(&b.pubkey()));
    assert_eq!(
        paid + rw.balance(&em::vault_address(&rw.w.network)),
        1_600_000
    );
    assert_eq!(supply(&rw), 2_000_000);
}

#[test]
fn spl_token_rewards_flow() {
    flow(tokens::TOKEN_PROGRAM);
}

#[test]
fn token_2022_rewards_flow() {
    flow(tokens::TOKEN_2022_PROGRAM);
}

#[test]
fn bad_claims_are_refused() {
    let mut rw = RewardsWorld::new(tokens::TOKEN_PROGRAM, schedule_args());
    let (a, b, nodes) = three_nodes(&mut rw);
    let work: BTreeMap<Pubkey, u64> = nodes.iter().copied().zip([1, 1, 1]).collect();
    let r0 = rw.report_epoch(0, &work);
    rw.em()
        .finalize_epoch(&rw.w.operator, &rw.w.network, 0)
        .unwrap();
    let (amount, proof) = r0.proof(&nodes[0].to_bytes()).unwrap();
    let a_rewards = rw.owner_rewards(&a.pubkey());
    let ata = tokens::create_associated_account(
        &rw.w.operator.pubkey(),
        &a.pubkey(),
        &rw.reward_mint,
        &rw.rewards.token_program,
    );
    rw.w.send(&[ata], &rw.w.operator, &[]).unwrap();
    let claim = |to: &Pubkey, node: &Pubkey, args: ClaimArgs| {
        em::claim(
            &rw.w.operator.pubkey(),
            &rw.w.network,
            node,
            to,
            rw.rewards,
            args,
        )
    };
    let good = ClaimArgs {
        epoch: 0,
        cumulative_amount: amount,
        proof: pack_proof(&proof),
    };
    let watch = [
        a_rewards,
        em::vault_address(&rw.w.network),
        em::claim_address(&nodes[0]),
    ];
    let payer = [rw.w.operator.pubkey()];
    let refuse = |code: u32, ix| {
        rw.w.assert_refused(&watch, &payer, code, || {
            rw.w.send(&[ix], &rw.w.operator, &[])
        })
    };
    // no claim record yet: open_claim must come first (clients prepend it)
    refuse(
        anchor(AnchorError::AccountNotInitialized),
        claim(&a_rewards, &nodes[0], good.clone()),
    );
    for n in &nodes[..2] {
        rw.w.send(
            &[em::open_claim(&rw.w.operator.pubkey(), n)],
            &rw.w.operator,
            &[],
        )
        .unwrap();
    }
    rw.w.net.advance_time(1).unwrap();
    // opening it again changes nothing (so nobody can block "open + claim" by opening first)
    let record = rw.w.account(&em::claim_address(&nodes[0]));
    let reopen = em::open_claim(&rw.w.operator.pubkey(), &nodes[0]);
    rw.w.send(&[reopen], &rw.w.operator, &[]).unwrap();
    assert_eq!(
        rw.w.account(&em::claim_address(&nodes[0])).map(|a| a.data),
        record.map(|a| a.data)
    );
    // a record for something that is not a node
    let mut ix = em::open_claim(&rw.w.operator.pubkey(), &nodes[2]);
    ix.accounts[1].pubkey = em::schedule_address(&rw.w.network);
    refuse(anchor(AnchorError::AccountOwnedByWrongProgram), ix);
    // more than the tree says
    refuse(
        xcode(X::InvalidProof),
        claim(
            &a_rewards,
            &nodes[0],
            ClaimArgs {
                cumulative_amount: amount + 1,
                ..good.clone()
            },
        ),
    );
    // a tampered sibling, and a proof torn mid-hash
    let mut bad = good.clone();
    bad.proof[3] ^= 1;
    refuse(xcode(X::InvalidProof), claim(&a_rewards, &nodes[0], bad));
    let mut torn = good.clone();
    torn.proof.pop();
    refuse(xcode(X::InvalidProof), claim(&a_rewards, &nodes[0], torn));
    // another node's proof
    refuse(
        xcode(X::InvalidProof),
        claim(&a_rewards, &nodes[1], good.clone()),
    );
    // an epoch with no recorded root
    refuse(
        xcode(X::RootNotRecent),
        claim(
            &a_rewards,
            &nodes[0],
            ClaimArgs {
                epoch: 5,
                ..good.clone()
            },
        ),
    );
    // into b's account (not the node's owner)
    let b_ata = tokens::create_associated_account(
        &rw.w.operator.pubkey(),
        &b.pubkey(),
        &rw.reward_mint,
        &rw.rewards.token_program,
    );
    rw.w.send(&[b_ata], &rw.w.operator, &[]).unwrap();
    refuse(
        xcode(X::NotNodeOwnerAccount),
        claim(&rw.owner_rewards(&b.pubkey()), &nodes[0], good.clone()),
    );
    // another network than the schedule's: the node is then not that network's either
    let other = rw.w.create_network("claims-elsewhere").unwrap();
    let mut ix = claim(&a_rewards, &nodes[0], good.clone());
    ix.accounts[1].pubkey = other;
    refuse(xcode(X::WrongNetwork), ix);
    // a node account that is not at its PDA under this network (a copy elsewhere, as a
    // node of another network would be)
    let copy = Pubkey::new_from_array([0xc0; 32]);
    rw.w.net
        .set_account(&copy, rw.w.account(&nodes[0]).unwrap());
    rw.w.send(
        &[em::open_claim(&rw.w.operator.pubkey(), &copy)],
        &rw.w.operator,
        &[],
    )
    .unwrap();
    refuse(
        xcode(X::WrongNetwork),
        claim(&a_rewards, &copy, good.clone()),
    );
    // a node account of another program (the schedule in the node's place)
    let mut ix = claim(&a_rewards, &nodes[0], good.clone());
    ix.accounts[3].pubkey = em::schedule_address(&rw.w.network);
    refuse(anchor(AnchorError::AccountOwnedByWrongProgram), ix);
    // another node's record: node 1's claim with node 0's record, and the other way round
    let (amount1, proof1) = r0.proof(&nodes[1].to_bytes()).unwrap();
    let other_args = ClaimArgs {
        epoch: 0,
        cumulative_amount: amount1,
        proof: pack_proof(&proof1),
    };
    let mut ix = claim(&a_rewards, &nodes[1], other_args.clone());
    ix.accounts[4].pubkey = em::claim_address(&nodes[0]);
    refuse(xcode(X::WrongClaimRecord), ix);
    rw.w.send(
        &[claim(&a_rewards, &nodes[1], other_args)],
        &rw.w.operator,
        &[],
    )
    .unwrap();
    let mut ix = claim(&a_rewards, &nodes[0], good.clone());
    ix.accounts[4].pubkey = em::claim_address(&nodes[1]);
    refuse(xcode(X::WrongClaimRecord), ix);
    // an account of this program that is not a claim record
    let mut ix = claim(&a_rewards, &nodes[0], good.clone());
    ix.accounts[4].pubkey = em::schedule_address(&rw.w.network);
    refuse(anchor(AnchorError::AccountDiscriminatorMismatch), ix);
    // a signer other than the vault's owner as the authority
    let mut ix = claim(&a_rewards, &nodes[0], good.clone());
    ix.accounts[8].pubkey = rw.w.operator.pubkey();
    refuse(xcode(X::WrongMintAuthority), ix);
    // the mint's account as the owner's token account
    let mut ix = claim(&a_rewards, &nodes[0], good.clone());
    ix.accounts[5].pubkey = rw.reward_mint;
    refuse(xcode(X::NotNodeOwnerAccount), ix);
    // a suspended node's rewards wait; reactivated, it claims
    let status = |s| {
        rw.w.reg()
            .set_node_status(&rw.w.operator, &rw.w.network, &nodes[0], s)
            .unwrap()
    };
    status(node_registry::state::NodeStatus::Suspended);
    refuse(
        xcode(X::NodeSuspended),
        claim(&a_rewards, &nodes[0], good.clone()),
    );
    status(node_registry::state::NodeStatus::Active);
    // and the good claim goes through once (node 1, also a's, was claimed above)
    rw.w.send(&[claim(&a_rewards, &nodes[0], good)], &rw.w.operator, &[])
        .unwrap();
    assert_eq!(rw.balance(&a_rewards), amount + amount1);
}

#[test]
fn epochs_finalise_once_in_order_after_a_final_report() {
    let mut rw = RewardsWorld::new(tokens::TOKEN_PROGRAM, schedule_args());
    let (_a, _b, nodes) = three_nodes(&mut rw);
    let work: BTreeMap<Pubkey, u64> = nodes.iter().copied().zip([1, 2, 3]).collect();
    let (network, rewards) = (rw.w.network, rw.rewards);
    let fin = |epoch| em::finalize_epoch(&network, rewards, epoch, None);
    let watch = [
        em::schedule_address(&rw.w.network),
        rw.reward_mint,
        em::vault_address(&rw.w.network),
    ];
    let payer = [rw.w.operator.pubkey()];
    // no report at all
    rw.w.assert_refused(
        &watch,
        &payer,
        anchor(AnchorError::AccountNotInitialized),
        || rw.w.send(&[fin(0)], &rw.w.operator, &[]),
    );
    // a pending report
    let v = depin::verifier::Verifier::new(&rw.w.net);
    let content = depin::verifier::ReportContent {
        round: 0,
        epoch: 0,
        root: [1; 32],
        total_work: 6,
        node_count: 3,
    };
    v.submit_report(&rw.oracles[0], &rw.w.network, content, &[])
        .unwrap();
    rw.w.assert_refused(&watch, &payer, xcode(X::ReportNotFinal), || {
        rw.w.send(&[fin(0)], &rw.w.operator, &[])
    });
    // epoch 1 final while epoch 0 is not: no skipping (epoch 1's totals assume epoch 0)
    rw.report_epoch(1, &work);
    rw.w.assert_refused(&watch, &payer, xcode(X::EpochOutOfOrder), || {
        rw.w.send(&[fin(1)], &rw.w.operator, &[])
    });
    // epoch 1's (final) report given for epoch 0
    let mut ix = fin(0);
    ix.accounts[2].pubkey = depin::verifier::report_address(&rw.w.network, 1);
    rw.w.assert_refused(&watch, &payer, xcode(X::WrongReport), || {
        rw.w.send(&[ix], &rw.w.operator, &[])
    });
    // a report of another program (the schedule in its place)
    let mut ix = fin(0);
    ix.accounts[2].pubkey = em::schedule_address(&rw.w.network);
    rw.w.assert_refused(
        &watch,
        &payer,
        anchor(AnchorError::AccountOwnedByWrongProgram),
        || rw.w.send(&[ix], &rw.w.operator, &[]),
    );
    // another network than the schedule's
    let elsewhere = rw.w.create_network("finalise-elsewhere").unwrap();
    let mut ix = fin(0);
    ix.accounts[0].pubkey = elsewhere;
    rw.w.assert_refused(&watch, &payer, xcode(X::WrongNetwork), || {
        rw.w.send(&[ix], &rw.w.operator, &[])
    });
    // epoch 0 becomes final: both go through, in order, once each
    let v = depin::verifier::Verifier::new(&rw.w.net);
    v.approve_report(&rw.oracles[1], &rw.w.network, 0, [1; 32])
        .unwrap();
    rw.w.net
        .advance_time(i64::from(depin_tests::rewards::CHALLENGE_S))
        .unwrap();
    v.finalize_report(&rw.w.operator, &rw.w.network, 0).unwrap();
    // an authority other than the mint's
    let mut ix = fin(0);
    ix.accounts[4].pubkey = rw.w.operator.pubkey();
    rw.w.assert_refused(&watch, &payer, xcode(X::WrongMintAuthority), || {
        rw.w.send(&[ix], &rw.w.operator, &[])
    });
    rw.w.send(&[fin(0)], &rw.w.operator, &[]).unwrap();
    rw.w.send(&[fin(1)], &rw.w.operator, &[]).unwrap();
    rw.w.net.advance_time(1).unwrap();
    for e in [0, 1] {
        rw.w.assert_refused(&watch, &payer, xcode(X::EpochAlreadyFinalized), || {
            rw.w.send(&[fin(e)], &rw.w.operator, &[])
        });
    }
}

#[test]
fn the_circuit_breaker_and_max_supply_stop_minting() {
    let mut args = schedule_args();
    args.breaker_threshold = 1_500_000; // one and a half epochs per day
    args.max_supply = 2_500_000;
    let mut rw = RewardsWorld::new(tokens::TOKEN_PROGRAM, args);
    let (_a, _b, nodes) = three_nodes(&mut rw);
    let work: BTreeMap<Pubkey, u64> = nodes.iter().copied().zip([1, 1, 1]).collect();
    for e in 0..2 {
        rw.report_epoch(e, &work);
    }
    rw.em()
        .finalize_epoch(&rw.w.operator, &rw.w.network, 0)
        .unwrap();
    let watch = [em::schedule_address(&rw.w.network), rw.reward_mint];
    let payer = [rw.w.operator.pubkey()];
    let fin1 = em::finalize_epoch(&rw.w.network, rw.rewards, 1, None);
    rw.w.assert_refused(&watch, &payer, xcode(X::CircuitBreakerTripped), || {
        rw.w.send(std::slice::from_ref(&fin1), &rw.w.operator, &[])
    });
    // a day later the window has drained
    rw.w.net.advance_time(86_400).unwrap();
    rw.w.send(&[fin1], &rw.w.operator, &[]).unwrap();
    assert_eq!(supply(&rw), 2_000_000);
    // epoch 2 gets only what max supply leaves, epoch 3 nothing
    rw.w.net.advance_time(86_400).unwrap();
    for e in 2..4 {
        rw.report_epoch(e, &work);
    }
    rw.em()
        .finalize_epoch(&rw.w.operator, &rw.w.network, 2)
        .unwrap();
    assert_eq!(supply(&rw), 2_500_000);
    rw.w.net.advance_time(86_400).unwrap();
    let fin3 = em::finalize_epoch(&rw.w.network, rw.rewards, 3, None);
    rw.w.assert_refused(&watch, &payer, xcode(X::MaxSupplyReached), || {
        rw.w.send(&[fin3], &rw.w.operator, &[])
    });
}

#[test]
fn only_the_network_authority_initialises_a_valid_schedule() {
    let rw = RewardsWorld::new(tokens::TOKEN_PROGRAM, schedule_args());
    // a second schedule for the same network is refused by the runtime (account exists);
    // on a fresh network: splits, schedule and mint authority are checked
    let other = rw.w.create_network("fresh-emissions").unwrap();
    let mut bad = schedule_args();
    bad.treasury_bps = 999;
    let ix = em::initialize(&rw.w.operator.pubkey(), &other, rw.rewards, bad);
    let watch = [em::schedule_address(&other)];
    let payer = [rw.w.operator.pubkey()];
    rw.w.assert_refused(&watch, &payer, xcode(X::InvalidSplits), || {
        rw.w.send(&[ix], &rw.w.operator, &[])
    });
    let mut bad = schedule_args();
    bad.breaker_threshold = bad.initial_per_epoch - 1; // would refuse every epoch
    let ix = em::initialize(&rw.w.operator.pubkey(), &other, rw.rewards, bad);
    rw.w.assert_refused(&watch, &payer, xcode(X::InvalidBreaker), || {
        rw.w.send(&[ix], &rw.w.operator, &[])
    });
    let mut bad = schedule_args();
    bad.tail_per_epoch = bad.initial_per_epoch + 1;
    let ix = em::initialize(&rw.w.operator.pubkey(), &other, rw.rewards, bad);
    rw.w.assert_refused(&watch, &payer, xcode(X::InvalidSchedule), || {
        rw.w.send(&[ix], &rw.w.operator, &[])
    });
    // the mint's authority is the first network's PDA, not this one's
    let ix = em::initialize(&rw.w.operator.pubkey(), &other, rw.rewards, schedule_args());
    rw.w.assert_refused(&watch, &payer, xcode(X::WrongMintAuthority), || {
        rw.w.send(&[ix], &rw.w.operator, &[])
    });
    // reward mints that could freeze, tax or take the vault: a freeze authority, and a
    // Token-2022 extension other than metadata (MintCloseAuthority here, which token
    // accounts accept, so the refusal is emissions' own)
    for (token_program, forge) in [
        (tokens::TOKEN_PROGRAM, "freeze authority"),
        (tokens::TOKEN_2022_PROGRAM, "extension"),
    ] {
        let mint = rw.w.device();
        rw.w.reg()
            .create_mint(
                &rw.w.operator,
                &mint,
                &em::authority_address(&other),
                6,
                &token_program,
            )
            .unwrap();
        let mut account = rw.w.account(&mint.pubkey()).unwrap();
        if forge == "freeze authority" {
            account.data[46..50].copy_from_slice(&[1, 0, 0, 0]);
            account.data[50..82].copy_from_slice(&[7; 32]);
        } else {
            let mut data = account.data[..82].to_vec();
            data.resize(165, 0);
            data.push(1); // account type: mint
            data.extend_from_slice(&3u16.to_le_bytes()); // MintCloseAuthority
            data.extend_from_slice(&32u16.to_le_bytes());
            data.extend_from_slice(&[7; 32]);
            account.data = data;
            account.lamports = 10_000_000;
        }
        rw.w.net.set_account(&mint.pubkey(), account);
        let mut shares = vec![];
        for _ in 0..2 {
            let holder = rw.w.device();
            let ix = tokens::create_associated_account(
                &rw.w.operator.pubkey(),
                &holder.pubkey(),
                &mint.pubkey(),
                &token_program,
            );
            rw.w.send(&[ix], &rw.w.operator, &[]).unwrap();
            shares.push(depin::pda::associated_token(
                &holder.pubkey(),
                &mint.pubkey(),
                &token_program,
            ));
        }
        let r = em::RewardAccounts {
            reward_mint: mint.pubkey(),
            oracle_rewards: shares[0],
            treasury: shares[1],
            token_program,
        };
        let ix = em::initialize(&rw.w.operator.pubkey(), &other, r, schedule_args());
        rw.w.assert_refused(&watch, &payer, xcode(X::UnsafeRewardMint), || {
            rw.w.send(&[ix], &rw.w.operator, &[])
        });
    }
    // a stranger
    let stranger = rw.w.owner(0);
    let ix = em::initialize(&stranger.pubkey(), &other, rw.rewards, schedule_args());
    rw.w.assert_refused(
        &watch,
        &[stranger.pubkey()],
        xcode(X::NotNetworkAuthority),
        || rw.w.send(&[ix], &stranger.keypair, &[]),
    );
}

/// A million-node network's proof is 20 siblings deep; the claim fits one transaction.
#[test]
fn a_depth_20_proof_claims() {
    use depin_core::merkle::{hash_pair, reward_leaf};
    use depin_core::sha256::Soft;
    let rw = RewardsWorld::new(tokens::TOKEN_PROGRAM, schedule_args());
    let owner = rw.w.owner(ONBOARDING_FEE);
    let (_, node) = rw.w.register(&owner);
    let amount = 123_456;
    // the node's path to a root through 20 other subtrees
    let proof: Vec<[u8; 32]> = (0..20u8)
        .map(|i| [i.wrapping_mul(37).wrapping_add(1); 32])
        .collect();
    let mut root = reward_leaf::<Soft>(&node.to_bytes(), amount);
    for s in &proof {
        root = hash_pair::<Soft>(&root, s);
    }
    rw.report_root(0, root, 1, 1 << 20);
    rw.em()
        .finalize_epoch(&rw.w.operator, &rw.w.network, 0)
        .unwrap();
    let to = rw.owner_rewards(&owner.pubkey());
    let ata = tokens::create_associated_account(
        &rw.w.operator.pubkey(),
        &owner.pubkey(),
        &rw.reward_mint,
        &rw.rewards.token_program,
    );
    rw.w.send(&[ata], &rw.w.operator, &[]).unwrap();
    let ix = em::claim(
        &rw.w.operator.pubkey(),
        &rw.w.network,
        &node,
        &to,
        rw.rewards,
        ClaimArgs {
            epoch: 0,
            cumulative_amount: amount,
            proof: pack_proof(&proof),
        },
    );
    // the record first, as the client does on a first claim (here in its own transaction,
    // so the size below is the claim's alone)
    rw.w.send(
        &[em::open_claim(&rw.w.operator.pubkey(), &node)],
        &rw.w.operator,
        &[],
    )
    .unwrap();
    let mut tx =
        rw.w.reg()
            .unsigned(std::slice::from_ref(&ix), &rw.w.operator.pubkey())
            .unwrap();
    depin::txcodec::sign(&mut tx, &rw.w.operator).unwrap();
    let size = depin::txcodec::size(&tx);
    assert!(size <= 1232, "depth-20 claim is {size} bytes");
    eprintln!("depth-20 claim transaction: {size} bytes");
    rw.w.send(&[ix], &rw.w.operator, &[]).unwrap();
    assert_eq!(rw.balance(&to), amount);
}

/// A crank claims for several nodes in one transaction; each owner gets its own amount.
#[test]
fn one_transaction_claims_for_several_nodes() {
    let mut rw = RewardsWorld::new(tokens::TOKEN_2022_PROGRAM, schedule_args());
    let (a, b, nodes) = three_nodes(&mut rw);
    let work: BTreeMap<Pubkey, u64> = nodes.iter().copied().zip([2, 3, 5]).collect();
    let r0 = rw.report_epoch(0, &work);
    rw.em()
        .finalize_epoch(&rw.w.operator, &rw.w.network, 0)
        .unwrap();
    let crank = rw.w.owner(0);
    let mut ixs = vec![];
    for owner in [&a, &b] {
        ixs.push(tokens::create_associated_account(
            &crank.pubkey(),
            &owner.pubkey(),
            &rw.reward_mint,
            &rw.rewards.token_program,
        ));
    }
    for (i, node) in nodes.iter().enumerate() {
        let (amount, proof) = r0.proof(&node.to_bytes()).unwrap();
        let owner = if i < 2 { a.pubkey() } else { b.pubkey() };
        ixs.push(em::open_claim(&crank.pubkey(), node));
        ixs.push(em::claim(
            &crank.pubkey(),
            &rw.w.network,
            node,
            &rw.owner_rewards(&owner),
            rw.rewards,
            ClaimArgs {
                epoch: 0,
                cumulative_amount: amount,
                proof: pack_proof(&proof),
            },
        ));
    }
    let mut ixs_with_budget = vec![compute_limit(600_000)];
    ixs_with_budget.extend(ixs);
    let mut tx =
        rw.w.reg()
            .unsigned(&ixs_with_budget, &crank.pubkey())
            .unwrap();
    depin::txcodec::sign(&mut tx, &crank.keypair).unwrap();
    let size = depin::txcodec::size(&tx);
    assert!(
        size <= 1232,
        "three first claims (records opened in the same transaction) and two accounts: {size} bytes"
    );
    rw.w.send(&ixs_with_budget, &crank.keypair, &[]).unwrap();
    // 800,000 to operators: 160,000 / 240,000 / 400,000
    assert_eq!(rw.balance(&rw.owner_rewards(&a.pubkey())), 400_000);
    assert_eq!(rw.balance(&rw.owner_rewards(&b.pubkey())), 400_000);
    assert_eq!(rw.balance(&em::vault_address(&rw.w.network)), 0);
}

fn compute_limit(units: u32) -> solana_instruction::Instruction {
    let mut data = vec![2u8];
    data.extend_from_slice(&units.to_le_bytes());
    solana_instruction::Instruction {
        program_id: anchor_lang::pubkey!("ComputeBudget111111111111111111111111111111"),
        accounts: vec![],
        data,
    }
}
