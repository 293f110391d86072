//! Another program claims through emissions' `cpi` feature (tests/claim-router): the claim
//! pays the node's owner, and emissions' own checks still refuse a repeat or a wrong owner
//! account when the call comes from a program. Runs natively and on the SBF files.
#![allow(deprecated)]
use anchor_lang::prelude::{AccountInfo, Pubkey};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::{InstructionData, ToAccountMetas};
use depin::emissions as em;
use depin::transport::embedded::RuntimeMode;
use depin_claim_router as router;
use depin_core::merkle::pack_proof;
use depin_tests::rewards::{schedule_args, RewardsWorld};
use depin_tests::*;
use emissions::{ClaimArgs, EmissionsError as X};
use solana_instruction::Instruction;
use solana_program_test::processor;
use solana_signer::Signer;
use std::collections::BTreeMap;

fn router_entry(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let accounts: &[AccountInfo] = Box::leak(Box::new(accounts.to_vec()));
    let program_id: &Pubkey = Box::leak(Box::new(*program_id));
    let data: &[u8] = Box::leak(data.to_vec().into_boxed_slice());
    router::entry(program_id, accounts, data)
}

fn claim_through(
    rw: &RewardsWorld,
    node: &Pubkey,
    owner_rewards: &Pubkey,
    args: ClaimArgs,
) -> Instruction {
    let r = rw.rewards;
    let n = rw.w.network;
    Instruction {
        program_id: router::ID,
        accounts: router::accounts::ClaimThrough {
            payer: rw.w.operator.pubkey(),
            network: n,
            schedule: em::schedule_address(&n),
            node: *node,
            claim: em::claim_address(node),
            owner_rewards: *owner_rewards,
            vault: em::vault_address(&n),
            reward_mint: r.reward_mint,
            mint_authority: em::authority_address(&n),
            token_program: r.token_program,
            system_program: anchor_lang::system_program::ID,
            emissions_program: emissions::ID,
        }
        .to_account_metas(None),
        data: router::instruction::ClaimThrough { args }.data(),
    }
}

#[test]
fn a_program_claims_through_cpi() {
    let sbf = matches!(RuntimeMode::from_env(), RuntimeMode::Sbf(_));
    let mut rw = RewardsWorld::new_with(depin::tokens::TOKEN_PROGRAM, schedule_args(), |pt| {
        if sbf {
            pt.add_program("depin_claim_router", router::ID, None);
        } else {
            pt.add_program("depin_claim_router", router::ID, processor!(router_entry));
        }
    });
    let a = rw.w.owner(5 * ONBOARDING_FEE);
    let b = rw.w.owner(5 * ONBOARDING_FEE);
    let node_a = rw.w.register(&a).1;
    let node_b = rw.w.register(&b).1;
    let work = BTreeMap::from([(node_a, 3u64), (node_b, 1u64)]);
    let r0 = rw.report_epoch(0, &work);
    rw.em()
        .finalize_epoch(&rw.w.operator, &rw.w.network, 0)
        .unwrap();
    let token = rw.rewards.token_program;
    for owner in [&a, &b] {
        let ix = depin::tokens::create_associated_account(
            &rw.w.operator.pubkey(),
            &owner.pubkey(),
            &rw.reward_mint,
            &token,
        );
        rw.w.send(&[ix], &rw.w.operator, &[]).unwrap();
    }
    // the node's claim record, as the client library prepends on a first claim
    rw.w.send(
        &[em::open_claim(&rw.w.operator.pubkey(), &node_a)],
        &rw.w.operator,
        &[],
    )
    .unwrap();
    let (amount, proof) = r0.proof(&node_a.to_bytes()).unwrap();
    assert_eq!(amount, 600_000);
    let args = ClaimArgs {
        epoch: 0,
        cumulative_amount: amount,
        proof: pack_proof(&proof),
    };
    let a_rewards = rw.owner_rewards(&a.pubkey());
    let b_rewards = rw.owner_rewards(&b.pubkey());

    // into another owner's account: emissions refuses it inside the CPI
    let watch = [
        a_rewards,
        b_rewards,
        em::vault_address(&rw.w.network),
        em::claim_address(&node_a),
    ];
    let ix = claim_through(&rw, &node_a, &b_rewards, args.clone());
    rw.w.assert_refused(
        &watch,
        &[rw.w.operator.pubkey()],
        u32::from(X::NotNodeOwnerAccount),
        || rw.w.send(&[ix], &rw.w.operator, &[]),
    );

    let out =
        rw.w.send(
            &[claim_through(&rw, &node_a, &a_rewards, args.clone())],
            &rw.w.operator,
            &[],
        )
        .unwrap();
    assert_eq!(rw.balance(&a_rewards), 600_000);
    let record = em::claim_record(&rw.w.net, &node_a).unwrap().unwrap();
    assert_eq!((record.claimed, record.last_epoch), (600_000, 0));
    if sbf {
        eprintln!(
            "claim through CPI: {} CU for the whole transaction",
            out.compute_units.unwrap_or(0)
        );
    }

    // the same cumulative amount again: nothing to pay, through the program too
    rw.w.net.advance_time(1).unwrap();
    let ix = claim_through(&rw, &node_a, &a_rewards, args);
    rw.w.assert_refused(
        &watch,
        &[rw.w.operator.pubkey()],
        u32::from(X::NothingToClaim),
        || rw.w.send(&[ix], &rw.w.operator, &[]),
    );
}
